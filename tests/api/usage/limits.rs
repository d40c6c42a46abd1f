//! Rate limits per caller and per tenant, shared across instances; plans and quotas.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::json;
use uuid::Uuid;

use super::{api_key, set_plan, sf_param};
use crate::{connections::Served, support::*};

/// GETs `url` with the API key `key` while `go()` holds; counts the answers (200, 429).
/// Requests `url` with `key` while `go()`, counting refusals in `limited_so_far` as it goes;
/// returns (answered, refused).
async fn hammer(
    url: String,
    key: String,
    go: impl Fn() -> bool,
    limited_so_far: Arc<AtomicU32>,
) -> (u32, u32) {
    let client = client();
    let (mut ok, mut limited) = (0, 0);
    while go() {
        let r = client
            .get(&url)
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            200 => ok += 1,
            429 => {
                limited += 1;
                limited_so_far.fetch_add(1, Ordering::Relaxed);
            }
            s => panic!("{url}: unexpected {s}"),
        }
    }
    (ok, limited)
}

#[tokio::test]
async fn answers_carry_the_ratelimit_policy_and_ratelimit_headers_of_the_user_and_the_tenant() {
    let app = spawn().await;
    let t = app.tenant().await;
    let r = app.get("/v1/me", &t.admin.token).await;
    r.ok(200);
    let policy = r.header("ratelimit-policy").expect("RateLimit-Policy");
    let state = r.header("ratelimit").expect("RateLimit");
    let c = &app.config.usage;
    assert_eq!(sf_param(policy, "user", "q"), Some(c.caller_rpm.into()));
    assert_eq!(sf_param(policy, "user", "w"), Some(60));
    assert_eq!(
        sf_param(policy, "user", "burst"),
        Some(c.caller_burst.into())
    );
    assert_eq!(sf_param(policy, "tenant", "q"), Some(c.tenant_rpm.into()));
    let left = sf_param(state, "user", "r").unwrap();
    assert!(left > 0 && left < c.caller_burst.into(), "{state}");
    assert!(sf_param(state, "tenant", "t").is_some(), "{state}");
}

#[tokio::test]
async fn a_key_over_its_limit_gets_429_rate_limited_with_retry_after() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    set_plan(
        &app,
        &root,
        t.id,
        json!({"caller_requests_per_minute": 6, "caller_burst": 3}),
    )
    .await;
    let (_, key) = api_key(&app, &t, "read_only").await;
    for _ in 0..3 {
        app.get("/v1/tickets", Cred::ApiKey(key.clone()))
            .await
            .ok(200);
    }
    let r = app.get("/v1/tickets", Cred::ApiKey(key.clone())).await;
    r.problem(429, "rate_limited");
    assert!(
        r.body["detail"].as_str().unwrap().contains("key"),
        "{}",
        r.text
    );
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry), "Retry-After {retry}");
    assert_eq!(
        sf_param(r.header("ratelimit").unwrap(), "key", "r"),
        Some(0)
    );
    assert_eq!(
        sf_param(r.header("ratelimit-policy").unwrap(), "key", "q"),
        Some(6)
    );
    // The admin (another caller of the same tenant) is not limited by the key's budget.
    app.get("/v1/tickets", &t.admin.token).await.ok(200);
}

#[tokio::test]
async fn the_tenant_budget_is_shared_by_all_of_its_callers() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    let agent = app.user(&t, "agent").await;
    set_plan(
        &app,
        &root,
        t.id,
        json!({"requests_per_minute": 6, "burst": 4}),
    )
    .await;
    let mut ok = 0;
    let mut refused = None;
    for i in 0..8 {
        let token = if i % 2 == 0 {
            &t.admin.token
        } else {
            &agent.token
        };
        let r = app.get("/v1/tickets", token).await;
        match r.status.as_u16() {
            200 => ok += 1,
            429 => {
                refused = Some(r);
                break;
            }
            s => panic!("unexpected {s}: {}", r.text),
        }
    }
    assert_eq!(ok, 4, "the tenant's burst is 4, whoever calls");
    let r = refused.expect("a refusal");
    r.problem(429, "rate_limited");
    assert!(
        r.body["detail"].as_str().unwrap().contains("tenant"),
        "{}",
        r.text
    );
    assert_eq!(
        sf_param(r.header("ratelimit").unwrap(), "tenant", "r"),
        Some(0)
    );
}

