//! An OpenAI-compatible embeddings service (`POST {EMBEDDING_URL}/v1/embeddings`): texts go in
//! batches; each request has a timeout; timeouts, connection errors, 429 and 5xx are retried with
//! exponential backoff, other answers fail at once.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::{Embedder, TextKind};
use crate::config::EmbeddingConfig;

pub struct RemoteEmbedder {
    client: reqwest::Client,
    url: String,
    model: String,
    api_key: Option<secrecy::SecretString>,
    dims: usize,
    batch: usize,
    retries: u32,
    backoff: Duration,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    input: &'a [String],
}

#[derive(Deserialize)]
struct Response {
    data: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    index: usize,
    embedding: Vec<f32>,
}

/// Whether a failed attempt may succeed when tried again.
enum Failure {
    Retry(anyhow::Error),
    Fatal(anyhow::Error),
}

impl RemoteEmbedder {
    pub fn new(c: &EmbeddingConfig) -> anyhow::Result<Self> {
        if c.url.is_empty() {
            bail!("EMBEDDING_URL is required when EMBEDDING_PROVIDER=openai");
        }
        let client = reqwest::Client::builder()
            .timeout(c.timeout)
            .build()
            .context("building the embeddings HTTP client")?;
        Ok(Self {
            client,
            url: format!("{}/v1/embeddings", c.url.trim_end_matches('/')),
            model: c.model.clone(),
            api_key: c.api_key.clone(),
            dims: c.dims,
            batch: c.batch.max(1),
            retries: c.retries,
            backoff: c.backoff,
        })
    }

    async fn attempt(&self, input: &[String]) -> Result<Vec<Vec<f32>>, Failure> {
        let mut req = self.client.post(&self.url).json(&Request {
            model: &self.model,
            input,
        });
        if let Some(k) = &self.api_key {
            req = req.bearer_auth(secrecy::ExposeSecret::expose_secret(k));
        }
        let resp = req
            .send()
            .await
            .map_err(|e| Failure::Retry(anyhow!("embeddings request failed: {e}")))?;
        let status = resp.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(Failure::Retry(anyhow!(
                "embeddings service answered {status}"
            )));
        }
        if !status.is_success() {
            let body = resp.text().await.unwrap_or_default();
            return Err(Failure::Fatal(anyhow!(
                "embeddings service answered {status}: {}",
                body.chars().take(300).collect::<String>()
            )));
        }
        let mut body: Response = resp
            .json()
            .await
            .map_err(|e| Failure::Retry(anyhow!("unreadable embeddings response: {e}")))?;
        if body.data.len() != input.len() {
            return Err(Failure::Fatal(anyhow!(
                "embeddings service returned {} vectors for {} inputs",
                body.data.len(),
                input.len()
            )));
        }
        body.data.sort_by_key(|d| d.index);
        let mut out = Vec::with_capacity(input.len());
        for d in body.data {
            if d.embedding.len() != self.dims {
                return Err(Failure::Fatal(anyhow!(
                    "embeddings service returned {} dimensions, EMBEDDING_DIMS is {}",
                    d.embedding.len(),
                    self.dims
                )));
            }
            out.push(d.embedding);
        }
        Ok(out)
    }

    async fn embed_batch(&self, input: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut attempt = 0;
        loop {
            match self.attempt(input).await {
                Ok(v) => return Ok(v),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Retry(e)) if attempt >= self.retries => {
                    return Err(e.context(format!("gave up after {} attempts", attempt + 1)));
                }
                Err(Failure::Retry(e)) => {
                    tracing::warn!(error = %e, attempt, "embeddings request failed; retrying");
                    tokio::time::sleep(self.backoff * 2u32.pow(attempt.min(10))).await;
                    attempt += 1;
                }
            }
        }
    }
}

impl Embedder for RemoteEmbedder {
    fn model(&self) -> &str {
        &self.model
    }

    fn dims(&self) -> usize {
        self.dims
    }

    /// The OpenAI protocol has no query/passage distinction: both are sent as they are.
    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        _kind: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(texts.len());
            for batch in texts.chunks(self.batch) {
                out.extend(self.embed_batch(batch).await?);
            }
            Ok(out)
        })
    }
}
