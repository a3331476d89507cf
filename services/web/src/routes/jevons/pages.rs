//! `GET /jevons`: the three series on one chart, the answer, the relations and the sources.

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use askama::Template;
use jevons_charts::timeline::{Marker, Panel, Series, Shape, Unit, panels_svg};
use jevons_core::Settings;
use jevons_insights::jevons::{self as insights, JevonsView};
use jevons_store::PgPool;

use super::{RangeQuery, range};
use crate::error::AppError;
use crate::extract::Query;
use crate::routes::html;
use crate::views::Nav;
use crate::views::jevons::*;

const COLORS: [&str; 6] = [
    "#1f4e9c", "#c0392b", "#2e7d32", "#8e44ad", "#d68910", "#5f6773",
];

pub(crate) fn chart(view: &JevonsView) -> String {
    let price_panel = Panel {
        title: "Cheapest price of a fixed capability (USD per 1M tokens, log scale)".into(),
        log_y: true,
        unit: Unit::UsdPerMTok,
        series: view
            .prices
            .iter()
            .filter_map(|p| p.poi.as_ref().map(|poi| (p, poi)))
            .filter(|(_, poi)| !poi.series.is_empty())
            .enumerate()
            .map(|(i, (p, poi))| Series {
                name: p.label.clone(),
                color: COLORS[i % COLORS.len()],
                shape: Shape::Step,
                points: poi
                    .series
                    .iter()
                    .map(|s| (s.date, s.usd_per_mtok))
                    .collect(),
            })
            .collect(),
    };
    let mut demand_series = vec![(&view.demand.hyperscaler_capex, "Hyperscaler capex")];
    if let Some(dc) = &view.demand.nvidia_data_center {
        demand_series.push((dc, "NVIDIA data-center revenue"));
    }
    let demand_panel = Panel {
        title: "Demand for compute, per calendar quarter (USD bn)".into(),
        log_y: false,
        unit: Unit::UsdBillions,
        series: demand_series
            .iter()
            .enumerate()
            .map(|(i, (d, name))| Series {
                name: (*name).to_string(),
                color: COLORS[i % COLORS.len()],
                shape: Shape::Line,
                points: d
                    .points
                    .iter()
                    .map(|p| (p.quarter.last_day(), p.value_usd / 1e9))
                    .collect(),
            })
            .collect(),
    };
    let stock_panel = Panel {
        title: "Chip stocks (100 = first day shown)".into(),
        log_y: false,
        unit: Unit::Index,
        series: view
            .stocks
            .iter()
            .enumerate()
            .map(|(i, s)| Series {
                name: s.symbol.clone(),
                color: COLORS[i % COLORS.len()],
                shape: Shape::Line,
                points: s.points.clone(),
            })
            .collect(),
    };
    let markers: Vec<Marker> = view
        .events
        .iter()
        .map(|e| Marker {
            day: e.date,
            label: e.name.clone(),
        })
        .collect();
    panels_svg(
        &[price_panel, demand_panel, stock_panel],
        &markers,
        view.from,
        view.to,
        1000,
    )
}

/// `GET /jevons?from=&to=`: the three series on one axis, the answer, the relation, sources.
pub(crate) async fn jevons_page(
    Query(q): Query<RangeQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let (from, to) = range(&q).map_err(AppError::BadRequest)?;
    let settings: Arc<Settings> = settings.into_inner();
    let view = insights::view(pool.get_ref(), &settings, from, to).await?;
    let mut demand = Vec::new();
    demand.extend(demand_row(
        "Hyperscaler capex",
        &view.demand.hyperscaler_capex,
    ));
    if let Some(dc) = &view.demand.nvidia_data_center {
        demand.extend(demand_row("NVIDIA data-center revenue", dc));
    }
    for d in view
        .demand
        .capex_by_buyer
        .iter()
        .chain(&view.demand.vendor_revenue)
    {
        demand.extend(demand_row(&d.name, d));
    }
    let mut sources = vec![SourceView {
        what: "Price of intelligence".into(),
        detail: "benchmark scores (Epoch AI Benchmarking Hub and runs, CC BY 4.0) × API prices (LiteLLM's price file, dated by its history; blended input:output as on /models)".into(),
        link: "/models".into(),
    }];
    for s in &view.demand_sources {
        sources.push(SourceView {
            what: format!("{} {}", s.symbol, s.metric.replace('_', " ")),
            detail: format!(
                "{} quarters to {}, {} filed with the SEC, {} from press releases",
                s.quarters,
                s.last_end,
                s.filed_quarters,
                s.quarters - s.filed_quarters
            ),
            link: format!(
                "/api/v1/fundamentals?symbol={}&metric={}&format=csv",
                s.symbol, s.metric
            ),
        });
    }
    for s in &view.stocks {
        sources.push(SourceView {
            what: format!("{} ({})", s.symbol, s.name),
            detail: format!(
                "daily adjusted closes, {} … {}",
                s.points
                    .first()
                    .map(|p| p.0.to_string())
                    .unwrap_or_default(),
                s.points.last().map(|p| p.0.to_string()).unwrap_or_default()
            ),
            link: format!("/tickers/{}", s.symbol),
        });
    }
    let page = JevonsPage {
        title: "Jevons: does cheaper AI raise the demand for chips?",
        nav: Nav::Jevons,
        from: view.from.to_string(),
        to: view.to.to_string(),
        answer: view.answer.clone(),
        chart: chart(&view),
        prices: view.prices.iter().map(price_row).collect(),
        demand,
        relations: view
            .relations
            .iter()
            .map(|r| relation_view(&r.relation))
            .collect(),
        sources,
        discrepancies: view
            .discrepancies
            .iter()
            .map(|d| SourceView {
                what: format!(
                    "{} {} {} (ended {})",
                    d.symbol,
                    d.metric.replace('_', " "),
                    d.fiscal_period,
                    d.period_end
                ),
                detail: format!(
                    "filed {} (form {}{}) against {} in the press release: {}",
                    billions(d.filed_value),
                    d.filed_form,
                    d.filed_accession
                        .as_deref()
                        .map_or_else(String::new, |a| format!(", accession {a}")),
                    billions(d.press_release_value),
                    billions(d.difference)
                ),
                link: d.press_release_url.clone().unwrap_or_default(),
            })
            .collect(),
        events: view.events.len(),
    };
    Ok(html(page.render()?))
}
