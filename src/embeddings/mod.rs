//! Text embeddings: the built-in models (all-MiniLM-L6-v2, English; multilingual-e5-small, about
//! 100 languages; both in-process, no network) or an OpenAI-compatible HTTP service, behind one
//! trait; and token chunking.

pub mod builtin;
pub mod chunk;
pub mod e5;
pub mod remote;

use std::{path::Path, sync::Arc};

use futures_util::future::BoxFuture;

pub use builtin::BuiltinEmbedder;
pub use chunk::{Chunk, Chunker};
pub use e5::E5Embedder;
pub use remote::RemoteEmbedder;

use crate::config::{EmbeddingConfig, EmbeddingProvider};

/// What a text is to the model. Some models (e5) embed a search query and the passage that
/// answers it differently; the others ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A search query or a question (search, the assistant's question).
    Query,
    /// Text that is searched: document chunks, and the sentences the assistant quotes.
    Passage,
}

/// Turns texts into vectors of `dims()` floats, one per text, in order.
pub trait Embedder: Send + Sync {
    /// The model name stored beside every vector; searches compare only vectors of one model.
    fn model(&self) -> &str;
    fn dims(&self) -> usize;
    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        kind: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>>;
    /// The model's own limit on a passage, when the chunker's tokenizer is not the model's.
    fn passage_limit(&self) -> Option<Arc<dyn PassageLimit>> {
        None
    }
}

/// How many tokens a model reads for a passage, and the most it reads in one pass: the chunker
/// keeps every chunk within it.
pub trait PassageLimit: Send + Sync {
    /// Tokens of `text` embedded as a passage, prefix and special tokens included.
    fn tokens(&self, text: &str) -> usize;
    fn max_tokens(&self) -> usize;
}

/// The built-in models, by their `EMBEDDING_MODEL` name.
pub const BUILTIN_MODELS: [&str; 2] = [builtin::MODEL_NAME, e5::MODEL_NAME];

/// The embedder the configuration asks for.
pub fn from_config(c: &EmbeddingConfig) -> anyhow::Result<Arc<dyn Embedder>> {
    Ok(match c.provider {
        EmbeddingProvider::Builtin if c.model == e5::MODEL_NAME => {
            Arc::new(E5Embedder::load(Path::new(&c.e5_dir), c.threads)?)
        }
        EmbeddingProvider::Builtin => Arc::new(BuiltinEmbedder::load_with_threads(
            Path::new(&c.model_dir),
            c.threads,
        )?),
        EmbeddingProvider::OpenAi => Arc::new(RemoteEmbedder::new(c)?),
    })
}
