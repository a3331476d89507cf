//! The Jevons question: does demand for compute move with the price of intelligence?
//!
//! - The price series is resampled to calendar quarters as **the cheapest price in effect on
//!   the quarter's last day** (a polars as-of join of quarter ends on the step series): a step
//!   series has no meaningful average, and the quarter-end value is what a buyer faced when the
//!   quarter's demand figure was closed.
//! - Quarterly log changes: Δln D_q = ln D_q − ln D_{q−1}, Δln P_q likewise, each only when both
//!   quarters exist.
//! - Elasticity: OLS of Δln D on Δln P over quarters with both, slope with its 95 % Student-t CI.
//! - Lead/lag: Pearson correlation of Δln P_t with Δln D_{t+lag}, lag −2…+2 (positive: the price
//!   change comes first).
//! - Before/after an event: the quarter holding the event date is left out; the four quarters
//!   after it against the four before, as the ratio of their sums and as the mean quarterly log
//!   growth on each side.
//!
//! Association, not cause: every result carries its N.
//!
//! Over 400 lines because one analysis (resample, align, growth, elasticity with its standard
//! error) whose steps feed each other in order.

use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;

use crate::demand::{CalendarQuarter, DemandSeries};
use crate::price_of_intelligence::{FitOutcome, PriceBasis, PriceOfIntelligence, Regression};
use crate::returns::date_to_days;
use crate::stats::correlation;

pub const PRICE_RESAMPLING_RULE: &str = "the cheapest price in effect on the quarter's last day";

#[derive(Debug, thiserror::Error)]
pub enum JevonsError {
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// The price of intelligence on one calendar quarter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterPrice {
    pub quarter: CalendarQuarter,
    pub usd_per_mtok: f64,
    pub model: String,
    pub basis: PriceBasis,
}

/// The cheapest price in effect on the last day of each quarter in `first…=last` (quarters
/// before the series starts are left out).
pub fn price_by_quarter(
    poi: &PriceOfIntelligence,
    first: CalendarQuarter,
    last: CalendarQuarter,
) -> Result<Vec<QuarterPrice>, JevonsError> {
    if poi.series.is_empty() || first > last {
        return Ok(Vec::new());
    }
    let idx: Vec<i32> = (first.index()..=last.index()).collect();
    let ends: Vec<i32> = idx
        .iter()
        .map(|i| date_to_days(CalendarQuarter::from_index(*i).last_day()))
        .collect();
    let quarters = DataFrame::new_infer_height(vec![
        Column::new("quarter".into(), idx),
        Column::new("day".into(), ends).cast(&DataType::Date)?,
    ])?;
    let s = &poi.series;
    let steps = DataFrame::new_infer_height(vec![
        Column::new(
            "day".into(),
            s.iter().map(|p| date_to_days(p.date)).collect::<Vec<_>>(),
        )
        .cast(&DataType::Date)?,
        Column::new(
            "price".into(),
            s.iter().map(|p| p.usd_per_mtok).collect::<Vec<_>>(),
        ),
        Column::new(
            "model".into(),
            s.iter().map(|p| p.model.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "dated".into(),
            s.iter()
                .map(|p| p.basis == PriceBasis::Dated)
                .collect::<Vec<_>>(),
        ),
    ])?;
    let asof = JoinArgs::new(JoinType::AsOf(Box::new(AsOfOptions {
        strategy: AsofStrategy::Backward,
        allow_eq: true,
        ..AsOfOptions::default()
    })));
    let df = quarters
        .lazy()
        .join(steps.lazy(), [col("day")], [col("day")], asof)
        .filter(col("price").is_not_null())
        .collect()?;
    let q = df.column("quarter")?.i32()?.clone();
    let price = df.column("price")?.f64()?.clone();
    let model = df.column("model")?.str()?.clone();
    let dated = df.column("dated")?.bool()?.clone();
    Ok((0..df.height())
        .filter_map(|i| {
            Some(QuarterPrice {
                quarter: CalendarQuarter::from_index(q.get(i)?),
                usd_per_mtok: price.get(i)?,
                model: model.get(i)?.to_string(),
                basis: if dated.get(i)? {
                    PriceBasis::Dated
                } else {
                    PriceBasis::Backfilled
                },
            })
        })
        .collect())
}

/// One quarter's log changes (`None` where a side lacks this or the previous quarter).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LogChange {
    pub quarter: CalendarQuarter,
    pub demand: Option<f64>,
    pub price: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoEstimate {
    /// Fewer than 3 quarters with both changes.
    TooFewQuarters { n: usize },
    /// The price did not change over the quarters with both changes.
    PriceConstant { n: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Elasticity {
    Estimated(Regression),
    NotEstimated(NoEstimate),
}

impl Elasticity {
    pub fn estimate(&self) -> Option<&Regression> {
        match self {
            Self::Estimated(r) => Some(r),
            Self::NotEstimated(_) => None,
        }
    }
}

/// corr(Δln P_t, Δln D_{t+lag}); `None` with fewer than 3 pairs or a constant side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LagCorrelation {
    pub lag: i32,
    pub n: usize,
    pub corr: Option<f64>,
}

/// Four quarters on one side of an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventSide {
    pub quarters: Vec<CalendarQuarter>,
    /// How many of the four have a demand figure.
    pub present: usize,
    /// Sum over the four, when all four are present.
    pub sum_usd: Option<f64>,
    /// Mean of Δln D over the side's quarters that have one; and how many.
    pub mean_log_growth: Option<f64>,
    pub growth_n: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeforeAfter {
    pub event: String,
    pub date: NaiveDate,
    /// The quarter holding the date; in neither side.
    pub event_quarter: CalendarQuarter,
    pub before: EventSide,
    pub after: EventSide,
    /// Σ after / Σ before − 1, when both sides are complete.
    pub level_change: Option<f64>,
    /// Mean quarterly growth after minus before, as exp(mean Δln D) − 1 on each side.
    pub quarterly_growth_before: Option<f64>,
    pub quarterly_growth_after: Option<f64>,
}

/// The relation between one demand series and one price-of-intelligence series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relation {
    pub demand: String,
    pub price_rule: &'static str,
    pub prices: Vec<QuarterPrice>,
    pub changes: Vec<LogChange>,
    /// Quarters with both changes.
    pub n: usize,
    pub elasticity: Elasticity,
    pub lead_lag: Vec<LagCorrelation>,
    pub events: Vec<BeforeAfter>,
}

/// An efficiency event to compare demand around.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMark {
    pub name: String,
    pub date: NaiveDate,
}

