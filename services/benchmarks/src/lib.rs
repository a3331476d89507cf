//! AI model, benchmark and API-price sources (Epoch AI, LiteLLM, LMArena, Open LLM Leaderboard,
//! generic long CSV): parsers of the real formats into [`SourceBatch`]es, name matching, and an
//! HTTP fetch with retries. No database here; `jevons-store` writes the batches.

// Tests may unwrap: a panic there is the failure report.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod epoch;
pub mod fetch;
#[doc(hidden)]
pub mod fuzzing;
pub mod generic;
pub mod history;
pub mod litellm;
pub mod lmarena;
pub mod names;
pub mod openllm;

/// A bundled model data file (`data/models/NAME`), for the parsers' tests on the real files.
#[cfg(test)]
fn test_data(name: &str) -> Vec<u8> {
    let path = format!("{}/../../data/models/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

use std::fmt;

use chrono::NaiveDate;
pub use jevons_core::ai::{ModelRecord, PriceRecord, ScoreRecord, ScoreScale, SourceBatch};
pub use names::{AliasTable, benchmark_key, model_key};

/// A bad row: the 1-based line (header = line 1, CSV records counted, JSON keys by position)
/// and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

impl RowError {
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}: {}", self.line, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file as a whole is not in the expected format (missing columns, not JSON…).
    #[error("{0}")]
    Format(String),
    /// Some rows are bad; the whole file is rejected.
    #[error("{} bad row(s), nothing imported: {}", .0.len(), summarise(.0))]
    Rows(Vec<RowError>),
}

impl ParseError {
    pub(crate) fn csv(e: csv::Error) -> Self {
        ParseError::Format(format!("not a readable CSV file: {e}"))
    }
}

fn summarise(rows: &[RowError]) -> String {
    let mut s: Vec<String> = rows.iter().take(5).map(ToString::to_string).collect();
    if rows.len() > 5 {
        s.push("…".into());
    }
    s.join("; ")
}

/// The formats jevons reads, as named on the command line (`--format`) and in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Epoch AI "Notable AI Models" CSV.
    EpochModels,
    /// Epoch AI Benchmarking Hub runs CSV.
    EpochRuns,
    /// Epoch AI Benchmarking Hub `benchmark_data.zip` file: one CSV per benchmark, named after it.
    EpochHub,
    /// Epoch Capabilities Index (`epoch_capabilities_index.csv`).
    EpochEci,
    /// LiteLLM `model_prices_and_context_window.json`.
    Litellm,
    /// Dated LiteLLM price history CSV (appearances, changes, removals).
    LitellmHistory,
    /// LMArena (Chatbot Arena) leaderboard CSV.
    Lmarena,
    /// Hugging Face Open LLM Leaderboard v2 CSV.
    OpenLlm,
    /// `model,benchmark,metric,value,source,self_reported` (`score` for `value` accepted).
    Generic,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::EpochModels,
        Format::EpochRuns,
        Format::EpochHub,
        Format::EpochEci,
        Format::Litellm,
        Format::LitellmHistory,
        Format::Lmarena,
        Format::OpenLlm,
        Format::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::EpochModels => "epoch-models",
            Format::EpochRuns => "epoch-runs",
            Format::EpochHub => "epoch-hub",
            Format::EpochEci => "epoch-eci",
            Format::Litellm => "litellm",
            Format::LitellmHistory => "litellm-history",
            Format::Lmarena => "lmarena",
            Format::OpenLlm => "open-llm",
            Format::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| {
                let known: Vec<_> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown format `{s}` (known: {})", known.join(", "))
            })
    }
}

/// Options of one parse.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// The snapshot (as-of) date; from `--snapshot`, the file name or the fetch day.
    pub snapshot: Option<NaiveDate>,
    /// Source name for the generic format when the file has no `source` column.
    pub source: Option<String>,
    /// Where the data came from (URL), kept as provenance.
    pub source_url: Option<String>,
    /// Generic format: the default of `self_reported` when the file has no such column.
    pub self_reported: bool,
    /// Epoch Benchmarking Hub: the benchmark of the file (its name: `gpqa_diamond`).
    pub benchmark: Option<String>,
}

/// Parses `bytes` in `format`. Any bad row rejects the whole file.
pub fn parse(format: Format, bytes: &[u8], opts: &ParseOptions) -> Result<SourceBatch, ParseError> {
    let mut batch = match format {
        Format::EpochModels => epoch::parse_models(bytes)?,
        Format::EpochRuns => epoch::parse_runs(bytes, opts.snapshot)?,
        Format::EpochHub => epoch::parse_hub(bytes, opts.benchmark.as_deref(), opts.snapshot)?,
        Format::EpochEci => epoch::parse_eci(bytes, opts.snapshot)?,
        Format::Litellm => litellm::parse(bytes, opts.snapshot)?,
        Format::LitellmHistory => history::parse_litellm(bytes)?,
        Format::Lmarena => lmarena::parse(bytes, opts.snapshot)?,
        Format::OpenLlm => openllm::parse(bytes, opts.snapshot)?,
        Format::Generic => generic::parse(bytes, opts)?,
    };
    batch.snapshot = opts.snapshot;
    if opts.source_url.is_some() {
        batch.source_url.clone_from(&opts.source_url);
    }
    Ok(batch)
}

/// A `YYYY-MM-DD` date inside a file name (`lmarena_text_2025-01-24.csv` → 2025-01-24).
pub fn snapshot_from_file_name(name: &str) -> Option<NaiveDate> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let s = name.get(i..i + 10)?;
        let shape = s.bytes().enumerate().all(|(j, c)| {
            if j == 4 || j == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
        if shape {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
        } else {
            None
        }
    })
}

/// Reads CSV headers and finds named columns; a missing required column is a format error.
pub(crate) struct Columns {
    headers: csv::StringRecord,
}

impl Columns {
    pub(crate) fn new(headers: &csv::StringRecord) -> Self {
        Self {
            headers: headers.clone(),
        }
    }

    pub(crate) fn find(&self, names: &[&str]) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    }

    pub(crate) fn require(&self, names: &[&str], what: &str) -> Result<usize, ParseError> {
        self.find(names).ok_or_else(|| {
            ParseError::Format(format!(
                "not a {what} file: no `{}` column",
                names.first().copied().unwrap_or("?")
            ))
        })
    }
}

/// A field: trimmed, `None` when empty.
pub(crate) fn field(r: &csv::StringRecord, i: Option<usize>) -> Option<&str> {
    i.and_then(|i| r.get(i))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An optional number; text that is not a finite number is a row error.
pub(crate) fn opt_number(
    r: &csv::StringRecord,
    i: Option<usize>,
    what: &str,
) -> Result<Option<f64>, String> {
    match field(r, i) {
        None => Ok(None),
        Some(s) => match s.replace(',', "").parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(format!("{what} `{s}` is not a number")),
        },
    }
}

pub(crate) fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(false).from_reader(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_dates_come_from_file_names() {
        assert_eq!(
            snapshot_from_file_name("lmarena_text_2025-01-24.csv"),
            NaiveDate::from_ymd_opt(2025, 1, 24)
        );
        assert_eq!(
            snapshot_from_file_name("litellm_model_prices_latest.json"),
            None
        );
        assert_eq!(snapshot_from_file_name("x_2025-13-01.csv"), None);
    }

    #[test]
    fn formats_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Ok(f));
        }
        assert!(Format::parse("xls").unwrap_err().contains("epoch-models"));
    }
}
