#!/usr/bin/env bash
# The client SDKs generated from openapi/openapi.json (see the README's "Client SDKs").
#
#   openapi/clients/sdk.sh tools      install the pinned generators (npm ci, a Python venv with
#                                     hashed requirements, the progenitor generator crate), once
#   openapi/clients/sdk.sh generate   regenerate the three SDKs in place (`make sdk`)
#   openapi/clients/sdk.sh check      regenerate into a temporary directory and compare with the
#                                     committed SDKs; exit 1 naming the files that differ
#   openapi/clients/sdk.sh python     print the venv's python (for tests)
#
# Everything is installed inside the checkout (node_modules under openapi/clients/typescript,
# .local/sdk/venv, target/sdkgen), downloads are cached in ~/.cache/tenantdesk; root is not needed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLIENTS=$ROOT/openapi/clients
SPEC=$ROOT/openapi/openapi.json
CACHE=${TENANTDESK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantdesk}
VENV=$ROOT/.local/sdk/venv
TS=$CLIENTS/typescript
GEN_TARGET=$ROOT/target/sdkgen
GEN_BIN=$GEN_TARGET/debug/tenantdesk-sdkgen

log() { printf 'sdk: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

tools_python() {
  local want; want=$(hash_of "$CLIENTS/python/requirements-tools.txt")
  [ "$(cat "$VENV/.requirements" 2>/dev/null)" = "$want" ] && return 0
  log "Python venv with openapi-python-client, schemathesis and mypy (pinned, hashed)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  PIP_CACHE_DIR=$CACHE/pip "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    --require-hashes -r "$CLIENTS/python/requirements-tools.txt"
  echo "$want" > "$VENV/.requirements"
}

tools_node() {
  local want; want=$(hash_of "$TS/package-lock.json")
  [ "$(cat "$TS/node_modules/.lock-sha256" 2>/dev/null)" = "$want" ] && return 0
  command -v npm >/dev/null || die "npm (Node.js >= 20.19) is needed for the TypeScript SDK"
  log "npm ci (@hey-api/openapi-ts, typescript; pinned in package-lock.json)"
  (cd "$TS" && npm_config_cache=$CACHE/npm npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$TS/node_modules/.lock-sha256"
}

tools_rust() {
  log "progenitor generator (cargo, Cargo.lock pinned; minutes the first time)"
  CARGO_TARGET_DIR=$GEN_TARGET cargo build --quiet --locked \
    --manifest-path "$CLIENTS/rust/generator/Cargo.toml"
}

tools() {
  tools_python
  tools_node
  tools_rust
}

# generate OUT: the three SDKs' generated parts under OUT (typescript/, python/, rust/).
generate_into() {
  local out=$1
  mkdir -p "$out/typescript" "$out/python" "$out/rust"
  (cd "$TS" && ./node_modules/.bin/openapi-ts --silent --no-log-file \
    -i "$SPEC" -o "$out/typescript/generated" -c @hey-api/client-fetch)
  PATH=$VENV/bin:$PATH RUFF_NO_CACHE=true "$VENV/bin/openapi-python-client" generate --path "$SPEC" --meta none \
    --config "$CLIENTS/python/generator.yaml" --output-path "$out/python/tenantdesk_client" \
    --overwrite >/dev/null
  "$GEN_BIN" "$SPEC" "$out/rust/generated.rs"
}

generate() {
  tools
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  generate_into "$tmp"
  rm -rf "$TS/src/generated" "$CLIENTS/python/tenantdesk_client"
  cp -r "$tmp/typescript/generated" "$TS/src/generated"
  cp -r "$tmp/python/tenantdesk_client" "$CLIENTS/python/tenantdesk_client"
  cp "$tmp/rust/generated.rs" "$CLIENTS/rust/src/generated.rs"
  log "regenerated openapi/clients/{typescript/src/generated,python/tenantdesk_client,rust/src/generated.rs}"
}

check() {
  [ -x "$VENV/bin/openapi-python-client" ] && [ -d "$TS/node_modules" ] && [ -x "$GEN_BIN" ] \
    || die "the SDK generators are not installed: run \`make sdk\` (or openapi/clients/sdk.sh tools)"
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  generate_into "$tmp"
  # A unified diff (committed on the left, regenerated on the right), the first 400 lines.
  local bad=0 out="$tmp/diff"
  diff -r -u -x __pycache__ "$TS/src/generated" "$tmp/typescript/generated" >>"$out" || bad=1
  diff -r -u -x __pycache__ "$CLIENTS/python/tenantdesk_client" "$tmp/python/tenantdesk_client" >>"$out" || bad=1
  diff -u "$CLIENTS/rust/src/generated.rs" "$tmp/rust/generated.rs" >>"$out" || bad=1
  if [ $bad != 0 ]; then
    head -n 400 "$out"
    [ "$(wc -l <"$out")" -le 400 ] || echo "... ($(wc -l <"$out") lines of diff in all)"
    log "the committed SDKs differ from what openapi/openapi.json generates: run \`make sdk\` and commit"
    exit 1
  fi
}

case "${1:-}" in
  tools) tools ;;
  generate) generate ;;
  check) check ;;
  python) echo "$VENV/bin/python" ;;
  *) die "usage: $0 tools|generate|check|python" ;;
esac
