#!/usr/bin/env bash
# gRPC baseline of Turbine against its references (docs/benchmarks.md, /work/shared/PERFORMANCE.md): the grpc-dotnet
# floor (bench/Turbine.Bench.GrpcFloor, a unary ModelInfer that answers a fixed response) and raw ONNX Runtime
# (bench/Turbine.Bench.RawOrt), same machine, same run, same load generator (h2load, raw gRPC frames over HTTP/2
# cleartext). Everything on 127.0.0.1; servers are stopped by PID on exit.
# Bodies: gRPC length-prefixed ModelInferRequest (0, big-endian uint32 length, message) written by
# `Turbine.Bench.GrpcFloor --write-bodies`: simple = INPUT0/INPUT1 INT32 [1,16] in raw_input_contents,
# identity_fp32 = INPUT0 FP32 [1,16] raw. Before anything is measured every case is sent once with Grpc.Net.Client
# (`--check`), which fails unless grpc-status is 0: h2load counts HTTP 200 even for gRPC errors. After the runs,
# Turbine's failed-inference count must not exceed the requests h2load abandoned in flight when each -D run ended
# (those are cancelled by the client, and recorded as failures when they were still queued).
# Load: CONCURRENCY "1 8" = h2load -c1 -m1 -t1 and -c8 -m1 -t2 (8 connections, one stream each, like wrk -c8 in
# bench/http-baseline.sh). Percentiles come from h2load --log-file (per-request time until the end of the response).
# Environment: DURATION (s, default 10), WARMUP (s per case before each measurement, 2), JIT_WARMUP (s per case at
# c8 before anything is measured, 5), CONCURRENCY ("1 8"), RAW_ITERATIONS (50000), SKIP_BUILD=1 to reuse the build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
JIT_WARMUP="${JIT_WARMUP:-5}"
CONCURRENCY="${CONCURRENCY:-1 8}"
RAW_ITERATIONS="${RAW_ITERATIONS:-50000}"
TFM=net10.0/linux-x64
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/$TFM/turbine.dll"
FLOOR="$ROOT/bench/Turbine.Bench.GrpcFloor/bin/Release/$TFM/Turbine.Bench.GrpcFloor.dll"
RAWORT="$ROOT/bench/Turbine.Bench.RawOrt/bin/Release/$TFM/Turbine.Bench.RawOrt.dll"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ensure_tool h2load nghttp2-client
build_release src/Turbine.Cli bench/Turbine.Bench.GrpcFloor bench/Turbine.Bench.RawOrt

dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
dotnet "$FLOOR" --write-bodies "$WORK"

HPORT="$(free_port)"
GPORT="$(free_port)"
dotnet "$TURBINE" serve --model-repository "$WORK/models" --http-port "$HPORT" --grpc-port "$GPORT" >"$WORK/turbine.log" 2>&1 &
PIDS+=("$!")
FPORT="$(free_port)"
dotnet "$FLOOR" "$FPORT" >"$WORK/floor.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/turbine.log" "turbine ready" turbine
wait_ready "$WORK/floor.log" "grpc floor ready" floor

# name|port|model|body (the floor gets the simple body)
CASES=(
  "floor|$FPORT|floor|simple.bin"
  "simple gRPC|$GPORT|simple|simple.bin"
  "identity_fp32 gRPC [1,16]|$GPORT|identity_fp32|identity_fp32.bin"
)

# Sanity: every case answers grpc-status 0 with the exact body h2load will send.
for c in "${CASES[@]}"; do
  IFS='|' read -r name port model body <<<"$c"
  timeout 60 dotnet "$FLOOR" --check "http://127.0.0.1:$port" "$model" "$WORK/$body"
done

run_h2load() { # connections seconds port body [logfile]
  local threads=$(( $1 > 1 ? 2 : 1 ))
  local log=()
  [[ -n "${5:-}" ]] && log=(--log-file="$5")
  timeout $(( $2 + 30 )) h2load -c"$1" -m1 -t"$threads" -D"$2" "${log[@]}" \
    --header 'content-type: application/grpc' --header 'te: trailers' -d "$WORK/$4" \
    "http://127.0.0.1:$3/inference.GRPCInferenceService/ModelInfer" >"$WORK/run.out"
  # When -D ends, h2load abandons the requests in flight (started - done, up to one per connection); Turbine may
  # record those as failed (cancelled while queued), so they are tallied per model for the check at the end.
  [[ "$3" == "$GPORT" ]] && sed -n 's/^requests: [0-9]* total, \([0-9]*\) started, \([0-9]*\) done.*/\1 \2/p' "$WORK/run.out" |
    { read -r started done; echo $(( started - done )) >>"$WORK/abandoned-${4%.bin}"; }
  cat "$WORK/run.out"
}

for c in "${CASES[@]}"; do
  IFS='|' read -r name port model body <<<"$c"
  run_h2load 8 "$JIT_WARMUP" "$port" "$body" >/dev/null
done
for m in simple identity_fp32; do
  curl -s --max-time 10 -o "$WORK/stats-$m-warm.json" "http://127.0.0.1:$HPORT/v2/models/$m/stats"
done

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(h2load --version | head -1); ${DURATION}s per case after ${WARMUP}s warm-up (and ${JIT_WARMUP}s per case at 8 connections first); -m1"
printf '%-28s %4s %11s %8s %8s %8s %8s %9s %7s\n' case conn "req/s" "p50_us" "p90_us" "p99_us" "mean_us" "requests" "errors"
for conns in $CONCURRENCY; do
  for c in "${CASES[@]}"; do
    IFS='|' read -r name port model body <<<"$c"
    run_h2load "$conns" "$WARMUP" "$port" "$body" >/dev/null
    rm -f "$WORK/h2load.log"
    run_h2load "$conns" "$DURATION" "$port" "$body" "$WORK/h2load.log" >"$WORK/h2load.out"
    read -r _ rps p50 p90 p99 mean n non2xx failed <<<"$(python3 "$ROOT/bench/h2load/summary.py" "$WORK/h2load.out" "$WORK/h2load.log")"
    printf '%-28s %4s %11s %8s %8s %8s %8s %9s %7s\n' "$name" "$conns" "$rps" "$p50" "$p90" "$p99" "$mean" "$n" "$((non2xx + failed))"
  done
  for m in simple identity_fp32; do
    curl -s --max-time 10 -o "$WORK/stats-$m-c$conns.json" "http://127.0.0.1:$HPORT/v2/models/$m/stats"
  done
done

echo
echo "server-side statistics, GET /v2/models/{m}/stats: average us per request (ns / count / 1000) over each concurrency's runs (its warm-ups included)"
for m in simple identity_fp32; do
  previous=("$WORK/stats-$m-warm.json")
  for conns in $CONCURRENCY; do
    python3 "$ROOT/bench/wrk/stats.py" "concurrency $conns" "$WORK/stats-$m-c$conns.json" "${previous[@]}"
    previous=("$WORK/stats-$m-c$conns.json")
  done
  fails="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model_stats"][0]["inference_stats"]["fail"]["count"])' "${previous[0]}")"
  abandoned="$(awk '{ n += $1 } END { print n + 0 }' "$WORK/abandoned-$m")"
  echo "  $m: failed inferences over the whole run: $fails (requests abandoned by h2load at the end of its runs: $abandoned)"
  (( fails <= abandoned )) || { echo "$m: more failures than abandoned requests: gRPC errors during the run" >&2; exit 1; }
done

echo
timeout 600 dotnet "$RAWORT" "$WORK/models" "$RAW_ITERATIONS"
