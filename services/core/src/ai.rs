//! AI-model records as the model/benchmark/price sources produce them, before they are matched
//! to a canonical model. Pure data: parsing lives in `jevons-benchmarks`, storage in `jevons-store`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One model as a catalogue source (Epoch AI) describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRecord {
    /// The name as the source spells it, e.g. `DeepSeek-R1`.
    pub name: String,
    /// The normalised name used for matching (`deepseek-r1`).
    pub key: String,
    pub organization: Option<String>,
    pub released: Option<NaiveDate>,
    pub params_total: Option<f64>,
    pub params_active: Option<f64>,
    pub training_compute_flop: Option<f64>,
    pub training_cost_usd: Option<f64>,
    /// What the cost means, e.g. "Epoch AI estimate, 2023 USD".
    pub cost_basis: Option<String>,
    pub hardware: Option<String>,
    pub hardware_quantity: Option<f64>,
    pub open_weights: Option<bool>,
    pub accessibility: Option<String>,
    pub domain: Option<String>,
    pub url: Option<String>,
}

impl ModelRecord {
    /// A model known only by its name and key; the other fields are filled in as sources tell.
    pub fn new(name: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            key: key.into(),
            organization: None,
            released: None,
            params_total: None,
            params_active: None,
            training_compute_flop: None,
            training_cost_usd: None,
            cost_basis: None,
            hardware: None,
            hardware_quantity: None,
            open_weights: None,
            accessibility: None,
            domain: None,
            url: None,
        }
    }
}

/// How a score's value is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoreScale {
    /// 0…1 (percentages are divided by 100 on the way in).
    Fraction,
    /// Elo-like points (LMArena).
    Elo,
    /// Any other number (Codeforces rating…), kept as is.
    Points,
}

impl ScoreScale {
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreScale::Fraction => "fraction",
            ScoreScale::Elo => "elo",
            ScoreScale::Points => "points",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fraction" => Some(ScoreScale::Fraction),
            "elo" => Some(ScoreScale::Elo),
            "points" => Some(ScoreScale::Points),
            _ => None,
        }
    }
}

/// One benchmark result for a model name as a source reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRecord {
    pub model_name: String,
    pub model_key: String,
    /// Canonical benchmark key (`gpqa-diamond`), shared by every source's spelling.
    pub benchmark_key: String,
    /// The benchmark's name as the source spells it.
    pub benchmark_name: String,
    pub metric: String,
    /// On the benchmark's scale (fractions for accuracies).
    pub value: f64,
    /// As the source printed it (e.g. 71.5 for a percentage).
    pub raw_value: f64,
    pub scale: ScoreScale,
    /// The snapshot or measurement date, when the source has one.
    pub as_of: Option<NaiveDate>,
    pub self_reported: bool,
    pub url: Option<String>,
}

/// An API price of a model name at one provider, per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceRecord {
    pub model_name: String,
    pub model_key: String,
    pub provider: String,
    pub input_usd_per_mtok: Option<f64>,
    pub output_usd_per_mtok: Option<f64>,
    /// From when the price holds: a snapshot's date, or the day a dated source saw it appear
    /// or change. In effect until the next record of the same (source, name, provider).
    pub effective: NaiveDate,
    /// `effective` is the day the price appeared or changed in the source (price history, or a
    /// change seen by `models.fetch`), not just a day it was observed on (a snapshot).
    #[serde(default)]
    pub dated: bool,
    /// The name left the source's price file on `effective` (both prices `None`): it ends the
    /// price in effect before.
    #[serde(default)]
    pub removed: bool,
}

/// Everything one source file or download held.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceBatch {
    /// Stable source name, e.g. `epoch-models`, `litellm`, `lmarena`.
    pub source: String,
    pub source_url: Option<String>,
    pub snapshot: Option<NaiveDate>,
    pub models: Vec<ModelRecord>,
    pub scores: Vec<ScoreRecord>,
    pub prices: Vec<PriceRecord>,
}