#[tokio::test]
async fn a_key_over_its_limit_does_not_slow_down_another_tenant() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let a = app.tenant_by(&root).await;
    let b = app.tenant_by(&root).await;
    set_plan(
        &app,
        &root,
        a.id,
        json!({"caller_requests_per_minute": 60, "caller_burst": 2}),
    )
    .await;
    let (_, key) = api_key(&app, &a, "read_only").await;
    // Tenant A's key hammers the service, far past its limit, from 16 connections.
    let stop = Arc::new(AtomicBool::new(false));
    let flood_started = Instant::now();
    let refused = Arc::new(AtomicU32::new(0));
    let mut flood = Vec::new();
    for _ in 0..16 {
        let stop = stop.clone();
        flood.push(tokio::spawn(hammer(
            app.url("/v1/tickets"),
            key.clone(),
            move || !stop.load(Ordering::Relaxed),
            refused.clone(),
        )));
    }
    // Once A's key is over its limit...
    let within = Duration::from_secs(30);
    eventually_true("the flood is refused", within, async || {
        refused.load(Ordering::Relaxed) > 0
    })
    .await;
    // ...tenant B gets every request answered, from its own untouched budget.
    let full: i64 = app.config.usage.caller_burst.into();
    for i in 0..20 {
        let r = app.get("/v1/tickets", &b.admin.token).await;
        r.ok(200);
        let left = sf_param(r.header("ratelimit").unwrap(), "user", "r").unwrap();
        assert!(
            left >= full - i - 2,
            "B's budget shrank by more than its own use: {left}"
        );
    }
    stop.store(true, Ordering::Relaxed);
    let flood_secs = flood_started.elapsed().as_secs_f64();
    let (mut ok, mut limited) = (0, 0);
    for f in flood {
        let (o, l) = f.await.unwrap();
        ok += o;
        limited += l;
    }
    assert!(
        limited > 100,
        "the flood was refused: {ok} ok, {limited} limited"
    );
    // A burst of 2, then one a second.
    let most = 2.0 + flood_secs.ceil() + 1.0;
    assert!(
        f64::from(ok) <= most,
        "A's key got more than its burst and refill: {ok} in {flood_secs:.1} s"
    );
}

