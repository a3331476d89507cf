//! Prices in, returns out: the long price frame (`symbol`, `day`, `adj_close`) that every market
//! computation starts from, simple returns with polars, and the aligned return panel the event
//! study and correlations run on.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;

/// Everything the market analytics can fail with; messages name the stock and the days.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
    #[error("{0}")]
    Invalid(String),
    #[error("no prices for the benchmark {0} in the data")]
    NoBenchmark(String),
    #[error("no prices for {0} in the data")]
    NoPrices(String),
    #[error(
        "the event on {event_day} cannot be anchored: the price calendar of the data ends on {last_session}"
    )]
    AfterData {
        event_day: NaiveDate,
        last_session: NaiveDate,
    },
    #[error(
        "{symbol}: too few estimation days: the window [{from}, {to}] needs {needed} trading days with returns ({first} … {last}), the data have {have}"
    )]
    InsufficientEstimation {
        symbol: String,
        from: i32,
        to: i32,
        needed: usize,
        have: usize,
        first: String,
        last: String,
    },
    #[error(
        "{symbol}: no return on {day} (day {rel:+} relative to day 0 {day0}): a gap in the event window"
    )]
    EventWindowGap {
        symbol: String,
        day: String,
        rel: i32,
        day0: NaiveDate,
    },
}

/// The polars `Date` physical value (days since 1970-01-01) of `d`.
pub fn date_to_days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    i32::try_from((d - epoch).num_days()).unwrap_or(i32::MAX)
}

/// The inverse of [`date_to_days`].
pub fn days_to_date(days: i32) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    epoch + chrono::Duration::days(i64::from(days))
}

/// The long price frame: one row per (symbol, day) with the adjusted close.
pub fn prices_frame<'a, I>(series: I) -> Result<DataFrame, MarketError>
where
    I: IntoIterator<Item = (&'a str, &'a [(NaiveDate, f64)])>,
{
    let mut symbols: Vec<&str> = Vec::new();
    let mut days: Vec<NaiveDate> = Vec::new();
    let mut closes: Vec<f64> = Vec::new();
    for (symbol, bars) in series {
        for (day, close) in bars {
            symbols.push(symbol);
            days.push(*day);
            closes.push(*close);
        }
    }
    let day = DateChunked::from_naive_date("day".into(), days).into_series();
    let df = DataFrame::new_infer_height(vec![
        Column::new("symbol".into(), symbols),
        day.into(),
        Column::new("adj_close".into(), closes),
    ])?;
    Ok(df)
}

/// Simple returns `adj_close_t / adj_close_{t-1} − 1` per symbol over its own consecutive days,
/// with polars: columns `symbol`, `day`, `ret` (the first day of each symbol is dropped).
pub fn simple_returns(prices: &DataFrame) -> Result<DataFrame, MarketError> {
    let previous = col("adj_close").shift(lit(1)).over([col("symbol")])?;
    let out = prices
        .clone()
        .lazy()
        .sort(["symbol", "day"], SortMultipleOptions::default())
        .with_column((col("adj_close") / previous - lit(1.0)).alias("ret"))
        .filter(col("ret").is_not_null())
        .select([col("symbol"), col("day"), col("ret")])
        .collect()?;
    Ok(out)
}

/// Returns aligned on the benchmark's sessions: the price calendar of the data.
#[derive(Debug, Clone)]
pub struct ReturnPanel {
    pub benchmark: String,
    /// The benchmark's sessions, ascending.
    pub calendar: Vec<NaiveDate>,
    /// The benchmark's return on each session (NaN on the first).
    pub market: Vec<f64>,
    pub symbols: Vec<String>,
    /// Per symbol, its return on each session of the calendar; NaN where the stock has no price
    /// that day or the session before (a gap, or before its listing).
    pub returns: Vec<Vec<f64>>,
}

impl ReturnPanel {
    pub fn index_of(&self, symbol: &str) -> Option<usize> {
        self.symbols.iter().position(|s| s == symbol)
    }
}

