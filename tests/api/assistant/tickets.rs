//! The assistant on tickets: runs are queued, never run inside the request; drafts stay internal;
//! replies are cited; a provider outage fails the run, not the ticket; escalation by each rule
//! moves the ticket through the status machine and tells the customer nothing.

use serde_json::{Value, json};
use tenantdesk::ingestion::Outcome;

use super::{FakeLlm, Reply, knowledge, messages, runs, settings, ticket, work};
use crate::support::*;

fn of_role<'a>(ms: &'a [Value], role: &str) -> Vec<&'a Value> {
    ms.iter().filter(|m| m["role"] == role).collect()
}

#[tokio::test]
async fn with_the_assistant_off_nothing_is_queued_and_in_draft_mode_a_user_never_sees_the_draft() {
    let app = spawn().await;
    let t = app.tenant().await;
    let [router, ..] = knowledge(&app, &t).await;
    let user = app.user(&t, "user").await;
    settings(&app, &t, json!({"assistant_mode": "off"})).await;
    let quiet = ticket(&app, &user.token, "Router", "How do I reset my router?").await;
    assert!(runs(&app, &t.admin.token, &quiet).await.is_empty());

    settings(&app, &t, json!({"assistant_mode": "draft"})).await;
    let id = ticket(
        &app,
        &user.token,
        "Router trouble",
        "How do I reset my router?",
    )
    .await;
    // Queued by the request, not run in it.
    let queued = runs(&app, &t.admin.token, &id).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["status"], "pending");
    assert_eq!(queued[0]["trigger"], "ticket_created");
    assert!(queued[0].get("post_as").is_none());
    assert!(messages(&app, &t.admin.token, &id).await.is_empty());

    assert_eq!(work(&app, &t).await.len(), 1);
    let run = &runs(&app, &t.admin.token, &id).await[0];
    assert_eq!(run["status"], "completed", "{run}");
    assert_eq!(run["outcome"], "drafted");
    let ms = messages(&app, &t.admin.token, &id).await;
    assert_eq!(ms.len(), 1);
    let draft = &ms[0];
    assert_eq!(draft["role"], "assistant");
    assert_eq!(draft["is_internal"], true);
    assert_eq!(draft["id"], run["message_id"]);
    let content = draft["content"].as_str().unwrap();
    assert!(content.contains("hold the reset button"), "{content}");
    assert!(
        content.contains("\n\nSources:\n[1] Resetting your router"),
        "{content}"
    );
    assert_eq!(
        draft["metadata"]["assistant"]["sources"][0]["document_id"],
        router.to_string()
    );
    assert_eq!(
        draft["metadata"]["assistant"]["query_log_id"],
        run["query_log_id"]
    );

    // The customer sees neither the draft nor the runs.
    assert!(messages(&app, &user.token, &id).await.is_empty());
    app.get(&format!("/v1/tickets/{id}/assistant-runs"), &user.token)
        .await
        .problem(403, "forbidden");
    let logs = app
        .get("/v1/query-logs?channel=ticket", &t.admin.token)
        .await;
    let entry = &logs.ok(200)["items"][0];
    assert_eq!(entry["ticket_id"], id);
    assert!(entry.get("caller_user_id").is_none());
}

#[tokio::test]
async fn in_reply_mode_the_customer_gets_a_cited_answer_to_the_ticket_and_to_each_message() {
    let app = spawn().await;
    let t = app.tenant().await;
    let [_, password, _] = knowledge(&app, &t).await;
    let user = app.user(&t, "user").await;
    settings(&app, &t, json!({"assistant_mode": "reply"})).await;
    let id = ticket(&app, &user.token, "Router", "How do I reset my router?").await;
    work(&app, &t).await;
    let ms = messages(&app, &user.token, &id).await;
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0]["role"], "assistant");
    assert_eq!(ms[0]["is_internal"], false);
    assert!(ms[0]["content"].as_str().unwrap().contains("[1]"));

    // A customer's message queues a run; an agent's message does not.
    let agent = app.user(&t, "agent").await;
    app.post(
        &format!("/v1/tickets/{id}/messages"),
        &agent.token,
        json!({"content": "Did that work?"}),
    )
    .await
    .ok(201);
    let m = app
        .post(
            &format!("/v1/tickets/{id}/messages"),
            &user.token,
            json!({"content": "Thanks. And how long must my new password be?"}),
        )
        .await;
    let asked = m.ok(201)["id"].clone();
    let rs = runs(&app, &t.admin.token, &id).await;
    assert_eq!(rs.len(), 2);
    assert_eq!(rs[1]["trigger"], "customer_message");
    assert_eq!(rs[1]["trigger_message_id"], asked);
    work(&app, &t).await;
    let ms = messages(&app, &user.token, &id).await;
    let answers = of_role(&ms, "assistant");
    assert_eq!(answers.len(), 2);
    let last = answers[1];
    assert!(
        last["content"]
            .as_str()
            .unwrap()
            .contains("twelve characters"),
        "{last}"
    );
    assert_eq!(
        last["metadata"]["assistant"]["sources"][0]["document_id"],
        password.to_string()
    );
    assert_eq!(
        runs(&app, &t.admin.token, &id).await[1]["outcome"],
        "replied"
    );
}

