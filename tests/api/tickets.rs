//! Tickets and conversations through HTTP, and the ticket policies in the database itself.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::*;

async fn create(app: &TestApp, cred: impl Into<Cred>, body: Value) -> Value {
    app.post("/v1/tickets", cred, body).await.ok(201).clone()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect()
}

#[tokio::test]
async fn a_ticket_is_created_read_changed_and_listed() {
    let app = spawn().await;
    let t = app.tenant().await;
    let agent = app.user(&t, "agent").await;
    let r = app
        .post(
            "/v1/tickets",
            &t.admin.token,
            json!({"title": "  Printer on fire ", "description": "Smoke everywhere", "priority": "urgent",
                   "source": "email", "tags": ["hardware", "hardware", "fire"], "metadata": {"floor": 3}}),
        )
        .await;
    let created = r.ok(201).clone();
    assert_eq!(created["number"], "TCK-1");
    assert_eq!(created["title"], "Printer on fire");
    assert_eq!(created["status"], "open");
    assert_eq!(created["priority"], "urgent");
    assert_eq!(created["source"], "email");
    assert_eq!(created["tags"], json!(["hardware", "fire"]));
    assert_eq!(created["metadata"], json!({"floor": 3}));
    assert_eq!(created["creator_id"], t.admin.id.to_string());
    assert_eq!(r.header("etag"), Some("\"v1\""));
    let id = id_of(&created);

    let second = create(&app, &agent.token, json!({"title": "Second"})).await;
    assert_eq!(second["number"], "TCK-2");
    assert_eq!(second["priority"], "medium");
    assert_eq!(second["source"], "api");

    let got = app.get(&format!("/v1/tickets/{id}"), &agent.token).await;
    assert_eq!(got.ok(200)["title"], "Printer on fire");
    let etag = got.header("etag").unwrap().to_string();

    let patch = app
        .send(
            app.req(Method::PATCH, &format!("/v1/tickets/{id}"), &agent.token)
                .header("If-Match", &etag)
                .json(
                    &json!({"title": "Printer smoking", "assignee_id": agent.id, "tags": ["hw"]}),
                ),
        )
        .await;
    let patched = patch.ok(200);
    assert_eq!(patched["title"], "Printer smoking");
    assert_eq!(patched["assignee_id"], agent.id.to_string());
    assert_eq!(patched["tags"], json!(["hw"]));
    assert_eq!(patched["description"], "Smoke everywhere");
    assert_eq!(patched["version"], 2);
    assert_eq!(patch.header("etag"), Some("\"v2\""));

    // Unassign with null; status cannot be patched.
    let r = app
        .patch(
            &format!("/v1/tickets/{id}"),
            &agent.token,
            json!({"assignee_id": null}),
        )
        .await;
    assert!(r.ok(200).get("assignee_id").is_none(), "{}", r.text);
    app.patch(
        &format!("/v1/tickets/{id}"),
        &agent.token,
        json!({"status": "closed"}),
    )
    .await
    .problem_field(422, "status");

    let page = app.get("/v1/tickets", &agent.token).await;
    assert_eq!(
        ids(page.ok(200)),
        vec![id_of(&second), id.clone()],
        "newest first"
    );
}

/// A list page is read as text in one query string (`Tx::query_text`), a single ticket through
/// the binary protocol: every ticket of every page — filtered, sorted by priority, continued by
/// a cursor — is exactly what its own GET answers, for text, tags and metadata that need quoting
/// or escaping, and every optional field set or not.
#[tokio::test]
async fn a_list_page_holds_exactly_what_each_ticket_reads() {
    let app = spawn().await;
    let t = app.tenant().await;
    let agent = app.user(&t, "agent").await;
    let bodies = [
        json!({"title": "Quote ' and \"double\" and back\\slash", "description": "line\nnext\ttab",
               "tags": ["a,b", "{braces}", "quote\"d", "back\\slash", "ünï ✓ 😀", "NULL"],
               "metadata": {"z": [1, 2.5, -3e-7, null, true], "ü": {"deep": {"": "x\"y"}},
                            "big": 12345678901234567890u64, "neg": i64::MIN}, "priority": "urgent"}),
        json!({"title": "Plain", "tags": [], "metadata": {}, "priority": "low",
               "assignee_id": agent.id}),
        json!({"title": "$1 and $2, '; select 1; --", "description": "", "tags": ["$1"],
               "priority": "high", "source": "email"}),
        json!({"title": "resolved one", "priority": "medium"}),
        json!({"title": "closed one", "priority": "medium", "tags": ["x"]}),
    ];
    let mut ids = Vec::new();
    for b in bodies {
        ids.push(id_of(&create(&app, &agent.token, b).await));
    }
    for (id, to) in [(&ids[3], "resolved"), (&ids[4], "closed")] {
        app.post(
            &format!("/v1/tickets/{id}/transitions"),
            &agent.token,
            json!({"to": to, "reason": "done"}),
        )
        .await
        .ok(200);
    }
    let mut single = std::collections::HashMap::new();
    for id in &ids {
        single.insert(
            id.clone(),
            app.get(&format!("/v1/tickets/{id}"), &agent.token)
                .await
                .ok(200)
                .clone(),
        );
    }
    let same_as_single = |page: &Value| -> usize {
        let items = page["items"].as_array().unwrap();
        for item in items {
            assert_eq!(item, &single[item["id"].as_str().unwrap()]);
        }
        items.len()
    };
    for query in [
        "",
        "?status=resolved,closed",
        &format!("?assignee_id={}&priority=low,urgent", agent.id),
        "?sort=priority&order=asc",
        "?sort=updated",
    ] {
        let page = app.get(&format!("/v1/tickets{query}"), &agent.token).await;
        same_as_single(page.ok(200));
    }
    // Two tickets a page, followed by cursor, in both orders and by priority.
    for order in [
        "sort=created&order=desc",
        "sort=priority&order=desc",
        "sort=updated&order=asc",
    ] {
        let mut seen = 0;
        let mut cursor = String::new();
        loop {
            let page = app
                .get(
                    &format!("/v1/tickets?limit=2&{order}&cursor={cursor}"),
                    &agent.token,
                )
                .await;
            let page = page.ok(200).clone();
            seen += same_as_single(&page);
            match page["next_cursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        assert_eq!(seen, ids.len(), "{order}");
    }
}

#[tokio::test]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = spawn().await;
    let t = app.tenant().await;
    let id = id_of(&create(&app, &t.admin.token, json!({"title": "Etag"})).await);
    let path = format!("/v1/tickets/{id}");
    app.patch(&path, &t.admin.token, json!({"title": "Changed"}))
        .await
        .ok(200);

    let r = app
        .send(
            app.req(Method::PATCH, &path, &t.admin.token)
                .header("If-Match", "\"v1\"")
                .json(&json!({"title": "Lost update"})),
        )
        .await;
    r.problem(412, "precondition_failed");
    assert_eq!(r.body["field"], "If-Match");
    let now = app.get(&path, &t.admin.token).await;
    assert_eq!(now.ok(200)["title"], "Changed");
    assert_eq!(now.header("etag"), Some("\"v2\""));
    let cached = app
        .send(
            app.req(Method::GET, &path, &t.admin.token)
                .header("If-None-Match", "\"v2\""),
        )
        .await;
    assert_eq!(cached.status.as_u16(), 304, "{}", cached.text);
    assert!(cached.text.is_empty());
    assert_eq!(cached.header("etag"), Some("\"v2\""));
    let stale = app
        .send(
            app.req(Method::GET, &path, &t.admin.token)
                .header("If-None-Match", "\"v1\""),
        )
        .await;
    assert_eq!(stale.ok(200)["version"], 2);

    let r = app
        .send(
            app.req(Method::PATCH, &path, &t.admin.token)
                .header("If-Match", "*")
                .json(&json!({"title": "Any"})),
        )
        .await;
    assert_eq!(r.ok(200)["version"], 3);
    // An empty change changes nothing, not even the version.
    let r = app.patch(&path, &t.admin.token, json!({})).await;
    assert_eq!(r.ok(200)["version"], 3);
    assert_eq!(r.header("etag"), Some("\"v3\""));

    // Transitions honour If-Match too: a stale version moves nothing, the current one moves.
    let move_with = async |tag: &str| {
        app.send(
            app.req(Method::POST, &format!("{path}/transitions"), &t.admin.token)
                .header("If-Match", tag)
                .json(&json!({"to": "in_progress"})),
        )
        .await
    };
    move_with("\"v2\"")
        .await
        .problem(412, "precondition_failed");
    let now = app.get(&path, &t.admin.token).await;
    assert_eq!(now.ok(200)["status"], "open");
    let moved = move_with("\"v3\"").await;
    assert_eq!(moved.ok(200)["status"], "in_progress");
    assert_eq!(moved.header("etag"), Some("\"v4\""));
}

#[tokio::test]
async fn numbers_count_per_tenant() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    assert_eq!(
        create(&app, &a.admin.token, json!({"title": "a1"})).await["number"],
        "TCK-1"
    );
    assert_eq!(
        create(&app, &a.admin.token, json!({"title": "a2"})).await["number"],
        "TCK-2"
    );
    assert_eq!(
        create(&app, &b.admin.token, json!({"title": "b1"})).await["number"],
        "TCK-1"
    );
}

