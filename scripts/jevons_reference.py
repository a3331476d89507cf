#!/usr/bin/env python3
"""Independent reference for the jevons price-of-intelligence fit and the demand elasticity,
with numpy and scipy.

Reads the CSV inputs (models: model,released,score,usd_per_mtok,effective,basis; demand facts:
symbol,metric,fiscal_period,period_start,period_end,value_usd,provenance) and prints the
numbers that services/analytics/tests/jevons_reference.rs compares against to 1e-9:

    python3 scripts/jevons_reference.py services/analytics/tests/fixtures/jevons \
        > services/analytics/tests/fixtures/jevons/expected.json

The same inputs through Rust: cargo run -p jevons-analytics --example jevons_dump -- DIR

Conventions (services/analytics/src/{price_of_intelligence,demand,jevons}.rs), written again
here from their statement, not translated from the Rust:
  time        years = days since 1970-01-01 / 365.25
  arrival     a price point counts from max(release, effective); the price in effect on a day is
              the model's latest point with effective <= day, once the model is released
  step        at each arrival day, the cheapest price in effect among models with
              score >= threshold (ties: higher score, then name); a point when model or price
              changes
  fit rules   step_changes: step points where the price differs from the previous fitted one;
              cheapest_at_arrival: each model's first price point, kept when cheaper than every
              other qualifying model in effect the day before (and same-day arrivals kept)
  fit         OLS ln(price) ~ years; factor = exp(-slope); CI = exp(-(slope +- t975 * se)),
              t975 = scipy.stats.t.ppf(0.975, n - 2)
  quarters    a fiscal quarter goes to the calendar quarter of its middle day
              start + (end - start) // 2; no start: three months before the end, plus one day
  price/qtr   the step value in effect on the quarter's last day
  elasticity  OLS dlnD ~ dlnP over quarters with both; Pearson corr(dlnP_t, dlnD_t+lag)
  event       quarter E holding the date left out; sums over E-4..E-1 and E+1..E+4
"""
import calendar
import csv
import datetime as dt
import json
import math
import os
import sys

import numpy as np
from scipy import stats

EPOCH = dt.date(1970, 1, 1)
THRESHOLDS = [
    {"label": "gpt-4o level, step changes", "model": "gpt-4o-2024-05-13", "rule": "step_changes"},
    {"label": "gpt-4o level, cheapest at arrival", "model": "gpt-4o-2024-05-13", "rule": "cheapest_at_arrival"},
    {"label": "gpt-4 level, cheapest at arrival", "model": "gpt-4-0613", "rule": "cheapest_at_arrival"},
    {"label": "score 0.7, step changes", "score": 0.7, "rule": "step_changes"},
    {"label": "score 0.95, unreached", "score": 0.95, "rule": "step_changes"},
]
RELATION_PRICE = 0  # index into THRESHOLDS
BUYERS = ["AMZN", "GOOGL", "META", "MSFT"]
EVENT = ("DeepSeek-R1", dt.date(2025, 1, 20))


def day(s):
    return dt.date.fromisoformat(s)


def years(d):
    return (d - EPOCH).days / 365.25


def load_models(path):
    with open(path) as f:
        return [
            {
                "model": r["model"],
                "released": day(r["released"]),
                "score": float(r["score"]),
                "price": float(r["usd_per_mtok"]),
                "effective": day(r["effective"]),
                "basis": r["basis"],
            }
            for r in csv.DictReader(f)
        ]


def in_effect(hist, d):
    best = None
    for p in hist:  # sorted by effective
        if p["effective"] <= d:
            best = p
    if best is None or best["released"] > d:
        return None
    return best


def step_series(models, thr):
    hist = {}
    for p in models:
        if p["score"] >= thr:
            hist.setdefault(p["model"], []).append(p)
    for h in hist.values():
        h.sort(key=lambda p: p["effective"])
    days = sorted({max(p["released"], p["effective"]) for h in hist.values() for p in h})
    series = []
    for d in days:
        cands = [q for q in (in_effect(h, d) for h in hist.values()) if q is not None]
        if not cands:
            continue
        best = min(cands, key=lambda p: (p["price"], -p["score"], p["model"]))
        if not series or series[-1]["model"] != best["model"] or series[-1]["price"] != best["price"]:
            series.append({"date": d, "model": best["model"], "price": best["price"], "basis": best["basis"]})
    return series, hist


def fitted_points(series, hist, rule):
    if rule == "step_changes":
        out = []
        for p in series:
            if not out or out[-1]["price"] != p["price"]:
                out.append(p)
        return out
    arrivals = sorted((h[0] for h in hist.values()), key=lambda p: (max(p["released"], p["effective"]), p["model"]))
    out = []
    for a in arrivals:
        d = max(a["released"], a["effective"])
        before = d - dt.timedelta(days=1)
        prices = [q["price"] for m, h in hist.items() if m != a["model"] for q in [in_effect(h, before)] if q]
        prices += [p["price"] for p in out if p["date"] == d]
        if not prices or a["price"] < min(prices):
            out.append({"date": d, "model": a["model"], "price": a["price"], "basis": a["basis"]})
    return out


