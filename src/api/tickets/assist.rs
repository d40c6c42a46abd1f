//! The assistant on a ticket: agents ask it for an answer, and read what its runs did.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use serde_json::Value;

use super::visible;
use crate::{
    api::{
        Tag,
        body::JsonBody,
        cursor::{Cursor, Limit},
    },
    app::AppState,
    assistant::tickets::{PostAs, Trigger},
    auth::{Agent, Tenant},
    error::{ApiError, ApiResult},
    ids::{JobId, MessageId, QueryLogId, TicketId, UserId},
    knowledge::JobStatus,
    repo::{self, Timestamp, assistant_runs::RunRow},
};

pub struct TicketAssistApi;

/// An agent's request for an answer.
#[derive(Debug, Default, Object)]
pub struct AssistIn {
    /// How to post the answer: `draft` (an internal note, the default) or `reply` (a message the
    /// customer sees). Escalation still applies: an answer that should escalate is never posted.
    #[oai(skip_serializing_if_is_none)]
    pub post_as: Option<PostAs>,
}

crate::db::text_enum! {
    "snake_case":
    /// What queued a run.
    pub enum RunTrigger {
        /// A new ticket.
        TicketCreated,
        /// A customer's message.
        CustomerMessage,
        /// An agent, with `POST /v1/tickets/{id}/assist`.
        AgentRequest,
    }
}

crate::db::text_enum! {
    "snake_case":
    /// What came of a run.
    pub enum RunOutcome {
        /// Posted an answer the customer sees.
        Replied,
        /// Posted an answer as an internal note for agents.
        Drafted,
        /// Escalated the ticket instead of answering (see `outcome_detail`).
        Escalated,
        /// Did nothing: the assistant mode was off, or the ticket was already escalated.
        Skipped,
    }
}

/// One assistant run on a ticket: a job in the worker queue (leases, retries with backoff) and
/// what came of it.
#[derive(Debug, Object)]
pub struct AssistantRunOut {
    /// The run's (and its job's) id.
    pub id: JobId,
    /// The ticket it answers.
    pub ticket_id: TicketId,
    /// What queued it.
    pub trigger: RunTrigger,
    /// The customer's message that queued it.
    #[oai(skip_serializing_if_is_none)]
    pub trigger_message_id: Option<MessageId>,
    /// How it posts its answer; absent: as the tenant's assistant mode says when it runs.
    #[oai(skip_serializing_if_is_none)]
    pub post_as: Option<PostAs>,
    /// The agent who asked for it.
    #[oai(skip_serializing_if_is_none)]
    pub requested_by: Option<UserId>,
    /// `pending` (waiting, or to be retried at `next_attempt_at`), `running`, `completed`, or
    /// `failed` (out of attempts; the ticket was left as it was, see `error_log`).
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub next_attempt_at: Timestamp,
    /// One entry per failed attempt: `at`, `attempt`, `worker`, `error`.
    pub error_log: Value,
    /// What it did, once completed.
    #[oai(skip_serializing_if_is_none)]
    pub outcome: Option<RunOutcome>,
    /// The escalation rule, or why it was skipped.
    #[oai(skip_serializing_if_is_none)]
    pub outcome_detail: Option<String>,
    /// The query log entry of its answer (`GET /v1/query-logs`); absent once that entry is past
    /// its retention (`ASSISTANT_QUERY_LOG_RETENTION_DAYS`).
    #[oai(skip_serializing_if_is_none)]
    pub query_log_id: Option<QueryLogId>,
    /// The message it posted (the answer, or the internal note of an escalation).
    #[oai(skip_serializing_if_is_none)]
    pub message_id: Option<MessageId>,
    pub created_at: Timestamp,
    #[oai(skip_serializing_if_is_none)]
    pub finished_at: Option<Timestamp>,
}

impl AssistantRunOut {
    fn of(r: RunRow) -> ApiResult<Self> {
        // Text the enums do not know is an error naming the run and the value, never a default.
        let strict = |what: &str, v: &str| {
            ApiError::internal(anyhow::anyhow!(
                "assistant run {}: unknown {what} {v:?}",
                r.job_id
            ))
        };
        Ok(Self {
            id: r.job_id,
            ticket_id: r.ticket_id,
            trigger: RunTrigger::parse(&r.trigger).ok_or_else(|| strict("trigger", &r.trigger))?,
            trigger_message_id: r.trigger_message_id,
            post_as: r
                .post_as
                .as_deref()
                .map(|p| PostAs::parse(p).ok_or_else(|| strict("post_as", p)))
                .transpose()?,
            requested_by: r.requested_by,
            status: JobStatus::parse(&r.status).ok_or_else(|| strict("status", &r.status))?,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            next_attempt_at: r.next_attempt_at,
            error_log: r.error_log,
            outcome: r
                .outcome
                .as_deref()
                .map(|o| RunOutcome::parse(o).ok_or_else(|| strict("outcome", o)))
                .transpose()?,
            outcome_detail: r.outcome_detail,
            query_log_id: r.query_log_id,
            message_id: r.message_id,
            created_at: r.created_at,
            finished_at: r.finished_at,
        })
    }
}

/// One page of a ticket's assistant runs, oldest first.
pub type AssistantRunPage = crate::api::Page<AssistantRunOut>;

#[derive(ApiResponse)]
pub enum QueuedRun {
    /// Queued: a worker answers shortly; follow it in `…/assistant-runs`.
    #[oai(status = 202)]
    Accepted(Json<AssistantRunOut>),
}

#[OpenApi(prefix_path = "/v1/tickets", tag = "Tag::Tickets")]
impl TicketAssistApi {
    /// Ask the assistant to answer a ticket (agents and admins). Queues a run whatever the
    /// tenant's assistant mode (even `off`); a worker answers from the knowledge base the
    /// customer's latest message (or the ticket's title and description) and posts the answer as
    /// `post_as` says, unless an escalation rule fires, in which case the ticket moves to
    /// `escalated` and nothing reaches the customer. Internal notes are never part of the
    /// question. A run whose provider fails is retried, then marked `failed`; the ticket stays as
    /// it was.
    #[oai(path = "/:id/assist", method = "post", operation_id = "assist_ticket")]
    async fn assist(
        &self,
        state: Data<&AppState>,
        p: Tenant<Agent>,
        id: Path<TicketId>,
        body: JsonBody<Option<AssistIn>>,
    ) -> ApiResult<QueuedRun> {
        let post_as = body.0.and_then(|b| b.post_as).unwrap_or(PostAs::Draft);
        let run = p
            .tx(async |tx| {
                visible(tx, id.0).await?;
                let job = state
                    .assistant
                    .queue(tx, id.0, Trigger::AgentRequest(post_as))
                    .await?
                    .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no run queued")))?;
                repo::assistant_runs::get(tx, job).await?.ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!("queued run {job} not found"))
                })
            })
            .await?;
        Ok(QueuedRun::Accepted(Json(AssistantRunOut::of(run)?)))
    }

    /// A ticket's assistant runs, oldest first (agents and admins): what queued each, its
    /// attempts and errors, and what it did.
    #[oai(
        path = "/:id/assistant-runs",
        method = "get",
        operation_id = "list_ticket_assistant_runs"
    )]
    async fn runs(
        &self,
        p: Tenant<Agent>,
        id: Path<TicketId>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<AssistantRunPage>> {
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| {
                visible(tx, id.0).await?;
                repo::assistant_runs::for_ticket(tx, id.0, after, n)
                    .await?
                    .into_iter()
                    .map(AssistantRunOut::of)
                    .collect()
            },
            |r| r.id,
        )
        .await
    }
}
