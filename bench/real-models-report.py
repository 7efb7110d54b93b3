#!/usr/bin/env python3
"""Summarises a bench/real-models.sh results folder into the P1, P4-P7 table (medians over repeats, min-max)."""
import csv, glob, json, re, statistics, sys

out = sys.argv[1]


def level(name):
    return json.load(open(f"{out}/{name}.json"))[0]


def reps(pattern):
    files = sorted(glob.glob(f"{out}/{pattern}-r*.json"), key=lambda f: int(re.search(r"-r(\d+)\.json$", f).group(1)))
    return [json.load(open(f))[0] for f in files]


def raw(pattern):
    """raw ORT runs: list (per repeat) of {batch: runs_per_second}"""
    result = []
    for f in sorted(glob.glob(f"{out}/{pattern}")):
        rows = {}
        for line in open(f):
            parts = line.split()
            if len(parts) == 5 and parts[0].isdigit():
                rows[int(parts[0])] = float(parts[3])
        result.append(rows)
    return result


def med(values):
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def num(values, digits=0):
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


rows = []
print("| id | case | Turbine | reference | ratio | target | met? |")
print("|---|---|---|---|---|---|---|")

if not glob.glob(f"{out}/p1-*.json"):  # ONLY_P7=1
    rows = None
if rows is not None:
    # P1
    raw_resnet = raw("raw-resnet18-r*.txt")
    turbine_resnet = [l["throughput_infer_per_sec"] for l in reps("p1-resnet18-c4")]
    ratios = [t / r[1] for t, r in zip(turbine_resnet, raw_resnet)]
    print(f"| P1 | resnet18, HTTP binary, concurrency 4, batch 1 (img/s) | {num(turbine_resnet, 1)} | raw ORT batch 1: {num([r[1] for r in raw_resnet], 1)} "
          f"| {med(ratios)} | ≥ 0.95 | {'yes' if statistics.median(ratios) >= 0.95 else 'no'} |")
    raw_minilm = raw("raw-minilm-r*.txt")
    minilm = reps("p1-minilm-c8")
    turbine_minilm, raw_mix, ratios, batches = [], [], [], []
    for l, r in zip(minilm, raw_minilm):
        counts = {int(b): n for b, n in l["server"]["batch_sizes"].items()}
        items = sum(b * n for b, n in counts.items())
        seconds = sum(n / r[b] for b, n in counts.items())
        turbine_minilm.append(l["throughput_infer_per_sec"])
        raw_mix.append(items / seconds)
        ratios.append(l["throughput_infer_per_sec"] / (items / seconds))
        batches.append(l["server"]["avg_batch_size"])
    print(f"| P1 | minilm seq 16, HTTP binary, concurrency 8 (seq/s; avg batch formed {num(batches, 2)}) | {num(turbine_minilm, 1)} "
          f"| raw ORT, same batch mix: {num(raw_mix, 1)} | {med(ratios)} | ≥ 0.95 | {'yes' if statistics.median(ratios) >= 0.95 else 'no'} |")

    # P4
    on, off = reps("p4-mlp_batched-c16"), reps("p4-mlp_nobatch-c16")
    gain = [a["throughput_infer_per_sec"] / b["throughput_infer_per_sec"] for a, b in zip(on, off)]
    print(f"| P4 | mlp 256→1024→1024→10, concurrency 16, batching on vs off (infer/s; avg batch {num([a['server']['avg_batch_size'] for a in on], 1)}) "
          f"| {num([a['throughput_infer_per_sec'] for a in on])} | off: {num([b['throughput_infer_per_sec'] for b in off])} | {med(gain)}× | ≥ 3× "
          f"| {'yes' if statistics.median(gain) >= 3 else 'no'} |")

    # P5
    on, off = reps("p5-mlp_batched-c1"), reps("p5-mlp_nobatch-c1")
    ratio = [a["latency_p50_us"] / b["latency_p50_us"] for a, b in zip(on, off)]
    print(f"| P5 | mlp, concurrency 1, p50 µs, dynamic_batching (delay 0) vs off | {num([a['latency_p50_us'] for a in on], 1)} "
          f"| off: {num([b['latency_p50_us'] for b in off], 1)} | {med(ratio)}× | ≤ 1.05× | {'yes' if statistics.median(ratio) <= 1.05 else 'no'} |")

    # P6
    p6 = reps("p6-mlp_batched-rate*")
    tail = [l["latency_p99_us"] / l["latency_p50_us"] for l in p6]
    print(f"| P6 | mlp_batched open loop at {p6[0]['level']:g} req/s (70% of median c16 max; achieved {num([l['throughput_infer_per_sec'] for l in p6])}/s): "
          f"p99 / p50 µs | {num([l['latency_p99_us'] for l in p6])} / {num([l['latency_p50_us'] for l in p6])} | — | {med(tail)} | ≤ 3 "
          f"| {'yes' if statistics.median(tail) <= 3 else 'no'} |")

# P7
gen2_total, seconds_total = 0.0, 0
for protocol in ("http", "grpc"):
    allocated, gens, samples = 0.0, {"gen0": 0.0, "gen1": 0.0, "gen2": 0.0}, set()
    for row in csv.DictReader(open(f"{out}/p7-{protocol}.csv")):
        name, value = row["Counter Name"], float(row["Mean/Increment"] or 0)
        samples.add(row["Timestamp"])
        if name.startswith("dotnet.gc.heap.total_allocated"):
            allocated += value
        for g in gens:
            if name.startswith("dotnet.gc.collections") and f"generation={g}]" in name:
                gens[g] += value
    before, after = [json.loads(line) for line in open(f"{out}/p7-{protocol}-stats.txt") if line.strip()]
    requests = after["model_stats"][0]["inference_count"] - before["model_stats"][0]["inference_count"]
    gen2_total += gens["gen2"]
    seconds_total += len(samples)
    per = allocated / max(1, requests)
    print(f"| P7 | mlp_nobatch, {'binary HTTP' if protocol == 'http' else 'gRPC'}, concurrency 4: server B/request "
          f"({requests} requests, {len(samples)} s; gen0/gen1/gen2 {gens['gen0']:.0f}/{gens['gen1']:.0f}/{gens['gen2']:.0f}) "
          f"| {per:.0f} | — | — | ≤ 2048 B | {'yes' if per <= 2048 else 'no'} |")
print(f"| P7 | Gen2 collections during the {seconds_total} s of P7 | {gen2_total:.0f} | — | — | 0 in 60 s | {'yes' if gen2_total == 0 else 'no'} |")