#[tokio::test]
async fn agents_ask_for_an_answer_with_assist_and_nobody_else_can() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    let other = app.tenant_by(&root).await;
    knowledge(&app, &t).await;
    let user = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    // Mode off: only the agent's request runs.
    let id = ticket(
        &app,
        &user.token,
        "Password",
        "How long must a new password be?",
    )
    .await;
    let path = format!("/v1/tickets/{id}/assist");
    let r = app.post(&path, &agent.token, json!({})).await;
    let run = r.ok(202).clone();
    assert_eq!(run["trigger"], "agent_request");
    assert_eq!(run["post_as"], "draft");
    assert_eq!(run["requested_by"], agent.id.to_string());
    assert_eq!(run["status"], "pending");
    // No body at all is the same as {}.
    let bare = app
        .send(app.req(reqwest::Method::POST, &path, &agent.token))
        .await;
    assert_eq!(bare.ok(202)["post_as"], "draft");
    let reply = app
        .post(&path, &agent.token, json!({"post_as": "reply"}))
        .await;
    assert_eq!(reply.ok(202)["post_as"], "reply");
    work(&app, &t).await;
    let outcomes: Vec<Value> = runs(&app, &agent.token, &id)
        .await
        .iter()
        .map(|r| r["outcome"].clone())
        .collect();
    assert_eq!(outcomes, vec!["drafted", "drafted", "replied"]);
    let visible = messages(&app, &user.token, &id).await;
    assert_eq!(visible.len(), 1, "{visible:?}");

    app.post(&path, &user.token, json!({}))
        .await
        .problem(403, "forbidden");
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
    app.post(&path, Cred::ApiKey(key), json!({}))
        .await
        .problem(403, "read_only_key");
    // Another tenant's ticket is 404 on both endpoints, and gets no run.
    app.post(&path, &other.admin.token, json!({}))
        .await
        .problem(404, "not_found");
    app.get(
        &format!("/v1/tickets/{id}/assistant-runs"),
        &other.admin.token,
    )
    .await
    .problem(404, "not_found");
    app.post(
        &format!("/v1/tickets/{}/assist", uuid::Uuid::new_v4()),
        &agent.token,
        json!({}),
    )
    .await
    .problem(404, "not_found");
    for (body, field) in [
        (json!({"post_as": "shout"}), "post_as"),
        (json!({"post_as": "draft", "mode": "x"}), "mode"),
        (json!({"post_as": 1}), "post_as"),
    ] {
        app.post(&path, &agent.token, body)
            .await
            .problem_field(422, field);
    }
    assert_eq!(runs(&app, &agent.token, &id).await.len(), 3);
    // A superadmin acting in the tenant may ask too.
    app.post(&path, Cred::Acting(root.token.clone(), t.id), json!({}))
        .await
        .ok(202);
}

