//! A quantized chat model from a GGUF file: loading (with optional Q8_0 re-quantisation),
//! the prompt, and greedy or seeded decoding with a repeat penalty.
//!
//! Over 400 lines because the model runner in the shape of candle's quantized example: load,
//! tokenise, prompt, decode; the three architectures differ only in small match arms.

use jevons_core::config::Requantize;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{DType, Device, Tensor};
use candle_transformers::generation::{LogitsProcessor, Sampling};
use candle_transformers::models::{quantized_gemma3, quantized_llama, quantized_qwen2};
use tokenizers::Tokenizer;

use crate::prompt::{self, ChatTemplate};
use crate::{SummarizerError, SummarizerSettings};

/// What was loaded, for provenance and the benchmark.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelInfo {
    /// e.g. "SmolLM2-135M-Instruct".
    pub name: String,
    pub architecture: String,
    /// The file's weight type, and what it was re-quantised to: "Q4_1" or "Q4_1->Q8_0".
    pub quantization: String,
    pub device: String,
    pub path: PathBuf,
    pub load_millis: u64,
}

/// One generation with its counts and timings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Generation {
    /// Post-processed (2–3 sentences).
    pub text: String,
    /// As the model wrote it.
    pub raw: String,
    pub tokens_in: u32,
    pub tokens_out: u32,
    pub prompt_millis: u64,
    pub generate_millis: u64,
}

enum Weights {
    Llama(quantized_llama::ModelWeights),
    Qwen2(quantized_qwen2::ModelWeights),
    Gemma3(quantized_gemma3::ModelWeights),
    Dual(crate::dual::DualLlama),
}

impl Weights {
    /// `index_pos == 0` starts a new sequence: every model resets its KV cache then.
    fn forward(&mut self, x: &Tensor, index_pos: usize) -> candle_core::Result<Tensor> {
        match self {
            Weights::Llama(m) => m.forward(x, index_pos),
            Weights::Qwen2(m) => m.forward(x, index_pos),
            Weights::Gemma3(m) => m.forward(x, index_pos),
            Weights::Dual(m) => m.forward(x, index_pos),
        }
    }
}

/// Context length candle's llama implementation precomputes rotary tables for.
const MAX_SEQ_LEN: usize = quantized_llama::MAX_SEQ_LEN;

pub struct LocalModel {
    weights: Weights,
    tokenizer: Tokenizer,
    device: Device,
    template: ChatTemplate,
    stop_ids: Vec<u32>,
    settings: SummarizerSettings,
    info: ModelInfo,
    /// Prompt plus output tokens the model may hold at once (see [`usable_context`]).
    context: usize,
}

/// "auto" | "cpu" | "cuda:N".
pub fn select_device(spec: &str) -> Result<Device, SummarizerError> {
    let spec = spec.trim().to_ascii_lowercase();
    let dev_err = |e: String| SummarizerError::Device(spec.clone(), e);
    match spec.as_str() {
        "cpu" => Ok(Device::Cpu),
        "auto" => {
            if cfg!(feature = "cuda") {
                match Device::new_cuda(0) {
                    Ok(d) => return Ok(d),
                    Err(e) => {
                        tracing::warn!(error = %e, "no usable CUDA device, running on the CPU")
                    }
                }
            }
            Ok(Device::Cpu)
        }
        s => {
            let n = s
                .strip_prefix("cuda:")
                .or_else(|| (s == "cuda").then_some("0"))
                .ok_or_else(|| dev_err("expected auto, cpu or cuda:N".into()))?;
            let n: usize = n.parse().map_err(|_| dev_err("bad CUDA ordinal".into()))?;
            if !cfg!(feature = "cuda") {
                return Err(dev_err(
                    "this binary was built without CUDA (cargo build --features cuda)".into(),
                ));
            }
            Device::new_cuda(n).map_err(|e| dev_err(e.to_string()))
        }
    }
}

fn device_name(d: &Device) -> String {
    match d {
        Device::Cpu => format!("cpu ({} threads)", rayon::current_num_threads()),
        Device::Cuda(_) => "cuda".into(),
        Device::Metal(_) => "metal".into(),
    }
}

