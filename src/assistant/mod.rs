//! The assistant: answers a question from the tenant's knowledge base with cited sources.
//!
//! One path serves `POST /v1/ask` and ticket runs: the tenant's settings → retrieval through the
//! search plan (`crate::search`, hybrid) → the passages that fit the context budget, numbered →
//! the provider's answer (streamed when asked) → its citations checked against the passages →
//! the escalation rules. The caller logs the answer (`repo::query_logs`) and, for a ticket,
//! posts it or escalates (`tickets.rs`).

pub mod citations;
pub mod escalation;
pub mod provider;
pub mod sealed;
pub mod settings;
pub mod text;
pub mod tickets;

use std::{sync::Arc, time::Instant};

use crate::{
    config::{AssistantConfig, HnswSearch},
    db::{Db, Scope},
    embeddings::{Chunker, Embedder},
    error::{ApiError, ApiResult, ProblemCode},
    ids::{ChunkId, DocumentId, QueryLogId, TenantId, TicketId},
    repo,
    search::{self, Filters, OwnModel, Plan, SearchMode},
};
use escalation::{Escalation, Rules};
use provider::{
    Deltas, Passage, Prompt, Provider,
    builtin::Extractive,
    openai::{Connection, OpenAi},
};
use sealed::Sealer;
use settings::{Layer, ModelDefaults, ProviderKind, Settings};

/// Questions are searched with at most this many characters (the search plan's limit; the
/// embedding model reads fewer).
const MAX_QUERY_CHARS: usize = 2000;

/// A passage the answer cites.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Source {
    /// The number the answer cites it by, `[n]`.
    #[serde(rename = "ref")]
    pub n: usize,
    pub chunk_id: ChunkId,
    pub document_id: DocumentId,
    pub version: i32,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Its retrieval score (cosine similarity to the question).
    pub score: f64,
    /// What an extractive answer quotes from it (several quotes joined with ` … `).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

/// Something retrieval returned, cited or not.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Retrieved {
    pub chunk_id: ChunkId,
    pub document_id: DocumentId,
    /// Cosine similarity to the question (absent for a keyword-only match).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Whether it was given to the provider (within the context budget and the minimum score).
    pub in_context: bool,
}

/// An answer, before it is logged.
#[derive(Debug, Clone)]
pub struct Answer {
    pub question: String,
    pub text: String,
    pub sources: Vec<Source>,
    pub retrieved: Vec<Retrieved>,
    /// The best cosine similarity retrieval found (the `low_score` rule compares it).
    pub best_score: Option<f64>,
    pub extractive: bool,
    pub provider: ProviderKind,
    pub model: String,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub retrieval_ms: f64,
    pub generation_ms: f64,
    pub dropped_citations: usize,
    pub escalation: Option<Escalation>,
}

pub struct Assistant {
    pub db: Db,
    embedder: Arc<dyn Embedder>,
    chunker: Arc<Chunker>,
    builtin: Arc<Extractive>,
    http: reqwest::Client,
    pub sealer: Sealer,
    pub config: AssistantConfig,
    hnsw: HnswSearch,
    /// The built-in defaults for the service's embedding model.
    pub model_defaults: ModelDefaults,
}

