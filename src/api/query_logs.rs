//! The assistant's query log: every answer it gave (from `POST /v1/ask` or a ticket run), for
//! admins to read and filter, and the askers' feedback on them.

use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    api::{
        Tag,
        ask::{EscalationOut, SourceOut},
        body::JsonBody,
        cursor::{Cursor, Limit},
        text::Text,
    },
    assistant::{escalation::Rule, settings::ProviderKind},
    auth::{Admin, Tenant},
    error::{ApiError, ApiResult},
    ids::{ApiKeyId, ChunkId, DocumentId, QueryLogId, SuperadminId, TicketId, UserId},
    repo::{
        self, Timestamp,
        query_logs::{LogFilter, QueryLogRow},
    },
};

pub struct QueryLogsApi;

crate::db::text_enum! {
    "lowercase":
    /// Where a question came from.
    pub enum LogChannel {
        /// `POST /v1/ask`.
        Ask,
        /// An assistant run on a ticket.
        Ticket,
    }
}

/// Which feedback to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum FeedbackFilter {
    /// Rated helpful.
    Helpful,
    /// Rated not helpful.
    Unhelpful,
    /// Not rated.
    None,
}

/// Something retrieval found for the question.
#[derive(Debug, Clone, Object, serde::Deserialize)]
pub struct RetrievedOut {
    pub chunk_id: ChunkId,
    pub document_id: DocumentId,
    /// Cosine similarity to the question (absent for a keyword-only match).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default)]
    pub score: Option<f64>,
    /// Whether it was given to the provider.
    pub in_context: bool,
}

/// The asker's rating of an answer.
#[derive(Debug, Clone, Object)]
pub struct FeedbackOut {
    pub helpful: bool,
    #[oai(skip_serializing_if_is_none)]
    pub comment: Option<String>,
    /// The user who rated it (absent for an API key).
    #[oai(skip_serializing_if_is_none)]
    pub by: Option<UserId>,
    pub at: Timestamp,
}

/// One answer the assistant gave.
#[derive(Debug, Clone, Object)]
pub struct QueryLogOut {
    pub id: QueryLogId,
    pub channel: LogChannel,
    /// The ticket, for a ticket run.
    #[oai(skip_serializing_if_is_none)]
    pub ticket_id: Option<TicketId>,
    pub question: String,
    pub answer: String,
    /// The passages the answer cites.
    pub sources: Vec<SourceOut>,
    /// Everything retrieval returned, with scores.
    pub retrieved: Vec<RetrievedOut>,
    #[oai(skip_serializing_if_is_none)]
    pub best_score: Option<f64>,
    pub provider: ProviderKind,
    pub model: String,
    #[oai(skip_serializing_if_is_none)]
    pub prompt_tokens: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub completion_tokens: Option<i32>,
    pub retrieval_ms: f64,
    pub generation_ms: f64,
    pub dropped_citations: i32,
    pub escalated: bool,
    #[oai(skip_serializing_if_is_none)]
    pub escalation: Option<EscalationOut>,
    /// Who asked: a user …
    #[oai(skip_serializing_if_is_none)]
    pub caller_user_id: Option<UserId>,
    /// … an API key …
    #[oai(skip_serializing_if_is_none)]
    pub caller_api_key_id: Option<ApiKeyId>,
    /// … or a superadmin acting in the tenant (none of them: a ticket run).
    #[oai(skip_serializing_if_is_none)]
    pub caller_superadmin_id: Option<SuperadminId>,
    #[oai(skip_serializing_if_is_none)]
    pub feedback: Option<FeedbackOut>,
    pub created_at: Timestamp,
}

