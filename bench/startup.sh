#!/usr/bin/env bash
# CLI start-up: `turbine --version` and `turbine serve` time-to-ready (process start to the ready line) for the ways
# turbine ships: framework-dependent (the .NET tool, the plain build), framework-dependent + ReadyToRun (the container
# image's publish), and the self-contained single-file ReadyToRun executable. Results: docs/benchmarks.md, "CLI start-up".
#
#   bash bench/startup.sh [RUNS]        # default 7 runs per variant; medians and min-max printed
#
# Builds what it measures under artifacts/startup/ (a few minutes: ReadyToRun compiles every assembly).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
out="$PWD/artifacts/startup"
mkdir -p "$out"

dotnet publish src/Turbine.Cli -c Release -o "$out/fdd" -v quiet -nologo
dotnet publish src/Turbine.Cli -c Release -p:PublishReadyToRun=true -o "$out/fdd-r2r" -v quiet -nologo
dotnet publish src/Turbine.Cli -p:PublishProfile=linux-x64-single-file -p:PublishDir="$out/single-file/" -v quiet -nologo

repo="$out/repo"
[ -d "$repo/simple" ] || "$out/fdd/turbine" samples create "$repo" >/dev/null

/usr/bin/python3 - "$runs" "$repo" "$out/fdd/turbine" "$out/fdd-r2r/turbine" "$out/single-file/turbine" <<'PY'
import os, signal, socket, statistics, subprocess, sys, time

runs, repo, variants = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
names = ["framework-dependent", "framework-dependent + R2R", "single-file self-contained + R2R"]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def version(exe):
    t = time.perf_counter()
    subprocess.run([exe, "--version"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t

def ready(exe):
    args = [exe, "serve", "--model-repository", repo, "--http-port", str(free_port()),
            "--grpc-port", str(free_port()), "--metrics-port", str(free_port())]
    t = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in p.stdout:
            if "turbine ready:" in line:
                return time.perf_counter() - t
        raise RuntimeError("no ready line")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)

def row(samples):
    ms = [s * 1000 for s in samples]
    return f"{statistics.median(ms):7.0f} ms ({min(ms):.0f}-{max(ms):.0f})"

print(f"{runs} runs each, after one warm-up run; nproc={os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
for name, exe in zip(names, variants):
    version(exe); ready(exe)  # warm-up: page cache, single-file extraction
    v = [version(exe) for _ in range(runs)]
    r = [ready(exe) for _ in range(runs)]
    print(f"{name:34s} --version {row(v)}   serve to ready {row(r)}")
PY
