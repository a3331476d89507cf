//! Pages and API for events, event studies, correlations and the DeepSeek story.
//!
//! Handlers fetch prices and events from the store, hand them to `jevons-analytics` as polars
//! frames, and turn the results into JSON, CSV or pages. No statistics here.

use std::collections::HashMap;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Duration, NaiveDate, NaiveTime};
use jevons_analytics::anchoring::EventTiming;
use jevons_analytics::correlation::{
    self, CorrelationMatrix, LagCorrelation, ROLLING_WINDOWS, RollingPoint,
};
use jevons_analytics::event_study::{
    EventStudy, GroupTest, NormalModel, StudySpec, Window, event_study,
};
use jevons_analytics::returns::{MarketError, ReturnPanel};
use jevons_analytics::stats::stars;
use jevons_core::{DateRange, Settings, Symbol};
use jevons_insights::studies::{self, PanelError, study_benchmark, study_symbols, timing_of};
use jevons_store::events::{self as store_events, Event, EventFilter, EventKind, NewEvent};
use jevons_store::{PgPool, StoreError};
use serde::{Deserialize, Serialize};

use super::{Format, negotiate, truncate};
use crate::charts_events::{
    Line, LineChart, colour, date_ticks, day_x, heatmap_svg, line_chart_svg, pct_label, plain_label,
};
use crate::error::{AppError, ErrorBody};
use crate::extract::{ApiKey, Query, empty_as_none};
use crate::views::Nav;

/// Routes under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/events", api_events);
    super::api_route(cfg, Method::POST, "/events", api_add_event);
    super::api_route(cfg, Method::GET, "/event-study", api_event_study);
    super::api_route(cfg, Method::GET, "/correlations", api_correlations);
}

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/events", web::get().to(events_page))
        .route("/events/{id}", web::get().to(event_page))
        .route("/correlations", web::get().to(correlations_page))
        .route("/story/deepseek", web::get().to(story_page));
}

const MAX_SYMBOLS: usize = 40;

fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::html())
        .body(body)
}

/// A study's own failures: bad input or data (4xx, [`AppError::BadRequest`]) or ours (500).
impl From<MarketError> for AppError {
    fn from(e: MarketError) -> Self {
        match e {
            MarketError::Polars(p) => AppError::Internal(format!("polars: {p}")),
            other => AppError::BadRequest(other.to_string()),
        }
    }
}

fn parse_symbols(raw: Option<&str>, settings: &Settings) -> Result<Vec<Symbol>, AppError> {
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

fn benchmark_or_default(given: Option<&Symbol>, settings: &Settings) -> Symbol {
    given.cloned().unwrap_or_else(|| study_benchmark(settings))
}

fn parse_spec(
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
async fn load_panel(
    pool: &PgPool,
    symbols: &[Symbol],
    benchmark: &Symbol,
) -> Result<ReturnPanel, AppError> {
    studies::load_panel(pool, symbols, benchmark)
        .await
        .map_err(|e| match e {
            PanelError::NoPrices(_) => AppError::BadRequest(e.to_string()),
            PanelError::Store(e) => e.into(),
            PanelError::Market(e) => e.into(),
        })
}

// ---------------------------------------------------------------------------------------------
// API

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

fn filter_from(q: &EventsQuery) -> Result<EventFilter, AppError> {
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

/// `GET /api/v1/events?kind=&from=&to=&q=`: events, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    params(EventsQuery),
    responses(
        (status = 200, description = "Events, newest first", body = Vec<serde_json::Value>),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_events(
    Query(q): Query<EventsQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let filter = filter_from(&q)?;
    let list = store_events::list(pool.get_ref(), &filter).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// `POST /api/v1/events` with a JSON event and the API key ([`ApiKey`]): 201 when added, 200
/// when an event with the same day, kind and title was updated. No key configured: 403 for
/// everyone; a missing or wrong key: 401.
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "events",
    request_body(
        content = serde_json::Value,
        content_type = "application/json",
        description = "The event: {\"day\",\"time\",\"time_zone\",\"kind\",\"title\",\"description\",\"source_url\"}"
    ),
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "An event with the same day, kind and title was updated", body = serde_json::Value),
        (status = 201, description = "Added; Location is its page", body = serde_json::Value),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 401, description = "No API key, or a wrong one", body = ErrorBody),
        (status = 403, description = "Writing is disabled: no API key is configured", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_add_event(
    _key: ApiKey,
    body: web::Bytes,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let event: NewEvent = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("bad event JSON: {e}")))?;
    // An invalid event (StoreError::Invalid) is the client's: 400.
    let (event, created) = store_events::upsert(pool.get_ref(), event, "api").await?;
    tracing::info!(id = event.id, created, "event written through the API");
    jevons_store::changes::note_local_write();
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .insert_header((header::LOCATION, format!("/events/{}", event.id)))
        .json(event))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StudyQuery {
    /// A stored event (see /api/v1/events); or give `day`.
    #[serde(default, deserialize_with = "empty_as_none")]
    event_id: Option<i64>,
    /// The event's day, YYYY-MM-DD, when no `event_id` is given.
    #[serde(default, deserialize_with = "empty_as_none")]
    day: Option<NaiveDate>,
    /// The event's time, HH:MM (after the close it counts for the next session).
    time: Option<String>,
    /// IANA time zone of `time`, e.g. America/New_York (UTC when absent).
    time_zone: Option<String>,
    /// Comma-separated symbols (at most 40); the watchlist vendors when absent.
    symbols: Option<String>,
    /// The market benchmark; SPY when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    benchmark: Option<Symbol>,
    /// Normal-return model: market, mean or adjusted.
    model: Option<String>,
    /// Estimation window as start,end trading days, e.g. -250,-11.
    estimation: Option<String>,
    /// Event windows as start,end pairs separated by `;`, e.g. 0,0;-1,1.
    windows: Option<String>,
    /// json or csv; without it `Accept: text/csv` asks for CSV.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<Format>,
}

#[derive(Serialize)]
struct StudyJson<'a> {
    event: Option<&'a Event>,
    #[serde(flatten)]
    study: &'a EventStudy,
}

/// The event of `event_id`, or one built from `day` (+ `time`, `time_zone`).
async fn resolve_timing(
    pool: &PgPool,
    event_id: Option<i64>,
    day: Option<NaiveDate>,
    time: Option<&str>,
    time_zone: Option<&str>,
) -> Result<(Option<Event>, EventTiming), AppError> {
    match (event_id, day) {
        (Some(id), _) => {
            let e = store_events::get(pool, id)
                .await?
                .ok_or_else(|| AppError::BadRequest(format!("no event {id}")))?;
            let t = timing_of(&e);
            Ok((Some(e), t))
        }
        (None, Some(day)) => {
            let time = time
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|t| {
                    NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| AppError::BadParam {
                        field: "time".into(),
                        message: format!("`{}` is not HH:MM", truncate(t)),
                    })
                })
                .transpose()?;
            Ok((
                None,
                EventTiming {
                    day,
                    time,
                    time_zone: time_zone.map(str::to_string),
                },
            ))
        }
        (None, None) => Err(AppError::BadRequest(
            "give event_id=… or day=YYYY-MM-DD".to_string(),
        )),
    }
}

