#!/usr/bin/env bash
# The gateway's cost on `simple` (issue 22, item 1): `turbine bench` straight at a `turbine serve`, through the floor
# (bench/Turbine.Bench.ProxyFloor: a bare YARP IHttpForwarder to one destination), through a plain `turbine gateway`
# (one pool, one replica, no auth) and through the issue's gateway (API-key auth, one rate limit, a two-replica pool
# with the default power-of-two-choices policy),
# REST (binary) and gRPC, closed loop; prints throughput and p50/p99 per case, the ratios to the floor, and CPU per
# request (µs of CPU / request, from /proc) of the proxy process and of the server process(es) during each case, and
# the proxy's managed allocation per request (its `dotnet_gc_allocated_bytes_total`, or the floor's
# /__floor/allocated, read before and after the case ÷ the requests the servers answered in it).
# Everything on 127.0.0.1; processes are stopped by PID on exit.
# Environment: CONCURRENCY ("1 8"), PROTOCOLS ("http grpc"), INTERVAL (ms per window, 2000), TRIALS (5),
# CASES ("direct floor plain full"; with BEFORE also "plainbefore fullbefore"; diagnostics: fullnoretry,
# fullonereplica, floor2 (the bare forwarder over both servers in turn), direct2 (GENERATOR=c: no proxy, the load split
# over both servers)), BEFORE (another build's turbine.dll:
# its gateway runs the same two configurations in the same run), SKIP_BUILD=1 to reuse the Release build,
# GENERATOR (turbine | c): `c` drives REST with wrk and gRPC with h2load (C generators, prepared bodies, 2 threads,
# DURATION seconds per case, default 6) instead of `turbine bench`, whose own CPU (~40-60 us per request) takes a
# large share of the two cores from the proxies and servers being compared; TRIALS and INTERVAL are then unused;
# SERVER_ENV (VAR=value ... for the two `turbine serve` processes only, e.g. runtime knobs), REPEATS (1: every
# case of CASES runs REPEATS times in turn, each repetition's ratios are printed, then their medians).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONCURRENCY="${CONCURRENCY:-1 8}"
PROTOCOLS="${PROTOCOLS:-http grpc}"
INTERVAL="${INTERVAL:-2000}"
TRIALS="${TRIALS:-5}"
CASES="${CASES:-direct floor plain full}"
GENERATOR="${GENERATOR:-turbine}"
REPEATS="${REPEATS:-1}"
DURATION="${DURATION:-6}"
TURBINE="$ROOT/src/Turbine.Cli/bin/Release/net10.0/linux-x64/turbine.dll"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
build_release src/Turbine.Cli
build_release bench/Turbine.Bench.ProxyFloor
FLOOR="$ROOT/bench/Turbine.Bench.ProxyFloor/bin/Release/net10.0/linux-x64/Turbine.Bench.ProxyFloor.dll"

dotnet "$TURBINE" samples create "$WORK/models" >/dev/null
if [[ "$GENERATOR" == c ]]; then
  ensure_tool wrk wrk
  ensure_tool h2load nghttp2-client
  build_release bench/Turbine.Bench.GrpcFloor
  dotnet "$ROOT/bench/Turbine.Bench.GrpcFloor/bin/Release/net10.0/linux-x64/Turbine.Bench.GrpcFloor.dll" --write-bodies "$WORK"  # simple.bin: a gRPC frame
  mkdir -p "$WORK/rest"; python3 "$ROOT/bench/wrk/model_bodies.py" "$WORK/rest"
fi
start_server() { # NAME -> sets <NAME>_HTTP, <NAME>_GRPC, <NAME>_PID
  # shellcheck disable=SC2086
  env ${SERVER_ENV:-} dotnet "$TURBINE" serve --model-repository "$WORK/models" --http-port 0 --grpc-port 0 --metrics-port 0 >"$WORK/$1.log" 2>&1 &
  PIDS+=("$!")
  printf -v "${1}_PID" '%s' "$!"
  wait_ready "$WORK/$1.log" "turbine ready" "turbine serve ($1)"
  printf -v "${1}_HTTP" '%s' "$(grep -o 'HTTP on [^ ]*' "$WORK/$1.log" | head -1 | cut -d' ' -f3)"
  printf -v "${1}_GRPC" '%s' "$(grep -o 'gRPC on [^ ]*' "$WORK/$1.log" | head -1 | cut -d' ' -f3)"
  printf -v "${1}_METRICS" '%s' "$(grep -o 'metrics on [^ ]*' "$WORK/$1.log" | head -1 | cut -d' ' -f3)"
}
start_server S1
start_server S2

