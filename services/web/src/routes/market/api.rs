//! `/api/v1/tickers` and `/api/v1/prices/{symbol}`: JSON, prices also as CSV in the import format
//! and as Parquet with the same columns.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use jevons_core::{DateRange, PriceBar, Role, Symbol};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::error::AppError;
use crate::extract::{Query, empty_as_none};
use crate::openapi::{BadParam, NotFound, ParquetFile, ServerErrors};
use crate::routes::{
    SeriesFormat, attachment, negotiate_series, negotiated_json, parquet_attachment,
};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TickerJson {
    #[schema(value_type = String, example = "NVDA")]
    pub symbol: Symbol,
    pub name: String,
    /// vendor, hyperscaler, benchmark, index …
    #[schema(value_type = String)]
    pub role: Role,
    pub on_watchlist: bool,
    pub last_close: Option<f64>,
    pub last_day: Option<NaiveDate>,
    pub first_day: Option<NaiveDate>,
}

/// `GET /api/v1/tickers`: every ticker, the watchlist first.
#[utoipa::path(
    get,
    path = "/api/v1/tickers",
    tag = "market",
    responses(
        (status = 200, description = "Every ticker, the watchlist first", body = [TickerJson]),
        ServerErrors,
    )
)]
pub async fn tickers(pool: web::Data<PgPool>) -> Result<HttpResponse, AppError> {
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PricesQuery {
    /// First day, YYYY-MM-DD (inclusive); all history when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub(crate) from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (inclusive).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub(crate) to: Option<NaiveDate>,
    /// json, csv (the import format) or parquet (the same columns, typed); without it
    /// `Accept: text/csv` or `Accept: application/vnd.apache.parquet` asks for that.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<SeriesFormat>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct PricesJson<'a> {
    #[schema(value_type = String, example = "NVDA")]
    symbol: &'a Symbol,
    /// Daily bars, ascending by day.
    #[schema(value_type = Vec<PriceBarSchema>)]
    bars: &'a [PriceBar],
}

/// The schema of `jevons_core::PriceBar` as the API writes it.
#[derive(utoipa::ToSchema)]
#[schema(as = PriceBar)]
#[allow(dead_code)] // documentation only
struct PriceBarSchema {
    day: NaiveDate,
    open: f64,
    high: f64,
    low: f64,
    close: f64,
    adj_close: f64,
    volume: i64,
}

/// `GET /api/v1/prices/{symbol}?from=&to=&format=`: bars in the range, ascending by day.
#[utoipa::path(
    get,
    path = "/api/v1/prices/{symbol}",
    tag = "market",
    params(("symbol" = String, Path, description = "Ticker symbol, e.g. NVDA"), PricesQuery),
    responses(
        (status = 200, description = "Daily bars in the range; CSV in the import format", content((PricesJson = "application/json"), (String = "text/csv"), (ParquetFile = "application/vnd.apache.parquet"))),
        BadParam,
        NotFound,
        ServerErrors,
    )
)]
pub async fn prices(
    req: HttpRequest,
    path: web::Path<String>,
    Query(query): Query<PricesQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let symbol = Symbol::parse(&raw).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let range = DateRange::new(
        query.from.unwrap_or(NaiveDate::MIN),
        query.to.unwrap_or(NaiveDate::MAX),
    )
    .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let format = negotiate_series(query.format, &req);

    if jevons_store::tickers::get(pool.get_ref(), &symbol)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound(format!("no ticker `{symbol}` is known")));
    }
    let bars = jevons_store::prices::bars(pool.get_ref(), &symbol, range).await?;

    match format {
        SeriesFormat::Json => Ok(negotiated_json(PricesJson {
            symbol: &symbol,
            bars: &bars,
        })),
        // Symbols are [A-Z0-9.^-] only, safe inside the quoted filename.
        SeriesFormat::Csv => {
            let mut body = Vec::with_capacity(64 + bars.len() * 64);
            jevons_market::csv_file::write_bars(&mut body, &bars)
                .map_err(|e| AppError::Internal(format!("writing CSV for {symbol}: {e}")))?;
            Ok(attachment(
                "text/csv; charset=utf-8",
                &format!("{symbol}.csv"),
                body,
            ))
        }
        SeriesFormat::Parquet => parquet_attachment(
            symbol.as_str(),
            &jevons_analytics::export::bars_table(&bars),
        ),
    }
}
