//! `/models` (the frontier), `/models/{id}`, `/models/compare` and `/models/unmatched`.

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, Utc};
use jevons_analytics::efficiency::{FrontierRow, KnownBy, blended_price};
use jevons_core::Settings;
use jevons_insights::models::{self as models_data, Frontier, format_score, format_usd};
use jevons_store::models;
use serde::Deserialize;
use sqlx::PgPool;

use super::{
    DEFAULT_BENCHMARK, NEW_ON_FRONTIER_DAYS, PRICE_NOTE, known_by, options, resolve_model,
};
use crate::charts_models::{ChartPoint, frontier_svg};
use crate::error::AppError;
use crate::extract::{Query, empty_as_none};
use crate::routes::{html, truncate};
use crate::views::Nav;
use crate::views::models::{
    BenchOption, ComparePage, CompareRow, DetailPage, Fact, FrontierRowView, IndexPage, SortLink,
    UnmatchedPage, facts, fmt_trend, price_views, score_views,
};

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    benchmark: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    date: Option<NaiveDate>,
    prices: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
}

const SORTS: &[(&str, &str, bool)] = &[
    ("model", "Model", false),
    ("released", "Released", false),
    ("score", "Score", true),
    ("price", "Price / 1M", true),
    ("per_point", "$ per point", true),
];

fn sort_rows(rows: &mut [FrontierRow], sort: &str, desc: bool) {
    let cmp_f = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal);
    rows.sort_by(|a, b| {
        let o = match sort {
            "model" => a.model.to_lowercase().cmp(&b.model.to_lowercase()),
            "released" => a.released.cmp(&b.released),
            "score" => cmp_f(a.score, b.score),
            "per_point" => cmp_f(
                a.usd_per_point.unwrap_or(f64::MAX),
                b.usd_per_point.unwrap_or(f64::MAX),
            ),
            _ => cmp_f(a.price, b.price),
        };
        if desc { o.reverse() } else { o }
    });
}

