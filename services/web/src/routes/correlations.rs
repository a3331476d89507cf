//! Correlations: `GET /api/v1/correlations` and the `/correlations` page, both from
//! [`correlations`] (matrix, rolling beta/correlation, news lead/lag).

use actix_web::http::Method;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, NaiveDate};
use jevons_analytics::correlation::{
    self, CorrelationMatrix, LagCorrelation, ROLLING_WINDOWS, RollingPoint,
};
use jevons_analytics::returns::ReturnPanel;
use jevons_analytics::stats::stars;
use jevons_core::{Settings, Symbol};
use jevons_store::PgPool;
use jevons_store::events as store_events;
use serde::{Deserialize, Serialize};

use super::events::{benchmark_or_default, load_panel, parse_symbols};
use crate::charts_events::{
    Line, LineChart, colour, date_ticks, day_x, heatmap_svg, line_chart_svg, plain_label,
};
use crate::error::AppError;
use crate::extract::{Query, empty_as_none};
use crate::openapi::{BadParam, ServerErrors};
use crate::routes::html;
use crate::views::Nav;
use crate::views::correlations::{CorrelationsPage, LagRow};
use crate::views::events::{Choice, fmt_p};

/// Routes under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/correlations", api_correlations);
}

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/correlations", web::get().to(correlations_page));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CorrQuery {
    /// Comma-separated symbols (at most 40); the watchlist vendors when absent.
    symbols: Option<String>,
    /// The benchmark of the rolling beta; SPY when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    benchmark: Option<Symbol>,
    /// Rolling window in sessions: 20, 60 (default) or 120.
    #[serde(default, deserialize_with = "empty_as_none")]
    window: Option<usize>,
    /// First day, YYYY-MM-DD; a year before `to` when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD; the last session when absent.
    #[serde(default, deserialize_with = "empty_as_none")]
    to: Option<NaiveDate>,
    /// The symbol whose news counts and stance are lagged against its returns.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    news_symbol: Option<Symbol>,
}

/// What the correlations API and page compute.
struct Correlations {
    panel: ReturnPanel,
    from: NaiveDate,
    to: NaiveDate,
    window: usize,
    matrix: CorrelationMatrix,
    rolling: Vec<(String, Vec<RollingPoint>)>,
    lead_lag: LeadLag,
}

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum LeadLag {
    /// The news tables do not exist (news not set up).
    NoNewsTables,
    /// No article about the symbol in the period.
    NoNews { symbol: String },
    Computed {
        symbol: String,
        news_days: usize,
        counts: Vec<LagCorrelation>,
        stance: Vec<LagCorrelation>,
    },
}

async fn correlations(
    pool: &PgPool,
    settings: &Settings,
    q: &CorrQuery,
) -> Result<Correlations, AppError> {
    let symbols = parse_symbols(q.symbols.as_deref(), settings)?;
    let benchmark = benchmark_or_default(q.benchmark.as_ref(), settings);
    let window = match q.window {
        None => 60,
        Some(w) if ROLLING_WINDOWS.contains(&w) => w,
        Some(_) => {
            return Err(AppError::BadRequest("window must be 20, 60 or 120".into()));
        }
    };
    let panel = load_panel(pool, &symbols, &benchmark).await?;
    let last = panel
        .calendar
        .last()
        .copied()
        .ok_or_else(|| AppError::BadRequest("no sessions".into()))?;
    let to = q.to.unwrap_or(last);
    let from = q.from.unwrap_or(to - Duration::days(365));
    if from > to {
        return Err(AppError::BadRequest(format!(
            "from {from} is after to {to}"
        )));
    }
    let matrix = correlation::correlation_matrix(&panel, from, to)?;
    let rolling = panel
        .symbols
        .iter()
        .zip(&panel.returns)
        .map(|(s, r)| {
            let pts: Vec<RollingPoint> = correlation::rolling_beta_corr(&panel, r, window)
                .into_iter()
                .filter(|p| p.day >= from && p.day <= to)
                .collect();
            (s.clone(), pts)
        })
        .collect();
    let news_symbol = match &q.news_symbol {
        Some(s) => s.clone(),
        None => symbols
            .first()
            .cloned()
            .unwrap_or_else(|| benchmark.clone()),
    };
    let lead_lag = lead_lag_for(pool, &panel, &news_symbol, from, to).await?;
    Ok(Correlations {
        panel,
        from,
        to,
        window,
        matrix,
        rolling,
        lead_lag,
    })
}

