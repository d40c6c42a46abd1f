//! The worker: claims due jobs of any tenant (through the definer function `claim_job`, which
//! returns only the tenant, the job id and its kind), then does the work in tenant transactions
//! for that tenant. An ingestion job chunks each document's current version, embeds the chunks and
//! replaces the document's chunks; an assistant job answers a ticket (`crate::assistant::tickets`).
//! Failures of either kind are retried with backoff, the same way. Every finished document is
//! recorded together with its chunks and renews the lease, so a worker that dies loses at most the
//! documents it had embedded and not yet written (two groups, see [`EMBED_BATCH_CHUNKS`]); when its
//! lease runs out another worker claims the job and carries on with the rest.

pub mod normalize;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use uuid::Uuid;

use crate::{
    assistant::Assistant,
    db::{Db, Scope, unscoped},
    embeddings::{Chunk, Chunker, Embedder, TextKind},
    error::{ApiError, ApiResult},
    ids::{DocumentId, JobId, TenantId},
    repo::knowledge::{self as repo, NewChunk},
};

#[derive(Clone)]
pub struct Worker {
    pub db: Db,
    pub embedder: Arc<dyn Embedder>,
    pub chunker: Arc<Chunker>,
    pub assistant: Arc<Assistant>,
    /// Identifies this worker in leases and error logs.
    pub id: String,
    pub lease: Duration,
    pub poll: Duration,
    /// Only this tenant's jobs (a dedicated worker); `None`: every tenant's.
    pub tenant: Option<TenantId>,
    /// Chunks embedded in one call (`WORKER_BATCH_CHUNKS`, [`EMBED_BATCH_CHUNKS`] by default).
    pub batch_chunks: usize,
}

/// What one claim did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No job was due.
    Idle,
    Completed(JobId),
    /// Failed this attempt; retried later unless out of attempts.
    Failed(JobId),
    /// Another worker took the job over (our lease had expired).
    LostLease(JobId),
}

/// What a job does (`jobs.kind`); an unknown kind is an error, and the job is left to its lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum JobKind {
    Ingestion,
    Assistant,
}

crate::db::text_enum!(JobKind);

impl Worker {
    pub fn new(
        db: Db,
        embedder: Arc<dyn Embedder>,
        chunker: Arc<Chunker>,
        assistant: Arc<Assistant>,
        lease: Duration,
        poll: Duration,
    ) -> Self {
        Self {
            db,
            embedder,
            chunker,
            assistant,
            id: format!("worker-{}", Uuid::new_v4().simple()),
            lease,
            poll,
            tenant: None,
            batch_chunks: EMBED_BATCH_CHUNKS,
        }
    }

    /// Claims one due job (pending, or running under an expired lease): tenant, job, kind.
    pub async fn claim(&self) -> ApiResult<Option<(TenantId, JobId, JobKind)>> {
        let lease = self.lease.as_secs().max(1) as i32;
        unscoped::claim_job(&self.db, &self.id, lease, self.tenant).await
    }

    /// Claims and processes one job.
    pub async fn run_once(&self) -> ApiResult<Outcome> {
        let Some((tenant, job, kind)) = self.claim().await? else {
            return Ok(Outcome::Idle);
        };
        Ok(self.process(tenant, job, kind).await)
    }

    /// Processes jobs until `shutdown` resolves; sleeps `poll` when idle. Shutdown is looked at
    /// before every claim and while a job runs: a job cut short keeps its lease, and another
    /// worker carries on with its remaining documents once the lease runs out.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tracing::info!(worker = %self.id, "worker started");
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let claimed = tokio::select! {
                biased;
                _ = &mut shutdown => break,
                claimed = self.claim() => claimed,
            };
            match claimed {
                Ok(Some((tenant, job, kind))) => {
                    let outcome = tokio::select! {
                        biased;
                        _ = &mut shutdown => {
                            tracing::info!(worker = %self.id, %job, "stopping mid-job; the job is left to its lease");
                            break;
                        }
                        outcome = self.process(tenant, job, kind) => outcome,
                    };
                    tracing::info!(worker = %self.id, ?outcome, ?kind, "job");
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(worker = %self.id, error = %e, "claiming a job failed");
                }
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }

