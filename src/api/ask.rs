//! `POST /v1/ask`: an answer from the knowledge base with its sources, as one JSON document or,
//! with `Accept: text/event-stream`, streamed as server-sent events. Every answer is logged.

use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use poem::{
    IntoResponse, Response,
    web::{
        Data,
        sse::{Event, SSE},
    },
};
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi, Union,
    param::Header,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};

use crate::{
    api::{Tag, body::JsonBody, search::SearchFilters, text::Text},
    assistant::{self, Answer, Assistant, escalation::Rule, settings::ProviderKind},
    auth::Tenant,
    db::Scope,
    error::{ApiResult, Problem},
    ids::{ChunkId, DocumentId, QueryLogId},
    search::Filters,
};

use crate::app::AppState;

pub struct AskApi;

/// A question for the assistant.
#[derive(Debug, Object)]
pub struct AskIn {
    /// The question, 1–4,000 characters.
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub question: Text,
    /// Answer only from documents that match these filters.
    #[oai(skip_serializing_if_is_none)]
    pub filters: Option<SearchFilters>,
}

/// How an answer was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum AnswerMode {
    /// Quoted from the knowledge base, word for word (the built-in provider).
    Extractive,
    /// Written by a language model from the knowledge base (the `openai` provider).
    Generative,
}

/// A knowledge-base passage the answer cites.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct SourceOut {
    /// The number the answer cites it by: `[1]`, `[2]`…
    #[oai(rename = "ref")]
    #[serde(rename = "ref")]
    pub n: i64,
    pub chunk_id: ChunkId,
    pub document_id: DocumentId,
    /// The document version the passage belongs to.
    pub version: i32,
    /// The document's title.
    pub title: String,
    #[oai(skip_serializing_if_is_none)]
    #[serde(default)]
    pub source_url: Option<String>,
    /// Its retrieval score: cosine similarity to the question.
    pub score: f64,
    /// The text an extractive answer quotes from it: the quoted sentences, in answer order,
    /// joined with ` … ` when the answer quotes this source more than once.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default)]
    pub quote: Option<String>,
}

/// Why an answer escalated.
#[derive(Debug, Clone, Object)]
pub struct EscalationOut {
    /// `keyword`, `human_request`, `low_score` or `cannot_help`.
    pub rule: Rule,
    /// What fired it, in words.
    pub reason: String,
}

/// An answer with its sources.
#[derive(Debug, Clone, Object)]
pub struct AnswerOut {
    /// The answer; it cites its sources as `[1]`, `[2]`. Citations of passages that were not
    /// retrieved are removed (counted in `dropped_citations`).
    pub answer: String,
    /// The passages the answer cites, by `ref`.
    pub sources: Vec<SourceOut>,
    pub mode: AnswerMode,
    pub provider: ProviderKind,
    pub model: String,
    /// Tokens of the prompt (as the provider reports them; the built-in provider counts the
    /// question and the sentences it compared).
    #[oai(skip_serializing_if_is_none)]
    pub prompt_tokens: Option<i32>,
    /// Tokens of the answer.
    #[oai(skip_serializing_if_is_none)]
    pub completion_tokens: Option<i32>,
    /// Time to embed the question and search, in milliseconds.
    pub retrieval_ms: f64,
    /// Time the provider took, in milliseconds.
    pub generation_ms: f64,
    /// The best retrieval score (cosine similarity); absent when nothing matched.
    #[oai(skip_serializing_if_is_none)]
    pub best_score: Option<f64>,
    /// Citations removed because they named no retrieved passage.
    pub dropped_citations: i32,
    /// Whether an escalation rule fired: a ticket would go to a person instead of getting this
    /// answer. Here the answer is still returned; the client decides.
    pub escalated: bool,
    #[oai(skip_serializing_if_is_none)]
    pub escalation: Option<EscalationOut>,
    /// The query log entry (`POST /v1/query-logs/{id}/feedback` rates it).
    pub log_id: QueryLogId,
}

