//! Search: semantic, keyword and hybrid; filters; tenant isolation even for identical vectors;
//! validation.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{agent_scope, doc_with, drain};
use crate::support::*;

fn ids(r: &Value) -> Vec<String> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["document_id"].as_str().unwrap().to_string())
        .collect()
}

/// Three documents, ingested with the built-in model.
async fn corpus(app: &TestApp, t: &TestTenant) -> [Uuid; 3] {
    let tok = &t.admin.token;
    let c = app
        .post("/v1/collections", tok, json!({"name": "Account"}))
        .await;
    let coll = c.ok(201)["id"].as_str().unwrap().to_string();
    let pw = doc_with(
        app,
        tok,
        json!({"title": "Password reset instructions", "type": "guide", "category": "account",
               "collection_id": coll, "source_url": "https://help.example/pw",
               "metadata": {"lang": "en", "tier": "free"},
               "content": "To reset your password, click Forgot password on the sign-in page and follow the link we email you."}),
    )
    .await;
    let ship = doc_with(
        app,
        tok,
        json!({"title": "Shipping times", "type": "faq", "category": "orders", "metadata": {"lang": "en"},
               "content": "Orders to Canada arrive within five to seven business days."}),
    )
    .await;
    let refund = doc_with(
        app,
        tok,
        json!({"title": "Refund policy", "type": "policy", "category": "orders", "metadata": {"lang": "de"},
               "content": "Refunds are issued to the original payment method within fourteen days."}),
    )
    .await;
    drain(app, t).await;
    [pw, ship, refund]
}

#[tokio::test]
async fn semantic_keyword_and_hybrid_search_find_the_right_document() {
    let app = spawn().await;
    let t = app.tenant().await;
    let [pw, ship, _] = corpus(&app, &t).await;
    let tok = &t.admin.token;

    let r = app
        .post(
            "/v1/search",
            tok,
            json!({"query": "I forgot my login credentials", "mode": "semantic", "top_k": 3}),
        )
        .await;
    let body = r.ok(200).clone();
    assert_eq!(ids(&body)[0], pw.to_string(), "{body}");
    assert_eq!(body["mode"], "semantic");
    assert_eq!(body["model"], "all-MiniLM-L6-v2");
    let top = &body["results"][0];
    assert_eq!(top["title"], "Password reset instructions");
    assert_eq!(top["source_url"], "https://help.example/pw");
    assert_eq!(top["version"], 1);
    assert!(top["content"].as_str().unwrap().contains("Forgot password"));
    let scores: Vec<f64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    let r = app
        .post(
            "/v1/search",
            tok,
            json!({"query": "Canada", "mode": "keyword"}),
        )
        .await;
    assert_eq!(ids(r.ok(200)), vec![ship.to_string()]);

    let r = app
        .post(
            "/v1/search",
            tok,
            json!({"query": "how long does delivery take"}),
        )
        .await;
    let body = r.ok(200).clone();
    assert_eq!(body["mode"], "hybrid");
    assert_eq!(ids(&body)[0], ship.to_string(), "{body}");

    // min_score drops weak matches.
    let r = app
        .post(
            "/v1/search",
            tok,
            json!({"query": "reset my password", "mode": "semantic", "min_score": 0.4}),
        )
        .await;
    assert_eq!(ids(r.ok(200)), vec![pw.to_string()]);
}

#[tokio::test]
async fn filters_narrow_the_results_and_deleted_or_inactive_documents_are_not_found() {
    let app = spawn().await;
    let t = app.tenant().await;
    let [pw, ship, refund] = corpus(&app, &t).await;
    let tok = &t.admin.token;
    // Every mode, each with a query that finds all three documents unfiltered; every mode must
    // find the same (sorted) set.
    let found = async |filters: Value| {
        let mut sets = Vec::new();
        for (mode, query) in [
            ("semantic", "password shipping refund"),
            ("keyword", "password or orders or refunds"),
            ("hybrid", "password or orders or refunds"),
        ] {
            let body = json!({"query": query, "mode": mode, "filters": filters});
            let mut got = ids(app.post("/v1/search", tok, body).await.ok(200));
            got.sort();
            sets.push((mode, got));
        }
        for (mode, got) in &sets[1..] {
            assert_eq!(got, &sets[0].1, "{mode} vs semantic, filters {filters}");
        }
        sets.remove(0).1
    };
    let sorted = |mut v: Vec<Uuid>| {
        v.sort();
        v.iter().map(Uuid::to_string).collect::<Vec<_>>()
    };
    assert_eq!(found(json!({})).await, sorted(vec![pw, ship, refund]));
    assert_eq!(found(json!({"type": "faq"})).await, sorted(vec![ship]));
    assert_eq!(
        found(json!({"category": "orders"})).await,
        sorted(vec![ship, refund])
    );
    assert_eq!(
        found(json!({"metadata": {"lang": "de"}})).await,
        sorted(vec![refund])
    );
    assert_eq!(
        found(json!({"metadata": {"lang": "en", "tier": "free"}})).await,
        sorted(vec![pw])
    );
    let pw_doc = app.get(&format!("/v1/documents/{pw}"), tok).await;
    let coll = pw_doc.ok(200)["collection_id"].clone();
    assert_eq!(
        found(json!({"collection_id": coll})).await,
        sorted(vec![pw])
    );

    app.delete(&format!("/v1/documents/{ship}"), tok)
        .await
        .ok(204);
    app.patch(
        &format!("/v1/documents/{refund}"),
        tok,
        json!({"is_active": false}),
    )
    .await
    .ok(200);
    assert_eq!(found(json!({})).await, sorted(vec![pw]));
    app.post(&format!("/v1/documents/{ship}/restore"), tok, json!({}))
        .await
        .ok(200);
    assert_eq!(found(json!({"type": "faq"})).await, sorted(vec![ship]));
}

