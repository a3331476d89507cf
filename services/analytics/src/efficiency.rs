//! Model efficiency: blended API price, price per benchmark point, score per training FLOP, the
//! Pareto frontier of (price, score) at a date, the cheapest price reaching a score over time,
//! and log-linear trends of training compute and cost.
//!
//! Inputs and outputs are DataFrames; the frontier and the fit walk plain columns extracted
//! from them, which is clearer than expressions for a running maximum and an OLS with its
//! standard error.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

#[derive(Debug, thiserror::Error)]
pub enum EfficiencyError {
    #[error(transparent)]
    Polars(#[from] PolarsError),
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

/// The polars `Date` physical value (days since 1970-01-01).
fn days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    i32::try_from((d - epoch).num_days()).unwrap_or(i32::MAX)
}

fn date(days: i32) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    epoch + chrono::Duration::days(i64::from(days))
}

fn date_column(name: &str, values: Vec<Option<NaiveDate>>) -> Column {
    let physical: Vec<Option<i32>> = values.into_iter().map(|d| d.map(days)).collect();
    Column::new(name.into(), physical)
        .cast(&DataType::Date)
        .unwrap_or_else(|_| Column::new_empty(name.into(), &DataType::Date))
}

fn dates(df: &DataFrame, name: &str) -> Result<Vec<Option<NaiveDate>>, EfficiencyError> {
    let c = df.column(name)?.cast(&DataType::Int32)?;
    Ok(c.i32()?.iter().map(|d| d.map(date)).collect())
}

fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, EfficiencyError> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().collect())
}

fn ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>, EfficiencyError> {
    let c = df.column(name)?.cast(&DataType::Int64)?;
    Ok(c.i64()?.iter().collect())
}

fn strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, EfficiencyError> {
    Ok(df
        .column(name)?
        .str()?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

fn bools(df: &DataFrame, name: &str) -> Result<Vec<Option<bool>>, EfficiencyError> {
    Ok(df.column(name)?.bool()?.iter().collect())
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

/// Scores as a DataFrame: `model_id, model, released, score, as_of, self_reported, source`.
pub fn scores_frame(rows: &[ScoreInput]) -> Result<DataFrame, EfficiencyError> {
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "model_id".into(),
            rows.iter().map(|r| r.model_id).collect::<Vec<_>>(),
        ),
        Column::new(
            "model".into(),
            rows.iter().map(|r| r.model.clone()).collect::<Vec<_>>(),
        ),
        date_column("released", rows.iter().map(|r| r.released).collect()),
        Column::new(
            "score".into(),
            rows.iter().map(|r| r.score).collect::<Vec<_>>(),
        ),
        date_column("as_of", rows.iter().map(|r| r.as_of).collect()),
        Column::new(
            "self_reported".into(),
            rows.iter().map(|r| r.self_reported).collect::<Vec<_>>(),
        ),
        Column::new(
            "source".into(),
            rows.iter().map(|r| r.source.clone()).collect::<Vec<_>>(),
        ),
    ])?)
}

/// Prices as a DataFrame: `model_id, provider, input, output, effective, valid_until, dated`.
pub fn prices_frame(rows: &[PriceInput]) -> Result<DataFrame, EfficiencyError> {
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "model_id".into(),
            rows.iter().map(|r| r.model_id).collect::<Vec<_>>(),
        ),
        Column::new(
            "provider".into(),
            rows.iter().map(|r| r.provider.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "input".into(),
            rows.iter().map(|r| r.input).collect::<Vec<_>>(),
        ),
        Column::new(
            "output".into(),
            rows.iter().map(|r| r.output).collect::<Vec<_>>(),
        ),
        date_column(
            "effective",
            rows.iter().map(|r| Some(r.effective)).collect(),
        ),
        date_column("valid_until", rows.iter().map(|r| r.valid_until).collect()),
        Column::new(
            "dated".into(),
            rows.iter().map(|r| r.dated).collect::<Vec<_>>(),
        ),
    ])?)
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

fn score_rows(scores: &DataFrame) -> Result<Vec<ScoreInput>, EfficiencyError> {
    let id = ints(scores, "model_id")?;
    let model = strings(scores, "model")?;
    let released = dates(scores, "released")?;
    let score = floats(scores, "score")?;
    let as_of = dates(scores, "as_of")?;
    let own = bools(scores, "self_reported")?;
    let source = strings(scores, "source")?;
    Ok((0..scores.height())
        .filter_map(|i| {
            Some(ScoreInput {
                model_id: id[i]?,
                model: model[i].clone().unwrap_or_default(),
                released: released[i],
                score: score[i].filter(|s| s.is_finite())?,
                as_of: as_of[i],
                self_reported: own[i].unwrap_or(true),
                source: source[i].clone().unwrap_or_default(),
            })
        })
        .collect())
}