/// News counts and mean stance per session (news on a non-session day counts for the next
/// session) against the symbol's returns, lags −5…+5.
async fn lead_lag_for(
    pool: &PgPool,
    panel: &ReturnPanel,
    symbol: &Symbol,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<LeadLag, AppError> {
    let Some(days) = store_events::news_daily(pool, symbol.as_str(), from, to).await? else {
        return Ok(LeadLag::NoNewsTables);
    };
    let Some(idx) = panel.index_of(symbol.as_str()) else {
        return Ok(LeadLag::NoNews {
            symbol: symbol.to_string(),
        });
    };
    if days.is_empty() {
        return Ok(LeadLag::NoNews {
            symbol: symbol.to_string(),
        });
    }
    let lo = panel.calendar.partition_point(|d| *d < from);
    let hi = panel.calendar.partition_point(|d| *d <= to);
    let n = hi - lo;
    let mut counts = vec![0.0; n];
    let mut stance_sum = vec![0.0; n];
    let mut stance_n = vec![0.0; n];
    for d in &days {
        let i = panel.calendar.partition_point(|c| *c < d.day);
        if i >= lo && i < hi {
            counts[i - lo] += d.articles as f64;
            if let Some(s) = d.mean_stance {
                stance_sum[i - lo] += s * d.articles as f64;
                stance_n[i - lo] += d.articles as f64;
            }
        }
    }
    let stance: Vec<f64> = stance_sum
        .iter()
        .zip(&stance_n)
        .map(|(s, n)| if *n > 0.0 { s / n } else { f64::NAN })
        .collect();
    let returns = &panel.returns[idx][lo..hi];
    Ok(LeadLag::Computed {
        symbol: symbol.to_string(),
        news_days: days.len(),
        counts: correlation::lead_lag(&counts, returns, 5),
        stance: correlation::lead_lag(&stance, returns, 5),
    })
}

#[derive(Serialize)]
struct CorrJson<'a> {
    benchmark: &'a str,
    from: NaiveDate,
    to: NaiveDate,
    window: usize,
    matrix: &'a CorrelationMatrix,
    rolling: Vec<RollingJson<'a>>,
    lead_lag: &'a LeadLag,
}

#[derive(Serialize)]
struct RollingJson<'a> {
    symbol: &'a str,
    points: &'a [RollingPoint],
}

/// `GET /api/v1/correlations?symbols=&benchmark=&window=&from=&to=&news_symbol=`
#[utoipa::path(
    get,
    path = "/api/v1/correlations",
    tag = "events",
    params(CorrQuery),
    responses(
        (status = 200, description = "Correlation matrix, rolling beta/correlation and news lead/lag", body = serde_json::Value),
        BadParam,
        ServerErrors,
    )
)]
async fn api_correlations(
    Query(q): Query<CorrQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let c = correlations(pool.get_ref(), &settings, &q).await?;
    Ok(HttpResponse::Ok().json(CorrJson {
        benchmark: &c.panel.benchmark,
        from: c.from,
        to: c.to,
        window: c.window,
        matrix: &c.matrix,
        rolling: c
            .rolling
            .iter()
            .map(|(s, p)| RollingJson {
                symbol: s,
                points: p,
            })
            .collect(),
        lead_lag: &c.lead_lag,
    }))
}

fn rolling_chart(c: &Correlations, title: &str, beta: bool) -> String {
    let days: Vec<NaiveDate> = c
        .rolling
        .iter()
        .max_by_key(|(_, p)| p.len())
        .map(|(_, p)| p.iter().map(|x| x.day).collect())
        .unwrap_or_default();
    line_chart_svg(&LineChart {
        title,
        width: 960,
        height: 340,
        lines: c
            .rolling
            .iter()
            .enumerate()
            .map(|(i, (s, pts))| Line {
                label: s.clone(),
                colour: colour(i),
                points: pts
                    .iter()
                    .map(|p| (day_x(p.day), if beta { p.beta } else { p.corr }))
                    .collect(),
            })
            .collect(),
        band: Vec::new(),
        x_ticks: date_ticks(&days, 6),
        markers: Vec::new(),
        y_format: plain_label,
        zero_line: !beta,
    })
}

fn lag_text(l: &LagCorrelation) -> String {
    if l.corr.is_finite() {
        format!("{:+.3}{} (p {}, n {})", l.corr, stars(l.p), fmt_p(l.p), l.n)
    } else {
        format!("– (n {})", l.n)
    }
}

/// `GET /correlations?benchmark=&from=&to=&window=&symbols=&news_symbol=`
async fn correlations_page(
    Query(q): Query<CorrQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let c = correlations(pool.get_ref(), &settings, &q).await?;
    let (news_note, lag_rows, news_symbol) = match &c.lead_lag {
        LeadLag::NoNewsTables => (
            "The news tables are not set up, so there is no news series to compare.".to_string(),
            Vec::new(),
            String::new(),
        ),
        LeadLag::NoNews { symbol } => (
            format!("No stored article mentions {symbol} in this period."),
            Vec::new(),
            symbol.clone(),
        ),
        LeadLag::Computed {
            symbol,
            news_days,
            counts,
            stance,
        } => (
            format!(
                "{news_days} day(s) with news about {symbol}. A positive lag means the news series leads {symbol}'s returns by that many sessions."
            ),
            counts
                .iter()
                .zip(stance)
                .map(|(a, b)| LagRow {
                    lag: a.lag,
                    counts: lag_text(a),
                    stance: lag_text(b),
                })
                .collect(),
            symbol.clone(),
        ),
    };
    let page = CorrelationsPage {
        title: "Correlations",
        nav: Nav::Correlations,
        benchmark: c.panel.benchmark.clone(),
        from: c.from.to_string(),
        to: c.to.to_string(),
        days: c.matrix.days,
        window: c.window,
        windows: ROLLING_WINDOWS
            .iter()
            .map(|w| Choice {
                value: w.to_string(),
                selected: *w == c.window,
            })
            .collect(),
        heatmap: heatmap_svg(&c.matrix.symbols, &c.matrix.values, 44),
        beta_chart: rolling_chart(
            &c,
            &format!(
                "Rolling {}-day beta against {}",
                c.window, c.panel.benchmark
            ),
            true,
        ),
        corr_chart: rolling_chart(
            &c,
            &format!(
                "Rolling {}-day correlation with {}",
                c.window, c.panel.benchmark
            ),
            false,
        ),
        news_note,
        lag_rows,
        news_symbol,
    };
    Ok(html(page.render()?))
}
