//! Pages and API for AI models, benchmarks, prices and the efficiency frontier.

use actix_web::http::Method;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, Utc};
use jevons_analytics::efficiency::{FrontierOptions, FrontierRow, KnownBy, Trend, blended_price};
use jevons_core::Settings;
use jevons_insights::models::{
    self as models_data, Frontier, ModelDataError, format_score, format_usd,
};
use jevons_store::models::{self, BenchmarkSummary, ModelFilter, ModelSummary, PriceRow, ScoreRow};
use serde::Deserialize;
use sqlx::PgPool;

use super::{Format, negotiate, truncate};
use crate::charts_models::{ChartPoint, frontier_svg};
use crate::error::{AppError, ErrorBody};
use crate::extract::{Query, empty_as_none};
use crate::views::Nav;

/// Routes under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/models", api_models);
    super::api_route(cfg, Method::GET, "/models/{id}", api_model);
    super::api_route(cfg, Method::GET, "/benchmarks", api_benchmarks);
    super::api_route(cfg, Method::GET, "/frontier", api_frontier);
    super::api_route(cfg, Method::GET, "/cheapest", api_cheapest);
}

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/models", web::get().to(index))
        .route("/models/compare", web::get().to(compare))
        .route("/models/unmatched", web::get().to(unmatched))
        .route("/models/{id}", web::get().to(detail));
}

const DEFAULT_BENCHMARK: &str = "gpqa-diamond";
const MODELS_LIMIT: i64 = 2000;

