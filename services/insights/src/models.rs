//! The efficiency frontier, its changes and the compute/cost trends, read from the store and
//! computed with jevons-analytics. Shared by the pages, the API, the `jevons models` command and
//! the digests.

use chrono::NaiveDate;
use jevons_analytics::efficiency::{
    self, FrontierOptions, FrontierRow, PriceInput, ScoreInput, Trend,
};
use jevons_store::PgPool;
use jevons_store::models::{self, PriceRow, ScoreRow};

#[derive(Debug, thiserror::Error)]
pub enum ModelDataError {
    #[error(transparent)]
    Store(#[from] jevons_store::StoreError),
    #[error(transparent)]
    Analytics(#[from] efficiency::EfficiencyError),
}

/// A frontier and what it was computed from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Frontier {
    pub benchmark: String,
    pub metric: Option<String>,
    pub date: NaiveDate,
    pub input_share: f64,
    /// Every candidate, cheapest first; `on_frontier` marks the Pareto set.
    pub points: Vec<FrontierRow>,
}

impl Frontier {
    pub fn frontier(&self) -> impl Iterator<Item = &FrontierRow> {
        self.points.iter().filter(|p| p.on_frontier)
    }
}

/// The metric a benchmark's frontier uses when none is asked for: the one with most scores
/// (Codeforces has a percentile and a rating, for instance).
fn main_metric(rows: &[ScoreRow]) -> Option<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in rows {
        *counts.entry(r.metric.as_str()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(m, _)| m.to_string())
}

/// The matched scores (those with a catalogue model) as the analytics functions take them.
fn score_inputs(rows: &[ScoreRow]) -> Vec<ScoreInput> {
    rows.iter()
        .filter_map(|r| {
            Some(ScoreInput {
                model_id: r.model_id?,
                model: r.model.clone()?,
                released: r.released,
                score: r.value,
                as_of: r.as_of,
                self_reported: r.self_reported,
                source: r.source.clone(),
            })
        })
        .collect()
}

/// The matched prices as the analytics functions take them.
fn price_inputs(prices: Vec<PriceRow>) -> Vec<PriceInput> {
    prices
        .into_iter()
        .filter_map(|p| {
            Some(PriceInput {
                model_id: p.model_id?,
                provider: p.provider,
                input: p.input_usd_per_mtok,
                output: p.output_usd_per_mtok,
                effective: p.effective,
                valid_until: p.valid_until,
                dated: p.dated,
            })
        })
        .collect()
}

/// The scores of `benchmark` (the `metric` given, else its main one) and that metric.
pub(crate) async fn benchmark_scores(
    pool: &PgPool,
    benchmark: &str,
    metric: Option<&str>,
) -> Result<(Vec<ScoreRow>, Option<String>), ModelDataError> {
    let mut rows = models::scores_for_benchmark(pool, benchmark, metric).await?;
    let metric = metric.map(str::to_string).or_else(|| main_metric(&rows));
    if let Some(m) = &metric {
        rows.retain(|r| &r.metric == m);
    }
    Ok((rows, metric))
}

/// The (price, score) frontier of `benchmark` at `date`.
pub async fn frontier(
    pool: &PgPool,
    benchmark: &str,
    metric: Option<&str>,
    date: NaiveDate,
    opts: &FrontierOptions,
) -> Result<Frontier, ModelDataError> {
    let (rows, metric) = benchmark_scores(pool, benchmark, metric).await?;
    let scores = score_inputs(&rows);
    let prices = price_inputs(models::matched_prices(pool).await?);
    let points = efficiency::frontier(&scores, &prices, date, opts)?;
    Ok(Frontier {
        benchmark: benchmark.to_string(),
        metric,
        date,
        input_share: opts.input_share,
        points,
    })
}

/// How a release moved a frontier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FrontierMove {
    /// The best score on the benchmark among the priced models.
    NewBest,
    /// Cheaper than every earlier model scoring at least as high.
    Cheaper,
}

/// A model that entered a frontier when it was released.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FrontierChange {
    pub benchmark: String,
    pub benchmark_name: String,
    /// "fraction" | "elo" | "points", as stored.
    pub scale: String,
    pub metric: Option<String>,
    /// Models with scores on the benchmark (how much it says).
    pub benchmark_models: i64,
    pub movement: FrontierMove,
    /// The model at its release date: score, blended price per million tokens.
    pub model: FrontierRow,
    /// Just before the release: the best model for a new best, the cheapest model scoring at
    /// least as high for a cheaper one.
    pub previous: FrontierRow,
}

