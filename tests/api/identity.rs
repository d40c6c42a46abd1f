//! Identity and access through HTTP (issue 4): tenants, users, login and tokens, API keys,
//! superadmins and the audit log, and the attacks each must withstand. Helpers shared by the
//! submodules live here.

mod api_keys;
mod attacks;
mod login;
mod superadmins;
mod tenants;
mod users;

use std::net::{IpAddr, Ipv4Addr};

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::*;

/// The `id` of a JSON body.
#[track_caller]
fn id_of(body: &Value) -> Uuid {
    body["id"]
        .as_str()
        .expect("body has an id")
        .parse()
        .expect("id is a UUID")
}

/// A problem body without its `request_id`, so two problems can be compared.
fn sans_request_id(body: &Value) -> Value {
    let mut b = body.clone();
    if let Some(o) = b.as_object_mut() {
        o.remove("request_id");
    }
    b
}

/// A client sending from a known loopback address (the audit log records it).
fn client_at(ip: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(ip))
        .build()
        .unwrap()
}

/// A random loopback address.
fn random_loopback() -> Ipv4Addr {
    let b = Uuid::new_v4().into_bytes();
    Ipv4Addr::new(127, b[0], b[1], b[2].max(2))
}

/// Sends `method path` with raw headers and no other credentials.
async fn send_with_headers(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> Resp {
    let mut b = app.req(method, path, Cred::None);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    app.send(b).await
}

/// `POST /v1/auth/refresh`.
async fn refresh(app: &TestApp, token: &str) -> Resp {
    app.post(
        "/v1/auth/refresh",
        Cred::None,
        json!({"refresh_token": token}),
    )
    .await
}

/// Creates an API key; returns the secret key and the created body.
async fn create_key(
    app: &TestApp,
    cred: impl Into<Cred>,
    name: &str,
    scope: &str,
) -> (String, Value) {
    let r = app
        .post("/v1/api-keys", cred, json!({"name": name, "scope": scope}))
        .await;
    let body = r.ok(201).clone();
    let key = body["key"]
        .as_str()
        .expect("the key is shown at creation")
        .to_string();
    (key, body)
}

/// Walks every page of a cursor-paginated list; returns the items in order and the page count.
async fn walk(app: &TestApp, path: &str, cred: Cred, limit: u32) -> (Vec<Value>, usize) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let r = app.get(&url, cred.clone()).await;
        let body = r.ok(200);
        let page = body["items"].as_array().expect("items").clone();
        assert!(
            page.len() <= limit as usize,
            "page larger than limit: {body}"
        );
        pages += 1;
        items.extend(page);
        match body.get("next_cursor").and_then(Value::as_str) {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(pages < 10_000, "pagination does not end");
    }
    (items, pages)
}

/// A user's row as their tenant's admin sees it.
async fn user_row(app: &TestApp, tenant: &TestTenant, id: Uuid) -> Value {
    app.get(&format!("/v1/users/{id}"), &tenant.admin.token)
        .await
        .ok(200)
        .clone()
}
