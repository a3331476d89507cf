//! Press-release figures from CSV: `symbol,metric,fiscal_period,period_end,value_musd,
//! released_on,source_url,source_note` (data/fundamentals/quarterly_press_releases.csv).
//!
//! Segment figures (NVIDIA data-center revenue, Broadcom AI revenue) are not in companyfacts;
//! these rows fill them in with provenance `press-release`. A bad row rejects the whole file,
//! naming its line. A row whose `period_end` is blank (not read at the source) cannot be placed
//! in time and is skipped and reported, never given a guessed date.

use std::collections::HashSet;

use chrono::NaiveDate;
use jevons_core::Symbol;
use jevons_core::fundamentals::{
    Derivation, FiscalPeriod, Metric, PRESS_RELEASE_FORM, Provenance, QuarterlyFact,
    quarter_start_from_end,
};
use serde::Deserialize;

use crate::ParseError;

pub const HEADER: [&str; 8] = [
    "symbol",
    "metric",
    "fiscal_period",
    "period_end",
    "value_musd",
    "released_on",
    "source_url",
    "source_note",
];

#[derive(Debug, Deserialize)]
struct Row {
    symbol: String,
    metric: String,
    fiscal_period: String,
    period_end: String,
    value_musd: String,
    released_on: String,
    source_url: String,
    source_note: String,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    pub line: u64,
    pub reason: String,
}

/// The facts of a file and the rows that could not be placed.
#[derive(Debug, Clone, PartialEq)]
pub struct PressReleaseFile {
    pub facts: Vec<QuarterlyFact>,
    pub skipped: Vec<SkippedRow>,
}

fn date(line: u64, column: &str, s: &str) -> Result<NaiveDate, ParseError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ParseError::Csv {
        line,
        message: format!(
            "{column} `{}` is not a date (YYYY-MM-DD)",
            s.chars().take(30).collect::<String>()
        ),
    })
}

