//! Hugging Face Open LLM Leaderboard v2 CSV (as mirrored by fboulnois/llm-leaderboard-csv):
//! `model_name` plus `evaluations_<bench>_name/value/normalized_score` for six benchmarks.
//! The raw `value` (a fraction) is kept; the leaderboard's normalised score is a rescaling.

use chrono::NaiveDate;
use jevons_core::ai::{ScoreRecord, ScoreScale, SourceBatch};

use crate::names::{benchmark_key, model_key};
use crate::{Columns, ParseError, RowError, csv_reader, field, opt_number};

pub const SOURCE: &str = "open-llm-leaderboard";

const BENCHES: &[&str] = &["ifeval", "bbh", "math", "gpqa", "musr", "mmlu_pro"];

pub fn parse(bytes: &[u8], snapshot: Option<NaiveDate>) -> Result<SourceBatch, ParseError> {
    let mut reader = csv_reader(bytes);
    let cols = Columns::new(reader.headers().map_err(ParseError::csv)?);
    const WHAT: &str = "Open LLM Leaderboard";
    let model = cols.require(&["model_name", "fullname"], WHAT)?;
    let mut benches = Vec::new();
    for b in BENCHES {
        let name = cols.require(&[&format!("evaluations_{b}_name")], WHAT)?;
        let value = cols.require(&[&format!("evaluations_{b}_value")], WHAT)?;
        benches.push((name, value));
    }
    let precision = cols.find(&["model_precision"]);

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
        let Some(m) = field(&r, Some(model)) else {
            errors.push(RowError::new(line, "no model name"));
            continue;
        };
        // A model evaluated in two precisions appears twice; the first row is kept.
        if !seen.insert(m.to_string()) {
            continue;
        }
        for &(name_col, value_col) in &benches {
            let Some(bench) = field(&r, Some(name_col)) else {
                continue;
            };
            match opt_number(&r, Some(value_col), bench) {
                Ok(Some(v)) if (0.0..=1.0).contains(&v) => {
                    let (key, name) = benchmark_key(bench);
                    scores.push(ScoreRecord {
                        model_name: m.to_string(),
                        model_key: model_key(m),
                        benchmark_key: key,
                        benchmark_name: name,
                        metric: "accuracy".into(),
                        value: v,
                        raw_value: v,
                        scale: ScoreScale::Fraction,
                        as_of: snapshot,
                        self_reported: false,
                        url: Some(format!("https://huggingface.co/{m}")),
                    });
                }
                Ok(None) => {}
                Ok(Some(v)) => errors.push(RowError::new(
                    line,
                    format!("{m} {bench}: {v} is outside 0…1"),
                )),
                Err(e) => errors.push(RowError::new(line, format!("{m}: {e}"))),
            }
        }
        let _ = field(&r, precision);
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    Ok(SourceBatch {
        source: SOURCE.into(),
        source_url: Some(
            "https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard".into(),
        ),
        scores,
        ..SourceBatch::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_file() {
        let bytes = std::fs::read(format!(
            "{}/../../data/models/open_llm_leaderboard_v2_2025-02-06.csv",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let b = parse(&bytes, NaiveDate::from_ymd_opt(2025, 2, 6)).unwrap();
        let models: std::collections::HashSet<_> = b.scores.iter().map(|s| &s.model_name).collect();
        assert!(models.len() > 3000, "{}", models.len());
        let yi: Vec<_> = b
            .scores
            .iter()
            .filter(|s| s.model_name == "01-ai/Yi-1.5-34B")
            .collect();
        assert_eq!(yi.len(), 6);
        let math = yi
            .iter()
            .find(|s| s.benchmark_key == "math-level-5")
            .unwrap();
        assert!((math.value - 0.151812688821752).abs() < 1e-12);
        assert!(yi.iter().any(|s| s.benchmark_key == "mmlu-pro"));
        assert!(yi.iter().any(|s| s.benchmark_key == "gpqa"));
    }
}
