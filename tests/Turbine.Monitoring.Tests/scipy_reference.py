"""Independent reference values for the drift tests, computed with numpy/scipy the way Evidently computes them.

Reads JSON cases on stdin: [{"test": name, "ref": [...], "cur": [...], "kind": "num"|"cat"}], writes
[{"score": x, "statistic": y}] on stdout (NaN as null).
"""
import json
import math
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance


def binned(ref, cur, kind, fill):
    ref = np.asarray(ref)
    cur = np.asarray(cur)
    if kind == "num" and len(set(ref.tolist())) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = sorted(set(ref.tolist()) | set(cur.tolist()), key=str)
        r = np.array([sum(1 for v in ref if v == k) / len(ref) for k in keys])
        c = np.array([sum(1 for v in cur if v == k) / len(cur) for k in keys])
    if fill:
        for arr in (r, c):
            nz = arr[arr != 0]
            np.place(arr, arr == 0, min(nz) / 10**6 if min(nz) <= 0.0001 else 0.0001)
    return r, c


def run(case):
    t, ref, cur, kind = case["test"], case["ref"], case["cur"], case.get("kind", "num")
    if t == "ks":
        res = stats.ks_2samp(ref, cur)
        return res.pvalue, res.statistic
    if t == "chisquare":
        keys = list(set(ref) | set(cur))
        k_norm = len(cur) / len(ref)
        f_exp = [ref.count(k) * k_norm for k in keys]
        f_obs = [cur.count(k) for k in keys]
        with np.errstate(divide="ignore", invalid="ignore"):
            stat, p = stats.chisquare(f_obs, f_exp)
        return p, stat
    if t == "z":
        if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
            return 1.0, 0.0
        first = sorted(set(ref) | set(cur))[0]
        a = np.array([0 if v == first else 1 for v in ref])
        b = np.array([0 if v == first else 1 for v in cur])
        n1, n2 = len(a), len(b)
        p1, p2 = a.sum() / n1, b.sum() / n2
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
        return 2 * (1 - stats.norm.cdf(abs(z))), z
    if t == "wasserstein":
        norm = max(np.std(ref), 0.001)
        v = stats.wasserstein_distance(ref, cur) / norm
        return v, v
    if t == "jensenshannon":
        r, c = binned(ref, cur, kind, False)
        v = distance.jensenshannon(r, c, 2)
        return v, v
    if t == "psi":
        r, c = binned(ref, cur, kind, True)
        v = float(np.sum((r - c) * np.log(r / c)))
        return v, v
    raise ValueError(t)


def clean(x):
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


cases = json.load(sys.stdin)
out = []
for case in cases:
    score, statistic = run(case)
    out.append({"score": clean(score), "statistic": clean(statistic)})
json.dump(out, sys.stdout)
