//! The built-in responder, extractive: it splits the retrieved passages into sentences, embeds
//! them with the embedding model the service already runs, and answers with the one or two
//! sentences closest to the question, each cited. It quotes, it never writes: no generative
//! model that a package registry ships is both properly licensed and good enough on two CPU
//! cores (small ones invent facts, a 1.5B model needs about 30 s and 3 GB per answer), and a
//! quote from the tenant's own knowledge base cannot be wrong about what it says.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::{Arc, Mutex},
};

use anyhow::Context;
use futures_util::future::BoxFuture;
use unicode_segmentation::UnicodeSegmentation;

use super::{Deltas, Generated, Prompt, Provider, is_russian};
use crate::{
    assistant::{
        settings::ProviderKind,
        text::{content_terms, overlap},
    },
    embeddings::{Chunker, Embedder, TextKind},
    ids::TenantId,
};

/// At most this many sentences are scored per answer (the passages of one answer hold about 30).
const MAX_CANDIDATES: usize = 64;
/// A sentence's score: its cosine similarity to the question, the share of the question's content
/// words (stemmed) it contains, and its passage's retrieval score. The weights, the runner-up
/// ratio and the floor were chosen on bench/eval (bench/README.md): the word overlap is what
/// separates answerable from unanswerable questions (AUC 0.97 against 0.85 for the similarity
/// alone), and it is the only signal the English-only model leaves for Russian.
const WEIGHTS: (f64, f64, f64) = (0.5, 0.3, 0.2);
/// The runner-up is quoted too when it scores at least this share of the best.
const SECOND_RATIO: f64 = 0.85;
/// Below this best sentence score nothing is quoted: the answer says it found nothing (and so
/// escalates as `cannot_help`).
const FLOOR: f64 = 0.45;
const TOO_LONG: usize = 500;

pub const NOT_FOUND_EN: &str = "I could not find an answer to this in the knowledge base.";
pub const NOT_FOUND_RU: &str = "Я не нашёл ответа на этот вопрос в базе знаний.";

pub struct Extractive {
    embedder: Arc<dyn Embedder>,
    chunker: Arc<Chunker>,
    model: String,
    cache: Mutex<SentenceCache>,
}

/// Sentence vectors already computed: the same articles answer most questions, and embedding
/// their sentences is most of an answer's time. Keyed by tenant too, so that how fast an answer
/// comes never tells one tenant what another's knowledge base holds. Oldest out first; about
/// 30 MB when full.
#[derive(Default)]
struct SentenceCache {
    vectors: HashMap<(TenantId, String), Arc<Vec<f32>>>,
    order: VecDeque<(TenantId, String)>,
}

const CACHED_SENTENCES: usize = 20_000;

impl Extractive {
    pub fn new(embedder: Arc<dyn Embedder>, chunker: Arc<Chunker>) -> Self {
        let model = format!("extractive/{}", embedder.model());
        Self {
            embedder,
            chunker,
            model,
            cache: Mutex::default(),
        }
    }

    /// The vectors of `tenant`'s `texts`, in order, embedding only those not cached.
    async fn vectors(
        &self,
        tenant: TenantId,
        texts: &[String],
    ) -> anyhow::Result<Vec<Arc<Vec<f32>>>> {
        let key = |t: &String| (tenant, t.clone());
        let missing: Vec<String> = {
            let cache = self.cache.lock().expect("sentence cache");
            texts
                .iter()
                .filter(|t| !cache.vectors.contains_key(&key(t)))
                .cloned()
                .collect()
        };
        let fresh = if missing.is_empty() {
            Vec::new()
        } else {
            self.embedder
                .embed(&missing, TextKind::Passage)
                .await
                .context("embedding the passages' sentences")?
        };
        let mut cache = self.cache.lock().expect("sentence cache");
        for (t, v) in missing.iter().zip(fresh) {
            if cache.order.len() >= CACHED_SENTENCES
                && let Some(old) = cache.order.pop_front()
            {
                cache.vectors.remove(&old);
            }
            cache.order.push_back(key(t));
            cache.vectors.insert(key(t), Arc::new(v));
        }
        texts
            .iter()
            .map(|t| {
                cache
                    .vectors
                    .get(&key(t))
                    .cloned()
                    .context("a sentence vector went missing")
            })
            .collect()
    }

    async fn run(&self, p: &Prompt<'_>, deltas: Option<&Deltas>) -> anyhow::Result<Generated> {
        // (passage number, passage score, sentence)
        let mut seen = HashSet::new();
        let mut cands: Vec<(usize, f64, String)> = Vec::new();
        for passage in p.passages {
            for s in sentences(&passage.content) {
                // Overlapping chunks repeat sentences; the better passage (first) keeps it.
                if seen.insert(s.to_lowercase()) && cands.len() < MAX_CANDIDATES {
                    cands.push((passage.n, passage.score, s));
                }
            }
        }
        let texts: Vec<String> = cands.iter().map(|c| c.2.clone()).collect();
        let mut prompt_tokens = self.chunker.count(p.question);
        for t in &texts {
            prompt_tokens += self.chunker.count(t);
        }
        let q = match p.question_vector {
            Some(v) => v.to_vec(),
            None => self
                .embedder
                .embed(&[p.question.to_string()], TextKind::Query)
                .await?
                .remove(0),
        };
        let vectors = self.vectors(p.tenant, &texts).await?;
        let terms = content_terms(p.question);
        let (w_cos, w_words, w_passage) = WEIGHTS;
        let scored: Vec<(usize, f64)> = vectors
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let cos: f64 = v.iter().zip(&q).map(|(a, b)| f64::from(a * b)).sum();
                let words = overlap(&terms, &content_terms(&cands[i].2));
                (i, w_cos * cos + w_words * words + w_passage * cands[i].1)
            })
            .collect();
        let chosen = choose(&scored);
        let (text, quotes) = if chosen.is_empty() {
            let msg = if is_russian(p.question) {
                NOT_FOUND_RU
            } else {
                NOT_FOUND_EN
            };
            (msg.to_string(), Vec::new())
        } else {
            let quotes: Vec<(usize, String)> = chosen
                .iter()
                .map(|&i| (cands[i].0, cands[i].2.clone()))
                .collect();
            let text = quotes
                .iter()
                .map(|(n, s)| format!("{s} [{n}]"))
                .collect::<Vec<_>>()
                .join(" ");
            (text, quotes)
        };
        if let Some(d) = deltas {
            for part in text.split_inclusive("] ") {
                let _ = d.send(part.to_string());
            }
        }
        Ok(Generated {
            completion_tokens: Some(self.chunker.count(&text)),
            prompt_tokens: Some(prompt_tokens),
            text,
            quotes,
        })
    }
}

