//! Keyword search (issue 15): BM25 over the chunks sharing any word of a question, strict
//! matching for the web-search operators, documents indexed in their language, the score fields
//! of hybrid results, and the term statistics BM25 reads kept by every write, per tenant.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{agent_scope, doc_with, drain};
use crate::support::*;

fn ids(r: &Value) -> Vec<Uuid> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["document_id"].as_str().unwrap().parse().unwrap())
        .collect()
}

async fn search(app: &TestApp, tok: &str, body: Value) -> Value {
    app.post("/v1/search", tok, body).await.ok(200).clone()
}

async fn keyword(app: &TestApp, tok: &str, query: &str) -> Vec<Uuid> {
    ids(&search(app, tok, json!({"query": query, "mode": "keyword"})).await)
}

/// Three English documents: one about firmware (twice), one mentioning the router, one neither.
async fn routers(app: &TestApp, t: &TestTenant) -> [Uuid; 3] {
    let tok = &t.admin.token;
    let firmware = doc_with(
        app,
        tok,
        json!({"title": "Router firmware", "content": "The router installs firmware updates at night. Firmware version 2.1 fixes the nightly reboots."}),
    )
    .await;
    let mesh = doc_with(
        app,
        tok,
        json!({"title": "Mesh points", "content": "Mesh points extend the coverage of your router to every room."}),
    )
    .await;
    let refunds = doc_with(
        app,
        tok,
        json!({"title": "Refunds", "content": "Refunds are issued to the original payment method within fourteen days."}),
    )
    .await;
    drain(app, t).await;
    [firmware, mesh, refunds]
}

#[tokio::test]
async fn a_question_finds_the_chunks_sharing_any_of_its_words_ranked_by_bm25() {
    let app = spawn().await;
    let t = app.tenant().await;
    let [firmware, mesh, refunds] = routers(&app, &t).await;
    let tok = &t.admin.token;

    // Every word of the question is in no chunk, yet both documents sharing some of them come
    // back: the one with the rarer word, twice, first.
    let body = search(
        &app,
        tok,
        json!({"query": "How do I update the firmware of my router?", "mode": "keyword"}),
    )
    .await;
    assert_eq!(ids(&body), vec![firmware, mesh], "{body}");
    let r = body["results"].as_array().unwrap();
    let scores: Vec<f64> = r
        .iter()
        .map(|h| h["keyword_score"].as_f64().unwrap())
        .collect();
    assert!(scores[0] > scores[1] && scores[1] > 0.0, "{scores:?}");
    for (i, h) in r.iter().enumerate() {
        assert_eq!(h["rank"], i + 1);
        assert_eq!(h["keyword_rank"], i + 1);
        assert_eq!(h["score"], h["keyword_score"]);
        assert!(h.get("semantic_score").is_none(), "{h}");
        assert_eq!(h["language"], "en");
    }
    // A word in no chunk finds nothing; stop words alone find nothing.
    assert!(keyword(&app, tok, "zebra").await.is_empty());
    assert!(keyword(&app, tok, "how do I").await.is_empty());

    // An operator switches to strict matching: every word, as written.
    assert_eq!(
        keyword(&app, tok, "\"firmware version\" router").await,
        vec![firmware]
    );
    assert_eq!(keyword(&app, tok, "router -firmware").await, vec![mesh]);
    let mut any = keyword(&app, tok, "mesh or refunds").await;
    any.sort();
    let mut want = vec![mesh, refunds];
    want.sort();
    assert_eq!(any, want);

    // Hybrid: every result has its cosine, those keyword matching found their BM25 and rank
    // too, and the rank is the fused position.
    let body = search(
        &app,
        tok,
        json!({"query": "How do I update the firmware of my router?"}),
    )
    .await;
    assert_eq!(ids(&body)[0], firmware, "{body}");
    let r = body["results"].as_array().unwrap();
    assert_eq!(r.len(), 3);
    for (i, h) in r.iter().enumerate() {
        assert_eq!(h["rank"], i + 1);
        assert!(h["semantic_score"].as_f64().is_some(), "{h}");
        assert!(h["semantic_rank"].as_i64().is_some(), "{h}");
        assert_eq!(
            h.get("keyword_score").is_some(),
            h["document_id"] != refunds.to_string(),
            "{h}"
        );
    }
}

