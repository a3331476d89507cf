//! Demand for compute on calendar quarters: quarterly company facts (capex, revenue, segment
//! revenue) aligned from fiscal to calendar quarters, de-duplicated, summed across buyers, with
//! quarter-on-quarter and year-on-year growth and a rolling four-quarter sum. The tabular work
//! is polars: an as-of join places each fiscal quarter, group-bys merge and sum, self-joins give
//! growth against the same key one and four quarters back, a rolling sum over each series gives
//! the trailing year.
//!
//! **Fiscal → calendar rule**: a fiscal quarter belongs to the calendar quarter that holds most
//! of its days, found as the calendar quarter containing the period's middle day
//! (`start + (end − start) / 2`, rounded down; on an exact tie of days the earlier quarter wins).
//! NVIDIA's FY2025 Q4 (2024-10-28 … 2025-01-26) is 2024 Q4; Micron's quarter ended 2025-02-27
//! (2024-11-29 … 2025-02-27) is 2025 Q1. Without a start date the period is taken as the three
//! months ending at `period_end`.
//!
//! Over 400 lines because one polars pipeline (as-of placement, merge, growth self-joins,
//! rolling sum) whose frames are built and consumed here only.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;
use serde::Serialize;

use crate::returns::{date_to_days, days_to_date};

pub const ALIGNMENT_RULE: &str = "each fiscal quarter is placed in the calendar quarter holding most of its days \
     (the one containing the period's middle day; ties go to the earlier quarter)";

#[derive(Debug, thiserror::Error)]
pub enum DemandError {
    #[error(transparent)]
    Polars(#[from] PolarsError),
    #[error("invalid input: {0}")]
    Invalid(String),
}

/// A calendar quarter, ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CalendarQuarter {
    pub year: i32,
    /// 1…4.
    pub quarter: u8,
}

impl CalendarQuarter {
    pub fn of(d: NaiveDate) -> Self {
        Self {
            year: d.year(),
            quarter: (d.month0() / 3 + 1) as u8,
        }
    }

    /// Quarters since year 0: consecutive quarters differ by 1.
    pub fn index(self) -> i32 {
        self.year * 4 + i32::from(self.quarter) - 1
    }

    pub fn from_index(i: i32) -> Self {
        Self {
            year: i.div_euclid(4),
            quarter: (i.rem_euclid(4) + 1) as u8,
        }
    }

    pub fn offset(self, quarters: i32) -> Self {
        Self::from_index(self.index() + quarters)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.quarter) * 3 - 2, 1)
            .unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.offset(1)
            .first_day()
            .pred_opt()
            .unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for CalendarQuarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Q{}", self.year, self.quarter)
    }
}

/// Where a figure comes from; a filed value wins over a press-release value for the same
/// company, metric and quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    Filed,
    PressRelease,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::PressRelease => "press-release",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "filed" => Some(Self::Filed),
            "press-release" => Some(Self::PressRelease),
            _ => None,
        }
    }
}

/// One company's figure for one fiscal quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterlyFact {
    pub symbol: String,
    pub metric: String,
    /// As the company labels it, e.g. `FY2025Q4`.
    pub fiscal_period: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: NaiveDate,
    pub value_usd: f64,
    pub provenance: Provenance,
}

/// The start used for a fact: its own, or the three months ending at `period_end`.
pub fn period_start(f: &QuarterlyFact) -> NaiveDate {
    f.period_start.unwrap_or_else(|| {
        f.period_end
            .checked_sub_months(Months::new(3))
            .and_then(|d| d.succ_opt())
            .unwrap_or(f.period_end)
    })
}

/// The calendar quarter a fiscal period belongs to, by [`ALIGNMENT_RULE`] (the same rule the
/// polars as-of join applies; for callers that place one period).
pub fn calendar_quarter(start: NaiveDate, end: NaiveDate) -> CalendarQuarter {
    CalendarQuarter::of(start + chrono::Duration::days((end - start).num_days() / 2))
}

