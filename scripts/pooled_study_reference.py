#!/usr/bin/env python3
"""Independent reference for the jevons pooled event study, with numpy and scipy.

Recomputes from the bundled CSVs in data/prices the market-model studies of eight 2024-2025
model-release events for the watchlist against SPY, clusters the events whose windows overlap,
and pools them; writes the numbers services/analytics/tests/pooled_reference.rs compares
against to 1e-9:

    python3 scripts/pooled_study_reference.py > services/analytics/tests/fixtures/pooled_study_reference.json

Written from the papers, not translated from the Rust (see services/analytics/src/pooled.rs
for the conventions): per (observation, stock) pair the CAR and the SCAR (CAR over its
market-model prediction-error standard deviation); CAAR, cross-sectional t, BMP t,
Kolari-Pynnonen t_BMP * sqrt((1 - r)/(1 + (N - 1) r)) with r the average correlation over all
pairs of the pooled sample (within an observation: the average pairwise correlation of the
stocks' estimation residuals, here from np.corrcoef; across observations 0), Cowan's
generalized sign Z, the pooled Corrado/Cowan rank Z, and the CAAR path with its 95% band.
A cluster (events whose sessions [day0 - 1, day0 + 5] overlap, chained) is one observation:
per stock, the average of its members (over distinct day-0 sessions).
"""
import json
import math
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from event_study_reference import load, rankdata  # noqa: E402

SYMBOLS = ["NVDA", "AMD", "AVGO", "TSM", "ASML", "MU", "INTC", "SMCI", "ARM", "MRVL"]
BENCHMARK = "SPY"
# DeepSeek R1-Lite preview, DeepSeek-V3, R1 (a holiday: day 0 is the 21st), the sell-off,
# o3-mini, Claude 3.7 Sonnet, Gemini 2.5 Pro, o3.
EVENTS = ["2024-11-20", "2024-12-26", "2025-01-20", "2025-01-27", "2025-01-31",
          "2025-02-24", "2025-03-25", "2025-04-16"]
ESTIMATION = (-250, -11)
SPAN = (-5, 5)  # the per-event study's span (its default windows)
WINDOWS = [(0, 0), (0, 1), (-1, 1), (0, 5)]


def event(days, rm, rets, day):
    d0 = next(i for i, d in enumerate(days) if d >= day)
    est = np.arange(d0 + ESTIMATION[0], d0 + ESTIMATION[1] + 1)
    ev = np.arange(d0 + SPAN[0], d0 + SPAN[1] + 1)
    x = rm[est]
    L = len(x)
    xm = x.mean()
    sxx = ((x - xm) ** 2).sum()
    out = {"d0": d0, "stocks": {}}
    resid = []
    for sym in SYMBOLS:
        y = rets[sym][est]
        assert np.all(np.isfinite(y)), (sym, day)
        beta, alpha = np.polyfit(x, y, 1)
        e = y - alpha - beta * x
        s = math.sqrt((e ** 2).sum() / (L - 2))
        xe, ye = rm[ev], rets[sym][ev]
        ar = ye - alpha - beta * xe
        cars, scars = [], []
        for a, b in WINDOWS:
            sel = slice(a - SPAN[0], b - SPAN[0] + 1)
            n = b - a + 1
            car = ar[sel].sum()
            var = s ** 2 * (n + n * n / L + ((xe[sel] - xm).sum()) ** 2 / sxx)
            cars.append(car)
            scars.append(car / math.sqrt(var))
        resid.append(e)
        out["stocks"][sym] = {
            "car": np.array(cars), "scar": np.array(scars), "path": np.cumsum(ar),
            "pos": (e > 0).mean(), "ranks": rankdata(np.concatenate([e, ar])),
        }
    c = np.corrcoef(np.array(resid))
    n = len(SYMBOLS)
    out["r"] = (c.sum() - n) / (n * (n - 1))
    K = np.array([out["stocks"][s]["ranks"] for s in SYMBOLS])
    out["kbar"] = (K - (K.shape[1] + 1) / 2.0).mean(axis=0)
    return out