/// Weight types whose candle CPU kernels are scalar: re-quantised to Q8_0 when asked.
fn slow_on_cpu(t: GgmlDType) -> bool {
    matches!(t, GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1)
}

/// "SmolLM2-135M-Instruct.Q4_1.gguf" → "SmolLM2-135M-Instruct".
pub fn model_name_from_path(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "model".into());
    match stem.rsplit_once('.') {
        Some((base, q)) if q.starts_with(['Q', 'q', 'F', 'f', 'B', 'b', 'I', 'i']) => base.into(),
        _ => stem,
    }
}

impl LocalModel {
    /// Reads the GGUF, builds the tokenizer, re-quantises slow weight types (CPU) and loads the
    /// weights for the architecture named in `general.architecture`.
    pub fn load(settings: &SummarizerSettings) -> Result<Self, SummarizerError> {
        let started = Instant::now();
        let path = settings.model_path.clone();
        if !path.is_file() {
            return Err(SummarizerError::ModelMissing(path));
        }
        let io_err = |source| SummarizerError::Io {
            path: path.clone(),
            source,
        };
        let device = select_device(&settings.device)?;
        let mut file = std::fs::File::open(&path).map_err(io_err)?;
        let ct = gguf_file::Content::read(&mut file).map_err(|e| e.with_path(&path))?;
        let architecture = ct
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok().cloned())
            .unwrap_or_else(|| "llama".into());
        let tokenizer = crate::tokenizer::load(&path, &ct)?;
        let context = usable_context(&ct, &architecture);
        let template = ChatTemplate::detect(
            ct.metadata
                .get("tokenizer.chat_template")
                .and_then(|v| v.to_string().ok())
                .map(String::as_str),
            &architecture,
        );
        let mut stop_ids: Vec<u32> = template
            .stop_tokens()
            .iter()
            .filter_map(|t| tokenizer.token_to_id(t))
            .collect();
        if let Some(eos) = ct
            .metadata
            .get("tokenizer.ggml.eos_token_id")
            .and_then(|v| v.to_u32().ok())
        {
            stop_ids.push(eos);
        }
        let file_type = dominant_type(&ct);
        let mode = settings.requantize;
        let dual = mode == Requantize::Q8_0F32 && device.is_cpu() && architecture == "llama";
        let requant = match mode {
            Requantize::Q8_0 | Requantize::Q8_0F32 => {
                device.is_cpu() && ct.tensor_infos.values().any(|t| slow_on_cpu(t.ggml_dtype))
            }
            Requantize::None => false,
        };
        let quantization = match (requant, dual) {
            (_, true) => format!("{file_type}->Q8_0+F32"),
            (true, false) => format!("{file_type}->Q8_0"),
            (false, false) => file_type,
        };
        let weights = if dual {
            Weights::Dual(crate::dual::DualLlama::from_gguf(
                &ct,
                &mut file,
                &device,
                true,
                MAX_SEQ_LEN,
            )?)
        } else if requant {
            let bytes = requantize_q8_0(&ct, &mut file)?;
            let mut cursor = Cursor::new(bytes);
            let ct2 = gguf_file::Content::read(&mut cursor)?;
            load_weights(&architecture, ct2, &mut cursor, &device)?
        } else {
            load_weights(&architecture, ct, &mut file, &device)?
        };
        let info = ModelInfo {
            name: model_name_from_path(&path),
            architecture,
            quantization,
            device: device_name(&device),
            path,
            load_millis: started.elapsed().as_millis() as u64,
        };
        tracing::info!(?info, "model loaded");
        Ok(Self {
            weights,
            tokenizer,
            device,
            template,
            stop_ids,
            settings: settings.clone(),
            info,
            context,
        })
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// A second model over the same weights (no copy) with its own KV cache, for another
    /// worker thread; None when the architecture's weights cannot be shared (qwen2 in candle
    /// 0.11): load another then.
    pub fn fork(&self) -> Option<LocalModel> {
        let weights = match &self.weights {
            Weights::Llama(m) => Weights::Llama(m.clone()),
            Weights::Gemma3(m) => Weights::Gemma3(m.clone()),
            Weights::Dual(m) => Weights::Dual(m.fork()),
            Weights::Qwen2(_) => return None,
        };
        Some(Self {
            weights,
            tokenizer: self.tokenizer.clone(),
            device: self.device.clone(),
            template: self.template,
            stop_ids: self.stop_ids.clone(),
            settings: self.settings.clone(),
            info: self.info.clone(),
            context: self.context,
        })
    }

