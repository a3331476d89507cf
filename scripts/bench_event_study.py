#!/usr/bin/env python3
"""The event study in plain numpy/pandas (+ scipy for t p-values), for scripts/bench-event-study.

Same study as services/analytics (market model, estimation [-250,-11], windows [0,0] [-1,1]
[0,5] [-5,5]; AR with t and p, CAR with t and p, BHAR, the CAR path with its band, and the
cross-sectional t, Patell Z, BMP and Corrado tests), in two styles:
  loop        per event and per stock, as the Python event-study packages do it;
  vectorized  per event, all stocks at once with numpy broadcasting (a best case for numpy).

  bench_event_study.py watchlist OUT_DIR          # bundled data: 13 watchlist symbols, 20 events
  bench_event_study.py synthetic OUT_DIR N YEARS E # synthetic: N stocks, YEARS*252 sessions, E events
  bench_event_study.py run PRICES.csv EVENTS.txt BENCHMARK MODE RUNS
"""
import csv
import json
import math
import os
import sys
import time

import numpy as np
import pandas as pd
from scipy.stats import rankdata, t as student_t, norm

np.seterr(all="ignore")  # the benchmark studied against itself has σ = 0: t is 0/0

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
EST = (-250, -11)
WINDOWS = [(0, 0), (-1, 1), (0, 5), (-5, 5)]
WATCHLIST = ["NVDA", "AMD", "AVGO", "TSM", "ASML", "MU", "INTC", "SMCI", "ARM", "MRVL", "SPY", "QQQ", "SOXX"]


def write_watchlist(out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "prices.csv"), "w") as f:
        f.write("symbol,day,adj_close\n")
        for s in WATCHLIST:
            with open(os.path.join(ROOT, "data", "prices", s + ".csv")) as src:
                for row in csv.DictReader(src):
                    f.write(f"{s},{row['date']},{row['adj_close']}\n")
    # The seed events the data can study, then the first session of each month to reach 20.
    days = ["2024-07-23", "2024-09-12", "2024-12-05", "2024-12-20", "2024-12-24", "2025-01-20",
            "2025-01-27", "2025-01-31", "2025-02-27"]
    for m in ["2024-08", "2024-10", "2024-11", "2025-03", "2025-04", "2025-05", "2025-06"]:
        days.append(m + "-02")
    days += ["2024-08-20", "2024-10-15", "2024-11-06", "2025-04-07"]
    with open(os.path.join(out, "events.txt"), "w") as f:
        f.write("\n".join(sorted(days[:20])) + "\n")


def write_synthetic(out, n, years, e):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(42)
    sessions = pd.bdate_range("2015-01-02", periods=years * 252)
    T = len(sessions)
    rm = rng.normal(0.0004, 0.011, T)
    beta = rng.uniform(0.5, 2.0, n)
    eps = rng.normal(0, 0.02, (T, n))
    r = 0.0002 + rm[:, None] * beta[None, :] + eps
    prices = 50.0 * np.cumprod(1 + r, axis=0)
    spy = 400.0 * np.cumprod(1 + rm)
    days = sessions.strftime("%Y-%m-%d")
    with open(os.path.join(out, "prices.csv"), "w") as f:
        f.write("symbol,day,adj_close\n")
        f.writelines(f"SPY,{d},{p:.6f}\n" for d, p in zip(days, spy))
        for j in range(n):
            sym = f"S{j:04d}"
            f.writelines(f"{sym},{d},{p:.6f}\n" for d, p in zip(days, prices[:, j]))
    idx = np.sort(rng.choice(np.arange(260, T - 10), size=e, replace=False))
    with open(os.path.join(out, "events.txt"), "w") as f:
        f.write("\n".join(days[i] for i in idx) + "\n")


def panel(df, benchmark):
    wide = df.pivot(index="day", columns="symbol", values="adj_close")
    cal = wide.index[wide[benchmark].notna()]
    wide = wide.loc[cal]
    rets = (wide / wide.shift(1) - 1.0)
    symbols = list(rets.columns)
    return cal.values, rets[benchmark].to_numpy(), rets.to_numpy(), symbols


def study_loop(cal, rm, R, event_day):
    d0 = int(np.searchsorted(cal, event_day))
    lo = min(w[0] for w in WINDOWS)
    hi = max(w[1] for w in WINDOWS)
    est = slice(d0 + EST[0], d0 + EST[1] + 1)
    ev = slice(d0 + lo, d0 + hi + 1)
    stocks = []
    for j in range(R.shape[1]):
        x, y = rm[est], R[est, j]
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            continue
        L = len(x)
        xm, ym = x.mean(), y.mean()
        sxx = ((x - xm) ** 2).sum()
        beta = ((x - xm) * (y - ym)).sum() / sxx
        alpha = ym - beta * xm
        resid = y - alpha - beta * x
        s = math.sqrt((resid ** 2).sum() / (L - 2))
        df = L - 2
        xe, ye = rm[ev], R[ev, j]
        if not (np.isfinite(xe).all() and np.isfinite(ye).all()):
            continue
        ar = ye - alpha - beta * xe
        t = ar / (s * np.sqrt(1 + 1 / L + (xe - xm) ** 2 / sxx))
        p = 2 * student_t.sf(np.abs(t), df)
        cars = []
        for (a, b) in WINDOWS + [(lo, k) for k in range(lo, hi + 1)]:
            sl = slice(a - lo, b - lo + 1)
            n = b - a + 1
            car = ar[sl].sum()
            se = s * math.sqrt(n + n * n / L + ((xe[sl] - xm).sum()) ** 2 / sxx)
            tc = car / se
            bhar = np.prod(1 + ye[sl]) - np.prod(1 + alpha + beta * xe[sl])
            cars.append((car, tc, 2 * student_t.sf(abs(tc), df), bhar))
        stocks.append((resid, ar, cars[: len(WINDOWS)], df, p))
    return group(stocks, lo)


