#!/usr/bin/env bash
# P8: resident memory of `turbine serve` with N copies of one model loaded (N = 0 1 2 4 8), to check it grows
# linearly with the models' own weight bytes. Needs the bench MLP made by bench/real-models.sh (bench/.models/repo).
# Usage: bench/memory-copies.sh [MODEL_DIR]      (default bench/.models/repo/mlp_nobatch)
set -euo pipefail
cd "$(dirname "$0")/.."
model_dir=${1:-bench/.models/repo/mlp_nobatch}
model=$(basename "$model_dir")
[ -f "$model_dir/1/model.onnx" ] || { echo "no $model_dir/1/model.onnx; run bench/real-models.sh first" >&2; exit 1; }
[ "${SKIP_BUILD:-0}" = 1 ] || dotnet build src/Turbine.Cli -c Release -v q >/dev/null
turbine="dotnet src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"
weights=$(stat -c %s "$model_dir/1/model.onnx")
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

echo "model $model, model.onnx $weights bytes"
printf "%-6s %-12s\n" copies rss_kib
for n in 0 1 2 4 8; do
  repo="$work/repo$n"; mkdir -p "$repo"
  for i in $(seq 1 "$n"); do
    mkdir -p "$repo/copy$i/1"
    cp "$model_dir/1/model.onnx" "$repo/copy$i/1/"
    sed "s/^name: \"$model\"/name: \"copy$i\"/" "$model_dir/config.pbtxt" > "$repo/copy$i/config.pbtxt"
  done
  log="$work/serve$n.log"
  $turbine serve --model-repository "$repo" --http-port 0 --grpc-port 0 --metrics-port 0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -q "turbine ready" "$log" && break; sleep 0.1; done
  url=$(grep -o "HTTP on [^ ]*" "$log" | cut -d' ' -f3)
  body='{"inputs":[{"name":"INPUT0","shape":[1,256],"datatype":"FP32","data":['$(python3 -c 'print(",".join(["0.5"]*256))')']}]}'
  for i in $(seq 1 "$n"); do curl -s -o /dev/null -X POST "${url}v2/models/copy$i/infer" -d "$body"; done
  sleep 1
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  printf "%-6s %-12s\n" "$n" "$rss"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
