//! Article summaries: a local LLM run with candle (GGUF), and an extractive fallback.
//!
//! The model is owned by dedicated OS threads (`summarizer.workers` of them, sharing one copy of
//! the weights) fed through one channel ([`Summarizer`]), so inference never blocks the async
//! runtime and one loaded model serves every caller. Stance and faithfulness are
//! deterministic text rules: a 135M model cannot judge either reliably.

pub mod dual;
pub mod extractive;
pub mod faithfulness;
pub mod fetch;
pub mod grounding;
pub mod model;
pub mod prompt;
pub mod rouge;
mod runner;
mod slot;
pub mod stance;
pub mod text;
pub mod threads;
pub mod tokenizer;

use std::sync::Arc;
use std::time::Instant;

pub use grounding::Aliases;
pub use jevons_core::grounding::GroundingReport;

pub use faithfulness::faithfulness;
pub use jevons_core::config::SummarizerSettings;
pub use slot::SummarizerSlot;
pub use stance::stance;

/// Stance of an article on GPU demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Bullish,
    Bearish,
    Neutral,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Bullish => "bullish",
            Stance::Bearish => "bearish",
            Stance::Neutral => "neutral",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bullish" => Some(Stance::Bullish),
            "bearish" => Some(Stance::Bearish),
            "neutral" => Some(Stance::Neutral),
            _ => None,
        }
    }
}

/// How a summary was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Method {
    #[serde(rename = "llm")]
    Llm,
    #[serde(rename = "extractive")]
    Extractive,
    /// The model wrote a summary, but no sentence of it passed the grounding check.
    #[serde(rename = "extractive (ungrounded model output)")]
    ExtractiveUngrounded,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Llm => "llm",
            Method::Extractive => "extractive",
            Method::ExtractiveUngrounded => "extractive (ungrounded model output)",
        }
    }
}

/// One summary with its provenance (what made it, how long it took, what looks invented).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub summary: String,
    pub stance: Stance,
    /// -1 (bearish) … 1 (bullish).
    pub stance_score: f32,
    pub method: Method,
    /// e.g. "SmolLM2-135M-Instruct" or "extractive".
    pub model: String,
    /// e.g. "Q4_1→Q8_0"; None for the extractive summariser.
    pub quantization: Option<String>,
    pub prompt_version: String,
    pub tokens_in: u32,
    pub tokens_out: u32,
    pub millis: u64,
    /// Prompt evaluation and decoding time of the model (0 for the extractive summariser).
    pub prompt_millis: u64,
    pub generate_millis: u64,
    /// Numbers and ticker-like tokens of the summary that the article does not contain.
    pub suspect: Vec<String>,
    /// Every name and number of the model's output checked against the article, and the
    /// sentences dropped for unsupported ones (for an extractive summary: its own items).
    pub grounding: GroundingReport,
}

/// Summaries by method, model fallbacks, and the model's decoding speed (Prometheus names).
pub const ARTICLES: &str = "jevons_summarizer_articles_total";
pub const FALLBACKS: &str = "jevons_summarizer_fallbacks_total";
pub const TOKENS: &str = "jevons_summarizer_generated_tokens_total";
/// Per model summary: a Prometheus summary (quantiles) of decoding speed.
pub const TOKENS_PER_SECOND: &str = "jevons_summarizer_tokens_per_second";

fn record_metrics(summary: &Summary) {
    metrics::counter!(ARTICLES, "method" => summary.method.as_str()).increment(1);
    if summary.method == Method::ExtractiveUngrounded {
        metrics::counter!(FALLBACKS).increment(1);
    }
    if summary.generate_millis > 0 {
        let seconds = summary.generate_millis as f64 / 1000.0;
        metrics::counter!(TOKENS).increment(u64::from(summary.tokens_out));
        metrics::histogram!(TOKENS_PER_SECOND).record(f64::from(summary.tokens_out) / seconds);
    }
}

#[derive(Debug, Clone, Default)]
pub struct SummaryRequest {
    pub title: String,
    pub text: String,
    /// Relevance keywords and weights, for the extractive ranking.
    pub keywords: Vec<(String, f32)>,
    /// Names that mean the same (tickers, companies, models), for the grounding check.
    pub aliases: Arc<Aliases>,
}

