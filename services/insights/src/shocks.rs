//! Do efficiency shocks move chip stocks on average? Pooled event studies of the vendors over
//! every event of a class: model releases by their class from the frontier (efficiency,
//! capability, both, neither) and the stored events by their kind (news, earnings, macro …),
//! with leave-one-out and a second benchmark. Computed by the `events.study` job and stored;
//! the page, the API and the digest read the stored view.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use jevons_analytics::anchoring::EventTiming;
use jevons_analytics::event_study::{EventStudy, StudySpec, Window, event_study};
use jevons_analytics::pooled::{
    ClassOutcome, PooledStudy, default_windows, pooled_study, sentence, without_event,
    without_largest,
};
use jevons_analytics::returns::ReturnPanel;
use jevons_core::{Settings, Symbol};
use jevons_store::events::{self as store_events, EventFilter, EventKind};
use jevons_store::release_classes::{self, ReleaseClass};
use jevons_store::{PgPool, StoreError};
use serde::{Deserialize, Serialize};

use crate::studies::{PanelError, load_panel, study_symbols};

#[derive(Debug, thiserror::Error)]
pub enum ShocksError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Panel(String),
    #[error("{0}")]
    Invalid(String),
}

/// One event in a class: what it is and where its own study is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShockEvent {
    /// `model:ID` or `event:ID`: the key the pooled rows carry.
    pub key: String,
    pub day: NaiveDate,
    pub title: String,
    /// e.g. "4.0× cheaper than o1 on gpqa-diamond".
    pub detail: String,
    pub url: String,
}

/// A class's pooled study, or why there is none.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassStudy {
    pub class: String,
    pub events: Vec<ShockEvent>,
    /// Events of the class whose windows the prices do not complete yet.
    pub pending: usize,
    pub study: Option<PooledStudy<String>>,
    pub message: Option<String>,
}

/// A robustness variant of the efficiency class.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Variant {
    pub label: String,
    pub study: Option<PooledStudy<String>>,
    pub message: Option<String>,
}

/// Everything `/shocks` shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShocksView {
    pub benchmark: String,
    pub rule: String,
    pub windows: Vec<Window>,
    pub classes: Vec<ClassStudy>,
    pub variants: Vec<Variant>,
    pub sentence: String,
}

/// The window the sentence and the leave-one-out rank by.
pub const HEADLINE_WINDOW: Window = Window { start: 0, end: 1 };

fn key_model(id: i64) -> String {
    format!("model:{id}")
}

/// The events of every class with their day and description.
async fn class_events(pool: &PgPool) -> Result<BTreeMap<String, Vec<ShockEvent>>, ShocksError> {
    let mut classes: BTreeMap<String, Vec<ShockEvent>> = BTreeMap::new();
    let releases = release_classes::list(pool, None, None).await?;
    // A release that is also a stored event opens that event's page; the others open the
    // study of their day (JSON) from the model's page.
    let mut event_of: BTreeMap<i64, i64> = BTreeMap::new();
    if let (Some(first), Some(last)) = (releases.first(), releases.last()) {
        for c in store_events::candidate_releases(pool, first.released, last.released, 1000).await?
        {
            if let Some(e) = c.event_id {
                event_of.insert(c.model_id, e);
            }
        }
    }
    for r in releases {
        let mut detail = Vec::new();
        if let (Some(ratio), Some(b)) = (r.price_ratio, &r.efficiency_benchmark) {
            detail.push(format!(
                "{ratio:.1}× cheaper than {} on {b}",
                r.undercut_model
                    .as_deref()
                    .unwrap_or("the cheapest earlier model")
            ));
        }
        if let (Some(gain), Some(b)) = (r.score_gain, &r.capability_benchmark) {
            detail.push(format!(
                "new best on {b} (+{gain:.3} over {})",
                r.previous_best_model
                    .as_deref()
                    .unwrap_or("the previous best")
            ));
        }
        classes
            .entry(r.class.as_str().to_string())
            .or_default()
            .push(ShockEvent {
                key: key_model(r.model_id),
                day: r.released,
                title: format!("{} released", r.model),
                detail: detail.join("; "),
                url: event_of.get(&r.model_id).map_or_else(
                    || format!("/api/v1/event-study?day={}", r.released),
                    |e| format!("/events/{e}"),
                ),
            });
    }
    // Stored events keep their kind; model releases are classed above.
    let events = store_events::list(
        pool,
        &EventFilter {
            limit: Some(5000),
            ..EventFilter::default()
        },
    )
    .await?;
    for e in events
        .into_iter()
        .filter(|e| e.kind != EventKind::ModelRelease)
    {
        classes
            .entry(e.kind.as_str().to_string())
            .or_default()
            .push(ShockEvent {
                key: format!("event:{}", e.id),
                day: e.day,
                title: e.title,
                detail: e.kind.label().to_string(),
                url: format!("/events/{}", e.id),
            });
    }
    Ok(classes)
}