#[tokio::test]
async fn documents_are_indexed_in_their_language_and_russian_word_forms_match() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let text = "Чтобы сбросить пароль, откройте страницу входа и нажмите «Забыли пароль».";
    let detected = doc_with(&app, tok, json!({"title": "Сброс пароля", "content": text})).await;
    let plain = doc_with(
        &app,
        tok,
        json!({"title": "Доступ", "content": format!("{text} Версия 2."), "language": "other"}),
    )
    .await;
    drain(&app, &t).await;
    let doc = app.get(&format!("/v1/documents/{detected}"), tok).await;
    assert_eq!(doc.ok(200)["language"], "ru");
    let doc = app.get(&format!("/v1/documents/{plain}"), tok).await;
    assert_eq!(doc.ok(200)["language"], "other");

    // Russian stemming finds other forms of the words; `other` matches words as written.
    assert_eq!(keyword(&app, tok, "паролей").await, vec![detected]);
    let mut both = keyword(&app, tok, "пароль").await;
    both.sort();
    let mut want = vec![detected, plain];
    want.sort();
    assert_eq!(both, want);
    let r = search(
        &app,
        tok,
        json!({"query": "пароль", "mode": "keyword", "filters": {"language": "other"}}),
    )
    .await;
    assert_eq!(ids(&r), vec![plain]);
    assert_eq!(r["results"][0]["language"], "other");

    // Changing the language re-indexes the chunks at once, without a new version.
    let p = app
        .patch(
            &format!("/v1/documents/{plain}"),
            tok,
            json!({"language": "ru"}),
        )
        .await;
    let body = p.ok(200);
    assert_eq!(body["language"], "ru");
    assert!(body.get("job_id").is_none(), "{body}");
    let mut both = keyword(&app, tok, "паролей").await;
    both.sort();
    assert_eq!(both, want);
}

