//! Issue 6: the knowledge base.

mod collections;
mod documents;
mod embedder;
mod ingestion;
mod search;

use serde_json::{Value, json};
use tenantdesk::ingestion::Outcome;
use uuid::Uuid;

use crate::support::*;

/// Runs a worker for `tenant` only until all of the tenant's jobs are finished, asserting none
/// fails. (A test that runs the worker inside `serve` may take some of them; that is fine.)
pub async fn drain(app: &TestApp, tenant: &TestTenant) {
    let mut w = app.state.worker();
    w.tenant = Some(tenant.id);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        match w.run_once().await.expect("claim") {
            Outcome::Idle => {}
            Outcome::Completed(_) => continue,
            other => panic!("ingestion did not complete: {other:?}"),
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
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "jobs did not finish: {items:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Chunks of the document's current version per model, read in the tenant's own transaction.
pub async fn chunk_counts(app: &TestApp, tenant: &TestTenant, doc: Uuid) -> Vec<(String, i64)> {
    let scope = tenantdesk::db::Scope {
        tenant_id: tenant.id,
        user_id: None,
        role: tenantdesk::db::Role::Agent,
        token: None,
        api_key_id: None,
        audit: None,
    };
    app.state
        .db
        .tenant(&scope, async |tx| {
            tenantdesk::repo::knowledge::chunk_counts(tx, doc).await
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
