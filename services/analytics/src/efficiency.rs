//! Model efficiency: blended API price, price per benchmark point, score per training FLOP, the
//! Pareto frontier of (price, score) at a date, the cheapest price reaching a score over time,
//! and log-linear trends of training compute and cost.
//!
//! Inputs and outputs are rows: the frontier is a per-model pick, a sort and a running maximum,
//! the fit an OLS with its standard error, plain loops both (a frame here was only copied back
//! into vectors).
//!
//! Over 400 lines because the frontier, the cheapest-price series and the trend fits share the
//! row types and the blended-price rule; split apart they would re-export each other.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use statrs::distribution::{ContinuousCDF, StudentsT};

#[derive(Debug, thiserror::Error)]
pub enum EfficiencyError {
    #[error("{0}")]
    Invalid(String),
}

/// Share of input tokens in the blended price: 3:1 input:output by default.
pub const DEFAULT_INPUT_SHARE: f64 = 0.75;

/// `share × input + (1 − share) × output` per million tokens; `None` unless both are known.
pub fn blended_price(input: Option<f64>, output: Option<f64>, input_share: f64) -> Option<f64> {
    match (input, output) {
        (Some(i), Some(o)) if i.is_finite() && o.is_finite() => {
            Some(input_share * i + (1.0 - input_share) * o)
        }
        _ => None,
    }
}

/// Which data counts as known at the frontier's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KnownBy {
    /// Strict: only prices and scores with a snapshot at or before the date (undated scores
    /// count as always known). Prices before the first snapshot are unknown.
    #[default]
    AsOf,
    /// When nothing is known yet at the date, use the earliest snapshot after it (marked as
    /// back-filled). Shows what a released model would cost at its first known price.
    EarliestKnown,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrontierOptions {
    pub input_share: f64,
    pub known_by: KnownBy,
}

impl Default for FrontierOptions {
    fn default() -> Self {
        Self {
            input_share: DEFAULT_INPUT_SHARE,
            known_by: KnownBy::AsOf,
        }
    }
}

/// A score table as the frontier expects it: one row per (model, score report).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreInput {
    pub model_id: i64,
    pub model: String,
    pub released: Option<NaiveDate>,
    pub score: f64,
    pub as_of: Option<NaiveDate>,
    pub self_reported: bool,
    pub source: String,
}

/// A price table row: one (model, provider, name) price, in effect from `effective` until
/// `valid_until` (exclusive; `None`: still in effect).
#[derive(Debug, Clone, PartialEq)]
pub struct PriceInput {
    pub model_id: i64,
    pub provider: String,
    pub input: Option<f64>,
    pub output: Option<f64>,
    pub effective: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// `effective` is the day the price appeared or changed (not just a snapshot's date).
    pub dated: bool,
}

/// One model's point at a date.
#[derive(Debug, Clone, PartialEq)]
struct Point {
    model_id: i64,
    model: String,
    released: NaiveDate,
    score: f64,
    score_as_of: Option<NaiveDate>,
    self_reported: bool,
    score_source: String,
    price: f64,
    provider: String,
    price_effective: NaiveDate,
    backfilled: bool,
    price_dated: bool,
}

/// The score a model counts with at `day`: independent measurements before self-reported ones,
/// then the latest snapshot known by `day` (undated reports are always known), then the best.
fn pick_score<'a>(
    rows: &[&'a ScoreInput],
    day: NaiveDate,
    known_by: KnownBy,
) -> Option<&'a ScoreInput> {
    let mut known: Vec<&ScoreInput> = rows
        .iter()
        .copied()
        .filter(|r| r.as_of.is_none_or(|d| d <= day))
        .collect();
    if known.is_empty() && known_by == KnownBy::EarliestKnown {
        let first = rows.iter().filter_map(|r| r.as_of).min()?;
        known = rows
            .iter()
            .copied()
            .filter(|r| r.as_of == Some(first))
            .collect();
    }
    if known.iter().any(|r| !r.self_reported) {
        known.retain(|r| !r.self_reported);
    }
    known.into_iter().max_by(|a, b| {
        a.as_of.cmp(&b.as_of).then(
            a.score
                .partial_cmp(&b.score)
                .unwrap_or(std::cmp::Ordering::Equal),
        )
    })
}