/// `GET /api/v1/event-study?event_id=…|day=…&symbols=&benchmark=&model=&estimation=&windows=&format=`
#[utoipa::path(
    get,
    path = "/api/v1/event-study",
    tag = "events",
    params(StudyQuery),
    responses(
        (status = 200, description = "Per stock α, β, σ, ARs, CARs and BHAR; group tests per window", content((serde_json::Value = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_event_study(
    req: HttpRequest,
    Query(q): Query<StudyQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let csv = negotiate(q.format, &req) == Format::Csv;
    let (event, timing) = resolve_timing(
        pool.get_ref(),
        q.event_id,
        q.day,
        q.time.as_deref(),
        q.time_zone.as_deref(),
    )
    .await?;
    let symbols = parse_symbols(q.symbols.as_deref(), &settings)?;
    let benchmark = benchmark_or_default(q.benchmark.as_ref(), &settings);
    let spec = parse_spec(
        q.model.as_deref(),
        q.estimation.as_deref(),
        q.windows.as_deref(),
    )?;
    let panel = load_panel(pool.get_ref(), &symbols, &benchmark).await?;
    let study = event_study(&panel, &timing, &spec)?;
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::VARY, "Accept"))
            .body(
                study
                    .to_csv()
                    .map_err(|e| AppError::Internal(format!("writing the study as CSV: {e}")))?,
            ));
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::VARY, "Accept"))
        .json(StudyJson {
            event: event.as_ref(),
            study: &study,
        }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CorrQuery {
    /// Comma-separated symbols (at most 40); the watchlist vendors when absent.
    symbols: Option<String>,
    /// The benchmark of the rolling beta; SPY when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    benchmark: Option<Symbol>,
    /// Rolling window in sessions: 20, 60 (default) or 120.
    #[serde(default, deserialize_with = "empty_as_none")]
    window: Option<usize>,
    /// First day, YYYY-MM-DD; a year before `to` when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD; the last session when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    to: Option<NaiveDate>,
    /// The symbol whose news counts and stance are lagged against its returns.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    news_symbol: Option<Symbol>,
}

/// What the correlations API and page compute.
struct Correlations {
    panel: ReturnPanel,
    from: NaiveDate,
    to: NaiveDate,
    window: usize,
    matrix: CorrelationMatrix,
    rolling: Vec<(String, Vec<RollingPoint>)>,
    lead_lag: LeadLag,
}

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum LeadLag {
    /// The news tables do not exist (news not set up).
    NoNewsTables,
    /// No article about the symbol in the period.
    NoNews { symbol: String },
    Computed {
        symbol: String,
        news_days: usize,
        counts: Vec<LagCorrelation>,
        stance: Vec<LagCorrelation>,
    },
}

async fn correlations(
    pool: &PgPool,
    settings: &Settings,
    q: &CorrQuery,
) -> Result<Correlations, AppError> {
    let symbols = parse_symbols(q.symbols.as_deref(), settings)?;
    let benchmark = benchmark_or_default(q.benchmark.as_ref(), settings);
    let window = match q.window {
        None => 60,
        Some(w) if ROLLING_WINDOWS.contains(&w) => w,
        Some(_) => {
            return Err(AppError::BadRequest("window must be 20, 60 or 120".into()));
        }
    };
    let panel = load_panel(pool, &symbols, &benchmark).await?;
    let last = panel
        .calendar
        .last()
        .copied()
        .ok_or_else(|| AppError::BadRequest("no sessions".into()))?;
    let to = q.to.unwrap_or(last);
    let from = q.from.unwrap_or(to - Duration::days(365));
    if from > to {
        return Err(AppError::BadRequest(format!(
            "from {from} is after to {to}"
        )));
    }
    let matrix = correlation::correlation_matrix(&panel, from, to)?;
    let rolling = panel
        .symbols
        .iter()
        .zip(&panel.returns)
        .map(|(s, r)| {
            let pts: Vec<RollingPoint> = correlation::rolling_beta_corr(&panel, r, window)
                .into_iter()
                .filter(|p| p.day >= from && p.day <= to)
                .collect();
            (s.clone(), pts)
        })
        .collect();
    let news_symbol = match &q.news_symbol {
        Some(s) => s.clone(),
        None => symbols
            .first()
            .cloned()
            .unwrap_or_else(|| benchmark.clone()),
    };
    let lead_lag = lead_lag_for(pool, &panel, &news_symbol, from, to).await?;
    Ok(Correlations {
        panel,
        from,
        to,
        window,
        matrix,
        rolling,
        lead_lag,
    })
}

/// News counts and mean stance per session (news on a non-session day counts for the next
/// session) against the symbol's returns, lags −5…+5.
async fn lead_lag_for(
    pool: &PgPool,
    panel: &ReturnPanel,
    symbol: &Symbol,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<LeadLag, AppError> {
    let Some(days) = store_events::news_daily(pool, symbol.as_str(), from, to).await? else {
        return Ok(LeadLag::NoNewsTables);
    };
    let Some(idx) = panel.index_of(symbol.as_str()) else {
        return Ok(LeadLag::NoNews {
            symbol: symbol.to_string(),
        });
    };
    if days.is_empty() {
        return Ok(LeadLag::NoNews {
            symbol: symbol.to_string(),
        });
    }
    let lo = panel.calendar.partition_point(|d| *d < from);
    let hi = panel.calendar.partition_point(|d| *d <= to);
    let n = hi - lo;
    let mut counts = vec![0.0; n];
    let mut stance_sum = vec![0.0; n];
    let mut stance_n = vec![0.0; n];
    for d in &days {
        let i = panel.calendar.partition_point(|c| *c < d.day);
        if i >= lo && i < hi {
            counts[i - lo] += d.articles as f64;
            if let Some(s) = d.mean_stance {
                stance_sum[i - lo] += s * d.articles as f64;
                stance_n[i - lo] += d.articles as f64;
            }
        }
    }
    let stance: Vec<f64> = stance_sum
        .iter()
        .zip(&stance_n)
        .map(|(s, n)| if *n > 0.0 { s / n } else { f64::NAN })
        .collect();
    let returns = &panel.returns[idx][lo..hi];
    Ok(LeadLag::Computed {
        symbol: symbol.to_string(),
        news_days: days.len(),
        counts: correlation::lead_lag(&counts, returns, 5),
        stance: correlation::lead_lag(&stance, returns, 5),
    })
}

#[derive(Serialize)]
struct CorrJson<'a> {
    benchmark: &'a str,
    from: NaiveDate,
    to: NaiveDate,
    window: usize,
    matrix: &'a CorrelationMatrix,
    rolling: Vec<RollingJson<'a>>,
    lead_lag: &'a LeadLag,
}

#[derive(Serialize)]
struct RollingJson<'a> {
    symbol: &'a str,
    points: &'a [RollingPoint],
}

