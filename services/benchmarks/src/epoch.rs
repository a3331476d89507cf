//! Epoch AI: the "Notable AI Models" catalogue and the Benchmarking Hub runs.
//! <https://epoch.ai/data/notable-ai-models>, <https://epoch.ai/data/ai-benchmarking-dashboard>

use chrono::NaiveDate;
use jevons_core::ai::{ModelRecord, ScoreRecord, ScoreScale, SourceBatch};

use crate::names::{benchmark_key, model_key, to_scale};
use crate::{Columns, ParseError, RowError, csv_reader, field, opt_number};

pub const MODELS_SOURCE: &str = "epoch-models";
pub const RUNS_SOURCE: &str = "epoch-runs";

/// Parses the notable-models CSV, verbatim (42 columns) or trimmed: columns are found by name.
/// Rows without a model name are errors; so is an unparseable date or number.
pub fn parse_models(bytes: &[u8]) -> Result<SourceBatch, ParseError> {
    let mut reader = csv_reader(bytes);
    let cols = Columns::new(reader.headers().map_err(ParseError::csv)?);
    const WHAT: &str = "Epoch AI notable-models";
    let name = cols.require(&["Model"], WHAT)?;
    let date = cols.require(&["Publication date"], WHAT)?;
    let org = cols.find(&["Organization"]);
    let params = cols.find(&["Parameters"]);
    let compute = cols.require(&["Training compute (FLOP)"], WHAT)?;
    let cost = cols.find(&["Training compute cost (2023 USD)"]);
    let hardware = cols.find(&["Training hardware"]);
    let quantity = cols.find(&["Hardware quantity"]);
    let access = cols.find(&["Model accessibility"]);
    let domain = cols.find(&["Domain"]);
    let link = cols.find(&["Link"]);

    let mut models = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let r = match row {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(line, e.to_string()));
                continue;
            }
        };
        let parsed = (|| -> Result<ModelRecord, String> {
            let n = field(&r, Some(name)).ok_or("no model name")?;
            // A few announced models (Llama 4 Behemoth) have no date yet: kept, never on a frontier.
            let released = match field(&r, Some(date)) {
                None => None,
                Some(d) => Some(
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| format!("{n}: publication date `{d}` is not YYYY-MM-DD"))?,
                ),
            };
            let accessibility = field(&r, access).map(str::to_string);
            let cost_usd =
                opt_number(&r, cost, "training cost").map_err(|e| format!("{n}: {e}"))?;
            Ok(ModelRecord {
                name: n.to_string(),
                key: model_key(n),
                organization: field(&r, org).map(str::to_string),
                released,
                params_total: opt_number(&r, params, "parameters")
                    .map_err(|e| format!("{n}: {e}"))?,
                params_active: None,
                training_compute_flop: opt_number(&r, Some(compute), "training compute")
                    .map_err(|e| format!("{n}: {e}"))?,
                training_cost_usd: cost_usd,
                cost_basis: cost_usd
                    .map(|_| "Epoch AI estimate of the final training run, 2023 USD".to_string()),
                hardware: field(&r, hardware).map(str::to_string),
                hardware_quantity: opt_number(&r, quantity, "hardware quantity")
                    .map_err(|e| format!("{n}: {e}"))?,
                open_weights: accessibility
                    .as_deref()
                    .map(|a| a.to_ascii_lowercase().starts_with("open weights")),
                accessibility,
                domain: field(&r, domain).map(str::to_string),
                url: field(&r, link).map(str::to_string),
            })
        })();
        match parsed {
            Ok(m) => models.push(m),
            Err(e) => errors.push(RowError::new(line, e)),
        }
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    // Epoch lists a few names twice (variants); keep the first, as the file's order is newest first.
    let mut seen = std::collections::HashSet::new();
    models.retain(|m| seen.insert(m.key.clone()));
    Ok(SourceBatch {
        source: MODELS_SOURCE.into(),
        source_url: Some("https://epoch.ai/data/notable-ai-models".into()),
        models,
        ..SourceBatch::default()
    })
}

