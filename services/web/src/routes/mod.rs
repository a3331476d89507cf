//! Route table and the handlers, one module per family.

mod api;
mod assets;
mod digest;
mod events;
mod health;
mod jevons;
mod models;
mod news;
mod pages;
mod shocks;

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Registers every route. The app must carry `web::Data<PgPool>`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/style.css", web::get().to(assets::style_css))
        .service(
            web::scope("/api/v1")
                .route("/tickers", web::get().to(api::tickers))
                .route("/prices/{symbol}", web::get().to(api::prices))
                .configure(models::api)
                .configure(news::api)
                .configure(events::api)
                .configure(jevons::api)
                .configure(shocks::api)
                .default_service(web::to(api::not_found)),
        )
        .configure(models::pages)
        .configure(news::pages)
        .configure(events::pages)
        .configure(digest::pages)
        .configure(jevons::pages)
        .configure(shocks::pages)
        .route("/", web::get().to(pages::overview))
        .route("/tickers/{symbol}", web::get().to(pages::ticker))
        .route("/jobs", web::get().to(pages::jobs))
        .default_service(web::to(pages::not_found));
}

/// Parses the query string into `T` ourselves, so a bad parameter becomes our own error body
/// instead of actix's plain-text 400.
fn parse_query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, String> {
    web::Query::<T>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| format!("bad query string: {e}"))
}

/// An optional `YYYY-MM-DD` query parameter: absent or empty is `None`, anything else must be
/// a date, and the error names the parameter.
pub(crate) fn parse_day_param(s: Option<&str>, what: &str) -> Result<Option<NaiveDate>, String> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                format!(
                    "`{what}` must be a date as YYYY-MM-DD, not `{}`",
                    truncate(s)
                )
            }),
    }
}

/// A CSV attachment `name.csv`; fields are quoted by the `csv` crate and guarded against
/// spreadsheet formulas (model names and titles come from third parties).
pub(crate) fn csv_attachment<R, F>(
    name: &str,
    header: &[&str],
    rows: R,
) -> Result<actix_web::HttpResponse, ApiError>
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let body = jevons_core::csv_export::csv_bytes(header, rows)
        .map_err(|e| ApiError::Internal(format!("writing {name}.csv: {e}")))?;
    Ok(actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::VARY, "Accept"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body))
}

/// An optional text parameter: absent or blank is `None`, else trimmed.
pub(crate) fn present(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The response format an API handler was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Csv,
}

/// `format=` wins; without it `Accept: text/csv` asks for CSV; JSON otherwise.
pub(crate) fn negotiate(format: Option<&str>, req: &HttpRequest) -> Result<Format, ApiError> {
    match format.map(str::trim) {
        Some(f) if f.eq_ignore_ascii_case("json") => Ok(Format::Json),
        Some(f) if f.eq_ignore_ascii_case("csv") => Ok(Format::Csv),
        Some(other) => Err(ApiError::BadRequest(format!(
            "format `{}` is not supported; use json or csv",
            truncate(other)
        ))),
        None => {
            let wants_csv = req
                .headers()
                .get_all(header::ACCEPT)
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|m| {
                    m.split(';')
                        .next()
                        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))
                });
            Ok(if wants_csv { Format::Csv } else { Format::Json })
        }
    }
}

/// Echoed input is cut short so an error body stays small.
pub(crate) fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() > MAX {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    } else {
        s.to_string()
    }
}