/// `GET /api/v1/correlations?symbols=&benchmark=&window=&from=&to=&news_symbol=`
#[utoipa::path(
    get,
    path = "/api/v1/correlations",
    tag = "events",
    params(CorrQuery),
    responses(
        (status = 200, description = "Correlation matrix, rolling beta/correlation and news lead/lag", body = serde_json::Value),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_correlations(
    Query(q): Query<CorrQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let c = correlations(pool.get_ref(), &settings, &q).await?;
    Ok(HttpResponse::Ok().json(CorrJson {
        benchmark: &c.panel.benchmark,
        from: c.from,
        to: c.to,
        window: c.window,
        matrix: &c.matrix,
        rolling: c
            .rolling
            .iter()
            .map(|(s, p)| RollingJson {
                symbol: s,
                points: p,
            })
            .collect(),
        lead_lag: &c.lead_lag,
    }))
}

// ---------------------------------------------------------------------------------------------
// Pages

pub struct EventRow {
    pub id: i64,
    pub day: String,
    pub time: String,
    pub kind: &'static str,
    pub title: String,
    pub source_url: String,
}

pub struct CandidateRow {
    pub name: String,
    pub organization: String,
    pub released: String,
    pub url: String,
    pub event_id: Option<i64>,
}

pub struct KindOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "events_list.html")]
pub struct EventsPage {
    pub title: &'static str,
    pub nav: Nav,
    pub rows: Vec<EventRow>,
    pub kinds: Vec<KindOption>,
    pub from: String,
    pub to: String,
    pub q: String,
    pub candidates: Vec<CandidateRow>,
    pub models_present: bool,
}

