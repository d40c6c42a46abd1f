//! Assistant runs on tickets: a job of kind `assistant` in the one job queue (leases, retries,
//! `SKIP LOCKED`; see `repo::knowledge` for the job functions every kind shares) and, beside it,
//! what the run is about and what came of it.

use serde_json::Value;
use tokio_postgres::Row;

use super::Timestamp;
use crate::{
    db::TenantTx,
    error::ApiResult,
    ids::{JobId, MessageId, QueryLogId, TicketId, UserId},
};

/// What queues a run.
pub struct NewRun<'a> {
    pub ticket_id: TicketId,
    /// `ticket_created`, `customer_message` or `agent_request`.
    pub trigger: &'a str,
    pub trigger_message_id: Option<MessageId>,
    /// `draft` or `reply`; `None`: as the tenant's mode says when the run happens, and only
    /// queued at all when that mode is not `off` now.
    pub post_as: Option<&'a str>,
    pub max_attempts: i32,
    /// The built-in default mode, for a tenant and platform that set none.
    pub default_mode: &'a str,
}

/// Queues a run in the caller's transaction (so it exists exactly when the ticket or message
/// that caused it does). A run without `post_as` is queued only when the tenant's assistant mode
/// is not `off`. Returns the job's id when one was queued.
pub async fn enqueue(tx: &TenantTx, r: &NewRun<'_>) -> ApiResult<Option<JobId>> {
    // No RETURNING from assistant_runs: a customer may queue a run but not read one.
    let row = tx
        .query_opt(
            "with mode as (
                 select coalesce((select assistant_mode from tenant_settings where tenant_id = $1),
                                 (select assistant_mode from platform_settings), $7) as m
             ), job as (
                 insert into jobs (tenant_id, kind, document_ids, max_attempts, created_by)
                 select $1, 'assistant', '{}', $6, $5 from mode where $8::text is not null or m <> 'off'
                 returning id
             ), run as (
                 insert into assistant_runs (tenant_id, job_id, ticket_id, trigger,
                                             trigger_message_id, post_as, requested_by)
                 select $1, job.id, $2, $3, $4, $8, $5 from job
             )
             select id from job",
            &[
                &tx.tenant_id(),
                &r.ticket_id,
                &r.trigger,
                &r.trigger_message_id,
                &tx.user_id(),
                &r.max_attempts,
                &r.default_mode,
                &r.post_as,
            ],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

#[derive(Debug, Clone)]
pub struct RunRow {
    pub job_id: JobId,
    pub ticket_id: TicketId,
    pub trigger: String,
    pub trigger_message_id: Option<MessageId>,
    pub post_as: Option<String>,
    pub requested_by: Option<UserId>,
    pub outcome: Option<String>,
    pub outcome_detail: Option<String>,
    pub query_log_id: Option<QueryLogId>,
    pub message_id: Option<MessageId>,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub next_attempt_at: Timestamp,
    pub error_log: Value,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

impl From<&Row> for RunRow {
    fn from(r: &Row) -> Self {
        Self {
            job_id: r.get("job_id"),
            ticket_id: r.get("ticket_id"),
            trigger: r.get("trigger"),
            trigger_message_id: r.get("trigger_message_id"),
            post_as: r.get("post_as"),
            requested_by: r.get("requested_by"),
            outcome: r.get("outcome"),
            outcome_detail: r.get("outcome_detail"),
            query_log_id: r.get("query_log_id"),
            message_id: r.get("message_id"),
            status: r.get("status"),
            attempts: r.get("attempts"),
            max_attempts: r.get("max_attempts"),
            next_attempt_at: r.get("next_attempt_at"),
            error_log: r.get("error_log"),
            created_at: r.get("created_at"),
            finished_at: r.get("finished_at"),
        }
    }
}

const RUN_COLUMNS: &str = "r.job_id, r.ticket_id, r.trigger, r.trigger_message_id, r.post_as,
    r.requested_by, r.outcome, r.outcome_detail, r.query_log_id, r.message_id, j.status,
    j.attempts, j.max_attempts, j.next_attempt_at, j.error_log, j.created_at, j.finished_at";

pub async fn get(tx: &TenantTx, job: JobId) -> ApiResult<Option<RunRow>> {
    let sql = format!(
        "select {RUN_COLUMNS} from assistant_runs r
           join jobs j on j.tenant_id = r.tenant_id and j.id = r.job_id
          where r.tenant_id = $1 and r.job_id = $2"
    );
    Ok(tx
        .query_opt(&sql, &[&tx.tenant_id(), &job])
        .await?
        .as_ref()
        .map(RunRow::from))
}

/// A ticket's runs, oldest first.
pub async fn for_ticket(
    tx: &TenantTx,
    ticket: TicketId,
    after: Option<JobId>,
    limit: i64,
) -> ApiResult<Vec<RunRow>> {
    let sql = format!(
        "select {RUN_COLUMNS} from assistant_runs r
           join jobs j on j.tenant_id = r.tenant_id and j.id = r.job_id
          where r.tenant_id = $1 and r.ticket_id = $2 and ($3::uuid is null or r.job_id > $3)
          order by r.job_id limit $4"
    );
    let rows = tx
        .query(&sql, &[&tx.tenant_id(), &ticket, &after, &limit])
        .await?;
    Ok(rows.iter().map(RunRow::from).collect())
}

/// What came of a run.
pub struct Outcome<'a> {
    /// `replied`, `drafted`, `escalated` or `skipped`.
    pub outcome: &'a str,
    pub detail: Option<&'a str>,
    pub query_log_id: Option<QueryLogId>,
    pub message_id: Option<MessageId>,
}

pub async fn record_outcome(tx: &TenantTx, job: JobId, o: &Outcome<'_>) -> ApiResult<()> {
    tx.execute(
        "update assistant_runs set outcome = $3, outcome_detail = $4, query_log_id = $5, message_id = $6
          where tenant_id = $1 and job_id = $2",
        &[
            &tx.tenant_id(),
            &job,
            &o.outcome,
            &o.detail,
            &o.query_log_id,
            &o.message_id,
        ],
    )
    .await?;
    Ok(())
}

/// What the customer asked, as a run reads it: the given message, or (none given) their latest
/// message on the ticket. Never an internal note.
pub async fn customer_text(
    tx: &TenantTx,
    ticket: TicketId,
    message: Option<MessageId>,
) -> ApiResult<Option<String>> {
    Ok(tx
        .query_opt(
            "select content from ticket_messages
              where tenant_id = $1 and ticket_id = $2 and not is_internal and role = 'user'
                and ($3::uuid is null or id = $3)
              order by id desc limit 1",
            &[&tx.tenant_id(), &ticket, &message],
        )
        .await?
        .map(|r| r.get(0)))
}
