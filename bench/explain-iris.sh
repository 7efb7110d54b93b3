#!/usr/bin/env bash
# KernelSHAP time per explanation on the iris sample model (4 features: exact, 16 coalitions x 20 background rows =
# 320 perturbed rows, sent through the engine in batches of max_batch_size 64), next to one plain inference, over HTTP
# JSON from one client. Usage: bench/explain-iris.sh. Needs a Release build of src/Turbine.Cli.
set -euo pipefail
cd "$(dirname "$0")/.."
T=src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$T" samples create "$work/repo" >/dev/null
"$T" serve --model-repository "$work/repo" --http-port 18200 --grpc-port 18201 --metrics-port 18202 >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18200/v2/health/ready >/dev/null && break; sleep 0.2; done
/usr/bin/python3 - <<'PY'
import json, random, time, urllib.request
random.seed(1)
bg = [[round(random.uniform(4.5, 7.5), 2), round(random.uniform(2, 4), 2), round(random.uniform(1, 6.5), 2), round(random.uniform(0.1, 2.4), 2)] for _ in range(20)]
explain = json.dumps({"instances": [[6.7, 3.0, 5.2, 2.3]], "background": bg}).encode()
infer = json.dumps({"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": [6.7, 3.0, 5.2, 2.3]}]}).encode()
def call(url, data):
    return urllib.request.urlopen(urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})).read()
def times(url, data, n=30):
    call(url, data)
    ts = []
    for _ in range(n):
        t = time.perf_counter(); call(url, data); ts.append(time.perf_counter() - t)
    return sorted(ts)
e = times("http://127.0.0.1:18200/v2/models/iris/explain", explain)
i = times("http://127.0.0.1:18200/v2/models/iris/infer", infer)
print(f"explain p50 {e[15]*1000:.1f} ms (min {e[0]*1000:.1f}, max {e[-1]*1000:.1f}); infer p50 {i[15]*1000:.2f} ms; explain/infer {e[15]/i[15]:.1f}x")
PY
