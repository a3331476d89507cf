//! Shared helpers of the analytics integration tests: the bundled price CSVs as a frame.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

use chrono::NaiveDate;
use polars::prelude::DataFrame;

pub fn prices_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/prices")
}

/// (day, adj_close) rows of data/prices/SYMBOL.csv.
pub fn load(symbol: &str) -> Vec<(NaiveDate, f64)> {
    let text = std::fs::read_to_string(prices_dir().join(format!("{symbol}.csv"))).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let day_col = header.iter().position(|h| *h == "date").unwrap();
    let adj_col = header.iter().position(|h| *h == "adj_close").unwrap();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                NaiveDate::parse_from_str(f[day_col], "%Y-%m-%d").unwrap(),
                f[adj_col].parse().unwrap(),
            )
        })
        .collect()
}

pub fn frame(symbols: &[&str]) -> DataFrame {
    let data: Vec<(String, Vec<(NaiveDate, f64)>)> =
        symbols.iter().map(|s| (s.to_string(), load(s))).collect();
    jevons_analytics::returns::prices_frame(data.iter().map(|(s, b)| (s.as_str(), b.as_slice())))
        .unwrap()
}
