#!/usr/bin/env bash
# HTTP baseline of Turbine against its references (docs/benchmarks.md, /work/shared/PERFORMANCE.md):
# the Kestrel floor (bench/Turbine.Bench.Floor) and raw ONNX Runtime (bench/Turbine.Bench.RawOrt), same machine,
# same run, same load generator (wrk). Everything on 127.0.0.1; servers are stopped by PID on exit.
# Environment: DURATION (s, default 10), WARMUP (s per case before each measurement, default 2), JIT_WARMUP (s per case
# at 8 connections before anything is measured, default 5: at concurrency 1 tiered JIT takes several seconds to
# reach steady state), CONNECTIONS ("1 8"), RAW_ITERATIONS (50000),
# SKIP_BUILD=1 to reuse the Release build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
JIT_WARMUP="${JIT_WARMUP:-5}"
CONNECTIONS="${CONNECTIONS:-1 8}"
RAW_ITERATIONS="${RAW_ITERATIONS:-50000}"
TFM=net10.0/linux-x64
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/$TFM/turbine.dll"
FLOOR="$ROOT/bench/Turbine.Bench.Floor/bin/Release/$TFM/Turbine.Bench.Floor.dll"
RAWORT="$ROOT/bench/Turbine.Bench.RawOrt/bin/Release/$TFM/Turbine.Bench.RawOrt.dll"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ensure_tool wrk wrk
build_release src/Turbine.Cli bench/Turbine.Bench.Floor bench/Turbine.Bench.RawOrt

dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
python3 "$ROOT/bench/wrk/make_bodies.py" "$WORK"

TPORT="$(free_port)"
dotnet "$TURBINE" serve --model-repository "$WORK/models" --http-port "$TPORT" >"$WORK/turbine.log" 2>&1 &
PIDS+=("$!")
FPORT="$(free_port)"
dotnet "$FLOOR" "$FPORT" >"$WORK/floor.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/turbine.log" "turbine ready" turbine
wait_ready "$WORK/floor.log" "floor ready" floor

# name url body [binary]
CASES=(
  "floor|http://127.0.0.1:$FPORT/floor|floor.json|"
  "simple JSON|http://127.0.0.1:$TPORT/v2/models/simple/infer|simple.json|"
  "simple binary|http://127.0.0.1:$TPORT/v2/models/simple/infer|simple.bin|1"
  "identity_fp32 JSON [1,16]|http://127.0.0.1:$TPORT/v2/models/identity_fp32/infer|identity_fp32.json|"
  "identity_fp32 binary [1,16]|http://127.0.0.1:$TPORT/v2/models/identity_fp32/infer|identity_fp32.bin|1"
)

# Sanity: every case answers 200 before it is measured.
for c in "${CASES[@]}"; do
  IFS='|' read -r name url body binary <<<"$c"
  headers=(-H "Content-Type: application/json")
  [[ -n "$binary" ]] && headers=(-H "Content-Type: application/octet-stream" -H "Inference-Header-Content-Length: $(cat "$WORK/$body.len")")
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${headers[@]}" --data-binary "@$WORK/$body" "$url")"
  [[ "$code" == 200 ]] || { echo "$name: HTTP $code from $url" >&2; exit 1; }
done

run_wrk() { # connections seconds url body binary
  local threads=$(( $1 > 1 ? 2 : 1 ))
  local len=""
  [[ -n "$5" ]] && len="$(cat "$WORK/$4.len")"
  WRK_BODY="$WORK/$4" WRK_HEADER_LENGTH="$len" timeout $(( $2 + 30 )) \
    wrk -t"$threads" -c"$1" -d"$2"s --latency -s "$ROOT/bench/wrk/post.lua" "$3"
}

for c in "${CASES[@]}"; do
  IFS='|' read -r name url body binary <<<"$c"
  run_wrk 8 "$JIT_WARMUP" "$url" "$body" "$binary" >/dev/null
done
for m in simple identity_fp32; do
  curl -s --max-time 10 -o "$WORK/stats-$m-warm.json" "http://127.0.0.1:$TPORT/v2/models/$m/stats"
done

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); ${DURATION}s per case after ${WARMUP}s warm-up (and ${JIT_WARMUP}s per case at 8 connections first)"
printf '%-28s %4s %11s %9s %9s %8s\n' case conn "req/s" "p50_us" "p99_us" "errors"
for conns in $CONNECTIONS; do
  for c in "${CASES[@]}"; do
    IFS='|' read -r name url body binary <<<"$c"
    run_wrk "$conns" "$WARMUP" "$url" "$body" "$binary" >/dev/null
    out="$(run_wrk "$conns" "$DURATION" "$url" "$body" "$binary")"
    read -r _ rps p50 p99 _ non2xx sockerr <<<"$(grep '^RESULT' <<<"$out")"
    printf '%-28s %4s %11s %9s %9s %8s\n' "$name" "$conns" "$rps" "$p50" "$p99" "$((non2xx + sockerr))"
  done
  for m in simple identity_fp32; do
    curl -s --max-time 10 -o "$WORK/stats-$m-c$conns.json" "http://127.0.0.1:$TPORT/v2/models/$m/stats"
  done
done

echo
echo "server-side statistics, GET /v2/models/{m}/stats: average us per request (ns / count / 1000) over each concurrency's runs (its 2 s warm-ups included)"
for m in simple identity_fp32; do
  previous=("$WORK/stats-$m-warm.json")
  for conns in $CONNECTIONS; do
    python3 "$ROOT/bench/wrk/stats.py" "concurrency $conns" "$WORK/stats-$m-c$conns.json" "${previous[@]}"
    previous=("$WORK/stats-$m-c$conns.json")
  done
done

echo
timeout 600 dotnet "$RAWORT" "$WORK/models" "$RAW_ITERATIONS"
