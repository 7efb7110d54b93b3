#!/usr/bin/env bash
# Managed allocation per gRPC request (P7 context) of Turbine and of the grpc-dotnet floor, whole process:
# dotnet-counters (System.Runtime, dotnet.gc.heap.total_allocated) attached while h2load drives one case at
# concurrency 1. Sum of the per-second allocation increments (first sample dropped) ÷ requests (idle seconds at
# the edges included, so this slightly over-counts). Needs a Release build (bench/grpc-baseline.sh makes one) and dotnet-counters
# (dotnet tool install -g dotnet-counters). Environment: DURATION (s, default 10).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10}"
TFM=net10.0/linux-x64
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/$TFM/turbine.dll"
FLOOR="$ROOT/bench/Turbine.Bench.GrpcFloor/bin/Release/$TFM/Turbine.Bench.GrpcFloor.dll"
COUNTERS="$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; cat "$1" >&2; exit 1; }

dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
dotnet "$FLOOR" --write-bodies "$WORK"
GPORT="$(free_port)"
dotnet "$TURBINE" serve --model-repository "$WORK/models" --http-port "$(free_port)" --grpc-port "$GPORT" >"$WORK/turbine.log" 2>&1 &
TPID=$!; PIDS+=("$TPID")
FPORT="$(free_port)"
dotnet "$FLOOR" "$FPORT" >"$WORK/floor.log" 2>&1 &
FPID=$!; PIDS+=("$FPID")
wait_ready "$WORK/turbine.log" "turbine ready"
wait_ready "$WORK/floor.log" "grpc floor ready"

h2() { # port seconds body
  timeout $(( $2 + 30 )) h2load -c1 -m1 -t1 -D"$2" --header 'content-type: application/grpc' --header 'te: trailers' \
    -d "$WORK/$3" "http://127.0.0.1:$1/inference.GRPCInferenceService/ModelInfer"
}

printf '%-24s %10s %14s %12s %10s %10s\n' case requests allocated_B "B/request" gen0 gen2
for c in "floor|$FPORT|$FPID|simple.bin" "simple gRPC|$GPORT|$TPID|simple.bin" "identity_fp32 gRPC|$GPORT|$TPID|identity_fp32.bin"; do
  IFS='|' read -r name port pid body <<<"$c"
  h2 "$port" 5 "$body" >/dev/null   # JIT warm-up
  rm -f "$WORK/counters.csv"
  # Ended by timeout's SIGTERM (a background job ignores SIGINT); it writes the CSV as it goes.
  timeout $(( DURATION + 4 )) "$COUNTERS" collect -p "$pid" --counters System.Runtime --refresh-interval 1 --format csv \
    -o "$WORK/counters.csv" </dev/null >/dev/null 2>&1 &
  CPID=$!
  sleep 2
  requests="$(h2 "$port" "$DURATION" "$body" | sed -n 's/^requests: \([0-9]*\) total.*/\1/p')"
  wait "$CPID" 2>/dev/null || true
  python3 - "$WORK/counters.csv" "$name" "$requests" <<'PY'
import csv, sys
path, name, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
series = {}
for row in csv.reader(open(path)):
    if len(row) < 5 or row[0] == "Timestamp":
        continue
    try:
        series.setdefault(row[2], []).append(float(row[4]))
    except ValueError:
        pass
def total(prefix, tag=""):
    # Rate counters: each sample is the increment over the last second; the first one also covers the attach.
    keys = [k for k in series if k.startswith(prefix) and tag in k]
    return sum(sum(series[k][1:]) for k in keys) if keys else float("nan")
alloc = total("dotnet.gc.heap.total_allocated")
gen0 = total("dotnet.gc.collections", "gen0")
gen2 = total("dotnet.gc.collections", "gen2")
print(f"{name:<24} {requests:>10} {alloc:>14.0f} {alloc / max(1, requests):>12.0f} {gen0:>10.0f} {gen2:>10.0f}")
PY
done
