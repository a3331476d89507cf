//! The grounding report of a summary: every checkable item (name, ticker, model, number) the
//! summary states, whether the article supports it and why, and the sentences dropped for
//! unsupported items. Made by the summariser, stored as JSON with the summary, shown by the web
//! layer — so it lives here, shared by all three.

use serde::{Deserialize, Serialize};

/// What kind of claim an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A capitalised name (person, place, organisation), one word or several.
    Name,
    /// An all-capitals symbol such as NVDA or $AMD.
    Ticker,
    /// A model or product name with digits or inner capitals: DeepSeek-R1, GPT-4o, H100.
    Model,
    /// A number, with its unit and scale: 17%, $5.6 million, 2,000.
    Number,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Name => "name",
            ItemKind::Ticker => "ticker",
            ItemKind::Model => "model",
            ItemKind::Number => "number",
        }
    }
}

/// One checked item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundingItem {
    /// As the summary wrote it.
    pub text: String,
    pub kind: ItemKind,
    /// What was compared: the normalised name, or the number as value and unit ("5600000 USD").
    pub normalized: String,
    pub supported: bool,
    /// Why: "in the article", "alias of NVIDIA (NVDA) in the article", "no 5600000 USD in the
    /// article" …
    pub reason: String,
    /// Index of the summary sentence it came from.
    pub sentence: usize,
}

/// The check of one summary against its article.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroundingReport {
    /// Rules version, so reports made by different rules can be told apart.
    pub version: String,
    pub items: Vec<GroundingItem>,
    /// Sentences of the model's output removed because they hold an unsupported item.
    pub dropped: Vec<String>,
    /// Sentences of the checked text that were kept.
    pub kept: usize,
    /// True when nothing was left and the extractive summary replaced the model's.
    pub fallback: bool,
}

impl GroundingReport {
    pub fn supported(&self) -> usize {
        self.items.iter().filter(|i| i.supported).count()
    }

    pub fn unsupported(&self) -> impl Iterator<Item = &GroundingItem> {
        self.items.iter().filter(|i| !i.supported)
    }
}
