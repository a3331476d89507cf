//! `GET /story/deepseek`: the DeepSeek shock told from the stored data.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use jevons_analytics::anchoring::EventTiming;
use jevons_analytics::event_study::{EventStudy, GroupTest, StudySpec, Window, event_study};
use jevons_analytics::stats::stars;
use jevons_core::Settings;
use jevons_insights::studies::{study_benchmark, study_symbols};
use jevons_store::PgPool;
use jevons_store::events::{self as store_events, EventFilter, EventKind};

use super::events::load_panel;
use super::events::pages::{mean_car_chart, price_chart};
use crate::error::AppError;
use crate::routes::html;
use crate::views::Nav;
use crate::views::events::study_tables;
use crate::views::story::{ModelRow, NewsRow, StoryPage, TimelineRow};

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/story/deepseek", web::get().to(story_page));
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
