#!/usr/bin/env bash
# Open-loop tail (PERFORMANCE.md P6, issue 22 item 5): `simple` over gRPC at a fixed request rate — 70 % of Turbine's
# closed-loop maximum at concurrency 8 — sent by `turbine bench --request-rate-range` to `turbine serve` and, with the
# same generator at the same rate in the same run, to the gRPC floor (bench/Turbine.Bench.GrpcFloor: a grpc-dotnet
# server answering a fixed response). Prints p50, p99 and p99/p50 for each, REPEATS times, and Turbine's p99/p50 over
# the floor's. On one 2-core machine the generator shares the cores: the floor row shows how much of the tail is the
# generator's and the machine's. Everything on 127.0.0.1; processes stopped by PID on exit.
# GENERATOR=h2load sends the same rate with h2load instead (a C generator: --rps per connection, so each of CLIENTS
# connections fires on its own timer, with up to 32 streams in flight per connection so a slow answer does not hold
# back the next send; prepared gRPC frames; percentiles from its --log-file), closed-loop max with -c8 -m1.
# Environment: FRACTION (0.7), REPEATS (3), INTERVAL (ms per window, 3000), GENERATOR (turbine | h2load),
# CLIENTS (h2load connections in the open loop, 8), DURATION (h2load seconds per run, 10), SKIP_BUILD=1 to reuse the
# Release build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRACTION="${FRACTION:-0.7}"
REPEATS="${REPEATS:-3}"
INTERVAL="${INTERVAL:-3000}"
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"
FLOOR="$ROOT/bench/Turbine.Bench.GrpcFloor/bin/Release/net10.0/linux-x64/Turbine.Bench.GrpcFloor.dll"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
build_release src/Turbine.Cli bench/Turbine.Bench.GrpcFloor

dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
dotnet "$TURBINE" serve --model-repository "$WORK/models" --http-port 0 --grpc-port 0 --metrics-port 0 >"$WORK/serve.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/serve.log" "turbine ready" "turbine serve"
SERVER="$(grep -o 'gRPC on [^ ]*' "$WORK/serve.log" | head -1 | cut -d' ' -f3)"
FPORT="$(free_port)"
dotnet "$FLOOR" "$FPORT" >"$WORK/floor.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/floor.log" "grpc floor ready" "grpc floor"
FLOOR_URL="http://127.0.0.1:$FPORT"

GENERATOR="${GENERATOR:-turbine}"
CLIENTS="${CLIENTS:-8}"
DURATION="${DURATION:-10}"
if [[ "$GENERATOR" == h2load ]]; then
  ensure_tool h2load nghttp2-client
  dotnet "$FLOOR" --write-bodies "$WORK"
fi

bench() { # url mode-args... -> "throughput p50_us p99_us errors"
  local url="${1%/}"; shift
  if [[ "$GENERATOR" == h2load ]]; then
    local mode=(-c8 -m1 -t2)
    [[ "$1" == --request-rate-range ]] && mode=(-c"$CLIENTS" -m32 -t2 --rps="$(python3 -c "print(max(1, int($2 / $CLIENTS)))")")
    rm -f "$WORK/h2load.log"
    timeout $(( DURATION + 30 )) h2load "${mode[@]}" -D"$DURATION" --log-file="$WORK/h2load.log" \
      --header 'content-type: application/grpc' --header 'te: trailers' -d "$WORK/simple.bin" \
      "$url/inference.GRPCInferenceService/ModelInfer" >"$WORK/h2load.out"
    python3 "$ROOT/bench/h2load/summary.py" "$WORK/h2load.out" "$WORK/h2load.log" |
      awk '{print $2, $3, $5, $8 + $9}'
    return
  fi
  dotnet "$TURBINE" bench -m simple -u "$url" --protocol grpc "$@" --measurement-interval "$INTERVAL" --max-trials 4 --format json |
    python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["throughput_infer_per_sec"], d["latency_p50_us"], d["latency_p99_us"], d["errors"])'
}

bench "$SERVER" --concurrency-range 8 >/dev/null   # JIT warm-up
bench "$FLOOR_URL" --concurrency-range 8 >/dev/null
read -r max _ _ _ <<<"$(bench "$SERVER" --concurrency-range 8)"
rate="$(python3 -c "print(int($max * $FRACTION))")"
echo "turbine closed-loop max at concurrency 8: $max infer/s; open loop at $rate/s ($FRACTION)"
printf '%-4s %-8s %10s %10s %10s %8s\n' run target "infer/s" "p50 us" "p99 us" "p99/p50"
for i in $(seq 1 "$REPEATS"); do
  read -r tt tp50 tp99 terr <<<"$(bench "$SERVER" --request-rate-range "$rate")"
  read -r ft fp50 fp99 ferr <<<"$(bench "$FLOOR_URL" --request-rate-range "$rate")"
  [[ "$terr" == 0 && "$ferr" == 0 ]] || { echo "errors: turbine $terr, floor $ferr" >&2; exit 1; }
  python3 - "$i" "$tt" "$tp50" "$tp99" "$ft" "$fp50" "$fp99" <<'PY'
import sys
i, tt, tp50, tp99, ft, fp50, fp99 = sys.argv[1], *map(float, sys.argv[2:])
print(f"{i:<4} {'turbine':<8} {tt:10.1f} {tp50:10.0f} {tp99:10.0f} {tp99/tp50:8.2f}")
print(f"{i:<4} {'floor':<8} {ft:10.1f} {fp50:10.0f} {fp99:10.0f} {fp99/fp50:8.2f}")
print(f"{i:<4} turbine p99/p50 over the floor's: x{(tp99/tp50)/(fp99/fp50):.2f}")
PY
done