/// The best sentence and, if close enough, the runner-up, in reading order (by candidate index,
/// which follows passage order and position); none when the best is below the floor.
fn choose(scored: &[(usize, f64)]) -> Vec<usize> {
    let mut ranked: Vec<&(usize, f64)> = scored.iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(&&(best, top)) = ranked.first() else {
        return Vec::new();
    };
    if top < FLOOR {
        return Vec::new();
    }
    let mut out = vec![best];
    if let Some(&&(second, s)) = ranked.get(1)
        && s >= top * SECOND_RATIO
    {
        out.push(second);
    }
    out.sort_unstable();
    out
}

/// The sentences of a passage worth quoting: Markdown headings dropped, list markers and
/// emphasis stripped, a chunk's cut-off first and last sentences left out.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (li, line) in lines.iter().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('|') {
            continue;
        }
        let line = strip_marker(line).replace("**", "").replace('`', "");
        // Unicode sentence boundaries break after "?", "!" or a closing quote even inside a
        // sentence ("Click «Forgot password?» on the page", "open «Router», then «Restart»"): a
        // piece starting in lower case or with punctuation continues the previous one.
        let mut parts: Vec<String> = Vec::new();
        for piece in line
            .unicode_sentences()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let continues = piece.chars().next().is_some_and(|c| {
                c.is_lowercase() || matches!(c, ',' | ';' | ':' | ')' | '—' | '-')
            });
            match parts.last_mut() {
                Some(prev) if continues => {
                    prev.push(' ');
                    prev.push_str(piece);
                }
                _ => parts.push(piece.to_string()),
            }
        }
        for (si, s) in parts.iter().enumerate() {
            let first = li == 0 && si == 0;
            let last = li == lines.len() - 1 && si == parts.len() - 1;
            // A chunk is a window of tokens: it may start or end inside a sentence.
            if first && s.chars().next().is_some_and(char::is_lowercase) {
                continue;
            }
            if last && !s.ends_with(['.', '!', '?', '…', ':', ';', ')', '"', '»']) {
                continue;
            }
            if s.split_whitespace().count() >= 4 && s.chars().count() <= TOO_LONG {
                out.push(s.clone());
            }
        }
    }
    out
}

/// "- item", "* item", "1. item", "2) item" → "item".
pub fn strip_marker(line: &str) -> &str {
    if let Some(rest) = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))
        .or_else(|| line.strip_prefix("+ "))
    {
        return rest.trim_start();
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = line[digits..]
            .strip_prefix(". ")
            .or_else(|| line[digits..].strip_prefix(") "))
    {
        return rest.trim_start();
    }
    line
}

impl Provider for Extractive {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Builtin
    }

    fn model(&self) -> &str {
        &self.model
    }

    fn answer<'a>(
        &'a self,
        prompt: &'a Prompt<'a>,
        deltas: Option<&'a Deltas>,
    ) -> BoxFuture<'a, anyhow::Result<Generated>> {
        Box::pin(self.run(prompt, deltas))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_skip_headings_markers_and_cut_off_ends() {
        let text = "ting the router takes two minutes.\n\
                    ## Resetting the router\n\
                    1. Hold the reset button for ten seconds. The lights blink twice.\n\
                    - **Note:** the settings return to the factory defaults.\n\
                    Short one.\n\
                    The admin page is at 192.168.1.1 and the";
        assert_eq!(
            sentences(text),
            vec![
                "Hold the reset button for ten seconds.",
                "The lights blink twice.",
                "Note: the settings return to the factory defaults.",
            ]
        );
        assert_eq!(
            sentences(
                "Нажмите «Забыли пароль?» на странице входа. Ссылка придёт на почту. \
                 Откройте «Роутер», затем «Перезагрузить», и подождите."
            ),
            vec![
                "Нажмите «Забыли пароль?» на странице входа.",
                "Ссылка придёт на почту.",
                "Откройте «Роутер», затем «Перезагрузить», и подождите."
            ]
        );
    }

    #[test]
    fn the_runner_up_is_quoted_only_when_close_and_nothing_below_the_floor() {
        assert_eq!(choose(&[(0, 0.5), (1, 0.8), (2, 0.7)]), vec![1, 2]);
        assert_eq!(choose(&[(0, 0.5), (1, 0.8), (2, 0.6)]), vec![1]);
        assert_eq!(choose(&[(0, 0.44), (1, 0.1)]), Vec::<usize>::new());
        assert_eq!(choose(&[]), Vec::<usize>::new());
    }
}
