#!/usr/bin/env bash
# Batching efficiency (issue 22 item 3, PERFORMANCE.md P4) and real models against raw ONNX Runtime (item 4, P1), driven by
# wrk (a C generator: prepared binary-extension bodies, bench/wrk/post.lua) so that the generator's own CPU is small and
# measured (rusage of wrk per request), with raw ONNX Runtime (bench/Turbine.Bench.RawOrt) in the same run.
#   batching efficiency = (Turbine req/s with dynamic batching ÷ without, same model file, same concurrency)
#                       ÷ (raw ORT items/s at the batch sizes the batcher formed, in the same mix ÷ raw ORT at batch 1)
#   models: resnet18_b/_nb (ResNet-18 with a symbolic batch dim, max_batch_size 8), minilm/minilm_nb (sequence 16,
#   max_batch_size 32, 2 ms delay), simple_b/_nb (the sample `simple`, max_batch_size 8, where the front end dominates).
#   P1: each model's best Turbine setting against raw ORT at its best setting, and each setting against raw ORT at the
#   same setting and batch mix. Settings on both sides: one instance of 2 intra-op threads (Turbine's default on 2
#   cores) batched and unbatched; two instances of one thread each, batched (resnet18_b2, minilm2: instance_group count
#   2; raw ORT: two sessions in parallel threads). TWO ("resnet minilm") picks the models that get the two-instance case.
#   MiniLM's two-instance copy also says preferred_batch_size [MINILM2_PREFERRED] and is driven at C2_MINILM: with its
#   2 ms delay and a concurrency at or below the batch limit, a closed loop fills ONE batch with every request while the
#   other instance idles. MINILM_PREFERRED (unset) gives the one-instance `minilm` preferred_batch_size
#   [MINILM_PREFERRED] too (its 2 ms delay kept): with it set to C_MINILM a full closed loop dispatches at once instead
#   of waiting out the delay for a batch of 32 that cannot fill.
# The batch mix is read from the server's batch_stats (statistics API) before and after each case; each case's
# "instance busy" (Σ compute_infer ÷ window ÷ instances) is printed by bench/batching-efficiency-report.py.
# Environment: REPEATS (3), SECONDS_REAL (10, per ResNet/MiniLM case), SECONDS_SIMPLE (5), C_RESNET (8), C_MINILM (16),
# C_SIMPLE (16), C2_RESNET (8), C2_MINILM (32), MINILM2_PREFERRED (8), MINILM_PREFERRED (unset), RAW_SECONDS (4), OUT (results folder, kept),
# SKIP_BUILD=1, CASES ("resnet minilm simple"), TWO ("resnet minilm").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS="${REPEATS:-3}"; SECONDS_REAL="${SECONDS_REAL:-10}"; SECONDS_SIMPLE="${SECONDS_SIMPLE:-5}"
C_RESNET="${C_RESNET:-8}"; C_MINILM="${C_MINILM:-16}"; C_SIMPLE="${C_SIMPLE:-16}"; C2_RESNET="${C2_RESNET:-8}"; C2_MINILM="${C2_MINILM:-32}"; MINILM2_PREFERRED="${MINILM2_PREFERRED:-8}"; RAW_SECONDS="${RAW_SECONDS:-4}"
CASES="${CASES:-resnet minilm simple}"
TWO="${TWO-resnet minilm}"
OUT="${OUT:-$(mktemp -d /tmp/turbine-batching.XXXXXX)}"
mkdir -p "$OUT"
source "$ROOT/bench/lib.sh"
ensure_tool wrk wrk
restore_bench_models
build_release src/Turbine.Cli bench/Turbine.Bench.RawOrt bench/Turbine.Bench.Setup
[ -f "$MODELS/repo/resnet18_b/config.pbtxt" ] && [ -f "$MODELS/repo/minilm_nb/config.pbtxt" ] \
  || dotnet "$SETUP" "${NUGET_PACKAGES:-$HOME/.nuget/packages}" "$MODELS/repo" "$MODELS/data" >"$OUT/setup.txt"

