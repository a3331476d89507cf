//! Summarisation benchmark (not a test): speed and quality over an XSum sample.
//!
//! `cargo run --release -p jevons-summarizer --example bench-summarize -- [--limit N] [--model F]
//! [--requantize q8_0|q8_0+f32|none] [--threads N] [--workers N] [--max-new-tokens N]
//! [--out results.jsonl] [--json] [--skip-llm] [--dump-prompts prompts.jsonl]`
//! (scripts/bench-summarize builds and runs it).
//!
//! Prints, for the LLM: articles/minute end to end through the service's path (the
//! [`Summarizer`] with its model workers: normalise, tokenise, prompt, decode, post-process,
//! stance, faithfulness; every article queued at once, model load reported apart), prompt and
//! generation tokens/s per stream, peak RSS; and ROUGE-1/2/L F1 against the reference summaries
//! plus the share of summaries the faithfulness check flags, for the LLM, the extractive
//! summariser and the lead-1-sentence baseline. `--json` adds one JSON line with the speed
//! figures; `--dump-prompts` writes the exact prompts the model would get (one JSON object a
//! line) and stops, for running another engine on the same input (scripts/bench_llama_cpp.py).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use jevons_core::grounding::{GroundingReport, ItemKind};
use jevons_summarizer::model::LocalModel;
use jevons_summarizer::rouge::{Rouge, rouge};
use jevons_summarizer::threads::ThreadPlan;
use jevons_summarizer::{
    Aliases, Method, Summarizer, SummaryRequest, extractive, faithfulness, grounding, text,
};

struct Args {
    data: PathBuf,
    limit: usize,
    settings: jevons_summarizer::SummarizerSettings,
    out: Option<PathBuf>,
    skip_llm: bool,
    json: bool,
    dump_prompts: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut settings = jevons_core::Settings::load_with(&root.join("config"), std::env::vars())
        .map_err(|e| e.to_string())?
        .summarizer;
    if settings.model_path.is_relative() {
        settings.model_path = root.join(&settings.model_path);
    }
    let mut a = Args {
        data: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/xsum_test_50.jsonl"),
        limit: usize::MAX,
        settings,
        out: None,
        skip_llm: false,
        json: false,
        dump_prompts: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => a.data = value()?.into(),
            "--limit" => a.limit = value()?.parse().map_err(|e| format!("--limit: {e}"))?,
            "--model" => a.settings.model_path = value()?.into(),
            "--requantize" => a.settings.requantize = value()?.parse()?,
            "--device" => a.settings.device = value()?,
            "--max-new-tokens" => {
                a.settings.max_new_tokens = value()?.parse().map_err(|e| format!("{e}"))?
            }
            "--threads" => a.settings.threads = value()?.parse().map_err(|e| format!("{e}"))?,
            "--workers" => a.settings.workers = value()?.parse().map_err(|e| format!("{e}"))?,
            "--extract-first" => a.settings.extract_first = true,
            "--copy-bias" => a.settings.copy_bias = value()?.parse().map_err(|e| format!("{e}"))?,
            "--no-repeat-ngram" => {
                a.settings.no_repeat_ngram = value()?.parse().map_err(|e| format!("{e}"))?
            }
            "--max-sentences" => {
                a.settings.max_sentences = value()?.parse().map_err(|e| format!("{e}"))?
            }
            "--out" => a.out = Some(value()?.into()),
            "--skip-llm" => a.skip_llm = true,
            "--json" => a.json = true,
            "--dump-prompts" => a.dump_prompts = Some(value()?.into()),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

#[derive(Default)]
struct Score {
    n: usize,
    sum: Rouge,
    flagged: usize,
    words: usize,
    /// Names and numbers in the summaries, and how many the article supports.
    items: usize,
    supported: usize,
    /// Summaries with a number the article does not have.
    with_unsupported_number: usize,
    /// Summaries replaced by the extractive one (grounding fallback).
    fallbacks: usize,
}

impl Score {
    fn add(&mut self, summary: &str, reference: &str, article: &str) {
        let r = rouge(summary, reference);
        self.n += 1;
        self.sum.rouge1 += r.rouge1;
        self.sum.rouge2 += r.rouge2;
        self.sum.rouge_l += r.rouge_l;
        self.words += summary.split_whitespace().count();
        if !faithfulness(summary, article).is_empty() {
            self.flagged += 1;
        }
        self.add_items(&grounding::ground(summary, article, &Aliases::default()).report);
    }

    fn add_items(&mut self, report: &GroundingReport) {
        self.items += report.items.len();
        self.supported += report.supported();
        if report.unsupported().any(|i| i.kind == ItemKind::Number) {
            self.with_unsupported_number += 1;
        }
    }

    fn line(&self, name: &str) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "{name:<12} ROUGE-1 {:.4}  ROUGE-2 {:.4}  ROUGE-L {:.4}  flagged {:>3.0}%  mean words {:.1}  \
name precision {:.3} ({}/{})  numbers not in article {:.0}%  fallbacks {:.0}%",
            self.sum.rouge1 / n,
            self.sum.rouge2 / n,
            self.sum.rouge_l / n,
            100.0 * self.flagged as f64 / n,
            self.words as f64 / n,
            self.supported as f64 / self.items.max(1) as f64,
            self.supported,
            self.items,
            100.0 * self.with_unsupported_number as f64 / n,
            100.0 * self.fallbacks as f64 / n,
        )
    }
}

