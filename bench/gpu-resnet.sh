#!/usr/bin/env bash
# ResNet-18 on CUDA through the server (docs/gpu.md "Recording the GPU figures"): run on a Linux machine with an
# NVIDIA GPU, its driver, and the CUDA 13 + cuDNN 9 libraries on the loader path (the -gpu image has them; TensorRT 10
# too for the tensorrt row). No GPU was available when this script was written, so docs/gpu.md has no CUDA figures yet:
# this is the command that records them.
#   1. restores Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (as bench/real-models.sh) and extracts it with
#      bench/Turbine.Bench.Setup; builds the CLI in the GPU flavour (-p:TurbineGpu=true, output in bin/gpu/);
#   2. lays out one repository with the same ONNX file three times: resnet18_cpu (KIND_CPU), resnet18_cuda (KIND_GPU,
#      gpus [DEVICE]) and resnet18_trt_fp16 (KIND_GPU + tensorrt accelerator, precision_mode FP16, engine cache);
#   3. serves it with the GPU build, checks each model is READY (a GPU model that cannot start fails its load and the
#      script stops: nothing falls back to the CPU), and compares the three models' outputs on one random image
#      (max |diff| against the CPU, same top-1);
#   4. turbine bench on each model at concurrency 1, 4 and 16 (HTTP, binary tensors), nvidia-smi and the server's
#      nv_gpu_* metrics during the CUDA run; prints one table and writes everything under OUT.
# Environment: DEVICE (0), INTERVAL (ms, 4000), TRIALS (5), CONCURRENCY ("1 4 16"), SKIP_TRT=1 (no TensorRT row),
# OUT (results folder, default a new temp folder, kept), SKIP_BUILD=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEVICE="${DEVICE:-0}"
INTERVAL="${INTERVAL:-4000}"
TRIALS="${TRIALS:-5}"
CONCURRENCY="${CONCURRENCY:-1 4 16}"
OUT="${OUT:-$(mktemp -d /tmp/turbine-gpu-resnet.XXXXXX)}"
mkdir -p "$OUT"
TFM=net10.0/linux-x64
TURBINE="$ROOT/src/Turbine.Cli/bin/gpu/Release/$TFM/turbine.dll"
SETUP="$ROOT/bench/Turbine.Bench.Setup/bin/Release/$TFM/Turbine.Bench.Setup.dll"
PACKAGES="${NUGET_PACKAGES:-$HOME/.nuget/packages}"

command -v nvidia-smi >/dev/null || { echo "gpu-resnet: nvidia-smi not found: this script needs a machine with an NVIDIA GPU and driver" >&2; exit 2; }
nvidia-smi --query-gpu=index,name,uuid,driver_version,memory.total --format=csv | tee "$OUT/gpus.csv"

# 1. the model and the GPU build
source "$ROOT/bench/lib.sh"
restore_bench_models
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  timeout 600 dotnet build "$ROOT/bench/Turbine.Bench.Setup" -c Release -nologo -v q >/dev/null
  timeout 900 dotnet build "$ROOT/src/Turbine.Cli" -c Release -p:TurbineGpu=true -nologo -v q >/dev/null
fi
test -f "$(dirname "$TURBINE")/libonnxruntime_providers_cuda.so" || { echo "gpu-resnet: $TURBINE is not the GPU build" >&2; exit 1; }
dotnet "$SETUP" "$PACKAGES" "$OUT/setup-repo" "$OUT/setup-data" >"$OUT/setup.txt"

# 2. one ONNX file, three placements
REPO="$OUT/repo"
variant() { # NAME, then the config lines added to the setup's resnet18 config
  local name="$1"; shift
  mkdir -p "$REPO/$name/1"
  cp "$OUT/setup-repo/resnet18/1/model.onnx" "$REPO/$name/1/model.onnx"
  { sed "s/^name: \"resnet18\"/name: \"$name\"/" "$OUT/setup-repo/resnet18/config.pbtxt"; printf '%s\n' "$@"; } >"$REPO/$name/config.pbtxt"
}
variant resnet18_cpu 'instance_group [ { kind: KIND_CPU count: 1 } ]'
variant resnet18_cuda "instance_group [ { kind: KIND_GPU count: 1 gpus: [ $DEVICE ] } ]"
MODELS=(resnet18_cpu resnet18_cuda)
if [[ "${SKIP_TRT:-0}" != 1 ]]; then
  variant resnet18_trt_fp16 "instance_group [ { kind: KIND_GPU count: 1 gpus: [ $DEVICE ] } ]" \
    'optimization { execution_accelerators { gpu_execution_accelerator [ { name: "tensorrt"' \
    '  parameters { key: "precision_mode" value: "FP16" }' \
    '  parameters { key: "max_workspace_size_bytes" value: "1073741824" }' \
    '  parameters { key: "trt_engine_cache_enable" value: "1" }' \
    '  parameters { key: "trt_engine_cache_path" value: "trt-cache" } } ] } }'
  MODELS+=(resnet18_trt_fp16)