def group(stocks, lo):
    out = []
    N = len(stocks)
    K = np.array([rankdata(np.concatenate([s[0], s[1]])) for s in stocks])
    T = K.shape[1]
    kbar = (K - (T + 1) / 2).mean(axis=0)
    s2 = (kbar ** 2).sum() / T
    L = len(stocks[0][0])
    car_sum = 0.0
    for k, (a, b) in enumerate(WINDOWS):
        cars = np.array([s[2][k][0] for s in stocks])
        scar = np.array([s[2][k][1] for s in stocks])
        car_sum += cars.sum()
        cs = cars.mean() / (cars.std(ddof=1) / math.sqrt(N))
        bmp = scar.mean() / (scar.std(ddof=1) / math.sqrt(N))
        pat = scar.sum() / math.sqrt(sum(s[3] / (s[3] - 2) for s in stocks))
        cz = kbar[[L + d - lo for d in range(a, b + 1)]].sum() / math.sqrt((b - a + 1) * s2)
        out.append((cs, 2 * student_t.sf(abs(cs), N - 1), pat, 2 * norm.sf(abs(pat)),
                    bmp, 2 * student_t.sf(abs(bmp), N - 1), cz, 2 * norm.sf(abs(cz))))
    return len(stocks), car_sum, out


def study_vectorized(cal, rm, R, event_day):
    d0 = int(np.searchsorted(cal, event_day))
    lo = min(w[0] for w in WINDOWS)
    hi = max(w[1] for w in WINDOWS)
    x = rm[d0 + EST[0]: d0 + EST[1] + 1]
    Y = R[d0 + EST[0]: d0 + EST[1] + 1]
    xe = rm[d0 + lo: d0 + hi + 1]
    Ye = R[d0 + lo: d0 + hi + 1]
    ok = np.isfinite(Y).all(axis=0) & np.isfinite(Ye).all(axis=0)
    Y, Ye = Y[:, ok], Ye[:, ok]
    L, N = Y.shape
    xm = x.mean()
    sxx = ((x - xm) ** 2).sum()
    beta = ((x - xm)[:, None] * (Y - Y.mean(axis=0))).sum(axis=0) / sxx
    alpha = Y.mean(axis=0) - beta * xm
    resid = Y - alpha - np.outer(x, beta)
    s = np.sqrt((resid ** 2).sum(axis=0) / (L - 2))
    df = L - 2
    E = alpha + np.outer(xe, beta)
    AR = Ye - E
    t = AR / (s * np.sqrt(1 + 1 / L + ((xe - xm) ** 2 / sxx))[:, None])
    p = 2 * student_t.sf(np.abs(t), df)
    res = []
    for (a, b) in WINDOWS + [(lo, k) for k in range(lo, hi + 1)]:
        sl = slice(a - lo, b - lo + 1)
        n = b - a + 1
        car = AR[sl].sum(axis=0)
        se = s * math.sqrt(n + n * n / L + ((xe[sl] - xm).sum()) ** 2 / sxx)
        tc = car / se
        bhar = np.prod(1 + Ye[sl], axis=0) - np.prod(1 + E[sl], axis=0)
        res.append((car, tc, 2 * student_t.sf(np.abs(tc), df), bhar))
    K = rankdata(np.vstack([resid, AR]), axis=0)
    T = K.shape[0]
    kbar = (K - (T + 1) / 2).mean(axis=1)
    s2 = (kbar ** 2).sum() / T
    car_sum = 0.0
    for k, (a, b) in enumerate(WINDOWS):
        car, scar = res[k][0], res[k][1]
        car_sum += car.sum()
        cs = car.mean() / (car.std(ddof=1) / math.sqrt(N))
        bmp = scar.mean() / (scar.std(ddof=1) / math.sqrt(N))
        pat = scar.sum() / math.sqrt(N * df / (df - 2))
        cz = kbar[[L + d - lo for d in range(a, b + 1)]].sum() / math.sqrt((b - a + 1) * s2)
        _ = (student_t.sf(abs(cs), N - 1), norm.sf(abs(pat)), student_t.sf(abs(bmp), N - 1), norm.sf(abs(cz)))
    return N, car_sum, p


def run(prices, events, benchmark, mode, runs):
    df = pd.read_csv(prices, dtype={"symbol": str, "day": str, "adj_close": float})
    evs = [l.strip() for l in open(events) if l.strip()]
    fn = study_loop if mode == "loop" else study_vectorized
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        cal, rm, R, symbols = panel(df, benchmark)
        n_total, car_total = 0, 0.0
        for e in evs:
            n, cs, _ = fn(cal, rm, R, e)
            n_total += n
            car_total += cs
        best = min(best, (time.perf_counter() - t0) * 1e3)
    print(json.dumps({"impl": f"numpy-{mode}", "ms": round(best, 3), "stock_events": n_total,
                      "car_sum": round(car_total, 12)}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "watchlist":
        write_watchlist(sys.argv[2])
    elif cmd == "synthetic":
        write_synthetic(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
    else:
        sys.exit(__doc__)
