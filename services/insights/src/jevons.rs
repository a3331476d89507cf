//! The Jevons question over stored data: the price of a fixed capability over time (model
//! scores × dated API prices), the demand for compute (quarterly fundamentals), the chip
//! stocks, and how they relate. Pages, the API and the weekly digest all read it from here.
//!
//! Over 400 lines because the one place pages, the API and the digest read the Jevons question
//! from: loading, thresholds, series and the story's figures belong together.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use jevons_analytics::demand::{
    self, DemandError, DemandOverview, DemandSeries, Provenance as DemandProvenance,
    QuarterlyFact as DemandFact,
};
use jevons_analytics::efficiency::blended_price;
use jevons_analytics::jevons::{self as relation, AnswerInputs, EventMark, JevonsError, Relation};
use jevons_analytics::price_of_intelligence::{
    ModelPricePoint, PoiError, PoiOptions, PriceBasis, PriceOfIntelligence, Threshold,
    price_of_intelligence,
};
use jevons_core::fundamentals::{Metric, Provenance};
use jevons_core::{DateRange, Settings, Symbol};
use jevons_store::events::{self as store_events, EventFilter, EventKind};
use jevons_store::models::{self as store_models, PriceRow, ScoreRow};
use jevons_store::{PgPool, StoreError, fundamentals, prices};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum JevonsViewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request names something the data does not have (400/404 in the API).
    #[error("{0}")]
    Invalid(String),
    #[error("price of intelligence: {0}")]
    Poi(#[from] PoiError),
    #[error("demand: {0}")]
    Demand(#[from] DemandError),
    #[error("relation: {0}")]
    Relation(#[from] JevonsError),
}

/// A capability level: a benchmark and a score, given as a number or as "the score of model X".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdSpec {
    pub benchmark: String,
    pub reference: Reference,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reference {
    Score { score: f64 },
    Model { model: String },
}

impl ThresholdSpec {
    /// `benchmark@0.83` or `benchmark@model:GPT-4o` (the `[jevons] thresholds` setting).
    pub fn parse(raw: &str) -> Result<Self, JevonsViewError> {
        let (benchmark, level) = raw.trim().split_once('@').ok_or_else(|| {
            JevonsViewError::Invalid(format!(
                "`{raw}` is not a threshold: write benchmark@score or benchmark@model:NAME"
            ))
        })?;
        let reference = match level.trim().strip_prefix("model:") {
            Some(model) if !model.trim().is_empty() => Reference::Model {
                model: model.trim().to_string(),
            },
            Some(_) => {
                return Err(JevonsViewError::Invalid(format!(
                    "`{raw}`: the model name is empty"
                )));
            }
            None => Reference::Score {
                score: level
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite())
                    .ok_or_else(|| {
                        JevonsViewError::Invalid(format!(
                            "`{level}` is neither a score nor model:NAME"
                        ))
                    })?,
            },
        };
        Ok(Self {
            benchmark: benchmark.trim().to_string(),
            reference,
        })
    }
}

/// One price-of-intelligence series with what it was computed from.
#[derive(Debug, Clone, Serialize)]
pub struct PriceSeries {
    pub benchmark: String,
    pub benchmark_name: String,
    /// e.g. "GPQA Diamond ≥ GPT-4o level (48.9%)".
    pub label: String,
    pub spec: ThresholdSpec,
    /// The score the reference resolved to; `None` when the reference model has no score.
    pub threshold_score: Option<f64>,
    /// Models with both a score and a price (the candidates).
    pub candidates: usize,
    /// Why there is no series or fit, in words, when there is none.
    pub message: Option<String>,
    pub poi: Option<PriceOfIntelligence>,
}

/// The price points of every scored model on `benchmark`: each price of the model in effect
/// from its date (the cheapest provider at each change), blended `input_share` input to
/// output; a model whose first known price is later than its release gets that price carried
/// back to the release, marked back-filled.
pub fn price_points(
    scores: &[ScoreRow],
    prices: &[PriceRow],
    input_share: f64,
) -> Vec<ModelPricePoint> {
    // The model's best score on the benchmark and its release.
    let mut best: HashMap<i64, (String, f64, NaiveDate)> = HashMap::new();
    for s in scores {
        let (Some(id), Some(name), Some(released)) = (s.model_id, s.model.clone(), s.released)
        else {
            continue;
        };
        let e = best.entry(id).or_insert((name, s.value, released));
        e.1 = e.1.max(s.value);
    }
    let mut by_model: HashMap<i64, Vec<&PriceRow>> = HashMap::new();
    for p in prices {
        if let Some(id) = p.model_id.filter(|id| best.contains_key(id)) {
            by_model.entry(id).or_default().push(p);
        }
    }
    let mut out = Vec::new();
    for (id, rows) in by_model {
        let Some((name, score, released)) = best.get(&id) else {
            continue;
        };
        // Every day the set of prices in effect may change.
        let days: BTreeSet<NaiveDate> = rows
            .iter()
            .flat_map(|r| std::iter::once(r.effective).chain(r.valid_until))
            .collect();
        let mut history: Vec<(NaiveDate, f64)> = Vec::new();
        for day in days {
            let cheapest = rows
                .iter()
                .filter(|r| r.in_effect_on(day))
                .filter_map(|r| {
                    blended_price(r.input_usd_per_mtok, r.output_usd_per_mtok, input_share)
                })
                .filter(|p| *p > 0.0)
                .fold(f64::INFINITY, f64::min);
            if cheapest.is_finite() && history.last().is_none_or(|(_, p)| *p != cheapest) {
                history.push((day, cheapest));
            }
        }
        if let Some(&(first_day, first_price)) = history.first()
            && first_day > *released
        {
            out.push(ModelPricePoint {
                model: name.clone(),
                released: *released,
                score: *score,
                usd_per_mtok: first_price,
                effective: *released,
                basis: PriceBasis::Backfilled,
            });
        }
        for (day, price) in history {
            out.push(ModelPricePoint {
                model: name.clone(),
                released: *released,
                score: *score,
                usd_per_mtok: price,
                effective: day,
                basis: PriceBasis::Dated,
            });
        }
    }
    // Deterministic order whatever the hash map did.
    out.sort_by(|a, b| {
        (a.effective, &a.model)
            .cmp(&(b.effective, &b.model))
            .then(a.usd_per_mtok.total_cmp(&b.usd_per_mtok))
    });
    out
}

/// The benchmark's name, its scores (main metric) and the price points of its scored models.
pub async fn benchmark_points(
    pool: &PgPool,
    settings: &Settings,
    benchmark: &str,
) -> Result<(String, Vec<ScoreRow>, Vec<ModelPricePoint>), JevonsViewError> {
    // The benchmark's main metric only: scores of other metrics are not comparable.
    let (scores, _) = crate::models::benchmark_scores(pool, benchmark, None)
        .await
        .map_err(|e| match e {
            crate::models::ModelDataError::Store(e) => JevonsViewError::Store(e),
            other => JevonsViewError::Invalid(other.to_string()),
        })?;
    let benchmark_name = scores
        .first()
        .map(|s| s.benchmark_name.clone())
        .ok_or_else(|| {
            JevonsViewError::Invalid(format!(
                "no scores for the benchmark `{benchmark}` (see /api/v1/benchmarks)"
            ))
        })?;
    let prices = store_models::matched_prices(pool).await?;
    let points = price_points(&scores, &prices, settings.models.input_share);
    Ok((benchmark_name, scores, points))
}

/// The cheapest price of `spec`'s capability over time, and its fitted decline per year.
pub async fn price_series(
    pool: &PgPool,
    settings: &Settings,
    spec: &ThresholdSpec,
    options: &PoiOptions,
) -> Result<PriceSeries, JevonsViewError> {
    let (benchmark_name, scores, points) =
        benchmark_points(pool, settings, &spec.benchmark).await?;
    let candidates = points
        .iter()
        .map(|p| p.model.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let (threshold_score, level) = match &spec.reference {
        Reference::Score { score } => (Some(*score), format!("{score}")),
        Reference::Model { model } => {
            let score = reference_score(pool, &scores, model).await?;
            (score, format!("{model} level"))
        }
    };
    let label = match threshold_score {
        Some(s) if matches!(spec.reference, Reference::Model { .. }) => {
            format!("{benchmark_name} \u{2265} {level} ({})", fmt_score(s))
        }
        _ => format!("{benchmark_name} \u{2265} {level}"),
    };
    let Some(score) = threshold_score else {
        return Ok(PriceSeries {
            benchmark: spec.benchmark.clone(),
            benchmark_name,
            label,
            spec: spec.clone(),
            threshold_score,
            candidates,
            message: Some(match &spec.reference {
                Reference::Model { model } => {
                    format!("{model} has no {} score in the data", spec.benchmark)
                }
                Reference::Score { .. } => "no threshold".to_string(),
            }),
            poi: None,
        });
    };
    let poi = price_of_intelligence(&points, &Threshold::Score { score }, options)?;
    let message = if poi.series.is_empty() {
        Some(format!(
            "no model with a known price reaches {} on {}",
            fmt_score(score),
            benchmark_name
        ))
    } else {
        poi.fit.fit().is_none().then(|| match &poi.fit {
            jevons_analytics::price_of_intelligence::FitOutcome::NotFitted { message, .. } => {
                message.clone()
            }
            _ => String::new(),
        })
    };
    Ok(PriceSeries {
        benchmark: spec.benchmark.clone(),
        benchmark_name,
        label,
        spec: spec.clone(),
        threshold_score,
        candidates,
        message,
        poi: Some(poi),
    })
}

fn fmt_score(s: f64) -> String {
    if s <= 1.0 {
        format!("{:.1}%", s * 100.0)
    } else {
        format!("{s:.0}")
    }
}

/// The best score on the benchmark of the model that `name` (a name or alias) resolves to.
async fn reference_score(
    pool: &PgPool,
    scores: &[ScoreRow],
    name: &str,
) -> Result<Option<f64>, JevonsViewError> {
    let id = store_models::model_id_for_key(pool, &jevons_benchmarks::model_key(name)).await?;
    Ok(scores
        .iter()
        .filter(|s| {
            id.is_some_and(|id| s.model_id == Some(id))
                || s.model
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(name))
        })
        .map(|s| s.value)
        .reduce(f64::max))
}

/// The current quarterly facts of the configured companies, as the analytics take them.
pub async fn demand_facts(pool: &PgPool) -> Result<Vec<DemandFact>, JevonsViewError> {
    let mut out = Vec::new();
    for info in fundamentals::series(pool).await? {
        let (Ok(symbol), Ok(metric)) = (Symbol::parse(&info.symbol), Metric::parse(&info.metric))
        else {
            continue;
        };
        for f in fundamentals::current_series(pool, &symbol, &metric, None, None).await? {
            out.push(DemandFact {
                symbol: f.fact.symbol.to_string(),
                metric: f.fact.metric.as_str().to_string(),
                fiscal_period: f.fact.fiscal_period.to_string(),
                period_start: Some(f.fact.period_start),
                period_end: f.fact.period_end,
                value_usd: f.fact.value,
                provenance: match f.fact.provenance {
                    Provenance::Filed => DemandProvenance::Filed,
                    Provenance::PressRelease => DemandProvenance::PressRelease,
                },
            });
        }
    }
    Ok(out)
}

/// A chip-stock series rebased to 100 at its first day in the range.
#[derive(Debug, Clone, Serialize)]
pub struct StockSeries {
    pub symbol: String,
    pub name: String,
    pub points: Vec<(NaiveDate, f64)>,
    pub change_pct: Option<f64>,
}

async fn stock_series(
    pool: &PgPool,
    settings: &Settings,
    symbols: &[String],
    range: DateRange,
) -> Result<Vec<StockSeries>, JevonsViewError> {
    let mut out = Vec::new();
    for raw in symbols {
        let Ok(symbol) = Symbol::parse(raw) else {
            continue;
        };
        let bars = prices::bars(pool, &symbol, range).await?;
        let Some(base) = bars.first().map(|b| b.adj_close).filter(|c| *c > 0.0) else {
            continue;
        };
        let points: Vec<(NaiveDate, f64)> = bars
            .iter()
            .map(|b| (b.day, 100.0 * b.adj_close / base))
            .collect();
        let change_pct = points.last().map(|(_, v)| v - 100.0);
        let name = settings
            .watchlist
            .iter()
            .find(|t| t.symbol == symbol)
            .map_or_else(|| raw.clone(), |t| t.name.clone());
        out.push(StockSeries {
            symbol: symbol.to_string(),
            name,
            points,
            change_pct,
        });
    }
    Ok(out)
}

/// A relation of one demand series to the headline price series.
#[derive(Debug, Clone, Serialize)]
pub struct DemandRelation {
    pub demand: String,
    pub relation: Relation,
}

/// Everything `/jevons` shows, computed from the stored data.
#[derive(Debug, Clone, Serialize)]
pub struct JevonsView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub prices: Vec<PriceSeries>,
    pub demand: DemandOverview,
    pub stocks: Vec<StockSeries>,
    pub events: Vec<EventMark>,
    pub relations: Vec<DemandRelation>,
    pub answer: String,
    /// Where the demand figures come from: (symbol, metric, quarters, filed quarters, last end).
    pub demand_sources: Vec<fundamentals::SeriesInfo>,
    /// Quarters where the filed value and the press-release value differ beyond rounding.
    pub discrepancies: Vec<fundamentals::Discrepancy>,
}

