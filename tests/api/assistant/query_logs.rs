//! The query log: admins list it with filters; the asker or an agent rates an answer; anyone
//! else gets a 404.

use serde_json::{Value, json};

use super::knowledge;
use crate::support::*;

async fn ask(app: &TestApp, cred: impl Into<Cred>, q: &str) -> String {
    app.post("/v1/ask", cred, json!({"question": q}))
        .await
        .ok(200)["log_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn listed(app: &TestApp, t: &TestTenant, query: &str) -> Vec<String> {
    let r = app
        .get(&format!("/v1/query-logs?{query}"), &t.admin.token)
        .await;
    r.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn admins_list_answers_with_filters_and_pages() {
    let app = spawn().await;
    let t = app.tenant().await;
    knowledge(&app, &t).await;
    super::settings(&app, &t, json!({"escalation_threshold": 0.5})).await;
    let user = app.user(&t, "user").await;
    let start = chrono::Utc::now();
    let good = ask(&app, &user.token, "How do I reset my router?").await;
    let gap = ask(
        &app,
        &user.token,
        "Which wine goes well with grilled salmon?",
    )
    .await;
    let refund = ask(&app, &t.admin.token, "How do I get a refund?").await;
    let end = chrono::Utc::now();
    app.post(
        &format!("/v1/query-logs/{good}/feedback"),
        &user.token,
        json!({"helpful": true}),
    )
    .await
    .ok(200);
    app.post(
        &format!("/v1/query-logs/{gap}/feedback"),
        &user.token,
        json!({"helpful": false, "comment": "Nothing useful"}),
    )
    .await
    .ok(200);

    assert_eq!(
        listed(&app, &t, "").await,
        vec![refund.clone(), gap.clone(), good.clone()]
    );
    assert_eq!(
        listed(&app, &t, "feedback=helpful").await,
        vec![good.clone()]
    );
    assert_eq!(
        listed(&app, &t, "feedback=unhelpful").await,
        vec![gap.clone()]
    );
    assert_eq!(
        listed(&app, &t, "feedback=none").await,
        vec![refund.clone()]
    );
    let escalated = listed(&app, &t, "escalated=true").await;
    assert_eq!(escalated, vec![refund.clone(), gap.clone()]);
    assert_eq!(
        listed(&app, &t, "escalated=false").await,
        vec![good.clone()]
    );
    assert_eq!(listed(&app, &t, "no_sources=true").await, vec![gap.clone()]);
    assert_eq!(listed(&app, &t, "no_sources=false").await.len(), 2);
    assert_eq!(listed(&app, &t, "channel=ticket").await.len(), 0);
    let iso = |t: chrono::DateTime<chrono::Utc>| {
        t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            .replace('+', "%2B")
    };
    assert_eq!(
        listed(&app, &t, &format!("from={}", iso(end))).await.len(),
        0
    );
    assert_eq!(
        listed(&app, &t, &format!("to={}", iso(start))).await.len(),
        0
    );
    assert_eq!(
        listed(&app, &t, &format!("from={}&to={}", iso(start), iso(end)))
            .await
            .len(),
        3
    );
    // Pages.
    let first = app.get("/v1/query-logs?limit=2", &t.admin.token).await;
    let cursor = first.ok(200)["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(
        listed(&app, &t, &format!("limit=2&cursor={cursor}")).await,
        vec![good.clone()]
    );
    let gap_entry = &app
        .get("/v1/query-logs?feedback=unhelpful", &t.admin.token)
        .await
        .body["items"][0];
    assert_eq!(gap_entry["feedback"]["helpful"], false);
    assert_eq!(gap_entry["feedback"]["comment"], "Nothing useful");
    assert_eq!(gap_entry["feedback"]["by"], user.id.to_string());
    assert_eq!(gap_entry["escalation"]["rule"], "low_score");
    assert_eq!(gap_entry["sources"], json!([]));

    // Only admins list; bad filters are 422.
    let agent = app.user(&t, "agent").await;
    for tok in [&agent.token, &user.token] {
        app.get("/v1/query-logs", tok)
            .await
            .problem(403, "forbidden");
    }
    for (q, field) in [
        ("feedback=maybe", "feedback"),
        ("escalated=perhaps", "escalated"),
        ("from=yesterday", "from"),
        ("channel=email", "channel"),
        ("limit=0", "limit"),
        ("cursor=nope", "cursor"),
    ] {
        app.get(&format!("/v1/query-logs?{q}"), &t.admin.token)
            .await
            .problem_field(422, field);
    }
    // Another tenant's admin sees none of it.
    let other = app.tenant().await;
    assert!(listed(&app, &other, "").await.is_empty());
}

#[tokio::test]
async fn the_asker_or_an_agent_rates_an_answer_and_anyone_else_gets_404() {
    let app = spawn().await;
    let t = app.tenant().await;
    knowledge(&app, &t).await;
    let asker = app.user(&t, "user").await;
    let neighbour = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    let log = ask(&app, &asker.token, "How do I reset my router?").await;
    let path = format!("/v1/query-logs/{log}/feedback");

    app.post(&path, &neighbour.token, json!({"helpful": false}))
        .await
        .problem(404, "not_found");
    let other = app.tenant().await;
    app.post(&path, &other.admin.token, json!({"helpful": false}))
        .await
        .problem(404, "not_found");
    app.post(
        &format!("/v1/query-logs/{}/feedback", uuid::Uuid::new_v4()),
        &agent.token,
        json!({"helpful": true}),
    )
    .await
    .problem(404, "not_found");

    let r = app
        .post(
            &path,
            &asker.token,
            json!({"helpful": true, "comment": "  Worked!  "}),
        )
        .await;
    let entry: Value = r.ok(200).clone();
    assert_eq!(entry["feedback"]["helpful"], true);
    assert_eq!(entry["feedback"]["comment"], "Worked!");
    assert_eq!(entry["feedback"]["by"], asker.id.to_string());
    // An agent may rate it too (the latest rating wins).
    let r = app
        .post(&path, &agent.token, json!({"helpful": false}))
        .await;
    assert_eq!(r.ok(200)["feedback"]["by"], agent.id.to_string());
    assert!(r.body["feedback"].get("comment").is_none());

    for (body, field) in [
        (json!({}), "helpful"),
        (json!({"helpful": "yes"}), "helpful"),
        (
            json!({"helpful": true, "comment": "x".repeat(2001)}),
            "comment",
        ),
        (json!({"helpful": true, "comment": "a\u{0}b"}), "comment"),
        (json!({"helpful": true, "stars": 5}), "stars"),
    ] {
        app.post(&path, &asker.token, body)
            .await
            .problem_field(422, field);
    }
    // A read-only key asks but does not rate.
    let key = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": "ro", "scope": "read_only"}),
        )
        .await
        .ok(201)["key"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(&path, Cred::ApiKey(key), json!({"helpful": true}))
        .await
        .problem(403, "read_only_key");
    // Nothing above changed the agent's rating.
    let entry = &app.get("/v1/query-logs", &t.admin.token).await.body["items"][0];
    assert_eq!(entry["feedback"]["helpful"], false);
    assert_eq!(entry["feedback"]["by"], agent.id.to_string());
}
