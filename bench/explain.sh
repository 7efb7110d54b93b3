#!/usr/bin/env bash
# KernelSHAP time per explanation, over HTTP JSON from one client, next to one plain inference of the same model:
#  - iris (the sample model, 4 features: exact, 2^4 coalitions x 20 background rows, batches of max_batch_size 64);
#  - wide20, a 20-feature MLP (20 -> tanh 8 -> sigmoid 1, seeded weights) generated here with Debian's python3-onnx:
#    sampled, 2*20 + 2048 coalitions x 20 background rows, batches of max_batch_size 1024;
#  - permutation importance on wide20 (200 labelled rows x 20 features x 5 repeats = 20,000 perturbed rows).
# Usage: bench/explain.sh [CALLS] (default 20). Needs a Release build of src/Turbine.Cli and python3-onnx.
set -euo pipefail
cd "$(dirname "$0")/.."
T=src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine
calls=${1:-20}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$T" samples create "$work/repo" >/dev/null
for m in "$work"/repo/*; do [ "$(basename "$m")" = iris ] || rm -rf "$m"; done
/usr/bin/python3 - "$work/repo/wide20" <<'PY'
import os, sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
folder = sys.argv[1]
rng = np.random.default_rng(20)
w1 = rng.uniform(-0.6, 0.6, (20, 8)).astype(np.float32); b1 = rng.uniform(-0.3, 0.3, 8).astype(np.float32)
w2 = rng.uniform(-1.5, 1.5, (8, 1)).astype(np.float32); b2 = rng.uniform(-0.3, 0.3, 1).astype(np.float32)
nodes = [helper.make_node("MatMul", ["input", "w1"], ["h0"]), helper.make_node("Add", ["h0", "b1"], ["h1"]),
         helper.make_node("Tanh", ["h1"], ["h2"]), helper.make_node("MatMul", ["h2", "w2"], ["z0"]),
         helper.make_node("Add", ["z0", "b2"], ["z1"]), helper.make_node("Sigmoid", ["z1"], ["score"])]
graph = helper.make_graph(nodes, "wide20",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 20])],
    [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 1])],
    [numpy_helper.from_array(a, n) for a, n in [(w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2")]])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]); model.ir_version = 8
os.makedirs(os.path.join(folder, "1"))
onnx.save(model, os.path.join(folder, "1", "model.onnx"))
open(os.path.join(folder, "config.pbtxt"), "w").write('name: "wide20"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 1024\n'
    'input [ { name: "input" data_type: TYPE_FP32 dims: [ 20 ] } ]\noutput [ { name: "score" data_type: TYPE_FP32 dims: [ 1 ] } ]\n')
PY
"$T" serve --model-repository "$work/repo" --http-port 18200 --grpc-port 18201 --metrics-port 18202 >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18200/v2/health/ready >/dev/null && break; sleep 0.2; done
/usr/bin/python3 - "$calls" <<'PY'
import json, random, sys, time, urllib.request
n = int(sys.argv[1])
random.seed(1)
base = "http://127.0.0.1:18200/v2/models"
def call(url, body):
    return urllib.request.urlopen(urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})).read()
def times(url, body, n):
    call(url, body)
    ts = []
    for _ in range(n):
        t = time.perf_counter(); call(url, body); ts.append(time.perf_counter() - t)
    return sorted(ts)
def report(name, e, i):
    m = len(e) // 2
    print(f"{name}: p50 {e[m]*1000:.1f} ms (min {e[0]*1000:.1f}, max {e[-1]*1000:.1f}); one inference p50 {i[len(i)//2]*1000:.2f} ms; ratio {e[m]/i[len(i)//2]:.0f}x")
bg4 = [[round(random.uniform(4.5, 7.5), 2), round(random.uniform(2, 4), 2), round(random.uniform(1, 6.5), 2), round(random.uniform(0.1, 2.4), 2)] for _ in range(20)]
x4 = [6.7, 3.0, 5.2, 2.3]
i4 = times(f"{base}/iris/infer", {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": x4}]}, 30)
report("iris kernel_shap (exact, 4 features, 20 background rows)", times(f"{base}/iris/explain", {"instances": [x4], "background": bg4}, n), i4)
row = lambda: [round(random.uniform(-2, 2), 3) for _ in range(20)]
bg20 = [row() for _ in range(20)]
x20 = row()
i20 = times(f"{base}/wide20/infer", {"inputs": [{"name": "input", "shape": [1, 20], "datatype": "FP32", "data": x20}]}, 30)
report("wide20 kernel_shap (sampled, 20 features, 2088 coalitions, 20 background rows)", times(f"{base}/wide20/explain", {"instances": [x20], "background": bg20}, max(3, n // 4)), i20)
rows = [row() for _ in range(200)]
labels = [random.random() for _ in rows]
report("wide20 permutation (200 rows, 5 repeats, mean_squared_error)", times(f"{base}/wide20/explain", {"explainer": "permutation", "instances": rows, "labels": labels, "repeats": 5}, max(3, n // 4)), i20)
PY