/// Peak resident memory of this process so far (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut a = args()?;
    // As `jevons` does at start: candle sizes its CPU threads from the environment.
    for (key, value) in jevons_summarizer::threads::pin(&mut a.settings) {
        // SAFETY: single-threaded still (no runtime, no model yet).
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var(key, value)
        };
    }
    let rows: Vec<(String, String)> = std::fs::read_to_string(&a.data)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(a.limit)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l)?;
            Ok((
                v["article"].as_str().unwrap_or_default().to_string(),
                v["summary"].as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect::<Result<_, serde_json::Error>>()?;
    if let Some(path) = &a.dump_prompts {
        return dump_prompts(&a, &rows, path);
    }
    println!("{} articles from {}", rows.len(), a.data.display());

    let mut lead = Score::default();
    let mut extr = Score::default();
    for (article, reference) in &rows {
        let norm = text::normalize(article);
        let first = text::sentences(&norm)
            .into_iter()
            .next()
            .unwrap_or_default();
        lead.add(&first, reference, article);
        extr.add(
            &extractive::summarize("", &norm, &[], 3),
            reference,
            article,
        );
    }

    let mut llm = Score::default();
    let mut raw = Score::default();
    if !a.skip_llm {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        runtime.block_on(run_llm(&a, &rows, &mut llm, &mut raw))?;
    }
    println!("{}", lead.line("lead-1"));
    println!("{}", extr.line("extractive"));
    if !a.skip_llm {
        println!("{}", llm.line("llm"));
        // The model's own output before the grounding check dropped anything.
        let n = raw.n.max(1) as f64;
        println!(
            "llm output before the check: name precision {:.3} ({}/{}), summaries with a number \
not in the article {:.0}%",
            raw.supported as f64 / raw.items.max(1) as f64,
            raw.supported,
            raw.items,
            100.0 * raw.with_unsupported_number as f64 / n
        );
    }
    Ok(())
}

/// Every article through the [`Summarizer`] at once: its workers take them from one queue.
async fn run_llm(
    a: &Args,
    rows: &[(String, String)],
    llm: &mut Score,
    raw: &mut Score,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let summarizer = Summarizer::load(&a.settings).await?;
    let load_secs = started.elapsed().as_secs_f64();
    let Some(info) = summarizer.model_info().cloned() else {
        return Err("no model loaded".into());
    };
    let plan = ThreadPlan::new(&a.settings, info.device.starts_with("cpu"));
    println!(
        "model {} ({}, {}) on {}: loaded in {:.1} s",
        info.name, info.architecture, info.quantization, info.device, load_secs
    );
    let run = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (article, _)) in rows.iter().enumerate() {
        let s = summarizer.clone();
        let request = SummaryRequest {
            title: String::new(),
            text: article.clone(),
            ..Default::default()
        };
        tasks.spawn(async move { (i, s.summarize(request).await) });
    }
    let mut results = Vec::with_capacity(rows.len());
    while let Some(done) = tasks.join_next().await {
        let (i, summary) = done?;
        results.push((i, summary?));
        eprint!("\r{}/{}", results.len(), rows.len());
    }
    eprintln!();
    let secs = run.elapsed().as_secs_f64();
    results.sort_by_key(|(i, _)| *i);
    let mut out = match &a.out {
        Some(p) => Some(std::fs::File::create(p)?),
        None => None,
    };
    let (mut tin, mut tout, mut pms, mut gms) = (0u64, 0u64, 0u64, 0u64);
    for (i, s) in &results {
        let (article, reference) = &rows[*i];
        llm.add(&s.summary, reference, article);
        if s.method == Method::ExtractiveUngrounded {
            llm.fallbacks += 1;
        }
        raw.n += 1;
        raw.add_items(&s.grounding);
        tin += u64::from(s.tokens_in);
        tout += u64::from(s.tokens_out);
        pms += s.prompt_millis;
        gms += s.generate_millis;
        if let Some(f) = out.as_mut() {
            writeln!(
                f,
                "{}",
                serde_json::json!({"i": i, "summary": s.summary, "reference": reference,
                    "tokens_in": s.tokens_in, "tokens_out": s.tokens_out,
                    "prompt_ms": s.prompt_millis, "generate_ms": s.generate_millis,
                    "suspect": s.suspect, "method": s.method.as_str(),
                    "grounding": s.grounding})
            )?;
        }
    }
    let n = rows.len().max(1) as f64;
    let per_min = rows.len() as f64 * 60.0 / secs;
    let prompt_tps = tin as f64 / (pms as f64 / 1000.0).max(1e-9);
    let gen_tps = tout as f64 / (gms as f64 / 1000.0).max(1e-9);
    let rss = peak_rss_mb();
    println!(
        "LLM speed: {per_min:.2} articles/min end to end ({secs:.1} s for {}; load {load_secs:.1} s apart; \
{} worker(s) × {} thread(s)), per stream: prompt {prompt_tps:.1} tok/s ({tin} tokens), generation \
{gen_tps:.1} tok/s ({tout} tokens, {:.1}/article); peak RSS {:.0} MB",
        rows.len(),
        plan.workers,
        plan.per_worker,
        tout as f64 / n,
        rss.unwrap_or(f64::NAN),
    );
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "engine": "jevons", "model": info.name, "quantization": info.quantization,
                "threads": plan.workers * plan.per_worker, "workers": plan.workers,
                "threads_per_worker": plan.per_worker, "articles": rows.len(),
                "articles_per_min": per_min, "prompt_tok_s": prompt_tps, "gen_tok_s": gen_tps,
                "tokens_in": tin, "tokens_out": tout, "wall_s": secs, "load_s": load_secs,
                "peak_rss_mb": rss, "prompt_version": summarizer_version(&a.settings),
                "fallbacks": llm.fallbacks,
            })
        );
    }
    Ok(())
}

fn summarizer_version(s: &jevons_summarizer::SummarizerSettings) -> String {
    jevons_summarizer::prompt::version(s)
}

/// The prompts (and the stop rules' inputs) the model gets for each article.
fn dump_prompts(
    a: &Args,
    rows: &[(String, String)],
    path: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let model = LocalModel::load(&a.settings)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    for (i, (article, _)) in rows.iter().enumerate() {
        // As `Summarizer::summarize` does before the model sees the article.
        let prompt = model.prompt("", &text::normalize(article))?;
        let ids = model
            .tokenizer()
            .encode(prompt.as_str(), false)
            .map_err(|e| e.to_string())?
            .get_ids()
            .to_vec();
        writeln!(
            f,
            "{}",
            serde_json::json!({"i": i, "prompt": prompt, "prompt_ids": ids,
                "max_new_tokens": a.settings.max_new_tokens,
                "max_sentences": a.settings.max_sentences,
                "repeat_penalty": a.settings.repeat_penalty,
                "repeat_last_n": a.settings.repeat_last_n,
                "stop_ids": model.stop_ids()})
        )?;
    }
    f.flush()?;
    eprintln!("{} prompts in {}", rows.len(), path.display());
    Ok(())
}
