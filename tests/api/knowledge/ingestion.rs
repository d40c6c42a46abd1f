//! The ingestion worker: chunking and embedding in the background, leases that survive a dead
//! worker, jobs listed per tenant.

use std::{sync::Arc, time::Duration};

use futures_util::future::BoxFuture;
use serde_json::json;
use tenantdesk::{
    embeddings::{Embedder, TextKind},
    ingestion::Outcome,
};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::{agent_scope, bulk, chunk_counts, doc, drain};
use crate::{connections::Served, support::*};

#[tokio::test]
async fn the_worker_chunks_and_embeds_a_document() {
    let app = spawn_with(|c| {
        c.kb.chunk_tokens = 20;
        c.kb.chunk_overlap = 5;
    })
    .await;
    let t = app.tenant().await;
    let text = (0..40)
        .map(|i| format!("Sentence number {i} about billing."))
        .collect::<Vec<_>>()
        .join(" ");
    let id = doc(&app, &t.admin.token, "Long", &text).await;
    assert!(chunk_counts(&app, &t, id).await.is_empty());
    drain(&app, &t).await;
    let counts = chunk_counts(&app, &t, id).await;
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].0, "all-MiniLM-L6-v2");
    assert!(counts[0].1 > 5, "{counts:?}");

    // A new version replaces the chunks: the old version's are gone.
    app.patch(
        &format!("/v1/documents/{id}"),
        &t.admin.token,
        json!({"content": "Short now."}),
    )
    .await
    .ok(200);
    drain(&app, &t).await;
    assert_eq!(
        chunk_counts(&app, &t, id).await,
        vec![("all-MiniLM-L6-v2".to_string(), 1)]
    );
}

/// The built-in model, recording how many texts each call embeds.
struct Counting {
    inner: Arc<dyn Embedder>,
    calls: std::sync::Mutex<Vec<usize>>,
}

impl Embedder for Counting {
    fn model(&self) -> &str {
        self.inner.model()
    }
    fn dims(&self) -> usize {
        self.inner.dims()
    }
    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        kind: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        self.calls.lock().unwrap().push(texts.len());
        self.inner.embed(texts, kind)
    }
}

/// A job's documents are embedded together, whole documents at a time, in groups of at least
/// `WORKER_BATCH_CHUNKS` chunks; every document gets exactly the chunks (and vectors) it gets
/// when embedded alone.
#[tokio::test]
async fn the_worker_embeds_a_jobs_documents_in_groups_with_the_vectors_they_get_alone() {
    let app = spawn().await;
    let t = app.tenant().await;
    let contents: Vec<String> = [
        "Refunds take five days.",
        "Invoices are monthly.",
        "Plans renew yearly.",
        "Passwords expire after ninety days.",
        "The VPN client needs version 5.",
    ]
    .map(String::from)
    .into();
    let (job_path, ids) = bulk(&app, &t.admin.token, &contents).await;
    let counting = Arc::new(Counting {
        inner: app.state.embedder.clone(),
        calls: Default::default(),
    });
    let mut w = app.state.worker();
    w.tenant = Some(t.id.into());
    w.embedder = counting.clone();
    w.batch_chunks = 2;
    assert!(matches!(w.run_once().await.unwrap(), Outcome::Completed(_)));
    // One chunk each: groups of two documents, the last one alone.
    assert_eq!(*counting.calls.lock().unwrap(), [2, 2, 1]);
    assert_eq!(
        app.get(&job_path, &t.admin.token).await.ok(200)["documents_processed"],
        5
    );
    let stored: Vec<(Uuid, String, String)> = app
        .state
        .db
        .tenant(&agent_scope(&t), async |tx| {
            Ok(tx
                .query(
                    "select document_id, content, embedding::text from kb_chunks order by chunk_index",
                    &[],
                )
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect())
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 5);
    for (id, content) in ids.iter().zip(&contents) {
        let (_, text, vector) = stored.iter().find(|(d, ..)| d == id).unwrap();
        assert_eq!(text, content);
        let alone = app
            .state
            .embedder
            .embed(std::slice::from_ref(content), TextKind::Passage)
            .await
            .unwrap();
        let vector: Vec<f32> = serde_json::from_str(vector).unwrap();
        let cosine: f32 = vector.iter().zip(&alone[0]).map(|(a, b)| a * b).sum();
        assert!(cosine > 0.9999, "document {id}: cosine {cosine}");
    }
}

/// The built-in model, except that every call after the first waits for a permit: a worker
/// that hangs (or dies) in the middle of a job.
struct Stalling {
    inner: Arc<dyn Embedder>,
    gate: Arc<Semaphore>,
    calls: std::sync::atomic::AtomicUsize,
}

impl Embedder for Stalling {
    fn model(&self) -> &str {
        self.inner.model()
    }
    fn dims(&self) -> usize {
        self.inner.dims()
    }
    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        kind: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        Box::pin(async move {
            if self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
                self.gate.acquire().await.unwrap().forget();
            }
            self.inner.embed(texts, kind).await
        })
    }
}