/// `n` documents with one client chunk each, all with the vector `v` (model "iso-384"); with
/// `jitter`, each nudged a little in its own direction, so the HNSW graph holds `n` distinct
/// elements (pgvector folds identical vectors into one).
async fn vector_docs(
    app: &TestApp,
    t: &TestTenant,
    n: usize,
    v: &[f32],
    label: &str,
    jitter: bool,
) -> Vec<Uuid> {
    let mut out = Vec::new();
    for i in 0..n {
        let mut e = v.to_vec();
        if jitter {
            e[100 + i % 280] += 0.01;
        }
        let id = doc_with(
            app,
            &t.admin.token,
            json!({"title": format!("{label} {i}"), "content": format!("{label} document {i} {}", Uuid::new_v4())}),
        )
        .await;
        app.post(
            &format!("/v1/documents/{id}/chunks"),
            &t.admin.token,
            json!({"model": "iso-384", "chunks": [{"content": format!("{label} chunk {i}"), "embedding": e}]}),
        )
        .await
        .ok(201);
        out.push(id);
    }
    out
}

fn unit(i: usize) -> Vec<f32> {
    let mut v = vec![0.0f32; 384];
    v[i] = 1.0;
    v
}

#[tokio::test]
async fn another_tenants_identical_vectors_never_appear_and_do_not_shrink_top_k() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let query = unit(0);
    // B holds many chunks exactly at the query; A's are all farther away.
    vector_docs(&app, &b, 30, &query, "B", false).await;
    let mut a_vec = unit(0);
    a_vec[1] = 1.0;
    let a_docs = vector_docs(&app, &a, 12, &a_vec, "A", false).await;

    let search = |tok: String, k: u32| {
        let app = &app;
        let query = query.clone();
        async move {
            app.post(
                "/v1/search",
                tok.as_str(),
                json!({"vector": query, "model": "iso-384", "top_k": k}),
            )
            .await
        }
    };
    let r = search(a.admin.token.clone(), 10).await;
    let got = ids(r.ok(200));
    assert_eq!(got.len(), 10, "A gets its full top_k");
    assert!(
        got.iter()
            .all(|id| a_docs.iter().any(|d| d.to_string() == *id)),
        "{got:?}"
    );
    let all = ids(search(a.admin.token.clone(), 100).await.ok(200));
    assert_eq!(all.len(), 12, "the count is A's own, whatever B holds");
    assert_eq!(
        ids(search(b.admin.token.clone(), 100).await.ok(200)).len(),
        30
    );
    // Keyword search neither.
    let r = app
        .post(
            "/v1/search",
            &a.admin.token,
            json!({"query": "B chunk", "mode": "keyword", "model": "iso-384"}),
        )
        .await;
    assert!(
        ids(r.ok(200))
            .iter()
            .all(|id| a_docs.iter().any(|d| d.to_string() == *id))
    );
}

#[tokio::test]
async fn another_tenants_document_with_the_query_text_is_never_returned() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let text = "How do I reset my password?";
    doc_with(&app, &b.admin.token, json!({"title": "B", "content": text})).await;
    let mine = doc_with(
        &app,
        &a.admin.token,
        json!({"title": "A", "content": "Shipping times to Canada"}),
    )
    .await;
    drain(&app, &a).await;
    drain(&app, &b).await;
    for mode in ["semantic", "keyword", "hybrid"] {
        let r = app
            .post(
                "/v1/search",
                &a.admin.token,
                json!({"query": text, "mode": mode}),
            )
            .await;
        let got = ids(r.ok(200));
        assert!(
            got.iter().all(|id| *id == mine.to_string()),
            "{mode}: {got:?}"
        );
    }
    // Filtering by B's collection finds nothing rather than B's documents.
    let c = app
        .post("/v1/collections", &b.admin.token, json!({"name": "B only"}))
        .await;
    let coll = c.ok(201)["id"].as_str().unwrap().to_string();
    doc_with(
        &app,
        &b.admin.token,
        json!({"title": "B filed", "content": "Filed reset guide", "collection_id": coll}),
    )
    .await;
    drain(&app, &b).await;
    let r = app
        .post(
            "/v1/search",
            &a.admin.token,
            json!({"query": text, "filters": {"collection_id": coll}}),
        )
        .await;
    assert_eq!(r.ok(200)["results"], json!([]));
}