/// The vendors' return panel against `benchmark`, loaded once for every class.
async fn panel_of(
    pool: &PgPool,
    settings: &Settings,
    benchmark: &Symbol,
) -> Result<Arc<ReturnPanel>, ShocksError> {
    match load_panel(pool, &study_symbols(settings), benchmark).await {
        Ok(p) => Ok(Arc::new(p)),
        Err(PanelError::Store(e)) => Err(e.into()),
        Err(e) => Err(ShocksError::Panel(e.to_string())),
    }
}

/// Studies every event of `events` on `panel`: (key, study) of those the prices complete, and
/// how many are pending.
async fn studies_of(
    panel: &Arc<ReturnPanel>,
    events: &[ShockEvent],
) -> Result<(Vec<(String, EventStudy)>, usize), ShocksError> {
    let panel = Arc::clone(panel);
    let events: Vec<(String, NaiveDate)> = events.iter().map(|e| (e.key.clone(), e.day)).collect();
    tokio::task::spawn_blocking(move || {
        let spec = StudySpec::default();
        let mut done = Vec::new();
        let mut pending = 0;
        for (key, day) in events {
            match event_study(&panel, &EventTiming::day(day), &spec) {
                // Only events whose longest window the prices complete.
                Ok(st)
                    if st
                        .stocks
                        .iter()
                        .all(|s| s.cars.iter().all(|c| c.car.is_finite())) =>
                {
                    done.push((key, st));
                }
                Ok(_) | Err(_) => pending += 1,
            }
        }
        (done, pending)
    })
    .await
    .map_err(|e| ShocksError::Panel(format!("the event studies failed: {e}")))
    .map(Ok)?
}

