//! Shared by the integration tests: the real model file and settings.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use jevons_summarizer::SummarizerSettings;

/// One model test computes at a time: candle's CPU thread pool is shared and spins, so
/// concurrent model tests on a small machine slow each other down many times over.
pub static MODEL_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The real SmolLM2 GGUF: `JEVONS_TEST_MODEL`, else ./models of the workspace. Missing → the test
/// fails and says how to get it (never a silent skip).
pub fn model_path() -> PathBuf {
    let path = std::env::var_os("JEVONS_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("models/SmolLM2-135M-Instruct.Q4_1.gguf"));
    assert!(
        path.is_file(),
        "the test model {} is missing: run `jevons model fetch` (or .ci/run, which caches it), \
or set JEVONS_TEST_MODEL to a SmolLM2-135M-Instruct GGUF",
        path.display()
    );
    path
}

/// The shipped defaults (config/default.toml).
pub fn base_settings() -> SummarizerSettings {
    jevons_core::Settings::load_with(&repo_root().join("config"), Vec::<(String, String)>::new())
        .unwrap()
        .summarizer
}

/// The shipped defaults with the real model, on the CPU, and a small token cap.
pub fn settings(max_new_tokens: usize) -> SummarizerSettings {
    let mut s = base_settings();
    s.model_path = model_path();
    s.device = "cpu".into();
    s.max_new_tokens = max_new_tokens;
    s
}

pub fn xsum() -> Vec<(String, String)> {
    std::fs::read_to_string(data("xsum_test_50.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["article"].as_str().unwrap().to_string(),
                v["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
