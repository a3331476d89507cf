//! `/api/v1/models`, `/models/{id}`, `/benchmarks`, `/frontier` and `/cheapest`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, Utc};
use jevons_analytics::efficiency::{FrontierRow, KnownBy};
use jevons_core::Settings;
use jevons_insights::models as models_data;
use jevons_store::models::{self, BenchmarkSummary, ModelFilter, ModelSummary, PriceRow, ScoreRow};
use serde::Deserialize;
use sqlx::PgPool;

use super::{DEFAULT_BENCHMARK, MODELS_LIMIT, PRICE_NOTE, known_by, options, resolve_model};
use crate::error::AppError;
use crate::extract::{Query, empty_as_none};
use crate::format::opt;
use crate::openapi::{BadParam, NotFound, ServerErrors};
use crate::routes::{Format, negotiate, negotiated_json, truncate};

/// A CSV attachment whose header is given as one comma-separated line.
fn csv_response(
    name: &str,
    header_line: &str,
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let header: Vec<&str> = header_line.split(',').collect();
    crate::routes::csv_attachment(name, &header, rows)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ModelsQuery {
    /// Only this organisation's models (as the sources spell it).
    organization: Option<String>,
    /// Released on or after this day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    released_after: Option<NaiveDate>,
    /// Released on or before this day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    released_before: Option<NaiveDate>,
    /// json or csv; without it `Accept: text/csv` asks for CSV.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<Format>,
}

/// `GET /api/v1/models?organization=&released_after=&released_before=&format=`
#[utoipa::path(
    get,
    path = "/api/v1/models",
    tag = "models",
    params(ModelsQuery),
    responses(
        (status = 200, description = "Models with score and price counts", content((Vec<serde_json::Value> = "application/json"), (String = "text/csv"))),
        BadParam,
        ServerErrors,
    )
)]
pub(crate) async fn api_models(
    req: HttpRequest,
    Query(q): Query<ModelsQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let filter = ModelFilter {
        organization: q.organization.filter(|s| !s.trim().is_empty()),
        released_after: q.released_after,
        released_before: q.released_before,
        with_data: false,
        limit: MODELS_LIMIT,
    };
    let list = models::list_models(pool.get_ref(), &filter).await?;
    match format {
        Format::Json => Ok(negotiated_json(list)),
        Format::Csv => csv_response(
            "models",
            "id,name,organization,released,params_total,training_compute_flop,training_cost_usd,open_weights,scores,prices",
            list.into_iter().map(|m| {
                vec![
                    m.id.to_string(),
                    m.name,
                    opt(m.organization),
                    opt(m.released),
                    opt(m.params_total),
                    opt(m.training_compute_flop),
                    opt(m.training_cost_usd),
                    opt(m.open_weights),
                    m.scores.to_string(),
                    m.prices.to_string(),
                ]
            }),
        ),
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct ModelJson {
    /// The model's facts (release, parameters, compute, cost) and score/price counts.
    #[schema(value_type = Object)]
    model: ModelSummary,
    /// Every name a source uses for it.
    names: Vec<NameJson>,
    /// Every score with its source and self-reported flag.
    #[schema(value_type = Vec<Object>)]
    scores: Vec<ScoreRow>,
    /// Prices over time, per provider.
    #[schema(value_type = Vec<Object>)]
    prices: Vec<PriceRow>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct NameJson {
    origin: String,
    name: String,
}

/// `GET /api/v1/models/{id}`: id or any alias (`deepseek-reasoner`).
#[utoipa::path(
    get,
    path = "/api/v1/models/{id}",
    tag = "models",
    params(("id" = String, Path, description = "Numeric id or any name a source uses, e.g. deepseek-reasoner")),
    responses(
        (status = 200, description = "The model with its names, scores and prices", body = ModelJson),
        NotFound,
        ServerErrors,
    )
)]
pub(crate) async fn api_model(
    path: web::Path<String>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let pool = pool.get_ref();
    let Some(model) = resolve_model(pool, &raw).await? else {
        return Err(AppError::NotFound(format!(
            "no model `{}` is known",
            truncate(&raw)
        )));
    };
    let scores = models::scores_for_model(pool, model.id).await?;
    let prices = models::prices_for_model(pool, model.id).await?;
    let names = models::names_for_model(pool, model.id)
        .await?
        .into_iter()
        .map(|(origin, name)| NameJson { origin, name })
        .collect();
    Ok(HttpResponse::Ok().json(ModelJson {
        model,
        names,
        scores,
        prices,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// json or csv; without it `Accept: text/csv` asks for CSV.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<Format>,
}

/// `GET /api/v1/benchmarks`: every benchmark with its score, model and unmatched counts.
#[utoipa::path(
    get,
    path = "/api/v1/benchmarks",
    tag = "models",
    params(FormatQuery),
    responses(
        (status = 200, description = "Every benchmark with its score, model and unmatched counts", content((Vec<serde_json::Value> = "application/json"), (String = "text/csv"))),
        BadParam,
        ServerErrors,
    )
)]
pub(crate) async fn api_benchmarks(
    req: HttpRequest,
    Query(q): Query<FormatQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let list = models::benchmarks(pool.get_ref()).await?;
    match format {
        Format::Json => Ok(negotiated_json(list)),
        Format::Csv => csv_response(
            "benchmarks",
            "key,name,scale,scores,models,unmatched_scores,sources",
            list.into_iter().map(|b| {
                vec![
                    b.key,
                    b.name,
                    b.scale,
                    b.scores.to_string(),
                    b.models.to_string(),
                    b.unmatched_scores.to_string(),
                    b.sources.join(" "),
                ]
            }),
        ),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FrontierQuery {
    /// Benchmark key or name (see /api/v1/benchmarks); gpqa-diamond when absent.
    benchmark: Option<String>,
    /// The benchmark's metric when it has several; its main one when absent.
    metric: Option<String>,
    /// The frontier as of this day, YYYY-MM-DD; today when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    date: Option<NaiveDate>,
    /// asof (prices known by the date) or earliest (the first later snapshot when none is).
    pub(crate) prices: Option<String>,
    /// json or csv; without it `Accept: text/csv` asks for CSV.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<Format>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct FrontierJson<'a> {
    benchmark: &'a str,
    metric: Option<&'a str>,
    date: NaiveDate,
    prices: &'static str,
    input_share: f64,
    note: &'static str,
    /// The frontier models, cheapest first, with blended price and score.
    #[schema(value_type = Vec<Object>)]
    frontier: Vec<&'a FrontierRow>,
}

async fn known_benchmark(
    pool: &PgPool,
    key: &str,
) -> Result<Option<BenchmarkSummary>, jevons_store::StoreError> {
    Ok(models::benchmarks(pool)
        .await?
        .into_iter()
        .find(|b| b.key == key))
}

/// `GET /api/v1/frontier?benchmark=&date=&prices=asof|earliest&format=`: the frontier models,
/// cheapest first, with blended price and score.
#[utoipa::path(
    get,
    path = "/api/v1/frontier",
    tag = "models",
    params(FrontierQuery),
    responses(
        (status = 200, description = "The quality-vs-price frontier at the date", content((FrontierJson = "application/json"), (String = "text/csv"))),
        BadParam,
        NotFound,
        ServerErrors,
    )
)]
pub(crate) async fn api_frontier(
    req: HttpRequest,
    Query(q): Query<FrontierQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let date = q.date.unwrap_or_else(|| Utc::now().date_naive());
    let k = known_by(q.prices.as_deref()).map_err(AppError::BadRequest)?;
    let raw = q.benchmark.unwrap_or_else(|| DEFAULT_BENCHMARK.into());
    let key = jevons_benchmarks::benchmark_key(&raw).0;
    if known_benchmark(pool.get_ref(), &key).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "no scores for benchmark `{}`; see /api/v1/benchmarks",
            truncate(&raw)
        )));
    }
    let f = models_data::frontier(
        pool.get_ref(),
        &key,
        q.metric.as_deref(),
        date,
        &options(&settings, k),
    )
    .await?;
    match format {
        Format::Json => Ok(negotiated_json(FrontierJson {
            benchmark: &f.benchmark,
            metric: f.metric.as_deref(),
            date: f.date,
            prices: if k == KnownBy::AsOf {
                "asof"
            } else {
                "earliest"
            },
            input_share: f.input_share,
            note: PRICE_NOTE,
            frontier: f.frontier().collect(),
        })),
        Format::Csv => csv_response(
            "frontier",
            "model_id,model,released,score,price_usd_per_mtok,provider,price_effective,price_backfilled,self_reported,score_source",
            f.frontier().map(|r| {
                vec![
                    r.model_id.to_string(),
                    r.model.clone(),
                    r.released.to_string(),
                    r.score.to_string(),
                    format!("{:.6}", r.price),
                    r.provider.clone(),
                    r.price_effective.to_string(),
                    r.price_backfilled.to_string(),
                    r.self_reported.to_string(),
                    r.score_source.clone(),
                ]
            }),
        ),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheapestQuery {
    /// Benchmark key or name; gpqa-diamond when absent.
    benchmark: Option<String>,
    /// Required: the score to reach (a fraction for accuracies, points for Elo).
    #[serde(default, deserialize_with = "empty_as_none")]
    min_score: Option<f64>,
    /// First day of the series, YYYY-MM-DD; 2023-01-01 when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// asof or earliest, as for /api/v1/frontier.
    prices: Option<String>,
}

/// `GET /api/v1/cheapest?benchmark=&min_score=&from=&prices=`: over time, the cheapest model
/// whose score reaches `min_score` (fractions for accuracies, points for Elo).
#[utoipa::path(
    get,
    path = "/api/v1/cheapest",
    tag = "models",
    params(CheapestQuery),
    responses(
        (status = 200, description = "The cheapest model reaching the score, over time", body = serde_json::Value),
        BadParam,
        NotFound,
        ServerErrors,
    )
)]
pub(crate) async fn api_cheapest(
    Query(q): Query<CheapestQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let Some(min_score) = q.min_score.filter(|v| v.is_finite()) else {
        return Err(AppError::BadRequest(
            "`min_score` is required, e.g. min_score=0.7".into(),
        ));
    };
    let from = q
        .from
        .or(NaiveDate::from_ymd_opt(2023, 1, 1))
        .unwrap_or_default();
    let k = known_by(q.prices.as_deref()).map_err(AppError::BadRequest)?;
    let raw = q.benchmark.unwrap_or_else(|| DEFAULT_BENCHMARK.into());
    let key = jevons_benchmarks::benchmark_key(&raw).0;
    if known_benchmark(pool.get_ref(), &key).await?.is_none() {
        return Err(AppError::NotFound(format!(
            "no scores for benchmark `{}`",
            truncate(&raw)
        )));
    }
    let series = models_data::cheapest_reaching(
        pool.get_ref(),
        &key,
        min_score,
        from,
        &options(&settings, k),
    )
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "benchmark": key,
        "min_score": min_score,
        "prices": if k == KnownBy::AsOf { "asof" } else { "earliest" },
        "series": series,
    })))
}
