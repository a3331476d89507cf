//! Quarterly company fundamentals (the demand-for-compute side): vendor revenue and data-center
//! revenue, buyers' capital expenditure. One [`QuarterlyFact`] is one value for one fiscal
//! quarter from one filing or press release; amendments add facts, they never overwrite.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Symbol;

/// What a value measures: `revenue`, `capex`, `data_center_revenue`, `ai_semiconductor_revenue`…
/// Open-ended (segment figures differ by company), so a checked name rather than an enum.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Metric(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FundamentalsError {
    #[error(
        "metric `{0}` is not a metric name (a lower-case letter, then up to 63 of a-z, 0-9 and _)"
    )]
    BadMetric(String),
    #[error("fiscal period `{0}` is not like FY2025Q3 (fiscal year, quarter 1-4)")]
    BadFiscalPeriod(String),
    #[error("provenance `{0}` is unknown; use filed or press-release")]
    BadProvenance(String),
    #[error("period end {0} has no derivable start")]
    BadPeriodEnd(NaiveDate),
}

impl Metric {
    pub const REVENUE: &'static str = "revenue";
    pub const CAPEX: &'static str = "capex";
    pub const DATA_CENTER_REVENUE: &'static str = "data_center_revenue";

    pub fn parse(raw: &str) -> Result<Self, FundamentalsError> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(FundamentalsError::BadMetric(
                s.chars().take(64).collect::<String>(),
            ))
        }
    }

    pub fn revenue() -> Self {
        Self(Self::REVENUE.into())
    }

    pub fn capex() -> Self {
        Self(Self::CAPEX.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Metric {
    type Err = FundamentalsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Metric {
    type Error = FundamentalsError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Metric> for String {
    fn from(m: Metric) -> Self {
        m.0
    }
}

/// A company's own fiscal quarter, `FY2025Q3`: fiscal year as the company names it (usually the
/// calendar year in which the fiscal year ends), quarter 1-4. Calendar alignment is analytics' job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FiscalPeriod {
    pub year: i32,
    pub quarter: u8,
}

impl FiscalPeriod {
    pub fn new(year: i32, quarter: u8) -> Result<Self, FundamentalsError> {
        if (1..=4).contains(&quarter) && (1900..=2200).contains(&year) {
            Ok(Self { year, quarter })
        } else {
            Err(FundamentalsError::BadFiscalPeriod(format!(
                "FY{year}Q{quarter}"
            )))
        }
    }

    /// `FY2025Q3`, any case, surrounding spaces ignored.
    pub fn parse(raw: &str) -> Result<Self, FundamentalsError> {
        let s = raw.trim().to_ascii_uppercase();
        let bad = || FundamentalsError::BadFiscalPeriod(raw.trim().chars().take(20).collect());
        let rest = s.strip_prefix("FY").ok_or_else(bad)?;
        let (year, quarter) = rest.split_once('Q').ok_or_else(bad)?;
        if year.len() != 4 || quarter.len() != 1 {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let quarter: u8 = quarter.parse().map_err(|_| bad())?;
        Self::new(year, quarter).map_err(|_| bad())
    }
}

impl fmt::Display for FiscalPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{}Q{}", self.year, self.quarter)
    }
}

impl TryFrom<String> for FiscalPeriod {
    type Error = FundamentalsError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<FiscalPeriod> for String {
    fn from(p: FiscalPeriod) -> Self {
        p.to_string()
    }
}

/// Where a value comes from. A filed value replaces a press-release value for the same company,
/// metric and period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Provenance {
    /// An SEC filing (10-Q, 10-K and their amendments), through XBRL `companyfacts`.
    #[serde(rename = "filed")]
    Filed,
    /// A press release or earnings coverage, imported from CSV.
    #[serde(rename = "press-release")]
    PressRelease,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Filed => "filed",
            Provenance::PressRelease => "press-release",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FundamentalsError> {
        match s.trim() {
            "filed" => Ok(Provenance::Filed),
            "press-release" => Ok(Provenance::PressRelease),
            other => Err(FundamentalsError::BadProvenance(
                other.chars().take(40).collect(),
            )),
        }
    }
}

/// The `form` of press-release values (filings carry their SEC form: 10-Q, 10-K, 10-K/A…).
pub const PRESS_RELEASE_FORM: &str = "press-release";

/// How a filed quarterly value was obtained from the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Derivation {
    /// A three-month value as reported (income statements in 10-Qs, press releases).
    Reported,
    /// A year-to-date value minus the previous one (cash-flow facts: Q2 = 6M − 3M, Q3 = 9M − 6M).
    YtdDifference,
    /// The fiscal year (10-K) minus the nine months (Q4).
    AnnualMinusNineMonths,
}

impl Derivation {
    pub fn as_str(self) -> &'static str {
        match self {
            Derivation::Reported => "reported",
            Derivation::YtdDifference => "ytd-difference",
            Derivation::AnnualMinusNineMonths => "annual-minus-nine-months",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Derivation::Reported,
            Derivation::YtdDifference,
            Derivation::AnnualMinusNineMonths,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// One value of one metric for one fiscal quarter, from one filing or press release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterlyFact {
    pub symbol: Symbol,
    pub metric: Metric,
    pub fiscal_period: FiscalPeriod,
    /// First and last day of the quarter, both included.
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// In `unit` (USD: dollars, not millions).
    pub value: f64,
    pub unit: String,
    /// Filing date (filed) or release date (press release; `None` where it was not read).
    pub filed: Option<NaiveDate>,
    /// 10-Q, 10-K, 10-Q/A, 10-K/A … or `press-release`.
    pub form: String,
    /// `sec-edgar`, or the name of the imported file.
    pub source: String,
    pub source_url: Option<String>,
    /// SEC accession number, e.g. 0001045810-25-000023 (filed values only).
    pub accession: Option<String>,
    pub provenance: Provenance,
    pub derivation: Derivation,
    /// The XBRL tag the value comes from (filed values).
    pub xbrl_tag: Option<String>,
    /// Free text from the source (press-release notes).
    pub note: Option<String>,
}

impl QuarterlyFact {
    /// Inclusive length in days.
    pub fn days(&self) -> i64 {
        (self.period_end - self.period_start).num_days() + 1
    }

    /// What tells two versions of the same quarter apart: the accession of a filing, the
    /// source URL of a press release.
    pub fn version_key(&self) -> String {
        match self.provenance {
            Provenance::Filed => self.accession.clone().unwrap_or_default(),
            Provenance::PressRelease => self.source_url.clone().unwrap_or_default(),
        }
    }
}

/// The start of a quarter known only by its last day (press-release rows):
/// - the end is the last day of March, June, September or December → the calendar quarter
///   (2025-03-31 → 2025-01-01);
/// - otherwise a 13-week fiscal quarter of a 52/53-week year: end − 90 days, 91 days in all
///   (NVIDIA 2023-04-30 → 2023-01-30, Micron 2023-03-02 → 2022-12-02). A 14-week quarter of a
///   53-week year comes out one week short; the end date, which analytics aligns on, is exact.
pub fn quarter_start_from_end(end: NaiveDate) -> Result<NaiveDate, FundamentalsError> {
    let is_month_end = end
        .checked_add_days(Days::new(1))
        .is_some_and(|next| next.month() != end.month());
    if is_month_end && end.month().is_multiple_of(3) {
        end.with_day(1)
            .and_then(|first| first.checked_sub_months(Months::new(2)))
            .ok_or(FundamentalsError::BadPeriodEnd(end))
    } else {
        end.checked_sub_days(Days::new(90))
            .ok_or(FundamentalsError::BadPeriodEnd(end))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn metrics_are_checked_names() {
        assert_eq!(Metric::parse(" capex ").unwrap().as_str(), "capex");
        assert!(Metric::parse("ai_semiconductor_revenue").is_ok());
        for bad in ["", "Revenue", "9x", "data-center", "a b", &"a".repeat(65)] {
            assert!(Metric::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fiscal_periods_parse_and_print() {
        let p = FiscalPeriod::parse("fy2025q3").unwrap();
        assert_eq!((p.year, p.quarter), (2025, 3));
        assert_eq!(p.to_string(), "FY2025Q3");
        for bad in [
            "FY2025Q5",
            "FY2025Q0",
            "2025Q1",
            "FY25Q1",
            "FY2025",
            "FY2025Q12",
        ] {
            assert!(FiscalPeriod::parse(bad).is_err(), "{bad}");
        }
        assert!(
            FiscalPeriod::parse("FY2024Q4").unwrap() < FiscalPeriod::parse("FY2025Q1").unwrap()
        );
    }

    #[test]
    fn quarter_starts_follow_the_documented_rule() {
        assert_eq!(
            quarter_start_from_end(d("2025-03-31")).unwrap(),
            d("2025-01-01")
        );
        assert_eq!(
            quarter_start_from_end(d("2024-12-31")).unwrap(),
            d("2024-10-01")
        );
        assert_eq!(
            quarter_start_from_end(d("2023-06-30")).unwrap(),
            d("2023-04-01")
        );
        // 52/53-week years: 13 weeks back.
        assert_eq!(
            quarter_start_from_end(d("2023-04-30")).unwrap(),
            d("2023-01-30")
        );
        assert_eq!(
            quarter_start_from_end(d("2023-03-02")).unwrap(),
            d("2022-12-02")
        );
        assert_eq!(
            quarter_start_from_end(d("2023-12-30")).unwrap(),
            d("2023-10-01")
        );
        assert_eq!(
            quarter_start_from_end(d("2025-05-04")).unwrap(),
            d("2025-02-03")
        );
    }

    #[test]
    fn provenance_round_trips() {
        for p in [Provenance::Filed, Provenance::PressRelease] {
            assert_eq!(Provenance::parse(p.as_str()).unwrap(), p);
        }
        assert!(Provenance::parse("blog").is_err());
    }
}
