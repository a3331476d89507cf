use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One trading day of one symbol. Prices are split-adjusted; `adj_close` is also dividend-adjusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceBar {
    pub day: NaiveDate,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub adj_close: f64,
    pub volume: i64,
}

/// Why a bar cannot be stored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BarProblem {
    #[error("{field} is {value}, prices must be positive and finite")]
    NonPositive { field: &'static str, value: f64 },
    #[error("low {low} is above min(open, close) {min}")]
    LowAboveBody { low: f64, min: f64 },
    #[error("high {high} is below max(open, close) {max}")]
    HighBelowBody { high: f64, max: f64 },
    #[error("volume {0} is negative")]
    NegativeVolume(i64),
    #[error("the day is in the future (today is {today})")]
    FutureDay { today: NaiveDate },
    #[error("the day appears more than once")]
    DuplicateDay,
}

impl PriceBar {
    /// Checks one bar on its own. `today` is the latest day a bar may carry.
    pub fn check(&self, today: NaiveDate) -> Result<(), BarProblem> {
        for (field, value) in [
            ("open", self.open),
            ("high", self.high),
            ("low", self.low),
            ("close", self.close),
            ("adj_close", self.adj_close),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(BarProblem::NonPositive { field, value });
            }
        }
        let min = self.open.min(self.close);
        let max = self.open.max(self.close);
        // Providers round to a few decimals; allow a rounding hair before calling a bar broken.
        let tolerance = 1e-6 * max;
        if self.low > min + tolerance {
            return Err(BarProblem::LowAboveBody { low: self.low, min });
        }
        if self.high + tolerance < max {
            return Err(BarProblem::HighBelowBody {
                high: self.high,
                max,
            });
        }
        if self.volume < 0 {
            return Err(BarProblem::NegativeVolume(self.volume));
        }
        if self.day > today {
            return Err(BarProblem::FutureDay { today });
        }
        Ok(())
    }
}

/// A problem with one day of a series, located for the error message.
#[derive(Debug, Clone, PartialEq)]
pub struct BadBar {
    pub day: NaiveDate,
    pub problem: BarProblem,
}

impl fmt::Display for BadBar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.day, self.problem)
    }
}

/// Checks every bar of a series and that no day repeats; returns every problem found.
pub fn validate_series(bars: &[PriceBar], today: NaiveDate) -> Vec<BadBar> {
    let mut seen = HashSet::with_capacity(bars.len());
    let mut bad = Vec::new();
    for bar in bars {
        if let Err(problem) = bar.check(today) {
            bad.push(BadBar {
                day: bar.day,
                problem,
            });
        }
        if !seen.insert(bar.day) {
            bad.push(BadBar {
                day: bar.day,
                problem: BarProblem::DuplicateDay,
            });
        }
    }
    bad
}

/// An inclusive range of calendar days, `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateRangeError {
    #[error("`{0}` is not a date in the form YYYY-MM-DD")]
    BadDate(String),
    #[error("`from` ({from}) is after `to` ({to})")]
    Inverted { from: NaiveDate, to: NaiveDate },
}

impl DateRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, DateRangeError> {
        if from > to {
            return Err(DateRangeError::Inverted { from, to });
        }
        Ok(Self { from, to })
    }

    pub fn parse_day(raw: &str) -> Result<NaiveDate, DateRangeError> {
        NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_err(|_| DateRangeError::BadDate(raw.to_string()))
    }

    /// Every day: the range of "no bounds".
    pub const fn all() -> Self {
        Self {
            from: NaiveDate::MIN,
            to: NaiveDate::MAX,
        }
    }

    /// Builds a range from optional `YYYY-MM-DD` strings; missing ends are open.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, DateRangeError> {
        let from = from
            .map(Self::parse_day)
            .transpose()?
            .unwrap_or(NaiveDate::MIN);
        let to = to
            .map(Self::parse_day)
            .transpose()?
            .unwrap_or(NaiveDate::MAX);
        Self::new(from, to)
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        DateRange::parse_day(s).unwrap()
    }

    fn bar(d: &str, o: f64, h: f64, l: f64, c: f64) -> PriceBar {
        PriceBar {
            day: day(d),
            open: o,
            high: h,
            low: l,
            close: c,
            adj_close: c,
            volume: 1,
        }
    }

    #[test]
    fn checks_find_each_kind_of_bad_bar() {
        let today = day("2025-01-31");
        assert_eq!(
            bar("2025-01-27", 124.8, 128.4, 116.7, 118.42).check(today),
            Ok(())
        );
        assert!(matches!(
            bar("2025-01-27", 0.0, 1.0, 1.0, 1.0).check(today),
            Err(BarProblem::NonPositive { field: "open", .. })
        ));
        assert!(matches!(
            bar("2025-01-27", 10.0, 12.0, 10.5, 11.0).check(today),
            Err(BarProblem::LowAboveBody { .. })
        ));
        assert!(matches!(
            bar("2025-01-27", 10.0, 10.5, 9.0, 11.0).check(today),
            Err(BarProblem::HighBelowBody { .. })
        ));
        assert!(matches!(
            bar("2025-02-03", 10.0, 12.0, 9.0, 11.0).check(today),
            Err(BarProblem::FutureDay { .. })
        ));
        assert!(matches!(
            bar("2025-01-27", f64::NAN, 12.0, 9.0, 11.0).check(today),
            Err(BarProblem::NonPositive { .. })
        ));
    }

    #[test]
    fn series_reports_duplicates() {
        let today = day("2025-01-31");
        let b = bar("2025-01-27", 10.0, 12.0, 9.0, 11.0);
        let bad = validate_series(&[b.clone(), b], today);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].problem, BarProblem::DuplicateDay);
        assert_eq!(
            bad[0].to_string(),
            "2025-01-27: the day appears more than once"
        );
    }

    #[test]
    fn date_ranges_parse_and_reject() {
        let r = DateRange::parse(Some("2025-01-01"), None).unwrap();
        assert!(r.contains(day("2025-06-30")));
        assert!(!r.contains(day("2024-12-31")));
        assert_eq!(
            DateRange::parse(Some("2025-13-01"), None),
            Err(DateRangeError::BadDate("2025-13-01".into()))
        );
        assert!(matches!(
            DateRange::parse(Some("2025-02-01"), Some("2025-01-01")),
            Err(DateRangeError::Inverted { .. })
        ));
    }
}