fn event_row(e: &Event) -> EventRow {
    EventRow {
        id: e.id,
        day: e.day.to_string(),
        time: e.time.map_or_else(String::new, |t| {
            format!(
                "{} {}",
                t.format("%H:%M"),
                e.time_zone.as_deref().unwrap_or("UTC")
            )
        }),
        kind: e.kind.label(),
        title: e.title.clone(),
        source_url: e.source_url.clone().unwrap_or_default(),
    }
}

/// `GET /events?kind=&from=&to=&q=`
async fn events_page(
    Query(q): Query<EventsQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let filter = filter_from(&q)?;
    let list = store_events::list(pool, &filter).await?;
    let from = NaiveDate::from_ymd_opt(2023, 7, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap_or(NaiveDate::MAX);
    let candidates = store_events::candidate_releases(pool, from, to, 40).await?;
    let models_present: bool = sqlx::query_scalar("SELECT to_regclass('ai_models') IS NOT NULL")
        .fetch_one(pool)
        .await
        .map_err(StoreError::from)?;
    let page = EventsPage {
        title: "Events",
        nav: Nav::Events,
        rows: list.iter().map(event_row).collect(),
        kinds: EventKind::ALL
            .into_iter()
            .map(|k| KindOption {
                value: k.as_str(),
                label: k.label(),
                selected: filter.kind == Some(k),
            })
            .collect(),
        from: filter.from.map_or_else(String::new, |d| d.to_string()),
        to: filter.to.map_or_else(String::new, |d| d.to_string()),
        q: filter.text.clone().unwrap_or_default(),
        candidates: candidates
            .into_iter()
            .map(|c| CandidateRow {
                name: c.name,
                organization: c.organization.unwrap_or_default(),
                released: c.released.to_string(),
                url: c
                    .url
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .unwrap_or_default(),
                event_id: c.event_id,
            })
            .collect(),
        models_present,
    };
    Ok(html(page.render()?))
}

/// A number cell of the study tables.
pub struct Cell {
    pub text: String,
    pub class: &'static str,
    pub stars: &'static str,
    pub detail: String,
}

fn pct_cell(v: f64, t: f64, p: f64) -> Cell {
    Cell {
        text: if v.is_finite() {
            crate::format::signed_pct(v * 100.0)
        } else {
            "–".into()
        },
        class: if !v.is_finite() || v == 0.0 {
            "flat"
        } else if v > 0.0 {
            "up"
        } else {
            "down"
        },
        stars: stars(p),
        detail: if t.is_finite() {
            format!("t = {t:.2}, p = {}", fmt_p(p))
        } else {
            String::new()
        },
    }
}

fn fmt_p(p: f64) -> String {
    if !p.is_finite() {
        "–".into()
    } else if p < 0.0001 {
        "<0.0001".into()
    } else {
        format!("{p:.4}")
    }
}

pub struct StudyRow {
    pub symbol: String,
    pub alpha: String,
    pub beta: String,
    pub sigma: String,
    pub ar0: Cell,
    pub cars: Vec<Cell>,
    pub bhar: String,
}

pub struct GroupRow {
    pub window: String,
    pub n: usize,
    pub mean_car: Cell,
    pub cs: String,
    pub patell: String,
    pub bmp: String,
    pub corrado: String,
}

/// Tables of a study, shared by the event page and the story.
pub struct StudyTables {
    pub windows: Vec<String>,
    pub rows: Vec<StudyRow>,
    pub group: Vec<GroupRow>,
    pub skipped: Vec<String>,
    pub day0: String,
    pub explanation: String,
    pub model: &'static str,
    pub benchmark: String,
    pub estimation: String,
}

fn stat(v: f64, p: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}{} (p {})", stars(p), fmt_p(p))
    } else {
        "–".into()
    }
}

fn study_tables(study: &EventStudy, selected: Window) -> StudyTables {
    StudyTables {
        windows: study.spec.windows.iter().map(ToString::to_string).collect(),
        rows: study
            .stocks
            .iter()
            .map(|s| {
                let ar0 = s.ar(0).map_or_else(
                    || pct_cell(f64::NAN, f64::NAN, f64::NAN),
                    |a| pct_cell(a.ar, a.t, a.p),
                );
                StudyRow {
                    symbol: s.symbol.clone(),
                    alpha: format!("{:.5}", s.alpha),
                    beta: format!("{:.2}", s.beta),
                    sigma: format!("{:.2}%", s.sigma * 100.0),
                    ar0,
                    cars: s.cars.iter().map(|c| pct_cell(c.car, c.t, c.p)).collect(),
                    bhar: s.car(selected).map_or_else(
                        || "–".to_string(),
                        |c| crate::format::signed_pct(c.bhar * 100.0),
                    ),
                }
            })
            .collect(),
        group: study
            .group
            .iter()
            .map(|g| GroupRow {
                window: g.window.to_string(),
                n: g.n,
                mean_car: pct_cell(g.mean_car, g.cross_sectional_t, g.cross_sectional_p),
                cs: stat(g.cross_sectional_t, g.cross_sectional_p),
                patell: stat(g.patell_z, g.patell_p),
                bmp: stat(g.bmp_t, g.bmp_p),
                corrado: stat(g.corrado_z, g.corrado_p),
            })
            .collect(),
        skipped: study.skipped.iter().map(|s| s.reason.clone()).collect(),
        day0: study.anchor.session.to_string(),
        explanation: study.anchor.explanation.clone(),
        model: study.spec.model.describe(),
        benchmark: study.benchmark.clone(),
        estimation: study.spec.estimation.to_string(),
    }
}

