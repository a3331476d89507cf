//! Yahoo Finance chart API (`/v8/finance/chart/{symbol}`), daily bars as JSON.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveTime};
use jevons_core::{PriceBar, Symbol};
use serde::Deserialize;

use crate::ParseError;

/// The chart request for `[from, to]`.
///
/// Daily bars are stamped at the session open in the exchange's zone, which can fall on the
/// previous or next UTC day, so the window has a day of margin on each side; the client drops
/// bars outside `[from, to]` after parsing.
pub fn chart_url(base: &str, symbol: &Symbol, from: NaiveDate, to: NaiveDate) -> String {
    let start = midnight_utc(from.checked_sub_days(Days::new(1)).unwrap_or(from));
    let end = midnight_utc(to.checked_add_days(Days::new(2)).unwrap_or(to));
    format!(
        "{}/v8/finance/chart/{}?period1={start}&period2={end}&interval=1d&events=history&includeAdjustedClose=true",
        base.trim_end_matches('/'),
        path_symbol(symbol),
    )
}

fn midnight_utc(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp()
}

/// Symbols are letters, digits, `.`, `-` and `^`; only `^` (index symbols) needs escaping.
fn path_symbol(symbol: &Symbol) -> String {
    symbol.as_str().replace('^', "%5E")
}

/// A parsed chart with the days that had to be skipped because a field was null.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedChart {
    pub bars: Vec<PriceBar>,
    pub skipped: Vec<NaiveDate>,
}

/// Parses a chart response into bars, skipping (and logging) days with a null field.
pub fn parse_chart(body: &[u8]) -> Result<Vec<PriceBar>, ParseError> {
    let parsed = parse_chart_detailed(body)?;
    if !parsed.skipped.is_empty() {
        tracing::warn!(
            skipped = parsed.skipped.len(),
            days = ?parsed.skipped,
            "yahoo: days with null fields were skipped"
        );
    }
    Ok(parsed.bars)
}

/// Like [`parse_chart`], and says which days were skipped.
///
/// A day with any null field (open, high, low, close, adjusted close or volume) is skipped:
/// Yahoo sends nulls for halts and partial days, and a zero would be stored as a real price.
pub fn parse_chart_detailed(body: &[u8]) -> Result<ParsedChart, ParseError> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| ParseError::Json(e.to_string()))?;
    let chart = envelope.chart;
    if let Some(error) = chart.error {
        let code = error.code.unwrap_or_default();
        let description = error.description.unwrap_or_else(|| code.clone());
        // Yahoo's way of saying the range holds no trading day (a weekend, a holiday).
        if description.starts_with("Data doesn't exist for startDate") {
            return Ok(ParsedChart {
                bars: Vec::new(),
                skipped: Vec::new(),
            });
        }
        return Err(if code.eq_ignore_ascii_case("Not Found") {
            ParseError::NotFound(description)
        } else {
            ParseError::Provider { code, description }
        });
    }
    let result = chart
        .result
        .and_then(|r| r.into_iter().next())
        .ok_or_else(|| ParseError::Shape("chart.result is empty".into()))?;
    let n = result.timestamp.len();
    if n == 0 {
        return Ok(ParsedChart {
            bars: Vec::new(),
            skipped: Vec::new(),
        });
    }
    let zone = Zone::of(&result.meta)?;
    let quote = result
        .indicators
        .quote
        .into_iter()
        .next()
        .ok_or_else(|| ParseError::Shape("indicators.quote is missing".into()))?;
    let adj = result
        .indicators
        .adjclose
        .into_iter()
        .next()
        .ok_or_else(|| ParseError::Shape("indicators.adjclose is missing".into()))?
        .adjclose;
    for (name, len) in [
        ("open", quote.open.len()),
        ("high", quote.high.len()),
        ("low", quote.low.len()),
        ("close", quote.close.len()),
        ("volume", quote.volume.len()),
        ("adjclose", adj.len()),
    ] {
        if len != n {
            return Err(ParseError::Shape(format!(
                "{name} has {len} values for {n} timestamps"
            )));
        }
    }

    let mut bars = Vec::with_capacity(n);
    let mut skipped = Vec::new();
    for (i, &ts) in result.timestamp.iter().enumerate() {
        let day = zone.day_of(ts)?;
        let fields = (
            quote.open[i],
            quote.high[i],
            quote.low[i],
            quote.close[i],
            adj[i],
            quote.volume[i],
        );
        match fields {
            (Some(open), Some(high), Some(low), Some(close), Some(adj_close), Some(volume)) => {
                bars.push(PriceBar {
                    day,
                    open,
                    high,
                    low,
                    close,
                    adj_close,
                    // Volumes arrive as JSON numbers that may carry a fraction; shares are whole.
                    volume: volume.round() as i64,
                })
            }
            _ => skipped.push(day),
        }
    }
    Ok(ParsedChart { bars, skipped })
}

