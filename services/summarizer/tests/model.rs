//! With the real SmolLM2-135M-Instruct GGUF: tokenizer round trips, deterministic generation,
//! the model workers serving concurrent requests, and a model file that appears later.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use candle_core::quantized::gguf_file;
use jevons_summarizer::model::LocalModel;
use jevons_summarizer::{Method, Summarizer, SummarizerSlot, SummaryRequest};

fn gguf_tokenizer() -> tokenizers::Tokenizer {
    let path = common::model_path();
    let mut f = std::fs::File::open(&path).unwrap();
    let ct = gguf_file::Content::read(&mut f).unwrap();
    jevons_summarizer::tokenizer::from_gguf(&ct).unwrap()
}

const ARTICLE: &str = "Shares of Nvidia fell 17% on Monday after the Chinese start-up DeepSeek released an AI model \
that it said was trained for under $6 million. The sell-off wiped about $593bn from Nvidia's market value, \
the largest one-day loss for any company in US history. Some analysts argued that cheaper models would \
expand demand for computing over time, an idea known as the Jevons paradox.";

#[test]
fn tokenizer_round_trips_real_text_exactly() {
    let tok = gguf_tokenizer();
    let mut texts: Vec<String> = common::xsum()
        .into_iter()
        .flat_map(|(a, s)| [a, s])
        .collect();
    for feed in ["rss_2.0_cloudflare.xml", "atom_example_reddit.xml"] {
        texts.push(std::fs::read_to_string(common::data(feed)).unwrap());
    }
    texts.push(
        "  two  spaces,\ttabs\n\nand £80m, $118.42, 3.5% — café, 東京, 🚀, a literal Ġ".into(),
    );
    let mut total = 0;
    for text in &texts {
        let ids = tok.encode(text.as_str(), false).unwrap().get_ids().to_vec();
        assert!(!ids.is_empty());
        let back = tok.decode(&ids, false).unwrap();
        assert_eq!(&back, text, "round trip changed the text");
        total += ids.len();
    }
    assert!(total > 30_000, "{total} tokens");
}

#[test]
fn tokenizer_matches_smollm2_ids() {
    let tok = gguf_tokenizer();
    // Ids as SmolLM2's own tokenizer.json / llama.cpp give them (stack-spike.md §2).
    assert_eq!(tok.encode("Hello", false).unwrap().get_ids(), &[19556]);
    let ids = tok
        .encode("<|im_start|>user\n2024<|im_end|>", false)
        .unwrap()
        .get_ids()
        .to_vec();
    assert_eq!(ids[0], 1, "<|im_start|> is one special id");
    assert_eq!(*ids.last().unwrap(), 2, "<|im_end|> is one special id");
    // Digits are split one by one: 2 0 2 4.
    let digits: Vec<u32> = tok.encode("2024", false).unwrap().get_ids().to_vec();
    assert_eq!(digits.len(), 4);
    // No prefix space after a special token.
    let after = tok.decode(&ids[1..2], false).unwrap();
    assert_eq!(after, "user");
}

#[test]
fn greedy_generation_is_deterministic_and_non_empty() {
    let _one = common::MODEL_LOCK.blocking_lock();
    let settings = common::settings(48);
    let mut model = LocalModel::load(&settings).unwrap();
    assert_eq!(model.info().name, "SmolLM2-135M-Instruct");
    assert_eq!(model.info().quantization, "Q4_1->Q8_0+F32");
    let a = model
        .summarize("Nvidia falls after DeepSeek model", ARTICLE)
        .unwrap();
    let b = model
        .summarize("Nvidia falls after DeepSeek model", ARTICLE)
        .unwrap();
    assert!(
        !a.text.trim().is_empty(),
        "empty summary (raw: {:?})",
        a.raw
    );
    assert!(a.tokens_out > 0 && a.tokens_out <= 48);
    assert!(a.tokens_in > 80);
    assert_eq!(a.raw, b.raw, "greedy decoding must repeat itself");
    assert_eq!(a.text, b.text);
    // Post-processing: at most three sentences, no chat markup.
    assert!(!a.text.contains("<|im_"), "{}", a.text);
    assert!(a.text.matches(['.', '!', '?']).count() <= 6, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_workers_serve_concurrent_requests() {
    let _one = common::MODEL_LOCK.lock().await;
    let mut settings = common::settings(12);
    settings.threads = 2;
    settings.workers = 2;
    let s = Summarizer::load(&settings).await.unwrap();
    assert_eq!(s.method(), Method::Llm);
    assert_eq!(s.model_name(), "SmolLM2-135M-Instruct");
    assert_eq!(s.concurrency(), 2);
    let device = &s.model_info().unwrap().device;
    assert!(device.starts_with("cpu (2 × 1 thread)"), "{device}");
    let mut tasks = Vec::new();
    for i in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let title = if i % 2 == 0 {
                "Nvidia falls"
            } else {
                "Chip stocks"
            };
            s.summarize(SummaryRequest {
                title: title.into(),
                text: ARTICLE.into(),
                ..Default::default()
            })
            .await
        }));
    }
    // The runtime stays responsive while the model works.
    let tick = tokio::time::timeout(std::time::Duration::from_millis(200), async { 1 })
        .await
        .unwrap();
    assert_eq!(tick, 1);
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap().unwrap());
    }
    for o in &out {
        assert_eq!(o.method, Method::Llm);
        assert!(!o.summary.is_empty());
        assert_eq!(o.quantization.as_deref(), Some("Q4_1->Q8_0+F32"));
        assert_eq!(
            o.prompt_version,
            jevons_summarizer::prompt::version(&settings)
        );
        assert!(
            o.prompt_version
                .starts_with(jevons_summarizer::prompt::PROMPT_VERSION)
        );
    }
    // Same input, same greedy output, whichever request came first and whichever worker (they
    // share the weights, each has its own KV cache) computed it.
    assert_eq!(out[0].summary, out[2].summary);
    assert_eq!(out[1].summary, out[3].summary);
    let mut one = settings.clone();
    one.workers = 1;
    let single = Summarizer::load(&one).await.unwrap();
    assert_eq!(single.concurrency(), 1);
    let again = single
        .summarize(SummaryRequest {
            title: "Nvidia falls".into(),
            text: ARTICLE.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        again.summary, out[0].summary,
        "one worker with two threads agrees"
    );
}

