//! Prices in, returns out: the aligned return panel the event study and correlations run on,
//! built from each symbol's (day, adjusted close) series in one merge walk per symbol (plain
//! loops: a frame here was only copied back into vectors).

use std::collections::HashMap;

use chrono::NaiveDate;

/// Everything the analytics (returns, event studies, correlations) can fail with; messages name
/// the stock and the days.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
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

/// Builds the panel from price series `(symbol, [(day, adjusted close)])` for `symbols` (all
/// non-benchmark symbols when empty), aligned on the sessions of `benchmark`. A series need not
/// be sorted; a symbol given twice is merged, a day given twice counts once.
pub fn return_panel<'a, I>(
    prices: I,
    benchmark: &str,
    symbols: &[String],
) -> Result<ReturnPanel, AnalyticsError>
where
    I: IntoIterator<Item = (&'a str, &'a [(NaiveDate, f64)])>,
{
    let mut series: Vec<Vec<(NaiveDate, f64)>> = Vec::new();
    let mut slot_of: HashMap<&str, usize> = HashMap::new();
    for (s, bars) in prices {
        let next = series.len();
        let slot = *slot_of.entry(s).or_insert(next);
        if slot == next {
            series.push(Vec::with_capacity(bars.len()));
        }
        series[slot].extend_from_slice(bars);
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
        .ok_or_else(|| AnalyticsError::NoBenchmark(benchmark.to_string()))?;
    let calendar: Vec<NaiveDate> = bench.iter().map(|p| p.0).collect();
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
        let bars = bars_of(s).ok_or_else(|| AnalyticsError::NoPrices(s.clone()))?;
        // Both sides are sorted by day: one merge walk aligns the bars on the calendar.
        let mut aligned = vec![f64::NAN; calendar.len()];
        let mut i = 0;
        for (d, c) in bars.iter() {
            while i < calendar.len() && calendar[i] < *d {
                i += 1;
            }
            if i == calendar.len() {
                break;
            }
            if calendar[i] == *d {
                aligned[i] = *c;
            }
        }
        returns.push(returns_from_prices(&aligned));
    }
    Ok(ReturnPanel {
        benchmark: benchmark.to_string(),
        calendar,
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
    fn the_panel_aligns_returns_on_the_benchmark_sessions() {
        let spy = [
            (d("2025-01-23"), 100.0),
            (d("2025-01-24"), 101.0),
            (d("2025-01-27"), 99.0),
        ];
        // Out of order, split in two and with a repeated day: merged, sorted, counted once.
        let nv_late = [(d("2025-01-27"), 118.3812), (d("2025-01-24"), 142.5733)];
        let nv_early = [(d("2025-01-23"), 147.1718), (d("2025-01-24"), 142.5733)];
        let series = [
            ("NVDA", &nv_late[..]),
            ("SPY", &spy[..]),
            ("NVDA", &nv_early[..]),
        ];
        let panel = return_panel(series, "SPY", &["NVDA".to_string()]).unwrap();
        assert_eq!(
            panel.calendar,
            [d("2025-01-23"), d("2025-01-24"), d("2025-01-27")]
        );
        assert!(panel.market[0].is_nan());
        assert!((panel.market[2] - (99.0 / 101.0 - 1.0)).abs() < 1e-15);
        assert!(panel.returns[0][0].is_nan());
        assert!((panel.returns[0][1] - (142.5733 / 147.1718 - 1.0)).abs() < 1e-15);
        assert!((panel.returns[0][2] - (118.3812 / 142.5733 - 1.0)).abs() < 1e-15);
        let all = return_panel(series, "SPY", &[]).unwrap();
        assert_eq!(all.symbols, ["NVDA"]);
        assert!(matches!(
            return_panel(series, "QQQ", &[]),
            Err(AnalyticsError::NoBenchmark(_))
        ));
        assert!(matches!(
            return_panel(series, "SPY", &["AMD".to_string()]),
            Err(AnalyticsError::NoPrices(s)) if s == "AMD"
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