/// Builds the panel from the long price frame for `symbols` (all non-benchmark symbols in the
/// frame when empty), aligned on the sessions of `benchmark`.
pub fn return_panel(
    prices: &DataFrame,
    benchmark: &str,
    symbols: &[String],
) -> Result<ReturnPanel, MarketError> {
    let sym = prices.column("symbol")?.str()?;
    let day = prices.column("day")?.date()?.physical();
    let close = prices.column("adj_close")?.f64()?;
    // Rows usually come grouped by symbol: the map is consulted only when the symbol changes.
    let mut series: Vec<Vec<(i32, f64)>> = Vec::new();
    let mut slot_of: HashMap<&str, usize> = HashMap::new();
    let mut current: Option<(&str, usize)> = None;
    for ((s, d), c) in sym.iter().zip(day.iter()).zip(close.iter()) {
        let (Some(s), Some(d), Some(c)) = (s, d, c) else {
            continue;
        };
        let slot = match current {
            Some((name, slot)) if name == s => slot,
            _ => {
                let next = series.len();
                let slot = *slot_of.entry(s).or_insert(next);
                if slot == next {
                    series.push(Vec::new());
                }
                current = Some((s, slot));
                slot
            }
        };
        series[slot].push((d, c));
    }
    for v in &mut series {
        if !v.is_sorted_by_key(|p| p.0) {
            v.sort_by_key(|p| p.0);
        }
        v.dedup_by_key(|p| p.0);
    }
    let bars_of = |s: &str| slot_of.get(s).map(|i| &series[*i]);
    let bench = bars_of(benchmark)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| MarketError::NoBenchmark(benchmark.to_string()))?;
    let calendar_days: Vec<i32> = bench.iter().map(|p| p.0).collect();
    let bench_prices: Vec<f64> = bench.iter().map(|p| p.1).collect();
    let market = returns_from_prices(&bench_prices);

    let wanted: Vec<String> = if symbols.is_empty() {
        let mut all: Vec<String> = slot_of
            .keys()
            .filter(|s| **s != benchmark)
            .map(|s| (*s).to_string())
            .collect();
        all.sort();
        all
    } else {
        symbols.to_vec()
    };
    let mut returns = Vec::with_capacity(wanted.len());
    for s in &wanted {
        let bars = bars_of(s).ok_or_else(|| MarketError::NoPrices(s.clone()))?;
        // Both sides are sorted by day: one merge walk aligns the bars on the calendar.
        let mut aligned = vec![f64::NAN; calendar_days.len()];
        let mut i = 0;
        for (d, c) in bars.iter() {
            while i < calendar_days.len() && calendar_days[i] < *d {
                i += 1;
            }
            if i == calendar_days.len() {
                break;
            }
            if calendar_days[i] == *d {
                aligned[i] = *c;
            }
        }
        returns.push(returns_from_prices(&aligned));
    }
    Ok(ReturnPanel {
        benchmark: benchmark.to_string(),
        calendar: calendar_days.into_iter().map(days_to_date).collect(),
        market,
        symbols: wanted,
        returns,
    })
}

/// `p[i] / p[i-1] − 1` where both prices are usable, NaN elsewhere (and at 0).
pub fn returns_from_prices(p: &[f64]) -> Vec<f64> {
    let mut out = vec![f64::NAN; p.len()];
    for i in 1..p.len() {
        let (a, b) = (p[i - 1], p[i]);
        if a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0 {
            out[i] = b / a - 1.0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn polars_returns_match_the_panel() {
        let spy = [
            (d("2025-01-23"), 100.0),
            (d("2025-01-24"), 101.0),
            (d("2025-01-27"), 99.0),
        ];
        let nv = [
            (d("2025-01-23"), 147.1718),
            (d("2025-01-24"), 142.5733),
            (d("2025-01-27"), 118.3812),
        ];
        let df = prices_frame([("SPY", &spy[..]), ("NVDA", &nv[..])]).unwrap();
        let r = simple_returns(&df).unwrap();
        assert_eq!(r.height(), 4);
        let panel = return_panel(&df, "SPY", &["NVDA".to_string()]).unwrap();
        assert_eq!(panel.calendar.len(), 3);
        assert!(panel.returns[0][0].is_nan());
        assert!((panel.returns[0][2] - (118.3812 / 142.5733 - 1.0)).abs() < 1e-15);
        let nvda_last = r
            .lazy()
            .filter(col("symbol").eq(lit("NVDA")))
            .collect()
            .unwrap()
            .column("ret")
            .unwrap()
            .f64()
            .unwrap()
            .get(1)
            .unwrap();
        assert!((nvda_last - panel.returns[0][2]).abs() < 1e-15);
        assert!(matches!(
            return_panel(&df, "QQQ", &[]),
            Err(MarketError::NoBenchmark(_))
        ));
    }

    #[test]
    fn a_missing_day_leaves_gaps_not_two_day_returns() {
        let p = [1.0, f64::NAN, 1.2, 1.3];
        let r = returns_from_prices(&p);
        assert!(r[1].is_nan() && r[2].is_nan());
        assert!((r[3] - (1.3 / 1.2 - 1.0)).abs() < 1e-15);
    }
}
