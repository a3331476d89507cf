//! `/api/v1/jevons`, `/api/v1/price-of-intelligence` and `/api/v1/fundamentals`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use jevons_analytics::demand::DemandSeries;
use jevons_analytics::export::{Table, Values};
use jevons_analytics::price_of_intelligence::{PoiOptions, StepPoint};
use jevons_core::Settings;
use jevons_core::Symbol;
use jevons_core::fundamentals::Metric;
use jevons_insights::jevons::{self as insights, JevonsView, Reference, ThresholdSpec};
use jevons_store::PgPool;
use serde::Deserialize;

use super::{RangeQuery, range};
use crate::error::AppError;
use crate::extract::{Query, empty_as_none};
use crate::openapi::{BadParam, NotFound, ParquetFile, ServerErrors};
use crate::routes::{
    Format, SeriesFormat, csv_attachment, negotiate, negotiate_series, negotiated_json,
    parquet_attachment, present,
};

/// `GET /api/v1/jevons?from=&to=&format=`: the page's series and statistics. CSV: every series
/// point in long form (series, date, value).
#[utoipa::path(
    get,
    path = "/api/v1/jevons",
    tag = "jevons",
    params(RangeQuery),
    responses(
        (status = 200, description = "The Jevons page's series and statistics; CSV: every series point in long form", content((serde_json::Value = "application/json"), (String = "text/csv"))),
        BadParam,
        ServerErrors,
    )
)]
pub(crate) async fn api_jevons(
    req: HttpRequest,
    Query(q): Query<RangeQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let (from, to) = range(&q).map_err(AppError::BadRequest)?;
    let view = insights::view(pool.get_ref(), &settings, from, to).await?;
    match format {
        Format::Json => Ok(negotiated_json(&view)),
        Format::Csv => csv_attachment(
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
    /// json, csv or parquet (one row per step of the series); without it `Accept: text/csv` or
    /// `Accept: application/vnd.apache.parquet` asks for that.
    #[serde(default, deserialize_with = "empty_as_none")]
    format: Option<SeriesFormat>,
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
        (status = 200, description = "The cheapest price reaching the level over time and its fitted decline; CSV and Parquet: one row per step", content((serde_json::Value = "application/json"), (String = "text/csv"), (ParquetFile = "application/vnd.apache.parquet"))),
        BadParam,
        ServerErrors,
    )
)]
pub(crate) async fn api_price_of_intelligence(
    req: HttpRequest,
    Query(q): Query<PoiQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate_series(q.format, &req);
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
    if format == SeriesFormat::Json {
        return Ok(negotiated_json(&series));
    }
    // One row per step of the series; `fitted`: the point is one the decline was fitted on.
    let steps: Vec<(&StepPoint, bool)> = series
        .poi
        .iter()
        .flat_map(|poi| {
            poi.series
                .iter()
                .map(|s| (s, poi.fitted.iter().any(|f| f.date == s.date)))
        })
        .collect();
    const NAME: &str = "price-of-intelligence";
    const COLUMNS: [&str; 7] = [
        "date",
        "model",
        "score",
        "usd_per_mtok",
        "price_effective",
        "price_basis",
        "fitted",
    ];
    if format == SeriesFormat::Parquet {
        let col = |f: fn(&StepPoint) -> f64| steps.iter().map(|(s, _)| Some(f(s))).collect();
        let text = |f: fn(&StepPoint) -> String| steps.iter().map(|(s, _)| Some(f(s))).collect();
        let table = Table::default()
            .with(
                COLUMNS[0],
                Values::Date(steps.iter().map(|(s, _)| Some(s.date)).collect()),
            )
            .with(COLUMNS[1], Values::Text(text(|s| s.model.clone())))
            .with(COLUMNS[2], Values::Float(col(|s| s.score)))
            .with(COLUMNS[3], Values::Float(col(|s| s.usd_per_mtok)))
            .with(
                COLUMNS[4],
                Values::Date(steps.iter().map(|(s, _)| Some(s.price_effective)).collect()),
            )
            .with(
                COLUMNS[5],
                Values::Text(text(|s| s.basis.as_str().to_string())),
            )
            .with(
                COLUMNS[6],
                Values::Bool(steps.iter().map(|(_, f)| Some(*f)).collect()),
            );
        return parquet_attachment(NAME, &table);
    }
    let rows = steps.iter().map(|(s, fitted)| {
        [
            s.date.to_string(),
            s.model.clone(),
            s.score.to_string(),
            s.usd_per_mtok.to_string(),
            s.price_effective.to_string(),
            s.basis.as_str().to_string(),
            fitted.to_string(),
        ]
    });
    csv_attachment(NAME, &COLUMNS, rows)
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
        BadParam,
        NotFound,
        ServerErrors,
    )
)]
pub(crate) async fn api_fundamentals(
    req: HttpRequest,
    Query(q): Query<FundamentalsQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let format = negotiate(q.format, &req);
    let series = jevons_store::fundamentals::series(pool.get_ref()).await?;
    let Some(symbol) = q.symbol else {
        return match format {
            Format::Json => Ok(HttpResponse::Ok().json(&series)),
            Format::Csv => csv_attachment(
                "fundamentals-series",
                &[
                    "symbol",
                    "metric",
                    "quarters",
                    "first_end",
                    "last_end",
                    "filed_quarters",
                ],
                series.iter().map(|s| {
                    vec![
                        s.symbol.clone(),
                        s.metric.clone(),
                        s.quarters.to_string(),
                        s.first_end.to_string(),
                        s.last_end.to_string(),
                        s.filed_quarters.to_string(),
                    ]
                }),
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
        Format::Json => Ok(negotiated_json(
            serde_json::json!({ "symbol": symbol.as_str(), "metric": metric.as_str(), "quarters": facts }),
        )),
        Format::Csv => csv_attachment(
            &format!("{symbol}-{}", metric.as_str()),
            &[
                "symbol",
                "metric",
                "fiscal_period",
                "period_start",
                "period_end",
                "value_usd",
                "unit",
                "filed",
                "form",
                "provenance",
                "source",
                "source_url",
                "accession",
            ],
            facts.iter().map(|f| {
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
            }),
        ),
    }
}
