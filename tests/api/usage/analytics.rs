//! Analytics: a tenant admin sees its own support desk and knowledge base, nothing of another
//! tenant's; a superadmin sees the platform.

use serde_json::{Value, json};

use crate::support::*;

async fn ticket(app: &TestApp, t: &TestTenant, title: &str) -> String {
    let r = app
        .post("/v1/tickets", &t.admin.token, json!({"title": title}))
        .await;
    r.ok(201)["id"].as_str().unwrap().to_string()
}

async fn move_to(app: &TestApp, token: &str, id: &str, to: &str) {
    app.post(
        &format!("/v1/tickets/{id}/transitions"),
        token,
        json!({"to": to}),
    )
    .await
    .ok(200);
}

fn today(a: &Value) -> Value {
    a["series"].as_array().unwrap().last().unwrap().clone()
}

#[tokio::test]
async fn ticket_analytics_count_the_tenants_own_tickets_and_nothing_of_another_tenant() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let a = app.tenant_by(&root).await;
    let b = app.tenant_by(&root).await;
    let agent = app.user(&a, "agent").await;
    let t1 = ticket(&app, &a, "Printer on fire").await;
    let t2 = ticket(&app, &a, "Login broken").await;
    ticket(&app, &a, "Question").await;
    app.patch(
        &format!("/v1/tickets/{t1}"),
        &a.admin.token,
        json!({"assignee_id": agent.id}),
    )
    .await
    .ok(200);
    app.post(
        &format!("/v1/tickets/{t1}/messages"),
        &agent.token,
        json!({"content": "Looking into it."}),
    )
    .await
    .ok(201);
    move_to(&app, &agent.token, &t1, "escalated").await;
    move_to(&app, &agent.token, &t1, "resolved").await;
    move_to(&app, &a.admin.token, &t1, "reopened").await;
    move_to(&app, &agent.token, &t2, "resolved").await;

    let r = app
        .get("/v1/analytics/tickets?interval=day", &a.admin.token)
        .await;
    let body = r.ok(200);
    assert_eq!(body["series"].as_array().unwrap().len(), 31, "{body}");
    let day = today(body);
    assert_eq!(
        (&day["created"], &day["resolved"], &day["escalated"]),
        (&json!(3), &json!(1), &json!(1)),
        "{day}"
    );
    // t1 was resolved and then reopened: its resolved_at is gone, one resolution remains.
    assert_eq!(body["resolved"], 1, "{body}");
    assert_eq!(body["reopened"], 1, "{body}");
    assert_eq!(body["reopen_rate"], 1.0, "{body}");
    assert!(
        body["first_response_p50_secs"].as_f64().unwrap() >= 0.0,
        "{body}"
    );
    assert!(body["resolution_p90_secs"].as_f64().is_some(), "{body}");
    let backlog: i64 = body["backlog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["tickets"].as_i64().unwrap())
        .sum();
    assert_eq!(backlog, 2, "{body}");
    let agents = body["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 1, "{body}");
    assert_eq!(agents[0]["agent_id"], agent.id.to_string());
    assert_eq!(agents[0]["assigned"], 1);

    let weekly = app
        .get("/v1/analytics/tickets?interval=week", &a.admin.token)
        .await;
    assert_eq!(today(weekly.ok(200))["created"], 3);

    // Another tenant sees nothing of it.
    let other = app.get("/v1/analytics/tickets", &b.admin.token).await;
    let body = other.ok(200);
    assert!(
        body["series"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["created"] == 0 && d["resolved"] == 0),
        "{body}"
    );
    assert_eq!(body["agents"], json!([]));
    assert!(!other.text.contains(&agent.id.to_string()));
    // A superadmin sees the platform (at least these), or one tenant with X-Tenant-Id.
    let all = app.get("/v1/analytics/tickets", &root.token).await;
    assert!(today(all.ok(200))["created"].as_i64().unwrap() >= 3);
    let one = app
        .get(
            "/v1/analytics/tickets",
            Cred::Acting(root.token.clone(), b.id),
        )
        .await;
    assert_eq!(today(one.ok(200))["created"], 0);
    // Agents do not read analytics; bad periods and intervals are named.
    app.get("/v1/analytics/tickets", &agent.token)
        .await
        .problem(403, "forbidden");
    for (query, field) in [
        ("interval=month", "interval"),
        ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        ("from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
    ] {
        let r = app
            .get(&format!("/v1/analytics/tickets?{query}"), &a.admin.token)
            .await;
        assert!(r.status.is_client_error(), "{query}: {}", r.text);
        assert_eq!(r.body["field"], field, "{query}: {}", r.text);
    }
}

#[tokio::test]
async fn knowledge_analytics_count_documents_searches_and_frequent_queries_of_the_tenant_only() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let a = app.tenant_by(&root).await;
    let b = app.tenant_by(&root).await;
    app.post(
        "/v1/documents",
        &a.admin.token,
        json!({"title": "Printers", "content": "How to put out a printer fire."}),
    )
    .await
    .ok(201);
    for q in ["Unicorn Invoices", "unicorn invoices ", "printer fire"] {
        app.post(
            "/v1/search",
            &a.admin.token,
            json!({"query": q, "mode": "keyword"}),
        )
        .await
        .ok(200);
    }
    let r = app.get("/v1/analytics/knowledge", &a.admin.token).await;
    let body = r.ok(200);
    assert_eq!(body["documents"], 1, "{body}");
    assert_eq!(body["searches"], 3, "{body}");
    // Nothing is ingested here (no worker): every search found nothing.
    assert_eq!(body["zero_result_searches"], 3, "{body}");
    assert_eq!(
        body["top_queries"][0],
        json!({"query": "unicorn invoices", "searches": 2, "zero_results": 2}),
        "{body}"
    );
    let other = app.get("/v1/analytics/knowledge", &b.admin.token).await;
    let body = other.ok(200);
    assert_eq!(
        (&body["documents"], &body["searches"]),
        (&json!(0), &json!(0))
    );
    assert!(!other.text.contains("unicorn"), "{}", other.text);
    let all = app.get("/v1/analytics/knowledge", &root.token).await;
    assert!(all.ok(200)["searches"].as_i64().unwrap() >= 3);
}
