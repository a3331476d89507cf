//! A llama forward pass with two copies of each projection: dense F32 for the prompt (many
//! rows: candle's gemm is fast, ~200 tok/s here) and Q8_0 for decoding (one row: memory-bound,
//! the 8-bit copy reads 4× fewer bytes). candle's `quantized_llama` has one copy, so it is either
//! slow at prompts (quantized vec-dot per row) or slow at decoding (F32). Costs ~0.5 GB more
//! RAM for a 135M model. Written for this crate from the llama architecture: RMSNorm,
//! interleaved RoPE (llama.cpp's GGUF layout), grouped-query attention, SwiGLU MLP.
//!
//! Decoding cost beyond the weights is kept flat: the KV cache is preallocated and written in
//! place (candle's models concatenate it, copying the whole cache every token), and the query
//! heads of a group attend to their shared K/V head directly (no `repeat_kv` copies).

use candle_core::quantized::{GgmlDType, QMatMul, QTensor, gguf_file};
use candle_core::{D, DType, Device, Module, Tensor};

/// From this many rows on, the dense weights are used.
const DENSE_FROM_ROWS: usize = 8;

#[derive(Clone)]
struct Linear {
    quant: QMatMul,
    dense: Option<Tensor>,
}

impl Linear {
    fn new(qt: QTensor, dense: bool, device: &Device) -> candle_core::Result<Self> {
        let f32w = qt.dequantize(device)?;
        let last = qt.shape().dims().last().copied().unwrap_or(0);
        let quant = if matches!(
            qt.dtype(),
            GgmlDType::Q8_0 | GgmlDType::Q4K | GgmlDType::Q6K
        ) || last % GgmlDType::Q8_0.block_size() != 0
        {
            QMatMul::from_qtensor(qt)?
        } else {
            QMatMul::from_qtensor(QTensor::quantize(&f32w, GgmlDType::Q8_0)?)?
        };
        Ok(Self {
            quant,
            dense: dense.then_some(f32w),
        })
    }

    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let rows = x.elem_count() / x.dim(D::Minus1)?.max(1);
        match &self.dense {
            Some(w) if rows >= DENSE_FROM_ROWS => x.broadcast_matmul(&w.t()?),
            _ => self.quant.forward(x),
        }
    }
}

/// Keys and values of one layer: (batch, kv heads, capacity, head dim), the first `len`
/// positions filled.
#[derive(Clone)]
struct KvCache {
    k: Tensor,
    v: Tensor,
    len: usize,
}

/// Positions reserved beyond the prompt at the start of a sequence (decoding fills them).
const KV_HEADROOM: usize = 256;

impl KvCache {
    /// Appends `k`, `v` (batch, kv heads, new, head dim) and returns views of every position.
    fn append(
        cache: &mut Option<Self>,
        k: &Tensor,
        v: &Tensor,
        index_pos: usize,
        max_seq_len: usize,
    ) -> candle_core::Result<(Tensor, Tensor)> {
        let (b, h, s, d) = k.dims4()?;
        let len = match cache {
            Some(c) if index_pos > 0 => c.len,
            _ => 0,
        };
        if len != index_pos {
            candle_core::bail!("KV cache holds {len} positions, the input starts at {index_pos}");
        }
        let needed = len + s;
        let capacity = match cache.as_ref().map(|c| c.k.dims4()).transpose()? {
            Some((cb, ch, cap, cd)) if (cb, ch, cd) == (b, h, d) => cap,
            _ => 0,
        };
        // A new sequence reuses the buffers when they are large enough.
        if needed > capacity {
            let new_cap = if index_pos == 0 {
                needed + KV_HEADROOM
            } else {
                (2 * capacity).max(needed)
            }
            .min(max_seq_len.max(needed));
            let k_buf = Tensor::zeros((b, h, new_cap, d), k.dtype(), k.device())?;
            let v_buf = Tensor::zeros((b, h, new_cap, d), v.dtype(), v.device())?;
            if let Some(old) = cache.as_ref().filter(|_| len > 0) {
                k_buf.slice_set(&old.k.narrow(2, 0, len)?.contiguous()?, 2, 0)?;
                v_buf.slice_set(&old.v.narrow(2, 0, len)?.contiguous()?, 2, 0)?;
            }
            *cache = Some(Self {
                k: k_buf,
                v: v_buf,
                len,
            });
        }
        let Some(c) = cache.as_mut() else {
            candle_core::bail!("KV cache missing");
        };
        c.k.slice_set(k, 2, len)?;
        c.v.slice_set(v, 2, len)?;
        c.len = needed;
        Ok((c.k.narrow(2, 0, needed)?, c.v.narrow(2, 0, needed)?))
    }
}

