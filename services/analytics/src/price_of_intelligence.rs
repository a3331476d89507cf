//! The price of intelligence: the cheapest price at which a released model reaches a benchmark
//! threshold, over time, and its fitted decline per year (the method of Epoch AI's data insight
//! "LLM inference prices have fallen rapidly but unequally across tasks", 2025-03-12, and
//! a16z's "LLMflation", 2024-11-12).
//!
//! Conventions, stated once:
//! - A model counts from the day it is both released and priced; the price in effect on a day is
//!   its latest price point with `effective <= day`. A back-filled point (a price assumed to hold
//!   before it was first observed) carries that assumption in [`PriceBasis::Backfilled`].
//! - Time is in years of 365.25 days since 1970-01-01, so the fit does not depend on leap years
//!   and shifting every date by the same number of days leaves the slope unchanged.
//! - The fit is OLS of ln(price) on time; decline factor per year = exp(−slope), its 95 % CI
//!   from the slope's Student-t interval (n − 2 df).
//! - Which points are fitted is a [`FitRule`]: every change of the cheapest price (default), or
//!   Epoch's rule, the models that were the cheapest reaching the threshold when they arrived.
//!
//! Over 400 lines because one method (thresholds, step series, the fitted decline and its
//! interval) with its conventions stated once at the top.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::stats::t_critical;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PoiError {
    #[error("invalid input: {0}")]
    Invalid(String),
}

/// Whether a price was observed on its date or assumed to hold from an earlier date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// Observed in a dated source (a price history) from `effective` on.
    Dated,
    /// Assumed: an undated or later snapshot carried back (usually to the release date).
    Backfilled,
}

impl PriceBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dated => "dated",
            Self::Backfilled => "backfilled",
        }
    }
}

/// One model's score on one benchmark with one price (blended USD per 1M tokens) in effect from
/// `effective`. A model with a price history has one point per price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelPricePoint {
    pub model: String,
    pub released: NaiveDate,
    pub score: f64,
    pub usd_per_mtok: f64,
    pub effective: NaiveDate,
    pub basis: PriceBasis,
}

/// A capability level: a score, or the score of a named model on the same benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Threshold {
    Score { score: f64 },
    ModelScore { model: String },
}

impl Threshold {
    pub fn label(&self) -> String {
        match self {
            Self::Score { score } => format!("≥ {score}"),
            Self::ModelScore { model } => format!("≥ {model} level"),
        }
    }
}

/// Which points of the step series the decline is fitted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FitRule {
    /// Every date at which the cheapest price in effect changes: a cheaper model arrives, or a
    /// price changes (a rise counts too). The first point of the series is included.
    #[default]
    StepChanges,
    /// Epoch AI's rule: each model that, on arrival (released and priced), was cheaper than
    /// every model already reaching the threshold; at its arrival date and arrival price.
    /// Later price cuts of existing models are not fitted.
    CheapestAtArrival,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoiOptions {
    pub rule: FitRule,
    /// Series and fit keep only dates within `from..=to` (either bound optional).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Fewest fitted points for a fit (Epoch used 4; 3 is the least that leaves a CI).
    pub min_points: usize,
}

impl Default for PoiOptions {
    fn default() -> Self {
        Self {
            rule: FitRule::default(),
            from: None,
            to: None,
            min_points: 3,
        }
    }
}

/// A point of the step series: from `date` on, `model` at `usd_per_mtok` is the cheapest model
/// reaching the threshold, until the next point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepPoint {
    pub date: NaiveDate,
    pub model: String,
    pub score: f64,
    pub usd_per_mtok: f64,
    /// The date the price itself took effect (may be before `date`, when the model was priced
    /// before its rival got more expensive or was released later).
    pub price_effective: NaiveDate,
    pub basis: PriceBasis,
}

/// The log-linear fit of the fitted points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeclineFit {
    pub n: usize,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// d ln(price) / d year.
    pub slope: f64,
    /// ln(price) at 1970-01-01 on the fitted line.
    pub intercept: f64,
    pub slope_se: f64,
    /// `None` when ln(price) does not vary.
    pub r2: Option<f64>,
    /// Student-t 97.5 % quantile with n − 2 df.
    pub t_crit: f64,
    /// exp(−slope): the price falls by this factor per year (< 1: it rises).
    pub factor_per_year: f64,
    pub factor_ci_low: f64,
    pub factor_ci_high: f64,
}

/// Why there is no fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoFit {
    /// No released, priced model reaches the threshold.
    ThresholdNotReached,
    /// The reference model of a [`Threshold::ModelScore`] has no score here.
    UnknownReferenceModel {
        model: String,
    },
    TooFewPoints {
        n: usize,
        min: usize,
    },
    /// All fitted points fall on one date.
    NoTimeSpread {
        n: usize,
    },
}