/// The mean CAR path across the stocks with a 95% band (independent stocks: the variance of
/// the mean is the sum of the variances over N²).
fn mean_car_chart(study: &EventStudy, title: &str) -> String {
    let n = study.stocks.len();
    let mut by_rel: HashMap<i32, (f64, f64)> = HashMap::new();
    for s in &study.stocks {
        for p in &s.car_path {
            let e = by_rel.entry(p.rel).or_insert((0.0, 0.0));
            e.0 += p.car;
            e.1 += (p.band / 1.96).powi(2);
        }
    }
    let mut rels: Vec<i32> = by_rel.keys().copied().collect();
    rels.sort_unstable();
    let nf = n.max(1) as f64;
    let points: Vec<(f64, f64)> = rels
        .iter()
        .map(|r| (f64::from(*r), by_rel[r].0 / nf))
        .collect();
    let band = rels
        .iter()
        .map(|r| {
            let (sum, var) = by_rel[r];
            let m = sum / nf;
            let half = 1.96 * var.sqrt() / nf;
            (f64::from(*r), m - half, m + half)
        })
        .collect();
    line_chart_svg(&LineChart {
        title,
        width: 720,
        height: 320,
        lines: vec![Line {
            label: format!("mean CAR of {n} stocks"),
            colour: colour(0),
            points,
        }],
        band,
        x_ticks: rels
            .iter()
            .map(|r| (f64::from(*r), format!("{r:+}")))
            .collect(),
        markers: vec![(0.0, format!("day 0 {}", study.anchor.session))],
        y_format: pct_label,
        zero_line: true,
    })
}

fn stock_car_chart(study: &EventStudy, symbol: &str) -> Option<String> {
    let s = study.stocks.iter().find(|s| s.symbol == symbol)?;
    Some(line_chart_svg(&LineChart {
        title: &format!("{symbol}: CAR with 95% band"),
        width: 520,
        height: 280,
        lines: vec![Line {
            label: symbol.to_string(),
            colour: colour(1),
            points: s
                .car_path
                .iter()
                .map(|p| (f64::from(p.rel), p.car))
                .collect(),
        }],
        band: s
            .car_path
            .iter()
            .map(|p| (f64::from(p.rel), p.car - p.band, p.car + p.band))
            .collect(),
        x_ticks: s
            .car_path
            .iter()
            .map(|p| (f64::from(p.rel), format!("{:+}", p.rel)))
            .collect(),
        markers: vec![(0.0, "day 0".into())],
        y_format: pct_label,
        zero_line: true,
    }))
}

async fn price_chart(
    pool: &PgPool,
    symbol: &str,
    from: NaiveDate,
    to: NaiveDate,
    markers: Vec<(NaiveDate, String)>,
) -> Result<String, AppError> {
    let sym = Symbol::parse(symbol).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let range = DateRange::new(from, to).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let bars = jevons_store::prices::bars(pool, &sym, range).await?;
    let days: Vec<NaiveDate> = bars.iter().map(|b| b.day).collect();
    Ok(line_chart_svg(&LineChart {
        title: &format!("{symbol} close, {from} – {to}"),
        width: 520,
        height: 280,
        lines: vec![Line {
            label: symbol.to_string(),
            colour: colour(0),
            points: bars.iter().map(|b| (day_x(b.day), b.close)).collect(),
        }],
        band: Vec::new(),
        x_ticks: date_ticks(&days, 4),
        markers: markers.into_iter().map(|(d, l)| (day_x(d), l)).collect(),
        y_format: plain_label,
        zero_line: false,
    }))
}

pub struct Choice {
    pub value: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "events_detail.html")]
pub struct EventPage {
    pub title: String,
    pub nav: Nav,
    pub id: i64,
    pub day: String,
    pub time: String,
    pub kind: &'static str,
    pub description: String,
    pub source_url: String,
    pub tables: Option<StudyTables>,
    pub error: String,
    pub mean_chart: String,
    pub stock_chart: String,
    pub price_chart: String,
    pub benchmark: String,
    pub models: Vec<Choice>,
    pub window: String,
    pub symbol: String,
    pub symbols: Vec<Choice>,
    pub api_query: String,
}

#[derive(Debug, Deserialize)]
pub struct EventPageQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    benchmark: Option<Symbol>,
    model: Option<String>,
    window: Option<String>,
    estimation: Option<String>,
    symbol: Option<String>,
}

