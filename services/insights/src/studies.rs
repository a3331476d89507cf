//! Event studies over stored prices: the default stocks and benchmark of a study, the return
//! panel of every stored bar, an event's timing, and the stored studies of every complete event
//! (the `events.study` job).

use std::collections::HashMap;

use chrono::NaiveDate;
use jevons_analytics::anchoring::{EventTiming, anchor};
use jevons_analytics::event_study::{EventStudy, StudySpec, event_studies};
use jevons_analytics::returns::{AnalyticsError, ReturnPanel, return_panel};
use jevons_core::{DateRange, Role, Settings, Symbol};
use jevons_store::event_results::{self, GroupResult, StockResult, StudyResults, finite};
use jevons_store::events::{self as store_events, Event, EventFilter};
use jevons_store::{PgPool, StoreError, prices};

#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    /// A symbol of the study has no stored prices (the caller's choice or data).
    #[error("no prices stored for {0}")]
    NoPrices(Symbol),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Analytics(#[from] AnalyticsError),
}

#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The panel of returns could not be built (not a single event's problem).
    #[error("event studies: {0}")]
    Panel(String),
}

/// The watchlist's vendors: the default stocks of a study.
pub fn study_symbols(settings: &Settings) -> Vec<Symbol> {
    settings
        .watchlist
        .iter()
        .filter(|t| t.role == Role::Vendor)
        .map(|t| t.symbol.clone())
        .collect()
}

/// The configured benchmark (SPY when the watchlist has none).
pub fn study_benchmark(settings: &Settings) -> Symbol {
    settings
        .benchmark()
        .map(|t| t.symbol.clone())
        .or_else(|| Symbol::parse("SPY").ok())
        .unwrap_or_else(|| settings.watchlist[0].symbol.clone())
}

/// Every stored bar of `symbols` and the benchmark as the analytics' price frame, then the
/// return panel on the benchmark's sessions.
pub async fn load_panel(
    pool: &PgPool,
    symbols: &[Symbol],
    benchmark: &Symbol,
) -> Result<ReturnPanel, PanelError> {
    let all = DateRange::all();
    let mut series: Vec<(String, Vec<(NaiveDate, f64)>)> = Vec::with_capacity(symbols.len() + 1);
    let mut wanted: Vec<&Symbol> = vec![benchmark];
    wanted.extend(symbols.iter().filter(|s| *s != benchmark));
    for s in wanted {
        let bars = jevons_store::prices::bars(pool, s, all).await?;
        if bars.is_empty() {
            return Err(PanelError::NoPrices(s.clone()));
        }
        series.push((
            s.to_string(),
            bars.iter().map(|b| (b.day, b.adj_close)).collect(),
        ));
    }
    let names: Vec<String> = symbols.iter().map(ToString::to_string).collect();
    let prices = series.iter().map(|(s, b)| (s.as_str(), b.as_slice()));
    Ok(return_panel(prices, benchmark.as_str(), &names)?)
}

