//! `/events` (the list) and `/events/{id}` (an event's study), and the study charts the
//! story page shares.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, NaiveDate};
use jevons_analytics::event_study::{EventStudy, NormalModel, Window, event_study};
use jevons_core::{DateRange, Settings, Symbol};
use jevons_insights::studies::{study_symbols, timing_of};
use jevons_store::PgPool;
use jevons_store::events::{self as store_events, EventKind};
use serde::Deserialize;

use super::{EventsQuery, benchmark_or_default, filter_from, load_panel, parse_spec};
use crate::charts_events::{
    Line, LineChart, colour, date_ticks, day_x, line_chart_svg, plain_label, relative_days_svg,
};
use crate::error::AppError;
use crate::extract::{Query, empty_as_none};
use crate::routes::html;
use crate::views::Nav;
use crate::views::events::{
    CandidateRow, Choice, EventPage, EventsPage, KindOption, event_row, study_tables,
};

/// `GET /events?kind=&from=&to=&q=`
pub(crate) async fn events_page(
    Query(q): Query<EventsQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let filter = filter_from(&q)?;
    let list = store_events::list(pool, &filter).await?;
    let from = NaiveDate::from_ymd_opt(2023, 7, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap_or(NaiveDate::MAX);
    let candidates = store_events::candidate_releases(pool, from, to, 40).await?;
    let models_present = jevons_store::digest::table_exists(pool, "ai_models").await?;
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

/// The mean CAR path across the stocks with a 95% band (independent stocks: the variance of
/// the mean is the sum of the variances over N²).
pub(crate) fn mean_car_chart(study: &EventStudy, title: &str) -> String {
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
    let path: Vec<(i32, f64, f64)> = rels
        .iter()
        .map(|r| {
            let (sum, var) = by_rel[r];
            (*r, sum / nf, 1.96 * var.sqrt() / nf)
        })
        .collect();
    relative_days_svg(
        title,
        (720, 320),
        format!("mean CAR of {n} stocks"),
        0,
        &path,
        format!("day 0 {}", study.anchor.session),
    )
}

fn stock_car_chart(study: &EventStudy, symbol: &str) -> Option<String> {
    let s = study.stocks.iter().find(|s| s.symbol == symbol)?;
    let path: Vec<(i32, f64, f64)> = s.car_path.iter().map(|p| (p.rel, p.car, p.band)).collect();
    Some(relative_days_svg(
        &format!("{symbol}: CAR with 95% band"),
        (520, 280),
        symbol.to_string(),
        1,
        &path,
        "day 0".into(),
    ))
}

pub(crate) async fn price_chart(
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
pub(crate) async fn event_page(
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
