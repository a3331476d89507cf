//! Prints jevons' price-of-intelligence decline factors for the thresholds Epoch AI and a16z
//! published, beside their figures, straight from the shared files (no database):
//! the Epoch Benchmarking Hub CSVs (`Model version, mean_score, …, Release date`) and the dated
//! LiteLLM price history. Run through scripts/bench-price-of-intelligence.
//!
//! Matching: both sides go through `model_key` and the repository's alias table; hub names lose
//! their reasoning-effort suffix (`_high`, `_medium` …) and keep their best score. Prices are
//! blended 3:1 input:output; a model's first dated price (2025-02-06 or later) is also carried
//! back to its release date as a back-filled point, as Epoch priced models at release.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use jevons_analytics::efficiency::{DEFAULT_INPUT_SHARE, blended_price};
use jevons_analytics::price_of_intelligence::{
    FitRule, ModelPricePoint, PoiOptions, PriceBasis, Threshold, price_of_intelligence,
};
use jevons_benchmarks::{AliasTable, model_key};

const EFFORTS: [&str; 6] = ["_xhigh", "_high", "_medium", "_low", "_minimal", "_none"];

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// key → (best score, release).
fn scores(path: &str, score_col: &str, aliases: &AliasTable) -> BTreeMap<String, (f64, NaiveDate)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (m, s, d) = (col("Model version"), col(score_col), col("Release date"));
    let mut out: BTreeMap<String, (f64, NaiveDate)> = BTreeMap::new();
    for row in r.records().flatten() {
        let (Some(name), Some(score), Some(rel)) = (
            row.get(m),
            row.get(s).and_then(|v| v.parse::<f64>().ok()),
            row.get(d).and_then(date),
        ) else {
            continue;
        };
        let base = EFFORTS
            .iter()
            .find_map(|e| name.strip_suffix(e))
            .unwrap_or(name);
        let k = model_key(base);
        let key = aliases.resolve(&k).to_string();
        let e = out.entry(key).or_insert((score, rel));
        e.0 = e.0.max(score);
        e.1 = e.1.min(rel);
    }
    out
}

/// key → dated blended prices (the cheapest listing of that model on each change date).
fn prices(path: &str, aliases: &AliasTable) -> HashMap<String, Vec<(NaiveDate, f64)>> {
    let until: HashMap<String, NaiveDate> = aliases
        .entries
        .iter()
        .filter_map(|e| Some((model_key(&e.alias), e.until?)))
        .collect();
    let mut r = csv::Reader::from_path(path).unwrap();
    // key → listing → current price
    let mut current: HashMap<String, BTreeMap<String, f64>> = HashMap::new();
    let mut out: HashMap<String, Vec<(NaiveDate, f64)>> = HashMap::new();
    for row in r.records().flatten() {
        let (Some(day), Some(listing), Some(mode), Some(event)) = (
            row.get(0).and_then(date),
            row.get(2),
            row.get(4),
            row.get(5),
        ) else {
            continue;
        };
        if mode != "chat" {
            continue;
        }
        let k = model_key(listing);
        if until.get(&k).is_some_and(|u| day > *u) {
            continue;
        }
        let key = aliases.resolve(&k).to_string();
        let price = blended_price(
            row.get(6).and_then(|v| v.parse().ok()),
            row.get(7).and_then(|v| v.parse().ok()),
            DEFAULT_INPUT_SHARE,
        );
        let listings = current.entry(key.clone()).or_default();
        match (event, price) {
            ("removed", _) => {
                listings.remove(listing);
            }
            (_, Some(p)) if p > 0.0 => {
                listings.insert(listing.to_string(), p);
            }
            _ => continue,
        }
        if let Some(min) = listings.values().copied().reduce(f64::min) {
            let h = out.entry(key).or_default();
            match h.last_mut() {
                Some(last) if last.0 == day => last.1 = min,
                Some(last) if last.1 == min => {}
                _ => h.push((day, min)),
            }
        }
    }
    out
}

