//! Jobs: the one queue of background work (ingestion, assistant runs), and ingestion's own.
//! The lease functions (`leased_job`, `job_progress`, `job_completed`, `job_failed`) serve every
//! kind.

use serde_json::Value;
use tokio_postgres::Row;

use crate::{
    db::TenantTx,
    error::{ApiError, ApiResult},
    ids::{DocumentId, JobId},
    ingestion::JobKind,
    knowledge::JobStatus,
    repo::{Timestamp, column},
};

#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: JobId,
    pub kind: JobKind,
    pub status: JobStatus,
    pub document_ids: Vec<DocumentId>,
    pub done_ids: Vec<DocumentId>,
    pub documents_processed: i32,
    pub documents_failed: i32,
    pub attempts: i32,
    pub max_attempts: i32,
    pub next_attempt_at: Timestamp,
    pub locked_until: Option<Timestamp>,
    pub locked_by: Option<String>,
    pub error_log: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

impl TryFrom<&Row> for JobRow {
    type Error = ApiError;

    fn try_from(r: &Row) -> ApiResult<Self> {
        Ok(Self {
            id: r.get("id"),
            kind: column(r, "kind")?,
            status: column(r, "status")?,
            document_ids: r.get("document_ids"),
            done_ids: r.get("done_ids"),
            documents_processed: r.get("documents_processed"),
            documents_failed: r.get("documents_failed"),
            attempts: r.get("attempts"),
            max_attempts: r.get("max_attempts"),
            next_attempt_at: r.get("next_attempt_at"),
            locked_until: r.get("locked_until"),
            locked_by: r.get("locked_by"),
            error_log: r.get("error_log"),
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
            started_at: r.get("started_at"),
            finished_at: r.get("finished_at"),
        })
    }
}

const JOB_COLUMNS: &str = "id, kind, status, document_ids, done_ids, documents_processed,
    documents_failed, attempts, max_attempts, next_attempt_at, locked_until, locked_by, error_log,
    created_at, updated_at, started_at, finished_at";

pub async fn create_job(tx: &TenantTx, document_ids: &[DocumentId]) -> ApiResult<JobRow> {
    let sql = format!(
        "insert into jobs (tenant_id, document_ids, created_by) values ($1, $2, $3)
         returning {JOB_COLUMNS}"
    );
    let row = tx
        .query_one(&sql, &[&tx.tenant_id(), &document_ids, &tx.user_id()])
        .await?;
    JobRow::try_from(&row)
}

pub async fn get_job(tx: &TenantTx, id: JobId) -> ApiResult<Option<JobRow>> {
    let sql = format!("select {JOB_COLUMNS} from jobs where tenant_id = $1 and id = $2");
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(JobRow::try_from)
        .transpose()
}

/// Ingestion jobs, newest first.
pub async fn list_jobs(
    tx: &TenantTx,
    status: Option<JobStatus>,
    before: Option<JobId>,
    limit: i64,
) -> ApiResult<Vec<JobRow>> {
    let sql = format!(
        "select {JOB_COLUMNS} from jobs
          where tenant_id = $1 and kind = 'ingestion' and ($2::uuid is null or id < $2)
            and ($3::text is null or status = $3)
          order by id desc limit $4"
    );
    let rows = tx
        .query(&sql, &[&tx.tenant_id(), &before, &status, &limit])
        .await?;
    rows.iter().map(JobRow::try_from).collect()
}

/// The job, if `worker` still holds its lease.
pub async fn leased_job(tx: &TenantTx, id: JobId, worker: &str) -> ApiResult<Option<JobRow>> {
    let sql = format!(
        "select {JOB_COLUMNS} from jobs
          where tenant_id = $1 and id = $2 and status = 'running' and locked_by = $3 for update"
    );
    tx.query_opt(&sql, &[&tx.tenant_id(), &id, &worker])
        .await?
        .as_ref()
        .map(JobRow::try_from)
        .transpose()
}

/// Records one finished document and renews the lease. False: the lease is no longer ours.
pub async fn job_progress(
    tx: &TenantTx,
    id: JobId,
    worker: &str,
    document_id: DocumentId,
    lease_secs: f64,
) -> ApiResult<bool> {
    let n = tx
        .execute(
            "update jobs
                set done_ids = array_append(done_ids, $4), documents_processed = documents_processed + 1,
                    locked_until = now() + make_interval(secs => $5), updated_at = now()
              where tenant_id = $1 and id = $2 and status = 'running' and locked_by = $3
                and not ($4 = any(done_ids))",
            &[&tx.tenant_id(), &id, &worker, &document_id, &lease_secs],
        )
        .await?;
    Ok(n > 0)
}

pub async fn job_completed(tx: &TenantTx, id: JobId, worker: &str) -> ApiResult<bool> {
    let n = tx
        .execute(
            "update jobs
                set status = 'completed', finished_at = now(), updated_at = now(),
                    locked_by = null, locked_until = null
              where tenant_id = $1 and id = $2 and status = 'running' and locked_by = $3",
            &[&tx.tenant_id(), &id, &worker],
        )
        .await?;
    Ok(n > 0)
}

/// Records an error; the job is retried after `retry_secs`, or fails when out of attempts (the
/// documents not yet done count as failed).
pub async fn job_failed(
    tx: &TenantTx,
    id: JobId,
    worker: &str,
    error: &str,
    retry_secs: f64,
) -> ApiResult<bool> {
    let n = tx
        .execute(
            "update jobs
                set status = case when attempts >= max_attempts then 'failed' else 'pending' end,
                    documents_failed = case when attempts >= max_attempts
                        then cardinality(document_ids) - documents_processed else 0 end,
                    finished_at = case when attempts >= max_attempts then now() end,
                    next_attempt_at = now() + make_interval(secs => $4),
                    error_log = error_log || jsonb_build_array(jsonb_build_object(
                        'at', now(), 'attempt', attempts, 'worker', $3::text, 'error', $5::text)),
                    locked_by = null, locked_until = null, updated_at = now()
              where tenant_id = $1 and id = $2 and status = 'running' and locked_by = $3",
            &[&tx.tenant_id(), &id, &worker, &retry_secs, &error],
        )
        .await?;
    Ok(n > 0)
}

/// The content to chunk for a live document: (current version, normalized text).
pub async fn content_to_ingest(tx: &TenantTx, id: DocumentId) -> ApiResult<Option<(i32, String)>> {
    Ok(tx
        .query_opt(
            "select d.current_version, v.content from kb_documents d
               join kb_document_versions v
                 on v.tenant_id = d.tenant_id and v.document_id = d.id and v.version = d.current_version
              where d.tenant_id = $1 and d.id = $2 and d.deleted_at is null",
            &[&tx.tenant_id(), &id],
        )
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

/// The tenant's live documents whose current version has no chunk of `model` yet (oldest
/// first): what re-embedding with `model` has left to do.
pub async fn documents_without_model(tx: &TenantTx, model: &str) -> ApiResult<Vec<DocumentId>> {
    Ok(tx
        .query(
            "select d.id from kb_documents d
              where d.tenant_id = $1 and d.deleted_at is null
                and not exists (select 1 from kb_chunks c
                                 where c.tenant_id = d.tenant_id and c.document_id = d.id
                                   and c.version = d.current_version and c.model = $2)
              order by d.id",
            &[&tx.tenant_id(), &model],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}