#[tokio::test]
async fn another_tenants_ticket_is_404_on_every_endpoint_and_stays_unchanged() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let ticket = create(&app, &a.admin.token, json!({"title": "Tenant A only"})).await;
    let id = id_of(&ticket);
    let refs = app
        .post(
            &format!("/v1/tickets/{id}/external-refs"),
            &a.admin.token,
            json!({"system": "jira", "external_id": "A-1"}),
        )
        .await;
    let ref_id = id_of(refs.ok(201));
    let tok = &b.admin.token;

    app.get(&format!("/v1/tickets/{id}"), tok)
        .await
        .problem(404, "not_found");
    app.patch(&format!("/v1/tickets/{id}"), tok, json!({"title": "pwned"}))
        .await
        .problem(404, "not_found");
    app.post(
        &format!("/v1/tickets/{id}/transitions"),
        tok,
        json!({"to": "in_progress"}),
    )
    .await
    .problem(404, "not_found");
    app.get(&format!("/v1/tickets/{id}/history"), tok)
        .await
        .problem(404, "not_found");
    app.post(
        &format!("/v1/tickets/{id}/messages"),
        tok,
        json!({"content": "hello"}),
    )
    .await
    .problem(404, "not_found");
    app.get(&format!("/v1/tickets/{id}/messages"), tok)
        .await
        .problem(404, "not_found");
    app.post(
        &format!("/v1/tickets/{id}/external-refs"),
        tok,
        json!({"system": "jira", "external_id": "B-1"}),
    )
    .await
    .problem(404, "not_found");
    app.get(&format!("/v1/tickets/{id}/external-refs"), tok)
        .await
        .problem(404, "not_found");
    app.delete(&format!("/v1/tickets/{id}/external-refs/{ref_id}"), tok)
        .await
        .problem(404, "not_found");
    assert!(ids(app.get("/v1/tickets", tok).await.ok(200)).is_empty());
    let q = app.get("/v1/tickets?q=tenant", tok).await;
    assert!(ids(q.ok(200)).is_empty());

    let mine = app.get(&format!("/v1/tickets/{id}"), &a.admin.token).await;
    let mine = mine.ok(200);
    assert_eq!(mine["title"], "Tenant A only");
    assert_eq!(mine["version"], 1);
    assert_eq!(mine["status"], "open");
    let msgs = app
        .get(&format!("/v1/tickets/{id}/messages"), &a.admin.token)
        .await;
    assert!(ids(msgs.ok(200)).is_empty());
    let refs = app
        .get(&format!("/v1/tickets/{id}/external-refs"), &a.admin.token)
        .await;
    assert_eq!(ids(refs.ok(200)), vec![ref_id]);
    let hist = app
        .get(&format!("/v1/tickets/{id}/history"), &a.admin.token)
        .await;
    assert_eq!(hist.ok(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_user_sees_only_their_own_tickets() {
    let app = spawn().await;
    let t = app.tenant().await;
    let alice = app.user(&t, "user").await;
    let bob = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    let hers = create(&app, &alice.token, json!({"title": "Alice's laptop"})).await;
    assert_eq!(hers["creator_id"], alice.id.to_string());
    let id = id_of(&hers);

    app.get(&format!("/v1/tickets/{id}"), &bob.token)
        .await
        .problem(404, "not_found");
    app.get(&format!("/v1/tickets/{id}/messages"), &bob.token)
        .await
        .problem(404, "not_found");
    app.get(&format!("/v1/tickets/{id}/history"), &bob.token)
        .await
        .problem(404, "not_found");
    app.post(
        &format!("/v1/tickets/{id}/messages"),
        &bob.token,
        json!({"content": "me too"}),
    )
    .await
    .problem(404, "not_found");
    app.patch(
        &format!("/v1/tickets/{id}"),
        &bob.token,
        json!({"title": "x"}),
    )
    .await
    .problem(404, "not_found");
    assert!(ids(app.get("/v1/tickets", &bob.token).await.ok(200)).is_empty());
    let by_creator = app
        .get(&format!("/v1/tickets?creator={}", alice.id), &bob.token)
        .await;
    assert!(ids(by_creator.ok(200)).is_empty());

    assert_eq!(
        ids(app.get("/v1/tickets", &alice.token).await.ok(200)),
        vec![id.clone()]
    );
    assert_eq!(
        ids(app.get("/v1/tickets", &agent.token).await.ok(200)),
        vec![id.clone()]
    );
    app.patch(
        &format!("/v1/tickets/{id}"),
        &alice.token,
        json!({"title": "Alice's old laptop"}),
    )
    .await
    .ok(200);
}

#[tokio::test]
async fn a_user_cannot_set_what_only_agents_set() {
    let app = spawn().await;
    let t = app.tenant().await;
    let user = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    for (field, value) in [
        ("priority", json!("urgent")),
        ("assignee_id", json!(agent.id)),
        ("tags", json!(["x"])),
    ] {
        let mut body = json!({"title": "mine"});
        body[field] = value;
        let r = app.post("/v1/tickets", &user.token, body).await;
        r.problem(403, "forbidden");
        assert_eq!(r.body["field"], field);
    }
    let id = id_of(&create(&app, &user.token, json!({"title": "mine"})).await);
    let r = app
        .patch(
            &format!("/v1/tickets/{id}"),
            &user.token,
            json!({"priority": "high"}),
        )
        .await;
    r.problem(403, "forbidden");
    assert_eq!(r.body["field"], "priority");
    let r = app
        .get(&format!("/v1/tickets/{id}/external-refs"), &user.token)
        .await;
    r.problem(403, "forbidden");
}

#[tokio::test]
async fn assignees_must_be_active_agents_or_admins_of_the_tenant() {
    let app = spawn().await;
    let t = app.tenant().await;
    let other = app.tenant().await;
    let user = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    let gone = app.user(&t, "agent").await;
    let foreign = app.user(&other, "agent").await;
    app.post(
        &format!("/v1/users/{}/deactivate", gone.id),
        &t.admin.token,
        json!({}),
    )
    .await
    .ok(200);
    let id = id_of(&create(&app, &t.admin.token, json!({"title": "assign me"})).await);
    for who in [user.id, gone.id, foreign.id, Uuid::new_v4()] {
        app.patch(
            &format!("/v1/tickets/{id}"),
            &t.admin.token,
            json!({"assignee_id": who}),
        )
        .await
        .problem_field(422, "assignee_id");
        app.post(
            "/v1/tickets",
            &t.admin.token,
            json!({"title": "x", "assignee_id": who}),
        )
        .await
        .problem_field(422, "assignee_id");
    }
    let r = app
        .patch(
            &format!("/v1/tickets/{id}"),
            &t.admin.token,
            json!({"assignee_id": agent.id}),
        )
        .await;
    assert_eq!(r.ok(200)["assignee_id"], agent.id.to_string());
    let r = app
        .patch(
            &format!("/v1/tickets/{id}"),
            &t.admin.token,
            json!({"assignee_id": t.admin.id}),
        )
        .await;
    assert_eq!(r.ok(200)["assignee_id"], t.admin.id.to_string());
    let mine = app
        .get(
            &format!("/v1/tickets?assignee={}", t.admin.id),
            &agent.token,
        )
        .await;
    assert_eq!(ids(mine.ok(200)), vec![id]);
}

#[tokio::test]
async fn the_status_machine_refuses_bad_moves_with_the_allowed_ones_and_keeps_history() {
    let app = spawn().await;
    let t = app.tenant().await;
    let agent = app.user(&t, "agent").await;
    let id = id_of(&create(&app, &agent.token, json!({"title": "flow"})).await);
    let go = |to: &str, cred: &str| {
        let path = format!("/v1/tickets/{id}/transitions");
        let body = json!({"to": to, "reason": format!("to {to}")});
        let cred = cred.to_string();
        let app = &app;
        async move { app.post(&path, &cred, body).await }
    };

    let r = go("reopened", &agent.token).await;
    r.problem(409, "invalid_transition");
    assert_eq!(
        r.body["allowed"],
        json!([
            "in_progress",
            "pending_customer",
            "escalated",
            "resolved",
            "closed"
        ])
    );
    go("open", &agent.token)
        .await
        .problem(409, "invalid_transition");
    app.post(
        &format!("/v1/tickets/{id}/transitions"),
        &agent.token,
        json!({"to": "sideways"}),
    )
    .await
    .problem_field(422, "to");

    for to in ["in_progress", "pending_customer", "resolved", "closed"] {
        assert_eq!(go(to, &agent.token).await.ok(200)["status"], to);
    }
    let closed = app.get(&format!("/v1/tickets/{id}"), &agent.token).await;
    assert!(closed.ok(200)["closed_at"].is_string());
    let r = go("in_progress", &agent.token).await;
    r.problem(409, "invalid_transition");
    assert_eq!(r.body["allowed"], json!(["reopened"]));
    let reopened = go("reopened", &agent.token).await;
    assert!(reopened.ok(200).get("closed_at").is_none());
    go("escalated", &agent.token).await.ok(200);
    go("in_progress", &agent.token).await.ok(200);

    let h = app
        .get(&format!("/v1/tickets/{id}/history"), &agent.token)
        .await;
    let items = h.ok(200)["items"].as_array().unwrap().clone();
    let moves: Vec<(Value, Value)> = items
        .iter()
        .map(|i| (i["from"].clone(), i["to"].clone()))
        .collect();
    assert_eq!(
        moves,
        vec![
            (Value::Null, json!("open")),
            (json!("open"), json!("in_progress")),
            (json!("in_progress"), json!("pending_customer")),
            (json!("pending_customer"), json!("resolved")),
            (json!("resolved"), json!("closed")),
            (json!("closed"), json!("reopened")),
            (json!("reopened"), json!("escalated")),
            (json!("escalated"), json!("in_progress")),
        ]
    );
    assert_eq!(items[1]["reason"], "to in_progress");
    assert_eq!(items[1]["actor_id"], agent.id.to_string());
}

#[tokio::test]
async fn a_user_may_only_close_or_reopen_their_ticket() {
    let app = spawn().await;
    let t = app.tenant().await;
    let user = app.user(&t, "user").await;
    let id = id_of(&create(&app, &user.token, json!({"title": "mine"})).await);
    let path = format!("/v1/tickets/{id}/transitions");
    let r = app
        .post(&path, &user.token, json!({"to": "in_progress"}))
        .await;
    r.problem(403, "forbidden");
    let r = app
        .post(&path, &user.token, json!({"to": "reopened"}))
        .await;
    r.problem(409, "invalid_transition");
    assert_eq!(r.body["allowed"], json!([]));
    app.post(&path, &t.admin.token, json!({"to": "resolved"}))
        .await
        .ok(200);
    assert_eq!(
        app.post(&path, &user.token, json!({"to": "reopened"}))
            .await
            .ok(200)["status"],
        "reopened"
    );
    app.post(&path, &t.admin.token, json!({"to": "resolved"}))
        .await
        .ok(200);
    assert_eq!(
        app.post(&path, &user.token, json!({"to": "closed"}))
            .await
            .ok(200)["status"],
        "closed"
    );
}

#[tokio::test]
async fn bad_list_parameters_are_422_naming_the_parameter() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=dDE6Y3JlYXRlZDpkZXNjOnh4Onl5", "cursor"),
        ("status=open,bogus", "status"),
        ("priority=extreme", "priority"),
        ("sort=title", "sort"),
        ("order=sideways", "order"),
        ("created_after=yesterday", "created_after"),
        ("updated_before=2020-13-45", "updated_before"),
        ("assignee=bob", "assignee"),
        ("creator=42", "creator"),
        // An empty `tag=` filters nothing (tickets::empty_list_parameters_filter_nothing).
        (
            "tag=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "tag",
        ),
    ] {
        let r = app.get(&format!("/v1/tickets?{query}"), tok).await;
        r.problem_field(422, field);
    }
    let long = "word ".repeat(101);
    app.get(&format!("/v1/tickets?q={}", long.replace(' ', "%20")), tok)
        .await
        .problem_field(422, "q");
    let r = app.get("/v1/tickets?status=nope", tok).await;
    assert!(
        r.body["allowed"]
            .as_array()
            .unwrap()
            .contains(&json!("pending_customer")),
        "{}",
        r.text
    );
    for path in ["messages", "history"] {
        let id = Uuid::new_v4();
        app.get(&format!("/v1/tickets/{id}/{path}?limit=0"), tok)
            .await
            .problem_field(422, "limit");
    }

    // A cursor only continues the list it came from.
    for i in 0..3 {
        create(&app, tok, json!({"title": format!("t{i}")})).await;
    }
    let page = app.get("/v1/tickets?limit=1", tok).await;
    let cursor = page.ok(200)["next_cursor"].as_str().unwrap().to_string();
    app.get(
        &format!("/v1/tickets?limit=1&sort=priority&cursor={cursor}"),
        tok,
    )
    .await
    .problem_field(422, "cursor");
    app.get(
        &format!("/v1/tickets?limit=1&order=asc&cursor={cursor}"),
        tok,
    )
    .await
    .problem_field(422, "cursor");
}

