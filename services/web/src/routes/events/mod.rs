//! Events and event studies: `api` (`/api/v1/events`, `/api/v1/event-study`) and `pages`
//! (`/events`, `/events/{id}`), with what both need to load a study's panel.
//!
//! Handlers fetch prices and events from the store, hand them to `jevons-analytics` as price
//! series, and turn the results into JSON, CSV or pages. No statistics here.

pub(crate) mod api;
pub(crate) mod pages;

use actix_web::http::Method;
use actix_web::web;
use chrono::NaiveDate;
use jevons_analytics::event_study::{StudySpec, Window};
use jevons_analytics::returns::{AnalyticsError, ReturnPanel};
use jevons_core::{Settings, Symbol};
use jevons_insights::studies::{self, PanelError, study_benchmark, study_symbols};
use jevons_store::PgPool;
use jevons_store::events::{EventFilter, EventKind};
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::empty_as_none;

/// Routes under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/events", api::api_events);
    super::api_route(cfg, Method::POST, "/events", api::api_add_event);
    super::api_route(cfg, Method::GET, "/event-study", api::api_event_study);
}

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/events", web::get().to(pages::events_page))
        .route("/events/{id}", web::get().to(pages::event_page));
}

const MAX_SYMBOLS: usize = 40;

/// A study's own failures are all about its input or the data: 400 with the reason.
impl From<AnalyticsError> for AppError {
    fn from(e: AnalyticsError) -> Self {
        AppError::BadRequest(e.to_string())
    }
}

pub(crate) fn parse_symbols(
    raw: Option<&str>,
    settings: &Settings,
) -> Result<Vec<Symbol>, AppError> {
    let list = match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => study_symbols(settings),
        Some(r) => Symbol::parse_list(r).map_err(|e| AppError::BadParam {
            field: "symbols".into(),
            message: e.to_string(),
        })?,
    };
    if list.len() > MAX_SYMBOLS {
        return Err(AppError::BadRequest(format!(
            "at most {MAX_SYMBOLS} symbols at once"
        )));
    }
    Ok(list)
}

pub(crate) fn benchmark_or_default(given: Option<&Symbol>, settings: &Settings) -> Symbol {
    given.cloned().unwrap_or_else(|| study_benchmark(settings))
}

pub(crate) fn parse_spec(
    model: Option<&str>,
    estimation: Option<&str>,
    windows: Option<&str>,
) -> Result<StudySpec, AppError> {
    let mut spec = StudySpec::default();
    if let Some(m) = model.filter(|s| !s.trim().is_empty()) {
        spec.model = m.parse()?;
    }
    if let Some(e) = estimation.filter(|s| !s.trim().is_empty()) {
        spec.estimation = Window::parse(e)?;
    }
    if let Some(w) = windows.filter(|s| !s.trim().is_empty()) {
        spec.windows = Window::parse_list(w)?;
    }
    Ok(spec)
}

/// The return panel of every stored bar of `symbols` and the benchmark.
pub(crate) async fn load_panel(
    pool: &PgPool,
    symbols: &[Symbol],
    benchmark: &Symbol,
) -> Result<ReturnPanel, AppError> {
    studies::load_panel(pool, symbols, benchmark)
        .await
        .map_err(|e| match e {
            PanelError::NoPrices(_) => AppError::BadRequest(e.to_string()),
            PanelError::Store(e) => e.into(),
            PanelError::Analytics(e) => e.into(),
        })
}

/// The filter of `/api/v1/events` and `/events`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// model_release, news, earnings, macro or manual.
    kind: Option<String>,
    /// On or after this day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// On or before this day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    to: Option<NaiveDate>,
    /// Text in the title or description.
    q: Option<String>,
    /// At most this many events.
    #[serde(default, deserialize_with = "empty_as_none")]
    limit: Option<i64>,
}

pub(crate) fn filter_from(q: &EventsQuery) -> Result<EventFilter, AppError> {
    Ok(EventFilter {
        kind: q
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(EventKind::parse)
            .transpose()?,
        from: q.from,
        to: q.to,
        text: q
            .q
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(100).collect()),
        limit: q.limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jevons_analytics::event_study::NormalModel;

    #[test]
    fn study_parameters_are_parsed_with_clear_errors() {
        let spec = parse_spec(Some("adjusted"), Some("-200,-20"), Some("0,0;-2,2")).unwrap();
        assert_eq!(spec.model, NormalModel::Adjusted);
        assert_eq!(
            spec.estimation,
            Window {
                start: -200,
                end: -20
            }
        );
        assert_eq!(spec.windows.len(), 2);
        for (m, e, w) in [
            (Some("capm"), None, None),
            (None, Some("-10"), None),
            (None, None, Some("2,1")),
        ] {
            match parse_spec(m, e, w) {
                Err(AppError::BadRequest(msg)) => assert!(!msg.is_empty()),
                _ => panic!("{m:?} {e:?} {w:?} should fail"),
            }
        }
    }
}