/// Parses the Benchmarking Hub runs CSV (`id,task,model,Best score (across scorers),…`):
/// independent measurements, fractions.
pub fn parse_runs(bytes: &[u8], snapshot: Option<NaiveDate>) -> Result<SourceBatch, ParseError> {
    let mut reader = csv_reader(bytes);
    let cols = Columns::new(reader.headers().map_err(ParseError::csv)?);
    const WHAT: &str = "Epoch AI benchmark-runs";
    let task = cols.require(&["task"], WHAT)?;
    let model = cols.require(&["model"], WHAT)?;
    let best = cols.require(&["Best score (across scorers)"], WHAT)?;
    let viewer = cols.find(&["log viewer"]);

    let mut scores = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let r = match row {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(line, e.to_string()));
                continue;
            }
        };
        let (Some(t), Some(m)) = (field(&r, Some(task)), field(&r, Some(model))) else {
            errors.push(RowError::new(line, "no task or model"));
            continue;
        };
        let raw = match opt_number(&r, Some(best), "best score") {
            Ok(Some(v)) if (0.0..=1.0).contains(&v) => v,
            Ok(Some(v)) => {
                errors.push(RowError::new(
                    line,
                    format!("{m} {t}: score {v} is outside 0…1"),
                ));
                continue;
            }
            Ok(None) => {
                errors.push(RowError::new(line, format!("{m} {t}: no score")));
                continue;
            }
            Err(e) => {
                errors.push(RowError::new(line, format!("{m} {t}: {e}")));
                continue;
            }
        };
        let (key, name) = benchmark_key(t);
        scores.push(ScoreRecord {
            model_name: m.to_string(),
            model_key: model_key(m),
            benchmark_key: key,
            benchmark_name: name,
            metric: "accuracy".into(),
            value: to_scale(ScoreScale::Fraction, raw, false),
            raw_value: raw,
            scale: ScoreScale::Fraction,
            as_of: snapshot,
            self_reported: false,
            url: field(&r, viewer).map(str::to_string),
        });
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    Ok(SourceBatch {
        source: RUNS_SOURCE.into(),
        source_url: Some("https://epoch.ai/data/ai-benchmarking-dashboard".into()),
        scores,
        ..SourceBatch::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data as data;

    #[test]
    fn notable_models_real_file() {
        for file in [
            "epoch_notable_ai_models.csv",
            "epoch_notable_ai_models_core.csv",
        ] {
            let b = parse_models(&data(file)).unwrap();
            assert!(
                b.models.len() > 900 && b.models.len() <= 924,
                "{file}: {}",
                b.models.len()
            );
            let r1 = b.models.iter().find(|m| m.name == "DeepSeek-R1").unwrap();
            assert_eq!(r1.released, NaiveDate::from_ymd_opt(2025, 1, 20));
            assert_eq!(r1.training_compute_flop, Some(5.17e24));
            assert_eq!(r1.params_total, Some(671e9));
            assert!(
                (r1.training_cost_usd.unwrap() - 6.77e6).abs() < 0.01e6,
                "{:?}",
                r1.training_cost_usd
            );
            let v3 = b.models.iter().find(|m| m.key == "deepseek-v3").unwrap();
            assert_eq!(v3.training_compute_flop, Some(3.4078e24));
            assert!((v3.training_cost_usd.unwrap() - 5.39e6).abs() < 0.01e6);
            assert!(v3.hardware.as_deref().unwrap().contains("H800"));
            assert_eq!(v3.hardware_quantity, Some(2048.0));
        }
    }

    #[test]
    fn benchmark_runs_real_file() {
        let snap = NaiveDate::from_ymd_opt(2025, 4, 30);
        let b = parse_runs(&data("epoch_benchmark_runs.csv"), snap).unwrap();
        assert_eq!(b.scores.len(), 336);
        let r1: Vec<_> = b
            .scores
            .iter()
            .filter(|s| s.model_name == "DeepSeek-R1")
            .collect();
        let gpqa = r1
            .iter()
            .find(|s| s.benchmark_key == "gpqa-diamond")
            .unwrap();
        assert!((gpqa.value - 0.7172).abs() < 1e-4 && !gpqa.self_reported);
        let math = r1
            .iter()
            .find(|s| s.benchmark_key == "math-level-5")
            .unwrap();
        assert!((math.value - 0.9305).abs() < 1e-4);
        assert!(b.scores.iter().all(|s| s.as_of == snap));
    }

    #[test]
    fn malformed_rows_are_reported_by_line() {
        let bad = b"id,task,model,Best score (across scorers)\na,GPQA diamond,x,0.5\nb,GPQA diamond,y,71.5\nc,GPQA diamond,z,abc\n";
        match parse_runs(bad, None) {
            Err(ParseError::Rows(rows)) => {
                assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3, 4]);
            }
            other => panic!("{other:?}"),
        }
        let models =
            b"Model,Publication date,Training compute (FLOP)\nA,2024-01-01,1e24\nB,soon,\n";
        assert!(
            matches!(parse_models(models), Err(ParseError::Rows(r)) if r.len() == 1 && r[0].line == 3)
        );
        assert!(matches!(
            parse_models(b"foo,bar\n1,2\n"),
            Err(ParseError::Format(_))
        ));
    }
}
