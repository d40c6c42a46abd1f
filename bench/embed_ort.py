"""The ONNX Runtime side of bench/embed.sh: all-MiniLM-L6-v2 as an ONNX graph built here from the
wheel's model.safetensors (nothing else downloaded), run by the onnxruntime PyPI wheel's CPU
library — the same library the `ort` crate would load — to see whether it beats the service's
own encoder.

    embed_ort.py MODEL_DIR CHUNKS THREADS [VECTORS]

The graph uses ORT's fused CPU operators, the fastest form its transformer optimiser produces
for BERT: EmbedLayerNormalization, Attention (Q, K and V in one product, padding masked),
SkipLayerNormalization (bias + residual + LayerNorm), BiasGelu; then masked mean pooling and
L2 normalisation. Texts are sorted by length and run 32 at a time, padded to the longest of
each batch (what sentence-transformers does). Prints one JSON line like embed_bench's.
"""

import json
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file
from tokenizers import Tokenizer

BATCH = 32


def build(model_dir: str) -> bytes:
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    h, heads, layers, eps = (
        cfg["hidden_size"],
        cfg["num_attention_heads"],
        cfg["num_hidden_layers"],
        cfg["layer_norm_eps"],
    )
    w = load_file(os.path.join(model_dir, "model.safetensors"))
    inits, nodes = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr.astype(np.float32)), name))
        return name

    def node(op, inputs, outputs, ms=False, **attrs):
        nodes.append(helper.make_node(op, inputs, outputs, domain="com.microsoft" if ms else "", **attrs))

    e = "embeddings."
    init("word", w[e + "word_embeddings.weight"])
    # One token type: its embedding folds into the positions'.
    init("pos", w[e + "position_embeddings.weight"] + w[e + "token_type_embeddings.weight"][0][None, :])
    node(
        "EmbedLayerNormalization",
        ["input_ids", "", "word", "pos", "", init("emb_g", w[e + "LayerNorm.weight"]),
         init("emb_b", w[e + "LayerNorm.bias"]), "attention_mask"],
        ["h0", "mask_index"], ms=True, epsilon=eps,
    )
    x = "h0"
    for i in range(layers):
        p, a = f"encoder.layer.{i}.", f"encoder.layer.{i}.attention."
        qkv_w = np.concatenate([w[a + f"self.{n}.weight"].T for n in ("query", "key", "value")], axis=1)
        qkv_b = np.concatenate([w[a + f"self.{n}.bias"] for n in ("query", "key", "value")])
        node("Attention", [x, init(f"qkv_w{i}", qkv_w), init(f"qkv_b{i}", qkv_b), "mask_index"],
             [f"att{i}"], ms=True, num_heads=heads)
        node("MatMul", [f"att{i}", init(f"ao_w{i}", w[a + "output.dense.weight"].T)], [f"ao{i}"])
        node("SkipLayerNormalization",
             [f"ao{i}", x, init(f"ln1_g{i}", w[a + "output.LayerNorm.weight"]),
              init(f"ln1_b{i}", w[a + "output.LayerNorm.bias"]), init(f"ao_b{i}", w[a + "output.dense.bias"])],
             [f"x1_{i}"], ms=True, epsilon=eps)
        node("MatMul", [f"x1_{i}", init(f"in_w{i}", w[p + "intermediate.dense.weight"].T)], [f"in{i}"])
        node("BiasGelu", [f"in{i}", init(f"in_b{i}", w[p + "intermediate.dense.bias"])], [f"g{i}"], ms=True)
        node("MatMul", [f"g{i}", init(f"out_w{i}", w[p + "output.dense.weight"].T)], [f"o{i}"])
        node("SkipLayerNormalization",
             [f"o{i}", f"x1_{i}", init(f"ln2_g{i}", w[p + "output.LayerNorm.weight"]),
              init(f"ln2_b{i}", w[p + "output.LayerNorm.bias"]), init(f"out_b{i}", w[p + "output.dense.bias"])],
             [f"h{i + 1}"], ms=True, epsilon=eps)
        x = f"h{i + 1}"
    # Masked mean pooling, then unit length (sentence-transformers' floors: 1e-9 and 1e-12).
    node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT)
    node("Unsqueeze", ["maskf", "ax1"], ["maskr"])
    node("MatMul", ["maskr", x], ["summed"])
    node("ReduceSum", ["maskr", "ax2"], ["count"], keepdims=1)
    node("Max", ["count", "eps9"], ["countc"])
    node("Div", ["summed", "countc"], ["mean3"])
    node("Squeeze", ["mean3", "ax1"], ["mean"])
    node("ReduceL2", ["mean", "ax1"], ["norm"], keepdims=1)
    node("Max", ["norm", "eps12"], ["normc"])
    node("Div", ["mean", "normc"], ["embedding"])
    inits += [
        numpy_helper.from_array(np.array([1], np.int64), "ax1"),
        numpy_helper.from_array(np.array([2], np.int64), "ax2"),
        numpy_helper.from_array(np.array(1e-9, np.float32), "eps9"),
        numpy_helper.from_array(np.array(1e-12, np.float32), "eps12"),
    ]
    graph = helper.make_graph(
        nodes, "all-minilm-l6-v2",
        [helper.make_tensor_value_info(n, TensorProto.INT32, ["B", "S"]) for n in ("input_ids", "attention_mask")],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["B", h])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    return model.SerializeToString()


def main() -> None:
    model_dir, chunks, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    vectors = sys.argv[4] if len(sys.argv) > 4 else None
    with open(chunks, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    loaded = time.perf_counter()
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(build(model_dir), so, providers=["CPUExecutionProvider"])
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    tok.enable_truncation(256)
    load_s = time.perf_counter() - loaded

    def embed(batch):
        order = sorted(range(len(batch)), key=lambda i: -len(batch[i]))
        out = [None] * len(batch)
        for s in range(0, len(batch), BATCH):
            idx = order[s : s + BATCH]
            enc = tok.encode_batch([batch[i] for i in idx])
            feed = {
                "input_ids": np.array([e.ids for e in enc], np.int32),
                "attention_mask": np.array([e.attention_mask for e in enc], np.int32),
            }
            for j, v in zip(idx, sess.run(["embedding"], feed)[0]):
                out[j] = v
        return out

    embed(texts[:8])
    start, cpu = time.perf_counter(), time.process_time()
    out = embed(texts)
    secs, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    query = max(texts, key=len)
    lat = []
    for _ in range(int(os.environ.get("REPEATS", "30"))):
        t = time.perf_counter()
        embed([query])
        lat.append((time.perf_counter() - t) * 1e3)
    if vectors:
        with open(vectors, "w", encoding="utf-8") as f:
            for v in out:
                f.write(json.dumps([float(x) for x in v]) + "\n")
    lat.sort()
    print(json.dumps({
        "side": "onnxruntime",
        "threads": threads,
        "chunks": len(texts),
        "seconds": secs,
        "cpu_s": cpu_s,
        "chunks_per_s": len(texts) / secs,
        "query_p50_ms": lat[len(lat) // 2],
        "load_s": load_s,
        "onnxruntime": ort.__version__,
    }))


if __name__ == "__main__":
    main()