def ols(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(x)
    X = np.column_stack([np.ones(n), x])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    sse = float(resid @ resid)
    sxx = float(((x - x.mean()) ** 2).sum())
    syy = float(((y - y.mean()) ** 2).sum())
    se = math.sqrt(sse / (n - 2) / sxx)
    t = float(stats.t.ppf(0.975, n - 2))
    return {
        "n": n,
        "slope": float(coef[1]),
        "intercept": float(coef[0]),
        "slope_se": se,
        "r2": 1.0 - sse / syy,
        "t_crit": t,
    }


def decline(models, spec):
    thr = spec.get("score")
    if "model" in spec:
        thr = max(p["score"] for p in models if p["model"] == spec["model"])
    series, hist = step_series(models, thr)
    pts = fitted_points(series, hist, spec["rule"])
    out = {
        "label": spec["label"],
        "threshold_score": thr,
        "series": [[p["date"].isoformat(), p["model"], p["price"]] for p in series],
        "fitted": [[p["date"].isoformat(), p["model"], p["price"], p["basis"]] for p in pts],
        "fit": None,
    }
    if len(pts) >= 3:
        f = ols([years(p["date"]) for p in pts], [math.log(p["price"]) for p in pts])
        f["factor_per_year"] = math.exp(-f["slope"])
        f["factor_ci_low"] = math.exp(-(f["slope"] + f["t_crit"] * f["slope_se"]))
        f["factor_ci_high"] = math.exp(-(f["slope"] - f["t_crit"] * f["slope_se"]))
        out["fit"] = f
    return out, series


def minus_three_months(d):
    m = d.month - 3
    y = d.year + (m - 1) // 12
    m = (m - 1) % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def qindex(d):
    return d.year * 4 + (d.month - 1) // 3


def qlabel(i):
    return f"{i // 4} Q{i % 4 + 1}"


def qlast(i):
    y, q = i // 4, i % 4 + 1
    return dt.date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])


def load_demand(path):
    series = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            end = day(r["period_end"])
            start = day(r["period_start"]) if r["period_start"] else minus_three_months(end) + dt.timedelta(days=1)
            mid = start + dt.timedelta(days=(end - start).days // 2)
            series.setdefault((r["symbol"], r["metric"]), {})[qindex(mid)] = float(r["value_usd"])
    return series


def relation(demand, steps):
    lo, hi = min(demand) - 1, max(demand)
    price = {}
    for i in range(lo, hi + 1):
        last = qlast(i)
        eff = [p for p in steps if p["date"] <= last]
        if eff:
            price[i] = eff[-1]["price"]
    dd, dp = {}, {}
    for i in range(lo + 1, hi + 1):
        if i in demand and i - 1 in demand:
            dd[i] = math.log(demand[i]) - math.log(demand[i - 1])
        if i in price and i - 1 in price:
            dp[i] = math.log(price[i]) - math.log(price[i - 1])
    both = [i for i in range(lo + 1, hi + 1) if i in dd and i in dp]
    out = {"n": len(both), "elasticity": None, "lead_lag": []}
    if len(both) >= 3 and np.var([dp[i] for i in both]) > 0:
        e = ols([dp[i] for i in both], [dd[i] for i in both])
        e["ci_low"] = e["slope"] - e["t_crit"] * e["slope_se"]
        e["ci_high"] = e["slope"] + e["t_crit"] * e["slope_se"]
        out["elasticity"] = e
    for lag in range(-2, 3):
        pairs = [(dp[i], dd[i + lag]) for i in range(lo + 1, hi + 1) if i in dp and i + lag in dd]
        corr = None
        if len(pairs) >= 3:
            a, b = np.array(pairs).T
            if a.std() > 0 and b.std() > 0:
                corr = float(np.corrcoef(a, b)[0, 1])
        out["lead_lag"].append({"lag": lag, "n": len(pairs), "corr": corr})
    e = qindex(EVENT[1])
    before = [e - k for k in (4, 3, 2, 1)]
    after = [e + k for k in (1, 2, 3, 4)]
    side = lambda qs: {
        "present": sum(q in demand for q in qs),
        "sum": sum(demand[q] for q in qs) if all(q in demand for q in qs) else None,
        "growth": [dd[q] for q in qs if q in dd],
    }
    b, a = side(before), side(after)
    out["event"] = {
        "quarter": qlabel(e),
        "before_present": b["present"],
        "after_present": a["present"],
        "level_change": a["sum"] / b["sum"] - 1.0 if a["sum"] is not None and b["sum"] is not None else None,
        "growth_before": math.exp(np.mean(b["growth"])) - 1.0 if b["growth"] else None,
        "growth_after": math.exp(np.mean(a["growth"])) - 1.0 if a["growth"] else None,
    }
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "services", "analytics", "tests", "fixtures", "jevons")
    models = load_models(os.path.join(root, "models.csv"))
    fits, steps = [], []
    # A directory may name its own levels (thresholds.csv: label,kind,value,rule with kind
    # model or score), as scripts/jevons-reference-bundled does for the bundled data.
    thresholds = THRESHOLDS
    path = os.path.join(root, "thresholds.csv")
    if os.path.exists(path):
        with open(path, newline="") as f:
            thresholds = [
                {"label": r["label"], r["kind"]: (float(r["value"]) if r["kind"] == "score" else r["value"]), "rule": r["rule"]}
                for r in csv.DictReader(f)
            ]
    for spec in thresholds:
        f, s = decline(models, spec)
        fits.append(f)
        steps.append(s)
    demand = load_demand(os.path.join(root, "demand.csv"))
    quarters = set.intersection(*(set(demand.get((b, "capex"), {})) for b in BUYERS))
    capex = {q: sum(demand[(b, "capex")][q] for b in BUYERS) for q in quarters}
    rel = {
        "NVDA data_center_revenue": relation(demand[("NVDA", "data_center_revenue")], steps[RELATION_PRICE]),
        "hyperscaler capex": relation(capex, steps[RELATION_PRICE]),
    }
    json.dump({"declines": fits, "relations": rel}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
