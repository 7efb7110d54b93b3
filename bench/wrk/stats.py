#!/usr/bin/env python3
"""Prints Turbine's server-side breakdown from GET /v2/models/{m}/stats snapshots: average us per request
(ns / count / 1000) of success, queue, compute_input, compute_infer, compute_output.
Usage: stats.py LABEL AFTER.json [BEFORE.json] — with BEFORE, the averages are over the requests in between."""
import json
import sys

label, after = sys.argv[1], json.load(open(sys.argv[2]))["model_stats"][0]
before = json.load(open(sys.argv[3]))["model_stats"][0] if len(sys.argv) > 3 else None
parts = ["success", "queue", "compute_input", "compute_infer", "compute_output"]


def stat(snapshot, part):
    s = snapshot["inference_stats"][part]
    return s["count"], s["ns"]


line = []
for p in parts:
    count, ns = stat(after, p)
    if before is not None:
        c0, n0 = stat(before, p)
        count, ns = count - c0, ns - n0
    line.append(f"{p}={ns / max(1, count) / 1000:.1f}" if p != "success" else f"requests={count} total={ns / max(1, count) / 1000:.1f}")
print(f"  {after['name']:<14} {label:<14} " + " ".join(line))