/// What `jevons serve` sees when `summarizer.auto_fetch` fetches the model in the background:
/// the slot is extractive while the file is missing or broken, and the local model from the
/// first use after the finished file is in place — no restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_file_that_appears_later_is_used_from_the_next_use() {
    let _one = common::MODEL_LOCK.lock().await;
    let dir = std::env::temp_dir().join(format!("jevons-slot-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut settings = common::settings(8);
    settings.model_path = dir.join("SmolLM2-135M-Instruct.Q4_1.gguf");
    let request = || SummaryRequest {
        title: "Nvidia falls".into(),
        text: ARTICLE.into(),
        ..Default::default()
    };

    let slot = SummarizerSlot::new(settings.clone());
    assert_eq!(slot.get().await.method(), Method::Extractive);
    assert_eq!(
        slot.get().await.method(),
        Method::Extractive,
        "still missing"
    );
    std::fs::write(&settings.model_path, b"GGUF but cut short").unwrap();
    assert_eq!(
        slot.get().await.method(),
        Method::Extractive,
        "a broken file"
    );
    // The fetch renames the finished file into place; here a link to the real model.
    std::fs::remove_file(&settings.model_path).unwrap();
    std::os::unix::fs::symlink(common::model_path(), &settings.model_path).unwrap();
    let s = slot.get().await;
    assert_eq!(s.method(), Method::Llm);
    assert_eq!(s.summarize(request()).await.unwrap().method, Method::Llm);
    assert_eq!(slot.get().await.method(), Method::Llm, "loaded once, kept");

    // One set by the caller stays, model file or not.
    let pinned = SummarizerSlot::new(settings);
    pinned.set(Summarizer::extractive()).unwrap();
    assert!(pinned.set(Summarizer::extractive()).is_err());
    assert_eq!(pinned.get().await.method(), Method::Extractive);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_missing_model_falls_back_to_extractive() {
    let mut settings = common::base_settings();
    settings.model_path = "/nonexistent/model.gguf".into();
    let err = Summarizer::load(&settings).await.unwrap_err();
    assert!(err.to_string().contains("jevons model fetch"), "{err}");
    let s = Summarizer::from_settings(&settings).await;
    assert_eq!(s.method(), Method::Extractive);
    let out = s
        .summarize(SummaryRequest {
            title: "Nvidia falls".into(),
            text: ARTICLE.into(),
            keywords: vec![("nvidia".into(), 1.0)],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(out.model, "extractive");
    assert!(
        out.summary.starts_with("Shares of Nvidia fell 17%"),
        "{}",
        out.summary
    );
    assert_eq!(out.stance, jevons_summarizer::Stance::Bearish);
    assert!(out.suspect.is_empty(), "{:?}", out.suspect);
}

fn argmax(v: &[f32]) -> usize {
    v.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
        .unwrap()
}

/// The dual-weight llama (dense F32 for prompts, Q8_0 for decoding) computes what candle's
/// quantized_llama computes on the same Q8_0 weights, within quantisation noise.
#[test]
fn dual_weight_llama_agrees_with_candles_llama() {
    let _one = common::MODEL_LOCK.blocking_lock();
    let mut q8 = common::settings(16);
    q8.requantize = jevons_core::config::Requantize::Q8_0;
    let mut dual = q8.clone();
    dual.requantize = jevons_core::config::Requantize::Q8_0F32;
    let mut a = LocalModel::load(&q8).unwrap();
    let mut b = LocalModel::load(&dual).unwrap();
    assert_eq!(b.info().quantization, "Q4_1->Q8_0+F32");
    let prompt = jevons_summarizer::prompt::ChatTemplate::ChatMl.render("Nvidia falls", ARTICLE);
    let la = a.prompt_logits(&prompt).unwrap();
    let lb = b.prompt_logits(&prompt).unwrap();
    assert_eq!(la.len(), lb.len());
    assert_eq!(argmax(&la), argmax(&lb));
    let max_diff = la
        .iter()
        .zip(&lb)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    let scale = la.iter().map(|x| x.abs()).fold(0.0f32, f32::max);
    assert!(
        max_diff < 0.05 * scale,
        "max diff {max_diff} vs scale {scale}"
    );
    // Decoding (one row: the Q8_0 path) continues the same way for the first tokens.
    let ga = a.summarize("Nvidia falls", ARTICLE).unwrap();
    let gb = b.summarize("Nvidia falls", ARTICLE).unwrap();
    let first = |s: &str| s.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
    assert_eq!(
        first(&ga.raw),
        first(&gb.raw),
        "{:?} vs {:?}",
        ga.raw,
        gb.raw
    );
}