# the served repository: the bench models this script uses and two copies of the sample `simple`
REPO="$WORK/repo"
mkdir -p "$REPO"
for m in resnet18_b resnet18_nb minilm minilm_nb; do cp -r "$MODELS/repo/$m" "$REPO/"; done
dotnet "$TURBINE" samples create "$WORK/samples" >/dev/null
for m in simple_b simple_nb; do
  mkdir -p "$REPO/$m/1"
  cp "$WORK/samples/simple/1/model.onnx" "$REPO/$m/1/"
  sed "s/^name: .*/name: \"$m\"/" "$WORK/samples/simple/config.pbtxt" >"$REPO/$m/config.pbtxt"
done
echo 'dynamic_batching { }' >>"$REPO/simple_b/config.pbtxt"
for m in resnet18_b:resnet18_b2 minilm:minilm2; do  # the two-instance copies
  mkdir -p "$REPO/${m#*:}"
  cp -r "$MODELS/repo/${m%%:*}/1" "$REPO/${m#*:}/"
  { sed "s/^name: .*/name: \"${m#*:}\"/" "$MODELS/repo/${m%%:*}/config.pbtxt"; echo 'instance_group [ { count: 2 kind: KIND_CPU } ]'; } >"$REPO/${m#*:}/config.pbtxt"
done
sed -i "s/^dynamic_batching {.*/dynamic_batching { preferred_batch_size: [ $MINILM2_PREFERRED ] max_queue_delay_microseconds: 2000 }/" "$REPO/minilm2/config.pbtxt"
if [[ -n "${MINILM_PREFERRED:-}" ]]; then
  sed -i "s/^dynamic_batching {.*/dynamic_batching { preferred_batch_size: [ $MINILM_PREFERRED ] max_queue_delay_microseconds: 2000 }/" "$REPO/minilm/config.pbtxt"
fi
python3 "$ROOT/bench/wrk/model_bodies.py" "$WORK"

HPORT="$(free_port)"
dotnet "$TURBINE" serve --model-repository "$REPO" --http-port "$HPORT" --grpc-port 0 --metrics-port 0 >"$OUT/turbine.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
for _ in $(seq 1 900); do grep -q "turbine ready" "$OUT/turbine.log" && break; sleep 0.1; done
grep -q "turbine ready" "$OUT/turbine.log" || { cat "$OUT/turbine.log" >&2; exit 1; }
HTTP="http://127.0.0.1:$HPORT"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# one closed-loop case: NAME MODEL BODY CONNECTIONS SECONDS -> $OUT/NAME.json (wrk result, rusage, CPU, batch stats)
run_case() {
  local name="$1" model="$2" body="$3" conns="$4" seconds="$5" threads=$(( $4 < 2 ? 1 : 2 ))
  curl -sf "$HTTP/v2/models/$model/stats" >"$OUT/$name.stats-before"
  local cpu0; cpu0="$(cpu_ticks "$SERVER")"
  WRK_BODY="$WORK/$body.bin" WRK_HEADER_LENGTH="$(cat "$WORK/$body.bin.len")" /usr/bin/python3 - "$OUT/$name.wrk" \
    wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -s "$ROOT/bench/wrk/post.lua" "$HTTP/v2/models/$model/infer" <<'PY'
import resource, subprocess, sys
out = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=600).stdout
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(out + f"RUSAGE {r.ru_utime + r.ru_stime:.3f}\n")
PY
  local cpu1; cpu1="$(cpu_ticks "$SERVER")"
  curl -sf "$HTTP/v2/models/$model/stats" >"$OUT/$name.stats-after"
  /usr/bin/python3 - "$OUT" "$name" "$model" "$conns" "$seconds" "$(( cpu1 - cpu0 ))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
out, name, model, conns, seconds, ticks, hz = sys.argv[1:]
wrk = open(f"{out}/{name}.wrk").read().split()
res = wrk.index("RESULT")
rps, p50, p99, requests, non2xx, sockerr = (float(x) for x in wrk[res + 1:res + 7])
wrk_cpu = float(wrk[wrk.index("RUSAGE") + 1])
def batches(path):
    s = json.load(open(path))["model_stats"][0]
    return {b["batch_size"]: b["compute_infer"]["count"] for b in s["batch_stats"]}