/// `GET /models?benchmark=&date=&prices=&sort=&dir=`: the frontier chart and its table.
pub(crate) async fn index(
    Query(q): Query<IndexQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let date = q.date.unwrap_or_else(|| Utc::now().date_naive());
    let k = known_by(q.prices.as_deref()).map_err(AppError::BadRequest)?;
    let all = models::benchmarks(pool).await?;
    let raw = q
        .benchmark
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_BENCHMARK.into());
    let key = jevons_benchmarks::benchmark_key(&raw).0;
    let Some(bench) = all.iter().find(|b| b.key == key).cloned() else {
        if all.is_empty() {
            return Err(AppError::NotFound(
                "no benchmark scores are loaded yet; run `jevons backfill models`".into(),
            ));
        }
        return Err(AppError::NotFound(format!(
            "no scores for benchmark `{}`",
            truncate(&raw)
        )));
    };
    let sort = q
        .sort
        .as_deref()
        .filter(|s| SORTS.iter().any(|(k, _, _)| k == s))
        .unwrap_or("price")
        .to_string();
    let desc = match q.dir.as_deref() {
        Some("desc") => true,
        Some("asc") => false,
        _ => {
            SORTS
                .iter()
                .find(|(k, _, _)| *k == sort)
                .is_some_and(|(_, _, d)| *d)
                && sort != "price"
                && sort != "per_point"
        }
    };
    let f: Frontier =
        models_data::frontier(pool, &bench.key, None, date, &options(&settings, k)).await?;
    let trends = models_data::trends(pool, NaiveDate::from_ymd_opt(2010, 1, 1), None).await?;

    let chart_points: Vec<ChartPoint> = f
        .points
        .iter()
        .map(|p| ChartPoint {
            label: p.model.clone(),
            price: p.price,
            score: p.score,
            on_frontier: p.on_frontier,
            // New on the frontier: the models that moved it most recently.
            highlight: p.on_frontier && (date - p.released).num_days() <= NEW_ON_FRONTIER_DAYS,
        })
        .collect();
    let chart = frontier_svg(&chart_points, &bench.name, 960, 440);
    let mut rows = f.points.clone();
    sort_rows(&mut rows, &sort, desc);
    let prices_param = if k == KnownBy::EarliestKnown {
        "earliest"
    } else {
        "asof"
    };
    let base = format!(
        "/models?benchmark={}&date={}&prices={prices_param}",
        bench.key, date
    );
    let sort_links = SORTS
        .iter()
        .map(|(key, label, num)| {
            let next_desc = if *key == sort {
                !desc
            } else {
                *num && *key == "score"
            };
            SortLink {
                label,
                href: format!(
                    "{base}&sort={key}&dir={}",
                    if next_desc { "desc" } else { "asc" }
                ),
                current: *key == sort,
                num: *num,
            }
        })
        .collect();
    let page = IndexPage {
        title: "Models",
        nav: Nav::Models,
        benchmarks: all
            .iter()
            .filter(|b| b.models > 0)
            .map(|b| BenchOption {
                key: b.key.clone(),
                label: format!("{} ({} models)", b.name, b.models),
                selected: b.key == bench.key,
            })
            .collect(),
        benchmark_name: bench.name.clone(),
        date: date.to_string(),
        earliest: k == KnownBy::EarliestKnown,
        chart,
        frontier_count: f.frontier().count(),
        rows: rows
            .iter()
            .map(|r| FrontierRowView {
                id: r.model_id,
                model: r.model.clone(),
                released: r.released.to_string(),
                score: format_score(r.score, &bench.scale),
                reported: if r.self_reported {
                    "self-reported"
                } else {
                    "independent"
                },
                source: r.score_source.clone(),
                price: format_usd(r.price),
                provider: r.provider.clone(),
                price_date: r.price_effective.to_string(),
                backfilled: r.price_backfilled,
                per_point: r.usd_per_point.map_or("—".into(), |v| {
                    if bench.scale == "fraction" {
                        format_usd(v / 100.0)
                    } else {
                        format!("${v:.5}")
                    }
                }),
                on_frontier: r.on_frontier,
            })
            .collect(),
        sort_links,
        compute_trend: fmt_trend(&trends.compute),
        cost_trend: fmt_trend(&trends.cost),
        note: PRICE_NOTE,
        input_share: format!(
            "{:.0}:{:.0}",
            settings.models.input_share * 4.0,
            (1.0 - settings.models.input_share) * 4.0
        ),
        json_href: format!(
            "/api/v1/frontier?benchmark={}&date={}&prices={prices_param}",
            bench.key, date
        ),
    };
    Ok(html(page.render()?))
}

/// `GET /models/{id}` (or a name): every score with its source, prices over time, compute and cost.
pub(crate) async fn detail(
    path: web::Path<String>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let pool = pool.get_ref();
    let Some(m) = resolve_model(pool, &raw).await? else {
        return Err(AppError::NotFound(format!(
            "no model `{}` is known",
            truncate(&raw)
        )));
    };
    let scores = models::scores_for_model(pool, m.id).await?;
    let prices = models::prices_for_model(pool, m.id).await?;
    let names = models::names_for_model(pool, m.id).await?;
    let page = DetailPage {
        title: m.name.clone(),
        nav: Nav::Models,
        name: m.name.clone(),
        facts: facts(&m),
        url: m
            .url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        source_url: m.source_url.clone(),
        scores: score_views(&scores, m.training_compute_flop),
        prices: price_views(&prices, settings.models.input_share),
        names,
        id: m.id,
    };
    Ok(html(page.render()?))
}

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    ids: Option<String>,
}