/// One calendar quarter of a demand series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandPoint {
    pub quarter: CalendarQuarter,
    pub value_usd: f64,
    /// value / value one quarter earlier − 1, when that quarter is in the series.
    pub qoq: Option<f64>,
    /// value / value four quarters earlier − 1.
    pub yoy: Option<f64>,
    /// Sum of this and the three previous quarters, when all four are in the series.
    pub trailing_4q_usd: Option<f64>,
    /// Companies that reported this quarter (1 for a single company).
    pub present: usize,
    /// The fiscal period label (single-company series only).
    pub fiscal_period: Option<String>,
    pub provenance: Option<Provenance>,
}

/// A quarter left out of an aggregate because not every member reported it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartialQuarter {
    pub quarter: CalendarQuarter,
    pub present: usize,
    pub of: usize,
}

/// A calendar-quarter series: one company's metric, or a sum over companies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandSeries {
    /// The symbol, or the aggregate's name.
    pub name: String,
    pub metric: String,
    pub members: Vec<String>,
    pub points: Vec<DemandPoint>,
    /// Aggregates only: quarters dropped because some members had not reported.
    pub partial: Vec<PartialQuarter>,
}

impl DemandSeries {
    pub fn latest(&self) -> Option<&DemandPoint> {
        self.points.last()
    }

    pub fn at(&self, q: CalendarQuarter) -> Option<&DemandPoint> {
        self.points.iter().find(|p| p.quarter == q)
    }
}

fn date_col(name: &str, days: Vec<i32>) -> Result<Column, DemandError> {
    Ok(Column::new(name.into(), days).cast(&DataType::Date)?)
}

/// The facts as a frame with the middle day of each period, checked.
fn facts_frame(facts: &[QuarterlyFact]) -> Result<DataFrame, DemandError> {
    let mut mid = Vec::with_capacity(facts.len());
    for f in facts {
        let start = period_start(f);
        let len = (f.period_end - start).num_days() + 1;
        if !(60..=120).contains(&len) {
            return Err(DemandError::Invalid(format!(
                "{} {} {}: a period of {len} days ({start} … {}) is not a quarter",
                f.symbol, f.metric, f.fiscal_period, f.period_end
            )));
        }
        if !f.value_usd.is_finite() {
            return Err(DemandError::Invalid(format!(
                "{} {} {}: value {} is not a number",
                f.symbol, f.metric, f.fiscal_period, f.value_usd
            )));
        }
        mid.push(date_to_days(start) + ((f.period_end - start).num_days() / 2) as i32);
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "symbol".into(),
            facts.iter().map(|f| f.symbol.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "metric".into(),
            facts.iter().map(|f| f.metric.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "fiscal_period".into(),
            facts
                .iter()
                .map(|f| f.fiscal_period.as_str())
                .collect::<Vec<_>>(),
        ),
        date_col(
            "period_end",
            facts.iter().map(|f| date_to_days(f.period_end)).collect(),
        )?,
        Column::new(
            "value".into(),
            facts.iter().map(|f| f.value_usd).collect::<Vec<_>>(),
        ),
        Column::new(
            "provenance".into(),
            facts
                .iter()
                .map(|f| f.provenance.as_str())
                .collect::<Vec<_>>(),
        ),
        // Filed before press-release when both give the same quarter.
        Column::new(
            "provenance_rank".into(),
            facts
                .iter()
                .map(|f| i32::from(f.provenance != Provenance::Filed))
                .collect::<Vec<_>>(),
        ),
        date_col("mid", mid)?,
    ])?)
}

/// Calendar quarters covering `lo…hi` (days): `quarter` (index), `quarter_start` (date).
fn quarters_frame(lo: NaiveDate, hi: NaiveDate) -> Result<DataFrame, DemandError> {
    let (a, b) = (
        CalendarQuarter::of(lo).index(),
        CalendarQuarter::of(hi).index(),
    );
    let idx: Vec<i32> = (a..=b).collect();
    let starts = idx
        .iter()
        .map(|i| date_to_days(CalendarQuarter::from_index(*i).first_day()))
        .collect();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("quarter".into(), idx),
        date_col("quarter_start", starts)?,
    ])?)
}

