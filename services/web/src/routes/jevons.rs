//! The Jevons question: `/jevons` (page), `/api/v1/jevons`, `/api/v1/price-of-intelligence`
//! and `/api/v1/fundamentals`. Numbers come from `jevons_insights::jevons`; this file only reads
//! parameters and writes HTML, JSON or CSV.

use std::sync::Arc;

use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use jevons_analytics::demand::DemandSeries;
use jevons_analytics::jevons::{Elasticity, Relation};
use jevons_analytics::price_of_intelligence::{FitOutcome, PoiOptions};
use jevons_charts::timeline::{Marker, Panel, Series, Shape, Unit, panels_svg};
use jevons_core::fundamentals::Metric;
use jevons_core::{Settings, Symbol};
use jevons_insights::jevons::{
    self as insights, JevonsView, JevonsViewError, PriceSeries, Reference, ThresholdSpec,
};
use jevons_store::PgPool;
use serde::Deserialize;

use super::{Format, negotiate, present};
use crate::error::{AppError, ErrorBody};
use crate::extract::{Query, empty_as_none};
use crate::views::Nav;

pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/jevons", web::get().to(jevons_page));
}

pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/jevons", api_jevons);
    super::api_route(
        cfg,
        Method::GET,
        "/price-of-intelligence",
        api_price_of_intelligence,
    );
    super::api_route(cfg, Method::GET, "/fundamentals", api_fundamentals);
}

