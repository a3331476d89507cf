//! The inputs of scripts/jevons_reference.py read the same way on the Rust side, and jevons'
//! numbers in the script's JSON shape; shared by tests/jevons_reference.rs and
//! examples/jevons_dump.rs. Plain comma splitting: the fixture has no quoted fields.
#![allow(dead_code)]

use std::path::Path;

use chrono::NaiveDate;
use jevons_analytics::demand::{Provenance, QuarterlyFact, aggregate_series, company_metric};
use jevons_analytics::jevons::{Elasticity, EventMark, relation};
use jevons_analytics::price_of_intelligence::{
    FitRule, ModelPricePoint, PoiOptions, PriceBasis, Threshold, price_of_intelligence,
};
use serde_json::{Value, json};

pub const BUYERS: [&str; 4] = ["AMZN", "GOOGL", "META", "MSFT"];

fn rows(path: &Path) -> Result<Vec<Vec<String>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect())
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("{s}: {e}"))
}

fn num(s: &str) -> Result<f64, String> {
    s.parse().map_err(|e| format!("{s}: {e}"))
}

pub fn models(dir: &Path) -> Result<Vec<ModelPricePoint>, String> {
    rows(&dir.join("models.csv"))?
        .into_iter()
        .map(|r| {
            Ok(ModelPricePoint {
                model: r[0].clone(),
                released: date(&r[1])?,
                score: num(&r[2])?,
                usd_per_mtok: num(&r[3])?,
                effective: date(&r[4])?,
                basis: match r[5].as_str() {
                    "dated" => PriceBasis::Dated,
                    "backfilled" => PriceBasis::Backfilled,
                    b => return Err(format!("basis {b}")),
                },
            })
        })
        .collect()
}

pub fn facts(dir: &Path) -> Result<Vec<QuarterlyFact>, String> {
    rows(&dir.join("demand.csv"))?
        .into_iter()
        .map(|r| {
            Ok(QuarterlyFact {
                symbol: r[0].clone(),
                metric: r[1].clone(),
                fiscal_period: r[2].clone(),
                period_start: if r[3].is_empty() {
                    None
                } else {
                    Some(date(&r[3])?)
                },
                period_end: date(&r[4])?,
                value_usd: num(&r[5])?,
                provenance: if r[6] == "filed" {
                    Provenance::Filed
                } else {
                    Provenance::PressRelease
                },
            })
        })
        .collect()
}

/// The script's THRESHOLDS.
/// The directory's thresholds.csv (label,kind,value,rule) when there is one, else the script's.
pub fn thresholds_in(dir: &Path) -> Result<Vec<(String, Threshold, FitRule)>, String> {
    let path = dir.join("thresholds.csv");
    if !path.exists() {
        return Ok(thresholds()
            .into_iter()
            .map(|(l, t, r)| (l.to_string(), t, r))
            .collect());
    }
    rows(&path)?
        .into_iter()
        .map(|r| {
            let t = match r[1].as_str() {
                "model" => Threshold::ModelScore {
                    model: r[2].clone(),
                },
                "score" => Threshold::Score { score: num(&r[2])? },
                k => return Err(format!("threshold kind {k}")),
            };
            let rule = match r[3].as_str() {
                "step_changes" => FitRule::StepChanges,
                "cheapest_at_arrival" => FitRule::CheapestAtArrival,
                k => return Err(format!("rule {k}")),
            };
            Ok((r[0].clone(), t, rule))
        })
        .collect()
}

pub fn thresholds() -> Vec<(&'static str, Threshold, FitRule)> {
    let model = |m: &str| Threshold::ModelScore { model: m.into() };
    vec![
        (
            "gpt-4o level, step changes",
            model("gpt-4o-2024-05-13"),
            FitRule::StepChanges,
        ),
        (
            "gpt-4o level, cheapest at arrival",
            model("gpt-4o-2024-05-13"),
            FitRule::CheapestAtArrival,
        ),
        (
            "gpt-4 level, cheapest at arrival",
            model("gpt-4-0613"),
            FitRule::CheapestAtArrival,
        ),
        (
            "score 0.7, step changes",
            Threshold::Score { score: 0.7 },
            FitRule::StepChanges,
        ),
        (
            "score 0.95, unreached",
            Threshold::Score { score: 0.95 },
            FitRule::StepChanges,
        ),
    ]
}

/// jevons' numbers in the shape the script prints.
pub fn compute(dir: &Path) -> Result<Value, String> {
    let models = models(dir)?;
    let mut declines = Vec::new();
    let mut pois = Vec::new();
    for (label, t, rule) in thresholds_in(dir)? {
        let opts = PoiOptions {
            rule,
            ..PoiOptions::default()
        };
        let r = price_of_intelligence(&models, &t, &opts).map_err(|e| e.to_string())?;
        let fit = r.fit.fit().map(|f| {
            json!({
                "n": f.n, "slope": f.slope, "intercept": f.intercept, "slope_se": f.slope_se,
                "r2": f.r2, "t_crit": f.t_crit, "factor_per_year": f.factor_per_year,
                "factor_ci_low": f.factor_ci_low, "factor_ci_high": f.factor_ci_high,
            })
        });
        declines.push(json!({
            "label": label,
            "threshold_score": r.threshold_score,
            "series": r.series.iter().map(|p| json!([p.date.to_string(), p.model, p.usd_per_mtok])).collect::<Vec<_>>(),
            "fitted": r.fitted.iter().map(|p| json!([p.date.to_string(), p.model, p.usd_per_mtok, p.basis.as_str()])).collect::<Vec<_>>(),
            "fit": fit,
        }));
        pois.push(r);
    }
    let facts = facts(dir)?;
    let event = EventMark {
        name: "DeepSeek-R1".into(),
        date: date("2025-01-20")?,
    };
    let nvda = company_metric(&facts, "NVDA", "data_center_revenue")
        .map_err(|e| e.to_string())?
        .ok_or("no NVDA data_center_revenue")?;
    let capex = aggregate_series(&facts, "capex", &BUYERS, "hyperscaler capex")
        .map_err(|e| e.to_string())?;
    let mut rel = serde_json::Map::new();
    for (name, series) in [
        ("NVDA data_center_revenue", &nvda),
        ("hyperscaler capex", &capex),
    ] {
        let r =
            relation(series, &pois[0], std::slice::from_ref(&event)).map_err(|e| e.to_string())?;
        let elasticity = match &r.elasticity {
            Elasticity::Estimated(e) => json!({
                "n": e.n, "slope": e.slope, "intercept": e.intercept, "slope_se": e.slope_se,
                "r2": e.r2, "t_crit": e.t_crit, "ci_low": e.ci_low, "ci_high": e.ci_high,
            }),
            Elasticity::NotEstimated(_) => Value::Null,
        };
        let e = &r.events[0];
        rel.insert(
            name.into(),
            json!({
                "n": r.n,
                "elasticity": elasticity,
                "lead_lag": r.lead_lag.iter().map(|l| json!({"lag": l.lag, "n": l.n, "corr": l.corr})).collect::<Vec<_>>(),
                "event": {
                    "quarter": e.event_quarter.to_string(),
                    "before_present": e.before.present,
                    "after_present": e.after.present,
                    "level_change": e.level_change,
                    "growth_before": e.quarterly_growth_before,
                    "growth_after": e.quarterly_growth_after,
                },
            }),
        );
    }
    Ok(json!({ "declines": declines, "relations": rel }))
}
