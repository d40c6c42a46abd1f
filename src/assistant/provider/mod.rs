//! Answer providers behind one trait: given a question and numbered knowledge-base passages,
//! write an answer that cites them as `[1]`, `[2]`, streaming its text as it comes.
//!
//! - [`builtin::Extractive`]: quotes the best one or two sentences of the passages, chosen with
//!   the embedding model; in-process, no network.
//! - [`openai::OpenAi`]: any OpenAI-compatible `POST /v1/chat/completions`.

pub mod builtin;
pub mod openai;

use futures_util::future::BoxFuture;

use super::settings::ProviderKind;
use crate::ids::TenantId;

/// A knowledge-base passage given to the provider; the answer cites it as `[n]`.
#[derive(Debug, Clone)]
pub struct Passage {
    pub n: usize,
    pub title: String,
    pub content: String,
    /// Its retrieval score (cosine similarity to the question).
    pub score: f64,
}

/// What a provider answers.
#[derive(Debug)]
pub struct Prompt<'a> {
    /// Whose knowledge base the passages come from (what a provider keeps between answers is
    /// kept per tenant).
    pub tenant: TenantId,
    pub question: &'a str,
    /// The question's embedding, when retrieval made one.
    pub question_vector: Option<&'a [f32]>,
    pub passages: &'a [Passage],
    pub system_prompt: &'a str,
}

/// A provider's answer.
#[derive(Debug, Default)]
pub struct Generated {
    /// The answer with its `[n]` citations, as the provider wrote it.
    pub text: String,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    /// What an extractive answer quotes: (passage number, the quoted text).
    pub quotes: Vec<(usize, String)>,
}

/// Where a streaming answer's text goes as it is written.
pub type Deltas = tokio::sync::mpsc::UnboundedSender<String>;

pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;
    /// The model named in answers and query logs.
    fn model(&self) -> &str;
    /// Whether answers quote the passages (rather than write new text).
    fn extractive(&self) -> bool {
        self.kind() == ProviderKind::Builtin
    }
    /// Writes the answer, sending its text to `deltas` as it comes (if given).
    fn answer<'a>(
        &'a self,
        prompt: &'a Prompt<'a>,
        deltas: Option<&'a Deltas>,
    ) -> BoxFuture<'a, anyhow::Result<Generated>>;
}

/// Whether `text` is mostly Cyrillic (the answer's own messages follow the question's language).
pub fn is_russian(text: &str) -> bool {
    let (mut cyr, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if ('\u{0400}'..='\u{04FF}').contains(&c) {
            cyr += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    cyr > latin
}