/// `GET /events/{id}?benchmark=SPY&model=market&window=-1,1&symbol=NVDA`
async fn event_page(
    path: web::Path<String>,
    Query(q): Query<EventPageQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let id: i64 = path
        .into_inner()
        .parse()
        .map_err(|_| AppError::NotFound("There is no event here.".into()))?;
    let Some(event) = store_events::get(pool, id).await? else {
        return Err(AppError::NotFound(format!("No event {id} is known.")));
    };
    let benchmark = benchmark_or_default(q.benchmark.as_ref(), &settings);
    let mut spec = parse_spec(q.model.as_deref(), q.estimation.as_deref(), None)?;
    let selected = match q.window.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Window { start: -1, end: 1 },
        Some(w) => Window::parse(w)?,
    };
    if !spec.windows.contains(&selected) {
        spec.windows.push(selected);
    }
    let symbols = study_symbols(&settings);
    let study = match load_panel(pool, &symbols, &benchmark).await {
        Ok(panel) => event_study(&panel, &timing_of(&event), &spec).map_err(AppError::from),
        Err(e) => Err(e),
    };
    let (tables, error, mean_chart, stock_chart, chosen, price) = match &study {
        Ok(st) => {
            let chosen = q
                .symbol
                .as_deref()
                .map(|s| s.trim().to_ascii_uppercase())
                .filter(|s| st.stocks.iter().any(|x| &x.symbol == s))
                .or_else(|| st.stocks.first().map(|s| s.symbol.clone()))
                .unwrap_or_default();
            let title = format!("Mean CAR, {} vs {}", st.spec.model.as_str(), st.benchmark);
            let price = price_chart(
                pool,
                &chosen,
                st.anchor.session - Duration::days(45),
                st.anchor.session + Duration::days(25),
                vec![(event.day, "event".into())],
            )
            .await?;
            (
                Some(study_tables(st, selected)),
                String::new(),
                mean_car_chart(st, &title),
                stock_car_chart(st, &chosen).unwrap_or_default(),
                chosen,
                price,
            )
        }
        // The user's input or data: said on the page, which still shows the event.
        Err(AppError::BadRequest(m)) => (
            None,
            m.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ),
        Err(_) => {
            return Err(match study {
                Err(e) => e,
                Ok(_) => AppError::NotFound(String::new()),
            });
        }
    };
    let model = spec.model;
    let page = EventPage {
        title: event.title.clone(),
        nav: Nav::Events,
        id,
        day: event.day.to_string(),
        time: event_row(&event).time,
        kind: event.kind.label(),
        description: event.description.clone(),
        source_url: event.source_url.clone().unwrap_or_default(),
        tables,
        error,
        mean_chart,
        stock_chart,
        price_chart: price,
        benchmark: benchmark.to_string(),
        models: [
            NormalModel::Market,
            NormalModel::Mean,
            NormalModel::Adjusted,
        ]
        .into_iter()
        .map(|m| Choice {
            value: m.as_str().to_string(),
            selected: m == model,
        })
        .collect(),
        window: format!("{},{}", selected.start, selected.end),
        symbol: chosen.clone(),
        symbols: symbols
            .iter()
            .map(|s| Choice {
                value: s.to_string(),
                selected: s.as_str() == chosen,
            })
            .collect(),
        api_query: format!(
            "event_id={id}&benchmark={benchmark}&model={}",
            model.as_str()
        ),
    };
    Ok(html(page.render()?))
}

pub struct LagRow {
    pub lag: i32,
    pub counts: String,
    pub stance: String,
}

#[derive(Template)]
#[template(path = "events_correlations.html")]
pub struct CorrelationsPage {
    pub title: &'static str,
    pub nav: Nav,
    pub benchmark: String,
    pub from: String,
    pub to: String,
    pub days: usize,
    pub window: usize,
    pub windows: Vec<Choice>,
    pub heatmap: String,
    pub beta_chart: String,
    pub corr_chart: String,
    pub news_note: String,
    pub lag_rows: Vec<LagRow>,
    pub news_symbol: String,
}

fn rolling_chart(c: &Correlations, title: &str, beta: bool) -> String {
    let days: Vec<NaiveDate> = c
        .rolling
        .iter()
        .max_by_key(|(_, p)| p.len())
        .map(|(_, p)| p.iter().map(|x| x.day).collect())
        .unwrap_or_default();
    line_chart_svg(&LineChart {
        title,
        width: 960,
        height: 340,
        lines: c
            .rolling
            .iter()
            .enumerate()
            .map(|(i, (s, pts))| Line {
                label: s.clone(),
                colour: colour(i),
                points: pts
                    .iter()
                    .map(|p| (day_x(p.day), if beta { p.beta } else { p.corr }))
                    .collect(),
            })
            .collect(),
        band: Vec::new(),
        x_ticks: date_ticks(&days, 6),
        markers: Vec::new(),
        y_format: plain_label,
        zero_line: !beta,
    })
}

