//! Page models: askama templates and the pure computations that fill them.
//!
//! Handlers fetch; this module turns rows into display strings, so the arithmetic (1-day, 5-day,
//! year-to-date changes) is tested without a database.

pub mod correlations;
pub mod events;
pub mod jevons;
pub mod models;
pub mod news;
pub mod story;

use askama::Template;
use chrono::{Datelike, Months, NaiveDate};
use jevons_core::{PriceBar, Role};
use jevons_store::tickers::TickerSummary;

use crate::charts::{self, pct_change};
use crate::format::{self, Change};

/// Which nav entry is highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Models,
    Events,
    Correlations,
    Story,
    Jevons,
    Shocks,
    Jobs,
    News,
    Sources,
    None,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub title: &'a str,
    pub nav: Nav,
    pub status: u16,
    pub message: &'a str,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub title: &'static str,
    pub nav: Nav,
    pub sections: Vec<OverviewSection>,
    /// First and last day held over the watchlist, e.g. ("2023-07-03", "2025-06-30").
    pub data_range: Option<(String, String)>,
}

pub struct OverviewSection {
    pub heading: &'static str,
    pub rows: Vec<OverviewRow>,
}

pub struct OverviewRow {
    pub symbol: String,
    pub name: String,
    pub last_close: String,
    pub last_day: String,
    pub day_change: Change,
    pub week_change: Change,
    pub ytd_change: Change,
    pub ytd_base: String,
    /// Our own SVG; the only text in it is fixed.
    pub sparkline: String,
}

/// Calendar months of history a sparkline shows.
pub const SPARKLINE_MONTHS: u32 = 3;

/// The first day the overview needs for `last_day`: the sparkline window and the previous
/// year's last close (the base of the year-to-date change).
pub fn overview_window_start(last_day: NaiveDate) -> NaiveDate {
    let spark_from = last_day
        .checked_sub_months(Months::new(SPARKLINE_MONTHS))
        .unwrap_or(last_day);
    let prev_december = NaiveDate::from_ymd_opt(last_day.year() - 1, 12, 1).unwrap_or(spark_from);
    spark_from.min(prev_december)
}

/// One overview row from a ticker and its bars since [`overview_window_start`] (ascending).
pub fn overview_row(t: &TickerSummary, bars: &[PriceBar]) -> OverviewRow {
    let last = bars.last();
    let back = |n: usize| bars.len().checked_sub(n + 1).and_then(|i| bars.get(i));
    let change_since = |base: Option<&PriceBar>| {
        Change::from_pct(
            base.zip(last)
                .and_then(|(b, l)| pct_change(b.adj_close, l.adj_close)),
        )
    };
    // "Year to date" is relative to the last day held, not to today.
    let ytd_base = last.and_then(|l| bars.iter().rev().find(|b| b.day.year() < l.day.year()));
    let spark_from = last.and_then(|l| l.day.checked_sub_months(Months::new(SPARKLINE_MONTHS)));
    let closes: Vec<f64> = bars
        .iter()
        .filter(|b| spark_from.is_some_and(|from| b.day > from))
        .map(|b| b.close)
        .collect();
    OverviewRow {
        symbol: t.symbol.to_string(),
        name: t.name.clone(),
        last_close: last
            .map(|b| b.close)
            .or(t.last_close)
            .map_or_else(|| "–".to_string(), format::price),
        last_day: last
            .map(|b| b.day)
            .or(t.last_day)
            .map_or_else(|| "no prices yet".to_string(), |d| d.to_string()),
        day_change: change_since(back(1)),
        week_change: change_since(back(5)),
        ytd_change: change_since(ytd_base),
        ytd_base: ytd_base.map_or_else(String::new, |b| b.day.to_string()),
        sparkline: charts::sparkline_svg(&closes, 120, 32),
    }
}

