//! The tokenizer: `tokenizer.json` beside the GGUF when present, else built from the GGUF's
//! own metadata (`tokenizer.ggml.*`).
//!
//! candle 0.11's `TokenizerFromGguf` is not used: it treats `pre = "smollm"` as plain GPT-2 (prefix
//! space, no digit split), which gives wrong ids and lossy round trips (stack-spike.md §2).

use std::path::Path;

use candle_core::quantized::gguf_file;
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence as DecoderSequence;
use tokenizers::decoders::strip::Strip;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::normalizers::prepend::Prepend;
use tokenizers::normalizers::replace::Replace;
use tokenizers::normalizers::utils::Sequence as NormalizerSequence;
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

/// The tokenizer the GGUF describes: GPT-2 style BPE (`model = "gpt2"`: SmolLM2, Qwen2, Llama 3)
/// or SentencePiece BPE (`model = "llama"`: Gemma, Llama 2).
pub fn from_gguf(ct: &gguf_file::Content) -> Result<Tokenizer, SummarizerError> {
    let model = md_string(ct, "tokenizer.ggml.model").unwrap_or_default();
    match model.as_str() {
        "gpt2" => gpt2_from_gguf(ct),
        "llama" => sentencepiece_from_gguf(ct),
        other => Err(tok_err(format!(
            "tokenizer model {other:?} in the GGUF is not supported (put a tokenizer.json beside the model)"
        ))),
    }
}

/// GGUF token types.
const TOKEN_TYPE_NORMAL: i32 = 1;
const TOKEN_TYPE_USER_DEFINED: i32 = 4;

fn token_types(ct: &gguf_file::Content) -> Result<Vec<i32>, SummarizerError> {
    Ok(ct
        .metadata
        .get("tokenizer.ggml.token_type")
        .map(|v| v.to_vec().cloned())
        .transpose()?
        .unwrap_or_default()
        .iter()
        .map(|t| t.to_i32().unwrap_or(TOKEN_TYPE_NORMAL))
        .collect())
}

/// SentencePiece BPE from `tokens`, `scores` and `token_type`, as llama.cpp runs it: spaces become
/// `▁` (with one in front when `add_space_prefix`), pieces merge pairwise, the higher-scored merged
/// piece first, and characters outside the vocabulary fall back to byte tokens. The merges are
/// derived from the scores: every split of a piece into two vocabulary pieces is a merge ranked
/// by the piece's score. User-defined tokens (Gemma's runs of newlines and spaces) match the raw
/// text first, like control tokens.
fn sentencepiece_from_gguf(ct: &gguf_file::Content) -> Result<Tokenizer, SummarizerError> {
    let tokens = md_strings(ct, "tokenizer.ggml.tokens")?;
    let scores: Vec<f32> = ct
        .metadata
        .get("tokenizer.ggml.scores")
        .ok_or_else(|| tok_err("no tokenizer.ggml.scores in the GGUF metadata"))?
        .to_vec()?
        .iter()
        .map(|v| v.to_f32().map_err(SummarizerError::from))
        .collect::<Result<_, _>>()?;
    let types = token_types(ct)?;
    let type_of = |i: usize| types.get(i).copied().unwrap_or(TOKEN_TYPE_NORMAL);
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let mut ranked: Vec<(f32, u32, u32)> = Vec::new();
    for (i, piece) in tokens.iter().enumerate() {
        if type_of(i) != TOKEN_TYPE_NORMAL {
            continue;
        }
        let score = scores.get(i).copied().unwrap_or(f32::MIN);
        for (at, _) in piece.char_indices().skip(1) {
            let (left, right) = piece.split_at(at);
            if let (Some(&l), Some(&r)) = (vocab.get(left), vocab.get(right)) {
                ranked.push((score, l, r));
            }
        }
    }
    // Highest score first; ties in the order of the pieces' ids, as the converters do.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let merges = ranked
        .into_iter()
        .map(|(_, l, r)| (tokens[l as usize].clone(), tokens[r as usize].clone()))
        .collect();
    let unk = ct
        .metadata
        .get("tokenizer.ggml.unknown_token_id")
        .and_then(|v| v.to_u32().ok())
        .and_then(|i| tokens.get(i as usize).cloned());
    let mut builder = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .byte_fallback(true);
    if let Some(unk) = unk {
        builder = builder.unk_token(unk);
    }
    let mut tok = Tokenizer::new(builder.build().map_err(tok_err)?);

    let space_prefix = ct
        .metadata
        .get("tokenizer.ggml.add_space_prefix")
        .and_then(|v| v.to_bool().ok())
        .unwrap_or(true);
    let to_metaspace = Replace::new(" ", "▁").map_err(tok_err)?;
    if space_prefix {
        tok.with_normalizer(Some(NormalizerSequence::new(vec![
            Prepend::new("▁".into()).into(),
            to_metaspace.into(),
        ])))
        .map_err(tok_err)?;
    } else {
        tok.with_normalizer(Some(to_metaspace)).map_err(tok_err)?;
    }
    let mut decoders = vec![
        Replace::new("▁", " ").map_err(tok_err)?.into(),
        ByteFallback::default().into(),
        Fuse::default().into(),
    ];
    if space_prefix {
        decoders.push(Strip::new(' ', 1, 0).into());
    }
    tok.with_decoder(Some(DecoderSequence::new(decoders)));

    let added = |wanted: i32, special: bool| -> Vec<AddedToken> {
        tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| type_of(*i) == wanted)
            .map(|(_, t)| AddedToken::from(t.clone(), special).normalized(false))
            .collect()
    };
    tok.add_special_tokens(added(TOKEN_TYPE_CONTROL, true))
        .map_err(tok_err)?;
    tok.add_tokens(added(TOKEN_TYPE_USER_DEFINED, false))
        .map_err(tok_err)?;
    Ok(tok)
}

