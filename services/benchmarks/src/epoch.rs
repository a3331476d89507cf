//! Epoch AI: the "Notable AI Models" catalogue and the Benchmarking Hub runs.
//! <https://epoch.ai/data/notable-ai-models>, <https://epoch.ai/data/ai-benchmarking-dashboard>
//!
//! Over 400 lines because two Epoch formats (the models catalogue and the Benchmarking Hub zip)
//! whose column handling shares the same name, date and number rules.

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

pub const HUB_SOURCE: &str = "epoch-hub";
pub const ECI_SOURCE: &str = "epoch-eci";
const HUB_URL: &str = "https://epoch.ai/benchmarks";

/// The benchmark of a Benchmarking Hub file from its name: `gpqa_diamond.csv` → `gpqa_diamond`,
/// `mmlu_external.csv` → `mmlu` (the `_external` files are third-party results Epoch collects).
pub fn hub_benchmark_from_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base.strip_suffix(".csv")?;
    let stem = stem.strip_suffix("_external").unwrap_or(stem);
    (!stem.is_empty()).then(|| stem.to_string())
}

/// Parses one Benchmarking Hub file (`benchmark_data.zip`: one CSV per benchmark, `Model
/// version,mean_score,Best score (across scorers),Release date,…,Log viewer,…,id`; the
/// `*_external.csv` files have `EM` or another score column and a `Source`). Scores are
/// fractions; a model version listed twice keeps its first (newest) row. Results of an external
/// file count as self-reported unless their `Source` is a leaderboard.
pub fn parse_hub(
    bytes: &[u8],
    benchmark: Option<&str>,
    snapshot: Option<NaiveDate>,
) -> Result<SourceBatch, ParseError> {
    let Some(bench) = benchmark.map(str::trim).filter(|b| !b.is_empty()) else {
        return Err(ParseError::Format(
            "an Epoch Benchmarking Hub file names its benchmark in the file name (gpqa_diamond.csv): give it".into(),
        ));
    };
    let mut reader = csv_reader(bytes);
    let cols = Columns::new(reader.headers().map_err(ParseError::csv)?);
    const WHAT: &str = "Epoch AI Benchmarking Hub";
    let model = cols.require(&["Model version"], WHAT)?;
    // Results taken from papers may lack a model version and name the model only.
    let display = cols.find(&["Name"]);
    // By preference: the best score of a run, its mean, then an external file's one score.
    let score = [
        "Best score (across scorers)",
        "mean_score",
        "EM",
        "Score",
        "Accuracy",
    ]
    .iter()
    .find_map(|n| cols.find(&[n]))
    .ok_or_else(|| {
        ParseError::Format(format!(
            "not a {WHAT} file: no `Best score (across scorers)` column"
        ))
    })?;
    let viewer = cols.find(&["Log viewer", "Source link"]);
    let origin = cols.find(&["Source"]);
    let (key, name) = benchmark_key(bench);

    let mut scores = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let r = match row {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(line, e.to_string()));
                continue;
            }
        };
        let Some(m) = field(&r, Some(model)).or_else(|| field(&r, display)) else {
            errors.push(RowError::new(line, "no model version or name"));
            continue;
        };
        let raw = match opt_number(&r, Some(score), "score") {
            Ok(Some(v)) if (0.0..=1.0).contains(&v) => v,
            Ok(Some(v)) => {
                errors.push(RowError::new(
                    line,
                    format!("{m}: score {v} is outside 0…1"),
                ));
                continue;
            }
            // A run that has not finished yet: listed without a score.
            Ok(None) => continue,
            Err(e) => {
                errors.push(RowError::new(line, format!("{m}: {e}")));
                continue;
            }
        };
        if !seen.insert(m.to_string()) {
            continue;
        }
        let self_reported =
            field(&r, origin).is_some_and(|s| !s.to_ascii_lowercase().contains("leaderboard"));
        scores.push(ScoreRecord {
            model_name: m.to_string(),
            model_key: model_key(m),
            benchmark_key: key.clone(),
            benchmark_name: name.clone(),
            metric: "accuracy".into(),
            value: to_scale(ScoreScale::Fraction, raw, false),
            raw_value: raw,
            scale: ScoreScale::Fraction,
            as_of: snapshot,
            self_reported,
            url: field(&r, viewer).map(str::to_string),
        });
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    Ok(SourceBatch {
        source: HUB_SOURCE.into(),
        source_url: Some(HUB_URL.into()),
        scores,
        ..SourceBatch::default()
    })
}