fn price_rows(prices: &DataFrame) -> Result<Vec<PriceInput>, EfficiencyError> {
    let id = ints(prices, "model_id")?;
    let provider = strings(prices, "provider")?;
    let input = floats(prices, "input")?;
    let output = floats(prices, "output")?;
    let effective = dates(prices, "effective")?;
    let until = dates(prices, "valid_until")?;
    let dated = bools(prices, "dated")?;
    Ok((0..prices.height())
        .filter_map(|i| {
            Some(PriceInput {
                model_id: id[i]?,
                provider: provider[i].clone().unwrap_or_default(),
                input: input[i],
                output: output[i],
                effective: effective[i]?,
                valid_until: until[i],
                dated: dated[i].unwrap_or(false),
            })
        })
        .collect())
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
    scores: &DataFrame,
    prices: &DataFrame,
    day: NaiveDate,
    opts: &FrontierOptions,
) -> Result<Vec<Point>, EfficiencyError> {
    if !(0.0..=1.0).contains(&opts.input_share) {
        return Err(EfficiencyError::Invalid(format!(
            "input share {} is not within 0…1",
            opts.input_share
        )));
    }
    let scores = score_rows(scores)?;
    let prices = price_rows(prices)?;
    let mut by_model: HashMap<i64, Vec<&ScoreInput>> = HashMap::new();
    for s in &scores {
        by_model.entry(s.model_id).or_default().push(s);
    }
    let mut price_by_model: HashMap<i64, Vec<&PriceInput>> = HashMap::new();
    for p in &prices {
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
/// `on_frontier` marking the (price, score) Pareto frontier. Columns: `model_id, model,
/// released, score, score_as_of, self_reported, score_source, price, provider,
/// price_effective, price_backfilled, usd_per_point, on_frontier`.
pub fn frontier(
    scores: &DataFrame,
    prices: &DataFrame,
    day: NaiveDate,
    opts: &FrontierOptions,
) -> Result<DataFrame, EfficiencyError> {
    let pts = points(scores, prices, day, opts)?;
    let pairs: Vec<(f64, f64)> = pts.iter().map(|p| (p.price, p.score)).collect();
    let mut on = vec![false; pts.len()];
    for i in pareto_indices(&pairs) {
        on[i] = true;
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "model_id".into(),
            pts.iter().map(|p| p.model_id).collect::<Vec<_>>(),
        ),
        Column::new(
            "model".into(),
            pts.iter().map(|p| p.model.clone()).collect::<Vec<_>>(),
        ),
        date_column("released", pts.iter().map(|p| Some(p.released)).collect()),
        Column::new(
            "score".into(),
            pts.iter().map(|p| p.score).collect::<Vec<_>>(),
        ),
        date_column("score_as_of", pts.iter().map(|p| p.score_as_of).collect()),
        Column::new(
            "self_reported".into(),
            pts.iter().map(|p| p.self_reported).collect::<Vec<_>>(),
        ),
        Column::new(
            "score_source".into(),
            pts.iter()
                .map(|p| p.score_source.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "price".into(),
            pts.iter().map(|p| p.price).collect::<Vec<_>>(),
        ),
        Column::new(
            "provider".into(),
            pts.iter().map(|p| p.provider.clone()).collect::<Vec<_>>(),
        ),
        date_column(
            "price_effective",
            pts.iter().map(|p| Some(p.price_effective)).collect(),
        ),
        Column::new(
            "price_backfilled".into(),
            pts.iter().map(|p| p.backfilled).collect::<Vec<_>>(),
        ),
        Column::new(
            "price_dated".into(),
            pts.iter().map(|p| p.price_dated).collect::<Vec<_>>(),
        ),
        Column::new(
            "usd_per_point".into(),
            pts.iter()
                .map(|p| {
                    if p.score > 0.0 {
                        Some(p.price / p.score)
                    } else {
                        None
                    }
                })
                .collect::<Vec<_>>(),
        ),
        Column::new("on_frontier".into(), on),
    ])?)
}

