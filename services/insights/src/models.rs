//! The efficiency frontier and the compute/cost trends, read from the store and computed with
//! jevons-analytics. Shared by the pages, the API and the `jevons models` command.

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
            })
        })
        .collect()
}

/// The (price, score) frontier of `benchmark` at `date`.
pub async fn frontier(
    pool: &PgPool,
    benchmark: &str,
    metric: Option<&str>,
    date: NaiveDate,
    opts: &FrontierOptions,
) -> Result<Frontier, ModelDataError> {
    let mut rows = models::scores_for_benchmark(pool, benchmark, metric).await?;
    let metric = metric.map(str::to_string).or_else(|| main_metric(&rows));
    if let Some(m) = &metric {
        rows.retain(|r| &r.metric == m);
    }
    let scores = score_inputs(&rows);
    let prices = price_inputs(models::matched_prices(pool).await?);
    let df = efficiency::frontier(
        &efficiency::scores_frame(&scores)?,
        &efficiency::prices_frame(&prices)?,
        date,
        opts,
    )?;
    Ok(Frontier {
        benchmark: benchmark.to_string(),
        metric,
        date,
        input_share: opts.input_share,
        points: efficiency::frontier_rows(&df)?,
    })
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
    let fit = |points: &[(NaiveDate, Option<f64>)]| -> Result<Option<Trend>, ModelDataError> {
        let df = efficiency::series_frame(points, "v")?;
        Ok(efficiency::log_linear_trend(&df, "date", "v", from, to).ok())
    };
    Ok(Trends {
        compute: fit(&compute)?,
        cost: fit(&cost)?,
    })
}

/// For each date at which the answer can change (a price snapshot or a scored model's release,
/// from `from` on), the cheapest model whose `benchmark` score is at least `min_score`.
pub async fn cheapest_reaching(
    pool: &PgPool,
    benchmark: &str,
    min_score: f64,
    from: NaiveDate,
    opts: &FrontierOptions,
) -> Result<Vec<efficiency::CheapestRow>, ModelDataError> {
    let mut rows = models::scores_for_benchmark(pool, benchmark, None).await?;
    if let Some(m) = main_metric(&rows) {
        rows.retain(|r| r.metric == m);
    }
    let prices = models::matched_prices(pool).await?;
    let mut dates: Vec<NaiveDate> = rows
        .iter()
        .filter_map(|r| r.released)
        .chain(prices.iter().map(|p| p.effective))
        .filter(|d| *d >= from)
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let scores = score_inputs(&rows);
    let prices = price_inputs(prices);
    let df = efficiency::cheapest_reaching(
        &efficiency::scores_frame(&scores)?,
        &efficiency::prices_frame(&prices)?,
        min_score,
        &dates,
        opts,
    )?;
    Ok(efficiency::cheapest_rows(&df)?)
}
