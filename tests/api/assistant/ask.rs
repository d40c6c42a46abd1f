//! `POST /v1/ask`: cited answers from the caller's own knowledge base, as JSON or streamed.

use std::collections::HashSet;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{FakeLlm, REFUNDS, ROUTER, Reply, knowledge, settings};
use crate::{knowledge::drain, support::*};

fn sentences_of(doc: &str) -> Vec<String> {
    doc.split_inclusive(". ")
        .map(|s| s.trim().to_string())
        .collect()
}

#[tokio::test]
async fn the_builtin_assistant_answers_with_a_cited_quote_from_the_right_document() {
    let app = spawn().await;
    let t = app.tenant().await;
    let [router, ..] = knowledge(&app, &t).await;
    let user = app.user(&t, "user").await;
    let r = app
        .post(
            "/v1/ask",
            &user.token,
            json!({"question": "How do I reset my router?"}),
        )
        .await;
    let a = r.ok(200).clone();
    assert_eq!(a["mode"], "extractive");
    assert_eq!(a["provider"], "builtin");
    assert_eq!(a["model"], "extractive/all-MiniLM-L6-v2");
    assert_eq!(a["escalated"], false, "{a}");
    let src = &a["sources"][0];
    assert_eq!(src["document_id"], router.to_string(), "{a}");
    assert_eq!(src["title"], "Resetting your router");
    assert_eq!(src["version"], 1);
    let n = src["ref"].as_i64().unwrap();
    let quote = src["quote"].as_str().unwrap();
    // It quotes, word for word, a sentence of the document, and cites it.
    assert!(
        sentences_of(ROUTER)
            .iter()
            .any(|s| quote.contains(s.as_str())),
        "{quote}"
    );
    let answer = a["answer"].as_str().unwrap();
    assert!(answer.contains(quote.split(" … ").next().unwrap()), "{a}");
    assert!(answer.contains(&format!("[{n}]")), "{a}");
    assert!(quote.contains("hold the reset button"), "{quote}");
    assert!(a["best_score"].as_f64().unwrap() > 0.5, "{a}");
    assert!(a["prompt_tokens"].as_i64().unwrap() > 0);
    assert!(a["completion_tokens"].as_i64().unwrap() > 0);
    assert!(a["retrieval_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(a["dropped_citations"], 0);
    let log: Uuid = a["log_id"].as_str().unwrap().parse().unwrap();

    let logs = app.get("/v1/query-logs", &t.admin.token).await;
    let entry = &logs.ok(200)["items"][0];
    assert_eq!(entry["id"], log.to_string());
    assert_eq!(entry["channel"], "ask");
    assert_eq!(entry["question"], "How do I reset my router?");
    assert_eq!(entry["answer"], a["answer"]);
    assert_eq!(entry["sources"], a["sources"]);
    assert_eq!(entry["caller_user_id"], user.id.to_string());
    assert_eq!(entry["provider"], "builtin");
    assert!(entry["generation_ms"].as_f64().unwrap() > 0.0);
    assert!(!entry["retrieved"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_answer_never_cites_another_tenants_chunk_even_when_both_hold_the_same_text() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    // B holds the same article before A does, and a copy with more in it.
    crate::knowledge::doc(&app, &b.admin.token, "Resetting your router", ROUTER).await;
    let more = format!("{ROUTER} Call us if the lights do not blink.");
    crate::knowledge::doc(&app, &b.admin.token, "Router reset (long)", &more).await;
    drain(&app, &b).await;
    let [router, ..] = knowledge(&app, &a).await;
    let chunks_of = async |t: &TestTenant| -> HashSet<String> {
        let r = app
            .post(
                "/v1/search",
                &t.admin.token,
                json!({"query": "reset router", "mode": "semantic", "top_k": 100}),
            )
            .await;
        r.ok(200)["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["chunk_id"].as_str().unwrap().to_string())
            .collect()
    };
    let (mine, theirs) = (chunks_of(&a).await, chunks_of(&b).await);
    assert!(mine.is_disjoint(&theirs));
    let fake = FakeLlm::start(Reply::Stream("Hold it [1]. Or [2]. Or [3].".into())).await;
    for provider in [json!({"provider": "builtin"}), fake.settings()] {
        settings(&app, &a, provider).await;
        let r = app
            .post(
                "/v1/ask",
                &a.admin.token,
                json!({"question": "How do I reset the router?"}),
            )
            .await;
        let body = r.ok(200).clone();
        let sources = body["sources"].as_array().unwrap();
        assert!(!sources.is_empty(), "{body}");
        for s in sources {
            assert!(mine.contains(s["chunk_id"].as_str().unwrap()), "{body}");
            assert!(s["document_id"] != json!(Uuid::nil()));
        }
        assert_eq!(sources[0]["document_id"], router.to_string());
        // What the provider was given came from A only: A has three passages at most.
        let log = app.get("/v1/query-logs?limit=1", &a.admin.token).await;
        for h in log.ok(200)["items"][0]["retrieved"].as_array().unwrap() {
            assert!(mine.contains(h["chunk_id"].as_str().unwrap()));
        }
    }
    let seen = fake.seen();
    let prompt = seen[0].body["messages"][1]["content"].as_str().unwrap();
    assert!(!prompt.contains("[4]"), "{prompt}");
}

#[tokio::test]
async fn the_openai_provider_streams_its_answer_and_unretrieved_citations_are_dropped_and_counted()
{
    let app = spawn().await;
    let t = app.tenant().await;
    let [router, ..] = knowledge(&app, &t).await;
    let fake = FakeLlm::start(Reply::Stream(
        "Hold the reset button for ten seconds [1]. Then call us [7], or see [1, 9].".into(),
    ))
    .await;
    settings(&app, &t, fake.settings()).await;
    let r = app
        .send(
            app.req(reqwest::Method::POST, "/v1/ask", &t.admin.token)
                .header("accept", "text/event-stream")
                .json(&json!({"question": "How do I reset the router?"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events = parse_sse(&r.text);
    let deltas: String = events
        .iter()
        .filter(|(e, _)| e == "delta")
        .map(|(_, d)| d["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        deltas,
        "Hold the reset button for ten seconds [1]. Then call us [7], or see [1, 9]."
    );
    let (last, done) = events.last().unwrap();
    assert_eq!(last, "done", "{events:?}");
    assert_eq!(
        done["answer"],
        "Hold the reset button for ten seconds [1]. Then call us, or see [1]."
    );
    assert_eq!(done["dropped_citations"], 2);
    assert_eq!(done["mode"], "generative");
    assert_eq!(done["provider"], "openai");
    assert_eq!(done["model"], "fake-model");
    assert_eq!(done["prompt_tokens"], 123);
    assert_eq!(done["completion_tokens"], 45);
    let sources = done["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["ref"], 1);
    assert_eq!(sources[0]["document_id"], router.to_string());
    assert!(sources[0].get("quote").is_none());
    let log = done["log_id"].as_str().unwrap();
    let logs = app.get("/v1/query-logs", &t.admin.token).await;
    assert_eq!(logs.ok(200)["items"][0]["id"], log);
    assert_eq!(logs.body["items"][0]["dropped_citations"], 2);

    // What the provider got: the system prompt, then the numbered passages and the question.
    let seen = fake.seen();
    let body = &seen[0].body;
    assert_eq!(body["stream"], true);
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.starts_with("Sources:\n\n[1] Resetting your router\n"),
        "{user}"
    );
    assert!(
        user.ends_with("Question: How do I reset the router?"),
        "{user}"
    );

    // A server that does not stream gives the same answer as JSON.
    fake.then(Reply::Whole("Hold the reset button [1].".into()));
    let r = app
        .post(
            "/v1/ask",
            &t.admin.token,
            json!({"question": "How do I reset the router?"}),
        )
        .await;
    assert_eq!(r.ok(200)["answer"], "Hold the reset button [1].");
    assert_eq!(r.body["completion_tokens"], 45);
}

/// (event name, JSON data) of each server-sent event.
pub fn parse_sse(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .filter_map(|block| {
            let mut name = "message".to_string();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event:") {
                    name = n.trim().to_string();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            // Keep-alive comments carry no data.
            (!data.is_empty()).then(|| (name, serde_json::from_str(&data).unwrap()))
        })
        .collect()
}

#[tokio::test]
async fn a_streamed_answer_from_the_builtin_provider_ends_with_its_sources_and_log_id() {
    let app = spawn().await;
    let t = app.tenant().await;
    let [_, password, _] = knowledge(&app, &t).await;
    let r = app
        .send(
            app.req(reqwest::Method::POST, "/v1/ask", &t.admin.token)
                .header("accept", "text/event-stream")
                .json(&json!({"question": "How long must a new password be?"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let events = parse_sse(&r.text);
    assert!(events.len() >= 2, "{events:?}");
    let (name, done) = events.last().unwrap();
    assert_eq!(name, "done");
    let text: String = events[..events.len() - 1]
        .iter()
        .map(|(n, d)| {
            assert_eq!(n, "delta");
            d["text"].as_str().unwrap()
        })
        .collect();
    assert_eq!(text, done["answer"].as_str().unwrap());
    assert!(text.contains("at least twelve characters"), "{text}");
    assert_eq!(done["sources"][0]["document_id"], password.to_string());
    assert!(done["log_id"].is_string());
}

#[tokio::test]
async fn users_and_read_only_keys_may_ask_but_not_other_tenants_and_bad_questions_are_422() {
    let app = spawn().await;
    let t = app.tenant().await;
    knowledge(&app, &t).await;
    let key = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": "widget", "scope": "read_only"}),
        )
        .await
        .ok(201)["key"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            "/v1/ask",
            Cred::ApiKey(key.clone()),
            json!({"question": "How are refunds paid?"}),
        )
        .await;
    let a = r.ok(200).clone();
    assert!(
        a["answer"]
            .as_str()
            .unwrap()
            .contains("original payment method"),
        "{a}"
    );
    let quote = a["sources"][0]["quote"].as_str().unwrap();
    // One or two sentences of the article, joined with " … " when both come from it.
    assert!(
        quote
            .split(" … ")
            .all(|q| !q.is_empty() && REFUNDS.contains(q)),
        "{quote}"
    );
    // The refund question escalates by keyword; the answer is still given.
    assert_eq!(a["escalated"], true);
    assert_eq!(a["escalation"]["rule"], "keyword");
    let logs = app.get("/v1/query-logs", &t.admin.token).await;
    assert!(logs.ok(200)["items"][0]["caller_api_key_id"].is_string());

    app.post("/v1/ask", Cred::None, json!({"question": "x"}))
        .await
        .problem(401, "unauthorized");
    for (body, field) in [
        (json!({}), "question"),
        (json!({"question": ""}), "question"),
        (json!({"question": "   "}), "question"),
        (json!({"question": "x".repeat(4001)}), "question"),
        (json!({"question": "a\u{0}b"}), "question"),
        (json!({"question": 42}), "question"),
        (json!({"question": "ok", "top_k": 3}), "top_k"),
        (
            json!({"question": "ok", "filters": {"metadata": [1]}}),
            "filters.metadata",
        ),
        (
            json!({"question": "ok", "filters": {"category": "c".repeat(201)}}),
            "filters.category",
        ),
        (
            json!({"question": "ok", "filters": {"colour": "red"}}),
            "filters.colour",
        ),
    ] {
        app.post("/v1/ask", &t.admin.token, body.clone())
            .await
            .problem_field(422, field);
    }
    let nothing = app.get("/v1/query-logs", &t.admin.token).await;
    assert_eq!(nothing.ok(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_provider_that_is_down_answers_503_and_logs_nothing() {
    let app = spawn().await;
    let t = app.tenant().await;
    knowledge(&app, &t).await;
    let fake = FakeLlm::start(Reply::Fail(500, None)).await;
    settings(&app, &t, fake.settings()).await;
    let r = app
        .post(
            "/v1/ask",
            &t.admin.token,
            json!({"question": "How do I reset the router?"}),
        )
        .await;
    let p = r.problem(503, "provider_unavailable");
    assert!(!p["detail"].as_str().unwrap().contains("127.0.0.1"), "{p}");
    // One try and two retries (ASSISTANT_RETRIES).
    assert_eq!(fake.seen().len(), 3);
    let logs = app.get("/v1/query-logs", &t.admin.token).await;
    assert!(logs.ok(200)["items"].as_array().unwrap().is_empty());

    // Streamed, the failure is the last event.
    let r = app
        .send(
            app.req(reqwest::Method::POST, "/v1/ask", &t.admin.token)
                .header("accept", "text/event-stream")
                .json(&json!({"question": "How do I reset the router?"})),
        )
        .await;
    let events = parse_sse(&r.text);
    let (name, problem) = events.last().unwrap();
    assert_eq!(name, "error");
    assert_eq!(problem["code"], "provider_unavailable");
    assert_eq!(problem["status"], 503);
}