/// A row of a frontier DataFrame, for callers that render it.
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

/// The rows of a [`frontier`] DataFrame.
pub fn frontier_rows(df: &DataFrame) -> Result<Vec<FrontierRow>, EfficiencyError> {
    let id = ints(df, "model_id")?;
    let model = strings(df, "model")?;
    let released = dates(df, "released")?;
    let score = floats(df, "score")?;
    let score_as_of = dates(df, "score_as_of")?;
    let own = bools(df, "self_reported")?;
    let source = strings(df, "score_source")?;
    let price = floats(df, "price")?;
    let provider = strings(df, "provider")?;
    let eff = dates(df, "price_effective")?;
    let back = bools(df, "price_backfilled")?;
    let dated = bools(df, "price_dated")?;
    let per = floats(df, "usd_per_point")?;
    let on = bools(df, "on_frontier")?;
    Ok((0..df.height())
        .filter_map(|i| {
            Some(FrontierRow {
                model_id: id[i]?,
                model: model[i].clone()?,
                released: released[i]?,
                score: score[i]?,
                score_as_of: score_as_of[i],
                self_reported: own[i]?,
                score_source: source[i].clone()?,
                price: price[i]?,
                provider: provider[i].clone()?,
                price_effective: eff[i]?,
                price_backfilled: back[i]?,
                price_dated: dated[i]?,
                usd_per_point: per[i],
                on_frontier: on[i]?,
            })
        })
        .collect())
}

/// For each date, the cheapest model reaching `score >= threshold` among those known then.
/// Columns: `date, model_id, model, price, score, price_effective, price_backfilled,
/// price_dated` (nulls where no model reaches it).
pub fn cheapest_reaching(
    scores: &DataFrame,
    prices: &DataFrame,
    threshold: f64,
    dates_: &[NaiveDate],
    opts: &FrontierOptions,
) -> Result<DataFrame, EfficiencyError> {
    let mut ids = Vec::new();
    let mut models = Vec::new();
    let mut price = Vec::new();
    let mut score = Vec::new();
    let mut effective = Vec::new();
    let mut backfilled = Vec::new();
    let mut dated = Vec::new();
    for &d in dates_ {
        let best = points(scores, prices, d, opts)?
            .into_iter()
            .find(|p| p.score >= threshold);
        ids.push(best.as_ref().map(|p| p.model_id));
        models.push(best.as_ref().map(|p| p.model.clone()));
        price.push(best.as_ref().map(|p| p.price));
        score.push(best.as_ref().map(|p| p.score));
        effective.push(best.as_ref().map(|p| p.price_effective));
        backfilled.push(best.as_ref().map(|p| p.backfilled));
        dated.push(best.as_ref().map(|p| p.price_dated));
    }
    Ok(DataFrame::new_infer_height(vec![
        date_column("date", dates_.iter().copied().map(Some).collect()),
        Column::new("model_id".into(), ids),
        Column::new("model".into(), models),
        Column::new("price".into(), price),
        Column::new("score".into(), score),
        date_column("price_effective", effective),
        Column::new("price_backfilled".into(), backfilled),
        Column::new("price_dated".into(), dated),
    ])?)
}

/// A row of a [`cheapest_reaching`] DataFrame.
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

/// The rows of a [`cheapest_reaching`] DataFrame.
pub fn cheapest_rows(df: &DataFrame) -> Result<Vec<CheapestRow>, EfficiencyError> {
    let d = dates(df, "date")?;
    let id = ints(df, "model_id")?;
    let model = strings(df, "model")?;
    let price = floats(df, "price")?;
    let score = floats(df, "score")?;
    let eff = dates(df, "price_effective")?;
    let back = bools(df, "price_backfilled")?;
    let dated = bools(df, "price_dated")?;
    Ok((0..df.height())
        .filter_map(|i| {
            Some(CheapestRow {
                date: d[i]?,
                model_id: id[i],
                model: model[i].clone(),
                price: price[i],
                score: score[i],
                price_effective: eff[i],
                price_backfilled: back[i],
                price_dated: dated[i],
            })
        })
        .collect())
}

/// Score per 1e21 FLOP (zettaFLOP) of training compute, for one model; `None` without compute.
pub fn score_per_zflop(score: f64, training_compute_flop: Option<f64>) -> Option<f64> {
    training_compute_flop
        .filter(|f| *f > 0.0 && f.is_finite())
        .map(|f| score / (f / 1e21))
}

