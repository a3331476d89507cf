//! `/api/v1/events` (list, add) and `/api/v1/event-study`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveTime};
use jevons_analytics::anchoring::EventTiming;
use jevons_analytics::event_study::{EventStudy, event_study};
use jevons_core::{Settings, Symbol};
use jevons_insights::studies::timing_of;
use jevons_store::PgPool;
use jevons_store::events::{self as store_events, Event, NewEvent};
use serde::{Deserialize, Serialize};

use super::{
    EventsQuery, benchmark_or_default, filter_from, load_panel, parse_spec, parse_symbols,
};
use crate::error::{AppError, ErrorBody};
use crate::extract::{ApiKey, Query, empty_as_none};
use crate::openapi::{BadParam, ServerErrors};
use crate::routes::{Format, negotiate, negotiated_json, truncate};

/// `GET /api/v1/events?kind=&from=&to=&q=`: events, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    params(EventsQuery),
    responses(
        (status = 200, description = "Events, newest first", body = Vec<serde_json::Value>),
        BadParam,
        ServerErrors,
    )
)]
pub(crate) async fn api_events(
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
        BadParam,
        (status = 401, description = "No API key, or a wrong one", body = ErrorBody),
        (status = 403, description = "Writing is disabled: no API key is configured", body = ErrorBody),
        ServerErrors,
    )
)]
pub(crate) async fn api_add_event(
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
    pub(crate) symbols: Option<String>,
    /// The market benchmark; SPY when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    benchmark: Option<Symbol>,
    /// Normal-return model: market, mean or adjusted.
    pub(crate) model: Option<String>,
    /// Estimation window as start,end trading days, e.g. -250,-11.
    pub(crate) estimation: Option<String>,
    /// Event windows as start,end pairs separated by `;`, e.g. 0,0;-1,1.
    pub(crate) windows: Option<String>,
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
        BadParam,
        ServerErrors,
    )
)]
pub(crate) async fn api_event_study(
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
    Ok(negotiated_json(StudyJson {
        event: event.as_ref(),
        study: &study,
    }))
}
