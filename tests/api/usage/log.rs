//! The usage log: every authenticated request, by route template, reported per tenant.

use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;

use super::api_key;
use crate::support::*;

/// Polls `path` until the item whose `group` is `group` counts at least `requests`; returns it.
async fn wait_for(app: &TestApp, path: &str, cred: Cred, group: &str, requests: i64) -> Value {
    let what = format!("{path} reports {requests} requests of {group}");
    eventually(&what, Duration::from_secs(30), async || {
        let r = app.get(path, cred.clone()).await;
        let items = r.ok(200)["items"].as_array().unwrap().clone();
        items
            .into_iter()
            .find(|i| i["group"] == group && i["requests"].as_i64() >= Some(requests))
            .ok_or(r.text)
    })
    .await
}

#[tokio::test]
async fn every_request_is_logged_by_route_template_and_reported_to_the_tenant_admin() {
    let app = spawn().await;
    let t = app.tenant().await;
    let (key_id, key) = api_key(&app, &t, "read_only").await;
    let missing = Uuid::new_v4();
    for _ in 0..3 {
        app.get(&format!("/v1/tickets/{missing}"), Cred::ApiKey(key.clone()))
            .await
            .problem(404, "not_found");
    }
    let admin = Cred::from(&t.admin.token);
    let route = wait_for(
        &app,
        "/v1/usage?group_by=route",
        admin.clone(),
        "GET /v1/tickets/{id}",
        3,
    )
    .await;
    assert_eq!(route["requests"], 3);
    assert_eq!(route["client_errors"], 3);
    assert!(route["response_bytes"].as_i64().unwrap() > 0, "{route}");
    // No raw path (with the id) ever became a group.
    let routes = app.get("/v1/usage?group_by=route", admin.clone()).await;
    assert!(
        !routes.text.contains(&missing.to_string()),
        "{}",
        routes.text
    );

    let by_key = wait_for(
        &app,
        "/v1/usage?group_by=key",
        admin.clone(),
        &format!("key:{key_id}"),
        3,
    )
    .await;
    assert_eq!(by_key["requests"], 3);
    wait_for(
        &app,
        "/v1/usage?group_by=key",
        admin.clone(),
        &format!("user:{}", t.admin.id),
        1,
    )
    .await;
    wait_for(
        &app,
        "/v1/usage?group_by=status_class",
        admin.clone(),
        "4xx",
        1,
    )
    .await;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    wait_for(&app, "/v1/usage", admin, &today, 1).await;
}

#[tokio::test]
async fn another_tenants_usage_is_invisible_and_superadmins_see_each_tenant() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let a = app.tenant_by(&root).await;
    let b = app.tenant_by(&root).await;
    let (a_key, key) = api_key(&app, &a, "read_only").await;
    app.get("/v1/tickets", Cred::ApiKey(key)).await.ok(200);
    let group = format!("key:{a_key}");
    wait_for(
        &app,
        "/v1/usage?group_by=key",
        Cred::from(&a.admin.token),
        &group,
        1,
    )
    .await;
    wait_for(
        &app,
        &format!("/v1/tenants/{}/usage?group_by=key", a.id),
        Cred::from(&root.token),
        &group,
        1,
    )
    .await;
    wait_for(
        &app,
        "/v1/platform/usage",
        Cred::from(&root.token),
        &a.id.to_string(),
        1,
    )
    .await;
    // B's admin sees only B's own requests: never A's key, never A's tenant.
    let r = app.get("/v1/usage?group_by=key", &b.admin.token).await;
    r.ok(200);
    assert!(!r.text.contains(&a_key.to_string()), "{}", r.text);
    let r = app
        .get(&format!("/v1/tenants/{}/usage", b.id), &root.token)
        .await;
    assert!(!r.text.contains(&a_key.to_string()), "{}", r.text);
    // Tenants cannot use the superadmin reports; agents cannot read the usage.
    app.get(&format!("/v1/tenants/{}/usage", a.id), &b.admin.token)
        .await
        .problem(403, "superadmin_only");
    app.get("/v1/platform/usage", &a.admin.token)
        .await
        .problem(403, "superadmin_only");
    let agent = app.user(&a, "agent").await;
    app.get("/v1/usage", &agent.token)
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn a_usage_report_refuses_a_bad_period_or_grouping_naming_the_parameter() {
    let app = spawn().await;
    let t = app.tenant().await;
    for (query, field) in [
        ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        ("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        ("group_by=tenant", "group_by"),
        ("from=yesterday", "from"),
    ] {
        let r = app.get(&format!("/v1/usage?{query}"), &t.admin.token).await;
        assert!(r.status.is_client_error(), "{query}: {}", r.text);
        assert_eq!(r.body["field"], field, "{query}: {}", r.text);
    }
}

#[tokio::test]
async fn a_full_usage_queue_drops_and_counts_rows_instead_of_waiting() {
    let app = spawn().await;
    // A queue of one row and no writer taking rows out: `record` is not async, so it cannot
    // wait; what does not fit is dropped and counted.
    let mut c = app.config.usage.clone();
    c.queue_capacity = 1;
    let log = tenantdesk::usage::UsageLog::new(app.state.db.clone(), &c);
    let row = tenantdesk::usage::Record {
        tenant_id: Uuid::new_v4().into(),
        at: chrono::Utc::now(),
        request_id: "r".into(),
        api_key_id: None,
        user_id: None,
        method: "GET".into(),
        route: "/v1/me",
        status: 200,
        latency_us: 1,
        request_bytes: 0,
        response_bytes: 0,
    };
    for _ in 0..20 {
        log.record(row.clone());
    }
    assert_eq!(log.dropped(), 19);
    let scraped = reqwest::get(format!("http://{}/metrics", app.metrics_addr.unwrap()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dropped = scraped
        .lines()
        .find(|l| l.starts_with("usage_log_dropped_total "))
        .unwrap_or_else(|| panic!("no usage_log_dropped_total: {scraped}"));
    let n: f64 = dropped.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n >= 19.0, "{dropped}");
}
