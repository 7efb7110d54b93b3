#!/usr/bin/env bash
# Runtime settings for `turbine serve` (the garbage collector's mode, the thread pool's spinning) (issue 22: P4/P6/P7 context): the same server build started under
# several GC settings, side by side in one run, driven by C generators with prepared bodies (wrk for REST binary,
# h2load for gRPC; `simple` from the sample repository):
#   closed loop at concurrency 8 (req/s, p50, p99), then an open loop over gRPC at one fixed rate for every mode
#   (FRACTION of the first mode's closed-loop gRPC max; h2load --rps per connection, 8 connections, 32 streams each),
#   and per mode the server's CPU µs per request, gen0/gen1/gen2 collections per 10,000 requests (its /metrics) and
#   peak RSS (VmHWM).
# Modes (MODES, default all): wks (workstation, concurrent: Turbine's setting), wks64 (workstation with a 64 MiB gen0
# budget, DOTNET_GCgen0size), srv (server GC, DATAS on: .NET 10's default for server GC), srvnodatas (server GC,
# DOTNET_GCDynamicAdaptationMode=0), nospin (workstation, the thread pool's workers do not spin before they sleep:
# DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0, runtimeconfig System.Threading.ThreadPool.UnfairSemaphoreSpinLimit).
# Environment: MODES, REPEATS (2), DURATION (s per closed-loop case, 6), OPEN_DURATION (s per open-loop case, 8),
# FRACTION (0.7), SKIP_BUILD=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODES="${MODES:-wks wks64 srv srvnodatas nospin}"
REPEATS="${REPEATS:-2}"; DURATION="${DURATION:-6}"; OPEN_DURATION="${OPEN_DURATION:-8}"; FRACTION="${FRACTION:-0.7}"
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"
FLOOR="$ROOT/bench/Turbine.Bench.GrpcFloor/bin/Release/net10.0/linux-x64/Turbine.Bench.GrpcFloor.dll"
source "$ROOT/bench/lib.sh"
ensure_tool wrk wrk
ensure_tool h2load nghttp2-client
build_release src/Turbine.Cli bench/Turbine.Bench.GrpcFloor
dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
dotnet "$FLOOR" --write-bodies "$WORK"          # simple.bin: the gRPC frame of a `simple` request
mkdir -p "$WORK/rest"; python3 "$ROOT/bench/wrk/model_bodies.py" "$WORK/rest"

mode_env() {
  case "$1" in
    wks) echo "DOTNET_gcServer=0" ;;
    wks64) echo "DOTNET_gcServer=0 DOTNET_GCgen0size=0x4000000" ;;
    srv) echo "DOTNET_gcServer=1" ;;
    srvnodatas) echo "DOTNET_gcServer=1 DOTNET_GCDynamicAdaptationMode=0" ;;
    nospin) echo "DOTNET_gcServer=0 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0" ;;
    *) echo "unknown mode $1" >&2; exit 2 ;;
  esac
}
for m in $MODES; do
  # shellcheck disable=SC2046
  env $(mode_env "$m") dotnet "$TURBINE" serve --model-repository "$WORK/models" --http-port 0 --grpc-port 0 --metrics-port 0 \
    >"$WORK/$m.log" 2>&1 &
  PIDS+=("$!")
  printf -v "PID_$m" '%s' "$!"
done
for m in $MODES; do
  wait_ready "$WORK/$m.log" "turbine ready" "turbine serve ($m)"
  printf -v "HTTP_$m" '%s' "$(grep -o 'HTTP on [^ ]*' "$WORK/$m.log" | head -1 | cut -d' ' -f3)"
  printf -v "GRPC_$m" '%s' "$(grep -o 'gRPC on [^ ]*' "$WORK/$m.log" | head -1 | cut -d' ' -f3)"
  printf -v "METRICS_$m" '%s' "$(grep -o 'metrics on [^ ]*' "$WORK/$m.log" | head -1 | cut -d' ' -f3)"
done