fn log_change(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(prev), Some(cur)) if prev > 0.0 && cur > 0.0 => Some(cur.ln() - prev.ln()),
        _ => None,
    }
}

/// Pearson correlation, `None` unless ≥ 3 pairs and both sides vary.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() < 3 {
        return None;
    }
    let c = correlation(x, y);
    c.is_finite().then_some(c)
}

pub fn relation(
    demand: &DemandSeries,
    poi: &PriceOfIntelligence,
    events: &[EventMark],
) -> Result<Relation, JevonsError> {
    let (Some(first), Some(last)) = (demand.points.first(), demand.points.last()) else {
        return Ok(Relation {
            demand: demand.name.clone(),
            price_rule: PRICE_RESAMPLING_RULE,
            prices: Vec::new(),
            changes: Vec::new(),
            n: 0,
            elasticity: Elasticity::NotEstimated(NoEstimate::TooFewQuarters { n: 0 }),
            lead_lag: lags(&[], 2),
            events: events
                .iter()
                .map(|e| before_after(demand, &[], e))
                .collect(),
        });
    };
    let (lo, hi) = (first.quarter.offset(-1), last.quarter);
    let prices = price_by_quarter(poi, lo, hi)?;
    let len = (hi.index() - lo.index() + 1) as usize;
    let mut d = vec![None; len];
    let mut p = vec![None; len];
    for pt in &demand.points {
        d[(pt.quarter.index() - lo.index()) as usize] = Some(pt.value_usd);
    }
    for qp in &prices {
        p[(qp.quarter.index() - lo.index()) as usize] = Some(qp.usd_per_mtok);
    }
    let changes: Vec<LogChange> = (1..len)
        .map(|i| LogChange {
            quarter: CalendarQuarter::from_index(lo.index() + i as i32),
            demand: log_change(d[i - 1], d[i]),
            price: log_change(p[i - 1], p[i]),
        })
        .collect();
    let (x, y): (Vec<f64>, Vec<f64>) = changes
        .iter()
        .filter_map(|c| Some((c.price?, c.demand?)))
        .unzip();
    let n = x.len();
    let elasticity = match Regression::fit(&x, &y) {
        Some(r) => Elasticity::Estimated(r),
        None if n < 3 => Elasticity::NotEstimated(NoEstimate::TooFewQuarters { n }),
        None => Elasticity::NotEstimated(NoEstimate::PriceConstant { n }),
    };
    Ok(Relation {
        demand: demand.name.clone(),
        price_rule: PRICE_RESAMPLING_RULE,
        lead_lag: lags(&changes, 2),
        events: events
            .iter()
            .map(|e| before_after(demand, &changes, e))
            .collect(),
        prices,
        changes,
        n,
        elasticity,
    })
}

