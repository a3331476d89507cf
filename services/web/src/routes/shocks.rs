//! Pooled event studies by event class: `/shocks` and `/api/v1/shocks`. The numbers are the
//! ones the `events.study` job stored (`jevons_insights::shocks`); nothing is recomputed here.

use actix_web::http::Method;
use actix_web::{HttpResponse, web};
use askama::Template;
use jevons_analytics::event_study::Window;
use jevons_analytics::pooled::{PooledStudy, Test};
use jevons_core::Settings;
use jevons_insights::shocks::{self, ShocksError, ShocksView};
use jevons_store::PgPool;
use serde::Deserialize;

use super::{html, negotiated_json, present};
use crate::charts_events::relative_days_svg;
use crate::error::AppError;
use crate::extract::Query;
use crate::openapi::{BadParam, NotFound, ServerErrors};
use crate::views::Nav;

pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/shocks", web::get().to(shocks_page));
}

pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/shocks", api_shocks);
}

/// The stored view could not be read: the database's fault or ours, never the client's.
fn store_err(e: ShocksError) -> AppError {
    match e {
        ShocksError::Store(e) => AppError::Store(e),
        other => AppError::Internal(other.to_string()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShocksQuery {
    /// Only this event class, e.g. efficiency.
    class: Option<String>,
    /// Only this pooled window, start,end, e.g. 0,1.
    window: Option<String>,
}

/// `start,end` as a window among those pooled.
fn parse_window(raw: &str, view: &ShocksView) -> Result<Window, String> {
    let (a, b) = raw
        .split_once(',')
        .ok_or_else(|| format!("`window` must be start,end such as 0,1, not `{raw}`"))?;
    let w = Window {
        start: a
            .trim()
            .parse()
            .map_err(|_| format!("`window`: `{a}` is not a day"))?,
        end: b
            .trim()
            .parse()
            .map_err(|_| format!("`window`: `{b}` is not a day"))?,
    };
    if view.windows.contains(&w) {
        Ok(w)
    } else {
        let known: Vec<String> = view
            .windows
            .iter()
            .map(|w| format!("{},{}", w.start, w.end))
            .collect();
        Err(format!(
            "`window` {},{} is not pooled; choose one of {}",
            w.start,
            w.end,
            known.join(" ")
        ))
    }
}

/// `GET /api/v1/shocks?class=efficiency&window=0,1`: the stored pooled studies (every class, or
/// one), as JSON.
#[utoipa::path(
    get,
    path = "/api/v1/shocks",
    tag = "events",
    params(ShocksQuery),
    responses(
        (status = 200, description = "The stored pooled studies", body = serde_json::Value),
        BadParam,
        NotFound,
        ServerErrors,
    )
)]
async fn api_shocks(
    Query(q): Query<ShocksQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let Some((mut view, computed_at)) = shocks::stored_view(pool.get_ref(), &settings)
        .await
        .map_err(store_err)?
    else {
        return Err(AppError::NotFound(
            "no pooled studies are stored yet: the events.study job computes them (jevons jobs run events.study)".into(),
        ));
    };
    if let Some(class) = present(&q.class) {
        if !view.classes.iter().any(|c| c.class == class) {
            let known: Vec<&str> = view.classes.iter().map(|c| c.class.as_str()).collect();
            return Err(AppError::BadRequest(format!(
                "`class` {class} is unknown; the classes are {}",
                known.join(", ")
            )));
        }
        view.classes.retain(|c| c.class == class);
    }
    if let Some(raw) = present(&q.window) {
        let w = parse_window(&raw, &view).map_err(AppError::BadRequest)?;
        for c in &mut view.classes {
            if let Some(s) = c.study.as_mut() {
                s.windows.retain(|p| p.window == w);
            }
        }
    }
    Ok(negotiated_json(
        serde_json::json!({ "computed_at": computed_at, "view": view }),
    ))
}

pub struct WindowRowView {
    pub window: String,
    pub n: usize,
    pub caar: String,
    pub cross: String,
    pub bmp: String,
    pub kp: String,
    pub sign: String,
    pub corrado: String,
}

pub struct EventRowView {
    pub day: String,
    pub title: String,
    pub detail: String,
    pub url: String,
    pub stocks: String,
    pub headline_car: String,
    pub cluster: String,
}

pub struct ClassView {
    pub class: String,
    pub events: usize,
    pub pending: usize,
    pub observations: String,
    pub message: String,
    pub windows: Vec<WindowRowView>,
    pub chart: String,
    pub rows: Vec<EventRowView>,
    pub notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "shocks.html")]
