//! Shared helpers of the analytics integration tests: the bundled price CSVs as series.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

use chrono::NaiveDate;

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

/// Each symbol's (day, adj_close) series from data/prices.
pub type Prices = Vec<(String, Vec<(NaiveDate, f64)>)>;

pub fn prices(symbols: &[&str]) -> Prices {
    symbols.iter().map(|s| (s.to_string(), load(s))).collect()
}

/// `prices` as the analytics take them.
pub fn series(prices: &Prices) -> impl Iterator<Item = (&str, &[(NaiveDate, f64)])> {
    prices.iter().map(|(s, b)| (s.as_str(), b.as_slice()))
}

/// Numbers from the numpy/scipy references agree to this, relative above 1.
pub const TOL: f64 = 1e-9;

/// `got` against the reference value `want`, to [`TOL`].
pub fn close(label: &str, got: f64, want: &serde_json::Value) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{label}: not a number: {want}"));
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= TOL * scale,
        "{label}: jevons {got:.15e}, numpy {want:.15e}"
    );
}

/// A reference script's output in tests/fixtures.
pub fn fixture(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