#[tokio::test]
async fn two_instances_share_one_budget_within_ten_percent() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    // 10 requests per second, bursts of 30, for one key, whichever instance serves it. (Two
    // instances that did not share would serve twice that. A burst of several seconds' worth
    // keeps a loaded machine's stalls, when nobody asks, from costing budget.)
    let (rpm, burst) = (600, 30);
    set_plan(
        &app,
        &root,
        t.id,
        json!({"caller_requests_per_minute": rpm, "caller_burst": burst}),
    )
    .await;
    let (_, key) = api_key(&app, &t, "read_only").await;
    let one = Served::start(Served::command(&[]));
    let two = Served::start(Served::command(&[]));
    let window = Duration::from_secs(4);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for addr in [&one.addr, &two.addr, &one.addr, &two.addr] {
        tasks.push(tokio::spawn(hammer(
            format!("http://{addr}/v1/tickets"),
            key.clone(),
            move || started.elapsed() < window,
            Arc::default(),
        )));
    }
    let mut per_task = Vec::new();
    for t in tasks {
        per_task.push(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let served: u32 = per_task.iter().map(|t| t.0).sum();
    let budget = f64::from(burst) + f64::from(rpm) / 60.0 * elapsed;
    assert!(
        f64::from(served) <= budget * 1.10 && f64::from(served) >= budget * 0.90,
        "served {served} against a shared budget of {budget:.1} ({per_task:?})"
    );
    assert!(
        per_task[0].0 + per_task[2].0 > 0 && per_task[1].0 + per_task[3].0 > 0,
        "both instances served: {per_task:?}"
    );
}

#[tokio::test]
async fn a_superadmin_reads_and_replaces_a_tenants_plan_and_tenants_cannot() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    let path = format!("/v1/tenants/{}/plan", t.id);
    let r = app.get(&path, &root.token).await;
    let b = r.ok(200);
    assert_eq!(b["overridden"], json!([]));
    assert_eq!(b["max_api_keys"], app.config.usage.quotas.max_api_keys);
    let b = set_plan(&app, &root, t.id, json!({"max_api_keys": 7, "burst": 9})).await;
    assert_eq!(b["max_api_keys"], 7);
    assert_eq!(b["burst"], 9);
    assert_eq!(b["overridden"], json!(["burst", "max_api_keys"]));
    // Replaced as a whole: what is left out is the default again.
    let b = set_plan(&app, &root, t.id, json!({"max_api_keys": 8})).await;
    assert_eq!(b["burst"], app.config.usage.tenant_burst);
    app.get(&path, &t.admin.token)
        .await
        .problem(403, "superadmin_only");
    let put = |body: serde_json::Value, path: String| {
        app.req(reqwest::Method::PUT, &path, &root.token)
            .json(&body)
    };
    app.send(put(
        json!({}),
        format!("/v1/tenants/{}/plan", Uuid::new_v4()),
    ))
    .await
    .problem(404, "not_found");
    app.get(
        &format!("/v1/tenants/{}/usage", Uuid::new_v4()),
        &root.token,
    )
    .await
    .problem(404, "not_found");
    for (body, field) in [
        (json!({"burst": 0}), "burst"),
        (json!({"max_documents": -1}), "max_documents"),
        (json!({"burst": "many"}), "burst"),
        (json!({"bogus": 1}), "bogus"),
    ] {
        let r = app.send(put(body.clone(), path.clone())).await;
        assert!(r.status.is_client_error(), "{body}: {}", r.text);
        assert!(
            r.body["field"].as_str().unwrap_or_default().contains(field),
            "{body}: {}",
            r.text
        );
    }
    // Nothing of the refused bodies was written.
    assert_eq!(app.get(&path, &root.token).await.ok(200)["max_api_keys"], 8);
}

#[tokio::test]
async fn writes_past_a_quota_get_403_quota_exceeded_naming_the_quota() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    set_plan(
        &app,
        &root,
        t.id,
        json!({"max_api_keys": 1, "max_documents": 1, "max_storage_bytes": 100}),
    )
    .await;
    api_key(&app, &t, "read_only").await;
    let r = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": "second", "scope": "read_only"}),
        )
        .await;
    assert_eq!(r.problem(403, "quota_exceeded")["quota"], "max_api_keys");
    let keys = app.get("/v1/api-keys", &t.admin.token).await;
    assert_eq!(keys.ok(200)["items"].as_array().unwrap().len(), 1);

    let r = app
        .post(
            "/v1/documents",
            &t.admin.token,
            json!({"title": "Too big", "content": "x".repeat(101)}),
        )
        .await;
    assert_eq!(
        r.problem(403, "quota_exceeded")["quota"],
        "max_storage_bytes"
    );
    app.post(
        "/v1/documents",
        &t.admin.token,
        json!({"title": "One", "content": "The first document."}),
    )
    .await
    .ok(201);
    let r = app
        .post(
            "/v1/documents",
            &t.admin.token,
            json!({"title": "Two", "content": "The second document."}),
        )
        .await;
    assert_eq!(r.problem(403, "quota_exceeded")["quota"], "max_documents");
    let docs = app.get("/v1/documents", &t.admin.token).await;
    assert_eq!(docs.ok(200)["items"].as_array().unwrap().len(), 1);
}
