#!/usr/bin/env bash
# M1: inference throughput of the iris model with the monitoring tap at 100 % sampling vs off (the same server,
# the same config, without --monitor), alternating off/on runs, closed loop with `turbine bench`.
# Usage: bench/monitoring-tap.sh [ROUNDS] (default 3). Needs a Release build of src/Turbine.Cli.
# TURBINE_BEFORE=DIR/turbine (an older build) adds its off/on runs to every round, for before/after in one session.
set -euo pipefail
cd "$(dirname "$0")/.."
T=src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine
B=${TURBINE_BEFORE:-}
rounds=${1:-3}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$T" samples create "$work/repo" >/dev/null
for m in "$work"/repo/*; do [ "$(basename "$m")" = iris ] || rm -rf "$m"; done
printf '\nparameters { key: "payload_log" value: { string_value: "all" } }\n' >> "$work/repo/iris/config.pbtxt"
/usr/bin/python3 - "$work/ref.csv" <<'PY'
import random, sys
random.seed(1)
with open(sys.argv[1], "w") as f:
    f.write("f0,f1,f2,f3\n")
    for _ in range(150):
        f.write(",".join(f"{random.random():.4f}" for _ in range(4)) + "\n")
PY
"$T" monitor baseline --data "$work/ref.csv" -o "$work/profile.json" >/dev/null
run() { # $1 = off|on, $2 = the turbine binary (default the current build)
  local extra=() bin=${2:-$T}
  [ "$1" = on ] && extra=(--monitor "iris=$work/profile.json")
  "$bin" serve --model-repository "$work/repo" --http-port 18000 --grpc-port 18001 --metrics-port 18002 "${extra[@]}" >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18000/v2/health/ready >/dev/null && break; sleep 0.2; done
  "$T" bench -m iris -u http://127.0.0.1:18000 --concurrency-range 4 -p 3000 --max-trials 4 --format csv 2>/dev/null | tail -1 | cut -d, -f4
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for r in $(seq 1 "$rounds"); do
  if [ -n "$B" ]; then
    boff=$(run off "$B"); bon=$(run on "$B")
    echo "round $r before: off $boff req/s, on $bon req/s, ratio $(/usr/bin/python3 -c "print(round($bon/$boff, 3))")"
  fi
  off=$(run off); on=$(run on)
  echo "round $r: off $off req/s, on $on req/s, ratio $(/usr/bin/python3 -c "print(round($on/$off, 3))")"
done
