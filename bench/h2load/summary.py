#!/usr/bin/env python3
"""Summarises one h2load run: req/s from its output, request-time percentiles from its --log-file (per request:
start us since epoch, HTTP status, us until the end of the response).
Usage: summary.py H2LOAD_OUTPUT LOG_FILE -> 'RESULT req_s p50_us p90_us p99_us mean_us requests non2xx failed'"""
import re
import sys

out = open(sys.argv[1]).read()
rps = float(re.search(r"finished in [^,]+, ([0-9.]+) req/s", out).group(1))
m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
failed = int(m.group(5)) + int(m.group(6))
mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", out).group(1)
mean_us = float(mean[:-2]) if mean.endswith("us") else float(mean[:-2]) * 1000 if mean.endswith("ms") else float(mean[:-1]) * 1e6

durations, non2xx = [], 0
for line in open(sys.argv[2]):
    parts = line.split()
    if len(parts) < 3:
        continue
    if not parts[1].startswith("2"):
        non2xx += 1
    durations.append(int(parts[2]))
durations.sort()


def pct(p):
    return durations[min(len(durations) - 1, int(p / 100 * len(durations)))] if durations else 0


print(f"RESULT {rps:.0f} {pct(50)} {pct(90)} {pct(99)} {mean_us:.0f} {len(durations)} {non2xx} {failed}")
