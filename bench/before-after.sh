#!/usr/bin/env bash
# Before/after check of a change on the `simple` model (docs/benchmarks.md › "Before/after runs"): REST (JSON and
# binary, wrk) and gRPC (h2load) at concurrency 1 and 8, against two `turbine serve` processes running side by side
# in the same run — BEFORE built from a git revision in a temporary worktree, AFTER from this checkout. Cases are
# interleaved (before, after; the order flips every repeat) so that drift from other tenants hits both alike. Prints
# every measurement and, per case, the median of the per-repeat ratios after ÷ before (req/s and p50).
# Usage: bench/before-after.sh BEFORE_REV
# Environment: REPEATS (default 3), DURATION (s, default 8), WARMUP (s, default 2), JIT_WARMUP (s, default 5),
# CONCURRENCY ("1 8"), SKIP_BUILD=1 to reuse the Release builds of both trees.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BEFORE_REV="${1:?usage: bench/before-after.sh BEFORE_REV}"
REPEATS="${REPEATS:-3}"
DURATION="${DURATION:-8}"
WARMUP="${WARMUP:-2}"
JIT_WARMUP="${JIT_WARMUP:-5}"
CONCURRENCY="${CONCURRENCY:-1 8}"
TFM=net10.0/linux-x64
BEFORE_TREE="${BEFORE_TREE:-/tmp/turbine-before-$(git -C "$ROOT" rev-parse --short "$BEFORE_REV")}"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ensure_tool wrk wrk
ensure_tool h2load nghttp2-client

if [[ ! -d "$BEFORE_TREE" ]]; then
  git -C "$ROOT" worktree add --detach "$BEFORE_TREE" "$BEFORE_REV" >/dev/null
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  timeout 600 dotnet build "$BEFORE_TREE/src/Turbine.Cli" -c Release -nologo -v q >/dev/null
fi
build_release src/Turbine.Cli bench/Turbine.Bench.GrpcFloor
AFTER_DLL="$ROOT/src/Turbine.Cli/bin/Release/$TFM/turbine.dll"
BEFORE_DLL="$BEFORE_TREE/src/Turbine.Cli/bin/Release/$TFM/turbine.dll"
GRPC_TOOL="$ROOT/bench/Turbine.Bench.GrpcFloor/bin/Release/$TFM/Turbine.Bench.GrpcFloor.dll"

dotnet "$AFTER_DLL" samples create "$WORK/models" >/dev/null
python3 "$ROOT/bench/wrk/make_bodies.py" "$WORK"
mkdir -p "$WORK/grpc"
dotnet "$GRPC_TOOL" --write-bodies "$WORK/grpc"

declare -A HTTP GRPC
for side in before after; do
  dll="$AFTER_DLL"; [[ "$side" == before ]] && dll="$BEFORE_DLL"
  HTTP[$side]="$(free_port)"; GRPC[$side]="$(free_port)"
  dotnet "$dll" serve --model-repository "$WORK/models" --http-port "${HTTP[$side]}" --grpc-port "${GRPC[$side]}" \
    --metrics-port 0 >"$WORK/$side.log" 2>&1 &
  PIDS+=("$!")
done
for side in before after; do
  wait_ready "$WORK/$side.log" "turbine ready" "$side"
  timeout 60 dotnet "$GRPC_TOOL" --check "http://127.0.0.1:${GRPC[$side]}" simple "$WORK/grpc/simple.bin"
done

measure() { # side case conns seconds -> "req/s p50_us"
  local port
  case "$2" in
    "REST JSON")
      port="${HTTP[$1]}"
      WRK_BODY="$WORK/simple.json" WRK_HEADER_LENGTH="" timeout $(( $4 + 30 )) \
        wrk -t"$(( $3 > 1 ? 2 : 1 ))" -c"$3" -d"$4"s --latency -s "$ROOT/bench/wrk/post.lua" \
        "http://127.0.0.1:$port/v2/models/simple/infer" | awk '/^RESULT/ { print $2, $3; if ($6 + $7 > 0) exit 1 }' ;;
    "REST binary")
      port="${HTTP[$1]}"
      WRK_BODY="$WORK/simple.bin" WRK_HEADER_LENGTH="$(cat "$WORK/simple.bin.len")" timeout $(( $4 + 30 )) \
        wrk -t"$(( $3 > 1 ? 2 : 1 ))" -c"$3" -d"$4"s --latency -s "$ROOT/bench/wrk/post.lua" \
        "http://127.0.0.1:$port/v2/models/simple/infer" | awk '/^RESULT/ { print $2, $3; if ($6 + $7 > 0) exit 1 }' ;;
    "gRPC")
      port="${GRPC[$1]}"
      rm -f "$WORK/h2load.log"
      timeout $(( $4 + 30 )) h2load -c"$3" -m1 -t"$(( $3 > 1 ? 2 : 1 ))" -D"$4" --log-file="$WORK/h2load.log" \
        --header 'content-type: application/grpc' --header 'te: trailers' -d "$WORK/grpc/simple.bin" \
        "http://127.0.0.1:$port/inference.GRPCInferenceService/ModelInfer" >"$WORK/h2load.out"
      python3 "$ROOT/bench/h2load/summary.py" "$WORK/h2load.out" "$WORK/h2load.log" | awk '{ print $2, $3 }' ;;
  esac
}

CASES=("REST JSON" "REST binary" "gRPC")
for side in before after; do
  for c in "${CASES[@]}"; do measure "$side" "$c" 8 "$JIT_WARMUP" >/dev/null; done
done

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; before = $(git -C "$ROOT" rev-parse --short "$BEFORE_REV"), after = $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src || echo '+changes'); ${DURATION}s per measurement after ${WARMUP}s warm-up, $REPEATS repeats"
printf '%-12s %4s %6s %-7s %10s %8s\n' case conc repeat side "req/s" "p50_us"
: >"$WORK/results"
for r in $(seq 1 "$REPEATS"); do
  order=(before after); (( r % 2 == 0 )) && order=(after before)
  for conns in $CONCURRENCY; do
    for c in "${CASES[@]}"; do
      for side in "${order[@]}"; do
        measure "$side" "$c" "$conns" "$WARMUP" >/dev/null
        read -r rps p50 <<<"$(measure "$side" "$c" "$conns" "$DURATION")"
        printf '%-12s %4s %6s %-7s %10s %8s\n' "$c" "$conns" "$r" "$side" "$rps" "$p50"
        echo "$c|$conns|$r|$side|$rps|$p50" >>"$WORK/results"
      done
    done
  done
done

echo
echo "median over repeats of after ÷ before (min–max): req/s (higher is better), p50 (lower is better)"
/usr/bin/python3 - "$WORK/results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    case, conc, rep, side, rps, p50 = line.strip().split("|")
    rows.setdefault((case, int(conc)), {}).setdefault(int(rep), {})[side] = (float(rps), float(p50))
for (case, conc), reps in rows.items():
    r = [v["after"][0] / v["before"][0] for v in reps.values()]
    p = [v["after"][1] / v["before"][1] for v in reps.values()]
    print(f"{case:12} c={conc}: req/s {statistics.median(r):.2f} ({min(r):.2f}-{max(r):.2f})  "
          f"p50 {statistics.median(p):.2f} ({min(p):.2f}-{max(p):.2f})")
EOF