def main():
    bench = load(BENCHMARK)
    days = sorted(bench)
    bp = np.array([bench[d] for d in days])
    rm = np.full(len(days), np.nan)
    rm[1:] = bp[1:] / bp[:-1] - 1.0
    rets = {}
    for sym in SYMBOLS:
        px = load(sym)
        p = np.array([px.get(d, np.nan) for d in days])
        r = np.full(len(days), np.nan)
        r[1:] = p[1:] / p[:-1] - 1.0
        rets[sym] = r
    evs = [event(days, rm, rets, d) for d in EVENTS]
    lo = min(w[0] for w in WINDOWS)
    hi = max(w[1] for w in WINDOWS)
    # Chain events whose session footprints [d0 + lo, d0 + hi] overlap.
    groups = []
    for i, e in enumerate(evs):
        if groups and e["d0"] + lo <= groups[-1]["last"]:
            groups[-1]["members"].append(i)
            groups[-1]["last"] = max(groups[-1]["last"], e["d0"] + hi)
        else:
            groups.append({"members": [i], "last": e["d0"] + hi})
    obs = []
    for g in groups:
        ms = [evs[i] for i in g["members"]]  # distinct sessions here, so equal weights
        o = {"n": len(SYMBOLS), "r": np.mean([m["r"] for m in ms]),
             "kbar": np.mean([m["kbar"] for m in ms], axis=0), "stocks": {}}
        for sym in SYMBOLS:
            o["stocks"][sym] = {k: np.mean([m["stocks"][sym][k] for m in ms], axis=0)
                                for k in ("car", "scar", "path", "pos")}
        obs.append(o)
    pairs = [o["stocks"][s] for o in obs for s in SYMBOLS]
    N = len(pairs)
    r_pool = sum(o["n"] * (o["n"] - 1) * o["r"] for o in obs) / (N * (N - 1))
    kbar = sum(o["n"] * o["kbar"] for o in obs) / sum(o["n"] for o in obs)
    s2 = (kbar ** 2).mean()
    L = ESTIMATION[1] - ESTIMATION[0] + 1
    windows = []
    for j, (a, b) in enumerate(WINDOWS):
        car = np.array([p["car"][j] for p in pairs])
        scar = np.array([p["scar"][j] for p in pairs])
        cs = car.mean() / (car.std(ddof=1) / math.sqrt(N))
        bmp = scar.mean() / (scar.std(ddof=1) / math.sqrt(N))
        kp = bmp * math.sqrt((1 - r_pool) / (1 + (N - 1) * r_pool))
        w = int((car > 0).sum())
        p_hat = np.mean([p["pos"] for p in pairs])
        sign = (w - N * p_hat) / math.sqrt(N * p_hat * (1 - p_hat))
        cols = [L + d - SPAN[0] for d in range(a, b + 1)]
        corrado = kbar[cols].sum() / math.sqrt((b - a + 1) * s2)
        tp = lambda t: 2 * stats.t.sf(abs(t), N - 1)  # noqa: E731
        windows.append({
            "window": [a, b], "n": N, "caar": car.mean(), "cs_t": cs, "cs_p": tp(cs),
            "bmp_t": bmp, "bmp_p": tp(bmp), "kp_t": kp, "kp_p": tp(kp), "r_pool": r_pool,
            "positive": w, "p_hat": p_hat, "sign_z": sign, "sign_p": 2 * stats.norm.sf(abs(sign)),
            "corrado_z": corrado, "corrado_p": 2 * stats.norm.sf(abs(corrado)),
        })
    crit = stats.t.ppf(0.975, N - 1)
    path = []
    for d, rel in enumerate(range(SPAN[0], SPAN[1] + 1)):
        v = np.array([p["path"][d] for p in pairs])
        path.append({"rel": rel, "caar": v.mean(), "band": crit * v.std(ddof=1) / math.sqrt(N)})
    out = {
        "benchmark": BENCHMARK, "symbols": SYMBOLS, "events": EVENTS,
        "sessions": [days[e["d0"]] for e in evs],
        "event_r": [e["r"] for e in evs],
        "clusters": [[EVENTS[i] for i in g["members"]] for g in groups if len(g["members"]) > 1],
        "observations": len(obs), "windows": windows, "path": path,
        "numpy": np.__version__,
    }
    json.dump(out, sys.stdout, indent=1, default=float)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