struct ShocksPage {
    title: &'static str,
    nav: Nav,
    stored: bool,
    computed_at: String,
    benchmark: String,
    rule: String,
    sentence: String,
    classes: Vec<ClassView>,
    variants: Vec<(String, Vec<WindowRowView>, String)>,
}

fn test(t: &Test) -> String {
    if t.statistic.is_finite() {
        format!("{:+.2} (p = {:.3})", t.statistic, t.p)
    } else {
        "–".into()
    }
}

fn window_rows(s: &PooledStudy<String>) -> Vec<WindowRowView> {
    s.windows
        .iter()
        .map(|w| WindowRowView {
            window: format!("[{:+}, {:+}]", w.window.start, w.window.end),
            n: w.n,
            caar: jevons_charts::signed_pct(w.caar * 100.0),
            cross: test(&w.cross_sectional),
            bmp: test(&w.bmp),
            kp: test(&w.kolari_pynnonen),
            sign: format!("{} ({} of {} positive)", test(&w.sign), w.positive, w.n),
            corrado: test(&w.corrado),
        })
        .collect()
}

fn caar_chart(class: &str, s: &PooledStudy<String>) -> String {
    let path: Vec<(i32, f64, f64)> = s.path.iter().map(|p| (p.rel, p.caar, p.band)).collect();
    relative_days_svg(
        &format!("CAAR of the vendors around {class} events, with a 95% band"),
        (720, 300),
        "CAAR".into(),
        0,
        &path,
        "day 0".into(),
    )
}

/// `GET /shocks`: the stored pooled studies, the sentence, the rule and the robustness checks.
async fn shocks_page(
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let stored = shocks::stored_view(pool.get_ref(), &settings)
        .await
        .map_err(store_err)?;
    let page = match stored {
        None => ShocksPage {
            title: "Do efficiency shocks move chip stocks?",
            nav: Nav::Shocks,
            stored: false,
            computed_at: String::new(),
            benchmark: String::new(),
            rule: jevons_insights::releases::RULE.to_string(),
            sentence: String::new(),
            classes: Vec::new(),
            variants: Vec::new(),
        },
        Some((view, at)) => ShocksPage {
            title: "Do efficiency shocks move chip stocks?",
            nav: Nav::Shocks,
            stored: true,
            computed_at: at.format("%Y-%m-%d %H:%M UTC").to_string(),
            benchmark: view.benchmark.clone(),
            rule: view.rule.clone(),
            sentence: view.sentence.clone(),
            classes: view
                .classes
                .iter()
                .map(|c| {
                    let headline = view
                        .windows
                        .iter()
                        .position(|w| *w == shocks::HEADLINE_WINDOW);
                    ClassView {
                        class: c.class.clone(),
                        events: c.events.len(),
                        pending: c.pending,
                        observations: c
                            .study
                            .as_ref()
                            .map_or_else(String::new, |s| s.observations.to_string()),
                        message: c.message.clone().unwrap_or_default(),
                        windows: c.study.as_ref().map(window_rows).unwrap_or_default(),
                        chart: c
                            .study
                            .as_ref()
                            .map(|s| caar_chart(&c.class, s))
                            .unwrap_or_default(),
                        rows: c
                            .events
                            .iter()
                            .map(|e| {
                                let row = c
                                    .study
                                    .as_ref()
                                    .and_then(|s| s.rows.iter().find(|r| r.event == e.key));
                                EventRowView {
                                    day: e.day.to_string(),
                                    title: e.title.clone(),
                                    detail: e.detail.clone(),
                                    url: e.url.clone(),
                                    stocks: row.map_or_else(
                                        || "pending or left out".into(),
                                        |r| r.stocks.to_string(),
                                    ),
                                    headline_car: row
                                        .and_then(|r| headline.and_then(|j| r.mean_car.get(j)))
                                        .map_or_else(
                                            || "–".into(),
                                            |m| jevons_charts::signed_pct(m.mean_car * 100.0),
                                        ),
                                    cluster: row
                                        .and_then(|r| r.cluster)
                                        .map_or_else(String::new, |k| format!("cluster {}", k + 1)),
                                }
                            })
                            .collect(),
                        notes: c
                            .study
                            .as_ref()
                            .map(|s| s.notes.clone())
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            variants: view
                .variants
                .iter()
                .map(|v| {
                    (
                        v.label.clone(),
                        v.study.as_ref().map(window_rows).unwrap_or_default(),
                        v.message.clone().unwrap_or_default(),
                    )
                })
                .collect(),
        },
    };
    Ok(html(page.render()?))
}