#[derive(Clone)]
struct Layer {
    attn_norm: Tensor,
    wq: Linear,
    wk: Linear,
    wv: Linear,
    wo: Linear,
    ffn_norm: Tensor,
    gate: Linear,
    up: Linear,
    down: Linear,
    kv: Option<KvCache>,
}

#[derive(Clone)]
pub struct DualLlama {
    embeddings: Tensor,
    layers: Vec<Layer>,
    norm: Tensor,
    output: QMatMul,
    cos: Tensor,
    sin: Tensor,
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    eps: f32,
    max_seq_len: usize,
}

fn md_u32(ct: &gguf_file::Content, key: &str) -> candle_core::Result<usize> {
    match ct.metadata.get(key) {
        Some(v) => Ok(v.to_u32()? as usize),
        None => candle_core::bail!("no {key} in the GGUF metadata"),
    }
}

fn md_f32(ct: &gguf_file::Content, key: &str, default: f32) -> f32 {
    ct.metadata
        .get(key)
        .and_then(|v| v.to_f32().ok())
        .unwrap_or(default)
}

impl DualLlama {
    /// `dense`: keep F32 copies for prompts (false: Q8_0 only, for checking against candle).
    pub fn from_gguf<R: std::io::Read + std::io::Seek>(
        ct: &gguf_file::Content,
        r: &mut R,
        device: &Device,
        dense: bool,
        max_seq_len: usize,
    ) -> candle_core::Result<Self> {
        let n_head = md_u32(ct, "llama.attention.head_count")?;
        let n_kv_head = md_u32(ct, "llama.attention.head_count_kv")?;
        let n_layer = md_u32(ct, "llama.block_count")?;
        let d_model = md_u32(ct, "llama.embedding_length")?;
        let head_dim = d_model / n_head;
        let rope_dim = md_u32(ct, "llama.rope.dimension_count").unwrap_or(head_dim);
        if rope_dim != head_dim {
            candle_core::bail!("partial rotary embeddings are not supported");
        }
        let eps = md_f32(ct, "llama.attention.layer_norm_rms_epsilon", 1e-5);
        let base = md_f32(ct, "llama.rope.freq_base", 10000.0);
        let mut t = |name: &str| ct.tensor(r, name, device);
        let embed_q = t("token_embd.weight")?;
        let embeddings = embed_q.dequantize(device)?;
        let norm = t("output_norm.weight")?.dequantize(device)?;
        // Tied embeddings (SmolLM2) have no output.weight.
        let output = match t("output.weight") {
            Ok(o) => QMatMul::from_qtensor(o)?,
            Err(_) => QMatMul::from_qtensor(embed_q)?,
        };
        let mut layers = Vec::with_capacity(n_layer);
        for i in 0..n_layer {
            let p = format!("blk.{i}");
            let attn_norm = t(&format!("{p}.attn_norm.weight"))?.dequantize(device)?;
            let ffn_norm = t(&format!("{p}.ffn_norm.weight"))?.dequantize(device)?;
            let mut lin = |n: &str| Linear::new(t(&format!("{p}.{n}.weight"))?, dense, device);
            layers.push(Layer {
                wq: lin("attn_q")?,
                wk: lin("attn_k")?,
                wv: lin("attn_v")?,
                wo: lin("attn_output")?,
                gate: lin("ffn_gate")?,
                up: lin("ffn_up")?,
                down: lin("ffn_down")?,
                attn_norm,
                ffn_norm,
                kv: None,
            });
        }
        let inv_freq: Vec<f32> = (0..head_dim / 2)
            .map(|i| 1.0 / base.powf(2.0 * i as f32 / head_dim as f32))
            .collect();
        let inv_freq = Tensor::new(inv_freq.as_slice(), device)?.unsqueeze(0)?;
        let pos = Tensor::arange(0u32, max_seq_len as u32, device)?
            .to_dtype(DType::F32)?
            .unsqueeze(1)?;
        let angles = pos.broadcast_mul(&inv_freq)?;
        Ok(Self {
            embeddings,
            layers,
            norm,
            output,
            cos: angles.cos()?,
            sin: angles.sin()?,
            n_head,
            n_kv_head,
            head_dim,
            eps,
            max_seq_len,
        })
    }

