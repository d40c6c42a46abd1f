//! Issue 12: the assistant — settings, answer providers, asking, tickets, escalation, the query
//! log, and its quality on the evaluation set.

mod ask;
mod eval;

mod provider;
mod query_logs;
mod settings;
mod tickets;

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use poem::{
    EndpointExt, Request, Route, Server, handler,
    listener::{Acceptor, Listener, TcpListener},
    web::{Data, Json},
};
use serde_json::{Value, json};
use tenantdesk::ingestion::Outcome;
use uuid::Uuid;

use crate::{knowledge::drain, support::*};

/// A small knowledge base: a router reset, a password change, a refund policy.
pub const ROUTER: &str = "To reset the router, hold the reset button on the back for ten seconds. \
The lights blink twice when the reset is done. After a reset the router returns to its factory \
settings, so you need to set up the Wi-Fi name again.";
pub const PASSWORD: &str = "To change your password, open Settings and choose Security. Enter the \
current password, then the new one twice. A new password must be at least twelve characters long.";
pub const REFUNDS: &str = "Refunds are issued to the original payment method within fourteen days. \
To request a refund, reply to your order confirmation email.";

/// Creates the three documents in `t` and ingests them; returns their ids.
pub async fn knowledge(app: &TestApp, t: &TestTenant) -> [Uuid; 3] {
    let tok = &t.admin.token;
    let mut ids = Vec::new();
    for (title, content) in [
        ("Resetting your router", ROUTER),
        ("Changing your password", PASSWORD),
        ("Refund policy", REFUNDS),
    ] {
        ids.push(crate::knowledge::doc(app, tok, title, content).await);
    }
    drain(app, t).await;
    [ids[0], ids[1], ids[2]]
}

/// Changes `t`'s settings as its admin; returns the settings in force.
pub async fn settings(app: &TestApp, t: &TestTenant, patch: Value) -> Value {
    app.patch("/v1/settings", &t.admin.token, patch)
        .await
        .ok(200)
        .clone()
}

/// Runs a worker for `t` until no job of it is due; returns what each claim did.
pub async fn work(app: &TestApp, t: &TestTenant) -> Vec<Outcome> {
    let mut w = app.state.worker();
    w.tenant = Some(t.id.into());
    let mut done = Vec::new();
    for _ in 0..50 {
        match w.run_once().await.expect("claim") {
            Outcome::Idle => return done,
            o => done.push(o),
        }
    }
    panic!("jobs kept coming: {done:?}");
}

pub async fn ticket(
    app: &TestApp,
    cred: impl Into<Cred>,
    title: &str,
    description: &str,
) -> String {
    app.post(
        "/v1/tickets",
        cred,
        json!({"title": title, "description": description}),
    )
    .await
    .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn messages(app: &TestApp, cred: impl Into<Cred>, ticket: &str) -> Vec<Value> {
    app.get(&format!("/v1/tickets/{ticket}/messages?limit=100"), cred)
        .await
        .ok(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

pub async fn runs(app: &TestApp, cred: impl Into<Cred>, ticket: &str) -> Vec<Value> {
    app.get(&format!("/v1/tickets/{ticket}/assistant-runs"), cred)
        .await
        .ok(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

/// What a fake provider does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Streams this text in small pieces, then usage, then `[DONE]`.
    Stream(String),
    /// Answers with one JSON completion (a server that does not stream).
    Whole(String),
    /// Answers this status, with this `Retry-After`.
    Fail(u16, Option<&'static str>),
    /// Never answers in time.
    Hang,
}

/// A request the fake provider received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub authorization: Option<String>,
    pub body: Value,
    pub at: std::time::Instant,
}

/// A local OpenAI-compatible chat-completions server: it answers with the scripted replies in
/// order, then with `default`, and records every request.
#[derive(Clone)]
pub struct FakeLlm {
    pub url: String,
    script: Arc<Mutex<VecDeque<Reply>>>,
    default: Arc<Mutex<Reply>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeLlm {
    pub async fn start(default: Reply) -> Self {
        let mut fake = FakeLlm {
            url: String::new(),
            script: Arc::default(),
            default: Arc::new(Mutex::new(default)),
            seen: Arc::default(),
        };
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
        fake.url = format!("http://{addr}");
        let app = Route::new()
            .at("/v1/chat/completions", poem::post(chat))
            .data(fake.clone());
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        fake
    }

    pub fn then(&self, r: Reply) -> &Self {
        self.script.lock().unwrap().push_back(r);
        self
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Settings that point a tenant at this server.
    pub fn settings(&self) -> Value {
        json!({"provider": "openai", "base_url": self.url, "model": "fake-model"})
    }
}

const USAGE: (i32, i32) = (123, 45);

#[handler]
async fn chat(fake: Data<&FakeLlm>, req: &Request, body: Json<Value>) -> poem::Response {
    fake.seen.lock().unwrap().push(Seen {
        authorization: req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(String::from),
        body: body.0.clone(),
        at: std::time::Instant::now(),
    });
    let reply = fake
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| fake.default.lock().unwrap().clone());
    let builder = poem::Response::builder();
    match reply {
        Reply::Stream(text) => {
            let mut sse = String::new();
            for piece in text.split_inclusive(' ') {
                let chunk = json!({"choices": [{"index": 0, "delta": {"content": piece}}]});
                sse.push_str(&format!("data: {chunk}\n\n"));
            }
            let usage = json!({"choices": [], "usage": {"prompt_tokens": USAGE.0, "completion_tokens": USAGE.1}});
            sse.push_str(&format!("data: {usage}\n\ndata: [DONE]\n\n"));
            builder.content_type("text/event-stream").body(sse)
        }
        Reply::Whole(text) => builder.content_type("application/json").body(
            json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
                   "usage": {"prompt_tokens": USAGE.0, "completion_tokens": USAGE.1}})
            .to_string(),
        ),
        Reply::Fail(status, retry_after) => {
            let b = builder.status(poem::http::StatusCode::from_u16(status).unwrap());
            match retry_after {
                Some(r) => b.header("retry-after", r).body("busy"),
                None => b.body("nope"),
            }
        }
        Reply::Hang => {
            // The provider that never answers in time: the sleep is what is tested (the
            // service's timeout ends the wait long before it does).
            tokio::time::sleep(Duration::from_secs(30)).await;
            builder.body("too late")
        }
    }
}
