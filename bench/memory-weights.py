#!/usr/bin/python3
"""P8 and weight sharing: resident memory of `turbine serve` with N copies of one MLP (256->1024->1024->10 FP32, about
5.3 MB of weights) loaded as N models, and as one model with an instance group of N instances.

Usage: bench/memory-weights.py [MODE...]   modes: copies, instances (default both)
Env: TURBINE_DLL=path/to/turbine.dll (another build, e.g. before a change), EXTRA="parameters { ... }" appended to every config (to compare settings in one build), COUNTS="0 1 2 4 8".
"""
import os, re, shutil, subprocess, sys, tempfile, time, json, http.client
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
turbine = os.environ.get("TURBINE_DLL") or os.path.join(root, "src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll")
modes = sys.argv[1:] or ["copies", "instances"]
counts = [int(c) for c in os.environ.get("COUNTS", "0 1 2 4 8").split()]
extra = os.environ.get("EXTRA", "")
work = tempfile.mkdtemp(prefix="turbine-p8-")

rng = np.random.default_rng(1)
dims = [256, 1024, 1024, 10]
inits, nodes, prev = [], [], "INPUT0"
for i in range(3):
    w = numpy_helper.from_array(rng.standard_normal((dims[i], dims[i + 1])).astype(np.float32), f"W{i}")
    b = numpy_helper.from_array(rng.standard_normal(dims[i + 1]).astype(np.float32), f"B{i}")
    inits += [w, b]
    out = "OUTPUT0" if i == 2 else f"H{i}"
    nodes.append(helper.make_node("Gemm", [prev, f"W{i}", f"B{i}"], [out if i == 2 else f"G{i}"]))
    if i < 2:
        nodes.append(helper.make_node("Relu", [f"G{i}"], [out]))
    prev = out
graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("INPUT0", TensorProto.FLOAT, [1, 256])],
                          [helper.make_tensor_value_info("OUTPUT0", TensorProto.FLOAT, [1, 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]); model.ir_version = 8
model_file = os.path.join(work, "model.onnx"); onnx.save(model, model_file)
weights = os.path.getsize(model_file)
print(f"model.onnx {weights} bytes; extra config: {extra or '(none)'}")

def serve(repo, models):
    log_path = os.path.join(work, "serve.log")
    with open(log_path, "w+") as log:
        p = subprocess.Popen(["dotnet", turbine, "serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0",
                              "--metrics-port", "0"], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline, text = time.time() + 120, ""
            while time.time() < deadline:
                log.seek(0); text = log.read()
                if "turbine ready" in text: break
                if p.poll() is not None: sys.exit(text)
                time.sleep(0.1)
            host, port = re.search(r"HTTP on http://([^ /]+)", text).group(1).split(":")
            conn = http.client.HTTPConnection(host, int(port))
            body = json.dumps({"inputs": [{"name": "INPUT0", "shape": [1, 256], "datatype": "FP32", "data": [0.5] * 256}]})
            for m, n in models:
                for _ in range(max(1, n) * 2):
                    conn.request("POST", f"/v2/models/{m}/infer", body); r = conn.getresponse(); r.read()
                    if r.status != 200: sys.exit(f"{m}: {r.status}")
            time.sleep(1)
            with open(f"/proc/{p.pid}/status") as f:
                return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        finally:
            p.terminate(); p.wait(10)

def config(name, count):
    return (f'name: "{name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 0\n'
            'input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 1, 256 ] } ]\n'
            'output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 1, 10 ] } ]\n'
            f'instance_group [ {{ kind: KIND_CPU count: {count} }} ]\n{extra}\n')

try:
    for mode in modes:
        rows = []
        for n in counts:
            repo = os.path.join(work, f"{mode}{n}"); os.makedirs(repo)
            models = []
            if mode == "copies":
                for i in range(n):
                    d = os.path.join(repo, f"copy{i}"); os.makedirs(os.path.join(d, "1"))
                    shutil.copy(model_file, os.path.join(d, "1", "model.onnx"))
                    open(os.path.join(d, "config.pbtxt"), "w").write(config(f"copy{i}", 1)); models.append((f"copy{i}", 1))
            elif n > 0:
                d = os.path.join(repo, "mlp"); os.makedirs(os.path.join(d, "1"))
                shutil.copy(model_file, os.path.join(d, "1", "model.onnx"))
                open(os.path.join(d, "config.pbtxt"), "w").write(config("mlp", n)); models.append(("mlp", n))
            rows.append((n, serve(repo, models)))
        print(f"{mode}: " + "  ".join(f"N={n}: {rss} KiB" for n, rss in rows))
        (n1, r1), (nl, rl) = rows[1], rows[-1]
        per = (rl - r1) * 1024 / (nl - n1)
        print(f"{mode}: per extra {'copy' if mode == 'copies' else 'instance'} {per / 1e6:.2f} MB = {per / weights:.2f}x the weight bytes")
finally:
    shutil.rmtree(work, ignore_errors=True)