b0, b1 = batches(f"{out}/{name}.stats-before"), batches(f"{out}/{name}.stats-after")
mix = {k: v - b0.get(k, 0) for k, v in b1.items() if v - b0.get(k, 0) > 0}
runs = sum(mix.values())
r = {"name": name, "model": model, "concurrency": int(conns), "rps": rps, "p50_us": p50, "p99_us": p99,
     "requests": int(requests), "errors": int(non2xx + sockerr), "server_cpu_us_per_req": int(ticks) / int(hz) * 1e6 / max(1, requests),
     "wrk_cpu_us_per_req": wrk_cpu * 1e6 / max(1, requests), "wrk_share_of_2_cores": wrk_cpu / (2 * float(seconds)),
     "batch_mix": mix, "avg_batch": sum(k * v for k, v in mix.items()) / max(1, runs)}
json.dump(r, open(f"{out}/{name}.json", "w"))
print(f"{name:<26} {rps:>9.1f} req/s p50 {p50:>8.0f} p99 {p99:>8.0f} us errors {r['errors']} avg batch {r['avg_batch']:.2f} "
      f"server {r['server_cpu_us_per_req']:.0f} us/req wrk {r['wrk_cpu_us_per_req']:.0f} us/req ({100 * r['wrk_share_of_2_cores']:.1f} % of 2 cores)")
PY
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
declare -A BODY=([resnet]=resnet [minilm]=minilm [simple]=simple)
declare -A BATCHED=([resnet]=resnet18_b [minilm]=minilm [simple]=simple_b)
declare -A UNBATCHED=([resnet]=resnet18_nb [minilm]=minilm_nb [simple]=simple_nb)
declare -A TWOINST=([resnet]=resnet18_b2 [minilm]=minilm2)
declare -A CONC2=([resnet]="$C2_RESNET" [minilm]="$C2_MINILM")
declare -A CONC=([resnet]="$C_RESNET" [minilm]="$C_MINILM" [simple]="$C_SIMPLE")
declare -A SECS=([resnet]="$SECONDS_REAL" [minilm]="$SECONDS_REAL" [simple]="$SECONDS_SIMPLE")
# warm-up (JIT, ORT's first runs, the batcher's buffers), not reported
for c in $CASES; do
  run_case "warm-${BATCHED[$c]}" "${BATCHED[$c]}" "${BODY[$c]}" "${CONC[$c]}" 3 >/dev/null
  run_case "warm-${UNBATCHED[$c]}" "${UNBATCHED[$c]}" "${BODY[$c]}" "${CONC[$c]}" 3 >/dev/null
done
for c in $TWO; do run_case "warm-${TWOINST[$c]}" "${TWOINST[$c]}" "${BODY[$c]}" "${CONC2[$c]}" 3 >/dev/null; done
for r in $(seq 1 "$REPEATS"); do
  for c in $CASES; do
    run_case "$c-nb-r$r" "${UNBATCHED[$c]}" "${BODY[$c]}" "${CONC[$c]}" "${SECS[$c]}"
    run_case "$c-b-r$r" "${BATCHED[$c]}" "${BODY[$c]}" "${CONC[$c]}" "${SECS[$c]}"
  done
  for c in $TWO; do run_case "$c-two-r$r" "${TWOINST[$c]}" "${BODY[$c]}" "${CONC2[$c]}" "${SECS[$c]}"; done
done
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

# raw ORT alone on the machine: batch 1 and every batch size the batcher formed, same session options; for the
# two-instance cases two sessions of one intra-op thread each in parallel
batch_sizes() { # GLOB -> 1 and every batch size formed in the matching results
  /usr/bin/python3 - "$OUT" "$1" <<'PY'
import glob, json, sys
s = {1}
for f in glob.glob(f"{sys.argv[1]}/{sys.argv[2]}"):
    s |= {int(k) for k in json.load(open(f))["batch_mix"]}
print(",".join(str(x) for x in sorted(s)))
PY
}
for r in $(seq 1 "$REPEATS"); do
  for c in $CASES; do
    timeout 900 dotnet "$RAWORT" model "$REPO/${BATCHED[$c]}/1/model.onnx" "$(batch_sizes "$c-b-r*.json")" "$RAW_SECONDS" | tee "$OUT/raw-$c-r$r.txt"
  done
  for c in $TWO; do
    timeout 900 dotnet "$RAWORT" model "$REPO/${BATCHED[$c]}/1/model.onnx" "$(batch_sizes "$c-two-r*.json")" "$RAW_SECONDS" - 16 2 | tee "$OUT/raw2-$c-r$r.txt"
  done
done
/usr/bin/python3 "$ROOT/bench/batching-efficiency-report.py" "$OUT" $CASES | tee "$OUT/report.md"
