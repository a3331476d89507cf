#!/usr/bin/env python3
"""Extends the bundled daily prices (data/prices, 2023-07-03 … 2025-06-30) with the one-year
download in shared/data/prices/2025-05_2026-05 (2025-05-12 … 2026-05-11, yfinance-adjusted
`Date,Close,High,Low,Open,Volume`).

For a symbol already bundled: ratio = median over the common sessions of bundled adj_close /
new Close (TSM: the ratio on 2025-06-30 itself, an ex-dividend date falls inside the overlap).
Rows after 2025-06-30 are appended with open/high/low/close scaled by the ratio and
adj_close = scaled close, so adj_close is continuous at 2025-06-30. Symbols not bundled yet
(ORCL and the indices GSPC, SOX, IXIC) are written as they are, adj_close = close.
Standard library only; prints the ratio used per symbol. Usage:
    scripts/splice_prices.py ../shared/data/prices/2025-05_2026-05 data/prices
"""
import csv, statistics, sys, os

SPLICE_AFTER = "2025-06-30"


def read_new(path):
    with open(path, newline="") as fh:
        r = csv.DictReader(fh)
        return [(row["Date"], float(row["Open"]), float(row["High"]), float(row["Low"]),
                 float(row["Close"]), int(float(row["Volume"]))) for row in r]


def fmt(x):
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return s if s else "0"


def main(src, dst):
    for name in sorted(os.listdir(src)):
        if not name.endswith(".csv"):
            continue
        sym = name[:-4]
        new = read_new(os.path.join(src, name))
        out = os.path.join(dst, name)
        if os.path.exists(out):
            with open(out, newline="") as fh:
                old = list(csv.DictReader(fh))
            last = old[-1]["date"]
            if last > SPLICE_AFTER:
                print(f"{sym}: already extended to {last}, skipped")
                continue
            adj = {row["date"]: float(row["adj_close"]) for row in old}
            common = [(d, adj[d] / c) for d, _, _, _, c, _ in new if d in adj]
            if sym == "TSM":
                ratio = dict(common)[SPLICE_AFTER]
            else:
                ratio = statistics.median(r for _, r in common)
            rows = [row for row in new if row[0] > SPLICE_AFTER]
            mode = "a"
        else:
            ratio, common, mode = 1.0, [], "w"
            rows = new
        with open(out, mode, newline="") as fh:
            if mode == "w":
                fh.write("date,open,high,low,close,adj_close,volume\n")
            for d, o, h, l, c, v in rows:
                sc = c * ratio
                fh.write(",".join([d, fmt(o * ratio), fmt(h * ratio), fmt(l * ratio), fmt(sc),
                                   fmt(sc), str(v)]) + "\n")
        print(f"{sym}: ratio {ratio:.6f} over {len(common)} common sessions, "
              f"{len(rows)} rows {rows[0][0]} … {rows[-1][0]}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