/// The exchange's time zone: the IANA name when chrono-tz knows it, else the fixed `gmtoffset`.
enum Zone {
    Named(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl Zone {
    fn of(meta: &Meta) -> Result<Self, ParseError> {
        if let Some(tz) = meta
            .exchange_timezone_name
            .as_deref()
            .and_then(|name| name.parse::<chrono_tz::Tz>().ok())
        {
            return Ok(Zone::Named(tz));
        }
        meta.gmtoffset
            .and_then(FixedOffset::east_opt)
            .map(Zone::Fixed)
            .ok_or_else(|| ParseError::Shape("meta has no usable exchange time zone".into()))
    }

    fn day_of(&self, ts: i64) -> Result<NaiveDate, ParseError> {
        let utc = DateTime::from_timestamp(ts, 0).ok_or(ParseError::BadTimestamp(ts))?;
        Ok(match self {
            Zone::Named(tz) => utc.with_timezone(tz).date_naive(),
            Zone::Fixed(offset) => utc.with_timezone(offset).date_naive(),
        })
    }
}

#[derive(Deserialize)]
struct Envelope {
    chart: Chart,
}

#[derive(Deserialize)]
struct Chart {
    result: Option<Vec<ChartResult>>,
    error: Option<ChartError>,
}

#[derive(Deserialize)]
struct ChartError {
    code: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
struct ChartResult {
    meta: Meta,
    /// Absent when the range holds no trading day.
    #[serde(default)]
    timestamp: Vec<i64>,
    indicators: Indicators,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "exchangeTimezoneName")]
    exchange_timezone_name: Option<String>,
    gmtoffset: Option<i32>,
}

#[derive(Deserialize)]
struct Indicators {
    #[serde(default)]
    quote: Vec<Quote>,
    #[serde(default)]
    adjclose: Vec<AdjClose>,
}

#[derive(Deserialize)]
struct Quote {
    #[serde(default)]
    open: Vec<Option<f64>>,
    #[serde(default)]
    high: Vec<Option<f64>>,
    #[serde(default)]
    low: Vec<Option<f64>>,
    #[serde(default)]
    close: Vec<Option<f64>>,
    #[serde(default)]
    volume: Vec<Option<f64>>,
}

#[derive(Deserialize)]
struct AdjClose {
    #[serde(default)]
    adjclose: Vec<Option<f64>>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SPY: &[u8] = include_bytes!("../../../tests/fixtures/yahoo_chart_SPY_1d.json");

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn real_spy_payload_gives_new_york_trading_days() {
        // Compute the expected days from the file's own timestamps, in New York time.
        let raw: serde_json::Value = serde_json::from_slice(SPY).unwrap();
        let stamps = raw["chart"]["result"][0]["timestamp"].as_array().unwrap();
        let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
        let expected: Vec<NaiveDate> = stamps
            .iter()
            .map(|t| {
                DateTime::from_timestamp(t.as_i64().unwrap(), 0)
                    .unwrap()
                    .with_timezone(&ny)
                    .date_naive()
            })
            .collect();
        assert_eq!(
            expected,
            [
                "2026-02-13",
                "2026-02-17",
                "2026-02-18",
                "2026-02-19",
                "2026-02-20"
            ]
            .map(day)
            .to_vec()
        );

        let bars = parse_chart(SPY).unwrap();
        assert_eq!(bars.iter().map(|b| b.day).collect::<Vec<_>>(), expected);
        assert_eq!(bars[0].close, 681.75);
        assert_eq!(bars[0].adj_close, 681.75);
        assert_eq!(bars[0].volume, 96_267_500);
        assert!((bars[4].high - 690.06).abs() < 1e-4);
        assert!(jevons_core::validate_series(&bars, day("2026-02-20")).is_empty());
    }