#[tokio::test]
async fn bad_search_input_is_422_naming_the_field() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    vector_docs(&app, &t, 1, &unit(3), "T", false).await;
    for (body, field) in [
        (json!({}), "query"),
        (json!({"query": ""}), "query"),
        (json!({"vector": [1.0, 0.0], "mode": "keyword"}), "query"),
        (json!({"vector": [1.0, 0.0]}), "vector"),
        (json!({"vector": [1.0, 0.0], "model": "iso-384"}), "vector"),
        (json!({"query": "x", "top_k": 0}), "top_k"),
        (json!({"query": "x", "top_k": 101}), "top_k"),
        (json!({"query": "x", "mode": "fuzzy"}), "mode"),
        (
            json!({"query": "x", "filters": {"metadata": [1]}}),
            "filters.metadata",
        ),
        (
            json!({"query": "x", "filters": {"type": "novel"}}),
            "filters.type",
        ),
        (
            json!({"query": "x", "filters": {"collection_id": "nope"}}),
            "filters.collection_id",
        ),
        (
            json!({"query": "x", "model": "other", "mode": "semantic"}),
            "vector",
        ),
    ] {
        app.post("/v1/search", tok, body.clone())
            .await
            .problem_field(422, field);
    }
    let r = app
        .post(
            "/v1/search",
            tok,
            json!({"query": "x", "filters": {"colour": "red"}}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.text);
}

/// With sorting disabled the planner must walk the HNSW index. Another tenant's 60 chunks sit
/// exactly at the query, more than `hnsw.ef_search` (40) candidates: a plain HNSW scan would
/// find only those, which RLS then removes, and return fewer than `top_k` rows. The iterative
/// scan the search sets keeps going until this tenant's `top_k` are found; with
/// `HNSW_ITERATIVE_SCAN=off` the same query comes back short, which shows the setting is what
/// fills it.
#[tokio::test]
async fn the_hnsw_path_still_fills_top_k_under_rls() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let query = unit(5);
    vector_docs(&app, &b, 60, &query, "B", true).await;
    let mut far = unit(5);
    far[6] = 2.0;
    vector_docs(&app, &a, 12, &far, "A", true).await;
    let scope = agent_scope(&a);
    let filters = tenantdesk::repo::search::Filters {
        collection_id: None,
        doc_type: None,
        category: None,
        metadata: None,
        language: None,
        exclude: None,
    };
    let semantic = async |iterative_scan| {
        let hnsw = tenantdesk::config::HnswSearch {
            ef_search: 40,
            iterative_scan,
        };
        app.state
            .db
            .tenant(&scope, async |tx| {
                tx.execute("set local enable_sort = off", &[]).await?;
                tx.execute("set local enable_seqscan = off", &[]).await?;
                let v = pgvector::Vector::from(query.clone());
                let hits =
                    tenantdesk::repo::search::semantic(tx, "iso-384", &v, &filters, 10, hnsw)
                        .await?;
                // The same shape of query, explained, to show which path was taken.
                let plan: Vec<String> = tx
                    .query(
                        "explain select c.id from kb_chunks c
                       join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
                      where c.dims = 384 and c.tenant_id = $1 and c.model = 'iso-384'
                      order by c.embedding::vector(384) <=> $2::vector(384) limit 10",
                        &[&tx.tenant_id(), &v],
                    )
                    .await?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                Ok((hits, plan))
            })
            .await
            .unwrap()
    };
    use tenantdesk::config::IterativeScan;
    for mode in [IterativeScan::RelaxedOrder, IterativeScan::StrictOrder] {
        let (hits, plan) = semantic(mode).await;
        assert!(
            plan.iter()
                .any(|l| l.contains("kb_chunks_embedding_384_hnsw")),
            "{plan:#?}"
        );
        assert_eq!(hits.len(), 10, "{mode:?}");
    }
    let (hits, _) = semantic(IterativeScan::Off).await;
    assert!(hits.len() < 10, "iterative scan off: {} hits", hits.len());
}

#[tokio::test]
async fn a_read_only_api_key_may_search_but_not_write() {
    let app = spawn().await;
    let t = app.tenant().await;
    let r = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": "widget", "scope": "read_only"}),
        )
        .await;
    let key = Cred::ApiKey(r.ok(201)["key"].as_str().unwrap().to_string());
    let r = app
        .send(
            app.req(reqwest::Method::POST, "/v1/search", key.clone())
                .json(&json!({"query": "anything", "mode": "keyword"})),
        )
        .await;
    assert_eq!(r.ok(200)["results"], json!([]));
    app.send(
        app.req(reqwest::Method::POST, "/v1/documents", key)
            .json(&json!({"title": "t", "content": "c"})),
    )
    .await
    .problem(403, "read_only_key");
}