/// The days on which a model that was not the cheapest before lowered the cheapest price of
/// the level, with the factor: the efficiency events of that capability.
pub fn efficiency_marks(poi: &PriceOfIntelligence) -> Vec<(EventMark, f64)> {
    let mut seen = BTreeSet::new();
    poi.series
        .windows(2)
        .filter(|w| w[1].model != w[0].model && w[1].usd_per_mtok < w[0].usd_per_mtok)
        // A model that becomes the cheapest twice (a price cut after a rival) counts once.
        .filter(|w| seen.insert(w[1].model.clone()))
        .map(|w| {
            let factor = w[0].usd_per_mtok / w[1].usd_per_mtok;
            let mark = EventMark {
                name: format!("{} ({factor:.1}× cheaper)", w[1].model),
                date: w[1].date,
            };
            (mark, factor)
        })
        .collect()
}

/// The news events stored for the range (the DeepSeek sell-off …), marked beside them.
async fn news_events(pool: &PgPool, range: DateRange) -> Result<Vec<EventMark>, JevonsViewError> {
    let events = store_events::list(
        pool,
        &EventFilter {
            from: Some(range.from()),
            to: Some(range.to()),
            limit: Some(200),
            ..EventFilter::default()
        },
    )
    .await?;
    let mut marks: Vec<EventMark> = events
        .into_iter()
        .filter(|e| e.kind == EventKind::News)
        .map(|e| EventMark {
            name: e.title,
            date: e.day,
        })
        .collect();
    marks.sort_by_key(|m| m.date);
    Ok(marks)
}