#[tokio::test]
async fn a_worker_that_dies_mid_job_loses_nothing_and_its_late_writes_are_refused() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let contents = [
        "Refunds take five days.",
        "Invoices are monthly.",
        "Plans renew yearly.",
    ]
    .map(String::from);
    let (job_path, ids) = bulk(&app, tok, &contents).await;

    let gate = Arc::new(Semaphore::new(0));
    let mut zombie = app.state.worker();
    zombie.tenant = Some(t.id.into());
    zombie.lease = Duration::from_secs(1);
    // One document per embedding call, so that it stalls between documents.
    zombie.batch_chunks = 1;
    zombie.embedder = Arc::new(Stalling {
        inner: app.state.embedder.clone(),
        gate: gate.clone(),
        calls: Default::default(),
    });
    let zombie_task = tokio::spawn(async move { zombie.run_once().await });

    // It finishes the first document, then hangs on the second.
    let within = Duration::from_secs(60);
    let j = eventually("the first document is processed", within, async || {
        let j = app.get(&job_path, tok).await;
        if j.ok(200)["documents_processed"] == 1 {
            Ok(j)
        } else {
            Err(j.text)
        }
    })
    .await;
    assert_eq!(j.body["status"], "running");
    assert_eq!(j.body["attempts"], 1);

    // While its lease holds, nobody else takes the job.
    let mut rescuer = app.state.worker();
    rescuer.tenant = Some(t.id.into());
    assert_eq!(rescuer.run_once().await.unwrap(), Outcome::Idle);

    // The lease runs out; the job is claimed again and finished without redoing document 1
    // (`drain` polls until every job is completed).
    drain(&app, &t).await;
    let j = app.get(&job_path, tok).await;
    assert_eq!(j.ok(200)["status"], "completed");
    assert_eq!(j.body["attempts"], 2);
    assert_eq!(j.body["documents_processed"], 3);
    for id in &ids {
        assert_eq!(chunk_counts(&app, &t, *id).await.len(), 1, "document {id}");
    }

    // The hung worker wakes up: its write is refused, nothing is counted twice.
    gate.add_permits(10);
    let outcome = zombie_task.await.unwrap().unwrap();
    assert!(matches!(outcome, Outcome::LostLease(_)), "{outcome:?}");
    let j = app.get(&job_path, tok).await;
    assert_eq!(j.ok(200)["documents_processed"], 3);
    assert_eq!(j.body["status"], "completed");
}