/// The releases in `(from, to]` that moved a (price, score) frontier: each model is compared
/// with the frontier of the day before its release. Prices are taken as `opts` says (with
/// [`efficiency::KnownBy::EarliestKnown`] a model counts with its first known price even when
/// that snapshot is later than its release). A benchmark without any earlier priced model has
/// no frontier to move and is left out. New bests first, then the most-scored benchmarks.
pub async fn frontier_changes(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
    opts: &FrontierOptions,
) -> Result<Vec<FrontierChange>, ModelDataError> {
    let benchmarks = models::benchmarks_scored_by_releases(pool, from, to).await?;
    if benchmarks.is_empty() {
        return Ok(Vec::new());
    }
    let prices = price_inputs(models::matched_prices(pool).await?);
    let mut changes = Vec::new();
    for bench in benchmarks {
        let (rows, metric) = benchmark_scores(pool, &bench.key, None).await?;
        let mut days: Vec<NaiveDate> = rows
            .iter()
            .filter_map(|r| r.released)
            .filter(|d| *d > from && *d <= to)
            .collect();
        days.sort_unstable();
        days.dedup();
        let scores = score_inputs(&rows);
        // Every candidate at a date, cheapest first, `on_frontier` marking the Pareto set.
        let points_at = |d: NaiveDate| -> Result<Vec<FrontierRow>, ModelDataError> {
            Ok(efficiency::frontier(&scores, &prices, d, opts)?)
        };
        for day in days {
            let Some(eve) = day.pred_opt() else {
                continue;
            };
            let before = points_at(eve)?;
            let Some(best) = before.iter().max_by(|a, b| a.score.total_cmp(&b.score)) else {
                continue;
            };
            let after = points_at(day)?;
            for p in after.iter().filter(|p| p.on_frontier && p.released == day) {
                let (movement, previous) = if p.score > best.score {
                    (FrontierMove::NewBest, best)
                } else {
                    // The cheapest earlier model scoring at least as high (`before` is cheapest
                    // first); the release entered the frontier by undercutting it.
                    match before.iter().find(|b| b.score >= p.score) {
                        Some(b) if p.price < b.price => (FrontierMove::Cheaper, b),
                        _ => continue,
                    }
                };
                changes.push(FrontierChange {
                    benchmark: bench.key.clone(),
                    benchmark_name: bench.name.clone(),
                    scale: bench.scale.clone(),
                    metric: metric.clone(),
                    benchmark_models: bench.models,
                    movement,
                    model: p.clone(),
                    previous: previous.clone(),
                });
            }
        }
    }
    changes.sort_by(|a, b| {
        (a.movement != FrontierMove::NewBest)
            .cmp(&(b.movement != FrontierMove::NewBest))
            .then(b.benchmark_models.cmp(&a.benchmark_models))
            .then(a.model.released.cmp(&b.model.released))
            .then(a.benchmark.cmp(&b.benchmark))
            .then(a.model.model.cmp(&b.model.model))
    });
    Ok(changes)
}

/// Fitted yearly growth of training compute and of training cost over the catalogue's models
/// released in `[from, to]`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Trends {
    pub compute: Option<Trend>,
    pub cost: Option<Trend>,
}

pub async fn trends(
    pool: &PgPool,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Trends, ModelDataError> {
    let pts = models::compute_points(pool).await?;
    let compute: Vec<(NaiveDate, Option<f64>)> = pts.iter().map(|p| (p.1, Some(p.2))).collect();
    let cost: Vec<(NaiveDate, Option<f64>)> = pts.iter().map(|p| (p.1, p.3)).collect();
    let fit =
        |points: &[(NaiveDate, Option<f64>)]| efficiency::log_linear_trend(points, from, to).ok();
    Ok(Trends {
        compute: fit(&compute),
        cost: fit(&cost),
    })
}

/// For each date at which the answer can change (a price's start or end, or a scored model's
/// release, from `from` on), the cheapest model whose `benchmark` score is at least `min_score`.
pub async fn cheapest_reaching(
    pool: &PgPool,
    benchmark: &str,
    min_score: f64,
    from: NaiveDate,
    opts: &FrontierOptions,
) -> Result<Vec<efficiency::CheapestRow>, ModelDataError> {
    let (rows, _) = benchmark_scores(pool, benchmark, None).await?;
    let prices = models::matched_prices(pool).await?;
    let mut dates: Vec<NaiveDate> = rows
        .iter()
        .filter_map(|r| r.released)
        .chain(prices.iter().map(|p| p.effective))
        .chain(prices.iter().filter_map(|p| p.valid_until))
        .filter(|d| *d >= from)
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let scores = score_inputs(&rows);
    let prices = price_inputs(prices);
    Ok(efficiency::cheapest_reaching(
        &scores, &prices, min_score, &dates, opts,
    )?)
}

/// The cheapest model whose `benchmark` score is at least `min_score`, at each of `dates`
/// (a month-end grid, say), with the price in effect on each date. Each row says where its
/// price comes from: `price_effective`, `price_dated` (a real appearance/change date in the
/// price history, not a snapshot's) and `price_backfilled` (under `KnownBy::EarliestKnown`, the
/// model's first known price, later than the date). The price-of-intelligence series.
pub async fn cheapest_reaching_on(
    pool: &PgPool,
    benchmark: &str,
    min_score: f64,
    dates: &[NaiveDate],
    opts: &FrontierOptions,
) -> Result<Vec<efficiency::CheapestRow>, ModelDataError> {
    let (rows, _) = benchmark_scores(pool, benchmark, None).await?;
    let prices = price_inputs(models::matched_prices(pool).await?);
    Ok(efficiency::cheapest_reaching(
        &score_inputs(&rows),
        &prices,
        min_score,
        dates,
        opts,
    )?)
}

/// A benchmark score as shown on the pages and in the digests: percent for fractions.
pub fn format_score(v: f64, scale: &str) -> String {
    if scale == "fraction" {
        format!("{:.1}%", v * 100.0)
    } else {
        format!("{v:.0}")
    }
}

/// A price in dollars with the precision its size needs ($150, $0.96, $0.075).
pub fn format_usd(v: f64) -> String {
    if v >= 100.0 {
        format!("${v:.0}")
    } else if v >= 0.1 {
        format!("${v:.2}")
    } else {
        format!("${v:.3}")
    }
}
