//! The assistant on tickets. A new ticket and each new customer message queue a run (a job of
//! kind `assistant`) in the transaction that wrote them, when the tenant's mode is not `off`;
//! agents queue one with `POST /v1/tickets/{id}/assist`. Nothing runs inside those requests: a
//! worker claims the job and
//!
//! 1. reads the run, the ticket, the customer's words (never an internal note) and the settings;
//! 2. answers (`Assistant::answer`), outside any transaction; a provider that fails fails the
//!    attempt, which is retried with backoff and in the end marked failed, and the ticket is
//!    left exactly as it was;
//! 3. in one transaction, if its lease still holds: logs the answer and either escalates (the
//!    ticket moves to `escalated` through the status machine, with a history entry naming the
//!    rule and an internal system note; nothing reaches the customer) or posts the answer as an
//!    internal note (`draft`) or a customer-visible assistant message (`reply`).

use anyhow::anyhow;
use serde_json::json;

use super::{Answer, Assistant, escalation::Escalation, settings::AssistantMode};
use crate::{
    db::{Scope, TenantTx},
    error::{ApiError, ApiResult},
    ids::{JobId, MessageId, QueryLogId, TenantId, TicketId},
    knowledge::Language,
    repo::{
        self,
        assistant_runs::{NewRun, Outcome, RunRow},
        tickets::{NewMessage, TicketRow},
    },
    search::Filters,
    tickets::{MessageRole, TicketStatus},
};

crate::db::text_enum! {
    "snake_case":
    /// How a run posts its answer.
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum PostAs {
        /// An internal note for agents.
        Draft,
        /// A message the customer sees.
        Reply,
    }
}

/// What queued a run.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    TicketCreated,
    /// A customer's message (its id).
    CustomerMessage(MessageId),
    AgentRequest(PostAs),
}

impl Assistant {
    /// Queues a run on `ticket` in the caller's transaction. Automatic triggers queue only when
    /// the tenant's mode is not `off`; returns the run's (job's) id when one was queued.
    pub async fn queue(
        &self,
        tx: &TenantTx,
        ticket: TicketId,
        trigger: Trigger,
    ) -> ApiResult<Option<JobId>> {
        let (name, message, post_as) = match trigger {
            Trigger::TicketCreated => ("ticket_created", None, None),
            Trigger::CustomerMessage(m) => ("customer_message", Some(m), None),
            Trigger::AgentRequest(p) => ("agent_request", None, Some(p.as_str())),
        };
        repo::assistant_runs::enqueue(
            tx,
            &NewRun {
                ticket_id: ticket,
                trigger: name,
                trigger_message_id: message,
                post_as,
                max_attempts: self.config.run_attempts,
                default_mode: super::settings::DEFAULT_MODE.as_str(),
            },
        )
        .await
    }

    /// Works an assistant job this worker holds; `Ok(false)` when the lease was lost.
    pub async fn run_job(&self, tenant: TenantId, job: JobId, worker: &str) -> ApiResult<bool> {
        let scope = Scope::worker(tenant);
        let prepared = self
            .db
            .tenant(&scope, async |tx| {
                if repo::knowledge::leased_job(tx, job, worker)
                    .await?
                    .is_none()
                {
                    return Ok(None);
                }
                let run = repo::assistant_runs::get(tx, job)
                    .await?
                    .ok_or_else(|| ApiError::internal(anyhow!("assistant job {job} has no run")))?;
                let ticket = repo::tickets::get(tx, run.ticket_id)
                    .await?
                    .ok_or_else(|| ApiError::internal(anyhow!("run {job}: no ticket")))?;
                let customer = match run.trigger.as_str() {
                    "ticket_created" => None,
                    _ => {
                        repo::assistant_runs::customer_text(tx, ticket.id, run.trigger_message_id)
                            .await?
                    }
                };
                let layers = repo::settings::layers(tx).await?;
                Ok(Some((run, ticket, customer, layers)))
            })
            .await?;
        let Some((run, ticket, customer, (platform, own))) = prepared else {
            return Ok(false);
        };
        let settings = self.resolve(tenant, &platform, own.as_ref())?;
        let post_as = match (run.post_as.as_deref(), settings.mode) {
            (Some(p), _) => Some(PostAs::parse(p).ok_or_else(|| {
                ApiError::internal(anyhow!("assistant run {job}: unknown post_as {p:?}"))
            })?),
            (None, AssistantMode::Off) => None,
            (None, AssistantMode::Draft) => Some(PostAs::Draft),
            (None, AssistantMode::Reply) => Some(PostAs::Reply),
        };
        let skip = match (post_as, ticket.status) {
            (None, _) => Some("the assistant mode is off"),
            (_, TicketStatus::Escalated) => Some("the ticket is escalated: a person handles it"),
            _ => None,
        };
        if let Some(why) = skip {
            return self
                .finish(tenant, job, worker, async |_| {
                    Ok(Outcome {
                        outcome: "skipped",
                        detail: Some(why),
                        query_log_id: None,
                        message_id: None,
                    })
                })
                .await;
        }
        let post_as = post_as.unwrap_or(PostAs::Draft);
        let question = question(&ticket, customer.as_deref(), &run);
        let answer = self
            .answer(&scope, &settings, &question, Filters::default(), None)
            .await?;
        self.finish(tenant, job, worker, async |tx| {
            let log_id = super::log(tx, &answer, "ticket", Some(ticket.id)).await?;
            let current = repo::tickets::get_for_update(tx, ticket.id)
                .await?
                .ok_or_else(|| ApiError::internal(anyhow!("run {job}: no ticket")))?;
            match &answer.escalation {
                Some(e) => escalate(tx, &current, e, &answer, job, log_id).await,
                None => post(tx, &current, &answer, post_as, job, log_id).await,
            }
        })
        .await
    }