    /// Works a job this worker holds.
    pub async fn process(&self, tenant: TenantId, job: JobId, kind: JobKind) -> Outcome {
        let worked = match kind {
            JobKind::Ingestion => self.work(tenant, job).await,
            JobKind::Assistant => self.assistant.run_job(tenant, job, &self.id).await,
        };
        match worked {
            Ok(true) => Outcome::Completed(job),
            Ok(false) => Outcome::LostLease(job),
            Err(e) => {
                tracing::warn!(worker = %self.id, %job, ?kind, error = %e, "job attempt failed");
                let detail = match &e.source {
                    Some(src) => format!("{src:#}"),
                    None => e.detail.clone(),
                };
                let scope = Scope::worker(tenant);
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
    ///
    /// The job's documents go in groups of about `batch_chunks` chunks: each group is
    /// embedded in one call (full forward passes instead of one small one per document) while
    /// the group before it is written to the database, so neither the embedding threads nor
    /// PostgreSQL wait for the other. Each document is still recorded with its chunks in its own
    /// transaction.
    async fn work(&self, tenant: TenantId, job: JobId) -> ApiResult<bool> {
        let scope = Scope::worker(tenant);
        let Some(row) = self
            .db
            .tenant(&scope, async |tx| repo::leased_job(tx, job, &self.id).await)
            .await?
        else {
            return Ok(false);
        };
        let mut docs = row
            .document_ids
            .iter()
            .filter(|d| !row.done_ids.contains(d))
            .copied();
        let mut ready: Option<Vec<Prepared>> = None;
        loop {
            let written = ready.take();
            let write = async {
                match written {
                    Some(group) => self.write(&scope, Some(job), group).await,
                    None => Ok(true),
                }
            };
            let (still_ours, next) = tokio::join!(write, self.prepare(&scope, &mut docs));
            if !still_ours? {
                return Ok(false);
            }
            match next? {
                Some(group) => ready = Some(group),
                None => break,
            }
        }
        self.db
            .tenant(&scope, async |tx| {
                repo::job_completed(tx, job, &self.id).await
            })
            .await
    }

    /// The next documents of `docs`, read, chunked and embedded, until they make `batch_chunks`
    /// chunks or `docs` ends; `None` when it had none left.
    async fn prepare(
        &self,
        scope: &Scope,
        docs: &mut impl Iterator<Item = DocumentId>,
    ) -> ApiResult<Option<Vec<Prepared>>> {
        let started = Instant::now();
        let mut group = Vec::new();
        let mut chunks = 0;
        while chunks < self.batch_chunks.max(1) {
            let Some(doc) = docs.next() else { break };
            let content = self
                .db
                .tenant(scope, async |tx| repo::content_to_ingest(tx, doc).await)
                .await?;
            // A document deleted since the job was queued has nothing to index. Tokenizing is
            // CPU work: off the async threads.
            let content = match content {
                Some((version, text)) => {
                    let chunker = self.chunker.clone();
                    let chunked = tokio::task::spawn_blocking(move || chunker.chunk(&text))
                        .await
                        .map_err(ApiError::internal)?
                        .map_err(ApiError::internal)?;
                    chunks += chunked.len();
                    Some((version, chunked))
                }
                None => None,
            };
            group.push(Prepared {
                doc,
                content,
                vectors: Vec::new(),
            });
        }
        if group.is_empty() {
            return Ok(None);
        }
        let read = started.elapsed();
        let texts: Vec<String> = group
            .iter()
            .flat_map(|p| p.chunks().iter().map(|c| c.content.clone()))
            .collect();
        let mut vectors = if texts.is_empty() {
            Vec::new()
        } else {
            self.embedder
                .embed(&texts, TextKind::Passage)
                .await
                .map_err(ApiError::internal)?
        }
        .into_iter();
        for p in &mut group {
            p.vectors = vectors.by_ref().take(p.chunks().len()).collect();
        }
        tracing::debug!(
            worker = %self.id,
            documents = group.len(),
            chunks,
            read_and_chunk_ms = read.as_millis() as u64,
            embed_ms = (started.elapsed() - read).as_millis() as u64,
            "group prepared"
        );
        Ok(Some(group))
    }

    /// Writes a prepared group, one transaction per document (its chunks and the job's
    /// progress, which renews the lease). False: the lease is no longer ours.
    async fn write(
        &self,
        scope: &Scope,
        job: Option<JobId>,
        group: Vec<Prepared>,
    ) -> ApiResult<bool> {
        let started = Instant::now();
        let lease_secs = self.lease.as_secs_f64();
        let model = self.embedder.model();
        for p in &group {
            let still_ours = self
                .db
                .tenant(scope, async |tx| {
                    if let Some(job) = job
                        && !repo::job_progress(tx, job, &self.id, p.doc, lease_secs).await?
                    {
                        return Ok(false);
                    }
                    if let Some((version, chunks)) = &p.content {
                        let new: Vec<NewChunk> = chunks
                            .iter()
                            .zip(&p.vectors)
                            .map(|(c, v)| NewChunk {
                                index: c.index,
                                content: &c.content,
                                token_count: c.token_count,
                                hash: &c.sha256,
                                embedding: pgvector::Vector::from(v.clone()),
                            })
                            .collect();
                        repo::replace_chunks(tx, p.doc, *version, model, &new).await?;
                    }
                    Ok(true)
                })
                .await?;
            if !still_ours {
                return Ok(false);
            }
        }
        tracing::debug!(
            worker = %self.id,
            documents = group.len(),
            write_ms = started.elapsed().as_millis() as u64,
            "group written"
        );
        Ok(true)
    }
}

impl Worker {
    /// Embeds with this worker's model every live document of `tenant` whose current version
    /// has no chunks of that model yet, beside the chunks other models have (a worker replaces
    /// only its own model's chunks), so instances still searching with the old model keep
    /// their vectors until the service switches (README, "Switching a knowledge base to
    /// another model"). Outside the job queue, in groups as jobs are; safe to stop and run
    /// again (it carries on with what is left). Returns the documents embedded.
    pub async fn reembed(&self, tenant: TenantId) -> ApiResult<usize> {
        let scope = Scope::worker(tenant);
        let model = self.embedder.model();
        let todo = self
            .db
            .tenant(&scope, async |tx| {
                repo::documents_without_model(tx, model).await
            })
            .await?;
        let mut docs = todo.iter().copied();
        while let Some(group) = self.prepare(&scope, &mut docs).await? {
            let n = group.len();
            self.write(&scope, None, group).await?;
            tracing::info!(%tenant, model, documents = n, "re-embedded");
        }
        Ok(todo.len())
    }
}

/// Chunks a worker embeds in one call by default (whole documents: a group ends with the
/// document that reaches it). The built-in model packs them into forward passes of 4,096 tokens, about twenty
/// 200-token chunks; a few passes per group keep the embedding threads busy while the group
/// before is written, and a worker that stops loses at most two groups' work.
pub const EMBED_BATCH_CHUNKS: usize = 64;

/// A document of a job, chunked and embedded, ready to be written.
struct Prepared {
    doc: DocumentId,
    /// Its current version and chunks; `None`: deleted since the job was queued.
    content: Option<(i32, Vec<Chunk>)>,
    /// One per chunk, in order.
    vectors: Vec<Vec<f32>>,
}

impl Prepared {
    fn chunks(&self) -> &[Chunk] {
        self.content.as_ref().map_or(&[], |(_, c)| c)
    }
}