/// The real `tenantdesk worker` process, dedicated to the test's tenant (`WORKER_TENANT_ID`, so
/// it leaves other tests' jobs alone), is killed with SIGKILL in the middle of a bulk job. After
/// its lease runs out another worker finishes the job: every document ends up with exactly the
/// chunks the chunker makes of it, none missing and none twice, and nothing is counted twice.
#[tokio::test]
async fn a_worker_process_killed_mid_job_loses_nothing() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let contents: Vec<String> = (0..24)
        .map(|i| {
            format!(
                "Document {i} of the runbook. Restart the gateway, then check the queue depth \
                 on the dashboard; if it keeps growing, page the on-call engineer and open an \
                 incident ticket with the error rate and the time of the last deploy. {}",
                "Logs older than a week are archived. ".repeat(1 + i % 3)
            )
        })
        .collect();
    let (job_path, ids) = bulk(&app, tok, &contents).await;

    let cfg = &app.config;
    let mut worker = std::process::Command::new(env!("CARGO_BIN_EXE_tenantdesk"))
        .arg("worker")
        .env("DATABASE_URL", cfg.database_url.expose())
        .env("JWT_KEYS", TEST_JWT_KEYS)
        .env("SETTINGS_ENCRYPTION_KEYS", TEST_SETTINGS_ENCRYPTION_KEYS)
        .env(
            "MIGRATION_DATABASE_URL",
            cfg.migration_database_url.expose(),
        )
        .env("EMBEDDING_MODEL_DIR", &cfg.embedding.model_dir)
        .env("WORKER_TENANT_ID", t.id.to_string())
        .env("WORKER_LEASE_SECS", "2")
        // One document per embedding call: killed between documents, not after one big batch.
        .env("WORKER_BATCH_CHUNKS", "1")
        .env("WORKER_POLL_MS", "50")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("tenantdesk worker starts");

    // Kill it once it has finished a document or two, while the job is still running.
    let within = Duration::from_secs(120);
    let done_at_kill = eventually("two documents are processed", within, async || {
        let j = app.get(&job_path, tok).await;
        let done = j.ok(200)["documents_processed"].as_i64().unwrap();
        assert!(
            worker.try_wait().unwrap().is_none(),
            "the worker exited on its own"
        );
        if done >= 2 { Ok(done) } else { Err(j.text) }
    })
    .await;
    worker.kill().expect("SIGKILL");
    worker.wait().unwrap();
    let j = app.get(&job_path, tok).await;
    assert_eq!(
        j.ok(200)["status"],
        "running",
        "killed too late: {}",
        j.text
    );
    let processed = j.body["documents_processed"].as_i64().unwrap();
    assert!(
        processed < ids.len() as i64,
        "the job finished before the kill ({done_at_kill} done then)"
    );

    // Its lease (2 s) runs out; another worker takes the job over and finishes it (`drain`
    // polls until then).
    drain(&app, &t).await;
    let j = app.get(&job_path, tok).await;
    assert_eq!(j.ok(200)["status"], "completed");
    assert_eq!(j.body["attempts"], 2);
    assert_eq!(j.body["documents_processed"], ids.len());
    assert_eq!(j.body["documents_failed"], 0);

    let stored: std::collections::HashMap<uuid::Uuid, Vec<i32>> = app
        .state
        .db
        .tenant(&agent_scope(&t), async |tx| {
            Ok(tx
                .query(
                    "select document_id, array_agg(chunk_index order by chunk_index)
                       from kb_chunks group by document_id",
                    &[],
                )
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect())
        })
        .await
        .unwrap();
    for (id, content) in ids.iter().zip(&contents) {
        let expected = app.state.chunker.chunk(content).unwrap().len() as i32;
        assert_eq!(
            stored.get(id),
            Some(&(0..expected).collect::<Vec<_>>()),
            "document {id}"
        );
    }
}

/// `WORKER_TENANT_ID`: the state's worker takes its tenant's job and then stands idle, with
/// another tenant's job due.
#[tokio::test]
async fn a_dedicated_worker_takes_only_its_tenants_jobs() {
    let mut app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    doc(&app, &b.admin.token, "B", "Another tenant's document.").await;
    let r = app
        .post(
            "/v1/documents",
            &a.admin.token,
            json!({"title": "A", "content": "Ours."}),
        )
        .await;
    let job: uuid::Uuid = r.ok(201)["job_id"].as_str().unwrap().parse().unwrap();
    std::sync::Arc::make_mut(&mut app.state.config)
        .kb
        .worker_tenant = Some(a.id.into());
    let w = app.state.worker();
    assert_eq!(w.run_once().await.unwrap(), Outcome::Completed(job.into()));
    assert_eq!(w.run_once().await.unwrap(), Outcome::Idle);
    drain(&app, &b).await;
}