fn points(
    scores: &BTreeMap<String, (f64, NaiveDate)>,
    prices: &HashMap<String, Vec<(NaiveDate, f64)>>,
) -> Vec<ModelPricePoint> {
    let mut out = Vec::new();
    for (key, (score, released)) in scores {
        let Some(h) = prices.get(key) else { continue };
        if let Some(first) = h.first().filter(|f| f.0 > *released) {
            out.push(ModelPricePoint {
                model: key.clone(),
                released: *released,
                score: *score,
                usd_per_mtok: first.1,
                effective: *released,
                basis: PriceBasis::Backfilled,
            });
        }
        for (d, p) in h {
            out.push(ModelPricePoint {
                model: key.clone(),
                released: *released,
                score: *score,
                usd_per_mtok: *p,
                effective: *d,
                basis: PriceBasis::Dated,
            });
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let hub = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "../shared/data/models/2026/epoch_benchmark_data_2026-04-29".into());
    let history = args.get(2).cloned().unwrap_or_else(|| {
        "../shared/data/models/2026/litellm_price_history_2025-02-06_2026-07-24.csv".into()
    });
    let alias_path = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| "data/models/aliases.csv".into());
    let aliases = AliasTable::from_csv(&std::fs::read_to_string(&alias_path).unwrap()).unwrap();
    let prices = prices(&history, &aliases);
    let gpqa = scores(&format!("{hub}/gpqa_diamond.csv"), "mean_score", &aliases);
    let mmlu = scores(&format!("{hub}/mmlu_external.csv"), "EM", &aliases);
    let gpqa_pts = points(&gpqa, &prices);
    let mmlu_pts = points(&mmlu, &prices);
    println!(
        "matched with a price: GPQA Diamond {} of {} models, MMLU {} of {}",
        gpqa.keys().filter(|k| prices.contains_key(*k)).count(),
        gpqa.len(),
        mmlu.keys().filter(|k| prices.contains_key(*k)).count(),
        mmlu.len()
    );
    let model = |m: &str| Threshold::ModelScore {
        model: aliases.resolve(&model_key(m)).to_string(),
    };
    let rows: Vec<(&str, &Vec<ModelPricePoint>, Threshold, &str)> = vec![
        (
            "GPQA Diamond",
            &gpqa_pts,
            model("gpt-4-0613"),
            "Epoch 2025-03-12: 40×/yr at GPT-4 level (range 9×–900×/yr over thresholds; ~3 years to early 2025)",
        ),
        (
            "GPQA Diamond",
            &gpqa_pts,
            model("gpt-4o-2024-05-13"),
            "Epoch 2025-03-12: within 9×–900×/yr",
        ),
        (
            "GPQA Diamond",
            &gpqa_pts,
            model("o1-2024-12-17"),
            "Epoch 2025-03-12: within 9×–900×/yr",
        ),
        (
            "GPQA Diamond",
            &gpqa_pts,
            model("gpt-5-2025-08-07"),
            "— (after both publications)",
        ),
        (
            "MMLU",
            &mmlu_pts,
            Threshold::Score { score: 0.42 },
            "a16z 2024-11-12: ~10×/yr; $60 (GPT-3, 2021-11) → $0.06 (Llama 3.2 3B, 2024-11) = 1000× in 3 years",
        ),
        (
            "MMLU",
            &mmlu_pts,
            Threshold::Score { score: 0.83 },
            "a16z 2024-11-12: ~10×/yr; 62× since GPT-4 (2023-03 → 2024-11)",
        ),
    ];
    for rule in [FitRule::CheapestAtArrival, FitRule::StepChanges] {
        println!("\n== fit rule: {rule:?}");
        for (bench, pts, t, published) in &rows {
            let opts = PoiOptions {
                rule,
                ..PoiOptions::default()
            };
            let r = price_of_intelligence(pts, t, &opts).unwrap();
            let level = r
                .threshold_score
                .map_or("?".to_string(), |s| format!("{s:.3}"));
            let result = match r.fit.fit() {
                Some(f) => format!(
                    "{:.1}×/yr (95% CI {:.1} … {:.1}), N = {} ({} dated, {} back-filled), R² {:.2}, {} … {}",
                    f.factor_per_year,
                    f.factor_ci_low,
                    f.factor_ci_high,
                    f.n,
                    r.fitted_dated,
                    r.fitted_backfilled,
                    f.r2.unwrap_or(f64::NAN),
                    f.first,
                    f.last
                ),
                None => match &r.fit {
                    jevons_analytics::price_of_intelligence::FitOutcome::NotFitted {
                        message,
                        ..
                    } => {
                        format!("no fit: {message}")
                    }
                    _ => String::new(),
                },
            };
            println!(
                "{bench} {} (score ≥ {level}): jevons {result}\n    published: {published}",
                t.label()
            );
        }
    }
}
