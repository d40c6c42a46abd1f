//! HTTP conformance and limits (issue 10, points 9, 11 and 12): the body limit on every protocol
//! and transfer encoding, `Allow` on 405, `Retry-After` on 503, and readiness that tells a busy
//! pool from a database that is down.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures_util::stream;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::*;

const LIMIT: usize = 64 * 1024;
/// What a client may have sent when the refusal comes: the limit, plus what flow control and
/// socket buffers let through before the server stops reading. Far below the body's size.
const SENT_BOUND: usize = 8 * 1024 * 1024;

/// A body of `total` bytes with no declared length, made chunk by chunk as the client sends it;
/// `sent` counts the bytes handed to the client so far.
fn endless(total: usize, sent: Arc<AtomicUsize>) -> reqwest::Body {
    let chunk = vec![b' '; 64 * 1024];
    let chunks = stream::iter((0..total / chunk.len()).map(move |_| {
        sent.fetch_add(chunk.len(), Ordering::Relaxed);
        Ok::<_, std::io::Error>(chunk.clone())
    }));
    reqwest::Body::wrap_stream(chunks)
}

fn h2_client() -> reqwest::Client {
    reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_http2_body_without_a_length_is_refused_at_the_limit_before_it_is_all_sent() {
    let app = spawn_with(|c| c.max_body_bytes = LIMIT).await;
    let sent = Arc::new(AtomicUsize::new(0));
    let r = h2_client()
        .post(app.url("/v1/auth/token"))
        .header("content-type", "application/json")
        .body(endless(64 * 1024 * 1024, sent.clone()))
        .send()
        .await
        .expect("an answer before the body ends");
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    Resp::from(r).await.problem(413, "payload_too_large");
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < SENT_BOUND, "{sent} bytes of a 64 MiB body sent");

    // Under the limit, the same request reaches the handler.
    let r = h2_client()
        .post(app.url("/v1/auth/token"))
        .json(&json!({"tenant": unknown_tenant(), "email": "a@b.c", "password": "p"}))
        .send()
        .await
        .unwrap();
    Resp::from(r).await.problem(401, "invalid_credentials");
}

#[tokio::test]
async fn an_http2_multipart_upload_without_a_length_is_refused_at_the_limit() {
    let app = spawn_with(|c| c.max_body_bytes = LIMIT).await;
    let t = app.tenant().await;
    let sent = Arc::new(AtomicUsize::new(0));
    let part = reqwest::multipart::Part::stream(endless(100 * 1024 * 1024, sent.clone()))
        .file_name("big.txt")
        .mime_str("text/plain")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let r = h2_client()
        .post(app.url("/v1/documents/upload"))
        .bearer_auth(&t.admin.token)
        .multipart(form)
        .send()
        .await
        .expect("an answer before the body ends");
    Resp::from(r).await.problem(413, "payload_too_large");
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < SENT_BOUND, "{sent} bytes of a 100 MiB upload sent");
    let docs = app.get("/v1/documents", &t.admin.token).await;
    assert_eq!(docs.ok(200)["items"], json!([]));
}