impl NoFit {
    pub fn message(&self) -> String {
        match self {
            Self::ThresholdNotReached => {
                "no released model with a price reaches this threshold".into()
            }
            Self::UnknownReferenceModel { model } => {
                format!("the reference model {model} has no score on this benchmark")
            }
            Self::TooFewPoints { n, min } => {
                format!("{n} fitted point(s); a fit needs at least {min}")
            }
            Self::NoTimeSpread { n } => format!("all {n} fitted points fall on one date"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FitOutcome {
    Fitted(DeclineFit),
    NotFitted { reason: NoFit, message: String },
}

impl FitOutcome {
    pub fn fit(&self) -> Option<&DeclineFit> {
        match self {
            Self::Fitted(f) => Some(f),
            Self::NotFitted { .. } => None,
        }
    }

    fn not(reason: NoFit) -> Self {
        let message = reason.message();
        Self::NotFitted { reason, message }
    }
}

/// The price of intelligence at one threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceOfIntelligence {
    pub threshold: Threshold,
    /// The score the threshold resolved to (`None` for an unknown reference model).
    pub threshold_score: Option<f64>,
    /// The step series: one point per change of the cheapest model or its price.
    pub series: Vec<StepPoint>,
    pub rule: FitRule,
    /// The points the fit used, by `rule`.
    pub fitted: Vec<StepPoint>,
    pub fit: FitOutcome,
    /// How many fitted points rest on dated and on back-filled prices.
    pub fitted_dated: usize,
    pub fitted_backfilled: usize,
}

impl PriceOfIntelligence {
    /// The step value in effect on `day`: the last series point dated on or before it.
    pub fn price_on(&self, day: NaiveDate) -> Option<&StepPoint> {
        let i = self.series.partition_point(|p| p.date <= day);
        i.checked_sub(1).map(|i| &self.series[i])
    }
}

fn validate(points: &[ModelPricePoint]) -> Result<(), PoiError> {
    for p in points {
        if !(p.usd_per_mtok.is_finite() && p.usd_per_mtok > 0.0) {
            return Err(PoiError::Invalid(format!(
                "{}: price {} is not a positive number",
                p.model, p.usd_per_mtok
            )));
        }
        if !p.score.is_finite() {
            return Err(PoiError::Invalid(format!(
                "{}: score {} is not a number",
                p.model, p.score
            )));
        }
    }
    Ok(())
}

/// Years since 1970-01-01 in units of 365.25 days.
pub fn years(d: NaiveDate) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    (d - epoch).num_days() as f64 / 365.25
}

/// The day a price point starts to count: the model must be released and the price in effect.
fn arrival(p: &ModelPricePoint) -> NaiveDate {
    p.released.max(p.effective)
}

/// The price of intelligence for each threshold over the same points (one benchmark).
pub fn price_of_intelligence_many(
    points: &[ModelPricePoint],
    thresholds: &[Threshold],
    opts: &PoiOptions,
) -> Result<Vec<PriceOfIntelligence>, PoiError> {
    thresholds
        .iter()
        .map(|t| price_of_intelligence(points, t, opts))
        .collect()
}

/// The cheapest-price step series reaching `threshold` and its fitted decline.
pub fn price_of_intelligence(
    points: &[ModelPricePoint],
    threshold: &Threshold,
    opts: &PoiOptions,
) -> Result<PriceOfIntelligence, PoiError> {
    validate(points)?;
    let score = match threshold {
        Threshold::Score { score } if score.is_finite() => Some(*score),
        Threshold::Score { score } => {
            return Err(PoiError::Invalid(format!(
                "threshold {score} is not a number"
            )));
        }
        Threshold::ModelScore { model } => points
            .iter()
            .filter(|p| p.model == *model)
            .map(|p| p.score)
            .reduce(f64::max),
    };
    let empty = |reason: NoFit| PriceOfIntelligence {
        threshold: threshold.clone(),
        threshold_score: score,
        series: Vec::new(),
        rule: opts.rule,
        fitted: Vec::new(),
        fit: FitOutcome::not(reason),
        fitted_dated: 0,
        fitted_backfilled: 0,
    };
    let Some(score) = score else {
        let Threshold::ModelScore { model } = threshold else {
            return Ok(empty(NoFit::ThresholdNotReached));
        };
        return Ok(empty(NoFit::UnknownReferenceModel {
            model: model.clone(),
        }));
    };

    // Price histories of the qualifying models, each sorted by effective date.
    let mut by_model: BTreeMap<&str, Vec<&ModelPricePoint>> = BTreeMap::new();
    for p in points.iter().filter(|p| p.score >= score) {
        by_model.entry(p.model.as_str()).or_default().push(p);
    }
    for h in by_model.values_mut() {
        h.sort_by_key(|p| p.effective);
    }
    let mut days: Vec<NaiveDate> = by_model.values().flatten().map(|p| arrival(p)).collect();
    days.sort();
    days.dedup();

    let in_effect = |h: &[&'_ ModelPricePoint], day: NaiveDate| -> Option<usize> {
        let i = h.partition_point(|p| p.effective <= day);
        let i = i.checked_sub(1)?;
        (h[i].released <= day).then_some(i)
    };
    let mut series: Vec<StepPoint> = Vec::new();
    for &day in &days {
        let best = by_model
            .values()
            .filter_map(|h| in_effect(h, day).map(|i| h[i]))
            .min_by(|a, b| {
                a.usd_per_mtok
                    .total_cmp(&b.usd_per_mtok)
                    .then(b.score.total_cmp(&a.score))
                    .then(a.model.cmp(&b.model))
            });
        let Some(best) = best else { continue };
        let changed = series
            .last()
            .is_none_or(|last| last.model != best.model || last.usd_per_mtok != best.usd_per_mtok);
        if changed {
            series.push(StepPoint {
                date: day,
                model: best.model.clone(),
                score: best.score,
                usd_per_mtok: best.usd_per_mtok,
                price_effective: best.effective,
                basis: best.basis,
            });
        }
    }
    let inside = |d: NaiveDate| opts.from.is_none_or(|f| d >= f) && opts.to.is_none_or(|t| d <= t);
    series.retain(|p| inside(p.date));
    if series.is_empty() {
        return Ok(empty(NoFit::ThresholdNotReached));
    }

    let fitted: Vec<StepPoint> = match opts.rule {
        FitRule::StepChanges => {
            let mut out: Vec<StepPoint> = Vec::new();
            for p in &series {
                if out.last().is_none_or(|l| l.usd_per_mtok != p.usd_per_mtok) {
                    out.push(p.clone());
                }
            }
            out
        }
        FitRule::CheapestAtArrival => {
            // Each model once, at its first price; cheaper than all in effect just before.
            let mut arrivals: Vec<&ModelPricePoint> = by_model
                .values()
                .filter_map(|h| h.first().copied())
                .collect();
            arrivals.sort_by(|a, b| arrival(a).cmp(&arrival(b)).then(a.model.cmp(&b.model)));
            let mut out: Vec<StepPoint> = Vec::new();
            for a in arrivals {
                let day = arrival(a);
                let before = day.pred_opt().unwrap_or(day);
                let cheapest_before = by_model
                    .values()
                    .filter(|h| h[0].model != a.model)
                    .filter_map(|h| in_effect(h, before).map(|i| h[i].usd_per_mtok))
                    .chain(
                        // Same-day arrivals already counted count as "before".
                        out.iter().filter(|p| p.date == day).map(|p| p.usd_per_mtok),
                    )
                    .reduce(f64::min);
                if cheapest_before.is_none_or(|c| a.usd_per_mtok < c) && inside(day) {
                    out.push(StepPoint {
                        date: day,
                        model: a.model.clone(),
                        score: a.score,
                        usd_per_mtok: a.usd_per_mtok,
                        price_effective: a.effective,
                        basis: a.basis,
                    });
                }
            }
            out
        }
    };
    let fitted_dated = fitted
        .iter()
        .filter(|p| p.basis == PriceBasis::Dated)
        .count();
    let fit = fit_decline(&fitted, opts.min_points.max(3));
    Ok(PriceOfIntelligence {
        threshold: threshold.clone(),
        threshold_score: Some(score),
        series,
        rule: opts.rule,
        fitted_backfilled: fitted.len() - fitted_dated,
        fitted_dated,
        fitted,
        fit,
    })
}

/// OLS of ln(price) on years over the points.
pub fn fit_decline(points: &[StepPoint], min_points: usize) -> FitOutcome {
    let n = points.len();
    if n < min_points.max(3) {
        return FitOutcome::not(NoFit::TooFewPoints {
            n,
            min: min_points.max(3),
        });
    }
    let xs: Vec<f64> = points.iter().map(|p| years(p.date)).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.usd_per_mtok.ln()).collect();
    let Some(ls) = Regression::fit(&xs, &ys) else {
        return FitOutcome::not(NoFit::NoTimeSpread { n });
    };
    let first = points
        .iter()
        .map(|p| p.date)
        .min()
        .unwrap_or(points[0].date);
    let last = points
        .iter()
        .map(|p| p.date)
        .max()
        .unwrap_or(points[0].date);
    FitOutcome::Fitted(DeclineFit {
        n,
        first,
        last,
        slope: ls.slope,
        intercept: ls.intercept,
        slope_se: ls.slope_se,
        r2: ls.r2,
        t_crit: ls.t_crit,
        factor_per_year: (-ls.slope).exp(),
        factor_ci_low: (-(ls.slope + ls.t_crit * ls.slope_se)).exp(),
        factor_ci_high: (-(ls.slope - ls.t_crit * ls.slope_se)).exp(),
    })
}

/// A simple regression with its slope's 95 % interval; shared with the elasticity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Regression {
    pub n: usize,
    pub slope: f64,
    pub intercept: f64,
    pub slope_se: f64,
    pub r2: Option<f64>,
    pub t_crit: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl Regression {
    /// `None` with fewer than 3 points or an `x` that does not vary.
    pub fn fit(x: &[f64], y: &[f64]) -> Option<Self> {
        let n = x.len();
        if n != y.len() || n < 3 {
            return None;
        }
        let nf = n as f64;
        let mx = x.iter().sum::<f64>() / nf;
        let my = y.iter().sum::<f64>() / nf;
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in x.iter().zip(y) {
            sxx += (a - mx) * (a - mx);
            sxy += (a - mx) * (b - my);
            syy += (b - my) * (b - my);
        }
        // Relative test: x that differ only by rounding noise do not vary.
        let floor = 1e-24 * x.iter().map(|v| v * v).sum::<f64>();
        if sxx.partial_cmp(&floor) != Some(std::cmp::Ordering::Greater) {
            return None;
        }
        let slope = sxy / sxx;
        let intercept = my - slope * mx;
        let sse: f64 = x
            .iter()
            .zip(y)
            .map(|(a, b)| (b - intercept - slope * a).powi(2))
            .sum();
        let slope_se = (sse / (nf - 2.0) / sxx).sqrt();
        let t_crit = t_critical(0.05, nf - 2.0)?;
        Some(Self {
            n,
            slope,
            intercept,
            slope_se,
            r2: (syy > 0.0).then(|| 1.0 - sse / syy),
            t_crit,
            ci_low: slope - t_crit * slope_se,
            ci_high: slope + t_crit * slope_se,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pt(
        model: &str,
        rel: &str,
        score: f64,
        price: f64,
        eff: &str,
        b: PriceBasis,
    ) -> ModelPricePoint {
        ModelPricePoint {
            model: model.into(),
            released: d(rel),
            score,
            usd_per_mtok: price,
            effective: d(eff),
            basis: b,
        }
    }

    fn fixture() -> Vec<ModelPricePoint> {
        use PriceBasis::*;
        vec![
            pt("A", "2023-03-14", 0.36, 37.5, "2023-03-14", Backfilled),
            pt("B", "2024-05-13", 0.51, 7.5, "2024-05-13", Backfilled),
            pt("B", "2024-05-13", 0.51, 4.375, "2025-02-06", Dated),
            pt("C", "2024-07-18", 0.40, 0.26, "2024-07-18", Backfilled),
            pt("D", "2025-01-20", 0.72, 0.96, "2025-02-06", Dated),
            pt("E", "2024-01-01", 0.20, 0.01, "2024-01-01", Backfilled),
        ]
    }

    #[test]
    fn step_series_and_both_fit_rules() {
        let pts = fixture();
        let t = Threshold::ModelScore { model: "A".into() };
        let r = price_of_intelligence(&pts, &t, &PoiOptions::default()).unwrap();
        assert_eq!(r.threshold_score, Some(0.36));
        let s: Vec<_> = r
            .series
            .iter()
            .map(|p| (p.date, p.model.as_str(), p.usd_per_mtok))
            .collect();
        assert_eq!(
            s,
            vec![
                (d("2023-03-14"), "A", 37.5),
                (d("2024-05-13"), "B", 7.5),
                (d("2024-07-18"), "C", 0.26),
            ]
        );
        assert_eq!(r.fitted.len(), 3);
        assert_eq!((r.fitted_dated, r.fitted_backfilled), (0, 3));
        let f = r.fit.fit().unwrap();
        assert!(f.factor_per_year > 1.0 && f.factor_ci_low < f.factor_per_year);
        assert_eq!(r.price_on(d("2024-06-01")).unwrap().model, "B");
        assert!(r.price_on(d("2020-01-01")).is_none());

        // Higher bar: B, then D arrives cheaper on 2025-02-06 — the same day B's price cut
        // takes effect (4.375 > 0.96, so D is the cheapest).
        let r = price_of_intelligence(
            &pts,
            &Threshold::Score { score: 0.5 },
            &PoiOptions::default(),
        )
        .unwrap();
        let s: Vec<_> = r
            .series
            .iter()
            .map(|p| (p.model.as_str(), p.basis))
            .collect();
        assert_eq!(
            s,
            vec![("B", PriceBasis::Backfilled), ("D", PriceBasis::Dated)]
        );
        assert_eq!(r.fit, FitOutcome::not(NoFit::TooFewPoints { n: 2, min: 3 }));
        let epoch = PoiOptions {
            rule: FitRule::CheapestAtArrival,
            ..PoiOptions::default()
        };
        let r = price_of_intelligence(&pts, &Threshold::Score { score: 0.3 }, &epoch).unwrap();
        let m: Vec<_> = r.fitted.iter().map(|p| p.model.as_str()).collect();
        assert_eq!(m, vec!["A", "B", "C"]);
    }

    #[test]
    fn a_price_cut_is_a_step_but_not_an_arrival() {
        use PriceBasis::*;
        let pts = vec![
            pt("X", "2024-01-01", 0.9, 10.0, "2024-01-01", Backfilled),
            pt("X", "2024-01-01", 0.9, 5.0, "2024-06-01", Dated),
            pt("X", "2024-01-01", 0.9, 2.0, "2025-01-01", Dated),
            pt("Y", "2025-06-01", 0.95, 1.0, "2025-06-01", Dated),
        ];
        let t = Threshold::Score { score: 0.8 };
        let r = price_of_intelligence(&pts, &t, &PoiOptions::default()).unwrap();
        assert_eq!(r.fitted.len(), 4);
        assert_eq!((r.fitted_dated, r.fitted_backfilled), (3, 1));
        let epoch = PoiOptions {
            rule: FitRule::CheapestAtArrival,
            ..PoiOptions::default()
        };
        let r = price_of_intelligence(&pts, &t, &epoch).unwrap();
        assert_eq!(r.fitted.len(), 2);
        assert!(matches!(
            r.fit,
            FitOutcome::NotFitted {
                reason: NoFit::TooFewPoints { n: 2, .. },
                ..
            }
        ));
        // Window: only 2024.
        let w = PoiOptions {
            to: Some(d("2024-12-31")),
            ..PoiOptions::default()
        };
        let r = price_of_intelligence(&pts, &t, &w).unwrap();
        assert_eq!(r.series.len(), 2);
    }

    #[test]
    fn unreachable_threshold_and_unknown_model_are_typed_outcomes() {
        let pts = fixture();
        let r = price_of_intelligence(
            &pts,
            &Threshold::Score { score: 0.99 },
            &PoiOptions::default(),
        )
        .unwrap();
        assert!(r.series.is_empty());
        assert!(matches!(
            r.fit,
            FitOutcome::NotFitted {
                reason: NoFit::ThresholdNotReached,
                ..
            }
        ));
        let r = price_of_intelligence(
            &pts,
            &Threshold::ModelScore {
                model: "nope".into(),
            },
            &PoiOptions::default(),
        )
        .unwrap();
        assert!(matches!(
            r.fit,
            FitOutcome::NotFitted {
                reason: NoFit::UnknownReferenceModel { .. },
                ..
            }
        ));
        let mut bad = pts.clone();
        bad[0].usd_per_mtok = 0.0;
        assert!(
            price_of_intelligence(
                &bad,
                &Threshold::Score { score: 0.1 },
                &PoiOptions::default()
            )
            .is_err()
        );
    }

    #[test]
    fn exact_exponential_decline_is_recovered() {
        // 10× per year, four cheaper models a year apart.
        let pts: Vec<_> = (0..4)
            .map(|i| {
                let day = d("2021-01-01") + chrono::Duration::days((365.25 * i as f64) as i64);
                let price = 60.0 * 10f64.powf(-(years(day) - years(d("2021-01-01"))));
                pt(
                    &format!("m{i}"),
                    &day.to_string(),
                    0.5,
                    price,
                    &day.to_string(),
                    PriceBasis::Dated,
                )
            })
            .collect();
        let r = price_of_intelligence(
            &pts,
            &Threshold::Score { score: 0.5 },
            &PoiOptions::default(),
        )
        .unwrap();
        let f = r.fit.fit().unwrap();
        assert!((f.factor_per_year - 10.0).abs() < 1e-9, "{f:?}");
        assert!((f.r2.unwrap() - 1.0).abs() < 1e-12);
    }
}