    #[test]
    fn null_days_are_skipped_and_float_volume_is_rounded() {
        let body = br#"{"chart":{"result":[{"meta":{"exchangeTimezoneName":"America/New_York","gmtoffset":-18000},
            "timestamp":[1737988200,1738074600,1738161000],
            "indicators":{"quote":[{"open":[124.8,null,126.5],"high":[128.4,129.0,127.0],"low":[116.7,125.0,122.0],
                                    "close":[118.42,128.99,123.7],"volume":[818830900.0,null,467120600.4]}],
                          "adjclose":[{"adjclose":[118.38,128.95,123.66]}]}}],"error":null}}"#;
        let parsed = parse_chart_detailed(body).unwrap();
        assert_eq!(parsed.skipped, vec![day("2025-01-28")]);
        assert_eq!(parsed.bars.len(), 2);
        assert_eq!(parsed.bars[0].day, day("2025-01-27"));
        assert_eq!(parsed.bars[0].close, 118.42);
        assert_eq!(parsed.bars[0].adj_close, 118.38);
        assert_eq!(parsed.bars[1].day, day("2025-01-29"));
        assert_eq!(parsed.bars[1].volume, 467_120_600);
        assert!(parsed.bars.iter().all(|b| b.open > 0.0 && b.volume > 0));
    }

    #[test]
    fn chart_error_not_found_is_reported_with_its_description() {
        let body = br#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#;
        assert_eq!(
            parse_chart(body),
            Err(ParseError::NotFound(
                "No data found, symbol may be delisted".into()
            ))
        );
        let other = br#"{"chart":{"result":null,"error":{"code":"Bad Request","description":"Invalid input"}}}"#;
        let no_days = br#"{"chart":{"result":null,"error":{"code":"Bad Request","description":"Data doesn't exist for startDate = 1737763200, endDate = 1737849600"}}}"#;
        assert_eq!(parse_chart(no_days), Ok(vec![]));
        assert!(matches!(
            parse_chart(other),
            Err(ParseError::Provider { ref code, .. }) if code == "Bad Request"
        ));
    }

    #[test]
    fn malformed_payloads_are_errors() {
        assert!(matches!(parse_chart(b"<html>"), Err(ParseError::Json(_))));
        let short = br#"{"chart":{"result":[{"meta":{"exchangeTimezoneName":"America/New_York"},
            "timestamp":[1737988200,1738074600],
            "indicators":{"quote":[{"open":[1.0],"high":[1.0],"low":[1.0],"close":[1.0],"volume":[1]}],
                          "adjclose":[{"adjclose":[1.0]}]}}],"error":null}}"#;
        assert!(matches!(parse_chart(short), Err(ParseError::Shape(_))));
        let empty = br#"{"chart":{"result":[{"meta":{"exchangeTimezoneName":"America/New_York"},
            "indicators":{"quote":[{}],"adjclose":[{}]}}],"error":null}}"#;
        assert_eq!(parse_chart(empty), Ok(vec![]));
    }

    #[test]
    fn url_covers_the_range_with_a_day_of_margin() {
        let s = Symbol::parse("nvda").unwrap();
        let url = chart_url(
            "http://127.0.0.1:9/",
            &s,
            day("2025-01-27"),
            day("2025-01-31"),
        );
        // 2025-01-26T00:00Z and 2025-02-02T00:00Z
        assert_eq!(
            url,
            "http://127.0.0.1:9/v8/finance/chart/NVDA?period1=1737849600&period2=1738454400&interval=1d&events=history&includeAdjustedClose=true"
        );
        let idx = Symbol::parse("^GSPC").unwrap();
        assert!(
            chart_url("http://x", &idx, day("2025-01-27"), day("2025-01-27"))
                .contains("/chart/%5EGSPC?")
        );
    }
}