fi

# 3. serve, check, compare
HPORT="$(free_port)"; GPORT="$(free_port)"; MPORT="$(free_port)"
dotnet "$TURBINE" serve --model-repository "$REPO" --http-port "$HPORT" --grpc-port "$GPORT" --metrics-port "$MPORT" \
  --model-load-timeout-secs 600 >"$OUT/turbine.log" 2>&1 &
PIDS+=("$!")
# TensorRT builds its engine at load: minutes on the first run, then from the cache.
for _ in $(seq 1 6000); do grep -q "turbine ready" "$OUT/turbine.log" && break; sleep 0.1; done
grep -q "turbine ready" "$OUT/turbine.log" || { cat "$OUT/turbine.log" >&2; exit 1; }
HTTP="http://127.0.0.1:$HPORT"
for m in "${MODELS[@]}"; do
  if ! curl -fsS "$HTTP/v2/models/$m/ready" >/dev/null; then
    echo "gpu-resnet: $m is not ready; the server said:" >&2
    curl -sS -X POST "$HTTP/v2/repository/index" -d '{}' >&2 || true
    exit 1
  fi
done
grep -i "GPU metrics" "$OUT/turbine.log" || true

python3 - "$HTTP" "$OUT" "${MODELS[@]}" <<'PY' | tee "$OUT/accuracy.txt"
import json, random, sys, urllib.request
http, out, models = sys.argv[1], sys.argv[2], sys.argv[3:]
meta = json.load(urllib.request.urlopen(f"{http}/v2/models/{models[0]}"))
inp, outp = meta["inputs"][0], meta["outputs"][0]
shape = [1 if d < 0 else d for d in inp["shape"]]
n = 1
for d in shape: n *= d
random.seed(7)
data = [random.random() for _ in range(n)]
def infer(model):
    body = json.dumps({"inputs": [{"name": inp["name"], "datatype": inp["datatype"], "shape": shape, "data": data}],
                       "outputs": [{"name": outp["name"]}]}).encode()
    req = urllib.request.Request(f"{http}/v2/models/{model}/infer", body, {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["outputs"][0]["data"]
ref = infer(models[0])
top = max(range(len(ref)), key=ref.__getitem__)
for m in models[1:]:
    got = infer(m)
    diff = max(abs(a - b) for a, b in zip(ref, got))
    print(f"{m:<20} max |diff| vs {models[0]} {diff:.3g}, top-1 {'same' if max(range(len(got)), key=got.__getitem__) == top else 'DIFFERENT'} ({len(got)} outputs)")
PY

# 4. throughput and latency
for m in "${MODELS[@]}"; do
  timeout 600 dotnet "$TURBINE" bench -m "$m" -u "$HTTP" --concurrency-range 4 --measurement-interval 1000 --max-trials 2 --format json >"$OUT/warm-$m.json"
  if [[ "$m" == resnet18_cuda ]]; then
    nvidia-smi --query-gpu=index,utilization.gpu,memory.used,power.draw --format=csv -l 1 >"$OUT/nvidia-smi-$m.csv" &
    SMI=$!
  fi
  for c in $CONCURRENCY; do
    timeout 900 dotnet "$TURBINE" bench -m "$m" -u "$HTTP" --concurrency-range "$c" --measurement-interval "$INTERVAL" \
      --max-trials "$TRIALS" --format json >"$OUT/$m-c$c.json"
  done
  if [[ "$m" == resnet18_cuda ]]; then
    curl -fsS "http://127.0.0.1:$MPORT/metrics" | grep '^nv_gpu_' >"$OUT/nv_gpu-metrics.txt" || true
    kill "$SMI" 2>/dev/null || true; wait "$SMI" 2>/dev/null || true
  fi
done

python3 - "$OUT" "${MODELS[@]}" <<'PY' | tee "$OUT/report.txt"
import json, sys
out, models = sys.argv[1], sys.argv[2:]
import glob
print(f"{'model':<20} {'conc':>4} {'infer/s':>9} {'p50 us':>9} {'p99 us':>9} errors")
for m in models:
    for f in sorted(glob.glob(f"{out}/{m}-c*.json"), key=lambda p: int(p.rsplit("-c", 1)[1][:-5])):
        for l in json.load(open(f)):
            print(f"{m:<20} {l['level']:>4} {l['throughput_infer_per_sec']:>9.1f} {l['latency_p50_us']:>9.1f} {l['latency_p99_us']:>9.1f} {l['errors']}")
PY
echo "nv_gpu_* at the end of the CUDA run:"; cat "$OUT/nv_gpu-metrics.txt" 2>/dev/null || echo "(none: NVML not found by the server)"
echo "results in $OUT"
