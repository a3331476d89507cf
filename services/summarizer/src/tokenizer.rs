//! The tokenizer: `tokenizer.json` beside the GGUF when present, else built from the GGUF's
//! own metadata (`tokenizer.ggml.*`).
//!
//! candle 0.11's `TokenizerFromGguf` is not used: it treats `pre = "smollm"` as plain GPT-2 (prefix
//! space, no digit split), which gives wrong ids and lossy round trips (stack-spike.md §2).

use std::path::Path;

use candle_core::quantized::gguf_file;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

use crate::SummarizerError;

/// GGUF token type of control tokens (`<|im_start|>` …), which must stay single ids.
const TOKEN_TYPE_CONTROL: i32 = 3;

fn tok_err(e: impl std::fmt::Display) -> SummarizerError {
    SummarizerError::Tokenizer(e.to_string())
}

/// `tokenizer.json` in the model's folder (same stem first, then the plain name), else the GGUF
/// metadata.
pub fn load(model_path: &Path, ct: &gguf_file::Content) -> Result<Tokenizer, SummarizerError> {
    let dir = model_path.parent().unwrap_or(Path::new("."));
    let stem = model_path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    for candidate in [
        dir.join(format!("{stem}.tokenizer.json")),
        dir.join("tokenizer.json"),
    ] {
        if candidate.is_file() {
            tracing::info!(path = %candidate.display(), "tokenizer from file");
            return Tokenizer::from_file(&candidate).map_err(tok_err);
        }
    }
    from_gguf(ct)
}

fn md_strings(ct: &gguf_file::Content, key: &str) -> Result<Vec<String>, SummarizerError> {
    let value = ct
        .metadata
        .get(key)
        .ok_or_else(|| tok_err(format!("no {key} in the GGUF metadata")))?;
    value
        .to_vec()?
        .iter()
        .map(|v| v.to_string().cloned().map_err(SummarizerError::from))
        .collect()
}

fn md_string(ct: &gguf_file::Content, key: &str) -> Option<String> {
    ct.metadata
        .get(key)
        .and_then(|v| v.to_string().ok().cloned())
}

/// A BPE tokenizer from `tokenizer.ggml.tokens`/`merges`/`token_type` (`model = "gpt2"`), with the
/// pre-tokenizer that `tokenizer.ggml.pre` names.
pub fn from_gguf(ct: &gguf_file::Content) -> Result<Tokenizer, SummarizerError> {
    let model = md_string(ct, "tokenizer.ggml.model").unwrap_or_default();
    if model != "gpt2" {
        return Err(tok_err(format!(
            "tokenizer model {model:?} in the GGUF is not supported (put a tokenizer.json beside the model)"
        )));
    }
    let tokens = md_strings(ct, "tokenizer.ggml.tokens")?;
    let merges = md_strings(ct, "tokenizer.ggml.merges")?
        .into_iter()
        .map(|m| {
            m.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| tok_err(format!("bad merge {m:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let unk = ct
        .metadata
        .get("tokenizer.ggml.unknown_token_id")
        .and_then(|v| v.to_u32().ok())
        .and_then(|i| tokens.get(i as usize).cloned());
    let mut builder = BPE::builder().vocab_and_merges(vocab, merges);
    if let Some(unk) = unk {
        builder = builder.unk_token(unk);
    }
    let bpe = builder.build().map_err(tok_err)?;
    let mut tok = Tokenizer::new(bpe);
    let pre = md_string(ct, "tokenizer.ggml.pre").unwrap_or_default();
    let byte_level = ByteLevel::new(false, true, true);
    match pre.as_str() {
        // SmolLM2's tokenizer.json: digits one by one, then GPT-2 byte level without a prefix space.
        "smollm" | "starcoder" | "refact" => {
            tok.with_pre_tokenizer(Some(Sequence::new(vec![
                Digits::new(true).into(),
                byte_level.into(),
            ])));
        }
        // Qwen2 / Llama 3: their own split regex, then byte level without the GPT-2 regex.
        "qwen2" | "llama3" | "llama-bpe" | "deepseek-llm" => {
            let pattern = if pre == "qwen2" {
                r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
            } else {
                r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
            };
            let split = Split::new(
                SplitPattern::Regex(pattern.into()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .map_err(tok_err)?;
            tok.with_pre_tokenizer(Some(Sequence::new(vec![
                split.into(),
                ByteLevel::new(false, true, false).into(),
            ])));
        }
        other => {
            tracing::warn!(
                pre = other,
                "unknown GGUF pre-tokenizer; using GPT-2 byte level without prefix space"
            );
            tok.with_pre_tokenizer(Some(byte_level));
        }
    }
    tok.with_decoder(Some(ByteLevelDecoder::default()));
    let types = ct
        .metadata
        .get("tokenizer.ggml.token_type")
        .map(|v| v.to_vec().cloned())
        .transpose()?
        .unwrap_or_default();
    let specials: Vec<AddedToken> = types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.to_i32().is_ok_and(|v| v == TOKEN_TYPE_CONTROL))
        .filter_map(|(i, _)| tokens.get(i))
        .map(|t| AddedToken::from(t.clone(), true))
        .collect();
    tok.add_special_tokens(specials).map_err(tok_err)?;
    Ok(tok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_gpt2_tokenizers_are_refused_with_a_hint() {
        let ct = gguf_file::Content {
            magic: gguf_file::VersionedMagic::GgufV3,
            metadata: [(
                "tokenizer.ggml.model".to_string(),
                gguf_file::Value::String("llama".into()),
            )]
            .into_iter()
            .collect(),
            tensor_infos: Default::default(),
            tensor_data_offset: 0,
        };
        let err = from_gguf(&ct).unwrap_err().to_string();
        assert!(err.contains("tokenizer.json"), "{err}");
    }
}