#[tokio::test]
async fn lists_filter_sort_and_page_stably_while_tickets_arrive() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let mut made = Vec::new();
    for (i, prio) in ["low", "urgent", "medium", "high", "urgent"]
        .iter()
        .enumerate()
    {
        let tags = if i % 2 == 0 {
            json!(["even"])
        } else {
            json!(["odd", "x"])
        };
        made.push(id_of(
            &create(
                &app,
                tok,
                json!({"title": format!("t{i}"), "priority": prio, "tags": tags}),
            )
            .await,
        ));
    }
    let go = |s: &str| {
        format!(
            "/v1/tickets/{}/transitions",
            made[s.parse::<usize>().unwrap()]
        )
    };
    app.post(&go("1"), tok, json!({"to": "in_progress"}))
        .await
        .ok(200);
    app.post(&go("3"), tok, json!({"to": "escalated"}))
        .await
        .ok(200);

    // Pages of two, oldest first, with a ticket created between pages.
    let p1 = app.get("/v1/tickets?limit=2&order=asc", tok).await;
    let p1 = p1.ok(200).clone();
    assert_eq!(ids(&p1), made[..2].to_vec());
    let late = id_of(&create(&app, tok, json!({"title": "late"})).await);
    let mut seen = ids(&p1);
    let mut cursor = p1["next_cursor"].as_str().map(str::to_string);
    while let Some(c) = cursor {
        let p = app
            .get(&format!("/v1/tickets?limit=2&order=asc&cursor={c}"), tok)
            .await;
        let p = p.ok(200).clone();
        seen.extend(ids(&p));
        cursor = p["next_cursor"].as_str().map(str::to_string);
    }
    let mut expected = made.clone();
    expected.push(late.clone());
    assert_eq!(seen, expected);

    // Newest first, pages of two.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/v1/tickets?limit=2&cursor={c}"),
            None => "/v1/tickets?limit=2".to_string(),
        };
        let p = app.get(&url, tok).await.ok(200).clone();
        seen.extend(ids(&p));
        cursor = p["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    expected.reverse();
    assert_eq!(seen, expected);

    // By priority, most urgent first, ties by id (descending), paged.
    let p = app
        .get("/v1/tickets?sort=priority&order=desc&limit=3", tok)
        .await
        .ok(200)
        .clone();
    let mut urgent = [made[1].clone(), made[4].clone()];
    urgent.sort();
    urgent.reverse();
    assert_eq!(
        ids(&p),
        vec![urgent[0].clone(), urgent[1].clone(), made[3].clone()]
    );
    let c = p["next_cursor"].as_str().unwrap();
    let p2 = app
        .get(
            &format!("/v1/tickets?sort=priority&order=desc&limit=3&cursor={c}"),
            tok,
        )
        .await;
    assert_eq!(
        ids(p2.ok(200)),
        vec![late.clone(), made[2].clone(), made[0].clone()]
    );

    // Filters.
    let r = app
        .get("/v1/tickets?status=in_progress,escalated&order=asc", tok)
        .await;
    assert_eq!(ids(r.ok(200)), vec![made[1].clone(), made[3].clone()]);
    let r = app
        .get(
            "/v1/tickets?status=in_progress&status=escalated&order=asc",
            tok,
        )
        .await;
    assert_eq!(ids(r.ok(200)), vec![made[1].clone(), made[3].clone()]);
    let r = app.get("/v1/tickets?priority=urgent&order=asc", tok).await;
    assert_eq!(ids(r.ok(200)), vec![made[1].clone(), made[4].clone()]);
    let r = app.get("/v1/tickets?tag=odd&tag=x&order=asc", tok).await;
    assert_eq!(ids(r.ok(200)), vec![made[1].clone(), made[3].clone()]);
    let r = app.get("/v1/tickets?tag=even&priority=urgent", tok).await;
    assert_eq!(ids(r.ok(200)), vec![made[4].clone()]);
    let r = app
        .get(&format!("/v1/tickets?creator={}", t.admin.id), tok)
        .await;
    assert_eq!(ids(r.ok(200)).len(), 6);

    // Time windows and sorting by the last change.
    let all = app.get("/v1/tickets?order=asc", tok).await.ok(200).clone();
    let third_created = all["items"][2]["created_at"].as_str().unwrap().to_string();
    let enc = |s: &str| s.replace('+', "%2B").replace(':', "%3A");
    let r = app
        .get(
            &format!(
                "/v1/tickets?order=asc&created_after={}",
                enc(&third_created)
            ),
            tok,
        )
        .await;
    assert_eq!(
        ids(r.ok(200)),
        vec![made[3].clone(), made[4].clone(), late.clone()]
    );
    let r = app
        .get(
            &format!(
                "/v1/tickets?order=asc&created_before={}",
                enc(&third_created)
            ),
            tok,
        )
        .await;
    assert_eq!(ids(r.ok(200)), made[..2].to_vec());
    app.patch(
        &format!("/v1/tickets/{}", made[0]),
        tok,
        json!({"title": "touched"}),
    )
    .await
    .ok(200);
    let r = app.get("/v1/tickets?sort=updated&limit=1", tok).await;
    assert_eq!(ids(r.ok(200)), vec![made[0].clone()]);
    let touched = app
        .get(&format!("/v1/tickets/{}", made[0]), tok)
        .await
        .ok(200)["updated_at"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .get(&format!("/v1/tickets?updated_after={}", enc(&touched)), tok)
        .await;
    assert!(ids(r.ok(200)).is_empty());
    let r = app
        .get(
            &format!(
                "/v1/tickets?sort=updated&order=asc&updated_before={}",
                enc(&touched)
            ),
            tok,
        )
        .await;
    assert_eq!(ids(r.ok(200)).len(), 5);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_response_and_refuses_another_body() {
    let app = spawn().await;
    let t = app.tenant().await;
    let other = app.tenant().await;
    let key = Uuid::new_v4().to_string();
    let send = |tok: &str, body: Value| {
        app.send(
            app.req(Method::POST, "/v1/tickets", tok)
                .header("Idempotency-Key", &key)
                .json(&body),
        )
    };
    let first = send(&t.admin.token, json!({"title": "Once", "tags": ["a"]})).await;
    first.ok(201);
    assert!(first.header("idempotent-replayed").is_none());
    // Same request (whitespace and key order do not matter): same status and body.
    let again = app
        .send(
            app.req(Method::POST, "/v1/tickets", &t.admin.token)
                .header("Idempotency-Key", &key)
                .header("content-type", "application/json")
                .body(r#"{ "tags": ["a"],   "title": "Once" }"#),
        )
        .await;
    assert_eq!(again.status.as_u16(), 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("etag"), first.header("etag"));

    let r = send(&t.admin.token, json!({"title": "Twice"})).await;
    r.problem(422, "idempotency_key_reused");
    assert_eq!(r.body["field"], "Idempotency-Key");
    // Another caller of the same tenant with the same key is a different request too.
    let agent = app.user(&t, "agent").await;
    send(&agent.token, json!({"title": "Once", "tags": ["a"]}))
        .await
        .problem(422, "idempotency_key_reused");
    // Keys are per tenant.
    let theirs = send(&other.admin.token, json!({"title": "Once", "tags": ["a"]})).await;
    assert_ne!(theirs.ok(201)["id"], first.body["id"]);

    let list = app.get("/v1/tickets", &t.admin.token).await;
    assert_eq!(ids(list.ok(200)), vec![id_of(&first.body)]);

    // Messages too.
    let id = id_of(&first.body);
    let path = format!("/v1/tickets/{id}/messages");
    let mkey = Uuid::new_v4().to_string();
    let post = |body: Value| {
        app.send(
            app.req(Method::POST, &path, &t.admin.token)
                .header("Idempotency-Key", &mkey)
                .json(&body),
        )
    };
    let m1 = post(json!({"content": "hello"})).await;
    m1.ok(201);
    let m2 = post(json!({"content": "hello"})).await;
    assert_eq!(m2.body, m1.body);
    assert_eq!(m2.header("idempotent-replayed"), Some("true"));
    post(json!({"content": "bye"}))
        .await
        .problem(422, "idempotency_key_reused");
    let msgs = app.get(&path, &t.admin.token).await;
    assert_eq!(ids(msgs.ok(200)).len(), 1);

    let r = app
        .send(
            app.req(Method::POST, "/v1/tickets", &t.admin.token)
                .header("Idempotency-Key", "")
                .json(&json!({"title": "x"})),
        )
        .await;
    r.problem_field(422, "Idempotency-Key");
}

#[tokio::test]
async fn messages_come_in_order_and_internal_notes_stay_internal() {
    let app = spawn().await;
    let t = app.tenant().await;
    let user = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    let id = id_of(&create(&app, &user.token, json!({"title": "Help"})).await);
    let path = format!("/v1/tickets/{id}/messages");

    let m1 = app
        .post(&path, &user.token, json!({"content": "It broke"}))
        .await;
    assert_eq!(m1.ok(201)["role"], "user");
    assert_eq!(m1.body["author_id"], user.id.to_string());
    let note = app
        .post(
            &path,
            &agent.token,
            json!({"content": "Customer is on the old plan", "is_internal": true}),
        )
        .await;
    assert_eq!(note.ok(201)["role"], "agent");
    let m3 = app
        .post(
            &path,
            &agent.token,
            json!({"content": "Try turning it off and on"}),
        )
        .await;
    m3.ok(201);
    let m4 = app
        .post(
            &path,
            &agent.token,
            json!({"content": "Summary", "role": "assistant"}),
        )
        .await;
    assert_eq!(m4.ok(201)["role"], "assistant");

    let r = app
        .post(
            &path,
            &user.token,
            json!({"content": "psst", "is_internal": true}),
        )
        .await;
    r.problem(403, "forbidden");
    assert_eq!(r.body["field"], "is_internal");
    let r = app
        .post(
            &path,
            &user.token,
            json!({"content": "I am staff", "role": "agent"}),
        )
        .await;
    r.problem(403, "forbidden");
    app.post(&path, &user.token, json!({"content": "   "}))
        .await
        .problem_field(422, "content");
    app.post(&path, &user.token, json!({}))
        .await
        .problem_field(422, "content");

    let all = app.get(&path, &agent.token).await;
    assert_eq!(
        ids(all.ok(200)),
        vec![
            id_of(&m1.body),
            id_of(&note.body),
            id_of(&m3.body),
            id_of(&m4.body)
        ]
    );
    let theirs = app.get(&path, &user.token).await;
    assert_eq!(
        ids(theirs.ok(200)),
        vec![id_of(&m1.body), id_of(&m3.body), id_of(&m4.body)]
    );
    assert!(!theirs.text.contains("old plan"));

    // Paging keeps the order.
    let p1 = app
        .get(&format!("{path}?limit=2"), &agent.token)
        .await
        .ok(200)
        .clone();
    let c = p1["next_cursor"].as_str().unwrap();
    let p2 = app
        .get(&format!("{path}?limit=2&cursor={c}"), &agent.token)
        .await;
    assert_eq!(ids(p2.ok(200)), vec![id_of(&m3.body), id_of(&m4.body)]);
}

#[tokio::test]
async fn a_customer_reply_moves_a_pending_ticket_back_to_in_progress() {
    let app = spawn().await;
    let t = app.tenant().await;
    let user = app.user(&t, "user").await;
    let id = id_of(&create(&app, &user.token, json!({"title": "Waiting"})).await);
    let tr = format!("/v1/tickets/{id}/transitions");
    app.post(&tr, &t.admin.token, json!({"to": "pending_customer"}))
        .await
        .ok(200);
    let msgs = format!("/v1/tickets/{id}/messages");
    // An agent's message does not change the status.
    app.post(&msgs, &t.admin.token, json!({"content": "Any news?"}))
        .await
        .ok(201);
    assert_eq!(
        app.get(&format!("/v1/tickets/{id}"), &user.token)
            .await
            .ok(200)["status"],
        "pending_customer"
    );
    app.post(&msgs, &user.token, json!({"content": "Here is the log"}))
        .await
        .ok(201);
    assert_eq!(
        app.get(&format!("/v1/tickets/{id}"), &user.token)
            .await
            .ok(200)["status"],
        "in_progress"
    );
    let h = app
        .get(&format!("/v1/tickets/{id}/history"), &user.token)
        .await;
    let last = h.ok(200)["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["from"], "pending_customer");
    assert_eq!(last["to"], "in_progress");
    assert_eq!(last["actor_id"], user.id.to_string());
    // A reply on an in_progress ticket changes nothing.
    app.post(&msgs, &user.token, json!({"content": "and another"}))
        .await
        .ok(201);
    let h = app
        .get(&format!("/v1/tickets/{id}/history"), &user.token)
        .await;
    assert_eq!(h.ok(200)["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn external_refs_are_unique_per_tenant_and_removable() {
    let app = spawn().await;
    let t = app.tenant().await;
    let other = app.tenant().await;
    let a = id_of(&create(&app, &t.admin.token, json!({"title": "a"})).await);
    let b = id_of(&create(&app, &t.admin.token, json!({"title": "b"})).await);
    let body = json!({"system": "jira", "external_id": "OPS-1", "url": "https://jira.example/OPS-1", "metadata": {"k": 1}});
    let r = app
        .post(
            &format!("/v1/tickets/{a}/external-refs"),
            &t.admin.token,
            body.clone(),
        )
        .await;
    let created = r.ok(201).clone();
    assert_eq!(created["system"], "jira");
    assert_eq!(created["url"], "https://jira.example/OPS-1");
    let r = app
        .post(
            &format!("/v1/tickets/{a}/external-refs"),
            &t.admin.token,
            body.clone(),
        )
        .await;
    r.problem(409, "external_ref_exists");
    assert_eq!(r.body["field"], "external_id");
    app.post(
        &format!("/v1/tickets/{b}/external-refs"),
        &t.admin.token,
        body.clone(),
    )
    .await
    .problem(409, "external_ref_exists");
    app.post(
        &format!("/v1/tickets/{a}/external-refs"),
        &t.admin.token,
        json!({"system": "Jira!", "external_id": "x"}),
    )
    .await
    .problem_field(422, "system");
    // Another tenant may link the same record.
    let o = id_of(&create(&app, &other.admin.token, json!({"title": "o"})).await);
    app.post(
        &format!("/v1/tickets/{o}/external-refs"),
        &other.admin.token,
        body.clone(),
    )
    .await
    .ok(201);

    let list = app
        .get(&format!("/v1/tickets/{a}/external-refs"), &t.admin.token)
        .await;
    assert_eq!(ids(list.ok(200)), vec![id_of(&created)]);
    let ref_id = id_of(&created);
    // The reference belongs to ticket a, not b.
    app.delete(
        &format!("/v1/tickets/{b}/external-refs/{ref_id}"),
        &t.admin.token,
    )
    .await
    .problem(404, "not_found");
    let r = app
        .delete(
            &format!("/v1/tickets/{a}/external-refs/{ref_id}"),
            &t.admin.token,
        )
        .await;
    assert_eq!(r.status.as_u16(), 204);
    app.delete(
        &format!("/v1/tickets/{a}/external-refs/{ref_id}"),
        &t.admin.token,
    )
    .await
    .problem(404, "not_found");
    app.post(
        &format!("/v1/tickets/{b}/external-refs"),
        &t.admin.token,
        body,
    )
    .await
    .ok(201);
}

#[tokio::test]
async fn keyword_search_finds_tickets_by_their_messages_but_not_by_hidden_notes() {
    let app = spawn().await;
    let t = app.tenant().await;
    let user = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    let vpn = id_of(
        &create(
            &app,
            &user.token,
            json!({"title": "Cannot connect", "description": "Since Monday"}),
        )
        .await,
    );
    let printer = id_of(&create(&app, &user.token, json!({"title": "Printer jammed"})).await);
    app.post(
        &format!("/v1/tickets/{vpn}/messages"),
        &user.token,
        json!({"content": "The VPN client shows error 809"}),
    )
    .await
    .ok(201);
    app.post(
        &format!("/v1/tickets/{printer}/messages"),
        &agent.token,
        json!({"content": "Known firmware regression", "is_internal": true}),
    )
    .await
    .ok(201);

    let r = app.get("/v1/tickets?q=vpn%20error", &agent.token).await;
    assert_eq!(ids(r.ok(200)), vec![vpn.clone()]);
    let r = app.get("/v1/tickets?q=printers", &user.token).await;
    assert_eq!(ids(r.ok(200)), vec![printer.clone()], "stemmed title match");
    let r = app.get("/v1/tickets?q=firmware", &agent.token).await;
    assert_eq!(ids(r.ok(200)), vec![printer.clone()]);
    let r = app.get("/v1/tickets?q=firmware", &user.token).await;
    assert!(
        ids(r.ok(200)).is_empty(),
        "an internal note must not make a user's search match"
    );
    let r = app
        .get(
            "/v1/tickets?q=%22cannot%20connect%22%20-printer",
            &user.token,
        )
        .await;
    assert_eq!(ids(r.ok(200)), vec![vpn]);
}

/// A ticket and each message are searched in their own language (given, or detected): Russian
/// words match in other forms, through the list and through the tenant-keyed index alike.
#[tokio::test]
async fn tickets_and_messages_are_searched_in_their_language() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let printer = create(
        &app,
        tok,
        json!({"title": "Не печатает принтер", "description": "Принтер в бухгалтерии не печатает документы"}),
    )
    .await;
    assert_eq!(printer["language"], "ru");
    let printer = id_of(&printer);
    let given = create(
        &app,
        tok,
        json!({"title": "Принтеры", "description": "Список", "language": "other"}),
    )
    .await;
    assert_eq!(given["language"], "other");
    let english = id_of(&create(&app, tok, json!({"title": "Printer jammed"})).await);
    assert_eq!(
        app.get(&format!("/v1/tickets/{english}"), tok)
            .await
            .ok(200)["language"],
        "en"
    );
    let vpn = id_of(&create(&app, tok, json!({"title": "VPN"})).await);
    app.post(
        &format!("/v1/tickets/{vpn}/messages"),
        tok,
        json!({"content": "Клиент VPN показывает ошибку подключения"}),
    )
    .await
    .ok(201);

    // "принтера" and "ошибки" are other forms of words in the Russian ticket and message; the
    // ticket in `other` only matches words as written.
    let r = app.get("/v1/tickets?q=принтера", tok).await;
    assert_eq!(ids(r.ok(200)), vec![printer.clone()]);
    let r = app.get("/v1/tickets?q=ошибки", tok).await;
    assert_eq!(ids(r.ok(200)), vec![vpn.clone()]);
    let r = app.get("/v1/tickets?q=printers", tok).await;
    assert_eq!(ids(r.ok(200)), vec![english]);
    // The candidates (sql/0040, through the index) find the same by any language's query.
    let found: Vec<Uuid> = app
        .state
        .db
        .tenant(&crate::knowledge::agent_scope(&t), async |tx| {
            Ok(tx
                .query_one(
                    "select ticket_search_candidates(kb_websearch_any($1), null, 100)",
                    &[&"принтера"],
                )
                .await?
                .get(0))
        })
        .await
        .unwrap();
    assert_eq!(found, vec![printer.parse::<Uuid>().unwrap()]);
    app.post(
        "/v1/tickets",
        tok,
        json!({"title": "x", "language": "russian"}),
    )
    .await
    .problem_field(422, "language");
}

/// A `PATCH` of the title or description detects the ticket's language again from what the
/// ticket then holds (as opening it does), unless `language` is given; other changes keep it.
#[tokio::test]
async fn a_patch_of_the_text_detects_the_tickets_language_again_unless_it_is_given() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let ticket = create(
        &app,
        tok,
        json!({"title": "Printer", "description": "It is broken"}),
    )
    .await;
    assert_eq!(ticket["language"], "en");
    let path = format!("/v1/tickets/{}", id_of(&ticket));
    // Only the priority: the language stays.
    let r = app.patch(&path, tok, json!({"priority": "high"})).await;
    assert_eq!(r.ok(200)["language"], "en");
    // The description alone, in Russian: the language follows the title and the new
    // description together, and the Russian word forms find it.
    let r = app
        .patch(
            &path,
            tok,
            json!({"title": "Принтер не печатает", "description": "Принтер в бухгалтерии не печатает документы с утра"}),
        )
        .await;
    assert_eq!(r.ok(200)["language"], "ru");
    let found = app.get("/v1/tickets?q=принтера", tok).await;
    assert_eq!(ids(found.ok(200)), vec![id_of(&ticket)]);
    // The user who opened a ticket may change its text, and its language with it.
    let user = app.user(&t, "user").await;
    let own = create(&app, &user.token, json!({"title": "Не работает VPN"})).await;
    assert_eq!(own["language"], "ru");
    let own_path = format!("/v1/tickets/{}", id_of(&own));
    let r = app
        .patch(
            &own_path,
            &user.token,
            json!({"title": "The VPN client does not connect"}),
        )
        .await;
    assert_eq!(r.ok(200)["language"], "en");
    // Given, it wins over detection; nonsense is a 422 naming it, and nothing changes.
    let r = app
        .patch(&path, tok, json!({"title": "Принтер", "language": "other"}))
        .await;
    assert_eq!(r.ok(200)["language"], "other");
    let version = r.body["version"].clone();
    for bad in [json!("russian"), json!(null), json!(7)] {
        app.patch(&path, tok, json!({"title": "Printer", "language": bad}))
            .await
            .problem_field(422, "language");
    }
    let now = app.get(&path, tok).await;
    assert_eq!(
        (
            &now.ok(200)["title"],
            &now.body["language"],
            &now.body["version"]
        ),
        (&json!("Принтер"), &json!("other"), &version)
    );
}

/// The policy itself, as the service's login role with no HTTP in between: a `user` reads and
/// writes only their own tickets and never internal notes, whatever the query says.
#[tokio::test]
async fn the_database_policy_limits_a_user_to_their_own_tickets() {
    let app = spawn().await;
    let t = app.tenant().await;
    let alice = app.user(&t, "user").await;
    let bob = app.user(&t, "user").await;
    let hers = id_of(&create(&app, &alice.token, json!({"title": "alice"})).await);
    let his = id_of(&create(&app, &bob.token, json!({"title": "bob"})).await);
    app.post(
        &format!("/v1/tickets/{hers}/messages"),
        &t.admin.token,
        json!({"content": "internal", "is_internal": true}),
    )
    .await
    .ok(201);
    app.post(
        &format!("/v1/tickets/{hers}/messages"),
        &t.admin.token,
        json!({"content": "public"}),
    )
    .await
    .ok(201);

    let mut conn = app_conn().await;
    let scope = "select set_config('role', 'tenantdesk_tenant', true), set_config('app.tenant_id', $1, true),
                        set_config('app.user_id', $2, true), set_config('app.role', $3, true)";
    let tenant = t.id.to_string();

    let tx = conn.transaction().await.unwrap();
    tx.query(scope, &[&tenant, &alice.id.to_string(), &"user"])
        .await
        .unwrap();
    let rows = tx.query("select id::text from tickets", &[]).await.unwrap();
    let seen: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        seen,
        vec![hers.clone()],
        "no tenant_id or creator filter in the query: the policy decides"
    );
    let n: i64 = tx
        .query_one(
            "select count(*) from tickets where id = $1::text::uuid",
            &[&his],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    let msgs: Vec<String> = tx
        .query("select content from ticket_messages", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(msgs, vec!["public".to_string()]);
    let updated = tx
        .execute(
            "update tickets set title = 'pwned' where id = $1::text::uuid",
            &[&his],
        )
        .await
        .unwrap();
    assert_eq!(updated, 0);
    tx.rollback().await.unwrap();

    // Writing a ticket as someone else, or an internal note, is refused by WITH CHECK.
    for stmt in [
        format!(
            "insert into tickets (tenant_id, number, title, creator_id) values ('{tenant}', 999, 'forged', '{}')",
            bob.id
        ),
        format!(
            "insert into ticket_messages (tenant_id, ticket_id, role, author_id, content, is_internal)
             values ('{tenant}', '{hers}', 'user', '{}', 'sneaky', true)",
            alice.id
        ),
        format!(
            "insert into ticket_messages (tenant_id, ticket_id, role, author_id, content, is_internal)
             values ('{tenant}', '{his}', 'user', '{}', 'on his ticket', false)",
            alice.id
        ),
    ] {
        let tx = conn.transaction().await.unwrap();
        tx.query(scope, &[&tenant, &alice.id.to_string(), &"user"]).await.unwrap();
        let err = tx.batch_execute(&stmt).await.expect_err("the policy refuses it");
        assert_eq!(err.code(), Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{err:?}");
        tx.rollback().await.unwrap();
    }

    // An agent of the same tenant sees both tickets and the note; without settings, nothing.
    let tx = conn.transaction().await.unwrap();
    tx.query(scope, &[&tenant, &Uuid::new_v4().to_string(), &"agent"])
        .await
        .unwrap();
    let n: i64 = tx
        .query_one("select count(*) from tickets", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    let n: i64 = tx
        .query_one("select count(*) from ticket_messages", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    tx.rollback().await.unwrap();

    let tx = conn.transaction().await.unwrap();
    tx.query(scope, &[&"", &"", &""]).await.unwrap();
    let n: i64 = tx
        .query_one("select count(*) from tickets", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    tx.rollback().await.unwrap();

    // The platform role reads across tenants through its own policy, and writes nothing.
    let tx = conn.transaction().await.unwrap();
    tx.query(
        "select set_config('role', 'tenantdesk_platform', true)",
        &[],
    )
    .await
    .unwrap();
    let n: i64 = tx
        .query_one(
            "select count(*) from tickets where tenant_id = $1::text::uuid",
            &[&tenant],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    let err = tx
        .execute(
            "update tickets set title = 'x' where tenant_id = $1::text::uuid",
            &[&tenant],
        )
        .await
        .expect_err("no update grant");
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
    );
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn concurrent_creates_get_distinct_consecutive_numbers() {
    let app = spawn().await;
    let t = app.tenant().await;
    let reqs = (0..12).map(|i| {
        app.post(
            "/v1/tickets",
            &t.admin.token,
            json!({"title": format!("c{i}")}),
        )
    });
    let mut numbers: Vec<u64> = futures_util::future::join_all(reqs)
        .await
        .iter()
        .map(|r| {
            r.ok(201)["number"]
                .as_str()
                .unwrap()
                .trim_start_matches("TCK-")
                .parse()
                .unwrap()
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=12).collect::<Vec<u64>>());
}

#[tokio::test]
async fn concurrent_requests_with_one_idempotency_key_create_one_ticket() {
    let app = spawn().await;
    let t = app.tenant().await;
    let key = Uuid::new_v4().to_string();
    let reqs = (0..6).map(|_| {
        app.send(
            app.req(Method::POST, "/v1/tickets", &t.admin.token)
                .header("Idempotency-Key", &key)
                .json(&json!({"title": "race"})),
        )
    });
    let resps = futures_util::future::join_all(reqs).await;
    for r in &resps {
        assert_eq!(r.ok(201), &resps[0].body);
    }
    assert_eq!(
        resps
            .iter()
            .filter(|r| r.header("idempotent-replayed").is_none())
            .count(),
        1
    );
    let list = app.get("/v1/tickets", &t.admin.token).await;
    assert_eq!(ids(list.ok(200)).len(), 1);
}

#[tokio::test]
async fn api_keys_work_tickets_as_agents_and_read_only_keys_only_read() {
    let app = spawn().await;
    let t = app.tenant().await;
    let key = |scope: &str| {
        let body = json!({"name": format!("{scope}-{}", Uuid::new_v4().simple()), "scope": scope});
        let tok = t.admin.token.clone();
        let app = &app;
        async move {
            app.post("/v1/api-keys", &tok, body).await.ok(201)["key"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let rw = Cred::ApiKey(key("read_write").await);
    let ro = Cred::ApiKey(key("read_only").await);

    let created = app
        .post(
            "/v1/tickets",
            rw.clone(),
            json!({"title": "From the CRM", "priority": "high"}),
        )
        .await;
    let created = created.ok(201).clone();
    assert!(
        created.get("creator_id").is_none(),
        "an API key is not a user: {created}"
    );
    let id = id_of(&created);
    let r = app
        .post(
            &format!("/v1/tickets/{id}/transitions"),
            rw.clone(),
            json!({"to": "in_progress"}),
        )
        .await;
    r.ok(200);
    let h = app
        .get(&format!("/v1/tickets/{id}/history"), rw.clone())
        .await;
    assert!(h.ok(200)["items"][1].get("actor_id").is_none());

    assert_eq!(
        ids(app.get("/v1/tickets", ro.clone()).await.ok(200)),
        vec![id.clone()]
    );
    app.post("/v1/tickets", ro.clone(), json!({"title": "nope"}))
        .await
        .problem(403, "read_only_key");
    app.post(
        &format!("/v1/tickets/{id}/messages"),
        ro,
        json!({"content": "nope"}),
    )
    .await
    .problem(403, "read_only_key");
}

#[tokio::test]
async fn a_superadmin_works_a_tenants_tickets_only_by_naming_the_tenant() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    let id = id_of(&create(&app, &t.admin.token, json!({"title": "escalate me"})).await);
    app.get(&format!("/v1/tickets/{id}"), &root.token)
        .await
        .problem(403, "tenant_required");
    let acting = Cred::Acting(root.token.clone(), t.id);
    let r = app
        .post(
            &format!("/v1/tickets/{id}/transitions"),
            acting.clone(),
            json!({"to": "escalated"}),
        )
        .await;
    assert_eq!(r.ok(200)["status"], "escalated");
    let other = app.tenant_by(&root).await;
    app.get(
        &format!("/v1/tickets/{id}"),
        Cred::Acting(root.token.clone(), other.id),
    )
    .await
    .problem(404, "not_found");
    let audit = app.get("/v1/audit-log", &t.admin.token).await;
    assert!(
        audit
            .text
            .contains(&format!("/v1/tickets/{id}/transitions")),
        "{}",
        audit.text
    );
}

#[tokio::test]
async fn an_idempotency_key_expires_after_a_day_and_expired_keys_are_purged() {
    let app = spawn().await;
    let t = app.tenant().await;
    let post = |key: &str, title: &str| {
        app.send(
            app.req(Method::POST, "/v1/tickets", &t.admin.token)
                .header("Idempotency-Key", key)
                .json(&json!({"title": title})),
        )
    };
    let (old, stale) = (Uuid::new_v4().to_string(), Uuid::new_v4().to_string());
    let first = post(&old, "yesterday").await;
    first.ok(201);
    post(&stale, "long ago").await.ok(201);

    // Age both keys by 25 hours, as the tenant role (the only role that may write them).
    let mut conn = app_conn().await;
    let tx = conn.transaction().await.unwrap();
    tx.query(
        "select set_config('role', 'tenantdesk_tenant', true), set_config('app.tenant_id', $1, true)",
        &[&t.id.to_string()],
    )
    .await
    .unwrap();
    let aged = tx
        .execute(
            "update idempotency_keys set created_at = now() - interval '25 hours' where key = any($1)",
            &[&vec![old.clone(), stale.clone()]],
        )
        .await
        .unwrap();
    assert_eq!(aged, 2);
    tx.commit().await.unwrap();

    // An expired key is a new key: another body is accepted and makes another ticket.
    let again = post(&old, "today").await;
    assert_eq!(again.ok(201)["title"], "today");
    assert_ne!(again.body["id"], first.body["id"]);
    assert!(again.header("idempotent-replayed").is_none());

    // That claim purged the other expired key.
    let tx = conn.transaction().await.unwrap();
    tx.query(
        "select set_config('role', 'tenantdesk_tenant', true), set_config('app.tenant_id', $1, true)",
        &[&t.id.to_string()],
    )
    .await
    .unwrap();
    let keys: Vec<String> = tx
        .query("select key from idempotency_keys", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(keys, vec![old]);
    tx.rollback().await.unwrap();
}

/// With one pooled connection, every request reuses the previous one's session: the role and
/// user of an agent's request must not carry over into a customer's.
#[tokio::test]
async fn roles_do_not_leak_between_requests_on_one_pooled_connection() {
    let app = spawn_with(|c| c.pool_size = 1).await;
    let t = app.tenant().await;
    let other = app.tenant().await;
    let user = app.user(&t, "user").await;
    let theirs = create(&app, &t.admin.token, json!({"title": "admin's"})).await;
    let mine = create(&app, &user.token, json!({"title": "user's"})).await;
    let foreign = create(&app, &other.admin.token, json!({"title": "other tenant's"})).await;
    for _ in 0..3 {
        assert_eq!(
            ids(app.get("/v1/tickets", &t.admin.token).await.ok(200)).len(),
            2
        );
        assert_eq!(
            ids(app.get("/v1/tickets", &user.token).await.ok(200)),
            vec![id_of(&mine)]
        );
        app.get(&format!("/v1/tickets/{}", id_of(&theirs)), &user.token)
            .await
            .problem(404, "not_found");
        assert_eq!(
            ids(app.get("/v1/tickets", &other.admin.token).await.ok(200)),
            vec![id_of(&foreign)]
        );
        app.get(&format!("/v1/tickets/{}", id_of(&foreign)), &t.admin.token)
            .await
            .problem(404, "not_found");
    }
}

/// Every page of `path` (which has a `?`), following `next_cursor`: the ids in order.
async fn all_pages(app: &TestApp, tok: &str, path: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut url = path.to_string();
    loop {
        let page = app.get(&url, tok).await.ok(200).clone();
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => url = format!("{path}&cursor={c}"),
            None => return seen,
        }
    }
}

/// `q` and `tag` read their candidates through the tenant-keyed indexes (sql/0040) when few
/// tickets match, and walk the list when many do: both give the same pages, combined with status,
/// order and the cursor, and neither ever returns another tenant's tickets, though that tenant
/// uses the same word and tag more often (and words and tags of its own).
#[tokio::test]
async fn searches_and_tag_filters_give_the_same_pages_by_candidates_or_by_walking_and_stay_in_the_tenant()
 {
    let app = spawn().await;
    // The same database through a service that lists by candidates only up to one match.
    let walking = spawn_with(|c| c.ticket_search_candidates = 1).await;
    let (a, b) = (app.tenant().await, app.tenant().await);
    let word = format!("wombat{}", &Uuid::new_v4().simple().to_string()[..8]);
    let theirs = format!("{word}x");
    let tok = &a.admin.token;
    let ticket = async |title: &str, tags: Value| {
        id_of(&create(&app, tok, json!({"title": title, "tags": tags})).await)
    };
    let a0 = ticket(&format!("{word} in the title"), json!(["shared"])).await;
    let a1 = ticket("A message says it", json!(["shared"])).await;
    let a2 = ticket(&format!("{word} without the tag"), json!([])).await;
    let a3 = ticket("Neither the word", json!(["shared"])).await;
    let a4 = ticket("An internal note says it", json!(["shared"])).await;
    for (id, internal) in [(&a1, false), (&a4, true)] {
        app.post(
            &format!("/v1/tickets/{id}/messages"),
            tok,
            json!({"content": format!("It is the {word} again"), "is_internal": internal}),
        )
        .await
        .ok(201);
    }
    app.post(
        &format!("/v1/tickets/{a1}/transitions"),
        tok,
        json!({"to": "in_progress"}),
    )
    .await
    .ok(200);
    let mut b_ids = Vec::new();
    for i in 0..4 {
        b_ids.push(id_of(
            &create(
                &app,
                &b.admin.token,
                json!({"title": format!("{word} {theirs} {i}"), "tags": ["shared", "theirs"]}),
            )
            .await,
        ));
    }
    b_ids.reverse();

    let cases: [(String, Vec<&String>); 10] = [
        (format!("q={word}"), vec![&a4, &a2, &a1, &a0]),
        ("tag=shared".into(), vec![&a4, &a3, &a1, &a0]),
        (format!("q={word}&tag=shared"), vec![&a4, &a1, &a0]),
        (format!("q={word}&tag=shared&status=open"), vec![&a4, &a0]),
        (
            format!("q={word}&tag=shared&status=open&order=asc"),
            vec![&a0, &a4],
        ),
        (format!("q={word}&status=in_progress"), vec![&a1]),
        (format!("q=%22{word}%20in%20the%20title%22"), vec![&a0]),
        (format!("q={word}%20-title"), vec![&a4, &a2, &a1]),
        (format!("q={theirs}"), vec![]),
        ("tag=theirs".into(), vec![]),
    ];
    for (query, expected) in &cases {
        let expected: Vec<String> = expected.iter().map(|id| id.to_string()).collect();
        for limit in [1, 100] {
            let path = format!("/v1/tickets?{query}&limit={limit}");
            assert_eq!(all_pages(&app, tok, &path).await, expected, "{path}");
            assert_eq!(
                all_pages(&walking, tok, &path).await,
                expected,
                "{path}, walking"
            );
        }
    }
    for query in [
        format!("q={word}&tag=shared"),
        format!("q={theirs}"),
        "tag=theirs".into(),
    ] {
        let path = format!("/v1/tickets?{query}&limit=3");
        for service in [&app, &walking] {
            assert_eq!(
                all_pages(service, &b.admin.token, &path).await,
                b_ids,
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn empty_list_parameters_filter_nothing() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let made = app
        .post("/v1/tickets", tok, json!({"title": "t", "tags": ["vip"]}))
        .await;
    let id = made.ok(201)["id"].clone();
    let r = app
        .get(
            "/v1/tickets?tag=&status=&priority=open&priority=&cursor=",
            tok,
        )
        .await;
    // `priority=open` is not a priority: the one bad value still names its parameter.
    r.problem_field(422, "priority");
    let r = app
        .get(
            "/v1/tickets?tag=&tag=vip&status=open,&priority=&cursor=",
            tok,
        )
        .await;
    assert_eq!(r.ok(200)["items"][0]["id"], id, "{}", r.text);
}