    /// In one transaction, if the lease still holds: does `work` (which returns the outcome),
    /// records the outcome and completes the job. `Ok(false)` when the lease was lost.
    async fn finish(
        &self,
        tenant: TenantId,
        job: JobId,
        worker: &str,
        work: impl AsyncFnOnce(&TenantTx) -> ApiResult<Outcome<'static>>,
    ) -> ApiResult<bool> {
        let scope = Scope::worker(tenant);
        self.db
            .tenant(&scope, async |tx| {
                if repo::knowledge::leased_job(tx, job, worker)
                    .await?
                    .is_none()
                {
                    return Ok(false);
                }
                let outcome = work(&*tx).await?;
                repo::assistant_runs::record_outcome(tx, job, &outcome).await?;
                repo::knowledge::job_completed(tx, job, worker).await
            })
            .await
    }
}

/// What the run answers: the customer's message that triggered it (or, for an agent's request,
/// their latest), else the ticket's title and description. Internal notes are never read.
fn question(t: &TicketRow, customer: Option<&str>, run: &RunRow) -> String {
    match customer {
        Some(m) if run.trigger != "ticket_created" => m.to_string(),
        _ if t.description.trim().is_empty() => t.title.clone(),
        _ => format!("{}\n\n{}", t.title, t.description),
    }
}

/// The answer with its sources listed under it, as a message shows it.
fn with_sources(a: &Answer) -> String {
    if a.sources.is_empty() {
        return a.text.clone();
    }
    let mut out = format!("{}\n\nSources:", a.text);
    for s in &a.sources {
        out.push_str(&format!("\n[{}] {}", s.n, s.title));
        if let Some(url) = &s.source_url {
            out.push_str(&format!(" — {url}"));
        }
    }
    out
}

async fn post(
    tx: &TenantTx,
    t: &TicketRow,
    a: &Answer,
    post_as: PostAs,
    job: JobId,
    log_id: QueryLogId,
) -> ApiResult<Outcome<'static>> {
    let metadata = json!({"assistant": {
        "run_id": job, "query_log_id": log_id, "sources": a.sources,
    }});
    let content = with_sources(a);
    let m = repo::tickets::add_message(
        tx,
        t.id,
        &NewMessage {
            role: MessageRole::Assistant,
            author_id: None,
            content: &content,
            is_internal: post_as == PostAs::Draft,
            metadata: &metadata,
            language: Language::detect(&content),
        },
    )
    .await?;
    Ok(Outcome {
        outcome: match post_as {
            PostAs::Draft => "drafted",
            PostAs::Reply => "replied",
        },
        detail: None,
        query_log_id: Some(log_id),
        message_id: Some(m.id),
    })
}

async fn escalate(
    tx: &TenantTx,
    t: &TicketRow,
    e: &Escalation,
    a: &Answer,
    job: JobId,
    log_id: QueryLogId,
) -> ApiResult<Outcome<'static>> {
    let from = t.status;
    let moved = from.next().contains(&TicketStatus::Escalated);
    let reason = format!("assistant escalation ({}): {}", e.rule.as_str(), e.reason);
    if moved {
        repo::tickets::set_status(tx, t.id, from, TicketStatus::Escalated, None, Some(&reason))
            .await?;
    }
    let mut note = if moved {
        format!(
            "The assistant escalated this ticket. Rule: {}. {}.",
            e.rule.as_str(),
            e.reason
        )
    } else {
        format!(
            "The assistant would escalate this ticket (rule: {}; {}), but a {} ticket cannot move to escalated.",
            e.rule.as_str(),
            e.reason,
            from.as_str()
        )
    };
    if !a.sources.is_empty() {
        note.push_str("\n\nSuggested answer, not sent to the customer:\n");
        note.push_str(&with_sources(a));
    }
    let metadata = json!({"assistant": {
        "run_id": job, "query_log_id": log_id, "escalation_rule": e.rule.as_str(),
    }});
    let m = repo::tickets::add_message(
        tx,
        t.id,
        &NewMessage {
            role: MessageRole::System,
            author_id: None,
            content: &note,
            is_internal: true,
            metadata: &metadata,
            language: Language::detect(&note),
        },
    )
    .await?;
    Ok(Outcome {
        outcome: "escalated",
        detail: Some(if moved {
            e.rule.as_str()
        } else {
            "status unchanged: the ticket cannot move to escalated"
        }),
        query_log_id: Some(log_id),
        message_id: Some(m.id),
    })
}
