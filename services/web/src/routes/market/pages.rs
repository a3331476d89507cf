//! `/` (the overview of the watchlist) and `/tickers/{symbol}` (a ticker's chart and recent days).

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, NaiveDate};
use jevons_core::{DateRange, Symbol};
use serde::Deserialize;
use sqlx::PgPool;

use crate::charts;
use crate::error::AppError;
use crate::extract::Query;
use crate::format;
use crate::routes::html;
use crate::views::{
    ChartRange, Nav, OverviewPage, RangeLink, TickerPage, day_rows, overview_row,
    overview_sections, overview_window_start,
};

/// Rows in a ticker page's recent-days table.
const RECENT_DAYS: usize = 30;
/// Calendar days fetched for that table: comfortably more than 31 trading days.
const RECENT_WINDOW_DAYS: i64 = 70;
/// Job runs listed on /jobs.
const CHART_SIZE: (u32, u32) = (960, 420);

fn range(from: NaiveDate, to: NaiveDate) -> Result<DateRange, AppError> {
    DateRange::new(from, to).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// `GET /`: the watchlist with last close, 1-day, 5-day and year-to-date changes and a sparkline.
pub async fn overview(pool: web::Data<PgPool>) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let watchlist: Vec<_> = jevons_store::tickers::list(pool)
        .await?
        .into_iter()
        .filter(|t| t.on_watchlist)
        .collect();

    let mut rows = Vec::with_capacity(watchlist.len());
    for t in &watchlist {
        let bars = match t.last_day {
            Some(last) => {
                let window = range(overview_window_start(last), last)?;
                jevons_store::prices::bars(pool, &t.symbol, window).await?
            }
            None => Vec::new(),
        };
        rows.push((t.role, overview_row(t, &bars)));
    }

    let first = watchlist.iter().filter_map(|t| t.first_day).min();
    let last = watchlist.iter().filter_map(|t| t.last_day).max();
    let page = OverviewPage {
        title: "Overview",
        nav: Nav::Overview,
        sections: overview_sections(rows),
        data_range: first.zip(last).map(|(f, l)| (f.to_string(), l.to_string())),
    };
    Ok(html(page.render()?))
}

#[derive(Debug, Deserialize)]
pub struct TickerQuery {
    pub(crate) range: Option<String>,
}

/// `GET /tickers/{symbol}?range=1m|6m|1y|all`: chart, facts and the most recent days.
pub async fn ticker(
    Query(query): Query<TickerQuery>,
    path: web::Path<String>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let raw = path.into_inner();
    // A malformed symbol cannot name a ticker: that is "not found", like an unknown one.
    let symbol = Symbol::parse(&raw)
        .map_err(|e| AppError::NotFound(format!("There is no ticker here: {e}.")))?;
    let chart_range = match query.range.as_deref() {
        None => ChartRange::OneYear,
        Some(r) => ChartRange::parse(r.trim()).ok_or_else(|| {
            AppError::BadRequest(format!("The range must be one of {}.", ChartRange::ALLOWED))
        })?,
    };
    let Some(t) = jevons_store::tickers::get(pool, &symbol).await? else {
        return Err(AppError::NotFound(format!(
            "No ticker {symbol} is known. The overview lists the watchlist."
        )));
    };

    let (chart_bars, recent_bars) = match t.last_day {
        Some(last) => {
            let chart = range(chart_range.start(last), last)?;
            let recent = range(last - Duration::days(RECENT_WINDOW_DAYS), last)?;
            (
                jevons_store::prices::bars(pool, &symbol, chart).await?,
                jevons_store::prices::bars(pool, &symbol, recent).await?,
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    // One bar more than the table shows, so its oldest row has a change too.
    let recent_from = recent_bars.len().saturating_sub(RECENT_DAYS + 1);
    let recent = recent_bars.get(recent_from..).unwrap_or(&[]);

    let page = TickerPage {
        title: format!("{symbol} · {}", t.name),
        nav: Nav::None,
        chart_svg: charts::price_chart_svg(
            symbol.as_str(),
            &chart_bars,
            CHART_SIZE.0,
            CHART_SIZE.1,
        ),
        largest_fall: charts::largest_fall(&chart_bars)
            .map(|f| format!("{} on {}", charts::signed_pct(f.change_pct), f.day)),
        symbol: symbol.to_string(),
        name: t.name,
        role: t.role.as_str(),
        on_watchlist: t.on_watchlist,
        first_day: t
            .first_day
            .map_or_else(|| "–".to_string(), |d| d.to_string()),
        last_day: t
            .last_day
            .map_or_else(|| "–".to_string(), |d| d.to_string()),
        bar_count: t.bars,
        last_close: t.last_close.map_or_else(|| "–".to_string(), format::price),
        ranges: ChartRange::ALL
            .into_iter()
            .map(|r| RangeLink {
                value: r.as_str(),
                label: r.label(),
                active: r == chart_range,
            })
            .collect(),
        range_label: chart_range.caption(),
        rows: day_rows(recent, RECENT_DAYS),
    };
    Ok(html(page.render()?))
}