impl QueryLogOut {
    /// A stored row; anything that does not read back as written is an error.
    fn of(r: QueryLogRow) -> ApiResult<Self> {
        let bad = |e: anyhow::Error| ApiError::internal(e.context(format!("query log {}", r.id)));
        let escalation = match (&r.escalation_rule, r.escalated) {
            (Some(rule), true) => Some(EscalationOut {
                rule: Rule::parse(rule)
                    .ok_or_else(|| bad(anyhow::anyhow!("unknown escalation rule {rule:?}")))?,
                reason: r.escalation_reason.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        let feedback = match (r.feedback_helpful, r.feedback_at) {
            (Some(helpful), Some(at)) => Some(FeedbackOut {
                helpful,
                comment: r.feedback_comment.clone(),
                by: r.feedback_by,
                at,
            }),
            _ => None,
        };
        Ok(Self {
            id: r.id,
            channel: LogChannel::parse(&r.channel)
                .ok_or_else(|| bad(anyhow::anyhow!("unknown channel {:?}", r.channel)))?,
            ticket_id: r.ticket_id,
            sources: serde_json::from_value(r.sources.clone()).map_err(|e| bad(e.into()))?,
            retrieved: serde_json::from_value(r.retrieved.clone()).map_err(|e| bad(e.into()))?,
            provider: ProviderKind::parse(&r.provider)
                .ok_or_else(|| bad(anyhow::anyhow!("unknown provider {:?}", r.provider)))?,
            question: r.question,
            answer: r.answer,
            best_score: r.best_score,
            model: r.model,
            prompt_tokens: r.prompt_tokens,
            completion_tokens: r.completion_tokens,
            retrieval_ms: r.retrieval_ms,
            generation_ms: r.generation_ms,
            dropped_citations: r.dropped_citations,
            escalated: r.escalated,
            escalation,
            caller_user_id: r.caller_user_id,
            caller_api_key_id: r.caller_api_key_id,
            caller_superadmin_id: r.caller_superadmin_id,
            feedback,
            created_at: r.created_at,
        })
    }
}

/// One page of query log entries, newest first.
pub type QueryLogPage = crate::api::Page<QueryLogOut>;

/// A rating of an answer.
#[derive(Debug, Object)]
pub struct FeedbackIn {
    /// Whether the answer helped.
    pub helpful: bool,
    /// Why, 1–2,000 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(min_length = 1, max_length = 2000)
    )]
    pub comment: Option<Text>,
}

#[OpenApi(prefix_path = "/v1/query-logs", tag = "Tag::Assistant")]
impl QueryLogsApi {
    /// The assistant's answers, newest first (admins), with filters that combine with AND.
    #[oai(path = "/", method = "get", operation_id = "list_query_logs")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        p: Tenant<Admin>,
        /// Asked at or after this time (RFC 3339).
        from: Query<Option<Timestamp>>,
        /// Asked before this time (RFC 3339).
        to: Query<Option<Timestamp>>,
        /// `helpful`, `unhelpful`, or `none` (not rated).
        feedback: Query<Option<FeedbackFilter>>,
        /// Only answers that escalated (`true`) or did not (`false`).
        escalated: Query<Option<bool>>,
        /// `true`: only answers citing no source (knowledge-base gaps); `false`: only answers
        /// citing one.
        no_sources: Query<Option<bool>>,
        /// Only questions from `ask` or from `ticket` runs.
        channel: Query<Option<LogChannel>>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<QueryLogPage>> {
        let filter = LogFilter {
            from: from.0,
            to: to.0,
            feedback: feedback.0.map(|f| match f {
                FeedbackFilter::Helpful => Some(true),
                FeedbackFilter::Unhelpful => Some(false),
                FeedbackFilter::None => None,
            }),
            escalated: escalated.0,
            no_sources: no_sources.0,
            channel: channel.0.map(|c| c.as_str().to_string()),
        };
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, before, n| {
                repo::query_logs::list(tx, &filter, before, n)
                    .await?
                    .into_iter()
                    .map(QueryLogOut::of)
                    .collect()
            },
            |r| r.id,
        )
        .await
    }

    /// Rate an answer: the user who asked for it, or an agent or admin (another user's answer,
    /// or another tenant's, is a 404). A second rating replaces the first.
    #[oai(
        path = "/:id/feedback",
        method = "post",
        operation_id = "create_query_log_feedback"
    )]
    async fn feedback(
        &self,
        p: Tenant,
        id: Path<QueryLogId>,
        body: JsonBody<FeedbackIn>,
    ) -> ApiResult<Json<QueryLogOut>> {
        let FeedbackIn { helpful, comment } = body.0;
        let comment = comment.map(Text::into_string);
        let row = p
            .tx(async |tx| {
                repo::query_logs::set_feedback(tx, id.0, helpful, comment.as_deref()).await
            })
            .await?
            .ok_or_else(|| ApiError::not_found("query log entry"))?;
        Ok(Json(QueryLogOut::of(row)?))
    }
}