# The API key the full gateway wants (and the generator sends): only its SHA-256 is in the config.
KEY="bench-key-$RANDOM$RANDOM"
HASH="sha256:$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)"
cat >"$WORK/plain.yaml" <<YAML
pools:
  main:
    policy: roundRobin
    replicas:
      - http: ${S1_HTTP%/}
        grpc: ${S1_GRPC%/}
models:
  "*":
    pool: main
accessLog:
  enabled: false
YAML
cat >"$WORK/full.yaml" <<YAML
pools:
  main:
    replicas:
      - http: ${S1_HTTP%/}
        grpc: ${S1_GRPC%/}
      - http: ${S2_HTTP%/}
        grpc: ${S2_GRPC%/}
models:
  "*":
    pool: main
auth:
  apiKeys:
    - id: bench
      hash: $HASH
      operations: [server, metadata, infer]
rateLimits:
  perKey: {requests: 1000000, periodSeconds: 1}
accessLog:
  enabled: false
YAML
# Diagnostic variants of full (add them to CASES): fullnoretry keeps nothing for retries (retry.maxAttempts 1, so the
# body streams through), fullonereplica has one replica (no pick between two).
sed 's/^  main:$/  main:\n    retry: {maxAttempts: 1}/' "$WORK/full.yaml" >"$WORK/fullnoretry.yaml"
grep -v -e "${S2_HTTP%/}\$" -e "${S2_GRPC%/}\$" "$WORK/full.yaml" >"$WORK/fullonereplica.yaml"
start_gateway() { # NAME [CONFIG] [TURBINE_DLL] -> <NAME>_HTTP, <NAME>_GRPC (URLs), <NAME>_PID
  local port grpc
  port="$(free_port)"; grpc="$(free_port)"
  dotnet "${3:-$TURBINE}" gateway --config "$WORK/${2:-$1}.yaml" --port "$port" --grpc-port "$grpc" >"$WORK/$1.log" 2>&1 &
  PIDS+=("$!")
  printf -v "${1}_PID" '%s' "$!"
  printf -v "${1}_HTTP" '%s' "http://127.0.0.1:$port"
  printf -v "${1}_GRPC" '%s' "http://127.0.0.1:$grpc"
  printf -v "${1}_METRICS" '%s' "http://127.0.0.1:$port/metrics"
  wait_ready "$WORK/$1.log" "turbine gateway ready" "turbine gateway ($1)"
}
start_gateway plain
start_gateway full
for variant in fullnoretry fullonereplica; do
  [[ " $CASES " == *" $variant "* ]] && start_gateway "$variant"
done
if [[ -n "${BEFORE:-}" ]]; then
  # Before/after in one run: the same two configurations served by another build's gateway (its turbine.dll).
  start_gateway plainbefore plain "$BEFORE"
  start_gateway fullbefore full "$BEFORE"
fi

FPORT="$(free_port)"; FGRPC="$(free_port)"
dotnet "$FLOOR" \
  "$FPORT" "${S1_HTTP%/}" "$FGRPC" "${S1_GRPC%/}" >"$WORK/floor.log" 2>&1 &
PIDS+=("$!")
floor_PID="$!"; floor_HTTP="http://127.0.0.1:$FPORT"; floor_GRPC="http://127.0.0.1:$FGRPC"; floor_METRICS="$floor_HTTP/__floor/allocated"
wait_ready "$WORK/floor.log" "proxy floor ready" "proxy floor"
if [[ " $CASES " == *" floor2 "* ]]; then
  # floor2 (a diagnostic): the same bare forwarder over both servers in turn, i.e. the floor with the full case's two
  # server processes; full/floor2 is the gateway's own cost with the second process's cost on both sides.
  F2PORT="$(free_port)"; F2GRPC="$(free_port)"
  dotnet "$FLOOR" "$F2PORT" "${S1_HTTP%/},${S2_HTTP%/}" "$F2GRPC" "${S1_GRPC%/},${S2_GRPC%/}" >"$WORK/floor2.log" 2>&1 &
  PIDS+=("$!")
  floor2_PID="$!"; floor2_HTTP="http://127.0.0.1:$F2PORT"; floor2_GRPC="http://127.0.0.1:$F2GRPC"; floor2_METRICS="$floor2_HTTP/__floor/allocated"
  wait_ready "$WORK/floor2.log" "proxy floor ready" "proxy floor (two destinations)"
fi
direct_PID="$S1_PID"; direct_HTTP="$S1_HTTP"; direct_GRPC="$S1_GRPC"; direct_METRICS="$S1_METRICS"
# direct2 (GENERATOR=c only, a diagnostic): no proxy, the same concurrency split over the two servers by two generators
# at once, so the servers' CPU per request shows what one process serving half the load costs without any gateway.
direct2_PID="$S1_PID"; direct2_HTTP="$S1_HTTP"; direct2_GRPC="$S1_GRPC"; direct2_METRICS="$S1_METRICS"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, in clock ticks
ctx_switches() { # context switches of all the process's threads (voluntary: a thread blocked and was woken again)
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/{v += $2} /^nonvoluntary_ctxt_switches/{n += $2} END{print v + 0, n + 0}'
}