/// Parses a press-release CSV; `source` names the file in each fact.
pub fn parse(text: &str, source: &str) -> Result<PressReleaseFile, ParseError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| ParseError::Csv {
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    let got: Vec<&str> = header.iter().collect();
    if got != HEADER {
        return Err(ParseError::Csv {
            line: 1,
            message: format!(
                "the header must be `{}`, found `{}`",
                HEADER.join(","),
                got.join(",")
            ),
        });
    }
    let mut facts = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = HashSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| ParseError::Csv {
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = |message: String| ParseError::Csv { line, message };
        let row: Row = record
            .deserialize(Some(&header))
            .map_err(|e| bad(e.to_string()))?;
        let symbol = Symbol::parse(&row.symbol).map_err(|e| bad(e.to_string()))?;
        let metric = Metric::parse(&row.metric).map_err(|e| bad(e.to_string()))?;
        let fiscal_period =
            FiscalPeriod::parse(&row.fiscal_period).map_err(|e| bad(e.to_string()))?;
        let value_musd: f64 = row.value_musd.replace(',', "").parse().map_err(|_| {
            bad(format!(
                "value_musd `{}` is not a number",
                row.value_musd.chars().take(30).collect::<String>()
            ))
        })?;
        // Revenue, capex and segment revenue are amounts: never negative.
        if !value_musd.is_finite() || value_musd < 0.0 {
            return Err(bad(format!(
                "value_musd {value_musd} must be a non-negative amount in millions of USD"
            )));
        }
        let released = match row.released_on.as_str() {
            "" => None,
            s => Some(date(line, "released_on", s)?),
        };
        let url = row.source_url.as_str();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(bad("source_url must be an http(s) URL".into()));
        }
        if row.period_end.is_empty() {
            skipped.push(SkippedRow {
                line,
                reason: format!(
                    "{symbol} {metric} {fiscal_period}: period_end is blank (not read at the source)"
                ),
            });
            continue;
        }
        let period_end = date(line, "period_end", &row.period_end)?;
        let period_start = quarter_start_from_end(period_end).map_err(|e| bad(e.to_string()))?;
        if released.is_some_and(|r| r < period_end) {
            return Err(bad(format!(
                "released_on {} is before period_end {period_end}",
                row.released_on
            )));
        }
        if !seen.insert((symbol.clone(), metric.clone(), period_end, url.to_string())) {
            return Err(bad(format!(
                "{symbol} {metric} {period_end} from this source_url is listed twice"
            )));
        }
        facts.push(QuarterlyFact {
            symbol,
            metric,
            fiscal_period,
            period_start,
            period_end,
            value: value_musd * 1e6,
            unit: "USD".into(),
            filed: released,
            form: PRESS_RELEASE_FORM.into(),
            source: source.to_string(),
            source_url: Some(url.to_string()),
            accession: None,
            provenance: Provenance::PressRelease,
            derivation: Derivation::Reported,
            xbrl_tag: None,
            note: Some(row.source_note).filter(|n| !n.is_empty()),
        });
    }
    Ok(PressReleaseFile { facts, skipped })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HEAD: &str =
        "symbol,metric,fiscal_period,period_end,value_musd,released_on,source_url,source_note\n";

    #[test]
    fn the_bundled_file_parses() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/fundamentals/quarterly_press_releases.csv"
        ))
        .unwrap();
        let file = parse(&text, "quarterly_press_releases.csv").unwrap();
        assert_eq!(file.facts.len() + file.skipped.len(), 102);
        assert_eq!(file.skipped.len(), 8, "{:?}", file.skipped);
        let dc = file
            .facts
            .iter()
            .find(|f| {
                f.symbol.as_str() == "NVDA"
                    && f.metric.as_str() == "data_center_revenue"
                    && f.fiscal_period.to_string() == "FY2025Q4"
            })
            .unwrap();
        assert_eq!(dc.value, 35_580e6);
        assert_eq!(dc.period_end.to_string(), "2025-01-26");
        assert_eq!(dc.period_start.to_string(), "2024-10-28");
        assert_eq!(
            dc.filed.map(|d| d.to_string()).as_deref(),
            Some("2025-02-26")
        );
        assert_eq!(dc.provenance, Provenance::PressRelease);
        assert!(dc.source_url.as_deref().unwrap().starts_with("https://"));
    }

    #[test]
    fn a_bad_row_rejects_the_file_naming_its_line() {
        let good = "NVDA,revenue,FY2025Q1,2024-04-28,26044,2024-05-22,https://example.com/a,note\n";
        for (row, expect) in [
            (
                "NVDA,revenue,FY2025Q1,2024-04-28,lots,,https://example.com/a,\n",
                "value_musd",
            ),
            (
                "NVDA,revenue,FY2025Q9,2024-04-28,1,,https://example.com/a,\n",
                "fiscal period",
            ),
            (
                "NVDA,Revenue,FY2025Q1,2024-04-28,1,,https://example.com/a,\n",
                "metric",
            ),
            (
                "NVDA,revenue,FY2025Q1,2024-04-31,1,,https://example.com/a,\n",
                "period_end",
            ),
            (
                "NVDA,revenue,FY2025Q1,2024-04-28,-5,,https://example.com/a,\n",
                "non-negative",
            ),
            (
                "NVDA,revenue,FY2025Q1,2024-04-28,1,,ftp://example.com/a,\n",
                "source_url",
            ),
            (
                "NVDA,revenue,FY2025Q1,2024-04-28,1,2024-01-01,https://example.com/a,\n",
                "before",
            ),
            ("NVDA,revenue,FY2025Q1,2024-04-28,1\n", "line 3"),
            (good, "twice"),
        ] {
            let text = format!("{HEAD}{good}{row}");
            let err = parse(&text, "t.csv").unwrap_err().to_string();
            assert!(err.contains("line 3"), "{err}");
            assert!(err.contains(expect), "{expect}: {err}");
        }
        let err = parse("a,b\n1,2\n", "t.csv").unwrap_err().to_string();
        assert!(err.contains("line 1") && err.contains("header"), "{err}");
    }
}