/// (chunks in the tenant's English statistics, chunks holding the stem `lexeme`), read as the
/// tenant.
async fn stats(app: &TestApp, t: &TestTenant, lexeme: &str) -> (i64, i64) {
    app.state
        .db
        .tenant(&agent_scope(t), async |tx| {
            let r = tx
                .query_one(
                    "select coalesce((select chunks from kb_text_stats where language = 'en'), 0),
                            coalesce((select chunks from kb_term_stats
                                       where language = 'en' and lexeme = $1), 0)",
                    &[&lexeme],
                )
                .await?;
            Ok((r.get(0), r.get(1)))
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn term_statistics_follow_every_write_and_stay_in_the_tenant() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let [firmware, ..] = routers(&app, &a).await;
    assert_eq!(stats(&app, &a, "firmwar").await, (3, 1));
    assert_eq!(stats(&app, &b, "firmwar").await, (0, 0));

    // Another tenant's firmware document counts in its statistics only.
    doc_with(
        &app,
        &b.admin.token,
        json!({"title": "Firmware", "content": "Firmware updates arrive monthly."}),
    )
    .await;
    drain(&app, &b).await;
    assert_eq!(stats(&app, &b, "firmwar").await, (1, 1));
    assert_eq!(stats(&app, &a, "firmwar").await, (3, 1));

    // A new version replaces the chunks, deleting the document for good removes them.
    let path = format!("/v1/documents/{firmware}");
    app.patch(
        &path,
        &a.admin.token,
        json!({"content": "The router installs updates at night."}),
    )
    .await
    .ok(200);
    drain(&app, &a).await;
    assert_eq!(stats(&app, &a, "firmwar").await, (3, 0));
    assert_eq!(stats(&app, &a, "router").await.1, 2);
    app.delete(&path, &a.admin.token).await.ok(204);
    app.delete(&format!("{path}?permanent=true"), &a.admin.token)
        .await
        .ok(204);
    assert_eq!(stats(&app, &a, "router").await, (2, 1));
    assert_eq!(stats(&app, &b, "firmwar").await, (1, 1));
}

/// BM25's statistics count a chunk only while a search can return it: the current version of a
/// live, active document. Deleting, deactivating or replacing a document takes its chunks out at
/// once (before any ingestion), restoring or activating puts them back, and removing a document
/// for good, deleted or not, never takes them out twice.
#[tokio::test]
async fn term_statistics_count_only_the_chunks_a_search_can_return() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let [firmware, mesh, _] = routers(&app, &t).await;
    assert_eq!(stats(&app, &t, "firmwar").await, (3, 1));
    let path = format!("/v1/documents/{firmware}");

    app.delete(&path, tok).await.ok(204);
    assert_eq!(stats(&app, &t, "firmwar").await, (2, 0));
    app.post(&format!("{path}/restore"), tok, json!({}))
        .await
        .ok(200);
    assert_eq!(stats(&app, &t, "firmwar").await, (3, 1));

    app.patch(&path, tok, json!({"is_active": false}))
        .await
        .ok(200);
    assert_eq!(stats(&app, &t, "firmwar").await, (2, 0));
    // Changes that leave it inactive change nothing.
    app.patch(&path, tok, json!({"title": "Old firmware"}))
        .await
        .ok(200);
    assert_eq!(stats(&app, &t, "firmwar").await, (2, 0));
    app.patch(&path, tok, json!({"is_active": true}))
        .await
        .ok(200);
    assert_eq!(stats(&app, &t, "firmwar").await, (3, 1));

    // A new version: the old one's chunks stop counting before the new one is ingested.
    app.patch(
        &path,
        tok,
        json!({"content": "Firmware 3.0 restarts the router once a week."}),
    )
    .await
    .ok(200);
    assert_eq!(stats(&app, &t, "firmwar").await, (2, 0));
    drain(&app, &t).await;
    assert_eq!(stats(&app, &t, "firmwar").await, (3, 1));
    assert_eq!(stats(&app, &t, "week").await, (3, 1));

    // Removed for good: a live document once, a deleted one not again.
    let mesh_path = format!("/v1/documents/{mesh}");
    app.delete(&format!("{mesh_path}?permanent=true"), tok)
        .await
        .ok(204);
    assert_eq!(stats(&app, &t, "mesh").await, (2, 0));
    app.delete(&path, tok).await.ok(204);
    assert_eq!(stats(&app, &t, "firmwar").await, (1, 0));
    app.delete(&format!("{path}?permanent=true"), tok)
        .await
        .ok(204);
    assert_eq!(stats(&app, &t, "refund").await, (1, 1));
    // What is left is exactly what a full count of the searchable chunks gives.
    let (chunks, words): (i64, i64) = app
        .state
        .db
        .tenant(&agent_scope(&t), async |tx| {
            let r = tx
                .query_one(
                    "select (select chunks from kb_text_stats where language = 'en'),
                            (select words from kb_text_stats where language = 'en')",
                    &[],
                )
                .await?;
            Ok((r.get(0), r.get(1)))
        })
        .await
        .unwrap();
    let (want_chunks, want_words): (i64, i64) = app
        .state
        .db
        .tenant(&agent_scope(&t), async |tx| {
            let r = tx
                .query_one(
                    "select count(*), sum(kb_tsv_length(c.tsv))::bigint from kb_chunks c
                       join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
                      where c.version = d.current_version and d.deleted_at is null and d.is_active",
                    &[],
                )
                .await?;
            Ok((r.get(0), r.get(1)))
        })
        .await
        .unwrap();
    assert_eq!((chunks, words), (want_chunks, want_words));
}

/// `-word` excludes in every mode: the semantic list leaves out the chunks holding it too (and
/// the query is embedded without it), and a query that only excludes is a 422 naming `query`,
/// since it has nothing to search for (embedding "-router" would find routers).
#[tokio::test]
async fn exclusions_hold_in_every_mode_and_a_query_of_exclusions_only_is_refused() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let [firmware, mesh, refunds] = routers(&app, &t).await;
    for mode in ["semantic", "hybrid"] {
        let all = ids(&search(&app, tok, json!({"query": "router coverage", "mode": mode})).await);
        assert!(all.contains(&mesh), "{mode}: {all:?}");
        let found = ids(&search(
            &app,
            tok,
            json!({"query": "router coverage -mesh", "mode": mode}),
        )
        .await);
        assert!(
            !found.is_empty() && !found.contains(&mesh),
            "{mode}: {found:?}"
        );
        let phrase = ids(&search(
            &app,
            tok,
            json!({"query": "router -\"firmware updates\"", "mode": mode}),
        )
        .await);
        assert!(!phrase.contains(&firmware), "{mode}: {phrase:?}");
    }
    assert_eq!(keyword(&app, tok, "router -mesh").await, vec![firmware]);
    for mode in ["semantic", "keyword", "hybrid"] {
        for only in ["-router", "-router -mesh", "-\"firmware updates\""] {
            app.post("/v1/search", tok, json!({"query": only, "mode": mode}))
                .await
                .problem_field(422, "query");
        }
    }
    // The assistant reads the knowledge base through the same plan.
    let r = app
        .post("/v1/ask", tok, json!({"question": "refunds -original"}))
        .await;
    let cited: Vec<&Value> = r.ok(200)["sources"].as_array().unwrap().iter().collect();
    assert!(
        cited
            .iter()
            .all(|s| s["document_id"] != json!(refunds.to_string())),
        "{}",
        r.text
    );
}
