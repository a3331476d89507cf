//! The generic long format: `model,benchmark,metric,value,source,self_reported`, one score a
//! row. `score` is accepted for `value` and extra columns (e.g. `category`) are ignored, so
//! tables such as DeepSeek-R1's README (`category,benchmark,metric,model,score`) load as is.

use jevons_core::ai::{ScoreRecord, ScoreScale, SourceBatch};

use crate::names::{benchmark, benchmark_key, model_key, to_scale};
use crate::{Columns, ParseError, ParseOptions, RowError, csv_reader, field, opt_number};

pub fn parse(bytes: &[u8], opts: &ParseOptions) -> Result<SourceBatch, ParseError> {
    let mut reader = csv_reader(bytes);
    let cols = Columns::new(reader.headers().map_err(ParseError::csv)?);
    const WHAT: &str = "long-format score";
    let model = cols.require(&["model"], WHAT)?;
    let bench = cols.require(&["benchmark"], WHAT)?;
    let value = cols.require(&["value", "score"], WHAT)?;
    let metric = cols.find(&["metric"]);
    let source = cols.find(&["source"]);
    let self_rep = cols.find(&["self_reported"]);
    let as_of_col = cols.find(&["as_of", "date"]);

    let mut scores = Vec::new();
    let mut errors = Vec::new();
    let mut batch_source: Option<String> = opts.source.clone();
    for (i, row) in reader.records().enumerate() {
        let line = i + 2;
        let r = match row {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::new(line, e.to_string()));
                continue;
            }
        };
        let (Some(m), Some(b)) = (field(&r, Some(model)), field(&r, Some(bench))) else {
            errors.push(RowError::new(line, "no model or benchmark"));
            continue;
        };
        // "-" in a table means "not reported"; such cells are empty in the long format.
        let raw = match opt_number(&r, Some(value), "value") {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(e) => {
                errors.push(RowError::new(line, format!("{m} {b}: {e}")));
                continue;
            }
        };
        if let Some(s) = field(&r, source) {
            match &batch_source {
                Some(existing) if existing != s => {
                    errors.push(RowError::new(
                        line,
                        format!("source `{s}` differs from `{existing}`: one source per file"),
                    ));
                    continue;
                }
                _ => batch_source = Some(s.to_string()),
            }
        }
        let self_reported = match field(&r, self_rep).map(str::to_ascii_lowercase).as_deref() {
            None => opts.self_reported,
            Some("true" | "1" | "yes" | "y" | "t") => true,
            Some("false" | "0" | "no" | "n" | "f") => false,
            Some(other) => {
                errors.push(RowError::new(
                    line,
                    format!("self_reported `{other}` is not true/false"),
                ));
                continue;
            }
        };
        let as_of = match field(&r, as_of_col) {
            None => opts.snapshot,
            Some(d) => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(RowError::new(line, format!("date `{d}` is not YYYY-MM-DD")));
                    continue;
                }
            },
        };
        let metric = field(&r, metric).unwrap_or("score").to_string();
        let m_lower = metric.to_ascii_lowercase();
        let scale = if m_lower.contains("rating") || m_lower.contains("elo") {
            ScoreScale::Points
        } else {
            benchmark(b).map_or(ScoreScale::Fraction, |d| d.scale)
        };
        if scale == ScoreScale::Fraction && !(0.0..=100.0).contains(&raw) {
            errors.push(RowError::new(
                line,
                format!("{m} {b}: {raw} is not a fraction or a percentage"),
            ));
            continue;
        }
        let (key, name) = benchmark_key(b);
        scores.push(ScoreRecord {
            model_name: m.to_string(),
            model_key: model_key(m),
            benchmark_key: key,
            benchmark_name: name,
            metric,
            value: to_scale(scale, raw, false),
            raw_value: raw,
            scale,
            as_of,
            self_reported,
            url: None,
        });
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    Ok(SourceBatch {
        source: batch_source.unwrap_or_else(|| "file".into()),
        scores,
        ..SourceBatch::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deepseek_r1_readme_table() {
        let bytes = std::fs::read(format!(
            "{}/../../data/models/deepseek_r1_readme_benchmarks.csv",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let opts = ParseOptions {
            source: Some("deepseek-r1-readme".into()),
            self_reported: true,
            ..ParseOptions::default()
        };
        let b = parse(&bytes, &opts).unwrap();
        assert_eq!(b.source, "deepseek-r1-readme");
        // 126 rows, a few "-" cells are not reported.
        assert!(
            b.scores.len() > 110 && b.scores.len() <= 126,
            "{}",
            b.scores.len()
        );
        let r1_gpqa = b
            .scores
            .iter()
            .find(|s| s.model_key == "deepseek-r1" && s.benchmark_key == "gpqa-diamond")
            .unwrap();
        assert_eq!(r1_gpqa.raw_value, 71.5);
        assert!((r1_gpqa.value - 0.715).abs() < 1e-12);
        assert!(r1_gpqa.self_reported);
        let rating = b
            .scores
            .iter()
            .find(|s| s.model_key == "deepseek-r1" && s.metric == "Rating")
            .unwrap();
        assert_eq!((rating.value, rating.scale), (2029.0, ScoreScale::Points));
        let o1 = b
            .scores
            .iter()
            .find(|s| s.model_name == "OpenAI o1-1217" && s.benchmark_key == "aime-2024")
            .unwrap();
        assert!((o1.value - 0.792).abs() < 1e-12);
    }

    #[test]
    fn documented_columns_and_errors() {
        let ok = b"model,benchmark,metric,value,source,self_reported\nA,MMLU,acc,0.8,lab,false\nB,MMLU,acc,80,lab,true\n";
        let b = parse(ok, &ParseOptions::default()).unwrap();
        assert_eq!(b.source, "lab");
        assert_eq!(
            b.scores.iter().map(|s| s.value).collect::<Vec<_>>(),
            vec![0.8, 0.8]
        );
        assert!(!b.scores[0].self_reported && b.scores[1].self_reported);
        let bad = b"model,benchmark,metric,value,source,self_reported\nA,MMLU,acc,x,lab,false\nB,MMLU,acc,250,lab,true\nC,MMLU,acc,0.5,other,true\nD,MMLU,acc,0.5,lab,maybe\n";
        match parse(bad, &ParseOptions::default()) {
            Err(ParseError::Rows(r)) => assert_eq!(
                r.iter().map(|e| e.line).collect::<Vec<_>>(),
                vec![2, 3, 4, 5]
            ),
            other => panic!("{other:?}"),
        }
    }
}