#[derive(Debug, thiserror::Error)]
pub enum SummarizerError {
    #[error("model file {0} not found (run `jevons model fetch`)")]
    ModelMissing(std::path::PathBuf),
    #[error("reading model {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("model: {0}")]
    Candle(#[from] candle_core::Error),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("unsupported model architecture {0:?} (llama, qwen2 and gemma3 are)")]
    Architecture(String),
    #[error("device {0:?}: {1}")]
    Device(String, String),
    #[error("settings: {0}")]
    Settings(String),
    #[error("the model thread has stopped")]
    ThreadGone,
    #[error("empty article")]
    EmptyInput,
}

#[derive(Clone)]
enum Backend {
    Extractive,
    Llm(runner::ModelHandle),
}

/// Cheap to clone: holds a channel to the model workers, or is extractive-only.
#[derive(Clone)]
pub struct Summarizer {
    backend: Backend,
    model_name: String,
    /// The prompt version with the decoding levers in use (provenance).
    prompt_version: String,
}

impl std::fmt::Debug for Summarizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Summarizer")
            .field("method", &self.method())
            .field("model", &self.model_name)
            .finish()
    }
}

impl Summarizer {
    /// Lead sentences ranked by relevance; no model.
    pub fn extractive() -> Self {
        Self {
            backend: Backend::Extractive,
            model_name: "extractive".into(),
            prompt_version: extractive::VERSION.into(),
        }
    }

    /// Loads the GGUF on a dedicated OS thread (never blocks the async runtime); returns when
    /// loaded or failed.
    pub async fn load(settings: &SummarizerSettings) -> Result<Self, SummarizerError> {
        let handle = runner::spawn(settings.clone()).await?;
        let model_name = handle.info().name.clone();
        Ok(Self {
            backend: Backend::Llm(handle),
            model_name,
            prompt_version: prompt::version(settings),
        })
    }

    /// Falls back to extractive when the model is missing or broken (logs why) — what
    /// `jevons serve` uses.
    pub async fn from_settings(settings: &SummarizerSettings) -> Self {
        match Self::load(settings).await {
            Ok(s) => {
                tracing::info!(model = %s.model_name, "summaries by the local model");
                s
            }
            Err(e) => {
                tracing::warn!(error = %e, "summaries are extractive");
                Self::extractive()
            }
        }
    }

    pub fn method(&self) -> Method {
        match self.backend {
            Backend::Extractive => Method::Extractive,
            Backend::Llm(_) => Method::Llm,
        }
    }

    pub fn model_name(&self) -> &str {
        &self.model_name
    }

    /// How many summaries it computes at once (the model workers; 1 for the extractive one):
    /// callers that have that many articles in flight keep every worker busy.
    pub fn concurrency(&self) -> usize {
        match &self.backend {
            Backend::Extractive => 1,
            Backend::Llm(h) => h.workers(),
        }
    }

    /// Summary, stance and faithfulness flags of one article.
    pub async fn summarize(&self, req: SummaryRequest) -> Result<Summary, SummarizerError> {
        let summary = self.summarize_unrecorded(req).await?;
        record_metrics(&summary);
        Ok(summary)
    }

