#!/usr/bin/env python3
"""The report of bench/batching-efficiency.sh: usage batching-efficiency-report.py OUT CASE... (resnet minilm simple).
Per case: Turbine's gain from dynamic batching (req/s batched ÷ unbatched, same repetition), raw ONNX Runtime's gain at
the same batch mix (items/s of the mix ÷ items/s at batch 1, medians over the raw repetitions), their ratio (the
batching efficiency, P4), and P1: the best Turbine case against raw ORT at its best batch size and at the same mix."""
import glob
import json
import statistics
import sys

out, cases = sys.argv[1], sys.argv[2:]


def med(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


def raw_table(case, prefix="raw"):
    runs = {}
    for path in sorted(glob.glob(f"{out}/{prefix}-{case}-r*.txt")):
        for line in open(path):
            parts = line.split()
            if len(parts) == 5 and parts[0].isdigit():
                runs.setdefault(int(parts[0]), []).append(float(parts[3]))
    return {b: statistics.median(v) for b, v in runs.items()}  # batch -> runs/s


def busy(path, instances):
    """Share of the window the model's instances spent in ONNX Runtime's Run (Σ compute_infer of the window's batches
    from the statistics API ÷ window length ÷ instances): how well the server keeps its instances fed."""
    name = path[:-len(".json")]
    r = json.load(open(path))
    seconds = r["requests"] / r["rps"]
    def infer_ns(suffix):
        return sum(b["compute_infer"]["ns"] for b in json.load(open(f"{name}.{suffix}"))["model_stats"][0]["batch_stats"])
    return (infer_ns("stats-after") - infer_ns("stats-before")) / 1e9 / seconds / instances


def mix_items(mix, raw):
    items = sum(int(b) * n for b, n in mix.items())
    seconds = sum(n / raw[int(b)] for b, n in mix.items())
    return items / seconds


print("| case | conc. | Turbine req/s off → on (avg batch) | Turbine gain | raw ORT gain, same mix | efficiency | instance busy off / on | server / wrk CPU µs/req (on) | wrk share of 2 cores |")
print("|---|---|---|---|---|---|---|---|---|")
p1 = []
for case in cases:
    raw = raw_table(case)
    reps = sorted(glob.glob(f"{out}/{case}-b-r*.json"))
    gains, raw_gains, effs, on, off, batches, server_cpu, wrk_cpu, share, ratios_mix, busy_on, busy_off = [], [], [], [], [], [], [], [], [], [], [], []
    for path in reps:
        b = json.load(open(path))
        nb = json.load(open(path.replace(f"{case}-b-", f"{case}-nb-")))
        gain = b["rps"] / nb["rps"]
        raw_gain = mix_items(b["batch_mix"], raw) / raw[1]
        gains.append(gain); raw_gains.append(raw_gain); effs.append(gain / raw_gain)
        on.append(b["rps"]); off.append(nb["rps"]); batches.append(b["avg_batch"])
        server_cpu.append(b["server_cpu_us_per_req"]); wrk_cpu.append(b["wrk_cpu_us_per_req"]); share.append(b["wrk_share_of_2_cores"])
        ratios_mix.append(b["rps"] / mix_items(b["batch_mix"], raw))
        busy_on.append(busy(path, 1)); busy_off.append(busy(path.replace(f"{case}-b-", f"{case}-nb-"), 1))
    if not reps:
        continue
    conc = json.load(open(reps[0]))["concurrency"]
    print(f"| {case} | {conc} | {statistics.median(off):.1f} → {statistics.median(on):.1f} ({statistics.median(batches):.2f}) | "
          f"{med(gains)}× | {med(raw_gains)}× | **{med(effs)}** | {100 * statistics.median(busy_off):.1f} / {100 * statistics.median(busy_on):.1f} % | {statistics.median(server_cpu):.0f} / {statistics.median(wrk_cpu):.0f} | "
          f"{100 * statistics.median(share):.1f} % |")
    # P1: the best Turbine setting against raw ORT's best setting (1 session × 2 threads or 2 sessions × 1 thread)
    settings = {"1 instance, batching off": (statistics.median(off), None), "1 instance, batching on": (statistics.median(on), ratios_mix)}
    raw_best = {f"1 session, batch {b}": raw[b] * b for b in raw}
    two = sorted(glob.glob(f"{out}/{case}-two-r*.json"))
    raw2 = raw_table(case, "raw2")
    if two and raw2:
        runs2 = [json.load(open(p)) for p in two]
        settings[f"2 instances, batching on, concurrency {runs2[0]['concurrency']}, busy {100 * statistics.median(busy(p, 2) for p in two):.1f} %"] = (
            statistics.median(r["rps"] for r in runs2), [r["rps"] / mix_items(r["batch_mix"], raw2) for r in runs2])
        raw_best |= {f"2 sessions in parallel, batch {b}": raw2[b] * b for b in raw2}
    p1.append((case, settings, raw_best))
print()
print("| model | Turbine best (setting) | raw ORT best (setting) | ratio | each Turbine setting: req/s, ratio to raw ORT at the same batch mix and setting |")
print("|---|---|---|---|---|")
for case, settings, raw_best in p1:
    best = max(settings, key=lambda k: settings[k][0])
    rbest = max(raw_best, key=raw_best.get)
    each = "; ".join(f"{k}: {v[0]:.1f}" + (f", {med(v[1])}" if v[1] else "") for k, v in settings.items())
    print(f"| {case} | {settings[best][0]:.1f}/s ({best}) | {raw_best[rbest]:.1f}/s ({rbest}) | **{settings[best][0] / raw_best[rbest]:.2f}** | {each} |")
print()
print("raw ORT runs/s by batch (medians):")
for case in cases:
    raw = raw_table(case)
    print(f"  {case}: " + ", ".join(f"{b}: {raw[b]:.1f} runs/s = {raw[b] * b:.1f} items/s" for b in sorted(raw)))
    raw2 = raw_table(case, "raw2")
    if raw2:
        print(f"  {case}, 2 sessions in parallel: " + ", ".join(f"{b}: {raw2[b]:.1f} runs/s = {raw2[b] * b:.1f} items/s" for b in sorted(raw2)))
