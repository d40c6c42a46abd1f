//! Prometheus `/metrics`: on its own address, behind its token, labelled by route template and
//! never by tenant or user.

use serde_json::json;
use uuid::Uuid;

use super::{api_key, set_plan};
use crate::support::*;

#[tokio::test]
async fn metrics_are_scraped_on_their_own_address_behind_a_token_without_tenant_ids() {
    let app =
        spawn_with(|c| c.usage.metrics_token = Some("scrape-me-please".to_string().into())).await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    set_plan(
        &app,
        &root,
        t.id,
        json!({"caller_requests_per_minute": 6, "caller_burst": 1}),
    )
    .await;
    let (key_id, key) = api_key(&app, &t, "read_only").await;
    let missing = Uuid::new_v4();
    app.get(&format!("/v1/tickets/{missing}"), Cred::ApiKey(key.clone()))
        .await
        .problem(404, "not_found");
    app.get("/v1/tickets", Cred::ApiKey(key))
        .await
        .problem(429, "rate_limited");
    app.state
        .embedder
        .embed(
            &["count this batch".to_string()],
            tenantdesk::embeddings::TextKind::Passage,
        )
        .await
        .unwrap();

    let within = std::time::Duration::from_secs(30);
    eventually_true("a usage row is written", within, async || {
        app.state.usage.log.written() > 0
    })
    .await;

    // Not on the API's address.
    app.get("/metrics", Cred::None)
        .await
        .problem(404, "not_found");
    let url = format!("http://{}/metrics", app.metrics_addr.expect("METRICS_ADDR"));
    let c = reqwest::Client::new();
    assert_eq!(c.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(
        c.get(&url)
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let r = c
        .get(&url)
        .bearer_auth("scrape-me-please")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    for needle in [
        r#"http_requests_total{method="GET",route="/v1/tickets/{id}",status="404"}"#,
        r#"http_request_duration_seconds_bucket{method="GET",route="/v1/tickets/{id}""#,
        r#"rate_limit_rejections_total{scope="key"}"#,
        "db_pool_connections ",
        "db_pool_idle ",
        "db_pool_waiting ",
        "db_pool_wait_seconds_bucket",
        r#"db_transaction_duration_seconds_bucket{outcome="commit""#,
        "ingestion_queue_due ",
        "ingestion_queue_oldest_due_seconds ",
        "embedder_request_duration_seconds_bucket",
        "usage_log_written_total",
    ] {
        assert!(text.contains(needle), "no {needle} in:\n{text}");
    }
    for id in [t.id, t.admin.id, key_id, missing, root.id] {
        assert!(!text.contains(&id.to_string()), "{id} is in the metrics");
    }
}