/// The price a model counts with at `day`: the cheapest positive blended price among those in
/// effect on `day` (from `effective` until `valid_until`). Under `EarliestKnown`, a model with no
/// price yet on `day` counts with its earliest one, back-filled; a model whose prices all ended
/// before `day` has none.
fn pick_price<'a>(
    rows: &[&'a PriceInput],
    day: NaiveDate,
    opts: &FrontierOptions,
) -> Option<(&'a PriceInput, f64, bool)> {
    let priced: Vec<(&PriceInput, f64)> = rows
        .iter()
        .filter_map(|r| {
            blended_price(r.input, r.output, opts.input_share)
                .filter(|p| *p > 0.0)
                .map(|p| (*r, p))
        })
        .collect();
    let cheapest = |rows: Vec<(&'a PriceInput, f64)>| {
        rows.into_iter()
            .min_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))
    };
    let in_effect: Vec<(&PriceInput, f64)> = priced
        .iter()
        .copied()
        .filter(|(r, _)| r.effective <= day && r.valid_until.is_none_or(|u| day < u))
        .collect();
    if !in_effect.is_empty() {
        return cheapest(in_effect).map(|(r, p)| (r, p, false));
    }
    let first = priced.iter().map(|(r, _)| r.effective).min()?;
    if opts.known_by == KnownBy::AsOf || first <= day {
        return None;
    }
    cheapest(
        priced
            .into_iter()
            .filter(|(r, _)| r.effective == first)
            .collect(),
    )
    .map(|(r, p)| (r, p, true))
}

fn points(
    scores: &[ScoreInput],
    prices: &[PriceInput],
    day: NaiveDate,
    opts: &FrontierOptions,
) -> Result<Vec<Point>, EfficiencyError> {
    if !(0.0..=1.0).contains(&opts.input_share) {
        return Err(EfficiencyError::Invalid(format!(
            "input share {} is not within 0…1",
            opts.input_share
        )));
    }
    let mut by_model: HashMap<i64, Vec<&ScoreInput>> = HashMap::new();
    for s in scores.iter().filter(|s| s.score.is_finite()) {
        by_model.entry(s.model_id).or_default().push(s);
    }
    let mut price_by_model: HashMap<i64, Vec<&PriceInput>> = HashMap::new();
    for p in prices {
        price_by_model.entry(p.model_id).or_default().push(p);
    }
    let mut out = Vec::new();
    for (id, rows) in by_model {
        let Some(released) = rows.iter().find_map(|r| r.released) else {
            continue;
        };
        if released > day {
            continue;
        }
        let Some(score) = pick_score(&rows, day, opts.known_by) else {
            continue;
        };
        let Some((price, blended, backfilled)) = price_by_model
            .get(&id)
            .and_then(|p| pick_price(p, day, opts))
        else {
            continue;
        };
        out.push(Point {
            model_id: id,
            model: score.model.clone(),
            released,
            score: score.score,
            score_as_of: score.as_of,
            self_reported: score.self_reported,
            score_source: score.source.clone(),
            price: blended,
            provider: price.provider.clone(),
            price_effective: price.effective,
            backfilled,
            price_dated: price.dated,
        });
    }
    out.sort_by(|a, b| {
        a.price
            .partial_cmp(&b.price)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(
                b.score
                    .partial_cmp(&a.score)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(a.model.cmp(&b.model))
    });
    Ok(out)
}

/// Indices of the Pareto-optimal points of a list sorted by price ascending (score descending
/// on ties): a point is on the frontier when no cheaper-or-equal point scores as high.
pub fn pareto_indices(sorted: &[(f64, f64)]) -> Vec<usize> {
    let mut best = f64::NEG_INFINITY;
    let mut on = Vec::new();
    for (i, &(_, score)) in sorted.iter().enumerate() {
        if score > best {
            best = score;
            on.push(i);
        }
    }
    on
}

/// Every model released by `day` with a score and a price known by then, cheapest first, with
/// `on_frontier` marking the (price, score) Pareto frontier.
pub fn frontier(
    scores: &[ScoreInput],
    prices: &[PriceInput],
    day: NaiveDate,
    opts: &FrontierOptions,
) -> Result<Vec<FrontierRow>, EfficiencyError> {
    let pts = points(scores, prices, day, opts)?;
    let pairs: Vec<(f64, f64)> = pts.iter().map(|p| (p.price, p.score)).collect();
    let mut on = vec![false; pts.len()];
    for i in pareto_indices(&pairs) {
        on[i] = true;
    }
    Ok(pts
        .into_iter()
        .zip(on)
        .map(|(p, on_frontier)| FrontierRow {
            usd_per_point: (p.score > 0.0).then(|| p.price / p.score),
            model_id: p.model_id,
            model: p.model,
            released: p.released,
            score: p.score,
            score_as_of: p.score_as_of,
            self_reported: p.self_reported,
            score_source: p.score_source,
            price: p.price,
            provider: p.provider,
            price_effective: p.price_effective,
            price_backfilled: p.backfilled,
            price_dated: p.price_dated,
            on_frontier,
        })
        .collect())
}

/// A model on the chart of [`frontier`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FrontierRow {
    pub model_id: i64,
    pub model: String,
    pub released: NaiveDate,
    pub score: f64,
    pub score_as_of: Option<NaiveDate>,
    pub self_reported: bool,
    pub score_source: String,
    pub price: f64,
    pub provider: String,
    pub price_effective: NaiveDate,
    pub price_backfilled: bool,
    /// The price's `effective` day is when it appeared or changed (see [`PriceInput::dated`]).
    pub price_dated: bool,
    pub usd_per_point: Option<f64>,
    pub on_frontier: bool,
}