    /// A 2–3 sentence summary of one article.
    pub fn summarize(&mut self, title: &str, article: &str) -> Result<Generation, SummarizerError> {
        let prompt = self.prompt(title, article)?;
        let source = if self.settings.copy_bias != 0.0 {
            self.tokenizer
                .encode(format!("{title}\n{article}"), false)
                .map_err(|e| SummarizerError::Tokenizer(e.to_string()))?
                .get_ids()
                .to_vec()
        } else {
            Vec::new()
        };
        self.generate_from(&prompt, &source)
    }

    /// The exact prompt [`LocalModel::summarize`] gives the model: the chat template around the
    /// article cut to `max_input_tokens` (for comparing engines on the same input).
    pub fn prompt(&self, title: &str, article: &str) -> Result<String, SummarizerError> {
        if self.settings.extract_first {
            // About 0.7 words a token in English news, so the key sentences fit the input cap.
            let words = self.settings.max_input_tokens * 7 / 10;
            let key = crate::extractive::salient(title, article, 8, words.clamp(40, 220));
            let key = self.truncate(&key)?;
            return Ok(self.template.render_extracted(title, &key));
        }
        let article = self.truncate(article)?;
        Ok(self.template.render(title, &article))
    }

    /// Token ids that end generation.
    pub fn stop_ids(&self) -> &[u32] {
        &self.stop_ids
    }

    /// Cuts the article to `max_input_tokens` (at a sentence end where possible).
    fn truncate(&self, article: &str) -> Result<String, SummarizerError> {
        let limit = self.settings.max_input_tokens.min(
            self.context
                .saturating_sub(self.settings.max_new_tokens + 128),
        );
        let enc = self
            .tokenizer
            .encode(article, false)
            .map_err(|e| SummarizerError::Tokenizer(e.to_string()))?;
        if enc.get_ids().len() <= limit {
            return Ok(article.to_string());
        }
        let cut = self
            .tokenizer
            .decode(&enc.get_ids()[..limit], false)
            .map_err(|e| SummarizerError::Tokenizer(e.to_string()))?;
        Ok(match cut.rfind(['.', '!', '?']) {
            Some(i) if i > cut.len() / 2 => cut[..=i].to_string(),
            _ => cut,
        })
    }

    /// Raw generation from a rendered prompt; decoding stops at a stop token, the token cap or
    /// when [`prompt::enough`] says the summary is complete.
    pub fn generate(&mut self, prompt: &str) -> Result<Generation, SummarizerError> {
        self.generate_from(prompt, &[])
    }

    /// [`LocalModel::generate`] with the article's token ids, which `summarizer.copy_bias`
    /// favours.
    pub fn generate_from(
        &mut self,
        prompt: &str,
        source: &[u32],
    ) -> Result<Generation, SummarizerError> {
        let source: std::collections::HashSet<u32> = source.iter().copied().collect();
        let tok_err = |e: tokenizers::Error| SummarizerError::Tokenizer(e.to_string());
        let ids = self
            .tokenizer
            .encode(prompt, false)
            .map_err(tok_err)?
            .get_ids()
            .to_vec();
        if ids.is_empty() {
            return Err(SummarizerError::EmptyInput);
        }
        let sampling = if self.settings.temperature <= 0.0 {
            Sampling::ArgMax
        } else {
            Sampling::TopP {
                p: 0.9,
                temperature: self.settings.temperature,
            }
        };
        let mut lp = LogitsProcessor::from_sampling(self.settings.seed, sampling);
        let started = Instant::now();
        let input = Tensor::new(ids.as_slice(), &self.device)?.unsqueeze(0)?;
        let logits = self.weights.forward(&input, 0)?;
        let mut next = self.sample(&mut lp, &logits, &[], &source)?;
        let prompt_millis = started.elapsed().as_millis() as u64;
        let started = Instant::now();
        let mut out: Vec<u32> = Vec::new();
        let max_new = self
            .settings
            .max_new_tokens
            .min(self.context.saturating_sub(ids.len()));
        while !self.stop_ids.contains(&next) && out.len() < max_new {
            out.push(next);
            if self.ends_sentence(next) {
                let so_far = self.tokenizer.decode(&out, true).map_err(tok_err)?;
                if prompt::enough_at(&so_far, self.settings.max_sentences) {
                    break;
                }
            }
            if out.len() >= max_new {
                break;
            }
            let input = Tensor::new(&[next], &self.device)?.unsqueeze(0)?;
            let logits = self.weights.forward(&input, ids.len() + out.len() - 1)?;
            next = self.sample(&mut lp, &logits, &out, &source)?;
        }
        let raw = self.tokenizer.decode(&out, true).map_err(tok_err)?;
        Ok(Generation {
            text: prompt::postprocess(&raw),
            raw,
            tokens_in: ids.len() as u32,
            tokens_out: out.len() as u32,
            prompt_millis,
            generate_millis: started.elapsed().as_millis() as u64,
        })
    }

