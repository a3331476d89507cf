#!/usr/bin/env python3
"""Independent reference for the jevons event study, with numpy only.

Recomputes, from the bundled CSVs in data/prices, the study of the 2025-01-27 sell-off for the
watchlist against SPY with each normal-return model, and writes the numbers the Rust test
(services/analytics/tests/reference.rs) compares against to 1e-9:

    python3 scripts/event_study_reference.py > services/analytics/tests/fixtures/event_study_reference.json

Formulas (the same conventions as services/analytics/src/event_study.rs, written again here
from the textbook, not translated from the Rust):
  returns     r_t = P_t / P_{t-1} - 1 on the benchmark's sessions
  market      OLS alpha, beta over the estimation window; s with L-2 df;
              var AR_t = s^2 (1 + 1/L + (Rm_t - mean Rm)^2 / Sxx)
              var CAR  = s^2 (n + n^2/L + (sum (Rm_t - mean Rm))^2 / Sxx)
  mean        E[R] = mean R, s with L-1 df, var CAR = n s^2
  adjusted    E[R] = Rm, s = sd(R - Rm) with L-1 df, var CAR = n s^2
  BHAR        prod(1 + R) - prod(1 + E[R])
  group       cross-sectional t, Patell Z, BMP t, Corrado (Cowan) rank Z
Normal p-values are checked too (math.erfc); Student-t p-values need scipy and are left out.
"""
import csv
import json
import math
import os
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PRICES = os.path.join(ROOT, "data", "prices")
SYMBOLS = ["NVDA", "AMD", "AVGO", "TSM", "ASML", "MU", "INTC", "SMCI", "ARM", "MRVL"]
BENCHMARK = "SPY"
EVENT_DAY = "2025-01-27"
ESTIMATION = (-250, -11)
WINDOWS = [(0, 0), (-1, 1), (0, 5), (-5, 5)]


def load(symbol):
    with open(os.path.join(PRICES, symbol + ".csv")) as f:
        return {row["date"]: float(row["adj_close"]) for row in csv.DictReader(f)}


def rankdata(x):
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    xs = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def study(model):
    bench = load(BENCHMARK)
    days = sorted(bench)
    bp = np.array([bench[d] for d in days])
    rm = np.full(len(days), np.nan)
    rm[1:] = bp[1:] / bp[:-1] - 1.0
    d0 = next(i for i, d in enumerate(days) if d >= EVENT_DAY)
    est = np.arange(d0 + ESTIMATION[0], d0 + ESTIMATION[1] + 1)
    lo = min(w[0] for w in WINDOWS)
    hi = max(w[1] for w in WINDOWS)
    ev = np.arange(d0 + lo, d0 + hi + 1)
    stocks = {}
    for sym in SYMBOLS:
        px = load(sym)
        p = np.array([px.get(d, np.nan) for d in days])
        r = np.full(len(days), np.nan)
        r[1:] = p[1:] / p[:-1] - 1.0
        x, y = rm[est], r[est]
        assert np.all(np.isfinite(x)) and np.all(np.isfinite(y)), sym
        L = len(x)
        xm = x.mean()
        sxx = ((x - xm) ** 2).sum()
        if model == "market":
            X = np.column_stack([np.ones(L), x])
            (alpha, beta), *_ = np.linalg.lstsq(X, y, rcond=None)
            resid = y - X @ np.array([alpha, beta])
            s = math.sqrt((resid ** 2).sum() / (L - 2))
            df = L - 2
        elif model == "mean":
            alpha, beta = y.mean(), 0.0
            s = y.std(ddof=1)
            df = L - 1
        else:
            alpha, beta = 0.0, 1.0
            s = (y - x).std(ddof=1)
            df = L - 1
        exp_est = alpha + beta * x
        est_ar = y - exp_est
        xe, ye = rm[ev], r[ev]
        ar = ye - (alpha + beta * xe)
        if model == "market":
            var1 = s ** 2 * (1 + 1 / L + (xe - xm) ** 2 / sxx)
        else:
            var1 = np.full(len(ev), s ** 2)
        t = ar / np.sqrt(var1)
        cars = []
        for (a, b) in WINDOWS:
            sel = slice(a - lo, b - lo + 1)
            n = b - a + 1
            car = ar[sel].sum()
            if model == "market":
                var = s ** 2 * (n + n * n / L + ((xe[sel] - xm).sum()) ** 2 / sxx)
            else:
                var = n * s ** 2
            bhar = np.prod(1 + ye[sel]) - np.prod(1 + alpha + beta * xe[sel])
            cars.append({"window": [a, b], "car": car, "t": car / math.sqrt(var), "bhar": bhar})
        stocks[sym] = {
            "alpha": alpha, "beta": beta, "sigma": s, "df": df, "estimation_days": L,
            "ar": ar.tolist(), "ar_t": t.tolist(), "cars": cars, "est_ar": est_ar, "ev_ar": ar,
        }
    group = []
    for k, (a, b) in enumerate(WINDOWS):
        cars = np.array([stocks[s]["cars"][k]["car"] for s in SYMBOLS])
        scar = np.array([stocks[s]["cars"][k]["t"] for s in SYMBOLS])
        N = len(SYMBOLS)
        cs_t = cars.mean() / (cars.std(ddof=1) / math.sqrt(N))
        bmp = scar.mean() / (scar.std(ddof=1) / math.sqrt(N))
        patell = scar.sum() / math.sqrt(sum(stocks[s]["df"] / (stocks[s]["df"] - 2) for s in SYMBOLS))
        # Corrado / Cowan: ranks over estimation + event days per stock.
        K = np.array([rankdata(np.concatenate([stocks[s]["est_ar"], stocks[s]["ev_ar"]])) for s in SYMBOLS])
        T = K.shape[1]
        U = K - (T + 1) / 2.0
        kbar = U.mean(axis=0)
        s2 = (kbar ** 2).sum() / T
        L = len(stocks[SYMBOLS[0]]["est_ar"])
        cols = [L + (d - lo) for d in range(a, b + 1)]
        corrado = kbar[cols].sum() / math.sqrt((b - a + 1) * s2)
        group.append({
            "window": [a, b], "mean_car": cars.mean(), "cross_sectional_t": cs_t,
            "patell_z": patell, "patell_p": math.erfc(abs(patell) / math.sqrt(2)),
            "bmp_t": bmp, "corrado_z": corrado, "corrado_p": math.erfc(abs(corrado) / math.sqrt(2)),
        })
    for s in stocks.values():
        del s["est_ar"], s["ev_ar"]
        for key in ("alpha", "beta", "sigma"):
            s[key] = float(s[key])
    return {"day0": days[d0], "stocks": stocks, "group": group}


def main():
    out = {
        "event_day": EVENT_DAY, "benchmark": BENCHMARK, "symbols": SYMBOLS,
        "estimation": list(ESTIMATION), "windows": [list(w) for w in WINDOWS],
        "numpy": np.__version__,
        "models": {m: study(m) for m in ("market", "mean", "adjusted")},
    }
    json.dump(out, sys.stdout, indent=1, default=float)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
