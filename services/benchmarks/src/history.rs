//! Dated API prices: the LiteLLM price history (one row per model's first appearance, price
//! change or removal in LiteLLM's price file, `litellm_price_history.py` in the shared data) and
//! the comparison of a new price snapshot with the stored state, so that `models.fetch` keeps
//! the history growing with only what changed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use jevons_core::ai::{PriceRecord, SourceBatch};

use crate::names::model_key;
use crate::{Columns, ParseError, RowError, csv_reader, field, opt_number};

/// Same source as the snapshots: the history and the fetched snapshots are one dated series.
pub const SOURCE: &str = crate::litellm::SOURCE;

/// Parses the LiteLLM price history CSV (`date_utc_commit,commit,model,litellm_provider,mode,
/// event,input_usd_per_1m,output_usd_per_1m,…`). The commit's UTC day is the effective day;
/// `initial` rows (the first file) are a snapshot (`dated = false`), `added`/`changed` rows dated,
/// `removed` rows end the model's price. Only per-token text modes are kept, as for the JSON
/// file. Several events of one model on one day: the last one holds.
pub fn parse_litellm(bytes: &[u8]) -> Result<SourceBatch, ParseError> {
    let mut reader = csv_reader(bytes);
    let cols = Columns::new(reader.headers().map_err(ParseError::csv)?);
    const WHAT: &str = "LiteLLM price history";
    let date = cols.require(&["date_utc_commit"], WHAT)?;
    let model = cols.require(&["model"], WHAT)?;
    let provider = cols.require(&["litellm_provider"], WHAT)?;
    let mode = cols.require(&["mode"], WHAT)?;
    let event = cols.require(&["event"], WHAT)?;
    let input = cols.require(&["input_usd_per_1m"], WHAT)?;
    let output = cols.require(&["output_usd_per_1m"], WHAT)?;

    let mut prices: Vec<PriceRecord> = Vec::new();
    let mut index: HashMap<(String, String, NaiveDate), usize> = HashMap::new();
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
        let parsed = (|| -> Result<Option<PriceRecord>, String> {
            let name = field(&r, Some(model)).ok_or("no model")?;
            let when = field(&r, Some(date)).ok_or_else(|| format!("{name}: no date"))?;
            let day = DateTime::parse_from_rfc3339(when)
                .map_err(|_| format!("{name}: date `{when}` is not an RFC 3339 time"))?
                .with_timezone(&Utc)
                .date_naive();
            let m = field(&r, Some(mode)).unwrap_or("chat");
            if !crate::litellm::TEXT_MODES.contains(&m) {
                return Ok(None);
            }
            let ev = field(&r, Some(event)).ok_or_else(|| format!("{name}: no event"))?;
            let (dated, removed) = match ev {
                "initial" => (false, false),
                "added" | "changed" => (true, false),
                "removed" => (true, true),
                other => return Err(format!("{name}: unknown event `{other}`")),
            };
            let price = |i: usize, what: &str| -> Result<Option<f64>, String> {
                match opt_number(&r, Some(i), what).map_err(|e| format!("{name}: {e}"))? {
                    Some(v) if v < 0.0 => Err(format!("{name}: {what} {v} is negative")),
                    v => Ok(v),
                }
            };
            let (inp, out) = if removed {
                (None, None)
            } else {
                (price(input, "input price")?, price(output, "output price")?)
            };
            if !removed && inp.is_none() && out.is_none() {
                return Ok(None);
            }
            Ok(Some(PriceRecord {
                model_name: name.to_string(),
                model_key: model_key(name),
                provider: field(&r, Some(provider)).unwrap_or("unknown").to_string(),
                input_usd_per_mtok: inp,
                output_usd_per_mtok: out,
                effective: day,
                dated,
                removed,
            }))
        })();
        match parsed {
            Ok(Some(p)) => {
                let k = (p.model_name.clone(), p.provider.clone(), p.effective);
                match index.get(&k) {
                    Some(&at) => prices[at] = p,
                    None => {
                        index.insert(k, prices.len());
                        prices.push(p);
                    }
                }
            }
            Ok(None) => {}
            Err(e) => errors.push(RowError::new(line, e)),
        }
    }
    if !errors.is_empty() {
        return Err(ParseError::Rows(errors));
    }
    Ok(SourceBatch {
        source: SOURCE.into(),
        source_url: Some(
            "https://github.com/BerriAI/litellm/commits/main/model_prices_and_context_window.json"
                .into(),
        ),
        prices,
        ..SourceBatch::default()
    })
}