/// For each date, the cheapest model reaching `score >= threshold` among those known then
/// (the model fields empty where none reaches it).
pub fn cheapest_reaching(
    scores: &[ScoreInput],
    prices: &[PriceInput],
    threshold: f64,
    dates: &[NaiveDate],
    opts: &FrontierOptions,
) -> Result<Vec<CheapestRow>, EfficiencyError> {
    dates
        .iter()
        .map(|&date| {
            let best = points(scores, prices, date, opts)?
                .into_iter()
                .find(|p| p.score >= threshold);
            Ok(CheapestRow {
                date,
                model_id: best.as_ref().map(|p| p.model_id),
                price: best.as_ref().map(|p| p.price),
                score: best.as_ref().map(|p| p.score),
                price_effective: best.as_ref().map(|p| p.price_effective),
                price_backfilled: best.as_ref().map(|p| p.backfilled),
                price_dated: best.as_ref().map(|p| p.price_dated),
                model: best.map(|p| p.model),
            })
        })
        .collect()
}

/// A date of [`cheapest_reaching`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CheapestRow {
    pub date: NaiveDate,
    pub model_id: Option<i64>,
    pub model: Option<String>,
    pub price: Option<f64>,
    pub score: Option<f64>,
    /// From when the price used holds; `None` where no model reaches the threshold.
    pub price_effective: Option<NaiveDate>,
    /// The price is the model's first known one, later than `date` (`EarliestKnown`).
    pub price_backfilled: Option<bool>,
    /// The price's effective day is a real appearance/change date, not a snapshot's.
    pub price_dated: Option<bool>,
}

/// Score per 1e21 FLOP (zettaFLOP) of training compute, for one model; `None` without compute.
pub fn score_per_zflop(score: f64, training_compute_flop: Option<f64>) -> Option<f64> {
    training_compute_flop
        .filter(|f| *f > 0.0 && f.is_finite())
        .map(|f| score / (f / 1e21))
}

/// An OLS fit of log10(value) on the year (as a fraction), with the yearly growth factor and its
/// 95 % confidence interval from the slope's standard error (Student t, n − 2 d.o.f.).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Trend {
    pub n: usize,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// log10 units per year.
    pub slope: f64,
    pub intercept: f64,
    pub slope_se: f64,
    pub r2: f64,
    /// 10^slope: the factor by which the value grows per year.
    pub growth_per_year: f64,
    pub growth_ci_low: f64,
    pub growth_ci_high: f64,
    /// ln(2) / ln(growth): months for the value to double.
    pub doubling_months: f64,
}

/// The year as a fraction: 2025-07-02 ≈ 2025.5.
pub fn year_fraction(d: NaiveDate) -> f64 {
    let year_days = if NaiveDate::from_ymd_opt(d.year(), 12, 31).is_some_and(|e| e.ordinal() == 366)
    {
        366.0
    } else {
        365.0
    };
    f64::from(d.year()) + f64::from(d.ordinal0()) / year_days
}

