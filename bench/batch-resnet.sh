#!/usr/bin/env bash
# B1 for ResNet-18 (docs/benchmarks.md "Batch inference: ResNet-18"): a generated Parquet file of ROWS preprocessed images
# (an id and an `image` LIST<float> column of 3×224×224 ImageNet-normalised values, row groups of GROUP rows, written by
# bench/batch/resnet-tensors.cs) scored by `turbine batch run` in-process (ResNet-18 from
# Microsoft.ML.DnnImageFeaturizer.ResNet18, fixed batch 1, the 512 features to a Parquet list column), alternating with raw
# ONNX Runtime at batch 1 (bench/Turbine.Bench.RawOrt), then remotely through `turbine serve` (HTTP binary, --concurrency 2).
# Environment: ROWS (300), GROUP (50), RAW_SECONDS (8), REPS (3), SKIP_BUILD (0), OUT (results folder).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${ROWS:-300}"
GROUP="${GROUP:-50}"
RAW_SECONDS="${RAW_SECONDS:-8}"
REPS="${REPS:-3}"
OUT="${OUT:-$(mktemp -d /tmp/turbine-batch-resnet.XXXXXX)}"
mkdir -p "$OUT"
source "$ROOT/bench/lib.sh"
restore_bench_models
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  for p in src/Turbine.Cli bench/Turbine.Bench.RawOrt bench/Turbine.Bench.Setup; do dotnet build "$ROOT/$p" -c Release -nologo -v q >/dev/null; done
fi
[ -d "$MODELS/repo/resnet18" ] || dotnet "$SETUP" "${NUGET_PACKAGES:-$HOME/.nuget/packages}" "$MODELS/repo" "$MODELS/data" >/dev/null
GEN="$(mktemp -d)"
cp "$ROOT/bench/batch/resnet-tensors.cs" "$GEN/gen.cs"
(cd "$GEN" && dotnet run gen.cs -- "$OUT/images.parquet" "$ROWS" "$GROUP")
ls -l "$OUT/images.parquet" | awk '{print "input bytes", $5}'
ARGS=(--model resnet18 --model-repository "$MODELS/repo" --map Input247=image --output-column Pooling395_Output_0=features --id-column id --progress none --output-format json --overwrite)

echo "== ResNet-18 in-process (turbine batch run) and raw ORT batch 1, alternating"
for rep in $(seq 1 "$REPS"); do
  dotnet "$TURBINE" batch run "${ARGS[@]}" --input "$OUT/images.parquet" --output "$OUT/features-$rep.parquet" | tee "$OUT/inproc-$rep.json"
  dotnet "$RAWORT" model "$MODELS/repo/resnet18/1/model.onnx" 1 "$RAW_SECONDS" | tee "$OUT/raw-$rep.txt"
done

echo "== ResNet-18 remote (turbine serve + turbine batch run --url, HTTP binary, concurrency 2)"
PORT="$(free_port)"
dotnet "$TURBINE" serve --model-repository "$MODELS/repo" --model-control-mode explicit --load-model resnet18 --host 127.0.0.1 --http-port "$PORT" --grpc-port 0 >"$OUT/serve.log" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
wait_ready "$OUT/serve.log" "turbine ready" "turbine serve"
dotnet "$TURBINE" batch run --model resnet18 --url "http://127.0.0.1:$PORT" --map Input247=image --output-column Pooling395_Output_0=features --id-column id \
  --concurrency 2 --progress none --output-format json --overwrite --input "$OUT/images.parquet" --output "$OUT/features-remote.parquet" | tee "$OUT/remote.json"
dotnet "$RAWORT" model "$MODELS/repo/resnet18/1/model.onnx" 1 "$RAW_SECONDS" | tee "$OUT/raw-remote.txt"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
echo "results in $OUT"
