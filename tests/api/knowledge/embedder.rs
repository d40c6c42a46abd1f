//! The embedders: the built-in model gives sensible similarities; the remote one speaks the
//! OpenAI protocol, batches, retries after a 500 and after a timeout, and fails on a 400.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use poem::{
    EndpointExt, Route, Server, handler,
    http::StatusCode,
    listener::{Acceptor, Listener, TcpListener},
    web::{Data, Json},
};
use serde_json::{Value, json};
use tenantdesk::{
    config::{EmbeddingConfig, EmbeddingProvider},
    embeddings::{BuiltinEmbedder, Embedder, RemoteEmbedder, TextKind},
};

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[tokio::test]
async fn the_builtin_model_puts_paraphrases_closer_than_unrelated_text() {
    let e = BuiltinEmbedder::load(std::path::Path::new(".local/models/all-minilm-l6-v2"))
        .expect("run deploy/fetch-model.sh (make test does)");
    assert_eq!(e.dims(), 384);
    let texts: Vec<String> = [
        "How do I reset my password?",
        "Password reset instructions",
        "Shipping times to Canada",
        "How long does delivery to Toronto take?",
    ]
    .map(String::from)
    .to_vec();
    let v = e.embed(&texts, TextKind::Passage).await.unwrap();
    assert_eq!(v.len(), 4);
    for x in &v {
        assert_eq!(x.len(), 384);
        let norm: f32 = x.iter().map(|f| f * f).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "not unit length: {norm}");
    }
    let (pw, ship) = (cosine(&v[0], &v[1]), cosine(&v[0], &v[2]));
    assert!(pw > 0.5 && ship < 0.2 && pw > ship + 0.3, "{pw} vs {ship}");
    assert!(cosine(&v[2], &v[3]) > cosine(&v[2], &v[1]));
    // Batching and padding do not change a text's vector.
    let alone = e.embed(&texts[1..2], TextKind::Passage).await.unwrap();
    assert!(cosine(&alone[0], &v[1]) > 0.9999);
}

/// Reference vectors written once by the candle 0.11 embedder this project shipped first
/// (`embed_bench reference`, commit "Reference vectors ..."), which matched sentence-transformers
/// on PyTorch to cosine 0.9999999. Never regenerate them: they are what "identical" means.
#[derive(serde::Deserialize)]
pub struct Reference {
    pub texts: Vec<ReferenceText>,
}

#[derive(serde::Deserialize)]
pub struct ReferenceText {
    pub name: String,
    /// `query` or `passage` (models that tell them apart); all-MiniLM-L6-v2's have none.
    #[serde(default)]
    pub kind: String,
    pub text: String,
    pub vector: Vec<f32>,
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("../../fixtures/builtin_embeddings.json")).unwrap()
}

#[tokio::test]
async fn the_builtin_model_gives_the_reference_vectors_alone_and_in_a_batch() {
    let r = reference();
    // The fixture must be able to tell texts apart, or agreement with it would prove nothing.
    assert!(cosine(&r.texts[0].vector, &r.texts[1].vector) < 0.9);
    let e = BuiltinEmbedder::load(std::path::Path::new(".local/models/all-minilm-l6-v2"))
        .expect("run deploy/fetch-model.sh (make test does)");
    let texts: Vec<String> = r.texts.iter().map(|t| t.text.clone()).collect();
    let batch = e.embed(&texts, TextKind::Passage).await.unwrap();
    assert_eq!(batch.len(), texts.len());
    for (t, v) in r.texts.iter().zip(&batch) {
        let alone = e
            .embed(std::slice::from_ref(&t.text), TextKind::Passage)
            .await
            .unwrap();
        for (how, got) in [("in a batch", v), ("alone", &alone[0])] {
            let c = cosine(got, &t.vector);
            assert!(c >= 0.9999, "{}: cosine {c} to the reference {how}", t.name);
        }
    }
}

/// A fake OpenAI embeddings service: `fail_first` requests answer `fail_status` (or hang, when
/// it is 0); then each input gets a 3-d vector derived from its length.
#[derive(Clone)]
struct Fake {
    calls: Arc<AtomicUsize>,
    fail_first: usize,
    fail_status: u16,
}

#[handler]
async fn embeddings(fake: Data<&Fake>, body: Json<Value>) -> poem::Response {
    let n = fake.calls.fetch_add(1, Ordering::SeqCst);
    if n < fake.fail_first {
        if fake.fail_status == 0 {
            // A hanging service: the sleep is what is tested (the client's timeout is shorter).
            tokio::time::sleep(Duration::from_secs(5)).await;
        } else {
            return poem::Response::builder()
                .status(StatusCode::from_u16(fake.fail_status).unwrap())
                .body("nope");
        }
    }
    assert_eq!(body["model"], "fake-model");
    let data: Vec<Value> = body["input"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .rev() // out of order: the client must sort by index
        .map(|(i, t)| {
            let len = t.as_str().unwrap().len() as f32;
            json!({"object": "embedding", "index": i, "embedding": [len, 1.0, 0.0]})
        })
        .collect();
    poem::Response::builder()
        .content_type("application/json")
        .body(json!({"object": "list", "data": data, "model": "fake-model"}).to_string())
}

async fn fake_service(fail_first: usize, fail_status: u16) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let fake = Fake {
        calls: calls.clone(),
        fail_first,
        fail_status,
    };
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
    let app = Route::new()
        .at("/v1/embeddings", poem::post(embeddings))
        .data(fake);
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    (format!("http://{addr}"), calls)
}

fn remote(url: &str) -> RemoteEmbedder {
    RemoteEmbedder::new(&EmbeddingConfig {
        provider: EmbeddingProvider::OpenAi,
        url: url.into(),
        model: "fake-model".into(),
        api_key: Some("sk-test".into()),
        dims: 3,
        batch: 2,
        timeout: Duration::from_millis(300),
        retries: 2,
        backoff: Duration::from_millis(10),
        model_dir: String::new(),
        e5_dir: String::new(),
        threads: 0,
    })
    .unwrap()
}

fn inputs() -> Vec<String> {
    ["a", "bb", "ccc", "dddd", "eeeee"]
        .map(String::from)
        .to_vec()
}

#[tokio::test]
async fn the_remote_embedder_batches_and_keeps_the_input_order() {
    let (url, calls) = fake_service(0, 0).await;
    let v = remote(&url)
        .embed(&inputs(), TextKind::Passage)
        .await
        .unwrap();
    let lens: Vec<f32> = v.iter().map(|x| x[0]).collect();
    assert_eq!(lens, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    // Five inputs in batches of two.
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_remote_embedder_retries_after_a_500() {
    let (url, calls) = fake_service(1, 500).await;
    let v = remote(&url)
        .embed(&inputs()[..1], TextKind::Passage)
        .await
        .unwrap();
    assert_eq!(v, vec![vec![1.0, 1.0, 0.0]]);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_remote_embedder_retries_after_a_timeout() {
    let (url, calls) = fake_service(1, 0).await;
    let started = std::time::Instant::now();
    let v = remote(&url)
        .embed(&inputs()[..2], TextKind::Passage)
        .await
        .unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn the_remote_embedder_gives_up_after_its_retries_and_never_retries_a_400() {
    let (url, calls) = fake_service(100, 503).await;
    assert!(
        remote(&url)
            .embed(&inputs()[..1], TextKind::Passage)
            .await
            .is_err()
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3, "one try and two retries");

    let (url, calls) = fake_service(100, 400).await;
    let err = remote(&url)
        .embed(&inputs()[..1], TextKind::Passage)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("400"), "{err}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