served() { # successful `simple` inferences of both servers
  local total=0 n
  for url in "$S1_HTTP" "$S2_HTTP"; do
    n="$(curl -sf "${url%/}/v2/models/simple/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["model_stats"][0]["inference_stats"]["success"]["count"])')"
    total=$(( total + n ))
  done
  echo "$total"
}

allocated() { # METRICS_URL [token]: the process's managed allocation counter, in bytes
  local auth=()
  [[ -n "${2:-}" ]] && auth=(-H "Authorization: Bearer $2")
  curl -sf "${auth[@]}" "$1" | awk '/^dotnet_gc_allocated_bytes_total /{print $2; found=1} /^[0-9]+$/{print $1; found=1} END{if(!found) print "nan"}'
}

bench() { # protocol url|split concurrency [token] [tag] -> "throughput p50_us p99_us errors"
  if [[ "$2" == split ]]; then
    # direct2: half the connections to each server, two generators at once; req/s summed, latencies averaged
    local u1="$S1_HTTP" u2="$S2_HTTP"
    [[ "$1" == grpc ]] && { u1="$S1_GRPC"; u2="$S2_GRPC"; }
    bench "$1" "$u1" $(( $3 / 2 )) "" a >"$WORK/split-a.txt" &
    local first=$!
    bench "$1" "$u2" $(( $3 - $3 / 2 )) "" b >"$WORK/split-b.txt"
    wait "$first"
    cat "$WORK/split-a.txt" "$WORK/split-b.txt" | awk '{t += $1; p50 += $2; p99 += $3; e += $4} END {print t, p50 / 2, p99 / 2, e}'
    return
  fi
  if [[ "$GENERATOR" == c ]]; then
    if [[ "$1" == http ]]; then
      WRK_BODY="$WORK/rest/simple.bin" WRK_HEADER_LENGTH="$(cat "$WORK/rest/simple.bin.len")" WRK_AUTHORIZATION="${4:+Bearer $4}" \
        wrk -t2 -c"$3" -d"${DURATION}s" --latency -s "$ROOT/bench/wrk/post.lua" "${2%/}/v2/models/simple/infer" |
        awk '/^RESULT/{print $2, $3, $4, $6 + $7}'
    else
      local auth=()
      [[ -n "${4:-}" ]] && auth=(--header "authorization: Bearer $4")
      local log="$WORK/h2${5:-}.log" out="$WORK/h2${5:-}.out"
      rm -f "$log"
      timeout $(( DURATION + 60 )) h2load -c"$3" -m1 -t2 -D"$DURATION" --log-file="$log" --header 'content-type: application/grpc' \
        --header 'te: trailers' "${auth[@]}" -d "$WORK/simple.bin" "${2%/}/inference.GRPCInferenceService/ModelInfer" >"$out"
      python3 "$ROOT/bench/h2load/summary.py" "$out" "$log" | awk '{print $2, $3, $5, $8 + $9}'
    fi
    return
  fi
  local extra=(--binary)
  [[ "$1" == grpc ]] && extra=()
  [[ -n "${4:-}" ]] && export TURBINE_TOKEN="$4" || unset TURBINE_TOKEN
  dotnet "$TURBINE" bench -m simple -u "$2" --protocol "$1" "${extra[@]}" --concurrency-range "$3" \
    --measurement-interval "$INTERVAL" --max-trials "$TRIALS" --format json |
    python3 -c 'import json,sys; d=json.load(sys.stdin)[0]; print(d["throughput_infer_per_sec"], d["latency_p50_us"], d["latency_p99_us"], d["errors"])'
}

TICK="$(getconf CLK_TCK)"
SPLIT=split
declare -A T P50 P99 PCPU SCPU
printf '%-6s %-5s %-8s %12s %10s %10s %10s %10s %10s %9s %9s\n' protocol conc case "infer/s" "p50 us" "p99 us" "CPU us/r" "srv us/r" "alloc B/r" "vcsw/r" "ivcsw/r"
if [[ "$GENERATOR" == c ]]; then
  # JIT and connection warm-up of every process in every case (turbine bench warms up by its own trials), not reported
  for proto in $PROTOCOLS; do
    for case in $CASES; do
      url_var="${case}_HTTP"; [[ "$proto" == grpc ]] && url_var="${case}_GRPC"; [[ "$case" == direct2 ]] && url_var=SPLIT
      token=""; [[ "$case" == full* ]] && token="$KEY"
      DURATION=2 bench "$proto" "${!url_var}" 8 "$token" >/dev/null
    done
  done