/// What changed between the stored `state` of a source (the latest record of each name and
/// provider, removals included) and a fresh snapshot `current`, as records effective `day`:
/// a name that appears (or reappears), a name whose input or output price changed, and a name
/// that disappeared (a removal). Unchanged names give nothing. With no stored state at all the
/// snapshot is returned as it is (undated: nothing is known of its past).
pub fn changes(state: &[PriceRecord], current: &[PriceRecord], day: NaiveDate) -> Vec<PriceRecord> {
    let at_day = |p: &PriceRecord, dated: bool| PriceRecord {
        effective: day,
        dated,
        ..p.clone()
    };
    if state.is_empty() {
        return current.iter().map(|p| at_day(p, false)).collect();
    }
    let before: HashMap<(&str, &str), &PriceRecord> = state
        .iter()
        .map(|p| ((p.model_name.as_str(), p.provider.as_str()), p))
        .collect();
    let mut out = Vec::new();
    let mut present: HashSet<(&str, &str)> = HashSet::new();
    for p in current {
        let k = (p.model_name.as_str(), p.provider.as_str());
        if !present.insert(k) {
            continue;
        }
        let same = before.get(&k).is_some_and(|b| {
            !b.removed
                && b.input_usd_per_mtok == p.input_usd_per_mtok
                && b.output_usd_per_mtok == p.output_usd_per_mtok
        });
        if !same {
            out.push(at_day(p, true));
        }
    }
    for b in state {
        if !b.removed && !present.contains(&(b.model_name.as_str(), b.provider.as_str())) {
            out.push(PriceRecord {
                input_usd_per_mtok: None,
                output_usd_per_mtok: None,
                removed: true,
                ..at_day(b, true)
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn real_history_has_dated_deepseek_prices() {
        let b = parse_litellm(&crate::test_data(
            "litellm_price_history_2025-02-06_2026-07-24.csv",
        ))
        .unwrap();
        assert_eq!(b.source, "litellm");
        let rows = |n: &str| -> Vec<&PriceRecord> {
            b.prices.iter().filter(|p| p.model_name == n).collect()
        };
        let r1 = rows("deepseek/deepseek-reasoner");
        // 2025-02-06T10:56:03+08:00 is 02:56 UTC that day: the initial snapshot, undated.
        assert_eq!(r1[0].effective, d("2025-02-06"));
        assert_eq!(
            (
                r1[0].input_usd_per_mtok,
                r1[0].output_usd_per_mtok,
                r1[0].dated
            ),
            (Some(0.55), Some(2.19), false)
        );
        let last = r1.last().unwrap();
        assert_eq!(
            (
                last.effective,
                last.input_usd_per_mtok,
                last.output_usd_per_mtok,
                last.dated
            ),
            (d("2026-01-13"), Some(0.28), Some(0.42), true)
        );
        let chat = rows("deepseek/deepseek-chat");
        assert_eq!(chat[1].effective, d("2025-02-07"));
        assert_eq!(chat[1].input_usd_per_mtok, Some(0.27));
        // Removals end a price and carry none.
        let gone = rows("vertex_ai/claude-3-7-sonnet-20250219");
        assert!(
            gone.iter()
                .any(|p| p.removed && p.input_usd_per_mtok.is_none())
        );
        assert!(
            b.prices
                .iter()
                .all(|p| p.dated || p.effective == d("2025-02-06"))
        );
        // Embeddings and images are not per-token chat prices.
        assert!(
            b.prices
                .iter()
                .all(|p| p.model_name != "text-embedding-3-small")
        );
    }

    #[test]
    fn bad_rows_are_named() {
        let head = "date_utc_commit,commit,model,litellm_provider,mode,event,input_usd_per_1m,output_usd_per_1m,prev_input_usd_per_1m,prev_output_usd_per_1m\n";
        let text = format!(
            "{head}2025-02-07T05:07:13Z,abc,a,openai,chat,added,1,2,,\nyesterday,abc,b,openai,chat,added,1,2,,\n2025-02-07T05:07:13Z,abc,c,openai,chat,renamed,1,2,,\n2025-02-07T05:07:13Z,abc,d,openai,chat,changed,cheap,2,,\n"
        );
        match parse_litellm(text.as_bytes()) {
            Err(ParseError::Rows(r)) => {
                assert_eq!(r.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 4, 5])
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_litellm(b"model,price\na,1\n"),
            Err(ParseError::Format(_))
        ));
    }

    fn rec(name: &str, i: f64, o: f64, eff: &str) -> PriceRecord {
        PriceRecord {
            model_name: name.into(),
            model_key: model_key(name),
            provider: "p".into(),
            input_usd_per_mtok: Some(i),
            output_usd_per_mtok: Some(o),
            effective: d(eff),
            dated: false,
            removed: false,
        }
    }

    #[test]
    fn changes_keep_only_what_moved() {
        let state = vec![
            rec("a", 1.0, 2.0, "2025-01-01"),
            rec("b", 1.0, 2.0, "2025-01-01"),
            rec("c", 1.0, 2.0, "2025-01-01"),
            PriceRecord {
                removed: true,
                input_usd_per_mtok: None,
                output_usd_per_mtok: None,
                ..rec("e", 0.0, 0.0, "2025-01-02")
            },
        ];
        let current = vec![
            rec("a", 1.0, 2.0, "2025-03-01"),
            rec("b", 0.5, 2.0, "2025-03-01"),
            rec("d", 3.0, 4.0, "2025-03-01"),
            rec("e", 5.0, 6.0, "2025-03-01"),
        ];
        let day = d("2025-03-01");
        let got = changes(&state, &current, day);
        let summary: Vec<_> = got
            .iter()
            .map(|p| {
                (
                    p.model_name.as_str(),
                    p.input_usd_per_mtok,
                    p.removed,
                    p.dated,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("b", Some(0.5), false, true),
                ("d", Some(3.0), false, true),
                ("e", Some(5.0), false, true),
                ("c", None, true, true),
            ]
        );
        assert!(got.iter().all(|p| p.effective == day));
        // Nothing stored yet: the snapshot as it is, undated.
        let first = changes(&[], &current, day);
        assert_eq!(first.len(), 4);
        assert!(first.iter().all(|p| !p.dated && !p.removed));
    }
}