    /// Next-token logits after `prompt` (for checking one weight layout against another).
    pub fn prompt_logits(&mut self, prompt: &str) -> Result<Vec<f32>, SummarizerError> {
        let ids = self
            .tokenizer
            .encode(prompt, false)
            .map_err(|e| SummarizerError::Tokenizer(e.to_string()))?
            .get_ids()
            .to_vec();
        let input = Tensor::new(ids.as_slice(), &self.device)?.unsqueeze(0)?;
        let logits = self.weights.forward(&input, 0)?;
        Ok(logits.squeeze(0)?.to_dtype(DType::F32)?.to_vec1()?)
    }

    fn ends_sentence(&self, id: u32) -> bool {
        self.tokenizer
            .id_to_token(id)
            .is_some_and(|t| t.contains(['.', '!', '?']))
    }

    fn sample(
        &self,
        lp: &mut LogitsProcessor,
        logits: &Tensor,
        generated: &[u32],
        source: &std::collections::HashSet<u32>,
    ) -> Result<u32, SummarizerError> {
        let mut logits = logits.squeeze(0)?.to_dtype(DType::F32)?;
        if self.settings.repeat_penalty > 1.0 && !generated.is_empty() {
            let start = generated.len().saturating_sub(self.settings.repeat_last_n);
            logits = candle_transformers::utils::apply_repeat_penalty(
                &logits,
                self.settings.repeat_penalty,
                &generated[start..],
            )?;
        }
        let n = self.settings.no_repeat_ngram;
        let banned = banned_by_ngrams(generated, n);
        if self.settings.copy_bias == 0.0 && banned.is_empty() {
            return Ok(lp.sample(&logits)?);
        }
        let mut v: Vec<f32> = logits.to_vec1()?;
        if self.settings.copy_bias != 0.0 {
            for &id in source {
                if let Some(l) = v.get_mut(id as usize) {
                    *l += self.settings.copy_bias;
                }
            }
        }
        for id in banned {
            if let Some(l) = v.get_mut(id as usize) {
                *l = f32::NEG_INFINITY;
            }
        }
        let logits = Tensor::new(v.as_slice(), logits.device())?;
        Ok(lp.sample(&logits)?)
    }
}

/// Tokens that would repeat an n-gram already generated: those that followed an earlier
/// occurrence of the last n-1 tokens.
fn banned_by_ngrams(generated: &[u32], n: usize) -> Vec<u32> {
    if n < 2 || generated.len() < n {
        return Vec::new();
    }
    let prefix = &generated[generated.len() - (n - 1)..];
    generated
        .windows(n)
        .filter(|w| &w[..n - 1] == prefix)
        .map(|w| w[n - 1])
        .collect()
}