fn lag_text(l: &LagCorrelation) -> String {
    if l.corr.is_finite() {
        format!("{:+.3}{} (p {}, n {})", l.corr, stars(l.p), fmt_p(l.p), l.n)
    } else {
        format!("– (n {})", l.n)
    }
}

/// `GET /correlations?benchmark=&from=&to=&window=&symbols=&news_symbol=`
async fn correlations_page(
    Query(q): Query<CorrQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let c = correlations(pool.get_ref(), &settings, &q).await?;
    let (news_note, lag_rows, news_symbol) = match &c.lead_lag {
        LeadLag::NoNewsTables => (
            "The news tables are not set up, so there is no news series to compare.".to_string(),
            Vec::new(),
            String::new(),
        ),
        LeadLag::NoNews { symbol } => (
            format!("No stored article mentions {symbol} in this period."),
            Vec::new(),
            symbol.clone(),
        ),
        LeadLag::Computed {
            symbol,
            news_days,
            counts,
            stance,
        } => (
            format!(
                "{news_days} day(s) with news about {symbol}. A positive lag means the news series leads {symbol}'s returns by that many sessions."
            ),
            counts
                .iter()
                .zip(stance)
                .map(|(a, b)| LagRow {
                    lag: a.lag,
                    counts: lag_text(a),
                    stance: lag_text(b),
                })
                .collect(),
            symbol.clone(),
        ),
    };
    let page = CorrelationsPage {
        title: "Correlations",
        nav: Nav::Correlations,
        benchmark: c.panel.benchmark.clone(),
        from: c.from.to_string(),
        to: c.to.to_string(),
        days: c.matrix.days,
        window: c.window,
        windows: ROLLING_WINDOWS
            .iter()
            .map(|w| Choice {
                value: w.to_string(),
                selected: *w == c.window,
            })
            .collect(),
        heatmap: heatmap_svg(&c.matrix.symbols, &c.matrix.values, 44),
        beta_chart: rolling_chart(
            &c,
            &format!(
                "Rolling {}-day beta against {}",
                c.window, c.panel.benchmark
            ),
            true,
        ),
        corr_chart: rolling_chart(
            &c,
            &format!(
                "Rolling {}-day correlation with {}",
                c.window, c.panel.benchmark
            ),
            false,
        ),
        news_note,
        lag_rows,
        news_symbol,
    };
    Ok(html(page.render()?))
}

pub struct TimelineRow {
    pub day: String,
    pub what: String,
    pub detail: String,
    pub link: String,
    pub event_id: Option<i64>,
}

pub struct ModelRow {
    pub name: String,
    pub organization: String,
    pub released: String,
    pub compute: String,
    pub cost: String,
}

pub struct NewsRow {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub stance: String,
}

#[derive(Template)]
#[template(path = "story_deepseek.html")]
pub struct StoryPage {
    pub title: &'static str,
    pub nav: Nav,
    pub timeline: Vec<TimelineRow>,
    pub headline: String,
    pub tables: Option<StudyTables>,
    pub error: String,
    pub r1_note: String,
    pub mean_chart: String,
    pub price_chart: String,
    pub models: Vec<ModelRow>,
    pub models_note: String,
    pub news: Vec<NewsRow>,
    pub news_note: String,
    pub sell_off_id: Option<i64>,
}

