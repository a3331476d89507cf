//! LMArena (Chatbot Arena) text leaderboard CSV:
//! `rank,rank_stylectrl,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url`.

use chrono::NaiveDate;
use jevons_core::ai::{ScoreRecord, ScoreScale, SourceBatch};

use crate::names::model_key;
use crate::{Columns, ParseError, RowError, csv_reader, field, opt_number};

pub const SOURCE: &str = "lmarena";

pub fn parse(bytes: &[u8], snapshot: Option<NaiveDate>) -> Result<SourceBatch, ParseError> {
    let mut reader = csv_reader(bytes);
    let cols = Columns::new(reader.headers().map_err(ParseError::csv)?);
    const WHAT: &str = "LMArena leaderboard";
    let model = cols.require(&["model", "Model"], WHAT)?;
    let score = cols.require(&["arena_score", "Arena Score", "elo"], WHAT)?;
    let votes = cols.find(&["votes"]);
    let url = cols.find(&["url"]);

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
        let Some(m) = field(&r, Some(model)) else {
            errors.push(RowError::new(line, "no model name"));
            continue;
        };
        let v = match opt_number(&r, Some(score), "arena score") {
            Ok(Some(v)) if v > 0.0 => v,
            Ok(_) => {
                errors.push(RowError::new(line, format!("{m}: no positive arena score")));
                continue;
            }
            Err(e) => {
                errors.push(RowError::new(line, format!("{m}: {e}")));
                continue;
            }
        };
        if let Err(e) = opt_number(&r, votes, "votes") {
            errors.push(RowError::new(line, format!("{m}: {e}")));
            continue;
        }
        scores.push(ScoreRecord {
            model_name: m.to_string(),
            model_key: model_key(m),
            benchmark_key: "lmarena-text".into(),
            benchmark_name: "LMArena text (Elo)".into(),
            metric: "arena_score".into(),
            value: v,
            raw_value: v,
            scale: ScoreScale::Elo,
            as_of: snapshot,
            self_reported: false,
            url: field(&r, url).map(str::to_string),
        });
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    Ok(SourceBatch {
        source: SOURCE.into(),
        source_url: Some("https://lmarena.ai/leaderboard/text".into()),
        scores,
        ..SourceBatch::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data as data;

    #[test]
    fn both_snapshots() {
        let pre = parse(
            &data("lmarena_text_2025-01-24.csv"),
            NaiveDate::from_ymd_opt(2025, 1, 24),
        )
        .unwrap();
        let post = parse(
            &data("lmarena_text_2025-02-06.csv"),
            NaiveDate::from_ymd_opt(2025, 2, 6),
        )
        .unwrap();
        assert_eq!((pre.scores.len(), post.scores.len()), (190, 195));
        let r1 = |b: &SourceBatch| {
            b.scores
                .iter()
                .find(|s| s.model_name == "DeepSeek-R1")
                .unwrap()
                .value
        };
        assert_eq!((r1(&pre), r1(&post)), (1357.0, 1361.0));
        let o1 = post
            .scores
            .iter()
            .find(|s| s.model_name == "o1-2024-12-17")
            .unwrap();
        assert_eq!(o1.value, 1352.0);
        assert_eq!(o1.scale, ScoreScale::Elo);
    }

    #[test]
    fn bad_rows() {
        let bad = b"rank,model,arena_score,votes\n1,A,1300,10\n2,B,,5\n3,,1200,1\n4,C,1250,many\n";
        assert!(matches!(parse(bad, None), Err(ParseError::Rows(r)) if r.len() == 3));
    }
}