fn lags(changes: &[LogChange], max: i32) -> Vec<LagCorrelation> {
    (-max..=max)
        .map(|lag| {
            let (x, y): (Vec<f64>, Vec<f64>) = changes
                .iter()
                .enumerate()
                .filter_map(|(t, c)| {
                    let u = usize::try_from(t as i64 + i64::from(lag)).ok()?;
                    Some((c.price?, changes.get(u)?.demand?))
                })
                .unzip();
            LagCorrelation {
                lag,
                n: x.len(),
                corr: pearson(&x, &y),
            }
        })
        .collect()
}

fn side(demand: &DemandSeries, changes: &[LogChange], qs: Vec<CalendarQuarter>) -> EventSide {
    let values: Vec<f64> = qs
        .iter()
        .filter_map(|q| demand.at(*q).map(|p| p.value_usd))
        .collect();
    let growth: Vec<f64> = qs
        .iter()
        .filter_map(|q| changes.iter().find(|c| c.quarter == *q)?.demand)
        .collect();
    EventSide {
        present: values.len(),
        sum_usd: (values.len() == qs.len()).then(|| values.iter().sum()),
        mean_log_growth: (!growth.is_empty())
            .then(|| growth.iter().sum::<f64>() / growth.len() as f64),
        growth_n: growth.len(),
        quarters: qs,
    }
}

fn before_after(demand: &DemandSeries, changes: &[LogChange], e: &EventMark) -> BeforeAfter {
    let eq = CalendarQuarter::of(e.date);
    let before = side(
        demand,
        changes,
        (1..=4).rev().map(|k| eq.offset(-k)).collect(),
    );
    let after = side(demand, changes, (1..=4).map(|k| eq.offset(k)).collect());
    let level_change = match (before.sum_usd, after.sum_usd) {
        (Some(b), Some(a)) if b > 0.0 => Some(a / b - 1.0),
        _ => None,
    };
    BeforeAfter {
        event: e.name.clone(),
        date: e.date,
        event_quarter: eq,
        quarterly_growth_before: before.mean_log_growth.map(|g| g.exp() - 1.0),
        quarterly_growth_after: after.mean_log_growth.map(|g| g.exp() - 1.0),
        before,
        after,
        level_change,
    }
}

/// What the answer paragraph is written from.
#[derive(Debug, Clone, Copy)]
pub struct AnswerInputs<'a> {
    /// e.g. "GPQA Diamond ≥ GPT-4o level".
    pub price_label: &'a str,
    pub poi: &'a PriceOfIntelligence,
    /// e.g. "Hyperscaler capex".
    pub demand_label: &'a str,
    pub demand: &'a DemandSeries,
    pub relation: &'a Relation,
}