impl Assistant {
    pub fn new(
        db: Db,
        embedder: Arc<dyn Embedder>,
        chunker: Arc<Chunker>,
        config: AssistantConfig,
        hnsw: HnswSearch,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            builtin: Arc::new(Extractive::new(embedder.clone(), chunker.clone())),
            http: provider::openai::client(config.allow_private_urls)?,
            sealer: Sealer::new(config.sealing_keys()?)?,
            model_defaults: ModelDefaults::for_model(embedder.model()),
            db,
            embedder,
            chunker,
            config,
            hnsw,
        })
    }

    /// The settings in force for `scope`'s tenant.
    pub async fn settings(&self, scope: &Scope) -> ApiResult<Settings> {
        let (platform, tenant) = self
            .db
            .tenant_read(scope, async |tx| repo::settings::layers(tx).await)
            .await?;
        self.resolve(scope.tenant_id(), &platform, tenant.as_ref())
    }

    /// Resolves stored layers; a value the code does not know or a key that does not open is an
    /// error, logged, never a default.
    pub fn resolve(
        &self,
        tenant: TenantId,
        platform: &repo::settings::SettingsRow,
        own: Option<&repo::settings::SettingsRow>,
    ) -> ApiResult<Settings> {
        let platform = Layer::from_row(platform);
        let own = own.map(Layer::from_row).unwrap_or_default();
        Settings::resolve(
            &platform,
            Some((tenant, &own)),
            &self.sealer,
            self.model_defaults,
        )
        .map_err(ApiError::internal)
    }

    /// The provider the settings name.
    pub fn provider(&self, s: &Settings) -> ApiResult<Arc<dyn Provider>> {
        Ok(match s.provider {
            ProviderKind::Builtin => self.builtin.clone(),
            ProviderKind::Openai => Arc::new(
                OpenAi::new(
                    self.http.clone(),
                    Connection {
                        base_url: s.base_url.clone(),
                        model: s.model.clone(),
                        api_key: s.api_key.clone(),
                        timeout: self.config.timeout,
                        retries: self.config.retries,
                        backoff: self.config.backoff,
                    },
                    self.config.allow_private_urls,
                )
                .map_err(provider_failed)?,
            ),
        })
    }

    /// Answers `question` for `scope`'s tenant, streaming the text to `deltas` when given.
    pub async fn answer(
        &self,
        scope: &Scope,
        s: &Settings,
        question: &str,
        filters: Filters,
        deltas: Option<&Deltas>,
    ) -> ApiResult<Answer> {
        let provider = self.provider(s)?;
        let started = Instant::now();
        let plan = Plan::parse(
            search::Request {
                query: Some(question.chars().take(MAX_QUERY_CHARS).collect()),
                mode: Some(SearchMode::Hybrid),
                top_k: Some(s.top_k),
                filters,
                ..Default::default()
            },
            OwnModel {
                name: self.embedder.model(),
                dims: self.embedder.dims(),
            },
        )?;
        let found = plan
            .run(&self.db, scope, self.embedder.as_ref(), self.hnsw)
            .await?;
        let retrieval_ms = ms(started);
        let best_score = found
            .hits
            .iter()
            .filter_map(|h| h.semantic)
            .max_by(f64::total_cmp);

        // The passages: above the minimum score (a keyword-only match has none and passes),
        // within the token budget (the first always fits), numbered from 1.
        let mut budget = self.config.context_tokens as i64;
        let mut passages: Vec<(Passage, &search::Hit)> = Vec::new();
        let mut retrieved = Vec::new();
        for h in &found.hits {
            let mut in_context = h.semantic.is_none_or(|sc| sc >= s.min_score);
            if in_context {
                let cost = i64::from(self.chunker.count(&h.content));
                in_context = passages.is_empty() || cost <= budget;
                if in_context {
                    budget -= cost;
                    passages.push((
                        Passage {
                            n: passages.len() + 1,
                            title: h.title.clone(),
                            content: h.content.clone(),
                            score: h.semantic.unwrap_or(0.0),
                        },
                        h,
                    ));
                }
            }
            retrieved.push(Retrieved {
                chunk_id: h.chunk_id,
                document_id: h.document_id,
                score: h.semantic,
                in_context,
            });
        }

        let given: Vec<Passage> = passages.iter().map(|(p, _)| p.clone()).collect();
        let prompt = Prompt {
            tenant: scope.tenant_id(),
            question,
            question_vector: found.query_vector.as_deref(),
            passages: &given,
            system_prompt: &s.system_prompt,
        };
        let started = Instant::now();
        let generated = provider
            .answer(&prompt, deltas)
            .await
            .map_err(provider_failed)?;
        let generation_ms = ms(started);

        let checked = citations::check(&generated.text, given.len());
        let sources = checked
            .cited
            .iter()
            .map(|&n| {
                let (p, h) = &passages[n - 1];
                let quotes: Vec<&str> = generated
                    .quotes
                    .iter()
                    .filter(|(qn, _)| *qn == n)
                    .map(|(_, q)| q.as_str())
                    .collect();
                Source {
                    n,
                    chunk_id: h.chunk_id,
                    document_id: h.document_id,
                    version: h.version,
                    title: h.title.clone(),
                    source_url: h.source_url.clone(),
                    score: p.score,
                    quote: (!quotes.is_empty()).then(|| quotes.join(" … ")),
                }
            })
            .collect();
        let escalation = Rules::new(&s.escalation_keywords, s.escalation_threshold).check(
            question,
            best_score,
            &checked.text,
        );
        Ok(Answer {
            question: question.to_string(),
            text: checked.text,
            sources,
            retrieved,
            best_score,
            extractive: provider.extractive(),
            provider: provider.kind(),
            model: provider.model().to_string(),
            prompt_tokens: generated.prompt_tokens,
            completion_tokens: generated.completion_tokens,
            retrieval_ms,
            generation_ms,
            dropped_citations: checked.dropped,
            escalation,
        })
    }
}

/// Logs an answer in the caller's transaction (the caller is the transaction's user, API key or
/// superadmin; a ticket run has none of them).
pub async fn log(
    tx: &crate::db::TenantTx,
    a: &Answer,
    channel: &str,
    ticket: Option<TicketId>,
) -> ApiResult<QueryLogId> {
    let sources = serde_json::to_value(&a.sources).map_err(ApiError::internal)?;
    let retrieved = serde_json::to_value(&a.retrieved).map_err(ApiError::internal)?;
    repo::query_logs::insert(
        tx,
        &repo::query_logs::NewQueryLog {
            channel,
            ticket_id: ticket,
            question: &a.question,
            answer: &a.text,
            sources,
            retrieved,
            best_score: a.best_score,
            provider: a.provider.as_str(),
            model: &a.model,
            prompt_tokens: a.prompt_tokens,
            completion_tokens: a.completion_tokens,
            retrieval_ms: a.retrieval_ms,
            generation_ms: a.generation_ms,
            dropped_citations: a.dropped_citations as i32,
            escalation_rule: a.escalation.as_ref().map(|e| e.rule.as_str()),
            escalation_reason: a.escalation.as_ref().map(|e| e.reason.as_str()),
        },
    )
    .await
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The provider did not answer: a 503 that says so without its internals (they are logged, and
/// a ticket run keeps them in its error log).
pub fn provider_failed(e: anyhow::Error) -> ApiError {
    let mut err = ApiError::unavailable(e);
    err.code = ProblemCode::ProviderUnavailable;
    err.detail = "the answer provider did not answer; try again later".into();
    err
}
