//! Route table and the handlers, one module per family.

mod assets;
pub(crate) mod correlations;
pub(crate) mod digest;
mod docs;
pub(crate) mod events;
mod health;
pub(crate) mod jevons;
mod jobs;
pub(crate) mod market;
pub(crate) mod models;
pub(crate) mod news;
mod not_found;
pub(crate) mod shocks;
mod story;

use std::str::FromStr;

use actix_web::http::{Method, header};
use actix_web::{FromRequest, Handler, HttpRequest, Responder, web};

use crate::error::AppError;

/// Registers every route. The app must carry `web::Data<PgPool>`.
/// Every route; `cors` guards the API scope (pages are same-origin only).
pub fn configure(cfg: &mut web::ServiceConfig, cors: actix_cors::Cors) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/style.css", web::get().to(assets::style_css))
        // Before the scope: its default service answers 404 to everything under `/api/v1`.
        .configure(docs::routes)
        .service(
            web::scope("/api/v1")
                .wrap(cors)
                .configure(market::api)
                .configure(models::api)
                .configure(news::api)
                .configure(events::api)
                .configure(correlations::api)
                .configure(jevons::api)
                .configure(shocks::api)
                .default_service(web::to(not_found::api)),
        )
        .configure(models::pages)
        .configure(news::pages)
        .configure(events::pages)
        .configure(correlations::pages)
        .configure(story::pages)
        .configure(digest::pages)
        .configure(jevons::pages)
        .configure(shocks::pages)
        .configure(market::pages)
        .configure(jobs::pages)
        .default_service(web::to(not_found::page));
}

/// Every route under `/api/v1`: method and path inside the scope, as the OpenAPI document
/// (`crate::openapi`) must list them. [`api_route`] registers only what is listed here, and a
/// test checks each entry against the document, so an undocumented endpoint fails the tests.
pub(crate) const API_ROUTES: &[(&str, &str)] = &[
    ("GET", "/tickers"),
    ("GET", "/prices/{symbol}"),
    ("GET", "/models"),
    ("GET", "/models/{id}"),
    ("GET", "/benchmarks"),
    ("GET", "/frontier"),
    ("GET", "/cheapest"),
    ("GET", "/news"),
    ("GET", "/news/{id}"),
    ("GET", "/events"),
    ("POST", "/events"),
    ("GET", "/event-study"),
    ("GET", "/correlations"),
    ("GET", "/jevons"),
    ("GET", "/price-of-intelligence"),
    ("GET", "/fundamentals"),
    ("GET", "/shocks"),
];

/// Registers an `/api/v1` route; panics (when the app is built, so in every test) if
/// [`API_ROUTES`] does not list it.
pub(crate) fn api_route<F, Args>(
    cfg: &mut web::ServiceConfig,
    method: Method,
    path: &'static str,
    handler: F,
) where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    assert!(
        API_ROUTES.contains(&(method.as_str(), path)),
        "{method} /api/v1{path} is not in routes::API_ROUTES (and so not in the OpenAPI document)"
    );
    cfg.route(path, web::method(method).to(handler));
}

/// A 200 HTML page.
pub(crate) fn html(body: String) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(header::ContentType::html())
        .body(body)
}

/// A JSON answer of an endpoint that can also answer CSV: `Vary: Accept` tells caches so.
pub(crate) fn negotiated_json(body: impl serde::Serialize) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(body)
}

/// A CSV attachment `name.csv`; fields are quoted by the `csv` crate and guarded against
/// spreadsheet formulas (model names and titles come from third parties).
pub(crate) fn csv_attachment<R, F>(
    name: &str,
    header: &[&str],
    rows: R,
) -> Result<actix_web::HttpResponse, AppError>
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let body = jevons_core::csv_export::csv_bytes(header, rows)
        .map_err(|e| AppError::Internal(format!("writing {name}.csv: {e}")))?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        body,
    ))
}

/// A Parquet attachment `name.parquet` of `table` (encoded by jevons-analytics).
pub(crate) fn parquet_attachment(
    name: &str,
    table: &jevons_analytics::export::Table,
) -> Result<actix_web::HttpResponse, AppError> {
    let body = table
        .to_parquet()
        .map_err(|e| AppError::Internal(format!("writing {name}.parquet: {e}")))?;
    Ok(attachment(
        jevons_analytics::export::PARQUET_MEDIA_TYPE,
        &format!("{name}.parquet"),
        body,
    ))
}

/// A download of a negotiated answer. `filename` must need no escaping (symbols and fixed
/// names only).
pub(crate) fn attachment(
    content_type: &str,
    filename: &str,
    body: Vec<u8>,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::VARY, "Accept"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}

/// An optional text parameter: absent or blank is `None`, else trimmed.
pub(crate) fn present(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The response format an API handler was asked for (`format=json|csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum Format {
    Json,
    Csv,
}

impl FromStr for Format {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("json") {
            Ok(Format::Json)
        } else if s.eq_ignore_ascii_case("csv") {
            Ok(Format::Csv)
        } else {
            Err("this format is not supported; use json or csv")
        }
    }
}

/// `format=` wins; without it `Accept: text/csv` asks for CSV; JSON otherwise.
pub(crate) fn negotiate(format: Option<Format>, req: &HttpRequest) -> Format {
    if let Some(f) = format {
        return f;
    }
    if accepts(req, "text/csv") {
        Format::Csv
    } else {
        Format::Json
    }
}

/// Whether an `Accept` header of `req` names `media` (parameters and q-values are not weighed:
/// a client that names a download format wants it).
fn accepts(req: &HttpRequest, media: &str) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|m| {
            m.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(media))
        })
}

/// The response format of a series endpoint (`format=json|csv|parquet`): a table of typed
/// columns, which Parquet keeps typed and compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum SeriesFormat {
    Json,
    Csv,
    Parquet,
}

impl From<Format> for SeriesFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Json => SeriesFormat::Json,
            Format::Csv => SeriesFormat::Csv,
        }
    }
}

impl FromStr for SeriesFormat {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("parquet") {
            return Ok(SeriesFormat::Parquet);
        }
        s.parse::<Format>()
            .map(Into::into)
            .map_err(|_| "this format is not supported; use json, csv or parquet")
    }
}

/// [`negotiate`] for series: `Accept: application/vnd.apache.parquet` asks for Parquet too.
pub(crate) fn negotiate_series(format: Option<SeriesFormat>, req: &HttpRequest) -> SeriesFormat {
    match format {
        Some(f) => f,
        None if accepts(req, jevons_analytics::export::PARQUET_MEDIA_TYPE) => SeriesFormat::Parquet,
        None => negotiate(None, req).into(),
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
