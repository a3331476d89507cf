//! LiteLLM's `model_prices_and_context_window.json`: per-token prices of every model at every
//! provider. The file has no per-model date, so the snapshot date is the effective date.

use chrono::NaiveDate;
use jevons_core::ai::{PriceRecord, SourceBatch};
use serde_json::Value;

use crate::names::model_key;
use crate::{ParseError, RowError};

pub const SOURCE: &str = "litellm";

/// Modes that are priced per text token and comparable across models.
pub(crate) const TEXT_MODES: &[&str] = &["chat", "completion", "responses"];

pub fn parse(bytes: &[u8], snapshot: Option<NaiveDate>) -> Result<SourceBatch, ParseError> {
    let Some(effective) = snapshot else {
        return Err(ParseError::Format(
            "a LiteLLM price file has no dates: give the snapshot date (--snapshot YYYY-MM-DD or a date in the file name)".into(),
        ));
    };
    let root: serde_json::Map<String, Value> = serde_json::from_slice(bytes)
        .map_err(|e| ParseError::Format(format!("not a LiteLLM price JSON object: {e}")))?;
    let mut prices = Vec::new();
    let mut errors = Vec::new();
    for (i, (name, entry)) in root.iter().enumerate() {
        let line = i + 1;
        if name == "sample_spec" {
            continue;
        }
        // Scalars are file metadata (the latest files carry `"last_updated": "…"`).
        let Some(obj) = entry.as_object() else {
            continue;
        };
        let mode = obj.get("mode").and_then(Value::as_str).unwrap_or("chat");
        if !TEXT_MODES.contains(&mode) {
            continue;
        }
        let per_token = |k: &str| -> Result<Option<f64>, String> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => match v.as_f64() {
                    Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x * 1e6)),
                    _ => Err(format!("{name}: {k} `{v}` is not a non-negative number")),
                },
            }
        };
        let (input, output) = match (
            per_token("input_cost_per_token"),
            per_token("output_cost_per_token"),
        ) {
            (Ok(i), Ok(o)) => (i, o),
            (Err(e), _) | (_, Err(e)) => {
                errors.push(RowError::new(line, e));
                continue;
            }
        };
        if input.is_none() && output.is_none() {
            continue;
        }
        let provider = obj
            .get("litellm_provider")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        prices.push(PriceRecord {
            model_name: name.clone(),
            model_key: model_key(name),
            provider,
            input_usd_per_mtok: input.map(round_micro),
            output_usd_per_mtok: output.map(round_micro),
            effective,
            dated: false,
            removed: false,
        });
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    Ok(SourceBatch {
        source: SOURCE.into(),
        source_url: Some(
            "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"
                .into(),
        ),
        prices,
        ..SourceBatch::default()
    })
}

/// Per-token floats × 1e6 carry noise (0.55000000000001); prices are quoted to far fewer digits.
fn round_micro(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data as data;

    #[test]
    fn real_snapshot_has_the_deepseek_and_openai_prices() {
        let day = NaiveDate::from_ymd_opt(2025, 2, 6);
        let b = parse(&data("litellm_model_prices_2025-02-06.json"), day).unwrap();
        assert!(
            b.prices.len() > 500 && b.prices.len() < 776,
            "{}",
            b.prices.len()
        );
        let get = |n: &str| b.prices.iter().find(|p| p.model_name == n).unwrap();
        let r1 = get("deepseek/deepseek-reasoner");
        assert_eq!(
            (r1.input_usd_per_mtok, r1.output_usd_per_mtok),
            (Some(0.55), Some(2.19))
        );
        assert_eq!(r1.provider, "deepseek");
        assert_eq!(r1.model_key, "deepseek-reasoner");
        assert_eq!(r1.effective, day.unwrap());
        let o1 = get("o1");
        assert_eq!(
            (o1.input_usd_per_mtok, o1.output_usd_per_mtok),
            (Some(15.0), Some(60.0))
        );
        let g = get("gpt-4o");
        assert_eq!(
            (g.input_usd_per_mtok, g.output_usd_per_mtok),
            (Some(2.5), Some(10.0))
        );
        // Embeddings and images are not per-token chat prices.
        assert!(
            b.prices
                .iter()
                .all(|p| p.model_name != "text-embedding-3-small")
        );

        let latest = parse(
            &data("litellm_model_prices_latest.json"),
            NaiveDate::from_ymd_opt(2026, 7, 24),
        )
        .unwrap();
        assert!(latest.prices.len() > b.prices.len());
    }

    #[test]
    fn needs_a_snapshot_and_rejects_bad_prices() {
        assert!(matches!(parse(b"{}", None), Err(ParseError::Format(_))));
        let day = NaiveDate::from_ymd_opt(2025, 2, 6);
        let bad = br#"{"a": {"input_cost_per_token": "cheap", "mode": "chat"}, "b": {"input_cost_per_token": 1e-6}, "c": 3, "d": {"output_cost_per_token": -1}}"#;
        match parse(bad, day) {
            Err(ParseError::Rows(r)) => {
                assert_eq!(r.iter().map(|e| e.line).collect::<Vec<_>>(), vec![1, 4])
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse(b"[1,2]", day), Err(ParseError::Format(_))));
    }
}