fn factor(f: f64) -> String {
    if f >= 10.0 {
        format!("{f:.0}×")
    } else {
        format!("{f:.1}×")
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", (x * 100.0).abs())
}

/// The short answer, written from the numbers: every clause depends on the data it states, and
/// a missing number is said to be missing rather than replaced.
pub fn answer_paragraph(a: &AnswerInputs<'_>) -> String {
    let mut s: Vec<String> = Vec::new();
    match &a.poi.fit {
        FitOutcome::Fitted(f) => {
            let (verb, k, lo, hi) = if f.factor_per_year >= 1.0 {
                ("fell", f.factor_per_year, f.factor_ci_low, f.factor_ci_high)
            } else {
                (
                    "rose",
                    1.0 / f.factor_per_year,
                    1.0 / f.factor_ci_high,
                    1.0 / f.factor_ci_low,
                )
            };
            let basis = match (a.poi.fitted_dated, a.poi.fitted_backfilled) {
                (_, 0) => "all on dated prices".to_string(),
                (0, _) => "all on back-filled prices".to_string(),
                (d, b) => format!("{d} on dated prices, {b} back-filled"),
            };
            s.push(format!(
                "The cheapest price of {} {verb} {} per year (95% CI {} … {}, N = {}, {} … {}; {basis}).",
                a.price_label,
                factor(k),
                factor(lo),
                factor(hi),
                f.n,
                f.first.format("%Y-%m"),
                f.last.format("%Y-%m"),
            ));
        }
        FitOutcome::NotFitted { message, .. } => {
            s.push(format!(
                "The cheapest price of {} has no fitted trend: {message}.",
                a.price_label
            ));
        }
    }
    if let Some(p) = a.poi.series.last() {
        s.push(format!(
            "Since {} it is ${:.2} per million tokens ({}).",
            p.date, p.usd_per_mtok, p.model
        ));
    }
    match a.demand.latest() {
        Some(p) => match p.yoy {
            Some(g) => s.push(format!(
                "{} {} {} year on year in {}.",
                a.demand_label,
                if g >= 0.0 { "grew" } else { "fell" },
                pct(g),
                p.quarter
            )),
            None => s.push(format!(
                "{} was ${:.1} bn in {}, with no year-earlier quarter to compare.",
                a.demand_label,
                p.value_usd / 1e9,
                p.quarter
            )),
        },
        None => s.push(format!("{} has no quarterly figures yet.", a.demand_label)),
    }
    let small = if a.relation.n < 20 {
        "; N is small"
    } else {
        ""
    };
    match &a.relation.elasticity {
        Elasticity::Estimated(r) => s.push(format!(
            "Across N = {} quarters the elasticity of {} to the price of intelligence was {:.2} (95% CI {:.2} … {:.2}): association, not cause{small}.",
            r.n,
            a.demand_label.to_lowercase(),
            r.slope,
            r.ci_low,
            r.ci_high
        )),
        Elasticity::NotEstimated(NoEstimate::TooFewQuarters { n }) => s.push(format!(
            "With {n} quarter(s) of both series there is no elasticity to estimate yet."
        )),
        Elasticity::NotEstimated(NoEstimate::PriceConstant { n }) => s.push(format!(
            "The price did not change across the {n} quarters of both series, so no elasticity can be estimated."
        )),
    }
    for e in &a.relation.events {
        match e.level_change {
            Some(c) => s.push(format!(
                "In the four quarters after {} ({}), {} was {} {} than in the four before.",
                e.event,
                e.date,
                a.demand_label.to_lowercase(),
                pct(c),
                if c >= 0.0 { "higher" } else { "lower" }
            )),
            None => s.push(format!(
                "Around {} ({}), {} of 4 quarters before and {} of 4 after have figures, too few to compare.",
                e.event, e.date, e.before.present, e.after.present
            )),
        }
    }
    s.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demand::{Provenance, QuarterlyFact, company_metric};
    use crate::price_of_intelligence::{
        ModelPricePoint, PoiOptions, Threshold, price_of_intelligence,
    };

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn demand(vals: &[(&str, f64)]) -> DemandSeries {
        let facts: Vec<_> = vals
            .iter()
            .map(|(e, v)| QuarterlyFact {
                symbol: "H".into(),
                metric: "capex".into(),
                fiscal_period: e.to_string(),
                period_start: None,
                period_end: d(e),
                value_usd: *v,
                provenance: Provenance::Filed,
            })
            .collect();
        company_metric(&facts, "H", "capex").unwrap().unwrap()
    }

    fn poi(prices: &[(&str, f64)]) -> PriceOfIntelligence {
        let pts: Vec<_> = prices
            .iter()
            .enumerate()
            .map(|(i, (day, p))| ModelPricePoint {
                model: format!("m{i}"),
                released: d(day),
                score: 1.0,
                usd_per_mtok: *p,
                effective: d(day),
                basis: PriceBasis::Dated,
            })
            .collect();
        price_of_intelligence(
            &pts,
            &Threshold::Score { score: 1.0 },
            &PoiOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn quarter_end_resampling_and_an_exact_elasticity() {
        // Δln P = −1, −2, −1, −3 (× ln 2); demand moves by exactly −0.5 × Δln P.
        let ends = [
            "2024-03-31",
            "2024-06-30",
            "2024-09-30",
            "2024-12-31",
            "2025-03-31",
        ];
        let prices: Vec<(&str, f64)> = vec![
            ("2024-02-01", 16.0),
            ("2024-05-10", 8.0),
            ("2024-08-01", 2.0),
            ("2024-12-31", 1.0), // on the last day: counts for that quarter
            ("2025-01-15", 0.125),
        ];
        let steps = [0.0, 1.0, 2.0, 1.0, 3.0];
        let mut level = 0.0;
        let vals: Vec<(&str, f64)> = ends
            .iter()
            .zip(steps)
            .map(|(e, k)| {
                level += 0.5 * k;
                (*e, 100.0 * 2f64.powf(level))
            })
            .collect();
        let r = relation(&demand(&vals), &poi(&prices), &[]).unwrap();
        let q: Vec<_> = r
            .prices
            .iter()
            .map(|p| (p.quarter.to_string(), p.usd_per_mtok))
            .collect();
        assert_eq!(q[0], ("2024 Q1".to_string(), 16.0));
        assert_eq!(q[3], ("2024 Q4".to_string(), 1.0));
        assert_eq!(r.n, 4);
        let e = r.elasticity.estimate().unwrap();
        assert!((e.slope + 0.5).abs() < 1e-12, "{e:?}");
        let lag0 = r.lead_lag.iter().find(|l| l.lag == 0).unwrap();
        assert!((lag0.corr.unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(lag0.n, 4);
        let lag2 = r.lead_lag.iter().find(|l| l.lag == 2).unwrap();
        assert_eq!((lag2.n, lag2.corr), (2, None));
    }

    #[test]
    fn degenerate_inputs_are_typed() {
        let r = relation(
            &demand(&[("2024-03-31", 1.0), ("2024-06-30", 2.0)]),
            &poi(&[("2024-01-01", 1.0)]),
            &[],
        )
        .unwrap();
        assert_eq!(
            r.elasticity,
            Elasticity::NotEstimated(NoEstimate::TooFewQuarters { n: 1 })
        );
        let flat = relation(
            &demand(&[
                ("2024-03-31", 1.0),
                ("2024-06-30", 2.0),
                ("2024-09-30", 3.0),
                ("2024-12-31", 5.0),
                ("2025-03-31", 8.0),
            ]),
            &poi(&[("2024-01-01", 1.0)]),
            &[],
        )
        .unwrap();
        assert_eq!(
            flat.elasticity,
            Elasticity::NotEstimated(NoEstimate::PriceConstant { n: 4 })
        );
        let empty = DemandSeries {
            name: "x".into(),
            metric: "capex".into(),
            members: vec![],
            points: vec![],
            partial: vec![],
        };
        let r = relation(
            &empty,
            &poi(&[("2024-01-01", 1.0)]),
            &[EventMark {
                name: "R1".into(),
                date: d("2025-01-20"),
            }],
        )
        .unwrap();
        assert_eq!(r.n, 0);
        assert_eq!(r.events[0].before.present, 0);
        let text = answer_paragraph(&AnswerInputs {
            price_label: "X",
            poi: &poi(&[("2024-01-01", 1.0)]),
            demand_label: "Capex",
            demand: &empty,
            relation: &r,
        });
        assert!(text.contains("no fitted trend"), "{text}");
        assert!(text.contains("0 of 4 quarters before"), "{text}");
    }

    #[test]
    fn before_and_after_deepseek() {
        // 2024 Q1 … 2026 Q1, +10% a quarter.
        let ends = [
            "2023-12-31",
            "2024-03-31",
            "2024-06-30",
            "2024-09-30",
            "2024-12-31",
            "2025-03-31",
            "2025-06-30",
            "2025-09-30",
            "2025-12-31",
            "2026-03-31",
        ];
        let vals: Vec<(&str, f64)> = ends
            .iter()
            .enumerate()
            .map(|(i, e)| (*e, 10.0 * 1.1f64.powi(i as i32)))
            .collect();
        let dem = demand(&vals);
        let p = poi(&[
            ("2023-01-01", 10.0),
            ("2024-05-01", 3.0),
            ("2024-11-01", 2.5),
            ("2025-05-01", 0.5),
        ]);
        let ev = EventMark {
            name: "DeepSeek-R1".into(),
            date: d("2025-01-20"),
        };
        let r = relation(&dem, &p, std::slice::from_ref(&ev)).unwrap();
        let e = &r.events[0];
        assert_eq!(e.event_quarter.to_string(), "2025 Q1");
        assert_eq!((e.before.present, e.after.present), (4, 4));
        // Σ after / Σ before = 1.1^5.
        assert!((e.level_change.unwrap() - (1.1f64.powi(5) - 1.0)).abs() < 1e-12);
        assert!((e.quarterly_growth_after.unwrap() - 0.1).abs() < 1e-12);
        let text = answer_paragraph(&AnswerInputs {
            price_label: "GPQA Diamond ≥ 0.5",
            poi: &p,
            demand_label: "Hyperscaler capex",
            demand: &dem,
            relation: &r,
        });
        assert!(text.contains("grew 46% year on year in 2026 Q1"), "{text}");
        assert!(
            text.contains("61% higher than in the four before"),
            "{text}"
        );
        assert!(text.contains("N = 4"), "{text}");
    }
}
