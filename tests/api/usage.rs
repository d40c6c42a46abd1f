//! Issue 14: rate limits and quotas, the usage log, retention, metrics.

mod analytics;
mod limits;
mod log;
mod metrics;
mod retention;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::*;

/// Sets `tenant`'s plan as a superadmin.
pub async fn set_plan(app: &TestApp, root: &Superadmin, tenant: Uuid, plan: Value) -> Value {
    app.send(
        app.req(
            reqwest::Method::PUT,
            &format!("/v1/tenants/{tenant}/plan"),
            &root.token,
        )
        .json(&plan),
    )
    .await
    .ok(200)
    .clone()
}

/// A new API key of `tenant` with `scope`.
pub async fn api_key(app: &TestApp, tenant: &TestTenant, scope: &str) -> (Uuid, String) {
    let r = app
        .post(
            "/v1/api-keys",
            &tenant.admin.token,
            json!({"name": format!("k-{}", Uuid::new_v4().simple()), "scope": scope}),
        )
        .await;
    let b = r.ok(201);
    (
        b["id"].as_str().unwrap().parse().unwrap(),
        b["key"].as_str().unwrap().to_string(),
    )
}

/// The items of a structured-field list header, each as (name, parameters).
pub fn sf_items(value: &str) -> Vec<(String, Vec<(String, String)>)> {
    value
        .split(',')
        .map(|item| {
            let mut parts = item.trim().split(';');
            let name = parts.next().unwrap().trim_matches('"').to_string();
            let params = parts
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap();
                    (k.to_string(), v.to_string())
                })
                .collect();
            (name, params)
        })
        .collect()
}

/// Parameter `key` of the item `name` of a structured-field list header.
pub fn sf_param(value: &str, name: &str, key: &str) -> Option<i64> {
    sf_items(value)
        .into_iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, ps)| ps.into_iter().find(|(k, _)| k == key))
        .map(|(_, v)| v.parse().unwrap())
}
