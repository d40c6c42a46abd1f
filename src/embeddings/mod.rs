//! Text embeddings: the built-in all-MiniLM-L6-v2 (in-process, no network) or an OpenAI-compatible
//! HTTP service, behind one trait; and token chunking with the model's tokenizer.

pub mod builtin;
pub mod chunk;
pub mod remote;

use std::{path::Path, sync::Arc};

use futures_util::future::BoxFuture;

pub use builtin::BuiltinEmbedder;
pub use chunk::{Chunk, Chunker};
pub use remote::RemoteEmbedder;

use crate::config::{EmbeddingConfig, EmbeddingProvider};

/// Turns texts into vectors of `dims()` floats, one per text, in order.
pub trait Embedder: Send + Sync {
    /// The model name stored beside every vector; searches compare only vectors of one model.
    fn model(&self) -> &str;
    fn dims(&self) -> usize;
    fn embed<'a>(&'a self, texts: &'a [String]) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>>;
}

/// The embedder the configuration asks for.
pub fn from_config(c: &EmbeddingConfig) -> anyhow::Result<Arc<dyn Embedder>> {
    Ok(match c.provider {
        EmbeddingProvider::Builtin => Arc::new(BuiltinEmbedder::load_with_threads(
            Path::new(&c.model_dir),
            c.threads,
        )?),
        EmbeddingProvider::OpenAi => Arc::new(RemoteEmbedder::new(c)?),
    })
}
