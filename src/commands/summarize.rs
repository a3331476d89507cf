//! `jevons model fetch` and `jevons summarize`: they need no database, so they run before
//! `main` opens one. Also the background fetch of the default model for `jevons serve`.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use jevons_core::{Settings, Ticker};
use jevons_summarizer::fetch::{self, FetchProgress, ModelSource, NoProgress};
use jevons_summarizer::{Summarizer, SummaryRequest};

use crate::cli::{Command, ModelCommand};

/// Whether [`run`] handles this command (without a database).
pub fn handles(command: &Command) -> bool {
    matches!(command, Command::Model(_) | Command::Summarize { .. })
}

pub async fn run(command: &Command, settings: &Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Model(ModelCommand::Fetch { source }) => {
            fetch_command(source.as_deref(), settings).await
        }
        Command::Summarize { file, title, json } => {
            summarize_command(file.as_deref(), title.as_deref(), *json, settings).await
        }
        _ => anyhow::bail!("not a model command"),
    }
}

async fn fetch_command(source: Option<&str>, settings: &Settings) -> anyhow::Result<ExitCode> {
    let s = &settings.summarizer;
    let src = ModelSource::parse(source, s)?;
    let dir = s
        .model_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // The default source lands exactly where the configuration looks for it.
    let name = if source.is_none() {
        s.model_path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
    } else {
        None
    };
    let progress = BarProgress::new();
    let started = Instant::now();
    let path = fetch::fetch_model(&fetch::client()?, &src, dir, name.as_deref(), &progress)
        .await
        .context("model fetch failed")?;
    progress.finish();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "{} ({:.1} MB) in {:.1}s",
        path.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    if path != s.model_path {
        println!(
            "to use it: set summarizer.model_path = \"{}\" in config/local.toml (or JEVONS__SUMMARIZER__MODEL_PATH)",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn summarize_command(
    file: Option<&Path>,
    title: Option<&str>,
    json: bool,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let text = match file {
        Some(f) => {
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?
        }
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("reading stdin")?;
            s
        }
    };
    if text.trim().is_empty() {
        anyhow::bail!("nothing to summarise: the input is empty");
    }
    let started = Instant::now();
    let summarizer = Summarizer::from_settings(&settings.summarizer).await;
    let load_ms = started.elapsed().as_millis() as u64;
    let out = summarizer
        .summarize(SummaryRequest {
            title: title.unwrap_or_default().to_string(),
            text: text.clone(),
            // No database here: names are checked as the article writes them.
            ..Default::default()
        })
        .await?;
    let entities = watchlist_entities(&text, &settings.watchlist);
    if json {
        let info = summarizer.model_info();
        let o = serde_json::json!({
            "summary": out.summary,
            "stance": out.stance.as_str(),
            "stance_score": out.stance_score,
            "entities": entities,
            "method": out.method.as_str(),
            "model": out.model,
            "quantization": out.quantization,
            "device": info.map(|i| i.device.as_str()),
            "prompt_version": out.prompt_version,
            "tokens": {"in": out.tokens_in, "out": out.tokens_out},
            "timings": {
                "load_ms": load_ms,
                "summarize_ms": out.millis,
                "total_ms": started.elapsed().as_millis() as u64,
            },
            "suspect": out.suspect,
            "grounding": out.grounding,
        });
        println!("{}", serde_json::to_string_pretty(&o)?);
    } else {
        println!("{}", out.summary);
        println!();
        println!(
            "stance on GPU demand: {} ({:+.2}); tickers: {}",
            out.stance.as_str(),
            out.stance_score,
            if entities.is_empty() {
                "none".to_string()
            } else {
                entities.join(", ")
            }
        );
        if !out.suspect.is_empty() {
            println!("not in the text (check): {}", out.suspect.join(", "));
        }
        for item in out.grounding.unsupported() {
            println!(
                "dropped: {} “{}” ({})",
                item.kind.as_str(),
                item.text,
                item.reason
            );
        }
        println!(
            "{} {}, {} tokens in, {} out, {} ms (load {} ms)",
            out.model,
            out.quantization.as_deref().unwrap_or(""),
            out.tokens_in,
            out.tokens_out,
            out.millis,
            load_ms
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Watchlist symbols the text mentions: the symbol as a word (case-sensitive, `$NVDA` too) or
/// the company's name (case-insensitive, whole words, without a parenthesised suffix).
pub fn watchlist_entities(text: &str, watchlist: &[Ticker]) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '&'))
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let mut out = Vec::new();
    for t in watchlist {
        let symbol = t.symbol.as_str();
        let by_symbol = words.contains(&symbol);
        let name = t.name.split('(').next().unwrap_or(&t.name);
        let name_words: Vec<String> = name
            .split(|c: char| !(c.is_alphanumeric() || c == '&'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let by_name = !name_words.is_empty()
            && lower
                .windows(name_words.len())
                .any(|w| w == name_words.as_slice());
        if by_symbol || by_name {
            out.push(symbol.to_string());
        }
    }
    out
}

/// `jevons serve` with no model file: fetch the default one (a background task) when
/// `summarizer.auto_fetch` is on. Network errors are logged, never fatal; until the file is there
/// summaries are extractive.
pub async fn auto_fetch(settings: Arc<Settings>) {
    let s = &settings.summarizer;
    if !s.auto_fetch || s.model_path.is_file() {
        return;
    }
    tracing::info!(path = %s.model_path.display(), "no model file: fetching the default model in the background");
    match fetch::ensure_default_model(s, &NoProgress).await {
        Ok(path) => {
            tracing::info!(path = %path.display(), "model fetched; news.summarize uses it from its next run (no restart)")
        }
        Err(e) => tracing::warn!(error = %e, "model fetch failed; summaries stay extractive"),
    }
}

/// A byte progress bar on a terminal, silence otherwise.
struct BarProgress {
    bar: Option<ProgressBar>,
}

impl BarProgress {
    fn new() -> Self {
        Self {
            bar: std::io::stderr().is_terminal().then(ProgressBar::no_length),
        }
    }
}

impl FetchProgress for BarProgress {
    fn start(&self, what: &str, total: Option<u64>) {
        if let Some(bar) = &self.bar {
            bar.reset();
            if let Some(total) = total {
                bar.set_length(total);
            }
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ({eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(what.to_string());
            bar.enable_steady_tick(Duration::from_millis(200));
        }
    }

    fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_watchlist_tickers_by_symbol_or_name() {
        let settings =
            Settings::load_with(Path::new("config"), Vec::<(String, String)>::new()).unwrap();
        let e = watchlist_entities(
            "Nvidia and $AMD fell; Taiwan Semiconductor held. Intelligence is not Intel? ARM arm.",
            &settings.watchlist,
        );
        assert_eq!(e, vec!["NVDA", "AMD", "TSM", "INTC", "ARM"]);
        assert!(watchlist_entities("artificial intelligence", &settings.watchlist).is_empty());
    }
}
