#!/usr/bin/env bash
# The gateway's cost on `simple`: `turbine bench` straight at a `turbine serve` vs through a `turbine gateway` in
# front of it (one pool, one replica, round robin, access log off), REST (binary) and gRPC, closed loop at
# concurrency 1 and 8; prints throughput and p50/p99 latency per case and the gateway/direct ratios
# (docs/benchmarks.md). Everything on 127.0.0.1; processes are stopped by PID on exit.
# Environment: CONCURRENCY ("1 8"), PROTOCOLS ("http grpc"), INTERVAL (ms per window, 2000), TRIALS (5),
# SKIP_BUILD=1 to reuse the Release build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONCURRENCY="${CONCURRENCY:-1 8}"
PROTOCOLS="${PROTOCOLS:-http grpc}"
INTERVAL="${INTERVAL:-2000}"
TRIALS="${TRIALS:-5}"
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
build_release src/Turbine.Cli
build_release bench/Turbine.Bench.ProxyFloor

dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
dotnet "$TURBINE" serve --model-repository "$WORK/models" --http-port 0 --grpc-port 0 --metrics-port 0 >"$WORK/serve.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/serve.log" "turbine ready" "turbine serve"
SERVER_HTTP="$(grep -o 'HTTP on [^ ]*' "$WORK/serve.log" | head -1 | cut -d' ' -f3)"
SERVER_GRPC="$(grep -o 'gRPC on [^ ]*' "$WORK/serve.log" | head -1 | cut -d' ' -f3)"

cat >"$WORK/gateway.yaml" <<YAML
pools:
  main:
    policy: roundRobin
    replicas:
      - http: ${SERVER_HTTP%/}
        grpc: ${SERVER_GRPC%/}
models:
  "*":
    pool: main
accessLog:
  enabled: false
YAML
GPORT="$(free_port)"
GGRPC="$(free_port)"
dotnet "$TURBINE" gateway --config "$WORK/gateway.yaml" --port "$GPORT" --grpc-port "$GGRPC" >"$WORK/gateway.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/gateway.log" "turbine gateway ready" "turbine gateway"

# The floor (issue 22): a bare YARP IHttpForwarder to the same server, nothing else.
FPORT="$(free_port)"
FGRPC="$(free_port)"
dotnet "$ROOT/bench/Turbine.Bench.ProxyFloor/bin/Release/net10.0/linux-x64/Turbine.Bench.ProxyFloor.dll" \
  "$FPORT" "${SERVER_HTTP%/}" "$FGRPC" "${SERVER_GRPC%/}" >"$WORK/floor.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/floor.log" "proxy floor ready" "proxy floor"

bench() { # protocol url concurrency -> "throughput p50_us p99_us"
  local extra=(--binary)
  [[ "$1" == grpc ]] && extra=()
  dotnet "$TURBINE" bench -m simple -u "$2" --protocol "$1" "${extra[@]}" --concurrency-range "$3" \
    --measurement-interval "$INTERVAL" --max-trials "$TRIALS" --format json |
    python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["throughput_infer_per_sec"], d["latency_p50_us"], d["latency_p99_us"], d["errors"])'
}

printf '%-6s %-5s %-8s %12s %10s %10s\n' protocol conc path "infer/s" "p50 us" "p99 us"
for proto in $PROTOCOLS; do
  direct_url="$SERVER_HTTP"; gw_url="http://127.0.0.1:$GPORT"; floor_url="http://127.0.0.1:$FPORT"
  [[ "$proto" == grpc ]] && { direct_url="$SERVER_GRPC"; gw_url="http://127.0.0.1:$GGRPC"; floor_url="http://127.0.0.1:$FGRPC"; }
  for c in $CONCURRENCY; do
    read -r dt dp50 dp99 derr <<<"$(bench "$proto" "$direct_url" "$c")"
    read -r ft fp50 fp99 ferr <<<"$(bench "$proto" "$floor_url" "$c")"
    read -r gt gp50 gp99 gerr <<<"$(bench "$proto" "$gw_url" "$c")"
    [[ "$derr" == 0 && "$gerr" == 0 && "$ferr" == 0 ]] || { echo "errors: direct $derr, floor $ferr, gateway $gerr" >&2; exit 1; }
    printf '%-6s %-5s %-8s %12.1f %10.0f %10.0f\n' "$proto" "$c" direct "$dt" "$dp50" "$dp99"
    printf '%-6s %-5s %-8s %12.1f %10.0f %10.0f\n' "$proto" "$c" floor "$ft" "$fp50" "$fp99"
    printf '%-6s %-5s %-8s %12.1f %10.0f %10.0f\n' "$proto" "$c" gateway "$gt" "$gp50" "$gp99"
    python3 -c "print(f'{\"$proto\":6s} {\"$c\":5s} gateway/direct  throughput x{$gt/$dt:.2f}  p50 x{$gp50/$dp50:.2f}  p99 x{$gp99/$dp99:.2f}')"
    python3 -c "print(f'{\"$proto\":6s} {\"$c\":5s} gateway/floor   throughput x{$gt/$ft:.2f}  p50 x{$gp50/$fp50:.2f}  p99 x{$gp99/$fp99:.2f}')"
  done
done