/// Splits rows by role: vendors, then benchmarks, then anything else; order within kept.
pub fn overview_sections(rows: Vec<(Role, OverviewRow)>) -> Vec<OverviewSection> {
    let mut sections: Vec<OverviewSection> =
        ["GPU and AI-hardware vendors", "Benchmarks", "Also watched"]
            .into_iter()
            .map(|heading| OverviewSection {
                heading,
                rows: Vec::new(),
            })
            .collect();
    for (role, row) in rows {
        let i = match role {
            Role::Vendor => 0,
            Role::Benchmark => 1,
            Role::Other => 2,
        };
        sections[i].rows.push(row);
    }
    sections.retain(|s| !s.rows.is_empty());
    sections
}

/// The chart ranges a ticker page offers, relative to the last day held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartRange {
    OneMonth,
    SixMonths,
    OneYear,
    All,
}

impl ChartRange {
    pub const ALL: [ChartRange; 4] = [
        ChartRange::OneMonth,
        ChartRange::SixMonths,
        ChartRange::OneYear,
        ChartRange::All,
    ];
    pub const ALLOWED: &'static str = "1m, 6m, 1y, all";

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChartRange::OneMonth => "1m",
            ChartRange::SixMonths => "6m",
            ChartRange::OneYear => "1y",
            ChartRange::All => "all",
        }
    }

    /// How the chart caption names the range.
    pub fn caption(self) -> &'static str {
        match self {
            ChartRange::OneMonth => "the month up to the last day held",
            ChartRange::SixMonths => "the six months up to the last day held",
            ChartRange::OneYear => "the year up to the last day held",
            ChartRange::All => "every day held",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChartRange::OneMonth => "1 month",
            ChartRange::SixMonths => "6 months",
            ChartRange::OneYear => "1 year",
            ChartRange::All => "All",
        }
    }

    /// The first day shown when the last day held is `last_day`.
    pub fn start(self, last_day: NaiveDate) -> NaiveDate {
        let months = match self {
            ChartRange::OneMonth => 1,
            ChartRange::SixMonths => 6,
            ChartRange::OneYear => 12,
            ChartRange::All => return NaiveDate::MIN,
        };
        last_day
            .checked_sub_months(Months::new(months))
            .unwrap_or(NaiveDate::MIN)
    }
}

pub struct RangeLink {
    pub value: &'static str,
    pub label: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "ticker.html")]
pub struct TickerPage {
    pub title: String,
    pub nav: Nav,
    pub symbol: String,
    pub name: String,
    pub role: &'static str,
    pub on_watchlist: bool,
    pub first_day: String,
    pub last_day: String,
    pub bar_count: i64,
    pub last_close: String,
    pub ranges: Vec<RangeLink>,
    pub range_label: &'static str,
    /// Our own SVG; the only outside text in it is the validated symbol, XML-escaped.
    pub chart_svg: String,
    /// "−16.97% on 2025-01-27" when something fell in the range.
    pub largest_fall: Option<String>,
    pub rows: Vec<DayRow>,
}

pub struct DayRow {
    pub day: String,
    pub open: String,
    pub high: String,
    pub low: String,
    pub close: String,
    pub adj_close: String,
    pub volume: String,
    pub change: Change,
}

/// Rows for the recent-days table, newest first; `bars` ascending, the change of each day from
/// the bar before it (so pass one bar more than `limit` to have a change on every row).
pub fn day_rows(bars: &[PriceBar], limit: usize) -> Vec<DayRow> {
    let mut rows: Vec<DayRow> = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let prev = i.checked_sub(1).and_then(|p| bars.get(p));
            DayRow {
                day: b.day.to_string(),
                open: format::price(b.open),
                high: format::price(b.high),
                low: format::price(b.low),
                close: format::price(b.close),
                adj_close: format::price(b.adj_close),
                volume: format::thousands(b.volume),
                change: Change::from_pct(prev.and_then(|p| pct_change(p.adj_close, b.adj_close))),
            }
        })
        .collect();
    rows.reverse();
    rows.truncate(limit);
    rows
}