/// Each demand series against the headline price, and the answer written from the first.
fn relations_of(
    demand: &DemandOverview,
    label: &str,
    poi: &PriceOfIntelligence,
    efficiency: &[(EventMark, f64)],
) -> Result<(Vec<DemandRelation>, String), JevonsViewError> {
    let mut series: Vec<(&str, &DemandSeries)> =
        vec![("Hyperscaler capex", &demand.hyperscaler_capex)];
    if let Some(dc) = &demand.nvidia_data_center {
        series.push(("NVIDIA data-center revenue", dc));
    }
    let events: Vec<EventMark> = efficiency.iter().map(|(m, _)| m.clone()).collect();
    let mut relations = Vec::new();
    let mut answer = String::new();
    for (name, s) in series {
        if s.points.is_empty() {
            continue;
        }
        let r = relation::relation(s, poi, &events)?;
        if relations.is_empty() {
            // The answer names one event: the largest single fall of the price.
            let largest: Vec<EventMark> = efficiency
                .iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(m, _)| m.clone())
                .into_iter()
                .collect();
            answer = relation::answer_paragraph(&AnswerInputs {
                price_label: label,
                poi,
                demand_label: name,
                demand: s,
                relation: &relation::relation(s, poi, &largest)?,
            });
        }
        relations.push(DemandRelation {
            demand: name.to_string(),
            relation: r,
        });
    }
    Ok((relations, answer))
}