/// A BPE tokenizer from `tokenizer.ggml.tokens`/`merges`/`token_type` (`model = "gpt2"`), with the
/// pre-tokenizer that `tokenizer.ggml.pre` names.
fn gpt2_from_gguf(ct: &gguf_file::Content) -> Result<Tokenizer, SummarizerError> {
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
    fn unknown_tokenizer_models_are_refused_with_a_hint() {
        let ct = gguf_file::Content {
            magic: gguf_file::VersionedMagic::GgufV3,
            metadata: [(
                "tokenizer.ggml.model".to_string(),
                gguf_file::Value::String("bert".into()),
            )]
            .into_iter()
            .collect(),
            tensor_infos: Default::default(),
            tensor_data_offset: 0,
        };
        let err = from_gguf(&ct).unwrap_err().to_string();
        assert!(err.contains("tokenizer.json"), "{err}");
    }

    fn value_array(values: impl IntoIterator<Item = gguf_file::Value>) -> gguf_file::Value {
        gguf_file::Value::Array(values.into_iter().collect())
    }

    /// A toy SentencePiece vocabulary: merges by score, a user-defined token matched in the raw
    /// text, byte fallback for a character outside the vocabulary, and an exact round trip.
    #[test]
    fn sentencepiece_vocabularies_merge_by_score_and_fall_back_to_bytes() {
        let mut pieces: Vec<(String, f32, i32)> = vec![
            ("<unk>".into(), 0.0, 2),
            ("<bos>".into(), 0.0, 3),
            ("\n\n".into(), 0.0, 4),
            ("▁".into(), -10.0, 1),
            ("h".into(), -10.0, 1),
            ("i".into(), -10.0, 1),
            ("hi".into(), -2.0, 1),
            ("▁hi".into(), -1.0, 1),
            ("▁h".into(), -5.0, 1),
        ];
        pieces.extend((0..=255u8).map(|b| (format!("<0x{b:02X}>"), 0.0, 6)));
        let ct = gguf_file::Content {
            magic: gguf_file::VersionedMagic::GgufV3,
            metadata: [
                (
                    "tokenizer.ggml.model",
                    gguf_file::Value::String("llama".into()),
                ),
                (
                    "tokenizer.ggml.tokens",
                    value_array(pieces.iter().map(|p| gguf_file::Value::String(p.0.clone()))),
                ),
                (
                    "tokenizer.ggml.scores",
                    value_array(pieces.iter().map(|p| gguf_file::Value::F32(p.1))),
                ),
                (
                    "tokenizer.ggml.token_type",
                    value_array(pieces.iter().map(|p| gguf_file::Value::I32(p.2))),
                ),
                ("tokenizer.ggml.unknown_token_id", gguf_file::Value::U32(0)),
                (
                    "tokenizer.ggml.add_space_prefix",
                    gguf_file::Value::Bool(false),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            tensor_infos: Default::default(),
            tensor_data_offset: 0,
        };
        let tok = from_gguf(&ct).unwrap();
        let text = "<bos>hi hi\n\né";
        let enc = tok.encode(text, true).unwrap();
        let id = |p: &str| pieces.iter().position(|x| x.0 == p).unwrap() as u32;
        assert_eq!(
            enc.get_ids(),
            &[
                id("<bos>"),
                id("hi"),
                id("▁hi"),
                id("\n\n"),
                id("<0xC3>"),
                id("<0xA9>")
            ],
            "{:?}",
            enc.get_tokens()
        );
        assert_eq!(tok.decode(enc.get_ids(), false).unwrap(), text);
    }
}
