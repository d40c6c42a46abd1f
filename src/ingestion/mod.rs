//! The ingestion worker: claims due jobs of any tenant (through the definer function
//! `kb_claim_ingestion_job`, which returns only the tenant and job id), then does the work in a
//! tenant transaction for that tenant: chunk each document's current version, embed the chunks,
//! replace the document's chunks. Every finished document is recorded together with its chunks
//! and renews the lease, so a worker that dies loses at most the document it was working on; when
//! its lease runs out another worker claims the job and carries on with the rest.

pub mod normalize;

use std::{sync::Arc, time::Duration};

use uuid::Uuid;

use crate::{
    db::{Db, Role, Scope, statement},
    embeddings::{Chunker, Embedder},
    error::{ApiError, ApiResult},
    repo::knowledge::{self as repo, NewChunk},
};

#[derive(Clone)]
pub struct Worker {
    pub db: Db,
    pub embedder: Arc<dyn Embedder>,
    pub chunker: Arc<Chunker>,
    /// Identifies this worker in leases and error logs.
    pub id: String,
    pub lease: Duration,
    pub poll: Duration,
    /// Only this tenant's jobs (a dedicated worker); `None`: every tenant's.
    pub tenant: Option<Uuid>,
}

/// What one claim did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No job was due.
    Idle,
    Completed(Uuid),
    /// Failed this attempt; retried later unless out of attempts.
    Failed(Uuid),
    /// Another worker took the job over (our lease had expired).
    LostLease(Uuid),
}

impl Worker {
    pub fn new(
        db: Db,
        embedder: Arc<dyn Embedder>,
        chunker: Arc<Chunker>,
        lease: Duration,
        poll: Duration,
    ) -> Self {
        Self {
            db,
            embedder,
            chunker,
            id: format!("worker-{}", Uuid::new_v4().simple()),
            lease,
            poll,
            tenant: None,
        }
    }

    /// Claims one due job (pending, or running under an expired lease).
    pub async fn claim(&self) -> ApiResult<Option<(Uuid, Uuid)>> {
        let conn = self.db.pool().get().await?;
        let lease = self.lease.as_secs().max(1) as i32;
        let sql = "select tenant_id, job_id from kb_claim_ingestion_job($1, $2, $3)";
        let row = statement::query_opt(&conn, sql, &[&self.id, &lease, &self.tenant]).await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Claims and processes one job.
    pub async fn run_once(&self) -> ApiResult<Outcome> {
        let Some((tenant, job)) = self.claim().await? else {
            return Ok(Outcome::Idle);
        };
        Ok(self.process(tenant, job).await)
    }

    /// Processes jobs until `shutdown` resolves; sleeps `poll` when idle. Shutdown is looked at
    /// before every claim and while a job runs: a job cut short keeps its lease, and another
    /// worker carries on with its remaining documents once the lease runs out.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tracing::info!(worker = %self.id, "ingestion worker started");
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let claimed = tokio::select! {
                biased;
                _ = &mut shutdown => break,
                claimed = self.claim() => claimed,
            };
            match claimed {
                Ok(Some((tenant, job))) => {
                    let outcome = tokio::select! {
                        biased;
                        _ = &mut shutdown => {
                            tracing::info!(worker = %self.id, %job, "stopping mid-job; the job is left to its lease");
                            break;
                        }
                        outcome = self.process(tenant, job) => outcome,
                    };
                    tracing::info!(worker = %self.id, ?outcome, "ingestion job");
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(worker = %self.id, error = %e, "claiming an ingestion job failed");
                }
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
        tracing::info!(worker = %self.id, "ingestion worker stopped");
    }

    fn scope(tenant: Uuid) -> Scope {
        Scope {
            tenant_id: tenant,
            user_id: None,
            role: Role::Agent,
            token: None,
            api_key_id: None,
            audit: None,
        }
    }

    /// Works a job this worker holds.
    pub async fn process(&self, tenant: Uuid, job: Uuid) -> Outcome {
        match self.work(tenant, job).await {
            Ok(true) => Outcome::Completed(job),
            Ok(false) => Outcome::LostLease(job),
            Err(e) => {
                tracing::warn!(worker = %self.id, %job, error = %e, "ingestion attempt failed");
                let detail = match &e.source {
                    Some(src) => format!("{src:#}"),
                    None => e.detail.clone(),
                };
                let scope = Self::scope(tenant);
                let recorded = self
                    .db
                    .tenant(&scope, async |tx| {
                        let attempts = repo::get_job(tx, job).await?.map_or(1, |j| j.attempts);
                        let backoff = 2f64.powi(attempts.clamp(0, 10)).min(300.0);
                        repo::job_failed(tx, job, &self.id, &detail, backoff).await
                    })
                    .await;
                match recorded {
                    Ok(true) => Outcome::Failed(job),
                    Ok(false) => Outcome::LostLease(job),
                    Err(e) => {
                        tracing::error!(worker = %self.id, %job, error = %e, "recording a failed attempt");
                        Outcome::Failed(job)
                    }
                }
            }
        }
    }

    /// Ok(false) when the lease was lost.
    async fn work(&self, tenant: Uuid, job: Uuid) -> ApiResult<bool> {
        let scope = Self::scope(tenant);
        let lease_secs = self.lease.as_secs_f64();
        let Some(row) = self
            .db
            .tenant(&scope, async |tx| repo::leased_job(tx, job, &self.id).await)
            .await?
        else {
            return Ok(false);
        };
        for doc in row
            .document_ids
            .iter()
            .filter(|d| !row.done_ids.contains(d))
        {
            let content = self
                .db
                .tenant(&scope, async |tx| repo::content_to_ingest(tx, *doc).await)
                .await?;
            // A document deleted since the job was queued has nothing to index.
            let chunks = match &content {
                Some((_, text)) => self.chunker.chunk(text).map_err(ApiError::internal)?,
                None => Vec::new(),
            };
            let texts: Vec<String> = chunks.iter().map(|c| c.content.clone()).collect();
            let vectors = if texts.is_empty() {
                Vec::new()
            } else {
                self.embedder
                    .embed(&texts)
                    .await
                    .map_err(ApiError::internal)?
            };
            let model = self.embedder.model().to_string();
            let still_ours = self
                .db
                .tenant(&scope, async |tx| {
                    if !repo::job_progress(tx, job, &self.id, *doc, lease_secs).await? {
                        return Ok(false);
                    }
                    if let Some((version, _)) = &content {
                        let new: Vec<NewChunk> = chunks
                            .iter()
                            .zip(vectors)
                            .map(|(c, v)| NewChunk {
                                index: c.index,
                                content: &c.content,
                                token_count: c.token_count,
                                hash: &c.sha256,
                                embedding: pgvector::Vector::from(v),
                            })
                            .collect();
                        repo::replace_chunks(tx, *doc, *version, &model, &new).await?;
                    }
                    Ok(true)
                })
                .await?;
            if !still_ours {
                return Ok(false);
            }
        }
        self.db
            .tenant(&scope, async |tx| {
                repo::job_completed(tx, job, &self.id).await
            })
            .await
    }
}
