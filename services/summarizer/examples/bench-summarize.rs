//! Summarisation benchmark (not a test): speed and quality over an XSum sample.
//!
//! `cargo run --release -p jevons-summarizer --example bench-summarize -- [--limit N] [--model F]
//! [--requantize q8_0|none] [--max-new-tokens N] [--out results.jsonl] [--skip-llm]`
//! (scripts/bench-summarize wraps it with `/usr/bin/time -v` for peak RSS).
//!
//! Prints, for the LLM: articles/minute end to end (tokenise, prompt, decode, post-process,
//! stance, faithfulness; model load reported apart), prompt and generation tokens/s; and ROUGE-1/2/L
//! F1 against the reference summaries plus the share of summaries the faithfulness check flags,
//! for the LLM, the extractive summariser and the lead-1-sentence baseline.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use jevons_summarizer::model::LocalModel;
use jevons_summarizer::rouge::{Rouge, rouge};
use jevons_summarizer::{extractive, faithfulness, stance, text};

struct Args {
    data: PathBuf,
    limit: usize,
    settings: jevons_summarizer::SummarizerSettings,
    out: Option<PathBuf>,
    skip_llm: bool,
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
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => a.data = value()?.into(),
            "--limit" => a.limit = value()?.parse().map_err(|e| format!("--limit: {e}"))?,
            "--model" => a.settings.model_path = value()?.into(),
            "--requantize" => a.settings.requantize = value()?,
            "--device" => a.settings.device = value()?,
            "--max-new-tokens" => {
                a.settings.max_new_tokens = value()?.parse().map_err(|e| format!("{e}"))?
            }
            "--out" => a.out = Some(value()?.into()),
            "--skip-llm" => a.skip_llm = true,
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
    }

    fn line(&self, name: &str) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "{name:<12} ROUGE-1 {:.4}  ROUGE-2 {:.4}  ROUGE-L {:.4}  flagged {:>3.0}%  mean words {:.1}",
            self.sum.rouge1 / n,
            self.sum.rouge2 / n,
            self.sum.rouge_l / n,
            100.0 * self.flagged as f64 / n,
            self.words as f64 / n
        )
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args()?;
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

    let mut out = match &a.out {
        Some(p) => Some(std::fs::File::create(p)?),
        None => None,
    };
    let mut llm = Score::default();
    if !a.skip_llm {
        let started = Instant::now();
        let mut model = LocalModel::load(&a.settings)?;
        let info = model.info().clone();
        println!(
            "model {} ({}, {}) on {}: loaded in {} ms",
            info.name, info.architecture, info.quantization, info.device, info.load_millis
        );
        let load_secs = started.elapsed().as_secs_f64();
        let (mut tin, mut tout, mut pms, mut gms) = (0u64, 0u64, 0u64, 0u64);
        let run = Instant::now();
        for (i, (article, reference)) in rows.iter().enumerate() {
            let norm = text::normalize(article);
            let g = model.summarize("", &norm)?;
            // What the service does per article besides generation.
            let _ = stance(&norm);
            llm.add(&g.text, reference, article);
            tin += u64::from(g.tokens_in);
            tout += u64::from(g.tokens_out);
            pms += g.prompt_millis;
            gms += g.generate_millis;
            if let Some(f) = out.as_mut() {
                writeln!(
                    f,
                    "{}",
                    serde_json::json!({"i": i, "summary": g.text, "raw": g.raw, "reference": reference,
                        "tokens_in": g.tokens_in, "tokens_out": g.tokens_out,
                        "prompt_ms": g.prompt_millis, "generate_ms": g.generate_millis,
                        "suspect": faithfulness(&g.text, article)})
                )?;
            }
            eprint!("\r{}/{}", i + 1, rows.len());
        }
        eprintln!();
        let secs = run.elapsed().as_secs_f64();
        println!(
            "LLM speed: {:.2} articles/min end to end ({:.1} s for {}; load {:.1} s apart), \
prompt {:.1} tok/s ({} tokens), generation {:.1} tok/s ({} tokens, {:.1}/article)",
            rows.len() as f64 * 60.0 / secs,
            secs,
            rows.len(),
            load_secs,
            tin as f64 / (pms as f64 / 1000.0).max(1e-9),
            tin,
            tout as f64 / (gms as f64 / 1000.0).max(1e-9),
            tout,
            tout as f64 / rows.len().max(1) as f64
        );
    }
    println!("{}", lead.line("lead-1"));
    println!("{}", extr.line("extractive"));
    if !a.skip_llm {
        println!("{}", llm.line("llm"));
    }
    Ok(())
}
