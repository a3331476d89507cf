//! AI models, benchmarks, prices and the efficiency frontier: `api` (`/api/v1/models`,
//! `/benchmarks`, `/frontier`, `/cheapest`) and `pages` (`/models…`), with what both use.

pub(crate) mod api;
pub(crate) mod pages;

use actix_web::http::Method;
use actix_web::web;
use jevons_analytics::efficiency::{FrontierOptions, KnownBy};
use jevons_core::Settings;
use jevons_insights::models::ModelDataError;
use jevons_store::models::{self, ModelSummary};
use sqlx::PgPool;

use super::truncate;
use crate::error::AppError;

/// Routes under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/models", api::api_models);
    super::api_route(cfg, Method::GET, "/models/{id}", api::api_model);
    super::api_route(cfg, Method::GET, "/benchmarks", api::api_benchmarks);
    super::api_route(cfg, Method::GET, "/frontier", api::api_frontier);
    super::api_route(cfg, Method::GET, "/cheapest", api::api_cheapest);
}

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/models", web::get().to(pages::index))
        .route("/models/compare", web::get().to(pages::compare))
        .route("/models/unmatched", web::get().to(pages::unmatched))
        .route("/models/{id}", web::get().to(pages::detail));
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

const PRICE_NOTE: &str = "Prices are snapshots (LiteLLM's file has no per-model dates): a model counts at a date when it was released by then and, with prices=asof, has a price snapshot at or before it. prices=earliest uses the first later snapshot when none is known yet.";

pub(crate) fn known_by(s: Option<&str>) -> Result<KnownBy, String> {
    match s.map(str::trim).unwrap_or("asof") {
        "" | "asof" => Ok(KnownBy::AsOf),
        "earliest" => Ok(KnownBy::EarliestKnown),
        other => Err(format!(
            "`prices` must be asof or earliest, not `{}`",
            truncate(other)
        )),
    }
}

pub(crate) fn options(settings: &Settings, k: KnownBy) -> FrontierOptions {
    FrontierOptions {
        input_share: settings.models.input_share,
        known_by: k,
    }
}

/// A model by numeric id or by any name a source uses for it.
pub(crate) async fn resolve_model(
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