    async fn summarize_unrecorded(&self, req: SummaryRequest) -> Result<Summary, SummarizerError> {
        let article = text::normalize(&req.text);
        if article.trim().is_empty() && req.title.trim().is_empty() {
            return Err(SummarizerError::EmptyInput);
        }
        let started = Instant::now();
        let full = format!("{}\n{}", req.title, article);
        let (stance, stance_score) = stance::stance(&full);
        match &self.backend {
            Backend::Extractive => {
                let summary = extractive::summarize(&req.title, &article, &req.keywords, 3);
                let suspect = faithfulness::faithfulness(&summary, &full);
                // Copied sentences: reported, never dropped.
                let grounding = grounding::ground(&summary, &full, &req.aliases).report;
                Ok(Summary {
                    tokens_in: word_count(&article),
                    tokens_out: word_count(&summary),
                    summary,
                    stance,
                    stance_score,
                    method: Method::Extractive,
                    model: "extractive".into(),
                    quantization: None,
                    prompt_version: extractive::VERSION.into(),
                    millis: started.elapsed().as_millis() as u64,
                    prompt_millis: 0,
                    generate_millis: 0,
                    suspect,
                    grounding,
                })
            }
            Backend::Llm(handle) => {
                let out = handle.generate(req.title.clone(), article.clone()).await?;
                let (summary, method, grounding) = grounded(&out.text, &req, &article, &full);
                let suspect = faithfulness::faithfulness(&summary, &full);
                Ok(Summary {
                    summary,
                    stance,
                    stance_score,
                    method,
                    model: self.model_name.clone(),
                    quantization: Some(handle.info().quantization.clone()),
                    prompt_version: self.prompt_version.clone(),
                    tokens_in: out.tokens_in,
                    tokens_out: out.tokens_out,
                    millis: started.elapsed().as_millis() as u64,
                    prompt_millis: out.prompt_millis,
                    generate_millis: out.generate_millis,
                    suspect,
                    grounding,
                })
            }
        }
    }

    /// Model details (device, quantisation, load time) when an LLM is loaded.
    pub fn model_info(&self) -> Option<&model::ModelInfo> {
        match &self.backend {
            Backend::Llm(h) => Some(h.info()),
            Backend::Extractive => None,
        }
    }
}

/// The model's output without its unsupported sentences, or — when none is left — the
/// extractive summary with [`Method::ExtractiveUngrounded`]. `article` is normalised, `full` is
/// title and article.
fn grounded(
    model_text: &str,
    req: &SummaryRequest,
    article: &str,
    full: &str,
) -> (String, Method, GroundingReport) {
    let checked = grounding::ground(model_text, full, &req.aliases);
    let mut report = checked.report;
    if checked.text.trim().is_empty() {
        // Nothing the model wrote is both said and supported (or it said nothing): the reader
        // gets sentences of the article instead, marked as such.
        report.fallback = true;
        let s = extractive::summarize(&req.title, article, &req.keywords, 2);
        (s, Method::ExtractiveUngrounded, report)
    } else {
        (checked.text, Method::Llm, report)
    }
}

fn word_count(s: &str) -> u32 {
    s.split_whitespace().count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Nvidia lost 17% of its value on Monday after DeepSeek released R1. \
Analysts said cheaper models could raise demand for chips over time.";

    fn request() -> SummaryRequest {
        SummaryRequest {
            title: "Nvidia falls".into(),
            text: ARTICLE.into(),
            ..Default::default()
        }
    }

    #[test]
    fn supported_sentences_of_the_model_are_kept() {
        let req = request();
        let full = format!("{}\n{}", req.title, ARTICLE);
        let (s, method, report) = grounded(
            "Nvidia lost 17% after DeepSeek released R1. Toby Blair resigned.",
            &req,
            ARTICLE,
            &full,
        );
        assert_eq!(s, "Nvidia lost 17% after DeepSeek released R1.");
        assert_eq!(method, Method::Llm);
        assert_eq!(report.dropped, vec!["Toby Blair resigned."]);
        assert!(!report.fallback);
    }

    #[test]
    fn an_ungrounded_model_summary_falls_back_to_the_extractive_one() {
        let req = request();
        let full = format!("{}\n{}", req.title, ARTICLE);
        let (s, method, report) = grounded(
            "Intel lost 40% on Friday. Toby Blair said 3,000 jobs would go.",
            &req,
            ARTICLE,
            &full,
        );
        assert_eq!(method, Method::ExtractiveUngrounded);
        assert_eq!(method.as_str(), "extractive (ungrounded model output)");
        assert_eq!(s, extractive::summarize(&req.title, ARTICLE, &[], 2));
        assert!(report.fallback);
        assert_eq!(report.kept, 0);
        assert_eq!(report.dropped.len(), 2);
        let bad: Vec<&str> = report.unsupported().map(|i| i.text.as_str()).collect();
        assert_eq!(bad, vec!["40%", "Intel", "Friday", "3,000", "Toby Blair"]);
    }
}
