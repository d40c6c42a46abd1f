//! Ingestion jobs of the caller's tenant: the chunking and embedding of documents, done by the
//! worker in the background. Agents and admins read them.

use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use serde_json::Value;

use crate::{
    api::{
        Tag,
        cursor::{Cursor, Limit},
    },
    auth::{Agent, Tenant},
    error::{ApiError, ApiResult},
    ids::{DocumentId, JobId},
    ingestion::JobKind,
    knowledge::JobStatus,
    repo::{self, Timestamp, knowledge::JobRow},
};

pub struct IngestionApi;

/// An ingestion job.
#[derive(Debug, Object)]
pub struct JobOut {
    pub id: JobId,
    pub status: JobStatus,
    /// The documents it indexes.
    pub document_ids: Vec<DocumentId>,
    pub documents_total: i32,
    pub documents_processed: i32,
    /// Documents left undone when the job failed for good.
    pub documents_failed: i32,
    pub attempts: i32,
    pub max_attempts: i32,
    pub next_attempt_at: Timestamp,
    #[oai(skip_serializing_if_is_none)]
    pub locked_until: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub locked_by: Option<String>,
    /// One entry per failed attempt: `at`, `attempt`, `worker`, `error`.
    pub error_log: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[oai(skip_serializing_if_is_none)]
    pub started_at: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub finished_at: Option<Timestamp>,
}

impl From<JobRow> for JobOut {
    fn from(j: JobRow) -> Self {
        Self {
            id: j.id,
            status: j.status,
            documents_total: j.document_ids.len() as i32,
            document_ids: j.document_ids,
            documents_processed: j.documents_processed,
            documents_failed: j.documents_failed,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            next_attempt_at: j.next_attempt_at,
            locked_until: j.locked_until,
            locked_by: j.locked_by,
            error_log: j.error_log,
            created_at: j.created_at,
            updated_at: j.updated_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
        }
    }
}

/// One page of ingestion jobs, newest first.
pub type JobPage = crate::api::Page<JobOut>;

#[OpenApi(prefix_path = "/v1/ingestion-jobs", tag = "Tag::Knowledge")]
impl IngestionApi {
    /// List ingestion jobs, newest first (agents and admins).
    #[oai(path = "/", method = "get", operation_id = "list_ingestion_jobs")]
    async fn list(
        &self,
        p: Tenant<Agent>,
        /// Only jobs in this state.
        status: Query<Option<JobStatus>>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<JobPage>> {
        let status = status.0;
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, before, n| repo::knowledge::list_jobs(tx, status, before, n).await,
            |r| r.id,
        )
        .await
    }

    /// Get one ingestion job (agents and admins).
    #[oai(path = "/:id", method = "get", operation_id = "get_ingestion_job")]
    async fn get(&self, p: Tenant<Agent>, id: Path<JobId>) -> ApiResult<Json<JobOut>> {
        p.read(async |tx| repo::knowledge::get_job(tx, id.0).await)
            .await?
            .filter(|j| j.kind == JobKind::Ingestion)
            .map(|j| Json(j.into()))
            .ok_or_else(|| ApiError::not_found("ingestion job"))
    }
}