/// The whole Jevons view over `[from, to]` (defaults: 2023-01-01 … the latest price).
pub async fn view(
    pool: &PgPool,
    settings: &Settings,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<JevonsView, JevonsViewError> {
    let cfg = &settings.jevons;
    let to = match to {
        Some(t) => t,
        None => jevons_store::digest::latest_price_day(pool, &[])
            .await?
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
    };
    let from = from.unwrap_or(cfg.start);
    let range = DateRange::new(from, to).map_err(|e| JevonsViewError::Invalid(e.to_string()))?;
    let options = PoiOptions {
        from: Some(from),
        to: Some(to),
        ..PoiOptions::default()
    };
    let mut prices_out = Vec::new();
    for raw in &cfg.thresholds {
        let spec = ThresholdSpec::parse(raw)?;
        match price_series(pool, settings, &spec, &options).await {
            Ok(s) => prices_out.push(s),
            // A benchmark the data lacks is left out, not an error for the whole page.
            Err(JevonsViewError::Invalid(m)) => tracing::info!(threshold = %raw, "{m}"),
            Err(e) => return Err(e),
        }
    }
    let facts = demand_facts(pool).await?;
    let vendors: Vec<&str> = settings
        .watchlist
        .iter()
        .filter(|t| t.role == jevons_core::Role::Vendor)
        .map(|t| t.symbol.as_str())
        .collect();
    // The buyers with capex figures: a configured buyer with none would leave every quarter
    // incomplete (the sum counts only quarters where all members report).
    let buyers: Vec<&str> = settings
        .fundamentals
        .buyers
        .iter()
        .map(Symbol::as_str)
        .filter(|b| facts.iter().any(|f| f.symbol == *b && f.metric == "capex"))
        .collect();
    let buyers: Vec<String> = buyers.iter().map(|s| s.to_string()).collect();
    let vendors: Vec<String> = vendors.iter().map(|s| s.to_string()).collect();
    let stocks = stock_series(pool, settings, &cfg.chip_symbols, range).await?;
    let headline = prices_out
        .iter()
        .find_map(|p| p.poi.clone().map(|poi| (p.label.clone(), poi)));
    // The efficiency events: the days a newly cheapest model lowered the headline level's price.
    let efficiency = headline
        .as_ref()
        .map(|(_, poi)| efficiency_marks(poi))
        .unwrap_or_default();
    let mut events = news_events(pool, range).await?;
    events.extend(efficiency.iter().map(|(m, _)| m.clone()));
    events.sort_by_key(|m| m.date);
    // polars blocks on its own runtime: off the async worker (actix runs a current-thread one).
    let marks = efficiency.clone();
    let (demand, relations, answer) = tokio::task::spawn_blocking(move || {
        let buyers: Vec<&str> = buyers.iter().map(String::as_str).collect();
        let vendors: Vec<&str> = vendors.iter().map(String::as_str).collect();
        let demand = demand::demand_overview(&facts, &buyers, &vendors)?;
        let (relations, answer) = match &headline {
            Some((label, poi)) => relations_of(&demand, label, poi, &marks)?,
            None => (Vec::new(), String::new()),
        };
        Ok::<_, JevonsViewError>((demand, relations, answer))
    })
    .await
    .map_err(|e| JevonsViewError::Invalid(format!("the Jevons computation failed: {e}")))??;
    Ok(JevonsView {
        from,
        to,
        prices: prices_out,
        demand,
        stocks,
        events,
        relations,
        answer,
        demand_sources: fundamentals::series(pool).await?,
        discrepancies: fundamentals::discrepancies(pool, None).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_or_say_what_is_wrong() {
        assert_eq!(
            ThresholdSpec::parse("gpqa-diamond@model:GPT-4o")
                .unwrap()
                .reference,
            Reference::Model {
                model: "GPT-4o".into()
            }
        );
        assert_eq!(
            ThresholdSpec::parse(" mmlu @ 0.83 ").unwrap(),
            ThresholdSpec {
                benchmark: "mmlu".into(),
                reference: Reference::Score { score: 0.83 }
            }
        );
        for bad in ["mmlu", "mmlu@", "mmlu@model:", "mmlu@high", "mmlu@NaN"] {
            assert!(ThresholdSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