#[tokio::test]
async fn a_worker_task_dropped_mid_job_leaves_a_job_that_is_finished_later() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let id = doc(&app, tok, "One", "A single short document.").await;
    let mut w = app.state.worker();
    w.tenant = Some(t.id.into());
    w.lease = Duration::from_secs(1);
    // Claim, then drop the worker without doing anything: a crash right after the claim.
    let (tenant, job, _) = w.claim().await.unwrap().expect("a due job");
    assert_eq!(tenant.uuid(), t.id);
    drop(w);
    let j = app.get(&format!("/v1/ingestion-jobs/{job}"), tok).await;
    assert_eq!(j.ok(200)["status"], "running");
    // Once the lease (1 s) runs out, another worker finishes it (`drain` polls until then).
    drain(&app, &t).await;
    assert_eq!(chunk_counts(&app, &t, id).await.len(), 1);
}

#[tokio::test]
async fn the_worker_inside_serve_processes_jobs() {
    // The tenant first, so the served worker can be dedicated to it and leave other tests' jobs
    // alone.
    let t = spawn().await.tenant().await;
    let app = spawn_with(|c| {
        c.kb.worker_enabled = true;
        c.kb.worker_poll = Duration::from_millis(100);
        c.kb.worker_tenant = Some(t.id.into());
    })
    .await;
    let r = app
        .post(
            "/v1/documents",
            &t.admin.token,
            json!({"title": "Served", "content": "Handled by serve."}),
        )
        .await;
    let job = r.ok(201)["job_id"].as_str().unwrap().to_string();
    let path = format!("/v1/ingestion-jobs/{job}");
    eventually(
        "the served worker completes the job",
        Duration::from_secs(60),
        async || {
            let j = app.get(&path, &t.admin.token).await;
            if j.ok(200)["status"] == "completed" {
                Ok(())
            } else {
                Err(j.text)
            }
        },
    )
    .await;
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn jobs_are_listed_per_tenant_and_hidden_from_users_and_other_tenants() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let r = app
        .post(
            "/v1/documents",
            &a.admin.token,
            json!({"title": "x", "content": "y"}),
        )
        .await;
    let job = r.ok(201)["job_id"].as_str().unwrap().to_string();
    let list = app
        .get("/v1/ingestion-jobs?status=pending", &a.admin.token)
        .await;
    assert_eq!(list.ok(200)["items"][0]["id"], job);
    assert_eq!(
        app.get("/v1/ingestion-jobs?status=completed", &a.admin.token)
            .await
            .ok(200)["items"],
        json!([])
    );
    app.get(&format!("/v1/ingestion-jobs/{job}"), &b.admin.token)
        .await
        .problem(404, "not_found");
    assert_eq!(
        app.get("/v1/ingestion-jobs", &b.admin.token).await.ok(200)["items"],
        json!([])
    );
    let user = app.user(&a, "user").await;
    app.get("/v1/ingestion-jobs", &user.token)
        .await
        .problem(403, "forbidden");
    app.get("/v1/ingestion-jobs?status=lost", &a.admin.token)
        .await
        .problem_field(422, "status");
}

/// An embedder whose service is down.
struct Broken;

impl Embedder for Broken {
    fn model(&self) -> &str {
        "all-MiniLM-L6-v2"
    }
    fn dims(&self) -> usize {
        384
    }
    fn embed<'a>(
        &'a self,
        _: &'a [String],
        _: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        Box::pin(async { anyhow::bail!("embeddings service answered 503") })
    }
}

