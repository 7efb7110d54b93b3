#!/usr/bin/env bash
# Control plane under load (docs/benchmarks.md "Control plane: burst and warm path"), two measurements in one run of
# `turbine control serve` (default autoscaler settings: 2 s tick, 60 s stable and 6 s panic windows):
#  1. Warm path: deployment `simple` pinned at one replica (min = max = 1); `turbine bench` straight at the replica's
#     own port vs through the control plane's gateway (deployment route, activator configured but off the path while a
#     replica exists), REST binary and gRPC, closed loop at concurrency 1 and 8: throughput and p50/p99, and the ratios.
#  2. Burst: deployment `iris` with 1-4 replicas at a target of 2 concurrent requests each; a step from idle to a
#     closed loop at concurrency BURST_CONCURRENCY (16) through the gateway; the API is polled every 100 ms and the
#     times from the step to panic mode, to desired = 4 and to 4 ready replicas are printed (the burst is absorbed when
#     the ready replicas reach what the autoscaler asks for), with the requests' error count (must be 0).
# Everything on 127.0.0.1; processes stopped by PID on exit.
# Environment: CONCURRENCY ("1 8"), PROTOCOLS ("http grpc"), INTERVAL (ms per window, 2000), TRIALS (5),
# BURST_CONCURRENCY (16), BURST_SECS (40), SKIP_BUILD=1 to reuse the Release build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONCURRENCY="${CONCURRENCY:-1 8}"
PROTOCOLS="${PROTOCOLS:-http grpc}"
INTERVAL="${INTERVAL:-2000}"
TRIALS="${TRIALS:-5}"
BURST_CONCURRENCY="${BURST_CONCURRENCY:-16}"
BURST_SECS="${BURST_SECS:-40}"
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
build_release src/Turbine.Cli

dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
API_PORT="$(free_port)"; GW_HTTP="$(free_port)"; GW_GRPC="$(free_port)"; API="http://127.0.0.1:$API_PORT"
dotnet "$TURBINE" control serve --dev --port "$API_PORT" --gateway-http-port "$GW_HTTP" --gateway-grpc-port "$GW_GRPC" \
  --data "$WORK/data" --allow-file-root "$WORK/models" >"$WORK/control.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/control.log" "turbine control ready" "turbine control serve"

spec() { # NAME MIN MAX TARGET
  cat <<YAML
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: $1
spec:
  predictor:
    minReplicas: $2
    maxReplicas: $3
    scaleMetric: concurrency
    scaleTarget: $4
    model:
      modelFormat:
        name: onnx
      storageUri: file://$WORK/models/$1
YAML
}

wait_ready_replicas() { # NAME COUNT
  for _ in $(seq 1 600); do
    [[ "$(curl -s "$API/api/v1/deployments/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["readyReplicas"])')" -ge "$2" ]] && return 0
    sleep 0.1
  done
  echo "deployment $1 did not reach $2 ready replicas" >&2
  exit 1
}

spec simple 1 1 100 | dotnet "$TURBINE" control apply -f - --url "$API" >/dev/null
spec iris 1 4 2 | dotnet "$TURBINE" control apply -f - --url "$API" >/dev/null
wait_ready_replicas simple 1
wait_ready_replicas iris 1
read -r REPLICA_HTTP REPLICA_GRPC <<<"$(curl -s "$API/api/v1/deployments/simple" | python3 -c 'import json,sys; r=json.load(sys.stdin)["status"]["replicas"][0]; print(r["httpPort"], r["grpcPort"])')"

bench() { # protocol url concurrency -> "throughput p50_us p99_us errors"
  local extra=(--binary)
  [[ "$1" == grpc ]] && extra=()
  dotnet "$TURBINE" bench -m simple -u "$2" --protocol "$1" "${extra[@]}" --concurrency-range "$3" \
    --measurement-interval "$INTERVAL" --max-trials "$TRIALS" --format json |
    python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["throughput_infer_per_sec"], d["latency_p50_us"], d["latency_p99_us"], d["errors"])'
}

echo "== warm path: replica direct vs control-plane gateway (deployment simple, 1 replica)"
printf '%-6s %-5s %-8s %12s %10s %10s\n' protocol conc path "infer/s" "p50 us" "p99 us"
for proto in $PROTOCOLS; do
  direct_url="http://127.0.0.1:$REPLICA_HTTP"; gw_url="http://127.0.0.1:$GW_HTTP"
  [[ "$proto" == grpc ]] && { direct_url="http://127.0.0.1:$REPLICA_GRPC"; gw_url="http://127.0.0.1:$GW_GRPC"; }
  for c in $CONCURRENCY; do
    read -r dt dp50 dp99 derr <<<"$(bench "$proto" "$direct_url" "$c")"
    read -r gt gp50 gp99 gerr <<<"$(bench "$proto" "$gw_url" "$c")"
    [[ "$derr" == 0 && "$gerr" == 0 ]] || { echo "errors: direct $derr, gateway $gerr" >&2; exit 1; }
    printf '%-6s %-5s %-8s %12.1f %10.0f %10.0f\n' "$proto" "$c" direct "$dt" "$dp50" "$dp99"
    printf '%-6s %-5s %-8s %12.1f %10.0f %10.0f\n' "$proto" "$c" gateway "$gt" "$gp50" "$gp99"
    python3 -c "print(f'{\"$proto\":6s} {\"$c\":5s} ratio    throughput x{$gt/$dt:.2f}  p50 x{$gp50/$dp50:.2f}  p99 x{$gp99/$dp99:.2f}')"
  done
done

echo "== burst: iris, idle -> closed loop at concurrency $BURST_CONCURRENCY through the gateway (target 2 per replica, max 4)"
python3 - "$TURBINE" "$API" "$GW_HTTP" "$BURST_CONCURRENCY" "$BURST_SECS" <<'PYEOF'
import json, subprocess, sys, time, urllib.request
turbine, api, port, conc, secs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def status():
    with urllib.request.urlopen(f"{api}/api/v1/deployments/iris", timeout=5) as r:
        return json.load(r)["status"]
start = time.perf_counter()
load = subprocess.Popen(["dotnet", turbine, "bench", "-m", "iris", "-u", f"http://127.0.0.1:{port}", "--binary",
                         "--concurrency-range", conc, "--measurement-interval", str(secs * 1000), "--max-trials", "1",
                         "--stability-percentage", "100", "--format", "json"], stdout=subprocess.PIPE, text=True)
marks = {}
timeline = []
while load.poll() is None:
    s = status(); t = time.perf_counter() - start
    auto = s.get("autoscaler") or {}
    row = (round(t, 1), s["readyReplicas"], s["desiredReplicas"], auto.get("panicMode"), round(auto.get("panicValue", 0), 1))
    if not timeline or row[1:4] != timeline[-1][1:4]:
        timeline.append(row)
    if auto.get("panicMode") and "panic" not in marks: marks["panic"] = t
    if s["desiredReplicas"] >= 4 and "desired" not in marks: marks["desired"] = t
    if s["readyReplicas"] >= 4 and "ready" not in marks: marks["ready"] = t
    time.sleep(0.1)
result = json.loads(load.stdout.read())[0]
print("t(s)  ready desired panic panic-concurrency")
for row in timeline: print(*row)
for k in ("panic", "desired", "ready"):
    print(f"{k:8s} {marks[k]:.1f} s after the step" if k in marks else f"{k:8s} not reached")
print(f"requests: {result['throughput_infer_per_sec']:.1f} infer/s over the window, errors {result['errors']}")
PYEOF