/// Adds `score_per_flop` (score ÷ training FLOP) and `score_per_zflop` (per 1e21 FLOP) to a
/// frame with `score` and `training_compute_flop` columns.
pub fn score_per_flop(df: &DataFrame) -> Result<DataFrame, EfficiencyError> {
    Ok(df
        .clone()
        .lazy()
        .with_columns([
            (col("score") / col("training_compute_flop")).alias("score_per_flop"),
            (col("score") / (col("training_compute_flop") / lit(1e21))).alias("score_per_zflop"),
        ])
        .collect()?)
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

/// Fits the trend of `value_col` over `date_col` for rows with `from <= date <= to` (either
/// bound optional) and a positive value.
pub fn log_linear_trend(
    df: &DataFrame,
    date_col: &str,
    value_col: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Trend, EfficiencyError> {
    let d = dates(df, date_col)?;
    let v = floats(df, value_col)?;
    let mut pts: Vec<(NaiveDate, f64)> = d
        .into_iter()
        .zip(v)
        .filter_map(|(d, v)| Some((d?, v?)))
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

/// A frame of `(date, value)` for [`log_linear_trend`].
pub fn series_frame(
    points: &[(NaiveDate, Option<f64>)],
    value_col: &str,
) -> Result<DataFrame, EfficiencyError> {
    Ok(DataFrame::new_infer_height(vec![
        date_column("date", points.iter().map(|p| Some(p.0)).collect()),
        Column::new(
            value_col.into(),
            points.iter().map(|p| p.1).collect::<Vec<_>>(),
        ),
    ])?)
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
        let scores = scores_frame(&[
            s(1, "o1", "2024-12-05", 0.76, None, false),
            s(2, "R1", "2025-01-20", 0.72, None, false),
            s(2, "R1", "2025-01-20", 0.90, None, true), // self-reported loses to independent
            s(3, "4o", "2024-05-13", 0.50, None, false),
            s(4, "future", "2025-03-01", 0.95, None, false),
        ])
        .unwrap();
        let prices = prices_frame(&[
            p(1, 15.0, 60.0, "2025-02-06"),
            p(2, 0.55, 2.19, "2025-02-06"),
            p(2, 0.01, 0.01, "2026-07-24"), // later snapshot: not known on 2025-02-06
            p(3, 2.5, 10.0, "2025-02-06"),
            p(4, 1.0, 1.0, "2025-02-06"),
        ])
        .unwrap();
        let opts = FrontierOptions::default();
        let after =
            frontier_rows(&frontier(&scores, &prices, d("2025-02-06"), &opts).unwrap()).unwrap();
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
        assert_eq!(before.height(), 0);
        // Back-filled with the first known price: R1 is not released yet, o1 and 4o are.
        let back = FrontierOptions {
            known_by: KnownBy::EarliestKnown,
            ..opts
        };
        let before =
            frontier_rows(&frontier(&scores, &prices, d("2025-01-01"), &back).unwrap()).unwrap();
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
        let m: Vec<_> = series
            .column("model")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect();
        assert_eq!(m, vec![Some("o1".into()), Some("R1".into())]);
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
        let t = log_linear_trend(
            &series_frame(&pts, "flop").unwrap(),
            "date",
            "flop",
            None,
            None,
        )
        .unwrap();
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
        let t =
            log_linear_trend(&series_frame(&noisy, "v").unwrap(), "date", "v", None, None).unwrap();
        assert!(t.growth_ci_low < 3.0 && 3.0 < t.growth_ci_high, "{t:?}");
        assert!(t.growth_ci_low > 1.0);
        assert!(
            log_linear_trend(
                &series_frame(&noisy[..2], "v").unwrap(),
                "date",
                "v",
                None,
                None
            )
            .is_err()
        );
    }

    #[test]
    fn score_per_flop_column() {
        let df = DataFrame::new_infer_height(vec![
            Column::new("score".into(), vec![0.7172]),
            Column::new("training_compute_flop".into(), vec![5.17e24]),
        ])
        .unwrap();
        let out = score_per_flop(&df).unwrap();
        let v = out
            .column("score_per_zflop")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap();
        assert!((v - 0.7172 / 5170.0).abs() < 1e-12);
        assert!((score_per_zflop(71.72, Some(5.17e24)).unwrap() - 71.72 / 5170.0).abs() < 1e-12);
        assert_eq!(score_per_zflop(71.72, None), None);
    }
}