impl AnswerOut {
    fn of(a: Answer, log_id: QueryLogId) -> Self {
        Self {
            answer: a.text,
            sources: a
                .sources
                .into_iter()
                .map(|s| SourceOut {
                    n: s.n as i64,
                    chunk_id: s.chunk_id,
                    document_id: s.document_id,
                    version: s.version,
                    title: s.title,
                    source_url: s.source_url,
                    score: s.score,
                    quote: s.quote,
                })
                .collect(),
            mode: if a.extractive {
                AnswerMode::Extractive
            } else {
                AnswerMode::Generative
            },
            provider: a.provider,
            model: a.model,
            prompt_tokens: a.prompt_tokens,
            completion_tokens: a.completion_tokens,
            retrieval_ms: a.retrieval_ms,
            generation_ms: a.generation_ms,
            best_score: a.best_score,
            dropped_citations: a.dropped_citations as i32,
            escalated: a.escalation.is_some(),
            escalation: a.escalation.map(|e| EscalationOut {
                rule: e.rule,
                reason: e.reason,
            }),
            log_id,
        }
    }
}

/// A piece of the answer's text, as the provider writes it.
#[derive(Debug, Clone, Object)]
pub struct AskDelta {
    pub text: String,
}

/// One server-sent event of a streamed answer: `delta` events carry text as it is written, then
/// one `done` event carries the whole answer (its text with unretrieved citations removed, the
/// sources and the log id), or one `error` event a problem.
#[derive(Debug, Clone, Union)]
pub enum AskEvent {
    Delta(AskDelta),
    Done(AnswerOut),
    Error(Problem),
}

impl AskEvent {
    fn to_sse(&self) -> Event {
        let (name, data) = match self {
            AskEvent::Delta(d) => ("delta", d.to_json_string()),
            AskEvent::Done(a) => ("done", a.to_json_string()),
            AskEvent::Error(p) => ("error", p.to_json_string()),
        };
        Event::message(data).event_type(name)
    }
}

/// The answer as JSON, or as an event stream.
pub enum AskResponse {
    Json(Box<AnswerOut>),
    Stream(BoxStream<'static, AskEvent>),
}

impl ApiResponse for AskResponse {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "The answer: one JSON document, or with `Accept: text/event-stream` \
                              a stream of `delta` events ending in a `done` (or `error`) event.",
                status: Some(200),
                status_range: None,
                content: vec![
                    MetaMediaType {
                        content_type: "application/json; charset=utf-8",
                        schema: AnswerOut::schema_ref(),
                    },
                    MetaMediaType {
                        content_type: "text/event-stream",
                        schema: MetaSchemaRef::Inline(Box::new(MetaSchema {
                            items: Some(Box::new(AskEvent::schema_ref())),
                            ..MetaSchema::new_with_format("array", "event-stream")
                        })),
                    },
                ],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        AnswerOut::register(registry);
        AskEvent::register(registry);
    }
}

impl IntoResponse for AskResponse {
    fn into_response(self) -> Response {
        match self {
            AskResponse::Json(a) => poem_openapi::payload::Json(*a).into_response(),
            AskResponse::Stream(s) => SSE::new(s.map(|e| e.to_sse()))
                .keep_alive(Duration::from_secs(15))
                .into_response(),
        }
    }
}

/// Answers and logs, in the caller's tenant, as the caller.
async fn answer_and_log(
    a: &Assistant,
    scope: &Scope,
    s: &assistant::settings::Settings,
    question: &str,
    filters: Filters,
    deltas: Option<&assistant::provider::Deltas>,
) -> ApiResult<AnswerOut> {
    let answer = a.answer(scope, s, question, filters, deltas).await?;
    let log_id =
        a.db.tenant(scope, async |tx| {
            assistant::log(tx, &answer, "ask", None).await
        })
        .await?;
    Ok(AnswerOut::of(answer, log_id))
}