/// Fits the trend of the values over their dates for points with `from <= date <= to` (either
/// bound optional) and a positive value.
pub fn log_linear_trend(
    points: &[(NaiveDate, Option<f64>)],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Trend, EfficiencyError> {
    let mut pts: Vec<(NaiveDate, f64)> = points
        .iter()
        .filter_map(|(d, v)| Some((*d, (*v)?)))
        .filter(|(d, v)| {
            v.is_finite() && *v > 0.0 && from.is_none_or(|f| *d >= f) && to.is_none_or(|t| *d <= t)
        })
        .collect();
    pts.sort_by_key(|p| p.0);
    let n = pts.len();
    if n < 3 {
        return Err(EfficiencyError::Invalid(format!(
            "a trend needs at least 3 points, got {n}"
        )));
    }
    let xs: Vec<f64> = pts.iter().map(|p| year_fraction(p.0)).collect();
    let ys: Vec<f64> = pts.iter().map(|p| p.1.log10()).collect();
    let nf = n as f64;
    let mx = xs.iter().sum::<f64>() / nf;
    let my = ys.iter().sum::<f64>() / nf;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let syy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
    if sxx <= 0.0 {
        return Err(EfficiencyError::Invalid(
            "all points are on one date".into(),
        ));
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse: f64 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (y - intercept - slope * x).powi(2))
        .sum();
    let slope_se = (sse / (nf - 2.0) / sxx).sqrt();
    let t = StudentsT::new(0.0, 1.0, nf - 2.0)
        .map_err(|e| EfficiencyError::Invalid(e.to_string()))?
        .inverse_cdf(0.975);
    let growth = 10f64.powf(slope);
    Ok(Trend {
        n,
        first: pts[0].0,
        last: pts[n - 1].0,
        slope,
        intercept,
        slope_se,
        r2: if syy > 0.0 { 1.0 - sse / syy } else { 1.0 },
        growth_per_year: growth,
        growth_ci_low: 10f64.powf(slope - t * slope_se),
        growth_ci_high: 10f64.powf(slope + t * slope_se),
        doubling_months: if growth > 1.0 {
            12.0 * 2f64.ln() / growth.ln()
        } else {
            f64::INFINITY
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn s(
        id: i64,
        model: &str,
        released: &str,
        score: f64,
        as_of: Option<&str>,
        own: bool,
    ) -> ScoreInput {
        ScoreInput {
            model_id: id,
            model: model.into(),
            released: Some(d(released)),
            score,
            as_of: as_of.map(d),
            self_reported: own,
            source: "t".into(),
        }
    }

    fn p(id: i64, input: f64, output: f64, eff: &str) -> PriceInput {
        PriceInput {
            model_id: id,
            provider: "x".into(),
            input: Some(input),
            output: Some(output),
            effective: d(eff),
            valid_until: None,
            dated: false,
        }
    }

    #[test]
    fn blended_price_is_three_to_one() {
        assert_eq!(blended_price(Some(15.0), Some(60.0), 0.75), Some(26.25));
        assert!((blended_price(Some(0.55), Some(2.19), 0.75).unwrap() - 0.96).abs() < 1e-12);
        assert_eq!(blended_price(Some(1.0), None, 0.75), None);
    }

    #[test]
    fn pareto_frontier_of_a_hand_built_case() {
        // price, score: A(1, .5) B(2, .4) C(3, .7) D(3, .6) E(10, .7) F(20, .9)
        let pts = [
            (1.0, 0.5),
            (2.0, 0.4),
            (3.0, 0.7),
            (3.0, 0.6),
            (10.0, 0.7),
            (20.0, 0.9),
        ];
        assert_eq!(pareto_indices(&pts), vec![0, 2, 5]);
    }

    #[test]
    fn frontier_respects_release_and_price_dates() {
        let scores = [
            s(1, "o1", "2024-12-05", 0.76, None, false),
            s(2, "R1", "2025-01-20", 0.72, None, false),
            s(2, "R1", "2025-01-20", 0.90, None, true), // self-reported loses to independent
            s(3, "4o", "2024-05-13", 0.50, None, false),
            s(4, "future", "2025-03-01", 0.95, None, false),
            s(5, "unscored", "2024-01-01", f64::NAN, None, false),
        ];
        let prices = [
            p(1, 15.0, 60.0, "2025-02-06"),
            p(2, 0.55, 2.19, "2025-02-06"),
            p(2, 0.01, 0.01, "2026-07-24"), // later snapshot: not known on 2025-02-06
            p(3, 2.5, 10.0, "2025-02-06"),
            p(4, 1.0, 1.0, "2025-02-06"),
            p(5, 0.01, 0.01, "2025-02-06"),
        ];
        let opts = FrontierOptions::default();
        let after = frontier(&scores, &prices, d("2025-02-06"), &opts).unwrap();
        let names: Vec<_> = after
            .iter()
            .map(|r| (r.model.as_str(), r.on_frontier))
            .collect();
        assert_eq!(names, vec![("R1", true), ("4o", false), ("o1", true)]);
        assert!((after[0].price - 0.96).abs() < 1e-9);
        assert_eq!(after[0].score, 0.72);
        assert!((after[2].price / after[0].price - 26.25 / 0.96).abs() < 1e-9);

        // Strictly: no price snapshot before 2025-02-06, so nothing on 2025-01-01.
        let before = frontier(&scores, &prices, d("2025-01-01"), &opts).unwrap();
        assert!(before.is_empty(), "{before:?}");
        // Back-filled with the first known price: R1 is not released yet, o1 and 4o are.
        let back = FrontierOptions {
            known_by: KnownBy::EarliestKnown,
            ..opts
        };
        let before = frontier(&scores, &prices, d("2025-01-01"), &back).unwrap();
        let names: Vec<_> = before
            .iter()
            .map(|r| (r.model.as_str(), r.on_frontier, r.price_backfilled))
            .collect();
        assert_eq!(names, vec![("4o", true, true), ("o1", true, true)]);

        let series = cheapest_reaching(
            &scores,
            &prices,
            0.7,
            &[d("2025-01-01"), d("2025-02-06")],
            &back,
        )
        .unwrap();
        let m: Vec<_> = series.iter().map(|r| r.model.as_deref()).collect();
        assert_eq!(m, vec![Some("o1"), Some("R1")]);
        let none = cheapest_reaching(&scores, &prices, 0.99, &[d("2025-02-06")], &back).unwrap();
        assert_eq!(none[0].date, d("2025-02-06"));
        assert_eq!((none[0].model_id, none[0].price), (None, None));
    }

    #[test]
    fn trend_recovers_a_known_growth_rate() {
        // 4x per year exactly, with no noise: slope log10(4), CI collapses onto it.
        let pts: Vec<(NaiveDate, Option<f64>)> = (0..10)
            .map(|i| {
                let day = d("2015-01-01") + chrono::Duration::days(365 * i);
                (day, Some(1e20 * 4f64.powf(year_fraction(day) - 2015.0)))
            })
            .collect();
        let t = log_linear_trend(&pts, None, None).unwrap();
        assert_eq!(t.n, 10);
        assert!((t.growth_per_year - 4.0).abs() < 1e-9, "{t:?}");
        assert!((t.growth_ci_high - t.growth_ci_low).abs() < 1e-6);
        assert!((t.doubling_months - 6.0).abs() < 1e-6);

        // Noisy: ±factor 2 alternating around 3x/year; the CI must contain 3 and be wide.
        let noisy: Vec<_> = (0..12)
            .map(|i| {
                let day = d("2018-03-01") + chrono::Duration::days(180 * i);
                let wobble = if i % 2 == 0 { 2.0 } else { 0.5 };
                (day, Some(wobble * 3f64.powf(year_fraction(day) - 2018.0)))
            })
            .collect();
        let t = log_linear_trend(&noisy, None, None).unwrap();
        assert!(t.growth_ci_low < 3.0 && 3.0 < t.growth_ci_high, "{t:?}");
        assert!(t.growth_ci_low > 1.0);
        assert!(log_linear_trend(&noisy[..2], None, None).is_err());
    }

    #[test]
    fn score_per_zflop_of_one_model() {
        assert!((score_per_zflop(71.72, Some(5.17e24)).unwrap() - 71.72 / 5170.0).abs() < 1e-12);
        assert_eq!(score_per_zflop(71.72, None), None);
    }
}