/// Each fact placed on its calendar quarter (as-of join of the period's middle day on the
/// quarters' first days), one row per (symbol, metric, quarter): the filed value when there is
/// one, else the press-release value; `reports` counts the facts that fell on that quarter.
/// Columns: `symbol, metric, quarter, value, fiscal_period, provenance, reports`.
pub fn align_to_calendar(facts: &[QuarterlyFact]) -> Result<LazyFrame, DemandError> {
    let df = facts_frame(facts)?;
    let (Some(lo), Some(hi)) = (
        facts.iter().map(period_start).min(),
        facts.iter().map(|f| f.period_end).max(),
    ) else {
        return Ok(df.lazy().select([
            col("symbol"),
            col("metric"),
            lit(0i32).alias("quarter"),
            col("value"),
            col("fiscal_period"),
            col("provenance"),
            lit(0u32).alias("reports"),
        ]));
    };
    let quarters = quarters_frame(lo, hi)?;
    let asof = JoinArgs::new(JoinType::AsOf(Box::new(AsOfOptions {
        strategy: AsofStrategy::Backward,
        allow_eq: true,
        ..AsOfOptions::default()
    })));
    let by_rank = SortMultipleOptions::default();
    Ok(df
        .lazy()
        .sort(["mid"], SortMultipleOptions::default())
        .join(quarters.lazy(), [col("mid")], [col("quarter_start")], asof)
        .group_by([col("symbol"), col("metric"), col("quarter")])
        .agg([
            col("value")
                .sort_by([col("provenance_rank"), col("period_end")], by_rank.clone())
                .first(),
            col("fiscal_period")
                .sort_by([col("provenance_rank"), col("period_end")], by_rank.clone())
                .first(),
            col("provenance")
                .sort_by([col("provenance_rank"), col("period_end")], by_rank)
                .first(),
            len().alias("reports"),
        ]))
}

/// Adds `qoq`, `yoy` (self-joins one and four quarters back) and `trailing_4q` (rolling sum of
/// four consecutive quarters) per (`symbol`, `metric`).
fn with_growth(lf: LazyFrame) -> Result<LazyFrame, DemandError> {
    let keys = [col("symbol"), col("metric"), col("quarter")];
    let back = |n: i32, name: &str| {
        lf.clone().select([
            col("symbol"),
            col("metric"),
            (col("quarter") + lit(n)).alias("quarter"),
            col("value").alias(name),
        ])
    };
    let left = JoinArgs::new(JoinType::Left);
    let series = [col("symbol"), col("metric")];
    let rolling = col("value")
        .rolling_sum(RollingOptionsFixedWindow {
            window_size: 4,
            min_periods: 4,
            ..Default::default()
        })
        .over(series.clone())?;
    let span = (col("quarter") - col("quarter").shift(lit(3))).over(series)?;
    Ok(lf
        .clone()
        .join(back(1, "prev_q"), keys.clone(), keys.clone(), left.clone())
        .join(back(4, "prev_y"), keys.clone(), keys, left)
        .sort(
            ["symbol", "metric", "quarter"],
            SortMultipleOptions::default(),
        )
        .with_columns([
            (col("value") / col("prev_q") - lit(1.0)).alias("qoq"),
            (col("value") / col("prev_y") - lit(1.0)).alias("yoy"),
            when(span.eq(lit(3)))
                .then(rolling)
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("trailing_4q"),
        ]))
}