/// What the data says of R1's own day against the sell-off: the delay is stated only when R1's
/// day shows no significant mean abnormal return and the sell-off does.
fn r1_note(r1: &EventStudy, sell_off: &EventStudy) -> String {
    let day0 = |st: &EventStudy| {
        st.group
            .iter()
            .find(|g| g.window == Window { start: 0, end: 0 })
            .cloned()
    };
    let describe = |g: &GroupTest| {
        format!(
            "{} (cross-sectional p = {:.3}{})",
            crate::format::signed_pct(g.mean_car * 100.0),
            g.cross_sectional_p,
            match stars(g.cross_sectional_p) {
                "" => String::new(),
                s => format!(" {s}"),
            }
        )
    };
    let Some(g) = day0(r1) else {
        return format!(
            "DeepSeek-R1 came out on 2025-01-20: {}.",
            r1.anchor.explanation
        );
    };
    let mut note = format!(
        "DeepSeek-R1 came out on 2025-01-20: {}. The vendors' mean abnormal return on {} was {}",
        r1.anchor.explanation,
        r1.anchor.session,
        describe(&g)
    );
    match day0(sell_off) {
        Some(s) if g.cross_sectional_p >= 0.05 && s.cross_sectional_p < 0.05 => {
            let sessions = sell_off.anchor.index.saturating_sub(r1.anchor.index);
            note.push_str(&format!(
                "; the first significant one came {sessions} sessions later, on {}: {}.",
                sell_off.anchor.session,
                describe(&s)
            ));
        }
        _ => note.push('.'),
    }
    note
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// `GET /story/deepseek`: the seed's story, every number from the stored data.
async fn story_page(
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let (from, to) = (day(2024, 12, 1), day(2025, 2, 28));
    let sell_off = day(2025, 1, 27);
    let events = store_events::list(
        pool,
        &EventFilter {
            from: Some(from),
            to: Some(to),
            ..EventFilter::default()
        },
    )
    .await?;
    let models = store_events::models_released(pool, day(2024, 12, 1), day(2025, 1, 31)).await?;
    let mut timeline: Vec<TimelineRow> = events
        .iter()
        .rev()
        .map(|e| TimelineRow {
            day: e.day.to_string(),
            what: e.title.clone(),
            detail: e.kind.label().to_string(),
            link: e.source_url.clone().unwrap_or_default(),
            event_id: Some(e.id),
        })
        .collect();
    let sell_off_id = events.iter().find(|e| e.day == sell_off).map(|e| e.id);

    let symbols = study_symbols(&settings);
    let benchmark = study_benchmark(&settings);
    let spec = StudySpec::default();
    let panel = load_panel(pool, &symbols, &benchmark).await;
    let (tables, error, headline, mean_chart, r1_note) = match &panel {
        Ok(panel) => match event_study(panel, &EventTiming::day(sell_off), &spec) {
            Ok(st) => {
                let headline = st
                    .stocks
                    .iter()
                    .find(|s| s.symbol == "NVDA")
                    .or_else(|| st.stocks.first())
                    .and_then(|s| s.ar(0).map(|a| (s, a)))
                    .map(|(s, a)| {
                        format!(
                            "On {}, {} returned {} while {} returned {}; against its market model (β = {:.2}) the abnormal return was {} (t = {:.1}). Across {} vendors the mean abnormal return was {}.",
                            a.day,
                            s.symbol,
                            crate::format::signed_pct(a.ret * 100.0),
                            st.benchmark,
                            crate::format::signed_pct(a.market_ret * 100.0),
                            s.beta,
                            crate::format::signed_pct(a.ar * 100.0),
                            a.t,
                            st.stocks.len(),
                            st.group
                                .first()
                                .map_or_else(|| "–".into(), |g| crate::format::signed_pct(g.mean_car * 100.0))
                        )
                    })
                    .unwrap_or_default();
                let r1 = event_study(panel, &EventTiming::day(day(2025, 1, 20)), &spec)
                    .map(|r| r1_note(&r, &st))
                    .unwrap_or_else(|e| e.to_string());
                let chart = mean_car_chart(
                    &st,
                    "Mean CAR of the vendors around 2025-01-27, market model vs SPY",
                );
                (
                    Some(study_tables(&st, Window { start: -1, end: 1 })),
                    String::new(),
                    headline,
                    chart,
                    r1,
                )
            }
            Err(e) => (
                None,
                e.to_string(),
                String::new(),
                String::new(),
                String::new(),
            ),
        },
        Err(AppError::BadRequest(m)) => {
            (None, m.clone(), String::new(), String::new(), String::new())
        }
        Err(_) => {
            return Err(match panel {
                Err(e) => e,
                Ok(_) => AppError::NotFound(String::new()),
            });
        }
    };
    let markers: Vec<(NaiveDate, String)> = events
        .iter()
        .filter(|e| e.title.contains("DeepSeek"))
        .map(|e| {
            let short = if e.kind == EventKind::News {
                "sell-off".to_string()
            } else {
                e.title.replace(" released", "")
            };
            (e.day, short)
        })
        .collect();
    let price = if error.is_empty() {
        price_chart(pool, "NVDA", day(2024, 12, 2), day(2025, 2, 14), markers)
            .await
            .unwrap_or_default()
    } else {
        String::new()
    };
    for m in &models {
        if !timeline
            .iter()
            .any(|t| t.day == m.released.to_string() && t.what.contains(&m.name))
        {
            timeline.push(TimelineRow {
                day: m.released.to_string(),
                what: format!("{} released", m.name),
                detail: "model (from the model data)".into(),
                link: String::new(),
                event_id: None,
            });
        }
    }
    timeline.sort_by(|a, b| a.day.cmp(&b.day));
    let news = store_events::articles_on(pool, sell_off, 8).await?;
    let page = StoryPage {
        title: "The DeepSeek shock",
        nav: Nav::Story,
        timeline,
        headline,
        tables,
        error,
        r1_note,
        mean_chart,
        price_chart: price,
        models_note: if models.is_empty() {
            "No model data is stored yet (the models import adds release dates, training compute and cost).".into()
        } else {
            String::new()
        },
        models: models
            .iter()
            .map(|m| ModelRow {
                name: m.name.clone(),
                organization: m.organization.clone().unwrap_or_default(),
                released: m.released.to_string(),
                compute: m
                    .training_compute_flop
                    .map_or_else(|| "–".into(), |f| format!("{f:.2e}")),
                cost: m
                    .training_cost_usd
                    .map_or_else(|| "–".into(), |c| format!("${:.2}M", c / 1e6)),
            })
            .collect(),
        news_note: if news.is_empty() {
            "No stored article from 2025-01-27 (news feeds fill this as they are fetched).".into()
        } else {
            String::new()
        },
        news: news
            .into_iter()
            .map(|a| NewsRow {
                title: a.title,
                url: a
                    .url
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .unwrap_or_default(),
                summary: a.summary.unwrap_or_default(),
                stance: a.stance.unwrap_or_default(),
            })
            .collect(),
        sell_off_id,
    };
    Ok(html(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

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