/// Whether the client asked for an event stream.
fn wants_stream(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| {
        a.split(',').any(|m| {
            m.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/event-stream"))
        })
    })
}

#[OpenApi(prefix_path = "/v1/ask", tag = "Tag::Assistant")]
impl AskApi {
    /// Ask the assistant a question (any user of the tenant, or a read-only API key). It searches
    /// the knowledge base (hybrid search, the tenant's top-k and minimum score), gives the
    /// passages that fit its context budget to the tenant's provider, and answers citing them as
    /// `[1]`, `[2]`. The built-in provider quotes the best one or two sentences; it does not
    /// write. The escalation rules are evaluated and reported (`escalated`, `escalation`), but
    /// the answer is returned anyway. With `Accept: text/event-stream` the answer streams as
    /// server-sent events: `delta` events with text as it comes, then `done` with the whole
    /// answer, its sources and `log_id` (or `error` with a problem). Every answer is written to
    /// the query log. A provider that does not answer is a 503 `provider_unavailable`.
    #[oai(path = "/", method = "post", operation_id = "ask")]
    async fn ask(
        &self,
        state: Data<&AppState>,
        p: Tenant,
        /// `text/event-stream` to stream the answer; JSON otherwise.
        #[oai(name = "Accept")]
        accept: Header<Option<String>>,
        body: JsonBody<AskIn>,
    ) -> ApiResult<AskResponse> {
        let scope = p.scope();
        let AskIn { question, filters } = body.0;
        let question = question.into_string();
        let filters: Filters = filters.map(Into::into).unwrap_or_default();
        let a = state.assistant.clone();
        let settings = a.settings(&scope).await?;
        if !wants_stream(accept.0.as_deref()) {
            let out = answer_and_log(&a, &scope, &settings, &question, filters, None).await?;
            return Ok(AskResponse::Json(Box::new(out)));
        }
        // The answer is written on its own task (carrying this request's id for its logs), so a
        // client that goes away does not stop it from being logged.
        let (events_tx, events_rx) = tokio::sync::mpsc::unbounded_channel::<AskEvent>();
        let request_id = crate::telemetry::current_request_id().unwrap_or_default();
        let client_ip = crate::telemetry::current_client_ip();
        tokio::spawn(crate::telemetry::with_request(
            request_id,
            client_ip,
            async move {
                let (deltas_tx, mut deltas_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
                let forward = {
                    let events = events_tx.clone();
                    async move {
                        while let Some(text) = deltas_rx.recv().await {
                            let _ = events.send(AskEvent::Delta(AskDelta { text }));
                        }
                    }
                };
                let work = async move {
                    let r =
                        answer_and_log(&a, &scope, &settings, &question, filters, Some(&deltas_tx))
                            .await;
                    drop(deltas_tx);
                    r
                };
                let (result, ()) = tokio::join!(work, forward);
                let _ = events_tx.send(match result {
                Ok(out) => AskEvent::Done(out),
                Err(e) => {
                    if e.status.is_server_error() {
                        tracing::error!(code = e.code.as_str(), error = ?e.source, "streamed answer failed");
                    }
                    AskEvent::Error(e.problem())
                }
            });
            },
        ));
        let mut rx = events_rx;
        let events = stream::poll_fn(move |cx| rx.poll_recv(cx)).boxed();
        Ok(AskResponse::Stream(events))
    }
}

#[cfg(test)]
mod tests {
    use super::wants_stream;

    #[test]
    fn only_an_explicit_event_stream_accept_streams() {
        assert!(wants_stream(Some("text/event-stream")));
        assert!(wants_stream(Some(
            "application/json, Text/Event-Stream;q=0.9"
        )));
        assert!(!wants_stream(Some("application/json")));
        assert!(!wants_stream(Some("*/*")));
        assert!(!wants_stream(None));
    }
}