fn strs(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, DemandError> {
    Ok(df
        .column(name)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

fn f64s(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, DemandError> {
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .map(|v| v.filter(|x| x.is_finite()))
        .collect())
}

fn i64s(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>, DemandError> {
    Ok(df
        .column(name)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .collect())
}

/// The final frame (sorted by symbol, metric, quarter) as series.
fn to_series(df: &DataFrame, single: bool) -> Result<Vec<DemandSeries>, DemandError> {
    let symbol = strs(df, "symbol")?;
    let metric = strs(df, "metric")?;
    let quarter = i64s(df, "quarter")?;
    let value = f64s(df, "value")?;
    let qoq = f64s(df, "qoq")?;
    let yoy = f64s(df, "yoy")?;
    let ttm = f64s(df, "trailing_4q")?;
    let present = i64s(df, "present")?;
    let fiscal = if single {
        strs(df, "fiscal_period")?
    } else {
        vec![None; df.height()]
    };
    let prov = if single {
        strs(df, "provenance")?
    } else {
        vec![None; df.height()]
    };
    let mut out: Vec<DemandSeries> = Vec::new();
    for i in 0..df.height() {
        let (Some(s), Some(m), Some(q), Some(v)) = (&symbol[i], &metric[i], quarter[i], value[i])
        else {
            continue;
        };
        let point = DemandPoint {
            quarter: CalendarQuarter::from_index(q as i32),
            value_usd: v,
            qoq: qoq[i],
            yoy: yoy[i],
            trailing_4q_usd: ttm[i],
            present: present[i].unwrap_or(0) as usize,
            fiscal_period: fiscal[i].clone(),
            provenance: prov[i].as_deref().and_then(Provenance::parse),
        };
        match out.last_mut() {
            Some(last) if last.name == *s && last.metric == *m => last.points.push(point),
            _ => out.push(DemandSeries {
                name: s.clone(),
                metric: m.clone(),
                members: vec![s.clone()],
                points: vec![point],
                partial: Vec::new(),
            }),
        }
    }
    Ok(out)
}

/// Every company's every metric on calendar quarters, with growth.
pub fn company_series(facts: &[QuarterlyFact]) -> Result<Vec<DemandSeries>, DemandError> {
    let lf = align_to_calendar(facts)?.with_column(lit(1u32).alias("present"));
    let df = with_growth(lf)?.collect()?;
    to_series(&df, true)
}

/// One company's metric, or `None` when it has no facts.
pub fn company_metric(
    facts: &[QuarterlyFact],
    symbol: &str,
    metric: &str,
) -> Result<Option<DemandSeries>, DemandError> {
    let own: Vec<QuarterlyFact> = facts
        .iter()
        .filter(|f| f.symbol == symbol && f.metric == metric)
        .cloned()
        .collect();
    Ok(company_series(&own)?.into_iter().next())
}

/// The sum of `metric` over `members` per calendar quarter, kept only for quarters in which
/// every member reports (the others are listed in `partial`), with growth.
pub fn aggregate_series(
    facts: &[QuarterlyFact],
    metric: &str,
    members: &[&str],
    name: &str,
) -> Result<DemandSeries, DemandError> {
    let mut members: Vec<String> = members.iter().map(|s| s.to_string()).collect();
    members.sort();
    members.dedup();
    if members.is_empty() {
        return Err(DemandError::Invalid(format!("{name}: no member companies")));
    }
    let own: Vec<QuarterlyFact> = facts
        .iter()
        .filter(|f| f.metric == metric && members.contains(&f.symbol))
        .cloned()
        .collect();
    let summed = align_to_calendar(&own)?
        .group_by([col("quarter")])
        .agg([
            col("value").sum(),
            col("symbol").n_unique().alias("present"),
        ])
        .with_columns([lit(name).alias("symbol"), lit(metric).alias("metric")])
        .collect()?;
    let need = members.len() as u32;
    let complete = summed.clone().lazy().filter(col("present").eq(lit(need)));
    let df = with_growth(complete)?.collect()?;
    let partial_df = summed
        .lazy()
        .filter(col("present").neq(lit(need)))
        .sort(["quarter"], SortMultipleOptions::default())
        .collect()?;
    let partial = i64s(&partial_df, "quarter")?
        .into_iter()
        .zip(i64s(&partial_df, "present")?)
        .filter_map(|(q, n)| {
            Some(PartialQuarter {
                quarter: CalendarQuarter::from_index(q? as i32),
                present: n? as usize,
                of: members.len(),
            })
        })
        .collect();
    let mut series = to_series(&df, false)?
        .into_iter()
        .next()
        .unwrap_or(DemandSeries {
            name: name.to_string(),
            metric: metric.to_string(),
            members: Vec::new(),
            points: Vec::new(),
            partial: Vec::new(),
        });
    series.members = members;
    series.partial = partial;
    Ok(series)
}

/// The demand side of the Jevons page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandOverview {
    /// Sum of the buyers' capex (quarters where all report).
    pub hyperscaler_capex: DemandSeries,
    /// Each buyer's capex.
    pub capex_by_buyer: Vec<DemandSeries>,
    pub nvidia_data_center: Option<DemandSeries>,
    /// Each vendor's `revenue`.
    pub vendor_revenue: Vec<DemandSeries>,
}

/// Capex of `buyers` (metric `capex`), NVIDIA `data_center_revenue`, and `revenue` of `vendors`.
pub fn demand_overview(
    facts: &[QuarterlyFact],
    buyers: &[&str],
    vendors: &[&str],
) -> Result<DemandOverview, DemandError> {
    let all = company_series(facts)?;
    let pick = |metric: &str, who: &[&str]| -> Vec<DemandSeries> {
        all.iter()
            .filter(|s| s.metric == metric && who.contains(&s.name.as_str()))
            .cloned()
            .collect()
    };
    Ok(DemandOverview {
        hyperscaler_capex: aggregate_series(facts, "capex", buyers, "hyperscaler capex")?,
        capex_by_buyer: pick("capex", buyers),
        nvidia_data_center: pick("data_center_revenue", &["NVDA"]).into_iter().next(),
        vendor_revenue: pick("revenue", vendors),
    })
}

/// A quarter's label back from a date column value (for callers that hold days).
pub fn quarter_of_days(days: i32) -> CalendarQuarter {
    CalendarQuarter::of(days_to_date(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fact(
        sym: &str,
        metric: &str,
        fp: &str,
        start: Option<&str>,
        end: &str,
        v: f64,
    ) -> QuarterlyFact {
        QuarterlyFact {
            symbol: sym.into(),
            metric: metric.into(),
            fiscal_period: fp.into(),
            period_start: start.map(d),
            period_end: d(end),
            value_usd: v,
            provenance: Provenance::PressRelease,
        }
    }

    fn q(y: i32, n: u8) -> CalendarQuarter {
        CalendarQuarter {
            year: y,
            quarter: n,
        }
    }

    #[test]
    fn nvidia_and_micron_fiscal_quarters_land_where_most_days_are() {
        // NVIDIA FY2025 Q4: 2024-10-28 … 2025-01-26 → 2024 Q4 (65 of 91 days), not 2025 Q1.
        assert_eq!(
            calendar_quarter(d("2024-10-28"), d("2025-01-26")),
            q(2024, 4)
        );
        // Micron: quarters end late Feb/May/Aug/Nov.
        assert_eq!(
            calendar_quarter(d("2024-11-29"), d("2025-02-27")),
            q(2025, 1)
        );
        assert_eq!(
            calendar_quarter(d("2025-02-28"), d("2025-05-29")),
            q(2025, 2)
        );
        assert_eq!(
            calendar_quarter(d("2025-05-30"), d("2025-08-28")),
            q(2025, 3)
        );
        assert_eq!(
            calendar_quarter(d("2025-08-29"), d("2025-11-27")),
            q(2025, 4)
        );

        // The polars as-of join agrees, with and without a start date.
        let facts = vec![
            fact(
                "NVDA",
                "revenue",
                "FY2025Q4",
                Some("2024-10-28"),
                "2025-01-26",
                39331e6,
            ),
            fact("NVDA", "revenue", "FY2026Q1", None, "2025-04-27", 44062e6),
            fact("MU", "revenue", "FY2025Q2", None, "2025-02-27", 8053e6),
            fact("MU", "revenue", "FY2025Q1", None, "2024-11-28", 8709e6),
            fact("MSFT", "capex", "FY2025Q2", None, "2024-12-31", 1e9),
        ];
        let all = company_series(&facts).unwrap();
        let got: Vec<(String, Vec<CalendarQuarter>)> = all
            .iter()
            .map(|s| (s.name.clone(), s.points.iter().map(|p| p.quarter).collect()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("MSFT".into(), vec![q(2024, 4)]),
                ("MU".into(), vec![q(2024, 4), q(2025, 1)]),
                ("NVDA".into(), vec![q(2024, 4), q(2025, 1)]),
            ]
        );
        let nv = &all[2];
        assert_eq!(nv.points[0].fiscal_period.as_deref(), Some("FY2025Q4"));
        assert!((nv.points[1].qoq.unwrap() - (44062.0 / 39331.0 - 1.0)).abs() < 1e-12);
        assert_eq!(nv.points[1].yoy, None);
    }

    #[test]
    fn growth_trailing_sum_and_gaps() {
        // Calendar quarters 2023 Q1 … 2024 Q2 with 2023 Q3 missing.
        let ends = [
            "2023-03-31",
            "2023-06-30",
            "2023-12-31",
            "2024-03-31",
            "2024-06-30",
        ];
        let vals = [10.0, 11.0, 13.0, 14.0, 15.0];
        let facts: Vec<_> = ends
            .iter()
            .zip(vals)
            .map(|(e, v)| fact("X", "capex", e, None, e, v))
            .collect();
        let s = company_metric(&facts, "X", "capex").unwrap().unwrap();
        let pts: Vec<_> = s
            .points
            .iter()
            .map(|p| (p.quarter, p.qoq, p.yoy, p.trailing_4q_usd))
            .collect();
        assert_eq!(pts[0], (q(2023, 1), None, None, None));
        assert_eq!(pts[2].1, None); // 2023 Q4: 2023 Q3 missing
        assert!((pts[3].1.unwrap() - (14.0 / 13.0 - 1.0)).abs() < 1e-12);
        assert!((pts[3].2.unwrap() - (14.0 / 10.0 - 1.0)).abs() < 1e-12);
        assert!((pts[4].2.unwrap() - (15.0 / 11.0 - 1.0)).abs() < 1e-12);
        assert_eq!(pts[4].3, None); // the four quarters to 2024 Q2 miss 2023 Q3

        let full: Vec<_> = ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"]
            .iter()
            .enumerate()
            .map(|(i, e)| fact("Y", "capex", e, None, e, (i + 1) as f64))
            .collect();
        let s = company_metric(&full, "Y", "capex").unwrap().unwrap();
        assert_eq!(s.points[3].trailing_4q_usd, Some(10.0));
    }

    #[test]
    fn aggregate_keeps_only_complete_quarters_and_filed_wins() {
        let mut facts = vec![
            fact("A", "capex", "Q1", None, "2024-03-31", 1.0),
            fact("B", "capex", "Q1", None, "2024-03-31", 2.0),
            fact("A", "capex", "Q2", None, "2024-06-30", 3.0),
            fact("C", "capex", "Q2", None, "2024-06-30", 100.0), // not a member
        ];
        let mut filed = fact("A", "capex", "Q1", None, "2024-03-31", 1.5);
        filed.provenance = Provenance::Filed;
        facts.push(filed);
        let s = aggregate_series(&facts, "capex", &["A", "B"], "hyperscaler capex").unwrap();
        assert_eq!(s.points.len(), 1);
        assert_eq!(s.points[0].value_usd, 3.5);
        assert_eq!(s.points[0].present, 2);
        assert_eq!(
            s.partial,
            vec![PartialQuarter {
                quarter: q(2024, 2),
                present: 1,
                of: 2
            }]
        );
        let a = company_metric(&facts, "A", "capex").unwrap().unwrap();
        assert_eq!(a.points[0].provenance, Some(Provenance::Filed));
        // Nothing at all: an empty series, not an error.
        let e = aggregate_series(&[], "capex", &["A"], "x").unwrap();
        assert!(e.points.is_empty());
        // A year is not a quarter.
        let bad = fact("A", "capex", "FY", Some("2024-01-01"), "2024-12-31", 1.0);
        assert!(company_series(&[bad]).is_err());
    }

    #[test]
    fn quarter_arithmetic() {
        assert_eq!(q(2025, 1).offset(-1), q(2024, 4));
        assert_eq!(q(2024, 4).last_day(), d("2024-12-31"));
        assert_eq!(q(2024, 1).last_day(), d("2024-03-31"));
        assert_eq!(CalendarQuarter::from_index(q(2026, 3).index()), q(2026, 3));
        assert_eq!(q(2026, 1).to_string(), "2026 Q1");
    }
}
