//! Issue 6: the knowledge base.

mod collections;
mod documents;
pub mod embedder;
mod ingestion;
mod keyword;
pub mod multilingual;
mod search;

use serde_json::{Value, json};
use tenantdesk::ingestion::Outcome;
use uuid::Uuid;

use crate::support::*;

/// Runs a worker for `tenant` only until all of the tenant's jobs are finished, asserting none
/// fails.
pub async fn drain(app: &TestApp, tenant: &TestTenant) {
    let mut w = app.state.worker();
    w.tenant = Some(tenant.id.into());
    let within = std::time::Duration::from_secs(120);
    eventually("every ingestion job completes", within, async || {
        loop {
            match w.run_once().await.expect("claim") {
                Outcome::Idle => break,
                Outcome::Completed(_) => continue,
                other => panic!("ingestion did not complete: {other:?}"),
            }
        }
        let jobs = app
            .get("/v1/ingestion-jobs?limit=100", &tenant.admin.token)
            .await;
        let items = jobs.ok(200)["items"].as_array().unwrap().clone();
        assert!(
            items.iter().all(|j| j["status"] != "failed"),
            "a job failed: {items:?}"
        );
        if items.iter().all(|j| j["status"] == "completed") {
            Ok(())
        } else {
            Err(jobs.text)
        }
    })
    .await
}

/// An agent's scope in `tenant`, for reading its rows straight from the database.
pub fn agent_scope(tenant: &TestTenant) -> tenantdesk::db::Scope {
    tenantdesk::db::Scope::worker(tenant.id.into())
}

/// Creates documents with these contents in one bulk request; returns the job's path and the
/// documents' ids in order.
pub async fn bulk(app: &TestApp, token: &str, contents: &[String]) -> (String, Vec<Uuid>) {
    let docs: Vec<_> = contents
        .iter()
        .enumerate()
        .map(|(i, c)| json!({"title": format!("Doc {i}"), "content": c}))
        .collect();
    let r = app
        .post("/v1/documents/bulk", token, json!({"documents": docs}))
        .await;
    let body = r.ok(202);
    let job = format!("/v1/ingestion-jobs/{}", body["job_id"].as_str().unwrap());
    let ids: Vec<Uuid> = body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids.len(), contents.len());
    (job, ids)
}

/// Chunks of the document's current version per model, read in the tenant's own transaction.
pub async fn chunk_counts(app: &TestApp, tenant: &TestTenant, doc: Uuid) -> Vec<(String, i64)> {
    app.state
        .db
        .tenant(&agent_scope(tenant), async |tx| {
            tenantdesk::repo::knowledge::chunk_counts(tx, doc.into()).await
        })
        .await
        .unwrap()
}

/// Creates a document as `token`; returns its id.
pub async fn doc(app: &TestApp, token: &str, title: &str, content: &str) -> Uuid {
    doc_with(app, token, json!({"title": title, "content": content})).await
}

pub async fn doc_with(app: &TestApp, token: &str, body: Value) -> Uuid {
    let r = app.post("/v1/documents", token, body).await;
    r.ok(201)["id"].as_str().unwrap().parse().unwrap()
}
