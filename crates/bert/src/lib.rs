//! The BERT encoder of all-MiniLM-L6-v2 (6 layers, 384 wide, 12 heads) with sentence-transformers'
//! pooling (mean over the tokens, then unit length), written for the CPU:
//!
//! - **no padding**: the tokens of every text in a batch are packed into one `T × 384` matrix, so
//!   the linear layers (≈ 90 % of the arithmetic) do no work for padding whatever the mix of
//!   lengths; only attention looks at text boundaries, one (text, head) pair at a time;
//! - the matrix products are faer's (AVX-512/AVX2 kernels chosen at run time), Q, K and V in one
//!   product; attention reads Q, K and V in place through strided views and writes each head's
//!   output straight into its columns, so nothing is transposed or copied;
//! - bias + GELU and bias + residual + LayerNorm are one pass over a row each ([`kernels`]);
//! - everything runs on the caller's rayon pool (the embedder's own, one per process).
//!
//! **Why hand-written rather than a library** (the project's rule is to use a well-kept library
//! where one does the job): only the BERT forward pass (~200 lines) is ours; the matrix products
//! (~78 % of the time) are faer's, the element-wise loops are compiled per CPU by pulp, and the
//! tokenizer is Hugging Face's. The library options, measured on this machine side by side
//! (`bench/embed.sh`, figures in `bench/README.md`):
//!
//! - candle 0.11, even fed length-sorted batches, spends its time in AVX2-only matrix kernels,
//!   scalar `erf`/`exp` and page faults of a fresh tensor per operation: 3.2× this encoder's CPU
//!   time per chunk (1 thread), 5× slower at 2 threads;
//! - ONNX Runtime (the onnxruntime wheel's library, which the `ort` crate would load, on an ONNX
//!   graph of its fused operators built from the same safetensors): ~1.2× this encoder's CPU time
//!   per chunk (PyTorch 1.16–1.34×), plus a 29 MB C++ library loaded at run time, a Python step
//!   to make the graph and `unsafe` FFI.
//!
//! So the small encoder stays; should a maintained Rust engine get AVX-512 kernels and packed
//! batches, this crate should give way to it.

#![forbid(unsafe_code)]

use anyhow::{Context, bail, ensure};
use faer::{Accum, MatMut, MatRef, Par, linalg::matmul::matmul};
use rayon::prelude::*;
use safetensors::{Dtype, SafeTensors};
use serde::Deserialize;

mod kernels;

/// The fields of the model's `config.json` the encoder needs.
#[derive(Deserialize)]
pub struct Config {
    pub hidden_size: usize,
    pub num_attention_heads: usize,
    pub num_hidden_layers: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub layer_norm_eps: f32,
    pub hidden_act: String,
    #[serde(default = "absolute")]
    pub position_embedding_type: String,
}

fn absolute() -> String {
    "absolute".into()
}

struct Norm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn view(&self) -> kernels::Norm<'_> {
        kernels::Norm {
            gamma: &self.gamma,
            beta: &self.beta,
            eps: self.eps,
        }
    }
}

struct Layer {
    /// Q, K and V stacked: `3H × H`, rows as PyTorch stores a Linear's weight (`out × in`).
    qkv_w: Vec<f32>,
    qkv_b: Vec<f32>,
    out_w: Vec<f32>,
    out_b: Vec<f32>,
    ln1: Norm,
    up_w: Vec<f32>,
    up_b: Vec<f32>,
    down_w: Vec<f32>,
    down_b: Vec<f32>,
    ln2: Norm,
}

pub struct Bert {
    hidden: usize,
    heads: usize,
    inter: usize,
    vocab: usize,
    word: Vec<f32>,
    /// Position embeddings with the (only) token type's embedding added.
    pos: Vec<f32>,
    ln: Norm,
    layers: Vec<Layer>,
}

/// Rows handed to one rayon task in the row-wise kernels (enough work to amortise the task).
const ROWS_PER_TASK: usize = 16;

struct Weights<'a>(SafeTensors<'a>);

