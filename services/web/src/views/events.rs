//! Page models of `/events` and `/events/{id}`: the list, an event's study tables.

use askama::Template;
use jevons_analytics::event_study::{EventStudy, Window};
use jevons_analytics::stats::stars;
use jevons_store::events::Event;

use crate::views::Nav;

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

pub(crate) fn event_row(e: &Event) -> EventRow {
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

/// A number cell of the study tables.
pub struct Cell {
    pub text: String,
    pub class: &'static str,
    pub stars: &'static str,
    pub detail: String,
}

pub(crate) fn pct_cell(v: f64, t: f64, p: f64) -> Cell {
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

pub(crate) fn fmt_p(p: f64) -> String {
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

pub(crate) fn study_tables(study: &EventStudy, selected: Window) -> StudyTables {
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