/// `GET /models/compare?ids=DeepSeek-R1,o1` (ids or names): side by side.
pub(crate) async fn compare(
    Query(q): Query<CompareQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let ids = q.ids.unwrap_or_default();
    let wanted: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if wanted.is_empty() || wanted.len() > 6 {
        return Err(AppError::BadRequest(
            "give 1 to 6 models: /models/compare?ids=DeepSeek-R1,o1".into(),
        ));
    }
    let mut found = Vec::new();
    for w in &wanted {
        match resolve_model(pool, w).await? {
            Some(m) => found.push(m),
            None => {
                return Err(AppError::NotFound(format!(
                    "no model `{}` is known",
                    truncate(w)
                )));
            }
        }
    }
    let fact_table: Vec<Vec<Fact>> = found.iter().map(facts).collect();
    let fact_rows = (0..fact_table.first().map_or(0, Vec::len))
        .map(|i| CompareRow {
            label: fact_table[0][i].label.to_string(),
            cells: fact_table.iter().map(|f| f[i].value.clone()).collect(),
        })
        .collect();
    // Scores: one row per (benchmark, metric, independent/self-reported), the latest value.
    let mut per_model = Vec::new();
    for m in &found {
        per_model.push(models::scores_for_model(pool, m.id).await?);
    }
    let mut keys: Vec<(String, String, bool)> = per_model
        .iter()
        .flatten()
        .map(|s| (s.benchmark_name.clone(), s.metric.clone(), s.self_reported))
        .collect();
    keys.sort();
    keys.dedup();
    let score_rows = keys
        .into_iter()
        .map(|(b, metric, own)| CompareRow {
            label: format!(
                "{b} ({metric}, {})",
                if own { "self-reported" } else { "independent" }
            ),
            cells: per_model
                .iter()
                .map(|scores| {
                    scores
                        .iter()
                        .filter(|s| {
                            s.benchmark_name == b && s.metric == metric && s.self_reported == own
                        })
                        .max_by_key(|s| s.as_of)
                        .map_or("—".into(), |s| {
                            format!("{} ({})", format_score(s.value, &s.scale), s.source)
                        })
                })
                .collect(),
        })
        .collect();
    let mut price_cells = Vec::new();
    for m in &found {
        let prices = models::prices_for_model(pool, m.id).await?;
        // The prices still in effect (not ended by a later change or removal), cheapest first.
        let best = prices
            .iter()
            .filter(|p| p.valid_until.is_none())
            .filter_map(|p| {
                blended_price(
                    p.input_usd_per_mtok,
                    p.output_usd_per_mtok,
                    settings.models.input_share,
                )
                .filter(|v| *v > 0.0)
                .map(|v| (v, p))
            })
            .min_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
        price_cells.push(best.map_or("—".into(), |(v, p)| {
            format!(
                "{} blended ({} in / {} out, {} on {})",
                format_usd(v),
                p.input_usd_per_mtok.map_or("—".into(), format_usd),
                p.output_usd_per_mtok.map_or("—".into(), format_usd),
                p.provider,
                p.effective
            )
        }));
    }
    let page = ComparePage {
        title: "Compare models",
        nav: Nav::Models,
        models: found.iter().map(|m| (m.id, m.name.clone())).collect(),
        facts: fact_rows,
        scores: score_rows,
        prices: vec![CompareRow {
            label: "Cheapest price, latest snapshot".into(),
            cells: price_cells,
        }],
        ids,
    };
    Ok(html(page.render()?))
}

#[derive(Debug, Deserialize)]
pub struct UnmatchedQuery {
    source: Option<String>,
}

const UNMATCHED_SHOWN: i64 = 500;

/// `GET /models/unmatched?source=`: names no alias or model key matches, for review.
pub(crate) async fn unmatched(
    Query(q): Query<UnmatchedQuery>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let source = q.source.filter(|s| !s.trim().is_empty());
    let page = UnmatchedPage {
        title: "Unmatched model names",
        nav: Nav::Models,
        counts: models::unmatched_counts(pool).await?,
        names: models::unmatched(pool, source.as_deref(), UNMATCHED_SHOWN).await?,
        source: source.unwrap_or_default(),
        limit: UNMATCHED_SHOWN,
    };
    Ok(html(page.render()?))
}