impl Weights<'_> {
    fn get(&self, name: &str, shape: &[usize]) -> anyhow::Result<Vec<f32>> {
        let t = self
            .0
            .tensor(name)
            .with_context(|| format!("model.safetensors has no {name}"))?;
        ensure!(
            t.dtype() == Dtype::F32 && t.shape() == shape,
            "{name}: {:?} {:?}, expected F32 {shape:?}",
            t.dtype(),
            t.shape()
        );
        Ok(t.data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    fn norm(&self, prefix: &str, h: usize, eps: f32) -> anyhow::Result<Norm> {
        Ok(Norm {
            gamma: self.get(&format!("{prefix}.weight"), &[h])?,
            beta: self.get(&format!("{prefix}.bias"), &[h])?,
            eps,
        })
    }
}

impl Bert {
    /// The encoder from `model.safetensors` (tensor names as in the Hugging Face `BertModel`, no
    /// `bert.` prefix).
    pub fn load(c: &Config, safetensors: &[u8]) -> anyhow::Result<Self> {
        if c.hidden_act != "gelu" || c.position_embedding_type != "absolute" {
            bail!(
                "unsupported BERT variant: hidden_act {}, position_embedding_type {}",
                c.hidden_act,
                c.position_embedding_type
            );
        }
        let (h, i) = (c.hidden_size, c.intermediate_size);
        ensure!(
            c.num_attention_heads > 0 && h % c.num_attention_heads == 0,
            "hidden_size must divide into the heads"
        );
        let w =
            Weights(SafeTensors::deserialize(safetensors).context("reading model.safetensors")?);
        let word = w.get_any("embeddings.word_embeddings.weight", h)?;
        let mut pos = w.get(
            "embeddings.position_embeddings.weight",
            &[c.max_position_embeddings, h],
        )?;
        let token_type = w.get_any("embeddings.token_type_embeddings.weight", h)?;
        for row in pos.chunks_exact_mut(h) {
            for (p, t) in row.iter_mut().zip(&token_type[..h]) {
                *p += t;
            }
        }
        let layers = (0..c.num_hidden_layers)
            .map(|l| {
                let p = format!("encoder.layer.{l}");
                let a = format!("{p}.attention");
                let mut qkv_w = Vec::with_capacity(3 * h * h);
                let mut qkv_b = Vec::with_capacity(3 * h);
                for part in ["query", "key", "value"] {
                    qkv_w.extend(w.get(&format!("{a}.self.{part}.weight"), &[h, h])?);
                    qkv_b.extend(w.get(&format!("{a}.self.{part}.bias"), &[h])?);
                }
                Ok(Layer {
                    qkv_w,
                    qkv_b,
                    out_w: w.get(&format!("{a}.output.dense.weight"), &[h, h])?,
                    out_b: w.get(&format!("{a}.output.dense.bias"), &[h])?,
                    ln1: w.norm(&format!("{a}.output.LayerNorm"), h, c.layer_norm_eps)?,
                    up_w: w.get(&format!("{p}.intermediate.dense.weight"), &[i, h])?,
                    up_b: w.get(&format!("{p}.intermediate.dense.bias"), &[i])?,
                    down_w: w.get(&format!("{p}.output.dense.weight"), &[h, i])?,
                    down_b: w.get(&format!("{p}.output.dense.bias"), &[h])?,
                    ln2: w.norm(&format!("{p}.output.LayerNorm"), h, c.layer_norm_eps)?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self {
            hidden: h,
            heads: c.num_attention_heads,
            inter: i,
            vocab: word.len() / h,
            word,
            pos,
            ln: w.norm("embeddings.LayerNorm", h, c.layer_norm_eps)?,
            layers,
        })
    }

    pub fn hidden(&self) -> usize {
        self.hidden
    }

    /// The longest text the position embeddings allow, in tokens.
    pub fn max_tokens(&self) -> usize {
        self.pos.len() / self.hidden
    }

    /// One unit-length vector per text; `texts` are token ids with the special tokens. Call on
    /// the pool that should do the work (`ThreadPool::install`).
    pub fn embed(&self, texts: &[&[u32]]) -> anyhow::Result<Vec<Vec<f32>>> {
        let h = self.hidden;
        let mut spans = Vec::with_capacity(texts.len());
        let mut total = 0;
        for ids in texts {
            ensure!(
                !ids.is_empty() && ids.len() <= self.max_tokens(),
                "a text of {} tokens (1 to {} allowed)",
                ids.len(),
                self.max_tokens()
            );
            if let Some(bad) = ids.iter().find(|&&id| id as usize >= self.vocab) {
                bail!("token id {bad} outside the vocabulary");
            }
            spans.push((total, ids.len()));
            total += ids.len();
        }
        let par = match rayon::current_num_threads() {
            1 => Par::Seq,
            n => Par::rayon(n),
        };
        // Embeddings: word + position (+ token type), then LayerNorm.
        let mut x = vec![0f32; total * h];
        let rows: Vec<(u32, usize)> = texts
            .iter()
            .flat_map(|ids| ids.iter().enumerate().map(|(p, &id)| (id, p)))
            .collect();
        x.par_chunks_mut(h * ROWS_PER_TASK)
            .zip(rows.par_chunks(ROWS_PER_TASK))
            .for_each(|(xs, rows)| {
                kernels::embed(xs, rows, &self.word, &self.pos, &self.ln.view())
            });
        let mut qkv = vec![0f32; total * 3 * h];
        let mut ctx = vec![0f32; total * h];
        let mut sub = vec![0f32; total * h];
        let mut up = vec![0f32; total * self.inter];
        for layer in &self.layers {
            linear(&mut qkv, &x, &layer.qkv_w, h, par);
            qkv.par_chunks_mut(3 * h * ROWS_PER_TASK)
                .for_each(|rows| kernels::add_bias(rows, &layer.qkv_b));
            self.attention(&qkv, &mut ctx, &spans);
            linear(&mut sub, &ctx, &layer.out_w, h, par);
            residual_norm(&mut x, &sub, &layer.out_b, &layer.ln1);
            linear(&mut up, &x, &layer.up_w, h, par);
            up.par_chunks_mut(self.inter * ROWS_PER_TASK)
                .for_each(|rows| kernels::bias_gelu(rows, &layer.up_b));
            linear(&mut sub, &up, &layer.down_w, self.inter, par);
            residual_norm(&mut x, &sub, &layer.down_b, &layer.ln2);
        }
        Ok(spans
            .par_iter()
            .map(|&(start, len)| kernels::mean_unit(&x[start * h..(start + len) * h], h))
            .collect())
    }

    /// Scaled dot-product attention of every (text, head) pair, in parallel: Q, K and V are
    /// strided views into `qkv` (`T × 3H`), the output goes to the head's columns of `ctx`.
    fn attention(&self, qkv: &[f32], ctx: &mut [f32], spans: &[(usize, usize)]) {
        let (h, d) = (self.hidden, self.hidden / self.heads);
        let scale = 1.0 / (d as f32).sqrt();
        let mut tasks = Vec::with_capacity(spans.len() * self.heads);
        let mut rest = MatMut::from_row_major_slice_mut(ctx, ctx.len() / h, h);
        for &(start, len) in spans {
            let (mut text, tail) = rest.split_at_row_mut(len);
            rest = tail;
            for head in 0..self.heads {
                let (out, others) = text.split_at_col_mut(d);
                text = others;
                tasks.push((start, len, head, out));
            }
        }
        tasks.into_par_iter().for_each_init(
            Vec::new,
            |scores: &mut Vec<f32>, (start, len, head, out)| {
                let at = |part: usize| &qkv[start * 3 * h + part * h + head * d..];
                let q = MatRef::from_row_major_slice_with_stride(at(0), len, d, 3 * h);
                let kt = MatRef::from_column_major_slice_with_stride(at(1), d, len, 3 * h);
                let v = MatRef::from_row_major_slice_with_stride(at(2), len, d, 3 * h);
                scores.resize(len * len, 0.0);
                let s = MatMut::from_row_major_slice_mut(scores, len, len);
                matmul(s, Accum::Replace, q, kt, scale, Par::Seq);
                kernels::softmax(scores, len);
                let p = MatRef::from_row_major_slice(scores, len, len);
                matmul(out, Accum::Replace, p, v, 1.0, Par::Seq);
            },
        );
    }
}

impl Weights<'_> {
    /// A `rows × h` matrix whose row count the file decides (vocabulary, token types).
    fn get_any(&self, name: &str, h: usize) -> anyhow::Result<Vec<f32>> {
        let rows = self
            .0
            .tensor(name)
            .with_context(|| format!("model.safetensors has no {name}"))?
            .shape()
            .first()
            .copied()
            .unwrap_or(0);
        ensure!(rows > 0, "{name} is empty");
        self.get(name, &[rows, h])
    }
}

/// `out = input · weightᵀ` for a PyTorch-layout weight (`out × in`, row-major), which read
/// column-major is exactly the `in × out` right-hand side.
fn linear(out: &mut [f32], input: &[f32], weight: &[f32], k: usize, par: Par) {
    let (m, n) = (input.len() / k, weight.len() / k);
    let out = MatMut::from_row_major_slice_mut(&mut out[..m * n], m, n);
    let a = MatRef::from_row_major_slice(input, m, k);
    let b = MatRef::from_column_major_slice(weight, k, n);
    matmul(out, Accum::Replace, a, b, 1.0, par);
}

/// `x = LayerNorm(x + sub + bias)` row by row, in parallel.
fn residual_norm(x: &mut [f32], sub: &[f32], bias: &[f32], ln: &Norm) {
    let h = bias.len();
    x.par_chunks_mut(h * ROWS_PER_TASK)
        .zip(sub.par_chunks(h * ROWS_PER_TASK))
        .for_each(|(xs, subs)| kernels::residual_norm(xs, subs, bias, &ln.view()));
}