/// The pooled studies of every class against `benchmark`, the efficiency class without its
/// largest event and without DeepSeek-R1, and against `other_benchmark`.
pub async fn compute(
    pool: &PgPool,
    settings: &Settings,
    benchmark: &Symbol,
    other_benchmark: Option<&Symbol>,
) -> Result<ShocksView, ShocksError> {
    let windows = default_windows();
    let classes = class_events(pool).await?;
    let mut out = Vec::new();
    let panel = panel_of(pool, settings, benchmark).await?;
    let mut all_studies: BTreeMap<String, Vec<(String, EventStudy)>> = BTreeMap::new();
    for (class, events) in &classes {
        let (studies, pending) = studies_of(&panel, events).await?;
        let keyed: Vec<(String, &EventStudy)> =
            studies.iter().map(|(k, s)| (k.clone(), s)).collect();
        let (study, message) = match pooled_study(&keyed, &windows) {
            Ok(s) => (Some(s), None),
            Err(e) => (None, Some(e.to_string())),
        };
        all_studies.insert(class.clone(), studies);
        out.push(ClassStudy {
            class: class.clone(),
            events: events.clone(),
            pending,
            study,
            message,
        });
    }
    // Efficiency first, capability second: the comparison the page leads with.
    let order = |c: &str| match c {
        "efficiency" => 0,
        "capability" => 1,
        "both" => 2,
        "neither" => 3,
        _ => 4,
    };
    out.sort_by_key(|c| (order(&c.class), c.class.clone()));

    let mut variants = Vec::new();
    let keyed_of = |class: &str| -> Vec<(String, &EventStudy)> {
        all_studies
            .get(class)
            .map(|v| v.iter().map(|(k, s)| (k.clone(), s)).collect())
            .unwrap_or_default()
    };
    let keyed = keyed_of(ReleaseClass::Efficiency.as_str());
    let named = |label: String, r: Result<PooledStudy<String>, String>| match r {
        Ok(s) => Variant {
            label,
            study: Some(s),
            message: None,
        },
        Err(m) => Variant {
            label,
            study: None,
            message: Some(m),
        },
    };
    if !keyed.is_empty() {
        let largest = without_largest(&keyed, &windows, HEADLINE_WINDOW);
        let label = match &largest {
            Ok(l) => format!(
                "efficiency, without its largest event ({})",
                title_of(&classes, &l.event)
            ),
            Err(_) => "efficiency, without its largest event".to_string(),
        };
        variants.push(named(
            label,
            largest.map(|l| l.study).map_err(|e| e.to_string()),
        ));
    }
    // The anecdote the question started from: its class with and without it.
    let r1 = classes.iter().find_map(|(class, evs)| {
        evs.iter()
            .find(|e| e.title == "DeepSeek-R1 released")
            .map(|e| (class.clone(), e.key.clone()))
    });
    if let Some((class, r1)) = r1 {
        let studies = keyed_of(&class);
        if studies.iter().any(|(k, _)| *k == r1) {
            variants.push(named(
                format!("{class}, without DeepSeek-R1"),
                without_event(&studies, &windows, &r1)
                    .map(|l| l.study)
                    .map_err(|e| e.to_string()),
            ));
        }
    }
    if let (Some(other), Some(events)) = (other_benchmark, classes.get("efficiency")) {
        let (studies, _) = studies_of(&panel_of(pool, settings, other).await?, events).await?;
        let keyed: Vec<(String, &EventStudy)> =
            studies.iter().map(|(k, s)| (k.clone(), s)).collect();
        variants.push(named(
            format!("efficiency, against {other}"),
            pooled_study(&keyed, &windows).map_err(|e| e.to_string()),
        ));
    }

    let outcomes: Vec<(
        String,
        Result<PooledStudy<String>, jevons_analytics::pooled::PooledError>,
    )> = out
        .iter()
        .filter(|c| c.class == "efficiency" || c.class == "capability")
        .map(|c| {
            (
                c.class.clone(),
                c.study.clone().ok_or_else(|| {
                    jevons_analytics::pooled::PooledError::TooFewEvents {
                        events: c.events.len().saturating_sub(c.pending),
                        observations: 0,
                    }
                }),
            )
        })
        .collect();
    let classes_for_sentence: Vec<ClassOutcome<'_, String>> = outcomes
        .iter()
        .map(|(class, outcome)| ClassOutcome {
            class: class.as_str(),
            outcome,
        })
        .collect();
    let sentence =
        sentence(&classes_for_sentence, HEADLINE_WINDOW).unwrap_or_else(|e| e.to_string());
    Ok(ShocksView {
        benchmark: benchmark.to_string(),
        rule: crate::releases::RULE.to_string(),
        windows,
        classes: out,
        variants,
        sentence,
    })
}

fn title_of(classes: &BTreeMap<String, Vec<ShockEvent>>, key: &str) -> String {
    classes
        .values()
        .flatten()
        .find(|e| e.key == key)
        .map_or_else(|| key.to_string(), |e| e.title.clone())
}

/// Computes the view against the configured benchmark (and SOXX as the second) and stores it;
/// true when the stored result changed.
pub async fn store_view(pool: &PgPool, settings: &Settings) -> Result<bool, ShocksError> {
    let benchmark = crate::studies::study_benchmark(settings);
    let other = Symbol::parse("SOXX").ok().filter(|s| *s != benchmark);
    let view = compute(pool, settings, &benchmark, other.as_ref()).await?;
    let json = serde_json::to_value(&view)
        .map_err(|e| ShocksError::Invalid(format!("the pooled view as JSON: {e}")))?;
    Ok(jevons_store::pooled_results::save(pool, benchmark.as_str(), &json).await?)
}

/// The stored view of the configured benchmark, when the job has computed one.
pub async fn stored_view(
    pool: &PgPool,
    settings: &Settings,
) -> Result<Option<(ShocksView, chrono::DateTime<chrono::Utc>)>, ShocksError> {
    let benchmark = crate::studies::study_benchmark(settings);
    match jevons_store::pooled_results::load(pool, benchmark.as_str()).await? {
        Some((json, at)) => {
            let view: ShocksView = serde_json::from_value(json).map_err(|e| {
                ShocksError::Invalid(format!("the stored pooled view cannot be read: {e}"))
            })?;
            Ok(Some((view, at)))
        }
        None => Ok(None),
    }
}
