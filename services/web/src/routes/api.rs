//! `/api/v1`: tickers and prices as JSON, prices also as CSV in the import format.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use jevons_core::{DateRange, PriceBar, Role, Symbol};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use super::{Format, negotiate, parse_query, truncate};
use crate::error::ApiError;

#[derive(Debug, Serialize)]
pub struct TickerJson {
    pub symbol: Symbol,
    pub name: String,
    pub role: Role,
    pub on_watchlist: bool,
    pub last_close: Option<f64>,
    pub last_day: Option<NaiveDate>,
    pub first_day: Option<NaiveDate>,
}

/// `GET /api/v1/tickers`: every ticker, the watchlist first.
pub async fn tickers(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let list = jevons_store::tickers::list(pool.get_ref()).await?;
    let body: Vec<TickerJson> = list
        .into_iter()
        .map(|t| TickerJson {
            symbol: t.symbol,
            name: t.name,
            role: t.role,
            on_watchlist: t.on_watchlist,
            last_close: t.last_close,
            last_day: t.last_day,
            first_day: t.first_day,
        })
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize)]
struct PricesQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

#[derive(Debug, Serialize)]
struct PricesJson<'a> {
    symbol: &'a Symbol,
    bars: &'a [PriceBar],
}

/// `GET /api/v1/prices/{symbol}?from=&to=&format=`: bars in the range, ascending by day.
pub async fn prices(
    req: HttpRequest,
    path: web::Path<String>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, ApiError> {
    let raw = path.into_inner();
    let symbol = Symbol::parse(&raw).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let query: PricesQuery = parse_query(&req).map_err(ApiError::BadRequest)?;
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref())
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let format = negotiate(query.format.as_deref(), &req)?;

    if jevons_store::tickers::get(pool.get_ref(), &symbol)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound(format!("no ticker `{symbol}` is known")));
    }
    let bars = jevons_store::prices::bars(pool.get_ref(), &symbol, range).await?;

    match format {
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header((header::VARY, "Accept"))
            .json(PricesJson {
                symbol: &symbol,
                bars: &bars,
            })),
        Format::Csv => {
            let mut body = Vec::with_capacity(64 + bars.len() * 64);
            jevons_market::csv_file::write_bars(&mut body, &bars)
                .map_err(|e| ApiError::Internal(format!("writing CSV for {symbol}: {e}")))?;
            Ok(HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header((header::VARY, "Accept"))
                // Symbols are [A-Z0-9.^-] only, safe inside the quoted filename.
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{symbol}.csv\""),
                ))
                .body(body))
        }
    }
}

/// Any other path under `/api/v1`: a JSON 404, not an HTML page.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no API endpoint at {}",
        truncate(req.path())
    )))
}