#[derive(Template)]
#[template(path = "jobs.html")]
pub struct JobsPage {
    pub title: &'static str,
    pub nav: Nav,
    pub runs: Vec<JobRow>,
}

pub struct JobRow {
    pub job: String,
    pub scheduled_for: String,
    pub started_at: String,
    pub finished_at: String,
    pub status: &'static str,
    pub rows_written: String,
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jevons_core::Symbol;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn bar(day: &str, adj: f64) -> PriceBar {
        PriceBar {
            day: d(day),
            open: adj,
            high: adj,
            low: adj,
            close: adj,
            adj_close: adj,
            volume: 1_000,
        }
    }

    fn summary() -> TickerSummary {
        TickerSummary {
            symbol: Symbol::parse("NVDA").unwrap(),
            name: "NVIDIA".into(),
            role: Role::Vendor,
            on_watchlist: true,
            first_day: None,
            last_day: None,
            last_close: None,
            bars: 0,
        }
    }

    #[test]
    fn overview_changes_use_trading_days_and_the_previous_year_end() {
        let bars = vec![
            bar("2024-12-30", 90.0),
            bar("2024-12-31", 100.0),
            bar("2025-01-02", 101.0),
            bar("2025-01-03", 102.0),
            bar("2025-01-06", 103.0),
            bar("2025-01-07", 104.0),
            bar("2025-01-08", 105.0),
            bar("2025-01-10", 110.0),
        ];
        let row = overview_row(&summary(), &bars);
        assert_eq!(row.last_close, "110.00");
        assert_eq!(row.last_day, "2025-01-10");
        // 1 day: 105 → 110.
        assert_eq!(row.day_change.text, "+4.76%");
        assert_eq!(row.day_change.class, "up");
        // 5 trading days back is 2025-01-02 (101).
        assert_eq!(row.week_change.text, "+8.91%");
        // YTD from the 2024-12-31 close (100), not 2024-12-30.
        assert_eq!(row.ytd_change.text, "+10.00%");
        assert_eq!(row.ytd_base, "2024-12-31");
        assert!(row.sparkline.contains("<polyline"));
    }

    #[test]
    fn overview_row_without_history_shows_dashes() {
        let row = overview_row(&summary(), &[bar("2025-01-10", 5.0)]);
        assert_eq!(row.day_change.text, "–");
        assert_eq!(row.week_change.text, "–");
        assert_eq!(row.ytd_change.text, "–");
        let empty = overview_row(&summary(), &[]);
        assert_eq!(empty.last_day, "no prices yet");
    }

    #[test]
    fn window_and_ranges_are_relative_to_the_last_day() {
        assert_eq!(overview_window_start(d("2025-06-30")), d("2024-12-01"));
        assert_eq!(overview_window_start(d("2025-02-10")), d("2024-11-10"));
        assert_eq!(ChartRange::parse("6m"), Some(ChartRange::SixMonths));
        assert_eq!(ChartRange::parse("2y"), None);
        assert_eq!(ChartRange::OneYear.start(d("2025-06-30")), d("2024-06-30"));
        assert_eq!(ChartRange::OneMonth.start(d("2025-03-31")), d("2025-02-28"));
        assert_eq!(ChartRange::All.start(d("2025-06-30")), NaiveDate::MIN);
    }

    #[test]
    fn day_rows_are_newest_first_with_changes() {
        let bars = vec![
            bar("2025-01-24", 142.5733),
            bar("2025-01-27", 118.3812),
            bar("2025-01-28", 128.9477),
        ];
        let rows = day_rows(&bars, 2);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].day, "2025-01-28");
        assert_eq!(rows[1].day, "2025-01-27");
        assert_eq!(rows[1].change.text, "\u{2212}16.97%");
        assert_eq!(rows[1].volume, "1,000");
    }
}