fi
RATIOS="$WORK/ratios.txt"; : >"$RATIOS"
for proto in $PROTOCOLS; do
  for c in $CONCURRENCY; do
   for rep in $(seq 1 "$REPEATS"); do
    for case in $CASES; do
      pid_var="${case}_PID"; url_var="${case}_HTTP"; [[ "$proto" == grpc ]] && url_var="${case}_GRPC"
      [[ "$case" == direct2 ]] && { [[ "$GENERATOR" == c ]] || { echo "direct2 needs GENERATOR=c" >&2; exit 2; }; url_var=SPLIT; }
      token=""; [[ "$case" == full* ]] && token="$KEY"
      metrics_var="${case}_METRICS"
      a0="$(allocated "${!metrics_var}" "$token")"
      read -r v0 i0 <<<"$(ctx_switches "${!pid_var}")"
      p0="$(cpu_ticks "${!pid_var}")"; s0=$(( $(cpu_ticks "$S1_PID") + $(cpu_ticks "$S2_PID") )); n0="$(served)"
      read -r t p50 p99 err <<<"$(bench "$proto" "${!url_var}" "$c" "$token")"
      p1="$(cpu_ticks "${!pid_var}")"; s1=$(( $(cpu_ticks "$S1_PID") + $(cpu_ticks "$S2_PID") )); n1="$(served)"
      read -r v1 i1 <<<"$(ctx_switches "${!pid_var}")"
      a1="$(allocated "${!metrics_var}" "$token")"
      [[ "$err" == 0 ]] || { echo "errors in $proto $c $case: $err" >&2; exit 1; }
      n=$(( n1 - n0 )); (( n > 0 )) || n=1
      # direct: the "proxy" is the server itself, so its CPU column is the server's.
      pcpu="$(python3 -c "print(f'{($p1-$p0)/$TICK*1e6/$n:.1f}')")"
      scpu="$(python3 -c "print(f'{($s1-$s0)/$TICK*1e6/$n:.1f}')")"
      alloc="$(python3 -c "print(f'{($a1-$a0)/$n:.0f}')")"
      vcsw="$(python3 -c "print(f'{($v1-$v0)/$n:.2f}')")"; ivcsw="$(python3 -c "print(f'{($i1-$i0)/$n:.2f}')")"
      T[$case]="$t"; P50[$case]="$p50"; P99[$case]="$p99"
      printf '%-6s %-5s %-8s %12.1f %10.0f %10.0f %10s %10s %10s %9s %9s\n' "$proto" "$c" "$case" "$t" "$p50" "$p99" "$pcpu" "$scpu" "$alloc" "$vcsw" "$ivcsw"
    done
    for case in plain full plainbefore fullbefore; do
      [[ -n "${T[$case]:-}" && -n "${T[floor]:-}" ]] || continue
      python3 -c "print(f'{\"$proto\":6s} {\"$c\":5s} {\"$case\"}/floor  throughput x{${T[$case]}/${T[floor]}:.2f}  p50 x{${P50[$case]}/${P50[floor]}:.2f}  p99 x{${P99[$case]}/${P99[floor]}:.2f}')" | tee -a "$RATIOS"
    done
    for pair in full:floor2 floor2:floor direct2:direct; do
      a="${pair%%:*}"; b="${pair#*:}"
      [[ -n "${T[$a]:-}" && -n "${T[$b]:-}" ]] || continue
      python3 -c "print(f'{\"$proto\":6s} {\"$c\":5s} $a/$b  throughput x{${T[$a]}/${T[$b]}:.2f}  p50 x{${P50[$a]}/${P50[$b]}:.2f}  p99 x{${P99[$a]}/${P99[$b]}:.2f}')" | tee -a "$RATIOS"
    done
    unset T P50 P99; declare -A T P50 P99
   done
  done
done
if (( REPEATS > 1 )); then
  # medians (min-max) of each ratio over the repetitions
  python3 - "$RATIOS" <<'PY'
import collections, re, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    m = re.match(r"(\S+)\s+(\S+)\s+(\S+)\s+throughput x([0-9.]+)\s+p50 x([0-9.]+)\s+p99 x([0-9.]+)", line)
    if m:
        rows[m.group(1, 2, 3)].append([float(x) for x in m.group(4, 5, 6)])
print("medians over the repetitions (min-max):")
for (proto, c, pair), values in rows.items():
    cols = list(zip(*values))
    text = "  ".join(f"{name} x{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f})" for name, v in zip(("throughput", "p50", "p99"), cols))
    print(f"{proto:6s} {c:5s} {pair}  {text}  n={len(values)}")
PY
fi
