#!/usr/bin/env bash
# The GPU flavour (docs/gpu.md) on a machine without a GPU: restores Microsoft.ML.OnnxRuntime.Gpu.Linux (only here:
# the default restore never downloads it), builds the ONNX Runtime backend's tests with -p:TurbineGpu=true (into
# bin/gpu/ and obj/gpu/, beside the CPU build) and runs them. They pass when the GPU package's CPU execution provider
# runs every test model and KIND_GPU instances fail with the "could not start" message instead of falling back.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/Turbine.Backends.Onnx.Tests -c Release -p:TurbineGpu=true "$@"
test -f tests/Turbine.Backends.Onnx.Tests/bin/gpu/Release/net10.0/linux-x64/libonnxruntime_providers_cuda.so \
  || { echo "gpu-build-check: the GPU build did not bring the CUDA provider library" >&2; exit 1; }
dotnet test tests/Turbine.Backends.Onnx.Tests -c Release -p:TurbineGpu=true --no-build