snapshot() { # MODE -> "cpu_ticks requests gen0 gen1 gen2"
  local pid="PID_$1" http="HTTP_$1" metrics="METRICS_$1"
  local ticks requests gcs
  ticks="$(awk '{print $14 + $15}' "/proc/${!pid}/stat")"
  requests="$(curl -sf "${!http%/}/v2/models/simple/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["model_stats"][0]["inference_stats"]["success"]["count"])')"
  gcs="$(curl -sf "${!metrics}" | awk -F'[ "]' '/^dotnet_gc_collections_total/{c[$2]=$NF} END{print c["0"]+0, c["1"]+0, c["2"]+0}')"
  echo "$ticks $requests $gcs"
}

run() { # MODE PROTOCOL(rest|grpc) [RATE] -> prints one line
  local mode="$1" proto="$2" rate="${3:-}" http="HTTP_$1" grpc="GRPC_$1" pid="PID_$1" before after line
  before="$(snapshot "$mode")"
  if [[ "$proto" == rest ]]; then
    line="$(WRK_BODY="$WORK/rest/simple.bin" WRK_HEADER_LENGTH="$(cat "$WORK/rest/simple.bin.len")" \
      wrk -t2 -c8 -d"${DURATION}s" --latency -s "$ROOT/bench/wrk/post.lua" "${!http%/}/v2/models/simple/infer" | awk '/^RESULT/{print $2, $3, $4, $6 + $7}')"
  else
    local load=(-c8 -m1 -t2 -D"$DURATION")
    [[ -n "$rate" ]] && load=(-c8 -m32 -t2 -D"$OPEN_DURATION" --rps="$(( rate / 8 ))")
    rm -f "$WORK/h2.log"
    timeout 120 h2load "${load[@]}" --log-file="$WORK/h2.log" --header 'content-type: application/grpc' --header 'te: trailers' \
      -d "$WORK/simple.bin" "${!grpc%/}/inference.GRPCInferenceService/ModelInfer" >"$WORK/h2.out"
    line="$(python3 "$ROOT/bench/h2load/summary.py" "$WORK/h2.out" "$WORK/h2.log" | awk '{print $2, $3, $5, $8 + $9}')"
  fi
  after="$(snapshot "$mode")"
  python3 - "$mode" "$proto${rate:+ open $rate/s}" "$line" "$before" "$after" "$(getconf CLK_TCK)" "$(awk '/VmHWM/{print $2}' "/proc/${!pid}/status")" <<'PY'
import sys
mode, case, line, before, after, hz, hwm = sys.argv[1:]
rps, p50, p99, errors = (float(x) for x in line.split())
b, a = [float(x) for x in before.split()], [float(x) for x in after.split()]
n = max(1.0, a[1] - b[1])
print(f"{mode:<11} {case:<18} {rps:>9.0f}/s p50 {p50:>6.0f} p99 {p99:>7.0f} us p99/p50 {p99 / max(1, p50):5.2f} errors {errors:.0f} | "
      f"server {(a[0] - b[0]) / int(hz) * 1e6 / n:5.1f} us/req, gc per 10k req {1e4 * (a[2] - b[2]) / n:5.1f}/{1e4 * (a[3] - b[3]) / n:4.1f}/{1e4 * (a[4] - b[4]) / n:4.1f}, peak RSS {int(hwm) / 1024:.0f} MB")
PY
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for m in $MODES; do run "$m" rest >/dev/null; run "$m" grpc >/dev/null; done   # JIT warm-up
for r in $(seq 1 "$REPEATS"); do
  for m in $MODES; do run "$m" rest; done
  for m in $MODES; do run "$m" grpc | tee "$WORK/grpc-$m-$r.txt"; done
done
first="$(set -- $MODES; echo "$1")"
RATE="$(awk '{sub("/s","",$3); print int($3 * '"$FRACTION"')}' "$WORK/grpc-$first-1.txt")"
echo "open loop at $RATE req/s ($FRACTION of $first's closed-loop gRPC max)"
for r in $(seq 1 "$REPEATS"); do
  for m in $MODES; do run "$m" grpc "$RATE"; done
done