/// How many tokens (prompt and output) the architecture's candle implementation handles
/// correctly. Gemma: its sliding-window attention layers (window `attention.sliding_window`, 512
/// for Gemma 3 270M) see only that many tokens in training, and candle 0.11's quantized_gemma3
/// applies the window to the prompt but not when decoding token by token, so past the window its
/// output turns to noise (measured: coherent under 512 tokens, garbage on 660-token prompts).
/// Keeping prompt and output inside the window makes both paths agree.
fn usable_context(ct: &gguf_file::Content, architecture: &str) -> usize {
    if !architecture.starts_with("gemma") {
        return MAX_SEQ_LEN;
    }
    ct.metadata
        .get(&format!("{architecture}.attention.sliding_window"))
        .and_then(|v| v.to_u32().ok())
        .map_or(MAX_SEQ_LEN, |w| (w as usize).min(MAX_SEQ_LEN))
}

fn load_weights<R: std::io::Read + std::io::Seek>(
    architecture: &str,
    ct: gguf_file::Content,
    reader: &mut R,
    device: &Device,
) -> Result<Weights, SummarizerError> {
    Ok(match architecture {
        "llama" => Weights::Llama(quantized_llama::ModelWeights::from_gguf(
            ct, reader, device,
        )?),
        "qwen2" => Weights::Qwen2(quantized_qwen2::ModelWeights::from_gguf(
            ct, reader, device,
        )?),
        "gemma3" | "gemma2" | "gemma" => Weights::Gemma3(
            quantized_gemma3::ModelWeights::from_gguf(ct, reader, device)?,
        ),
        other => return Err(SummarizerError::Architecture(other.into())),
    })
}

/// The most common type among 2-D weight tensors: what the file is "quantised as".
fn dominant_type(ct: &gguf_file::Content) -> String {
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for t in ct.tensor_infos.values() {
        if t.shape.rank() >= 2 {
            *counts.entry(format!("{:?}", t.ggml_dtype)).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(k, _)| k)
        .unwrap_or_else(|| "unknown".into())
}

/// An in-memory GGUF with the same metadata in which every tensor of a slow type becomes Q8_0
/// (8-bit blocks of 32; candle has SIMD kernels for them). Costs about a second for 135M.
fn requantize_q8_0<R: std::io::Read + std::io::Seek>(
    ct: &gguf_file::Content,
    reader: &mut R,
) -> Result<Vec<u8>, SummarizerError> {
    let mut names: Vec<&String> = ct.tensor_infos.keys().collect();
    names.sort();
    let mut tensors: Vec<(String, QTensor)> = Vec::with_capacity(names.len());
    for name in names {
        let qt = ct.tensor(reader, name, &Device::Cpu)?;
        let last = qt.shape().dims().last().copied().unwrap_or(0);
        let qt = if slow_on_cpu(qt.dtype()) && last % GgmlDType::Q8_0.block_size() == 0 {
            QTensor::quantize(&qt.dequantize(&Device::Cpu)?, GgmlDType::Q8_0)?
        } else {
            qt
        };
        tensors.push((name.clone(), qt));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> =
        ct.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &metadata, &tensor_refs)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_repeat_ngrams_ban_what_followed_the_same_prefix() {
        assert_eq!(banned_by_ngrams(&[1, 2, 3, 1, 2], 3), vec![3]);
        assert_eq!(banned_by_ngrams(&[1, 2, 3, 1, 2], 0), Vec::<u32>::new());
        assert_eq!(banned_by_ngrams(&[5, 5, 5], 2), vec![5, 5]);
        assert!(banned_by_ngrams(&[1, 2], 3).is_empty());
    }

    #[test]
    fn names_and_devices() {
        assert_eq!(
            model_name_from_path(Path::new("models/SmolLM2-135M-Instruct.Q4_1.gguf")),
            "SmolLM2-135M-Instruct"
        );
        assert_eq!(
            model_name_from_path(Path::new("x/qwen2.5-0.5b.gguf")),
            "qwen2.5-0.5b"
        );
        assert!(matches!(select_device("cpu"), Ok(Device::Cpu)));
        assert!(select_device("tpu:0").is_err());
        if !cfg!(feature = "cuda") {
            let err = select_device("cuda:0").unwrap_err().to_string();
            assert!(err.contains("--features cuda"), "{err}");
            assert!(matches!(select_device("auto"), Ok(Device::Cpu)));
        }
    }
}