/// When a stored event happened, as the study anchors it.
pub fn timing_of(event: &Event) -> EventTiming {
    EventTiming {
        day: event.day,
        time: event.time,
        time_zone: event.time_zone.clone(),
    }
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct StudyReport {
    /// Events studied and stored.
    pub studied: usize,
    /// Events whose longest window is not complete in the prices yet (studied on a later run).
    pub pending: usize,
    /// Events that could not be studied: (event id, title, why). Logged, not fatal.
    pub failed: Vec<(i64, String, String)>,
    /// Rows inserted or changed.
    pub rows_written: u64,
}

/// The most events one run looks at (the store's largest page).
const MAX_EVENTS: i64 = 5000;

/// Runs the default study (market model against the configured benchmark, the watchlist's
/// vendors) of every event whose longest window is complete in the stored prices, and stores
/// the results (`event_results`, `event_group_results`). Events that cannot be studied are
/// logged and listed in the report; only a store failure fails the call. Every complete event
/// is studied again, so corrected prices reach the stored results; the write is an upsert, so a
/// rerun on the same prices changes nothing.
pub async fn store_event_studies(
    pool: &PgPool,
    settings: &Settings,
) -> Result<StudyReport, StudyError> {
    let mut report = StudyReport::default();
    let spec = StudySpec::default();
    let benchmark = study_benchmark(settings);
    // A watchlist symbol without prices yet (just added) must not hold back the others.
    let mut symbols = Vec::new();
    for s in study_symbols(settings) {
        if prices::last_day(pool, &s).await?.is_some() {
            symbols.push(s);
        }
    }
    if symbols.is_empty() || prices::last_day(pool, &benchmark).await?.is_none() {
        tracing::info!(%benchmark, "no prices of the benchmark or of any vendor yet; nothing to study");
        return Ok(report);
    }
    let events = store_events::list(
        pool,
        &EventFilter {
            limit: Some(MAX_EVENTS),
            ..EventFilter::default()
        },
    )
    .await?;
    if events.is_empty() {
        return Ok(report);
    }
    let panel = match load_panel(pool, &symbols, &benchmark).await {
        Ok(p) => p,
        Err(PanelError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(StudyError::Panel(e.to_string())),
    };

    // Day 0 of each event and whether the sessions after it cover the longest window.
    let span = spec.event_span();
    let mut ready: Vec<(&Event, EventTiming, NaiveDate)> = Vec::new();
    for event in &events {
        let timing = timing_of(event);
        match anchor(&timing, &panel.calendar) {
            Ok(a) => {
                let last = i64::try_from(a.index).unwrap_or(i64::MAX) + i64::from(span.end);
                match usize::try_from(last)
                    .ok()
                    .and_then(|i| panel.calendar.get(i))
                {
                    Some(day) => ready.push((event, timing, *day)),
                    None => report.pending += 1,
                }
            }
            Err(AnalyticsError::AfterData { .. }) => report.pending += 1,
            Err(e) => fail(&mut report, event, &e.to_string()),
        }
    }

    // Each study comes back under its event's id: a failed one never shifts the others.
    let keyed: Vec<(i64, EventTiming)> = ready.iter().map(|(e, t, _)| (e.id, t.clone())).collect();
    let study_spec = spec.clone();
    let studies = tokio::task::spawn_blocking(move || event_studies(&panel, &keyed, &study_spec))
        .await
        .map_err(|e| StudyError::Panel(format!("the event-study task failed: {e}")))?;
    let by_id: HashMap<i64, (&Event, NaiveDate)> = ready
        .iter()
        .map(|(e, _, last)| (e.id, (*e, *last)))
        .collect();

    for (event_id, study) in studies {
        let Some(&(event, last_session)) = by_id.get(&event_id) else {
            continue;
        };
        let study = match study {
            Ok(s) => s,
            Err(e) => {
                fail(&mut report, event, &e.to_string());
                continue;
            }
        };
        for s in &study.skipped {
            tracing::debug!(event = event.id, symbol = %s.symbol, reason = %s.reason, "stock left out of the study");
        }
        match event_results::replace(pool, &stored_results(event.id, &study, last_session)).await {
            Ok(counts) => {
                report.studied += 1;
                report.rows_written += counts.written;
            }
            Err(StoreError::Invalid(m)) => fail(&mut report, event, &m),
            Err(e) => return Err(e.into()),
        }
    }
    tracing::info!(
        studied = report.studied,
        pending = report.pending,
        failed = report.failed.len(),
        rows = report.rows_written,
        "event studies stored"
    );
    Ok(report)
}

fn fail(report: &mut StudyReport, event: &Event, why: &str) {
    tracing::warn!(event = event.id, title = %event.title, day = %event.day, error = why, "event study failed; skipped");
    report
        .failed
        .push((event.id, event.title.clone(), why.to_string()));
}

fn probability(p: f64) -> Option<f64> {
    finite(p).map(|p| p.clamp(0.0, 1.0))
}

/// The rows of one study, as the store keeps them.
pub fn stored_results(event_id: i64, study: &EventStudy, last_session: NaiveDate) -> StudyResults {
    let stocks = study
        .stocks
        .iter()
        .flat_map(|s| {
            let ar_day0 = s.ar(0).and_then(|a| finite(a.ar));
            s.cars
                .iter()
                .filter(|c| c.car.is_finite())
                .map(move |c| StockResult {
                    symbol: s.symbol.clone(),
                    window_start: c.window.start,
                    window_end: c.window.end,
                    car: c.car,
                    se: finite(c.se),
                    t: finite(c.t),
                    p_value: probability(c.p),
                    bhar: finite(c.bhar),
                    ar_day0,
                    alpha: s.alpha,
                    beta: s.beta,
                    sigma: s.sigma,
                    estimation_days: i32::try_from(s.estimation_days).unwrap_or(i32::MAX),
                })
        })
        .collect();
    let group = study
        .group
        .iter()
        .filter(|g| g.mean_car.is_finite())
        .map(|g| GroupResult {
            window_start: g.window.start,
            window_end: g.window.end,
            n: i32::try_from(g.n).unwrap_or(i32::MAX),
            mean_car: g.mean_car,
            cross_sectional_t: finite(g.cross_sectional_t),
            cross_sectional_p: probability(g.cross_sectional_p),
            patell_z: finite(g.patell_z),
            patell_p: probability(g.patell_p),
            bmp_t: finite(g.bmp_t),
            bmp_p: probability(g.bmp_p),
            corrado_z: finite(g.corrado_z),
            corrado_p: probability(g.corrado_p),
        })
        .collect();
    StudyResults {
        event_id,
        benchmark: study.benchmark.clone(),
        model: study.spec.model.as_str().to_string(),
        day0: study.anchor.session,
        last_session,
        stocks,
        group,
    }
}