impl From<JevonsViewError> for AppError {
    fn from(e: JevonsViewError) -> Self {
        match e {
            JevonsViewError::Store(e) => AppError::Store(e),
            JevonsViewError::Invalid(m) => AppError::BadRequest(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    to: Option<NaiveDate>,
    /// json or csv; without it `Accept: text/csv` asks for CSV.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<Format>,
}

fn range(q: &RangeQuery) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let (from, to) = (q.from, q.to);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(format!("`from` ({f}) is after `to` ({t})"));
    }
    Ok((from, to))
}

fn csv_reply(
    name: &str,
    header: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<HttpResponse, AppError> {
    super::csv_attachment(name, header, rows)
}

// ---------------------------------------------------------------- API

/// `GET /api/v1/jevons?from=&to=&format=`: the page's series and statistics. CSV: every series
/// point in long form (series, date, value).
#[utoipa::path(
    get,
    path = "/api/v1/jevons",
    tag = "jevons",
    params(RangeQuery),
    responses(
        (status = 200, description = "The Jevons page's series and statistics; CSV: every series point in long form", content((serde_json::Value = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_jevons(
    req: HttpRequest,
    Query(q): Query<RangeQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let (from, to) = range(&q).map_err(AppError::BadRequest)?;
    let view = insights::view(pool.get_ref(), &settings, from, to).await?;
    match format {
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header((header::VARY, "Accept"))
            .json(&view)),
        Format::Csv => csv_reply(
            "jevons",
            &["series", "kind", "date", "value", "detail"],
            long_rows(&view),
        ),
    }
}

fn long_rows(view: &JevonsView) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for p in &view.prices {
        for s in p.poi.iter().flat_map(|poi| poi.series.iter()) {
            rows.push(vec![
                p.label.clone(),
                "usd_per_mtok".into(),
                s.date.to_string(),
                s.usd_per_mtok.to_string(),
                s.model.clone(),
            ]);
        }
    }
    let mut demand: Vec<&DemandSeries> = vec![&view.demand.hyperscaler_capex];
    demand.extend(view.demand.nvidia_data_center.iter());
    demand.extend(view.demand.capex_by_buyer.iter());
    demand.extend(view.demand.vendor_revenue.iter());
    for d in demand {
        for p in &d.points {
            rows.push(vec![
                d.name.clone(),
                d.metric.clone(),
                p.quarter.last_day().to_string(),
                p.value_usd.to_string(),
                p.quarter.to_string(),
            ]);
        }
    }
    for s in &view.stocks {
        for (day, v) in &s.points {
            rows.push(vec![
                s.symbol.clone(),
                "index_100".into(),
                day.to_string(),
                v.to_string(),
                String::new(),
            ]);
        }
    }
    rows
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PoiQuery {
    /// Required: the benchmark key or name, e.g. gpqa-diamond.
    benchmark: Option<String>,
    /// The score to reach (give this or `reference_model`).
    #[serde(default, deserialize_with = "empty_as_none")]
    threshold: Option<f64>,
    /// A model whose score is the level (give this or `threshold`).
    reference_model: Option<String>,
    /// First day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    to: Option<NaiveDate>,
    /// json or csv; without it `Accept: text/csv` asks for CSV.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<Format>,
}

/// `GET /api/v1/price-of-intelligence?benchmark=gpqa-diamond&threshold=0.5|reference_model=GPT-4o&from=&to=`:
/// the cheapest price at which a released model reaches the level, over time, and its fitted
/// decline per year. A level no model reaches gives an empty series and a message.
#[utoipa::path(
    get,
    path = "/api/v1/price-of-intelligence",
    tag = "jevons",
    params(PoiQuery),
    responses(
        (status = 200, description = "The cheapest price reaching the level over time and its fitted decline", content((serde_json::Value = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_price_of_intelligence(
    req: HttpRequest,
    Query(q): Query<PoiQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let benchmark = present(&q.benchmark)
        .ok_or_else(|| AppError::BadRequest("`benchmark` is required, e.g. gpqa-diamond".into()))?;
    let reference = match (q.threshold, present(&q.reference_model)) {
        (Some(t), None) => Reference::Score {
            score: Some(t).filter(|s| s.is_finite()).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "`threshold` must be a score such as 0.5, not `{t}`"
                ))
            })?,
        },
        (None, Some(m)) => Reference::Model { model: m },
        _ => {
            return Err(AppError::BadRequest(
                "give exactly one of `threshold` (a score) or `reference_model` (a model name)"
                    .into(),
            ));
        }
    };
    let (from, to) = (q.from, q.to);
    let spec = ThresholdSpec {
        benchmark,
        reference,
    };
    let options = PoiOptions {
        from,
        to,
        ..PoiOptions::default()
    };
    let series = insights::price_series(pool.get_ref(), &settings, &spec, &options).await?;
    match format {
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header((header::VARY, "Accept"))
            .json(&series)),
        Format::Csv => {
            let rows = series
                .poi
                .iter()
                .flat_map(|poi| {
                    poi.series.iter().map(|s| {
                        let fitted = poi.fitted.iter().any(|f| f.date == s.date);
                        vec![
                            s.date.to_string(),
                            s.model.clone(),
                            s.score.to_string(),
                            s.usd_per_mtok.to_string(),
                            s.price_effective.to_string(),
                            s.basis.as_str().to_string(),
                            fitted.to_string(),
                        ]
                    })
                })
                .collect();
            csv_reply(
                "price-of-intelligence",
                &[
                    "date",
                    "model",
                    "score",
                    "usd_per_mtok",
                    "price_effective",
                    "price_basis",
                    "fitted",
                ],
                rows,
            )
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FundamentalsQuery {
    /// The company; without it, the list of stored series.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    symbol: Option<Symbol>,
    /// Required with `symbol`: revenue, capex, data_center_revenue …
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    metric: Option<Metric>,
    /// Quarters ending on or after this day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// Quarters ending on or before this day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    to: Option<NaiveDate>,
    /// json or csv; without it `Accept: text/csv` asks for CSV.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<Format>,
}

/// `GET /api/v1/fundamentals?symbol=NVDA&metric=data_center_revenue&from=&to=`: the current
/// quarterly series (a filed value over a press-release one) with provenance. Without a symbol:
/// the list of stored series.
#[utoipa::path(
    get,
    path = "/api/v1/fundamentals",
    tag = "jevons",
    params(FundamentalsQuery),
    responses(
        (status = 200, description = "The quarterly series with provenance, or the list of stored series", content((serde_json::Value = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 404, description = "Nothing of that name or id", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_fundamentals(
    req: HttpRequest,
    Query(q): Query<FundamentalsQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let series = jevons_store::fundamentals::series(pool.get_ref()).await?;
    let Some(symbol) = q.symbol else {
        return match format {
            Format::Json => Ok(HttpResponse::Ok().json(&series)),
            Format::Csv => csv_reply(
                "fundamentals-series",
                &[
                    "symbol",
                    "metric",
                    "quarters",
                    "first_end",
                    "last_end",
                    "filed_quarters",
                ],
                series
                    .iter()
                    .map(|s| {
                        vec![
                            s.symbol.clone(),
                            s.metric.clone(),
                            s.quarters.to_string(),
                            s.first_end.to_string(),
                            s.last_end.to_string(),
                            s.filed_quarters.to_string(),
                        ]
                    })
                    .collect(),
            ),
        };
    };
    let metric = q.metric.ok_or_else(|| {
        AppError::BadRequest(
            "`metric` is required with `symbol` (revenue, capex, data_center_revenue …)".into(),
        )
    })?;
    if !series.iter().any(|s| s.symbol == symbol.as_str()) {
        return Err(AppError::NotFound(format!(
            "no quarterly figures for {symbol}"
        )));
    }
    if !series
        .iter()
        .any(|s| s.symbol == symbol.as_str() && s.metric == metric.as_str())
    {
        let known: Vec<&str> = series
            .iter()
            .filter(|s| s.symbol == symbol.as_str())
            .map(|s| s.metric.as_str())
            .collect();
        return Err(AppError::BadRequest(format!(
            "no `{}` figures for {symbol}; it has: {}",
            metric.as_str(),
            known.join(", ")
        )));
    }
    let (from, to) = (q.from, q.to);
    let facts =
        jevons_store::fundamentals::current_series(pool.get_ref(), &symbol, &metric, from, to)
            .await?;
    match format {
        Format::Json => Ok(HttpResponse::Ok()
            .insert_header((header::VARY, "Accept"))
            .json(serde_json::json!({ "symbol": symbol.as_str(), "metric": metric.as_str(), "quarters": facts }))),
        Format::Csv => csv_reply(
            &format!("{symbol}-{}", metric.as_str()),
            &[
                "symbol", "metric", "fiscal_period", "period_start", "period_end", "value_usd", "unit",
                "filed", "form", "provenance", "source", "source_url", "accession",
            ],
            facts
                .iter()
                .map(|f| {
                    let f = &f.fact;
                    vec![
                        f.symbol.to_string(),
                        f.metric.as_str().to_string(),
                        f.fiscal_period.to_string(),
                        f.period_start.to_string(),
                        f.period_end.to_string(),
                        f.value.to_string(),
                        f.unit.clone(),
                        f.filed.map(|d| d.to_string()).unwrap_or_default(),
                        f.form.clone(),
                        f.provenance.as_str().to_string(),
                        f.source.clone(),
                        f.source_url.clone().unwrap_or_default(),
                        f.accession.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
    }
}

// ---------------------------------------------------------------- page

pub struct PriceRowView {
    pub label: String,
    pub decline: String,
    pub ci: String,
    pub n: String,
    pub window: String,
    pub basis: String,
    pub latest: String,
    pub note: String,
    pub api: String,
}

pub struct DemandRowView {
    pub name: String,
    pub quarter: String,
    pub value: String,
    pub qoq: String,
    pub yoy: String,
    pub trailing: String,
    pub members: String,
}

pub struct RelationView {
    pub demand: String,
    pub elasticity: String,
    pub lags: Vec<(String, String)>,
    pub events: Vec<EventRowView>,
}

pub struct EventRowView {
    pub event: String,
    pub date: String,
    pub before: String,
    pub after: String,
    pub change: String,
}

pub struct SourceView {
    pub what: String,
    pub detail: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "jevons.html")]
struct JevonsPage {
    title: &'static str,
    nav: Nav,
    from: String,
    to: String,
    answer: String,
    chart: String,
    prices: Vec<PriceRowView>,
    demand: Vec<DemandRowView>,
    relations: Vec<RelationView>,
    sources: Vec<SourceView>,
    discrepancies: Vec<SourceView>,
    events: usize,
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| jevons_charts::signed_pct(v * 100.0))
}

fn factor(f: f64) -> String {
    if f >= 10.0 {
        format!("{f:.0}×")
    } else {
        format!("{f:.1}×")
    }
}

fn billions(v: f64) -> String {
    format!("${:.1}B", v / 1e9)
}

fn price_row(p: &PriceSeries) -> PriceRowView {
    let api = match &p.spec.reference {
        Reference::Score { score } => format!(
            "/api/v1/price-of-intelligence?benchmark={}&threshold={score}",
            p.benchmark
        ),
        Reference::Model { model } => format!(
            "/api/v1/price-of-intelligence?benchmark={}&reference_model={}",
            p.benchmark,
            url_component(model)
        ),
    };
    let mut row = PriceRowView {
        label: p.label.clone(),
        decline: "–".into(),
        ci: String::new(),
        n: String::new(),
        window: String::new(),
        basis: String::new(),
        latest: String::new(),
        note: p.message.clone().unwrap_or_default(),
        api,
    };
    let Some(poi) = &p.poi else {
        return row;
    };
    if let Some(last) = poi.series.last() {
        row.latest = format!(
            "${:.3} ({}, since {})",
            last.usd_per_mtok, last.model, last.date
        );
    }
    if let FitOutcome::Fitted(f) = &poi.fit {
        row.decline = if f.factor_per_year >= 1.0 {
            format!("{} cheaper per year", factor(f.factor_per_year))
        } else {
            format!("{} dearer per year", factor(1.0 / f.factor_per_year))
        };
        row.ci = format!("{} … {}", factor(f.factor_ci_low), factor(f.factor_ci_high));
        row.n = f.n.to_string();
        row.window = format!("{} … {}", f.first, f.last);
        row.basis = format!(
            "{} dated, {} back-filled",
            poi.fitted_dated, poi.fitted_backfilled
        );
    }
    row
}

fn url_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn demand_row(name: &str, d: &DemandSeries) -> Option<DemandRowView> {
    let p = d.latest()?;
    Some(DemandRowView {
        name: name.to_string(),
        quarter: p.quarter.to_string(),
        value: billions(p.value_usd),
        qoq: pct(p.qoq),
        yoy: pct(p.yoy),
        trailing: p.trailing_4q_usd.map_or_else(|| "–".into(), billions),
        members: if d.members.len() > 1 {
            format!("{} of {}", p.present, d.members.join(", "))
        } else {
            d.members.join(", ")
        },
    })
}

fn relation_view(r: &Relation) -> RelationView {
    let elasticity = match &r.elasticity {
        Elasticity::Estimated(e) => format!(
            "{:+.2} (95% CI {:+.2} … {:+.2}, N = {} quarters{})",
            e.slope,
            e.ci_low,
            e.ci_high,
            e.n,
            e.r2.map_or_else(String::new, |r2| format!(", R² = {r2:.2}"))
        ),
        Elasticity::NotEstimated(why) => format!("not estimated: {why:?}"),
    };
    RelationView {
        demand: r.demand.clone(),
        elasticity,
        lags: r
            .lead_lag
            .iter()
            .map(|l| {
                (
                    format!("{:+}", l.lag),
                    l.corr.map_or_else(
                        || format!("– (N = {})", l.n),
                        |c| format!("{c:+.2} (N = {})", l.n),
                    ),
                )
            })
            .collect(),
        events: r
            .events
            .iter()
            .filter(|e| e.before.present > 0 || e.after.present > 0)
            .map(|e| EventRowView {
                event: e.event.clone(),
                date: e.date.to_string(),
                before: side(&e.before),
                after: side(&e.after),
                change: pct(e.level_change),
            })
            .collect(),
    }
}

fn side(s: &jevons_analytics::jevons::EventSide) -> String {
    let sum = s.sum_usd.map_or_else(|| "–".into(), billions);
    let growth = s.mean_log_growth.map_or_else(String::new, |g| {
        format!(", {} a quarter", pct(Some(g.exp() - 1.0)))
    });
    format!("{sum} ({} of 4 quarters{growth})", s.present)
}

const COLORS: [&str; 6] = [
    "#1f4e9c", "#c0392b", "#2e7d32", "#8e44ad", "#d68910", "#5f6773",
];

fn chart(view: &JevonsView) -> String {
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
async fn jevons_page(
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
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}