#[tokio::test]
async fn a_provider_outage_fails_the_run_and_leaves_the_ticket_as_it_was() {
    let app = spawn_with(|c| c.assistant.run_attempts = 2).await;
    let fake = FakeLlm::start(Reply::Fail(503, None)).await;
    let Desk { t, customer: user } = desk(&app, true, fake.settings()).await;
    let id = ticket(&app, &user.token, "Router", "How do I reset my router?").await;
    let before = app.get(&format!("/v1/tickets/{id}"), &t.admin.token).await;
    let before = before.ok(200).clone();

    assert!(matches!(work(&app, &t).await[..], [Outcome::Failed(_)]));
    let run = &runs(&app, &t.admin.token, &id).await[0];
    assert_eq!(run["status"], "pending", "retried later: {run}");
    assert_eq!(run["attempts"], 1);
    assert!(
        run["error_log"][0]["error"]
            .as_str()
            .unwrap()
            .contains("503"),
        "{run}"
    );
    // Make the retry due now; it fails too, and that was the last attempt.
    owner_conn()
        .await
        .execute(
            "update jobs set next_attempt_at = now() where tenant_id = $1",
            &[&t.id],
        )
        .await
        .unwrap();
    assert!(matches!(work(&app, &t).await[..], [Outcome::Failed(_)]));
    let run = &runs(&app, &t.admin.token, &id).await[0];
    assert_eq!(run["status"], "failed");
    assert_eq!(run["attempts"], 2);
    assert!(run.get("outcome").is_none());
    assert_eq!(fake.seen().len(), 6, "three requests per attempt");

    let after = app.get(&format!("/v1/tickets/{id}"), &t.admin.token).await;
    assert_eq!(after.ok(200), &before);
    assert!(messages(&app, &t.admin.token, &id).await.is_empty());
    let history = app
        .get(&format!("/v1/tickets/{id}/history"), &t.admin.token)
        .await;
    assert_eq!(history.ok(200)["items"].as_array().unwrap().len(), 1);
    let logs = app.get("/v1/query-logs", &t.admin.token).await;
    assert!(logs.ok(200)["items"].as_array().unwrap().is_empty());
}

/// A help desk: a tenant with the small knowledge base, a customer, and the assistant in reply
/// mode with `more` settings.
struct Desk {
    t: TestTenant,
    customer: TestUser,
}

async fn desk(app: &TestApp, with_knowledge: bool, more: Value) -> Desk {
    let t = app.tenant().await;
    if with_knowledge {
        knowledge(app, &t).await;
    }
    let customer = app.user(&t, "user").await;
    let mut s = json!({"assistant_mode": "reply"});
    s.as_object_mut()
        .unwrap()
        .extend(more.as_object().unwrap().clone());
    settings(app, &t, s).await;
    Desk { t, customer }
}

/// Opens a ticket as the customer, runs the assistant, and checks it escalated by `rule`: the
/// ticket is `escalated`, its history names the rule, an internal system note says why, and the
/// customer sees no answer.
async fn escalates(app: &TestApp, d: &Desk, question: &str, rule: &str) {
    let (t, user) = (&d.t, &d.customer);
    let id = ticket(app, &user.token, "Help", question).await;
    work(app, t).await;
    let tk = app.get(&format!("/v1/tickets/{id}"), &t.admin.token).await;
    assert_eq!(tk.ok(200)["status"], "escalated", "{question}");
    let history = app
        .get(&format!("/v1/tickets/{id}/history"), &t.admin.token)
        .await;
    let last = history.ok(200)["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&last["from"], &last["to"]),
        (&json!("open"), &json!("escalated"))
    );
    let reason = last["reason"].as_str().unwrap();
    assert!(
        reason.starts_with(&format!("assistant escalation ({rule})")),
        "{question}: {reason}"
    );
    assert!(last.get("actor_id").is_none());
    let all = messages(app, &t.admin.token, &id).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(
        (&all[0]["role"], &all[0]["is_internal"]),
        (&json!("system"), &json!(true))
    );
    assert!(all[0]["content"].as_str().unwrap().contains(rule));
    assert!(messages(app, &user.token, &id).await.is_empty());
    let run = &runs(app, &t.admin.token, &id).await[0];
    assert_eq!(
        (&run["outcome"], &run["outcome_detail"]),
        (&json!("escalated"), &json!(rule))
    );
    let log = app
        .get("/v1/query-logs?escalated=true&limit=1", &t.admin.token)
        .await;
    assert_eq!(log.ok(200)["items"][0]["escalation"]["rule"], rule);
}

