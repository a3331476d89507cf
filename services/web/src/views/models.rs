//! Page models of `/models`, `/models/{id}`, `/models/compare` and `/models/unmatched`.

use askama::Template;
use jevons_analytics::efficiency::{Trend, blended_price};
use jevons_insights::models::{format_score, format_usd};
use jevons_store::models::{self, ModelSummary, PriceRow, ScoreRow};

use crate::format::opt;
use crate::views::Nav;

fn fmt_big(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "—".into(),
        Some(v) if unit == "$" => {
            if v >= 1e9 {
                format!("${:.2}B", v / 1e9)
            } else if v >= 1e6 {
                format!("${:.2}M", v / 1e6)
            } else {
                format!("${v:.0}")
            }
        }
        Some(v) if unit == "params" => {
            if v >= 1e12 {
                format!("{:.2}T", v / 1e12)
            } else if v >= 1e9 {
                format!("{:.1}B", v / 1e9)
            } else {
                format!("{:.0}M", v / 1e6)
            }
        }
        Some(v) => format!("{v:.3e}"),
    }
}

pub(crate) fn fmt_trend(t: &Option<Trend>) -> String {
    match t {
        None => "not enough data".into(),
        Some(t) => format!(
            "{:.2}× per year (95% CI {:.2}–{:.2}×; doubling every {:.1} months; n = {}, {} – {}, R² = {:.2})",
            t.growth_per_year,
            t.growth_ci_low,
            t.growth_ci_high,
            t.doubling_months,
            t.n,
            t.first,
            t.last,
            t.r2
        ),
    }
}

pub struct FrontierRowView {
    pub id: i64,
    pub model: String,
    pub released: String,
    pub score: String,
    pub reported: &'static str,
    pub source: String,
    pub price: String,
    pub provider: String,
    pub price_date: String,
    pub backfilled: bool,
    pub per_point: String,
    pub on_frontier: bool,
}

pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
    pub num: bool,
}

pub struct BenchOption {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "models_index.html")]
pub struct IndexPage {
    pub title: &'static str,
    pub nav: Nav,
    pub benchmarks: Vec<BenchOption>,
    pub benchmark_name: String,
    pub date: String,
    pub earliest: bool,
    pub chart: String,
    pub rows: Vec<FrontierRowView>,
    pub sort_links: Vec<SortLink>,
    pub frontier_count: usize,
    pub compute_trend: String,
    pub cost_trend: String,
    pub note: &'static str,
    pub input_share: String,
    pub json_href: String,
}

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct ScoreView {
    pub benchmark: String,
    pub metric: String,
    pub value: String,
    pub raw: String,
    pub source: String,
    pub as_of: String,
    pub reported: &'static str,
    pub model_name: String,
    pub url: Option<String>,
    /// Score per 1e21 training FLOP (accuracies only).
    pub per_zflop: String,
}

pub struct PriceView {
    pub effective: String,
    pub provider: String,
    pub model_name: String,
    pub input: String,
    pub output: String,
    pub blended: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "models_detail.html")]
pub struct DetailPage {
    pub title: String,
    pub nav: Nav,
    pub name: String,
    pub facts: Vec<Fact>,
    pub url: Option<String>,
    pub source_url: Option<String>,
    pub scores: Vec<ScoreView>,
    pub prices: Vec<PriceView>,
    pub names: Vec<(String, String)>,
    pub id: i64,
}

pub(crate) fn facts(m: &ModelSummary) -> Vec<Fact> {
    vec![
        Fact {
            label: "Organisation",
            value: m.organization.clone().unwrap_or_else(|| "—".into()),
        },
        Fact {
            label: "Released",
            value: m.released.map_or("—".into(), |d| d.to_string()),
        },
        Fact {
            label: "Parameters",
            value: fmt_big(m.params_total, "params"),
        },
        Fact {
            label: "Training compute",
            value: m
                .training_compute_flop
                .map_or("—".into(), |v| format!("{v:.3e} FLOP")),
        },
        Fact {
            label: "Training cost",
            value: match (m.training_cost_usd, &m.cost_basis) {
                (Some(c), Some(b)) => format!("{} ({b})", fmt_big(Some(c), "$")),
                (c, _) => fmt_big(c, "$"),
            },
        },
        Fact {
            label: "Hardware",
            value: match (&m.hardware, m.hardware_quantity) {
                (Some(h), Some(q)) => format!("{q:.0} × {h}"),
                (Some(h), None) => h.clone(),
                _ => "—".into(),
            },
        },
        Fact {
            label: "Weights",
            value: m.accessibility.clone().unwrap_or_else(|| "—".into()),
        },
        Fact {
            label: "Catalogue",
            value: m.source.clone(),
        },
    ]
}

pub(crate) fn score_views(scores: &[ScoreRow], compute: Option<f64>) -> Vec<ScoreView> {
    scores
        .iter()
        .map(|s| ScoreView {
            benchmark: s.benchmark_name.clone(),
            metric: s.metric.clone(),
            value: format_score(s.value, &s.scale),
            raw: format!("{}", s.raw_value),
            source: s.source.clone(),
            as_of: opt(s.as_of),
            reported: if s.self_reported {
                "self-reported"
            } else {
                "independent"
            },
            model_name: s.model_name.clone(),
            per_zflop: if s.scale == "fraction" {
                jevons_analytics::efficiency::score_per_zflop(s.value * 100.0, compute)
                    .map_or("—".into(), |v| format!("{v:.4}"))
            } else {
                "—".into()
            },
            url: s
                .url
                .clone()
                .or_else(|| s.source_url.clone())
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        })
        .collect()
}

pub(crate) fn price_views(prices: &[PriceRow], share: f64) -> Vec<PriceView> {
    let usd = |v: Option<f64>| v.map_or("—".into(), format_usd);
    prices
        .iter()
        .map(|p| PriceView {
            effective: p.effective.to_string(),
            provider: p.provider.clone(),
            model_name: p.model_name.clone(),
            input: usd(p.input_usd_per_mtok),
            output: usd(p.output_usd_per_mtok),
            blended: usd(blended_price(
                p.input_usd_per_mtok,
                p.output_usd_per_mtok,
                share,
            )),
            source: p.source.clone(),
        })
        .collect()
}

pub struct CompareRow {
    pub label: String,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "models_compare.html")]
pub struct ComparePage {
    pub title: &'static str,
    pub nav: Nav,
    pub models: Vec<(i64, String)>,
    pub facts: Vec<CompareRow>,
    pub scores: Vec<CompareRow>,
    pub prices: Vec<CompareRow>,
    pub ids: String,
}

#[derive(Template)]
#[template(path = "models_unmatched.html")]
pub struct UnmatchedPage {
    pub title: &'static str,
    pub nav: Nav,
    pub counts: Vec<(String, i64, i64)>,
    pub source: String,
    pub names: Vec<models::UnmatchedName>,
    pub limit: i64,
}
