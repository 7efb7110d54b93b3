#!/usr/bin/python3
"""Zipf request stream over N generated small models served under a memory budget for K of them.

Generates N models add_i (Y = X + i, FP32 [batch, 4], each declaring memory_bytes = 1 MB so the budget holds exactly K),
starts `turbine serve --model-memory-budget K MB`, sends a seeded Zipf(s) stream sequentially over HTTP keep-alive, and
classifies every request as a hit or a cold load by simulating LRU with the same capacity (sequential requests make the
server's LRU and the simulation agree; the run checks the server's cold-load and eviction counters against it).
Prints the hit rate and p50/p99 latency of hits and of cold loads.

Usage: bench/memory-zipf.py [N] [K] [REQUESTS] [S]     (defaults 200 20 3000 1.1)
"""
import collections, http.client, json, os, random, re, shutil, subprocess, sys, tempfile, time
import numpy as np
import onnx
from onnx import helper, TensorProto

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
K = int(sys.argv[2]) if len(sys.argv) > 2 else 20
REQUESTS = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
S = float(sys.argv[4]) if len(sys.argv) > 4 else 1.1
MB = 1_000_000
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
turbine = os.environ.get("TURBINE_DLL") or os.path.join(root, "src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll")

work = tempfile.mkdtemp(prefix="turbine-zipf-")
repo = os.path.join(work, "repo")
for i in range(N):
    name = f"add_{i:03d}"
    os.makedirs(os.path.join(repo, name, "1"))
    c = helper.make_tensor("C", TensorProto.FLOAT, [1], [float(i)])
    graph = helper.make_graph([helper.make_node("Add", ["X", "C"], ["Y"])], name,
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["batch", 4])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["batch", 4])], [c])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, os.path.join(repo, name, "1", "model.onnx"))
    with open(os.path.join(repo, name, "config.pbtxt"), "w") as f:
        f.write(f'name: "{name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\n'
                'input [ { name: "X" data_type: TYPE_FP32 dims: [ 4 ] } ]\noutput [ { name: "Y" data_type: TYPE_FP32 dims: [ 4 ] } ]\n'
                f'parameters {{ key: "memory_bytes" value: {{ string_value: "{MB}" }} }}\n')

log = open(os.path.join(work, "serve.log"), "w+")
server = subprocess.Popen(["dotnet", turbine, "serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0",
                           "--metrics-port", "0", "--model-memory-budget", str(K * MB)], stdout=log, stderr=subprocess.STDOUT)
try:
    deadline = time.time() + 60
    text = ""
    while time.time() < deadline:
        log.seek(0); text = log.read()
        if "turbine ready" in text: break
        time.sleep(0.1)
    http_url = re.search(r"HTTP on (http://[^ /]+)", text).group(1)
    metrics_url = re.search(r"metrics on (http://[^ /]+)", text)
    host, port = http_url[len("http://"):].split(":")
    conn = http.client.HTTPConnection(host, int(port))
    weights = 1 / np.arange(1, N + 1) ** S
    rng = np.random.default_rng(17)
    stream = rng.choice(N, size=REQUESTS, p=weights / weights.sum())
    lru = collections.OrderedDict()
    hits, colds, evictions = [], [], 0
    for r, m in enumerate(stream):
        cold = m not in lru
        if cold:
            if len(lru) == K:
                lru.popitem(last=False); evictions += 1
        else:
            lru.move_to_end(m)
        lru[m] = True
        body = json.dumps({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "data": [r, r, r, r]}]})
        t0 = time.perf_counter()
        conn.request("POST", f"/v2/models/add_{m:03d}/infer", body, {"Content-Type": "application/json"})
        resp = conn.getresponse(); data = resp.read()
        dt = time.perf_counter() - t0
        if resp.status != 200 or json.loads(data)["outputs"][0]["data"][0] != r + m:
            sys.exit(f"request {r} on add_{m:03d} failed: {resp.status} {data[:200]}")
        (colds if cold else hits).append(dt)
    counters = {}
    if metrics_url:
        mh, mp = metrics_url.group(1)[len("http://"):].split(":")
        mc = http.client.HTTPConnection(mh, int(mp)); mc.request("GET", "/metrics")
        for line in mc.getresponse().read().decode().splitlines():
            for name in ("turbine_model_cold_loads_total", "turbine_model_evictions_total"):
                if line.startswith(name + " "): counters[name] = int(float(line.split()[1]))
    pct = lambda xs, q: float(np.percentile(np.array(xs) * 1000, q)) if xs else float("nan")
    print(f"models {N}, budget for {K}, requests {REQUESTS}, zipf s={S}, seed 17")
    print(f"hit rate {len(hits) / REQUESTS:.3f} ({len(hits)} hits, {len(colds)} cold loads, {evictions} evictions; "
          f"server counted {counters.get('turbine_model_cold_loads_total')} cold loads, {counters.get('turbine_model_evictions_total')} evictions)")
    print(f"hits:       p50 {pct(hits, 50):.2f} ms  p99 {pct(hits, 99):.2f} ms")
    print(f"cold loads: p50 {pct(colds, 50):.2f} ms  p99 {pct(colds, 99):.2f} ms")
finally:
    server.terminate()
    try: server.wait(10)
    except subprocess.TimeoutExpired: server.kill()
    shutil.rmtree(work, ignore_errors=True)
