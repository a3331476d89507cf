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

use std::str::FromStr;

use actix_web::http::header;
use actix_web::{HttpRequest, web};

use crate::error::AppError;

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

/// The response format an API handler was asked for (`format=json|csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    if wants_csv { Format::Csv } else { Format::Json }
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
