//! Stooq daily CSV (`/q/d/l/?s={symbol}.us&i=d`).

use chrono::NaiveDate;
use jevons_core::{PriceBar, Symbol};

use crate::ParseError;

/// The header of Stooq's daily CSV; any other first line means the body is not data.
pub const STOOQ_HEADER: &str = "Date,Open,High,Low,Close,Volume";

/// The CSV request for `[from, to]`.
pub fn csv_url(base: &str, symbol: &Symbol, from: NaiveDate, to: NaiveDate) -> String {
    format!(
        "{}/q/d/l/?s={}&i=d&d1={}&d2={}",
        base.trim_end_matches('/'),
        stooq_symbol(symbol).replace('^', "%5E"),
        from.format("%Y%m%d"),
        to.format("%Y%m%d"),
    )
}

/// Stooq names US listings in lower case with a `.us` suffix and `-` for a share class dot:
/// `NVDA` → `nvda.us`, `BRK.B` → `brk-b.us`.
pub fn stooq_symbol(symbol: &Symbol) -> String {
    format!(
        "{}.us",
        symbol.as_str().to_ascii_lowercase().replace('.', "-")
    )
}

/// Parses Stooq's `Date,Open,High,Low,Close,Volume` CSV.
///
/// Stooq has no adjusted close: its prices are split-adjusted only, so `adj_close` is set to
/// `close`. Dividend-adjusted returns over a Stooq-filled stretch are therefore slightly off.
/// A body whose first line is not the header (`No data`, an HTML quota page) is an error.
pub fn parse_csv(body: &str) -> Result<Vec<PriceBar>, ParseError> {
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let first_line = body.lines().next().unwrap_or("").trim();
    if first_line != STOOQ_HEADER {
        return Err(ParseError::NotCsv {
            first_line: first_line.chars().take(80).collect(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(body.as_bytes());
    let mut bars = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ParseError::Csv {
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize, name: &str| -> Result<&str, ParseError> {
            record.get(i).ok_or_else(|| ParseError::Csv {
                line,
                message: format!("missing {name}"),
            })
        };
        let number = |i: usize, name: &str| -> Result<f64, ParseError> {
            let raw = field(i, name)?;
            raw.parse::<f64>().map_err(|_| ParseError::Csv {
                line,
                message: format!("{name} `{raw}` is not a number"),
            })
        };
        let raw_day = field(0, "Date")?;
        let day = NaiveDate::parse_from_str(raw_day, "%Y-%m-%d").map_err(|_| ParseError::Csv {
            line,
            message: format!("Date `{raw_day}` is not YYYY-MM-DD"),
        })?;
        let close = number(4, "Close")?;
        let volume = number(5, "Volume")?;
        if !volume.is_finite() {
            return Err(ParseError::Csv {
                line,
                message: format!("Volume `{volume}` is not finite"),
            });
        }
        bars.push(PriceBar {
            day,
            open: number(1, "Open")?,
            high: number(2, "High")?,
            low: number(3, "Low")?,
            close,
            adj_close: close,
            volume: volume.round() as i64,
        });
    }
    Ok(bars)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const SAMPLE: &str = "Date,Open,High,Low,Close,Volume\r\n\
        2025-01-24,148.37,148.97,141.88,142.62,234657600\r\n\
        2025-01-27,124.8,128.4,116.7,118.42,818830900\r\n\
        2025-01-28,121.81,129,116.25,128.99,579666400\r\n";

    #[test]
    fn parses_real_format_csv_with_close_as_adjusted_close() {
        let bars = parse_csv(SAMPLE).unwrap();
        assert_eq!(bars.len(), 3);
        assert_eq!(bars[1].day, day("2025-01-27"));
        assert_eq!(bars[1].close, 118.42);
        assert_eq!(bars[1].adj_close, 118.42);
        assert_eq!(bars[1].low, 116.7);
        assert_eq!(bars[2].high, 129.0);
        assert_eq!(bars[2].volume, 579_666_400);
        assert!(jevons_core::validate_series(&bars, day("2025-01-31")).is_empty());
    }

    #[test]
    fn a_body_that_is_not_the_csv_is_an_error() {
        assert_eq!(
            parse_csv("No data"),
            Err(ParseError::NotCsv {
                first_line: "No data".into()
            })
        );
        assert!(matches!(
            parse_csv("<!DOCTYPE html><html><body>Limit exceeded</body></html>"),
            Err(ParseError::NotCsv { .. })
        ));
        assert!(matches!(parse_csv(""), Err(ParseError::NotCsv { .. })));
        assert_eq!(parse_csv("Date,Open,High,Low,Close,Volume\n"), Ok(vec![]));
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let body = "Date,Open,High,Low,Close,Volume\n2025-01-24,1,2,0.5,1.5,10\n2025-01-27,abc,2,1,1.5,10\n";
        match parse_csv(body) {
            Err(ParseError::Csv { line, message }) => {
                assert_eq!(line, 3);
                assert!(message.contains("Open `abc`"), "{message}");
            }
            other => panic!("expected a CSV error, got {other:?}"),
        }
    }

    #[test]
    fn urls_use_stooq_symbols_and_compact_dates() {
        let brk = Symbol::parse("BRK.B").unwrap();
        assert_eq!(stooq_symbol(&brk), "brk-b.us");
        let nvda = Symbol::parse("NVDA").unwrap();
        assert_eq!(
            csv_url(
                "https://stooq.com/",
                &nvda,
                day("2025-01-02"),
                day("2025-01-31")
            ),
            "https://stooq.com/q/d/l/?s=nvda.us&i=d&d1=20250102&d2=20250131"
        );
    }
}
