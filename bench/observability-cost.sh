#!/usr/bin/env bash
# Cost of observability on the `simple` model: throughput with tracing and payload logging off vs on, measured with
# `turbine bench` (binary HTTP, closed loop) against the same build in one run. Metrics are always on: the
# Triton counters are read at scrape time and the request histogram is one lookup and two atomic adds per request.
# Usage: bench/observability-cost.sh   (SKIP_BUILD=1 to reuse the Release build; CONCURRENCY, INTERVAL, TRIALS)
set -euo pipefail
cd "$(dirname "$0")/.."
concurrency=${CONCURRENCY:-4}
interval=${INTERVAL:-2000}
trials=${TRIALS:-5}
[ "${SKIP_BUILD:-0}" = 1 ] || dotnet build src/Turbine.Cli -c Release -v q >/dev/null
turbine="dotnet src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
$turbine samples create "$work/repo" >/dev/null
# The payload-logged copy of `simple` opts in through its parameters.
cp -r "$work/repo/simple" "$work/repo/simple_logged"
sed -i 's/^name: "simple"/name: "simple_logged"/' "$work/repo/simple_logged/config.pbtxt"
printf 'parameters { key: "payload_log" value: { string_value: "all" } }\n' >> "$work/repo/simple_logged/config.pbtxt"

run() { # label, model, extra serve flags...
  local label=$1 model=$2; shift 2
  local log="$work/$label.log"
  $turbine serve --model-repository "$work/repo" --http-port 0 --grpc-port 0 --metrics-port 0 "$@" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -q "turbine ready" "$log" && break; sleep 0.1; done
  local url; url=$(grep -o "HTTP on [^ ]*" "$log" | cut -d' ' -f3)
  local json; json=$($turbine bench -m "$model" -u "$url" --binary --concurrency-range "$concurrency" \
      --measurement-interval "$interval" --max-trials "$trials" --format json)
  local tput; tput=$(printf '%s' "$json" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["throughput_infer_per_sec"])')
  printf '%-28s %10.1f infer/s\n' "$label" "$tput"
  echo "$label $tput" >> "$work/results"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

run baseline simple
run tracing simple --trace-otlp-endpoint http://127.0.0.1:9 --trace-sampling-rate 1
run payload-log simple_logged --payload-log-dir "$work/payloads"
run tracing+payload-log simple_logged --trace-otlp-endpoint http://127.0.0.1:9 --payload-log-dir "$work/payloads2"
/usr/bin/python3 - "$work/results" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
base = float(rows[0][1])
for label, t in rows:
    print(f"{label:28s} ratio to baseline {float(t) / base:.2f}")
PY
