#!/usr/bin/env bash
# Whole-process managed allocation per request (issue 22 item 2, P7), server and floors in one run, same machine:
# - Turbine (`turbine serve`, sample repository) driven by `turbine bench -m simple` over gRPC and REST binary: the
#   server's `dotnet_gc_allocated_bytes_total` on /metrics read before and after ÷ the `simple` inferences it served
#   in between (its /v2/models/simple/stats), as bench/gateway-overhead.sh measures;
# - the floors bench/grpc-alloc.sh and bench/http-baseline.sh use (the grpc-dotnet echo floor answering a prepared
#   ModelInferRequest with h2load, the bare Kestrel endpoint answering a JSON body with wrk): dotnet-counters'
#   dotnet.gc.heap.total_allocated over the run ÷ the generator's requests (idle seconds included: slightly high).
# Prints B/request of each and Turbine's bytes above its floor. Environment: DURATION (s per case, default 6),
# CONCURRENCY (default 1), TURBINE (another build's turbine.dll, e.g. the main checkout's, for a before figure), SKIP_BUILD=1
# to reuse the Release build. Everything on 127.0.0.1; stopped by PID on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-6}"
CONCURRENCY="${CONCURRENCY:-1}"
TFM=net10.0/linux-x64
TURBINE="${TURBINE:-$ROOT/src/Turbine.Cli/bin/Release/$TFM/turbine.dll}"
HTTP_FLOOR="$ROOT/bench/Turbine.Bench.Floor/bin/Release/$TFM/Turbine.Bench.Floor.dll"
GRPC_FLOOR="$ROOT/bench/Turbine.Bench.GrpcFloor/bin/Release/$TFM/Turbine.Bench.GrpcFloor.dll"
COUNTERS="$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ensure_tool wrk wrk
ensure_tool h2load nghttp2-client
build_release src/Turbine.Cli bench/Turbine.Bench.Floor bench/Turbine.Bench.GrpcFloor

dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
python3 "$ROOT/bench/wrk/make_bodies.py" "$WORK"
mkdir -p "$WORK/grpc"
dotnet "$GRPC_FLOOR" --write-bodies "$WORK/grpc"

dotnet "$TURBINE" serve --model-repository "$WORK/models" --http-port 0 --grpc-port 0 --metrics-port 0 >"$WORK/turbine.log" 2>&1 &
PIDS+=("$!")
wait_ready "$WORK/turbine.log" "turbine ready" "turbine serve"
T_HTTP="$(grep -o 'HTTP on [^ ]*' "$WORK/turbine.log" | head -1 | cut -d' ' -f3)"
T_GRPC="$(grep -o 'gRPC on [^ ]*' "$WORK/turbine.log" | head -1 | cut -d' ' -f3)"
T_METRICS="$(grep -o 'metrics on [^ ]*' "$WORK/turbine.log" | head -1 | cut -d' ' -f3)"
HPORT="$(free_port)"
dotnet "$HTTP_FLOOR" "$HPORT" >"$WORK/http-floor.log" 2>&1 &
HPID=$!; PIDS+=("$HPID")
GPORT="$(free_port)"
dotnet "$GRPC_FLOOR" "$GPORT" >"$WORK/grpc-floor.log" 2>&1 &
GPID=$!; PIDS+=("$GPID")
wait_ready "$WORK/http-floor.log" "floor ready" "HTTP floor"
wait_ready "$WORK/grpc-floor.log" "grpc floor ready" "gRPC floor"

allocated() { curl -sf "$T_METRICS" | awk '/^dotnet_gc_allocated_bytes_total /{print $2}'; }
served() { curl -sf "${T_HTTP%/}/v2/models/simple/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["model_stats"][0]["inference_stats"]["success"]["count"])'; }
turbine_bench() { # protocol url ms
  local extra=(--binary)
  [[ "$1" == grpc ]] && extra=()
  dotnet "$TURBINE" bench -m simple -u "$2" --protocol "$1" "${extra[@]}" --concurrency-range "$CONCURRENCY" \
    --measurement-interval "$3" --max-trials 3 --format json >/dev/null
}

# The floor's bytes per request from dotnet-counters while a generator command runs; the command prints the requests.
floor_alloc() { # pid command...
  local pid="$1"; shift
  rm -f "$WORK/counters.csv"
  timeout $(( DURATION + 4 )) "$COUNTERS" collect -p "$pid" --counters System.Runtime --refresh-interval 1 --format csv \
    -o "$WORK/counters.csv" </dev/null >/dev/null 2>&1 &
  local cpid=$!
  sleep 2
  local requests
  requests="$("$@")"
  wait "$cpid" 2>/dev/null || true
  python3 - "$WORK/counters.csv" "$requests" <<'PY'
import csv, sys
path, requests = sys.argv[1], int(sys.argv[2])
series = {}
for row in csv.reader(open(path)):
    if len(row) >= 5 and row[2].startswith("dotnet.gc.heap.total_allocated"):
        try:
            series.setdefault(row[2], []).append(float(row[4]))
        except ValueError:
            pass
# Rate counter: each sample is the increment over the last second; the first one also covers the attach.
total = sum(sum(v[1:]) for v in series.values())
print(f"{total / max(1, requests):.0f}")
PY
}
grpc_load() { # port
  timeout $(( DURATION + 30 )) h2load -c"$CONCURRENCY" -m1 -t1 -D"$DURATION" --header 'content-type: application/grpc' --header 'te: trailers' \
    -d "$WORK/grpc/simple.bin" "http://127.0.0.1:$1/inference.GRPCInferenceService/ModelInfer" | sed -n 's/^requests: \([0-9]*\) total.*/\1/p'
}
http_load() { # url
  WRK_BODY="$WORK/floor.json" timeout $(( DURATION + 30 )) wrk -t1 -c"$CONCURRENCY" -d"$DURATION"s -s "$ROOT/bench/wrk/post.lua" "$1" | awk '/^RESULT/{print $5}'
}

# JIT warm-up of every process first.
turbine_bench grpc "$T_GRPC" 2000
turbine_bench http "$T_HTTP" 2000
grpc_load "$GPORT" >/dev/null
http_load "http://127.0.0.1:$HPORT/floor" >/dev/null

declare -A B
for proto in grpc http; do
  url="$T_GRPC"; [[ "$proto" == http ]] && url="$T_HTTP"
  a0="$(allocated)"; n0="$(served)"
  turbine_bench "$proto" "$url" $(( DURATION * 1000 / 3 ))
  a1="$(allocated)"; n1="$(served)"
  B[$proto]="$(python3 -c "print(f'{($a1-$a0)/max(1,$n1-$n0):.0f}')")"
  echo "turbine $proto: $(( n1 - n0 )) requests, ${B[$proto]} B/request"
done
B[grpcfloor]="$(floor_alloc "$GPID" grpc_load "$GPORT")"
B[httpfloor]="$(floor_alloc "$HPID" http_load "http://127.0.0.1:$HPORT/floor")"
echo "gRPC floor (grpc-dotnet echo): ${B[grpcfloor]} B/request"
echo "HTTP floor (bare Kestrel endpoint): ${B[httpfloor]} B/request"
echo "gRPC: Turbine ${B[grpc]} B/request = floor ${B[grpcfloor]} + $(( B[grpc] - B[grpcfloor] )) B of Turbine's own"
echo "REST binary: Turbine ${B[http]} B/request = floor ${B[httpfloor]} + $(( B[http] - B[httpfloor] )) B of Turbine's own"
