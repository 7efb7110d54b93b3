#!/usr/bin/env bash
# Control-plane cold start (docs/benchmarks.md "Control plane"): `turbine control serve` with short autoscaler windows,
# a deployment with minReplicas 0 per model; RUNS times: wait until the deployment is ScaledToZero, then time one
# request through the gateway (activator → new `turbine serve` replica → answer). Prints the client-side times and
# the controller's own phases from turbine_cold_start_seconds (fetch, load, warmup, total) on its /metrics.
# Models: the `simple` sample (created here) and, with RESNET=1, ResNet-18 from bench/.models/repo (bench/real-models.sh
# step 1 creates it). The artifact is cached by content digest after the first start, so runs 2.. are cached starts.
# Environment: RUNS (5), RESNET (0), OUT (results folder, default a new temp folder), SKIP_BUILD=1, TURBINE_BIN (an
# installed or published `turbine` executable to measure instead of the Release build, e.g. the ReadyToRun single file
# of docs/packaging.md: the controller starts its replicas with its own executable, so they are that build too).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${RUNS:-5}"
OUT="${OUT:-$(mktemp -d)}"
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"
if [[ -n "${TURBINE_BIN:-}" ]]; then
  turbine() { "$TURBINE_BIN" "$@"; }
else
  [[ "${SKIP_BUILD:-0}" == 1 ]] || timeout 600 dotnet build "$ROOT/src/Turbine.Cli" -c Release -nologo -v q >/dev/null
  turbine() { dotnet "$TURBINE" "$@"; }
fi
PY=/usr/bin/python3
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

turbine samples create "$OUT/models" >/dev/null
API_PORT="$(free_port)"; GW_PORT="$(free_port)"; API="http://127.0.0.1:$API_PORT"
turbine control serve --dev --port "$API_PORT" --gateway-http-port "$GW_PORT" --gateway-grpc-port 0 \
  --data "$OUT/data" --allow-file-root "$OUT/models" --allow-file-root "$ROOT/bench/.models/repo" \
  --tick-secs 0.5 --stable-window-secs 2 --panic-window-secs 1 >"$OUT/control.log" 2>&1 &
CONTROL=$!
trap 'kill $CONTROL 2>/dev/null; wait $CONTROL 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 600); do grep -q "turbine control ready" "$OUT/control.log" && break; sleep 0.1; done
grep -q "turbine control ready" "$OUT/control.log" || { cat "$OUT/control.log" >&2; exit 1; }

spec() { # NAME URI
  cat <<YAML
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: $1
  annotations:
    turbine.dev/scale-to-zero-grace: 1s
spec:
  predictor:
    minReplicas: 0
    maxReplicas: 1
    model:
      modelFormat:
        name: onnx
      storageUri: $2
YAML
}

measure() { # DEPLOYMENT MODEL BODY_FILE
  local name="$1" model="$2" body="$3"
  for r in $(seq 1 "$RUNS"); do
    for _ in $(seq 1 600); do
      curl -s "$API/api/v1/deployments/$name" | grep -q '"scaledToZero"' && break
      sleep 0.2
    done
    "$PY" - "$GW_PORT" "$model" "$body" "$name" "$r" <<'PYEOF'
import sys, time, urllib.request
port, model, body, name, run = sys.argv[1:]
data = open(body, 'rb').read()
req = urllib.request.Request(f"http://127.0.0.1:{port}/v2/models/{model}/infer", data=data, headers={"Content-Type": "application/json"})
t = time.perf_counter()
with urllib.request.urlopen(req, timeout=120) as resp:
    resp.read(); status = resp.status
print(f"{name} run {run}: status {status}, first response after {(time.perf_counter() - t) * 1000:.0f} ms from zero replicas")
PYEOF
  done
}

echo '{"inputs":[{"name":"INPUT0","shape":[1,16],"datatype":"INT32","data":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]},{"name":"INPUT1","shape":[1,16],"datatype":"INT32","data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}' >"$OUT/simple.json"
spec simple "file://$OUT/models/simple" | turbine control apply -f - --url "$API" >/dev/null
measure simple simple "$OUT/simple.json" | tee "$OUT/simple.txt"
if [[ "${RESNET:-0}" == 1 ]]; then
  "$PY" -c 'import json; print(json.dumps({"inputs":[{"name":"Input247","shape":[1,3,224,224],"datatype":"FP32","data":[0.5]*(3*224*224)}]}))' >"$OUT/resnet.json"
  spec resnet18 "file://$ROOT/bench/.models/repo/resnet18" | turbine control apply -f - --url "$API" >/dev/null
  measure resnet18 resnet18 "$OUT/resnet.json" | tee "$OUT/resnet.txt"
fi
echo "controller phases (turbine_cold_start_seconds: sum / count = mean seconds):"
curl -s "$API/metrics" | grep -E '^turbine_cold_start_seconds_(sum|count)' | tee "$OUT/phases.txt"
echo "results in $OUT"
