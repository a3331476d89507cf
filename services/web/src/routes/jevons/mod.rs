//! The Jevons question: `api` (`/api/v1/jevons`, `/api/v1/price-of-intelligence`,
//! `/api/v1/fundamentals`) and `pages` (`/jevons`). Numbers come from `jevons_insights::jevons`;
//! these modules only read parameters and write HTML, JSON or CSV.

pub(crate) mod api;
pub(crate) mod pages;

use actix_web::http::Method;
use actix_web::web;
use chrono::NaiveDate;
use jevons_insights::jevons::JevonsViewError;
use serde::Deserialize;

use super::Format;
use crate::error::AppError;
use crate::extract::empty_as_none;

pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/jevons", web::get().to(pages::jevons_page));
}

pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/jevons", api::api_jevons);
    super::api_route(
        cfg,
        Method::GET,
        "/price-of-intelligence",
        api::api_price_of_intelligence,
    );
    super::api_route(cfg, Method::GET, "/fundamentals", api::api_fundamentals);
}

impl From<JevonsViewError> for AppError {
    fn from(e: JevonsViewError) -> Self {
        match e {
            JevonsViewError::Store(e) => AppError::Store(e),
            JevonsViewError::Invalid(m) => AppError::BadRequest(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    to: Option<NaiveDate>,
    /// json or csv; without it `Accept: text/csv` asks for CSV.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<Format>,
}

pub(crate) fn range(q: &RangeQuery) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let (from, to) = (q.from, q.to);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(format!("`from` ({f}) is after `to` ({t})"));
    }
    Ok((from, to))
}