/// Chunked HTTP/1.1: the 413 arrives while the client is still sending, and the server stops
/// reading; the client's writes fail long before 64 MiB.
#[tokio::test]
async fn a_chunked_http1_body_is_refused_at_the_limit_while_it_is_being_sent() {
    let app = spawn_with(|c| c.max_body_bytes = LIMIT).await;
    let s = TcpStream::connect(app.addr).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let writer = tokio::spawn(async move {
        let mut sent = 0usize;
        let head = "POST /v1/auth/token HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
                    Transfer-Encoding: chunked\r\n\r\n";
        if wr.write_all(head.as_bytes()).await.is_err() {
            return sent;
        }
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
        while sent < 64 * 1024 * 1024 {
            if wr.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            sent += 0x10000;
        }
        sent
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        let mut buf = [0u8; 4096];
        while let Ok(n) = rd.read(&mut buf).await {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(read.is_ok(), "no answer");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("application/problem+json") && text.contains("payload_too_large"));
    let sent = writer.await.unwrap();
    assert!(
        sent < SENT_BOUND,
        "{sent} bytes sent before the server stopped reading"
    );
}

/// Every route of the spec, asked with a method it does not have: 405, problem+json, and an
/// `Allow` header listing exactly the spec's methods (plus HEAD where there is GET).
#[tokio::test]
async fn a_405_lists_the_routes_methods_in_allow() {
    let app = spawn().await;
    let spec: Value = serde_json::from_str(&tenantdesk::openapi::spec_json()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() > 20);
    for (path, ops) in paths {
        let mut methods: Vec<String> = ops
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .collect();
        if methods.iter().any(|m| m == "GET") {
            methods.push("HEAD".into());
        }
        methods.sort();
        let wrong = ["PUT", "TRACE"]
            .into_iter()
            .find(|m| !methods.iter().any(|have| have == m))
            .unwrap();
        let concrete: String = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    uuid::Uuid::new_v4().to_string()
                } else {
                    seg.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let r = app
            .send(app.req(
                Method::from_bytes(wrong.as_bytes()).unwrap(),
                &concrete,
                Cred::None,
            ))
            .await;
        r.problem(405, "method_not_allowed");
        assert_eq!(
            r.header("allow"),
            Some(methods.join(", ").as_str()),
            "{wrong} {path}"
        );
    }

    // A literal segment wins over a parameter, as in the router: /upload is not /{id}.
    let r = app.get("/v1/documents/upload", Cred::None).await;
    r.problem(405, "method_not_allowed");
    assert_eq!(r.header("allow"), Some("POST"));
}

/// A pool of one connection, held: requests that need the database wait `DB_POOL_TIMEOUT_MS`,
/// then get 503 with `Retry-After`; readiness still answers 200, because a busy instance is
/// working, not broken.
#[tokio::test]
async fn a_busy_pool_gives_503_with_retry_after_and_readiness_stays_200() {
    let app = spawn_with(|c| {
        c.pool_size = 1;
        c.pool_timeout = Duration::from_millis(300);
    })
    .await;
    let t = app.tenant().await;
    // The pool's one connection, held by an open transaction.
    let held = app
        .state
        .db
        .begin_tenant(&tenantdesk::db::Scope::worker(t.id.into()))
        .await
        .unwrap();

    let r = app.get("/v1/me", &t.admin.token).await;
    r.problem(503, "unavailable");
    assert_eq!(r.header("retry-after"), Some("2"));
    let r = app.get("/readyz", Cred::None).await;
    assert_eq!(r.ok(200)["status"], "busy");

    drop(held);
    app.get("/v1/me", &t.admin.token).await.ok(200);
    assert_eq!(app.get("/readyz", Cred::None).await.ok(200)["status"], "ok");
}

/// The service's database stops taking connections and its sessions are terminated (what a
/// stopped server looks like from here): requests get 503 with `Retry-After`, readiness 503, and
/// no answer shows the database's own error text.
#[tokio::test]
async fn a_database_that_is_down_gives_503_with_retry_after_and_no_internals() {
    let db = ScratchDb::new();
    let app = spawn_with(|c| {
        c.database_url = db.app_url.clone().into();
        c.migration_database_url = db.owner_url.clone().into();
        c.pool_size = 2;
        c.pool_timeout = Duration::from_millis(500);
    })
    .await;
    app.get("/readyz", Cred::None).await.ok(200);
    db.take_offline();

    let login = json!({"tenant": "acme", "email": "a@b.c", "password": "whatever"});
    for _ in 0..2 {
        let r = app.post("/v1/auth/token", Cred::None, login.clone()).await;
        r.problem(503, "unavailable");
        assert_eq!(r.header("retry-after"), Some("2"));
        assert!(!r.text.contains("accepting"), "{}", r.text);
    }
    let r = app.get("/readyz", Cred::None).await;
    assert_eq!(r.ok(503)["status"], "database unreachable");
    for internal in ["FATAL", "accepting", "error", "db error", "connection"] {
        assert!(!r.text.contains(internal), "{}", r.text);
    }
}

/// The same with a pool pointed at a port nobody listens on.
#[tokio::test]
async fn a_pool_that_cannot_connect_maps_to_503_with_retry_after() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pool = tenantdesk::db::pool(
        &format!("postgres://nobody:nothing@127.0.0.1:{port}/none"),
        1,
        Duration::from_millis(200),
    )
    .unwrap();
    let err = tenantdesk::error::ApiError::from(pool.get().await.unwrap_err());
    assert_eq!(err.status.as_u16(), 503);
    assert_eq!(err.retry_after, Some(2));
}

/// Swagger UI answers at `/docs`, and `/docs/` leads there (a permanent redirect) instead of a 404.
#[tokio::test]
async fn swagger_ui_answers_at_docs_with_or_without_the_trailing_slash() {
    let app = spawn().await;
    let page = app.get("/docs", Cred::None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("swagger"), "{}", page.text);
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let slash = no_redirects
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(slash.status(), 308);
    assert_eq!(slash.headers()["location"], "/docs");
}