#[tokio::test]
async fn a_failing_job_is_retried_later_and_fails_for_good_after_its_last_attempt() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let r = app
        .post(
            "/v1/documents",
            tok,
            json!({"title": "x", "content": "Some text."}),
        )
        .await;
    let job = r.ok(201)["job_id"].as_str().unwrap().to_string();
    let path = format!("/v1/ingestion-jobs/{job}");
    let mut w = app.state.worker();
    w.tenant = Some(t.id.into());
    w.embedder = Arc::new(Broken);

    assert!(matches!(w.run_once().await.unwrap(), Outcome::Failed(_)));
    let j = app.get(&path, tok).await;
    let body = j.ok(200).clone();
    assert_eq!(body["status"], "pending");
    assert_eq!(body["attempts"], 1);
    assert!(body.get("locked_by").is_none());
    let log = body["error_log"].as_array().unwrap();
    assert_eq!(log.len(), 1);
    assert!(log[0]["error"].as_str().unwrap().contains("503"), "{log:?}");
    // Backoff: not due again at once.
    let next: chrono::DateTime<chrono::Utc> =
        body["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert!(next > chrono::Utc::now());
    assert_eq!(w.run_once().await.unwrap(), Outcome::Idle);

    // Make the next attempt the last one, and due now.
    owner_conn()
        .await
        .execute(
            "update jobs set max_attempts = 2, next_attempt_at = now() where id = $1",
            &[&job.parse::<uuid::Uuid>().unwrap()],
        )
        .await
        .unwrap();
    assert!(matches!(w.run_once().await.unwrap(), Outcome::Failed(_)));
    let j = app.get(&path, tok).await;
    assert_eq!(j.ok(200)["status"], "failed");
    assert_eq!(j.body["attempts"], 2);
    assert_eq!(j.body["documents_failed"], 1);
    assert_eq!(j.body["documents_processed"], 0);
    assert!(j.body["finished_at"].is_string());
    assert_eq!(j.body["error_log"].as_array().unwrap().len(), 2);
    assert_eq!(w.run_once().await.unwrap(), Outcome::Idle);
}

/// `tenantdesk serve` gets SIGTERM while its worker has a long queue (a bulk job of 40 documents
/// being worked, 10 more jobs behind it): it exits within the grace period instead of working
/// through the queue, and the job it was in keeps its lease (running, nothing recorded as failed)
/// for another worker to take over; the jobs behind it are untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_a_busy_worker_within_the_grace_period() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let text = |i: usize| {
        format!(
            "Document {i}. {}",
            "The gateway restarts when its queue depth passes the threshold; page the on-call \
             engineer, then open an incident ticket with the error rate. "
                .repeat(30)
        )
    };
    let (job_path, ids) = bulk(&app, tok, &(0..40).map(text).collect::<Vec<_>>()).await;
    for i in 0..10 {
        doc(&app, tok, &format!("Single {i}"), &text(100 + i)).await;
    }
    let tenant = t.id.to_string();
    let mut served = Served::start(Served::command(&[
        ("WORKER_ENABLED", "true"),
        ("WORKER_TENANT_ID", &tenant),
        ("WORKER_POLL_MS", "50"),
        ("WORKER_LEASE_SECS", "300"),
        ("SHUTDOWN_GRACE_SECS", "3"),
        ("LOG_FORMAT", "json"),
    ]));

    // Into the bulk job.
    eventually(
        "the bulk job is under way",
        Duration::from_secs(120),
        async || {
            let j = app.get(&job_path, tok).await;
            if j.ok(200)["documents_processed"] != 0 {
                Ok(())
            } else {
                Err(served.log())
            }
        },
    )
    .await;
    served.sigterm();
    // The grace period, and a few seconds for a loaded machine to end a process.
    let took = served.exits_within(Duration::from_secs(90));
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(3 + 4)),
        "exit took {took:?} with a grace period of 3 s"
    );
    assert!(
        served.log().contains("left to its lease"),
        "{}",
        served.log()
    );

    let j = app.get(&job_path, tok).await;
    let job = j.ok(200);
    assert_eq!(job["status"], "running", "{job}");
    assert!(job["locked_by"].is_string(), "{job}");
    assert_eq!(job["attempts"], 1);
    assert_eq!(job["error_log"], json!([]));
    assert!(job["documents_processed"].as_u64().unwrap() < ids.len() as u64);
    let pending = app
        .get("/v1/ingestion-jobs?status=pending&limit=100", tok)
        .await;
    let pending = pending.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(pending.len(), 10, "{pending:?}");
    assert!(pending.iter().all(|j| j["attempts"] == 0));
}