impl From<ModelDataError> for AppError {
    fn from(e: ModelDataError) -> Self {
        match e {
            ModelDataError::Store(s) => AppError::Store(s),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// Frontier models released this many days before the date shown are marked as new on it.
const NEW_ON_FRONTIER_DAYS: i64 = 90;

fn known_by(s: Option<&str>) -> Result<KnownBy, String> {
    match s.map(str::trim).unwrap_or("asof") {
        "" | "asof" => Ok(KnownBy::AsOf),
        "earliest" => Ok(KnownBy::EarliestKnown),
        other => Err(format!(
            "`prices` must be asof or earliest, not `{}`",
            truncate(other)
        )),
    }
}

fn options(settings: &Settings, k: KnownBy) -> FrontierOptions {
    FrontierOptions {
        input_share: settings.models.input_share,
        known_by: k,
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A CSV attachment whose header is given as one comma-separated line.
fn csv_response(
    name: &str,
    header_line: &str,
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<HttpResponse, AppError> {
    let header: Vec<&str> = header_line.split(',').collect();
    super::csv_attachment(name, &header, rows)
}

/// A model by numeric id or by any name a source uses for it.
async fn resolve_model(
    pool: &PgPool,
    raw: &str,
) -> Result<Option<ModelSummary>, jevons_store::StoreError> {
    let id = match raw.trim().parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => models::model_id_for_key(pool, &jevons_benchmarks::model_key(raw)).await?,
    };
    match id {
        Some(id) => models::get_model(pool, id).await,
        None => Ok(None),
    }
}

// ---------------------------------------------------------------- API

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
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_models(
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
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header((header::VARY, "Accept"))
            .json(list)),
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
        (status = 404, description = "Nothing of that name or id", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_model(
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
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_benchmarks(
    req: HttpRequest,
    Query(q): Query<FormatQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let list = models::benchmarks(pool.get_ref()).await?;
    match format {
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header((header::VARY, "Accept"))
            .json(list)),
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
    prices: Option<String>,
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

const PRICE_NOTE: &str = "Prices are snapshots (LiteLLM's file has no per-model dates): a model counts at a date when it was released by then and, with prices=asof, has a price snapshot at or before it. prices=earliest uses the first later snapshot when none is known yet.";

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
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 404, description = "Nothing of that name or id", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_frontier(
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
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header((header::VARY, "Accept"))
            .json(FrontierJson {
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
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 404, description = "Nothing of that name or id", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_cheapest(
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

// ---------------------------------------------------------------- pages

fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(body)
}

fn fmt_big(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "—".into(),
        Some(v) if unit == "$" => {
            if v >= 1e9 {
                format!("${:.2}B", v / 1e9)
            } else if v >= 1e6 {
                format!("${:.2}M", v / 1e6)
            } else {
                format!("${v:.0}")
            }
        }
        Some(v) if unit == "params" => {
            if v >= 1e12 {
                format!("{:.2}T", v / 1e12)
            } else if v >= 1e9 {
                format!("{:.1}B", v / 1e9)
            } else {
                format!("{:.0}M", v / 1e6)
            }
        }
        Some(v) => format!("{v:.3e}"),
    }
}

fn fmt_trend(t: &Option<Trend>) -> String {
    match t {
        None => "not enough data".into(),
        Some(t) => format!(
            "{:.2}× per year (95% CI {:.2}–{:.2}×; doubling every {:.1} months; n = {}, {} – {}, R² = {:.2})",
            t.growth_per_year,
            t.growth_ci_low,
            t.growth_ci_high,
            t.doubling_months,
            t.n,
            t.first,
            t.last,
            t.r2
        ),
    }
}

pub struct FrontierRowView {
    pub id: i64,
    pub model: String,
    pub released: String,
    pub score: String,
    pub reported: &'static str,
    pub source: String,
    pub price: String,
    pub provider: String,
    pub price_date: String,
    pub backfilled: bool,
    pub per_point: String,
    pub on_frontier: bool,
}

pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
    pub num: bool,
}

pub struct BenchOption {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "models_index.html")]
pub struct IndexPage {
    pub title: &'static str,
    pub nav: Nav,
    pub benchmarks: Vec<BenchOption>,
    pub benchmark_name: String,
    pub date: String,
    pub earliest: bool,
    pub chart: String,
    pub rows: Vec<FrontierRowView>,
    pub sort_links: Vec<SortLink>,
    pub frontier_count: usize,
    pub compute_trend: String,
    pub cost_trend: String,
    pub note: &'static str,
    pub input_share: String,
    pub json_href: String,
}

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    benchmark: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    date: Option<NaiveDate>,
    prices: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
}

const SORTS: &[(&str, &str, bool)] = &[
    ("model", "Model", false),
    ("released", "Released", false),
    ("score", "Score", true),
    ("price", "Price / 1M", true),
    ("per_point", "$ per point", true),
];

fn sort_rows(rows: &mut [FrontierRow], sort: &str, desc: bool) {
    let cmp_f = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal);
    rows.sort_by(|a, b| {
        let o = match sort {
            "model" => a.model.to_lowercase().cmp(&b.model.to_lowercase()),
            "released" => a.released.cmp(&b.released),
            "score" => cmp_f(a.score, b.score),
            "per_point" => cmp_f(
                a.usd_per_point.unwrap_or(f64::MAX),
                b.usd_per_point.unwrap_or(f64::MAX),
            ),
            _ => cmp_f(a.price, b.price),
        };
        if desc { o.reverse() } else { o }
    });
}

/// `GET /models?benchmark=&date=&prices=&sort=&dir=`: the frontier chart and its table.
async fn index(
    Query(q): Query<IndexQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let date = q.date.unwrap_or_else(|| Utc::now().date_naive());
    let k = known_by(q.prices.as_deref()).map_err(AppError::BadRequest)?;
    let all = models::benchmarks(pool).await?;
    let raw = q
        .benchmark
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BENCHMARK.into());
    let key = jevons_benchmarks::benchmark_key(&raw).0;
    let Some(bench) = all.iter().find(|b| b.key == key).cloned() else {
        if all.is_empty() {
            return Err(AppError::NotFound(
                "no benchmark scores are loaded yet; run `jevons backfill models`".into(),
            ));
        }
        return Err(AppError::NotFound(format!(
            "no scores for benchmark `{}`",
            truncate(&raw)
        )));
    };
    let sort = q
        .sort
        .as_deref()
        .filter(|s| SORTS.iter().any(|(k, _, _)| k == s))
        .unwrap_or("price")
        .to_string();
    let desc = match q.dir.as_deref() {
        Some("desc") => true,
        Some("asc") => false,
        _ => {
            SORTS
                .iter()
                .find(|(k, _, _)| *k == sort)
                .is_some_and(|(_, _, d)| *d)
                && sort != "price"
                && sort != "per_point"
        }
    };
    let f: Frontier =
        models_data::frontier(pool, &bench.key, None, date, &options(&settings, k)).await?;
    let trends = models_data::trends(pool, NaiveDate::from_ymd_opt(2010, 1, 1), None).await?;

    let chart_points: Vec<ChartPoint> = f
        .points
        .iter()
        .map(|p| ChartPoint {
            label: p.model.clone(),
            price: p.price,
            score: p.score,
            on_frontier: p.on_frontier,
            // New on the frontier: the models that moved it most recently.
            highlight: p.on_frontier && (date - p.released).num_days() <= NEW_ON_FRONTIER_DAYS,
        })
        .collect();
    let chart = frontier_svg(&chart_points, &bench.name, 960, 440);
    let mut rows = f.points.clone();
    sort_rows(&mut rows, &sort, desc);
    let prices_param = if k == KnownBy::EarliestKnown {
        "earliest"
    } else {
        "asof"
    };
    let base = format!(
        "/models?benchmark={}&date={}&prices={prices_param}",
        bench.key, date
    );
    let sort_links = SORTS
        .iter()
        .map(|(key, label, num)| {
            let next_desc = if *key == sort {
                !desc
            } else {
                *num && *key == "score"
            };
            SortLink {
                label,
                href: format!(
                    "{base}&sort={key}&dir={}",
                    if next_desc { "desc" } else { "asc" }
                ),
                current: *key == sort,
                num: *num,
            }
        })
        .collect();
    let page = IndexPage {
        title: "Models",
        nav: Nav::Models,
        benchmarks: all
            .iter()
            .filter(|b| b.models > 0)
            .map(|b| BenchOption {
                key: b.key.clone(),
                label: format!("{} ({} models)", b.name, b.models),
                selected: b.key == bench.key,
            })
            .collect(),
        benchmark_name: bench.name.clone(),
        date: date.to_string(),
        earliest: k == KnownBy::EarliestKnown,
        chart,
        frontier_count: f.frontier().count(),
        rows: rows
            .iter()
            .map(|r| FrontierRowView {
                id: r.model_id,
                model: r.model.clone(),
                released: r.released.to_string(),
                score: format_score(r.score, &bench.scale),
                reported: if r.self_reported {
                    "self-reported"
                } else {
                    "independent"
                },
                source: r.score_source.clone(),
                price: format_usd(r.price),
                provider: r.provider.clone(),
                price_date: r.price_effective.to_string(),
                backfilled: r.price_backfilled,
                per_point: r.usd_per_point.map_or("—".into(), |v| {
                    if bench.scale == "fraction" {
                        format_usd(v / 100.0)
                    } else {
                        format!("${v:.5}")
                    }
                }),
                on_frontier: r.on_frontier,
            })
            .collect(),
        sort_links,
        compute_trend: fmt_trend(&trends.compute),
        cost_trend: fmt_trend(&trends.cost),
        note: PRICE_NOTE,
        input_share: format!(
            "{:.0}:{:.0}",
            settings.models.input_share * 4.0,
            (1.0 - settings.models.input_share) * 4.0
        ),
        json_href: format!(
            "/api/v1/frontier?benchmark={}&date={}&prices={prices_param}",
            bench.key, date
        ),
    };
    Ok(html(page.render()?))
}

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct ScoreView {
    pub benchmark: String,
    pub metric: String,
    pub value: String,
    pub raw: String,
    pub source: String,
    pub as_of: String,
    pub reported: &'static str,
    pub model_name: String,
    pub url: Option<String>,
    /// Score per 1e21 training FLOP (accuracies only).
    pub per_zflop: String,
}

pub struct PriceView {
    pub effective: String,
    pub provider: String,
    pub model_name: String,
    pub input: String,
    pub output: String,
    pub blended: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "models_detail.html")]
pub struct DetailPage {
    pub title: String,
    pub nav: Nav,
    pub name: String,
    pub facts: Vec<Fact>,
    pub url: Option<String>,
    pub source_url: Option<String>,
    pub scores: Vec<ScoreView>,
    pub prices: Vec<PriceView>,
    pub names: Vec<(String, String)>,
    pub id: i64,
}

fn facts(m: &ModelSummary) -> Vec<Fact> {
    vec![
        Fact {
            label: "Organisation",
            value: m.organization.clone().unwrap_or_else(|| "—".into()),
        },
        Fact {
            label: "Released",
            value: m.released.map_or("—".into(), |d| d.to_string()),
        },
        Fact {
            label: "Parameters",
            value: fmt_big(m.params_total, "params"),
        },
        Fact {
            label: "Training compute",
            value: m
                .training_compute_flop
                .map_or("—".into(), |v| format!("{v:.3e} FLOP")),
        },
        Fact {
            label: "Training cost",
            value: match (m.training_cost_usd, &m.cost_basis) {
                (Some(c), Some(b)) => format!("{} ({b})", fmt_big(Some(c), "$")),
                (c, _) => fmt_big(c, "$"),
            },
        },
        Fact {
            label: "Hardware",
            value: match (&m.hardware, m.hardware_quantity) {
                (Some(h), Some(q)) => format!("{q:.0} × {h}"),
                (Some(h), None) => h.clone(),
                _ => "—".into(),
            },
        },
        Fact {
            label: "Weights",
            value: m.accessibility.clone().unwrap_or_else(|| "—".into()),
        },
        Fact {
            label: "Catalogue",
            value: m.source.clone(),
        },
    ]
}

fn score_views(scores: &[ScoreRow], compute: Option<f64>) -> Vec<ScoreView> {
    scores
        .iter()
        .map(|s| ScoreView {
            benchmark: s.benchmark_name.clone(),
            metric: s.metric.clone(),
            value: format_score(s.value, &s.scale),
            raw: format!("{}", s.raw_value),
            source: s.source.clone(),
            as_of: opt(s.as_of),
            reported: if s.self_reported {
                "self-reported"
            } else {
                "independent"
            },
            model_name: s.model_name.clone(),
            per_zflop: if s.scale == "fraction" {
                jevons_analytics::efficiency::score_per_zflop(s.value * 100.0, compute)
                    .map_or("—".into(), |v| format!("{v:.4}"))
            } else {
                "—".into()
            },
            url: s
                .url
                .clone()
                .or_else(|| s.source_url.clone())
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        })
        .collect()
}

fn price_views(prices: &[PriceRow], share: f64) -> Vec<PriceView> {
    let usd = |v: Option<f64>| v.map_or("—".into(), format_usd);
    prices
        .iter()
        .map(|p| PriceView {
            effective: p.effective.to_string(),
            provider: p.provider.clone(),
            model_name: p.model_name.clone(),
            input: usd(p.input_usd_per_mtok),
            output: usd(p.output_usd_per_mtok),
            blended: usd(blended_price(
                p.input_usd_per_mtok,
                p.output_usd_per_mtok,
                share,
            )),
            source: p.source.clone(),
        })
        .collect()
}

/// `GET /models/{id}` (or a name): every score with its source, prices over time, compute and cost.
async fn detail(
    path: web::Path<String>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let pool = pool.get_ref();
    let Some(m) = resolve_model(pool, &raw).await? else {
        return Err(AppError::NotFound(format!(
            "no model `{}` is known",
            truncate(&raw)
        )));
    };
    let scores = models::scores_for_model(pool, m.id).await?;
    let prices = models::prices_for_model(pool, m.id).await?;
    let names = models::names_for_model(pool, m.id).await?;
    let page = DetailPage {
        title: m.name.clone(),
        nav: Nav::Models,
        name: m.name.clone(),
        facts: facts(&m),
        url: m
            .url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        source_url: m.source_url.clone(),
        scores: score_views(&scores, m.training_compute_flop),
        prices: price_views(&prices, settings.models.input_share),
        names,
        id: m.id,
    };
    Ok(html(page.render()?))
}

pub struct CompareRow {
    pub label: String,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "models_compare.html")]
pub struct ComparePage {
    pub title: &'static str,
    pub nav: Nav,
    pub models: Vec<(i64, String)>,
    pub facts: Vec<CompareRow>,
    pub scores: Vec<CompareRow>,
    pub prices: Vec<CompareRow>,
    pub ids: String,
}

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    ids: Option<String>,
}

/// `GET /models/compare?ids=DeepSeek-R1,o1` (ids or names): side by side.
async fn compare(
    Query(q): Query<CompareQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let ids = q.ids.unwrap_or_default();
    let wanted: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if wanted.is_empty() || wanted.len() > 6 {
        return Err(AppError::BadRequest(
            "give 1 to 6 models: /models/compare?ids=DeepSeek-R1,o1".into(),
        ));
    }
    let mut found = Vec::new();
    for w in &wanted {
        match resolve_model(pool, w).await? {
            Some(m) => found.push(m),
            None => {
                return Err(AppError::NotFound(format!(
                    "no model `{}` is known",
                    truncate(w)
                )));
            }
        }
    }
    let fact_table: Vec<Vec<Fact>> = found.iter().map(facts).collect();
    let fact_rows = (0..fact_table.first().map_or(0, Vec::len))
        .map(|i| CompareRow {
            label: fact_table[0][i].label.to_string(),
            cells: fact_table.iter().map(|f| f[i].value.clone()).collect(),
        })
        .collect();
    // Scores: one row per (benchmark, metric, independent/self-reported), the latest value.
    let mut per_model = Vec::new();
    for m in &found {
        per_model.push(models::scores_for_model(pool, m.id).await?);
    }
    let mut keys: Vec<(String, String, bool)> = per_model
        .iter()
        .flatten()
        .map(|s| (s.benchmark_name.clone(), s.metric.clone(), s.self_reported))
        .collect();
    keys.sort();
    keys.dedup();
    let score_rows = keys
        .into_iter()
        .map(|(b, metric, own)| CompareRow {
            label: format!(
                "{b} ({metric}, {})",
                if own { "self-reported" } else { "independent" }
            ),
            cells: per_model
                .iter()
                .map(|scores| {
                    scores
                        .iter()
                        .filter(|s| {
                            s.benchmark_name == b && s.metric == metric && s.self_reported == own
                        })
                        .max_by_key(|s| s.as_of)
                        .map_or("—".into(), |s| {
                            format!("{} ({})", format_score(s.value, &s.scale), s.source)
                        })
                })
                .collect(),
        })
        .collect();
    let mut price_cells = Vec::new();
    for m in &found {
        let prices = models::prices_for_model(pool, m.id).await?;
        // The prices still in effect (not ended by a later change or removal), cheapest first.
        let best = prices
            .iter()
            .filter(|p| p.valid_until.is_none())
            .filter_map(|p| {
                blended_price(
                    p.input_usd_per_mtok,
                    p.output_usd_per_mtok,
                    settings.models.input_share,
                )
                .filter(|v| *v > 0.0)
                .map(|v| (v, p))
            })
            .min_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        price_cells.push(best.map_or("—".into(), |(v, p)| {
            format!(
                "{} blended ({} in / {} out, {} on {})",
                format_usd(v),
                p.input_usd_per_mtok.map_or("—".into(), format_usd),
                p.output_usd_per_mtok.map_or("—".into(), format_usd),
                p.provider,
                p.effective
            )
        }));
    }
    let page = ComparePage {
        title: "Compare models",
        nav: Nav::Models,
        models: found.iter().map(|m| (m.id, m.name.clone())).collect(),
        facts: fact_rows,
        scores: score_rows,
        prices: vec![CompareRow {
            label: "Cheapest price, latest snapshot".into(),
            cells: price_cells,
        }],
        ids,
    };
    Ok(html(page.render()?))
}

#[derive(Template)]
#[template(path = "models_unmatched.html")]
pub struct UnmatchedPage {
    pub title: &'static str,
    pub nav: Nav,
    pub counts: Vec<(String, i64, i64)>,
    pub source: String,
    pub names: Vec<models::UnmatchedName>,
    pub limit: i64,
}

#[derive(Debug, Deserialize)]
pub struct UnmatchedQuery {
    source: Option<String>,
}

const UNMATCHED_SHOWN: i64 = 500;

/// `GET /models/unmatched?source=`: names no alias or model key matches, for review.
async fn unmatched(
    Query(q): Query<UnmatchedQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let source = q.source.filter(|s| !s.trim().is_empty());
    let page = UnmatchedPage {
        title: "Unmatched model names",
        nav: Nav::Models,
        counts: models::unmatched_counts(pool).await?,
        names: models::unmatched(pool, source.as_deref(), UNMATCHED_SHOWN).await?,
        source: source.unwrap_or_default(),
        limit: UNMATCHED_SHOWN,
    };
    Ok(html(page.render()?))
}