    /// The same weights (shared, not copied) with an empty KV cache: one per worker thread.
    pub fn fork(&self) -> Self {
        let mut other = self.clone();
        for layer in &mut other.layers {
            layer.kv = None;
        }
        other
    }

    /// Logits of the last position, (batch, vocab). `index_pos == 0` starts a new sequence.
    pub fn forward(&mut self, ids: &Tensor, index_pos: usize) -> candle_core::Result<Tensor> {
        let (b, s) = ids.dims2()?;
        let mut x = self
            .embeddings
            .index_select(&ids.flatten_all()?, 0)?
            .reshape((b, s, ()))?;
        let mask = if s > 1 {
            let t = index_pos + s;
            let m: Vec<f32> = (0..s)
                .flat_map(|i| {
                    (0..t).map(move |j| {
                        if j > i + index_pos {
                            f32::NEG_INFINITY
                        } else {
                            0.0
                        }
                    })
                })
                .collect();
            Some(Tensor::from_vec(m, (s, t), ids.device())?)
        } else {
            None
        };
        let cos = self.cos.narrow(0, index_pos, s)?;
        let sin = self.sin.narrow(0, index_pos, s)?;
        let (nh, nkv, hd, eps) = (self.n_head, self.n_kv_head, self.head_dim, self.eps);
        for layer in self.layers.iter_mut() {
            let h = candle_nn::ops::rms_norm(&x, &layer.attn_norm, eps)?;
            let q = layer
                .wq
                .forward(&h)?
                .reshape((b, s, nh, hd))?
                .transpose(1, 2)?
                .contiguous()?;
            let k = layer
                .wk
                .forward(&h)?
                .reshape((b, s, nkv, hd))?
                .transpose(1, 2)?
                .contiguous()?;
            let v = layer
                .wv
                .forward(&h)?
                .reshape((b, s, nkv, hd))?
                .transpose(1, 2)?
                .contiguous()?;
            let q = candle_nn::rotary_emb::rope_i(&q, &cos, &sin)?;
            let k = candle_nn::rotary_emb::rope_i(&k, &cos, &sin)?;
            let (k, v) = KvCache::append(&mut layer.kv, &k, &v, index_pos, self.max_seq_len)?;
            let t = k.dim(2)?;
            // The n_rep query heads of a group share one K/V head: fold them into the rows of one
            // matmul per K/V head, (b, nkv, n_rep·s, hd) × (b, nkv, hd, t).
            let n_rep = nh / nkv;
            let q = (q.reshape((b, nkv, n_rep * s, hd))? * (1.0 / (hd as f64).sqrt()))?;
            let mut att = q.matmul(&k.t()?)?;
            if let Some(m) = &mask {
                att = att
                    .reshape((b, nkv, n_rep, s, t))?
                    .broadcast_add(m)?
                    .reshape((b, nkv, n_rep * s, t))?;
            }
            let att = candle_nn::ops::softmax_last_dim(&att)?;
            let y = att
                .matmul(&v)?
                .reshape((b, nh, s, hd))?
                .transpose(1, 2)?
                .reshape((b, s, nh * hd))?;
            x = (x + layer.wo.forward(&y)?)?;
            let h = candle_nn::ops::rms_norm(&x, &layer.ffn_norm, eps)?;
            let g = candle_nn::ops::silu(&layer.gate.forward(&h)?)?;
            let m = layer.down.forward(&(g * layer.up.forward(&h)?)?)?;
            x = (x + m)?;
        }
        let last = x.narrow(1, s - 1, 1)?.squeeze(1)?;
        let last = candle_nn::ops::rms_norm(&last, &self.norm, eps)?;
        self.output.forward(&last)
    }
}
