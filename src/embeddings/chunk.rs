//! Splits text into overlapping windows of tokens (all-MiniLM-L6-v2's tokenizer, whichever model
//! embeds). Each chunk is the original text between its first and last token (so it reads
//! naturally), with its index, token count and sha256. When the embedding model has its own
//! tokenizer and limit ([`PassageLimit`]: multilingual-e5-small reads 512 tokens), a window the
//! model would count over its limit is shortened until it fits.

use std::{path::Path, sync::Arc};

use anyhow::{anyhow, bail};
use sha2::{Digest, Sha256};
use tokenizers::Tokenizer;

use super::PassageLimit;

#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub index: i32,
    pub content: String,
    pub token_count: i32,
    pub sha256: Vec<u8>,
}

pub struct Chunker {
    tokenizer: Tokenizer,
    tokens: usize,
    overlap: usize,
    limit: Option<Arc<dyn PassageLimit>>,
}

impl Chunker {
    /// `tokens` per chunk (at most 254 leaves room for the model's two special tokens within its
    /// 256), of which `overlap` repeat the end of the previous chunk.
    pub fn new(tokenizer: Tokenizer, tokens: usize, overlap: usize) -> anyhow::Result<Self> {
        if tokens == 0 || overlap >= tokens {
            bail!(
                "CHUNK_OVERLAP ({overlap}) must be smaller than CHUNK_TOKENS ({tokens}), which must be positive"
            );
        }
        let mut tokenizer = tokenizer;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| anyhow!("tokenizer: {e}"))?;
        Ok(Self {
            tokenizer,
            tokens,
            overlap,
            limit: None,
        })
    }

    /// Keeps every chunk within the embedding model's own limit too (see [`PassageLimit`]).
    pub fn with_limit(mut self, limit: Option<Arc<dyn PassageLimit>>) -> Self {
        self.limit = limit;
        self
    }

    /// The end of the longest window from `start` to at most `end` (token indices) that the
    /// model's limit admits; at least one token, whatever its length (the model still reads an
    /// over-long passage, in windows of its own).
    fn fitting_end(
        &self,
        text: &str,
        offsets: &[(usize, usize)],
        start: usize,
        end: usize,
    ) -> usize {
        let Some(limit) = &self.limit else {
            return end;
        };
        let fits = |e: usize| {
            let piece = text
                .get(offsets[start].0..offsets[e - 1].1)
                .unwrap_or_default();
            limit.tokens(piece) <= limit.max_tokens()
        };
        if fits(end) {
            return end;
        }
        // The longest fitting window: fits(lo) holds (or lo is the one-token minimum), fits(hi)
        // does not.
        let (mut lo, mut hi) = (start + 1, end);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The tokenizer in `dir` (`tokenizer.json`, as fetched by `deploy/fetch-model.sh`).
    pub fn load(dir: &Path, tokens: usize, overlap: usize) -> anyhow::Result<Self> {
        let path = dir.join("tokenizer.json");
        let tokenizer = Tokenizer::from_file(&path).map_err(|e| {
            anyhow!(
                "loading {}: {e} (run deploy/fetch-model.sh)",
                path.display()
            )
        })?;
        Self::new(tokenizer, tokens, overlap)
    }

    /// The number of tokens in `text` (without special tokens).
    pub fn count(&self, text: &str) -> i32 {
        self.tokenizer
            .encode(text, false)
            .map_or(0, |e| e.len() as i32)
    }

    pub fn chunk(&self, text: &str) -> anyhow::Result<Vec<Chunk>> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| anyhow!("tokenizing: {e}"))?;
        let offsets = enc.get_offsets();
        let mut out = Vec::new();
        let mut start = 0;
        while start < offsets.len() {
            let end = self.fitting_end(
                text,
                offsets,
                start,
                (start + self.tokens).min(offsets.len()),
            );
            let (from, to) = (offsets[start].0, offsets[end - 1].1);
            let content = text.get(from..to).unwrap_or_default().to_string();
            out.push(Chunk {
                index: out.len() as i32,
                sha256: Sha256::digest(content.as_bytes()).to_vec(),
                token_count: (end - start) as i32,
                content,
            });
            if end == offsets.len() {
                break;
            }
            // A window the model's limit shortened repeats a share of itself as large as a full
            // window would (and always moves on).
            let overlap = self.overlap * (end - start) / self.tokens;
            start = (end - overlap).max(start + 1);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunker(tokens: usize, overlap: usize) -> Chunker {
        Chunker::load(Path::new(".local/models/all-minilm-l6-v2"), tokens, overlap)
            .expect("run deploy/fetch-model.sh (make test does)")
    }

    #[test]
    fn windows_overlap_and_cover_the_text() {
        let words: Vec<String> = (0..50).map(|i| format!("word{i}")).collect();
        let text = words.join(" ");
        let c = chunker(20, 5);
        let chunks = c.chunk(&text).unwrap();
        let total = c.tokenizer.encode(text.as_str(), false).unwrap().len();
        assert!(chunks.len() > 1);
        assert!(chunks.iter().all(|ch| ch.token_count as usize <= 20));
        assert_eq!(chunks[0].index, 0);
        assert_eq!(chunks.last().unwrap().index as usize, chunks.len() - 1);
        // Consecutive windows share `overlap` tokens: token counts add up to the total plus the
        // repeats.
        let sum: i32 = chunks.iter().map(|c| c.token_count).sum();
        assert_eq!(sum as usize, total + 5 * (chunks.len() - 1));
        assert!(chunks[0].content.starts_with("word0"));
        assert!(chunks.last().unwrap().content.ends_with("word49"));
        assert_eq!(
            chunks[1].sha256,
            Sha256::digest(chunks[1].content.as_bytes()).to_vec()
        );
    }

    #[test]
    fn short_and_empty_texts() {
        let c = chunker(200, 40);
        let one = c.chunk("Password reset instructions").unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].content, "Password reset instructions");
        assert!(c.chunk("   ").unwrap().is_empty());
        assert!(Chunker::new(c.tokenizer.clone(), 10, 10).is_err());
    }
}
