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


def raw_table(case):
    runs = {}
    for path in sorted(glob.glob(f"{out}/raw-{case}-r*.txt")):
        for line in open(path):
            parts = line.split()
            if len(parts) == 5 and parts[0].isdigit():
                runs.setdefault(int(parts[0]), []).append(float(parts[3]))
    return {b: statistics.median(v) for b, v in runs.items()}  # batch -> runs/s


def mix_items(mix, raw):
    items = sum(int(b) * n for b, n in mix.items())
    seconds = sum(n / raw[int(b)] for b, n in mix.items())
    return items / seconds


print("| case | conc. | Turbine req/s off → on (avg batch) | Turbine gain | raw ORT gain, same mix | efficiency | server / wrk CPU µs/req (on) | wrk share of 2 cores |")
print("|---|---|---|---|---|---|---|---|")
p1 = []
for case in cases:
    raw = raw_table(case)
    reps = sorted(glob.glob(f"{out}/{case}-b-r*.json"))
    gains, raw_gains, effs, on, off, batches, server_cpu, wrk_cpu, share, ratios_mix = [], [], [], [], [], [], [], [], [], []
    for path in reps:
        b = json.load(open(path))
        nb = json.load(open(path.replace(f"{case}-b-", f"{case}-nb-")))
        gain = b["rps"] / nb["rps"]
        raw_gain = mix_items(b["batch_mix"], raw) / raw[1]
        gains.append(gain); raw_gains.append(raw_gain); effs.append(gain / raw_gain)
        on.append(b["rps"]); off.append(nb["rps"]); batches.append(b["avg_batch"])
        server_cpu.append(b["server_cpu_us_per_req"]); wrk_cpu.append(b["wrk_cpu_us_per_req"]); share.append(b["wrk_share_of_2_cores"])
        ratios_mix.append(b["rps"] / mix_items(b["batch_mix"], raw))
    if not reps:
        continue
    conc = json.load(open(reps[0]))["concurrency"]
    print(f"| {case} | {conc} | {statistics.median(off):.1f} → {statistics.median(on):.1f} ({statistics.median(batches):.2f}) | "
          f"{med(gains)}× | {med(raw_gains)}× | **{med(effs)}** | {statistics.median(server_cpu):.0f} / {statistics.median(wrk_cpu):.0f} | "
          f"{100 * statistics.median(share):.1f} % |")
    best_raw_batch = max(raw, key=lambda k: raw[k] * k)
    best_on, best_off = statistics.median(on), statistics.median(off)
    best = max(best_on, best_off)
    p1.append((case, "batching on" if best_on >= best_off else "batching off", best, best_raw_batch, raw[best_raw_batch] * best_raw_batch,
               raw[1], ratios_mix))
print()
print("| model | Turbine best (setting) | raw ORT best (batch) | ratio | raw ORT at the same mix: ratio | raw ORT batch 1 |")
print("|---|---|---|---|---|---|")
for case, setting, best, batch, items, one, ratios_mix in p1:
    print(f"| {case} | {best:.1f}/s ({setting}) | {items:.1f}/s (batch {batch}) | **{best / items:.2f}** | {med(ratios_mix)} | {one:.1f}/s |")
print()
print("raw ORT runs/s by batch (medians):")
for case in cases:
    raw = raw_table(case)
    print(f"  {case}: " + ", ".join(f"{b}: {raw[b]:.1f} runs/s = {raw[b] * b:.1f} items/s" for b in sorted(raw)))