#[tokio::test]
async fn escalation_by_keyword_in_english_and_russian_word_forms() {
    let app = spawn().await;
    let d = desk(&app, true, json!({})).await;
    for q in [
        "How are refunds paid? I want my money refunded.",
        "Когда будет возврат денег за заказ?",
    ] {
        escalates(&app, &d, q, "keyword").await;
    }
    // The tenant's own phrase, matched on its word forms.
    settings(
        &app,
        &d.t,
        json!({"escalation_keywords": ["warranty claim"]}),
    )
    .await;
    escalates(
        &app,
        &d,
        "Router reset: how do I file warranty claims?",
        "keyword",
    )
    .await;
    // Without the default keyword, the refund question is simply answered.
    let id = ticket(&app, &d.customer.token, "Refunds", "How are refunds paid?").await;
    work(&app, &d.t).await;
    let seen = messages(&app, &d.customer.token, &id).await;
    assert_eq!(of_role(&seen, "assistant").len(), 1);
}

#[tokio::test]
async fn escalation_by_an_explicit_request_for_a_person() {
    let app = spawn().await;
    let d = desk(&app, true, json!({})).await;
    for q in [
        "My router keeps resetting. Can I talk to a real person?",
        "Роутер сбрасывается, позовите оператора",
    ] {
        escalates(&app, &d, q, "human_request").await;
    }
}

#[tokio::test]
async fn escalation_by_a_weak_knowledge_base_match() {
    let app = spawn().await;
    // A threshold above the built-in responder's own floor, so that this rule fires first.
    let d = desk(&app, true, json!({"escalation_threshold": 0.5})).await;
    escalates(
        &app,
        &d,
        "Which wine goes well with grilled salmon?",
        "low_score",
    )
    .await;
    // A tenant with nothing in its knowledge base escalates everything the same way.
    let empty = desk(&app, false, json!({})).await;
    escalates(&app, &empty, "How do I reset my router?", "low_score").await;
}

#[tokio::test]
async fn escalation_by_an_answer_that_cannot_help_and_an_escalated_ticket_is_left_to_people() {
    let app = spawn().await;
    let fake = FakeLlm::start(Reply::Stream("I'm sorry, I don't know.".into())).await;
    let d = desk(&app, true, fake.settings()).await;
    escalates(&app, &d, "How do I reset my router?", "cannot_help").await;

    // Once escalated, the customer's next message gets no run's answer: a person handles it.
    let id = ticket(
        &app,
        &d.customer.token,
        "Again",
        "How do I reset my router?",
    )
    .await;
    work(&app, &d.t).await;
    app.post(
        &format!("/v1/tickets/{id}/messages"),
        &d.customer.token,
        json!({"content": "Hello?"}),
    )
    .await
    .ok(201);
    let before = fake.seen().len();
    work(&app, &d.t).await;
    assert_eq!(fake.seen().len(), before);
    let rs = runs(&app, &d.t.admin.token, &id).await;
    assert_eq!(rs[1]["outcome"], "skipped");
    assert!(
        rs[1]["outcome_detail"]
            .as_str()
            .unwrap()
            .contains("escalated")
    );
}

#[tokio::test]
async fn internal_notes_never_reach_the_provider_or_the_customer() {
    let app = spawn().await;
    let t = app.tenant().await;
    knowledge(&app, &t).await;
    let user = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    let fake = FakeLlm::start(Reply::Stream("Hold the reset button [1].".into())).await;
    let id = ticket(&app, &user.token, "Router", "My router is stuck.").await;
    let secret = "INTERNAL-ONLY: customer is on the watch list";
    app.post(
        &format!("/v1/tickets/{id}/messages"),
        &agent.token,
        json!({"content": secret, "is_internal": true}),
    )
    .await
    .ok(201);
    let mut s = fake.settings();
    s["assistant_mode"] = json!("reply");
    settings(&app, &t, s).await;
    app.post(
        &format!("/v1/tickets/{id}/messages"),
        &user.token,
        json!({"content": "How do I reset my router?"}),
    )
    .await
    .ok(201);
    app.post(
        &format!("/v1/tickets/{id}/assist"),
        &agent.token,
        json!({"post_as": "reply"}),
    )
    .await
    .ok(202);
    work(&app, &t).await;
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    for s in &seen {
        let sent = s.body.to_string();
        assert!(!sent.contains("INTERNAL-ONLY"), "{sent}");
        assert!(sent.contains("How do I reset my router?"), "{sent}");
    }
    let visible = messages(&app, &user.token, &id).await;
    assert!(
        visible
            .iter()
            .all(|m| !m["content"].as_str().unwrap().contains("INTERNAL"))
    );
    assert_eq!(of_role(&visible, "assistant").len(), 2);
}