/// The CSV files of the Benchmarking Hub's `benchmark_data.zip` (name without folders, bytes).
/// A body that is not a readable zip, or holds no CSV, is a format error.
pub fn hub_zip_entries(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ParseError> {
    use std::io::Read;
    let bad = |e: &dyn std::fmt::Display| {
        ParseError::Format(format!("not a Benchmarking Hub zip file: {e}"))
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| bad(&e))?;
        let name = entry.name().rsplit('/').next().unwrap_or("").to_string();
        if entry.is_dir() || !name.ends_with(".csv") || name.starts_with('.') {
            continue;
        }
        let mut buf = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry.read_to_end(&mut buf).map_err(|e| bad(&e))?;
        out.push((name, buf));
    }
    if out.is_empty() {
        return Err(ParseError::Format(
            "the Benchmarking Hub zip holds no CSV file".into(),
        ));
    }
    Ok(out)
}

/// Parses `epoch_capabilities_index.csv` (`Model version,ECI Score,Release date,…,Model
/// name,…`): the Epoch Capabilities Index, one number per model version on its own scale.
pub fn parse_eci(bytes: &[u8], snapshot: Option<NaiveDate>) -> Result<SourceBatch, ParseError> {
    let mut reader = csv_reader(bytes);
    let cols = Columns::new(reader.headers().map_err(ParseError::csv)?);
    const WHAT: &str = "Epoch Capabilities Index";
    let model = cols.require(&["Model version"], WHAT)?;
    let score = cols.require(&["ECI Score"], WHAT)?;
    let model_name = cols.find(&["Model name"]);
    let released = cols.find(&["Release date"]);
    let org = cols.find(&["Organization"]);
    let access = cols.find(&["Model accessibility"]);
    let (key, name) = benchmark_key("eci");
    let mut scores = Vec::new();
    // Epoch's model list behind the index: a secondary catalogue for the models the notable
    // list leaves out (GPT-4.1, o4-mini, DeepSeek-V3.1 …); stored only where missing.
    let mut models: Vec<ModelRecord> = Vec::new();
    let mut model_index: std::collections::HashMap<String, usize> = Default::default();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let r = match row {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(line, e.to_string()));
                continue;
            }
        };
        let Some(m) = field(&r, Some(model)) else {
            errors.push(RowError::new(line, "no model version"));
            continue;
        };
        let v = match opt_number(&r, Some(score), "ECI score") {
            Ok(Some(v)) => v,
            // Listed without an index yet (too few benchmarks run).
            Ok(None) => continue,
            Err(e) => {
                errors.push(RowError::new(line, format!("{m}: {e}")));
                continue;
            }
        };
        if let Some(n) = field(&r, model_name) {
            let day = match field(&r, released) {
                None => None,
                Some(d) => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                    Ok(d) => Some(d),
                    Err(_) => {
                        errors.push(RowError::new(
                            line,
                            format!("{m}: release date `{d}` is not YYYY-MM-DD"),
                        ));
                        continue;
                    }
                },
            };
            let k = model_key(n);
            match model_index.get(&k) {
                // A model's first version is its release.
                Some(&i) => {
                    let rec = &mut models[i];
                    if day.is_some() && (rec.released.is_none() || day < rec.released) {
                        rec.released = day;
                    }
                }
                None => {
                    let accessibility = field(&r, access).map(str::to_string);
                    model_index.insert(k.clone(), models.len());
                    models.push(ModelRecord {
                        organization: field(&r, org).map(str::to_string),
                        released: day,
                        open_weights: accessibility
                            .as_deref()
                            .map(|a| a.to_ascii_lowercase().starts_with("open weights")),
                        accessibility,
                        domain: Some("Language".into()),
                        url: Some("https://epoch.ai/benchmarks/eci".into()),
                        ..ModelRecord::new(n, k)
                    });
                }
            }
        }
        if !seen.insert(m.to_string()) {
            continue;
        }
        scores.push(ScoreRecord {
            model_name: m.to_string(),
            model_key: model_key(m),
            benchmark_key: key.clone(),
            benchmark_name: name.clone(),
            metric: "eci".into(),
            value: v,
            raw_value: v,
            scale: ScoreScale::Points,
            as_of: snapshot,
            self_reported: false,
            url: None,
        });
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    Ok(SourceBatch {
        source: ECI_SOURCE.into(),
        source_url: Some("https://epoch.ai/benchmarks/eci".into()),
        models,
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
    fn hub(name: &str) -> Vec<u8> {
        crate::test_data(&format!("epoch_benchmark_data_2026-04-29/{name}"))
    }

    #[test]
    fn hub_files_real_rows() {
        assert_eq!(
            hub_benchmark_from_file_name("data/mmlu_external.csv").as_deref(),
            Some("mmlu")
        );
        assert_eq!(
            hub_benchmark_from_file_name("gpqa_diamond.csv").as_deref(),
            Some("gpqa_diamond")
        );
        let b = parse_hub(&hub("gpqa_diamond.csv"), Some("gpqa_diamond"), None).unwrap();
        assert!(b.scores.iter().all(|s| s.benchmark_key == "gpqa-diamond"));
        let get = |n: &str| b.scores.iter().find(|s| s.model_name == n).unwrap();
        assert!((get("gpt-5-2025-08-07_high").value - 0.8617).abs() < 1e-4);
        assert!((get("gpt-5-2025-08-07_medium").value - 0.8535).abs() < 1e-4);
        assert!((get("deepseek-reasoner").value - 0.834).abs() < 1e-3);
        assert!(!get("gpt-5-2025-08-07_high").self_reported);
        let math = parse_hub(&hub("math_level_5.csv"), Some("math_level_5"), None).unwrap();
        assert!(
            math.scores
                .iter()
                .all(|s| s.benchmark_key == "math-level-5")
        );
        let swe = parse_hub(
            &hub("swe_bench_verified.csv"),
            Some("swe_bench_verified"),
            None,
        )
        .unwrap();
        assert!(
            swe.scores
                .iter()
                .all(|s| s.benchmark_key == "swe-bench-verified")
        );
        let mmlu = parse_hub(&hub("mmlu_external.csv"), Some("mmlu"), None).unwrap();
        let g4 = mmlu
            .scores
            .iter()
            .find(|s| s.model_name == "gpt-4-0613")
            .unwrap();
        assert!((g4.value - 0.824).abs() < 1e-9 && !g4.self_reported); // Stanford CRFM
        assert!(mmlu.scores.iter().any(|s| s.self_reported)); // technical reports
        assert!(matches!(
            parse_hub(&hub("gpqa_diamond.csv"), None, None),
            Err(ParseError::Format(_))
        ));
    }

    #[test]
    fn eci_real_rows() {
        let b = parse_eci(&hub("epoch_capabilities_index.csv"), None).unwrap();
        assert_eq!(b.scores.len(), 369); // 608 listed, 239 without an index yet
        let top = b
            .scores
            .iter()
            .find(|s| s.model_name == "gpt-5.5-pro-pre-release_xhigh")
            .unwrap();
        assert!((top.value - 158.6686).abs() < 1e-3);
        assert_eq!(
            (top.benchmark_key.as_str(), top.scale),
            ("eci", ScoreScale::Points)
        );
        let v31 = b.models.iter().find(|m| m.name == "DeepSeek-V3.1").unwrap();
        assert_eq!(v31.key, "deepseek-v3-1");
        assert_eq!(v31.organization.as_deref(), Some("DeepSeek"));
        assert!(b.models.iter().any(|m| m.name == "GPT-4.1"));
        let bad = b"Model version,ECI Score\nx,120\ny,high\n";
        assert!(matches!(parse_eci(bad, None), Err(ParseError::Rows(r)) if r[0].line == 3));
        let bad = b"Model version,mean_score\nx,0.5\ny,71.5\n";
        assert!(
            matches!(parse_hub(bad, Some("gpqa"), None), Err(ParseError::Rows(r)) if r[0].line == 3)
        );
    }
}
