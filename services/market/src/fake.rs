//! The providers' formats written out, for the fake providers of the end-to-end tests and of
//! `scripts/fault-kill-backfill` (`examples/fake_prices.rs`): the inverse of the parsers, so a
//! fake serves exactly what the real API would for the same bars.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::America::New_York;
use jevons_core::PriceBar;

/// A Yahoo chart API response in the real shape (see tests/fixtures/yahoo_chart_SPY_1d.json),
/// bars stamped at the 09:30 New York open as Yahoo stamps them.
pub fn yahoo_chart_json(symbol: &str, bars: &[PriceBar]) -> serde_json::Value {
    let open = NaiveTime::from_hms_opt(9, 30, 0).unwrap_or(NaiveTime::MIN);
    let stamp = |d: NaiveDate| {
        New_York
            .from_local_datetime(&d.and_time(open))
            .earliest()
            .map_or(0, |t| t.timestamp())
    };
    let column = |f: fn(&PriceBar) -> f64| bars.iter().map(f).collect::<Vec<_>>();
    serde_json::json!({"chart": {"result": [{
        "meta": {"currency": "USD", "symbol": symbol, "exchangeTimezoneName": "America/New_York",
                 "timezone": "EST", "gmtoffset": -18000, "dataGranularity": "1d"},
        "timestamp": bars.iter().map(|b| stamp(b.day)).collect::<Vec<_>>(),
        "indicators": {
            "quote": [{
                "open": column(|b| b.open),
                "high": column(|b| b.high),
                "low": column(|b| b.low),
                "close": column(|b| b.close),
                "volume": bars.iter().map(|b| b.volume).collect::<Vec<_>>(),
            }],
            "adjclose": [{"adjclose": column(|b| b.adj_close)}]
        }
    }], "error": null}})
}

/// Yahoo's answer for a symbol it does not know (served with status 404).
pub fn yahoo_not_found_json() -> serde_json::Value {
    serde_json::json!({"chart": {"result": null, "error": {
        "code": "Not Found", "description": "No data found, symbol may be delisted"}}})
}

/// A Stooq daily CSV body in the real shape (no adjusted close).
pub fn stooq_csv(bars: &[PriceBar]) -> String {
    let mut out = String::from("Date,Open,High,Low,Close,Volume\n");
    for b in bars {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            b.day, b.open, b.high, b.low, b.close, b.volume
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn bar(day: &str, close: f64) -> PriceBar {
        PriceBar {
            day: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
            open: close,
            high: close + 1.0,
            low: close - 1.0,
            close,
            adj_close: close,
            volume: 1000,
        }
    }

    #[test]
    fn what_the_fakes_write_the_parsers_read_back() {
        // Summer and winter time, and the day clocks change.
        let bars = vec![
            bar("2025-01-27", 118.4),
            bar("2025-03-10", 106.9),
            bar("2025-07-01", 153.3),
        ];
        let body = serde_json::to_vec(&yahoo_chart_json("NVDA", &bars)).unwrap();
        assert_eq!(crate::yahoo::parse_chart(&body).unwrap(), bars);
        let csv = stooq_csv(&bars);
        let parsed = crate::stooq::parse_csv(&csv).unwrap();
        assert_eq!(parsed.len(), bars.len());
        assert_eq!(parsed[1].close, 106.9);
        let missing = serde_json::to_vec(&yahoo_not_found_json()).unwrap();
        assert!(matches!(
            crate::yahoo::parse_chart(&missing),
            Err(crate::ParseError::NotFound(_))
        ));
    }
}
