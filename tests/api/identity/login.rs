//! Login, refresh-token rotation, logout, and login throttling.
//!
//! Fixtures here go through the API (`*_over_http`: superadmin login, `POST /v1/tenants`,
//! `POST /v1/users`, tenant login): these endpoints are what the tests are about.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::json;
use tenantdesk::auth::jwt::Claims;

use super::{client_at, random_loopback, refresh, sans_request_id};
use crate::support::*;

/// The claims of an access token, checked with the service's own key.
fn claims(app: &TestApp, token: &str) -> Claims {
    let secret = app.config.auth.jwt_keys[0]
        .secret
        .expose_secret()
        .as_bytes();
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[&app.config.auth.jwt_issuer]);
    v.set_audience(&[&app.config.auth.jwt_audience]);
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret), &v)
        .expect("a valid access token")
        .claims
}

#[tokio::test]
async fn login_returns_an_access_jwt_and_a_refresh_token() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "agent").await;
    let r = app
        .login(
            &t.slug,
            &format!("  {}  ", u.email.to_uppercase()),
            PASSWORD,
        )
        .await;
    let body = r.ok(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], app.config.auth.access_ttl.as_secs());
    assert_eq!(
        body["refresh_expires_in"],
        app.config.auth.refresh_ttl.as_secs()
    );
    assert_eq!(
        (&body["user_id"], &body["tenant_id"]),
        (&json!(u.id), &json!(t.id))
    );
    assert_eq!(body["role"], "agent");
    let refresh_token = body["refresh_token"].as_str().unwrap();
    assert!(refresh_token.len() >= 40, "{refresh_token}");

    let c = claims(&app, body["access_token"].as_str().unwrap());
    assert_eq!(
        (c.sub, c.tenant, c.role.as_str()),
        (u.id, Some(t.id.into()), "agent")
    );
    assert_eq!(c.exp - c.iat, app.config.auth.access_ttl.as_secs() as i64);
    assert_ne!(
        c.jti,
        claims(&app, &u.token).jti,
        "each token has its own id"
    );
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_its_whole_family() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "user").await;
    // A second, independent session of the same user.
    let other = app.login(&t.slug, &u.email, PASSWORD).await.ok(200).clone();

    let r1 = refresh(&app, &u.refresh).await.ok(200).clone();
    let (access1, refresh1) = (
        r1["access_token"].as_str().unwrap(),
        r1["refresh_token"].as_str().unwrap(),
    );
    assert_ne!(refresh1, u.refresh);
    assert_eq!(
        (&r1["user_id"], &r1["role"]),
        (&json!(u.id), &json!("user"))
    );
    let me = app.get("/v1/me", &access1.to_string()).await;
    assert_eq!(me.ok(200)["user"]["id"], u.id.to_string());

    let r2 = refresh(&app, refresh1).await.ok(200).clone();
    let refresh2 = r2["refresh_token"].as_str().unwrap();

    // refresh1 was already used: somebody has a copy. The family dies, refresh2 included.
    refresh(&app, refresh1)
        .await
        .problem(401, "refresh_token_reused");
    refresh(&app, refresh2).await.problem(401, "unauthorized");
    refresh(&app, &u.refresh).await.problem(401, "unauthorized");

    // The other session is another family and lives on.
    let r = refresh(&app, other["refresh_token"].as_str().unwrap()).await;
    assert_eq!(r.ok(200)["user_id"], u.id.to_string());

    for garbage in ["", "not-a-token", &"A".repeat(43)] {
        refresh(&app, garbage).await.problem(401, "unauthorized");
    }
}

#[tokio::test]
async fn logout_revokes_the_access_token_at_once_and_the_refresh_family() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "user").await;
    let other = app.login(&t.slug, &u.email, PASSWORD).await.ok(200).clone();
    let other_access = other["access_token"].as_str().unwrap().to_string();
    // Refresh once so the family has a used token and a live one.
    let rotated = refresh(&app, &u.refresh).await.ok(200).clone();
    let (access, live) = (
        rotated["access_token"].as_str().unwrap().to_string(),
        rotated["refresh_token"].as_str().unwrap(),
    );
    app.get("/v1/me", &access).await.ok(200);

    let r = app
        .post("/v1/auth/logout", &access, json!({"refresh_token": live}))
        .await;
    r.ok(204);
    app.get("/v1/me", &access)
        .await
        .problem(401, "unauthorized");
    // Lists open read transactions, whose check travels with their first statement
    // (`Db::tenant_read`): the revoked token is refused there too, with no rows.
    for list in ["/v1/tickets", "/v1/documents", "/v1/collections"] {
        app.get(list, &access).await.problem(401, "unauthorized");
    }
    let r = app.post("/v1/auth/logout", &access, json!({})).await;
    r.problem(401, "unauthorized");
    refresh(&app, live).await.problem(401, "unauthorized");

    // The other session is untouched.
    app.get("/v1/me", &other_access).await.ok(200);
    refresh(&app, other["refresh_token"].as_str().unwrap())
        .await
        .ok(200);
}

#[tokio::test]
async fn logout_of_all_sessions_revokes_every_refresh_token_of_the_user() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "user").await;
    let colleague = app.user_over_http(&t, "user").await;
    let other = app.login(&t.slug, &u.email, PASSWORD).await.ok(200).clone();

    let r = app
        .post("/v1/auth/logout", &u.token, json!({"all_sessions": true}))
        .await;
    r.ok(204);
    app.get("/v1/me", &u.token)
        .await
        .problem(401, "unauthorized");
    refresh(&app, &u.refresh).await.problem(401, "unauthorized");
    refresh(&app, other["refresh_token"].as_str().unwrap())
        .await
        .problem(401, "unauthorized");
    // The other session's access token ends at once too.
    let other_token = other["access_token"].as_str().unwrap().to_string();
    app.get("/v1/me", &other_token)
        .await
        .problem(401, "unauthorized");
    // Another user's session is not touched.
    refresh(&app, &colleague.refresh).await.ok(200);
    app.get("/v1/me", &colleague.token).await.ok(200);
    // Logging in again works.
    let again = app.login(&t.slug, &u.email, PASSWORD).await.ok(200).clone();
    let again_token = again["access_token"].as_str().unwrap().to_string();
    app.get("/v1/me", &again_token).await.ok(200);
}

#[tokio::test]
async fn logout_with_an_empty_body_revokes_just_the_access_token() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "user").await;
    let r = app
        .send(app.req(Method::POST, "/v1/auth/logout", &u.token))
        .await;
    r.ok(204);
    app.get("/v1/me", &u.token)
        .await
        .problem(401, "unauthorized");
    refresh(&app, &u.refresh).await.ok(200);
}

#[tokio::test]
async fn a_wrong_email_and_a_wrong_password_answer_identically() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let wrong_password = app
        .login(&t.slug, &t.admin.email, "not the right password")
        .await;
    let wrong_email = app
        .login(
            &t.slug,
            &format!("nobody@{}.test", t.slug),
            "not the right password",
        )
        .await;
    let wrong_tenant = app
        .login("no-such-tenant-anywhere", &t.admin.email, PASSWORD)
        .await;
    for r in [&wrong_password, &wrong_email, &wrong_tenant] {
        r.problem(401, "invalid_credentials");
    }
    assert_eq!(
        sans_request_id(&wrong_password.body),
        sans_request_id(&wrong_email.body)
    );
    assert_eq!(
        sans_request_id(&wrong_password.body),
        sans_request_id(&wrong_tenant.body)
    );
    assert_ne!(
        wrong_password.body["request_id"],
        wrong_email.body["request_id"]
    );
    assert!(wrong_password.header("retry-after").is_none());
}

#[tokio::test]
async fn repeated_failures_throttle_the_account_and_the_address() {
    let app = spawn_with(|c| {
        c.auth.login_max_failures = 3;
        c.auth.login_max_failures_per_address = 4;
    })
    .await;
    let t = app.tenant_over_http().await;
    let victim = app.user_over_http(&t, "user").await;
    let bystander = app.user_over_http(&t, "user").await;
    let login_from = async |client: &reqwest::Client, email: &str, password: &str| {
        let b = client
            .post(app.url("/v1/auth/token"))
            .json(&json!({"tenant": t.slug, "email": email, "password": password}));
        Resp::from(b.send().await.unwrap()).await
    };
    let attacker = client_at(random_loopback());
    for _ in 0..3 {
        login_from(&attacker, &victim.email, "guess guess guess")
            .await
            .problem(401, "invalid_credentials");
    }
    let throttled = |r: &Resp| {
        r.problem(429, "too_many_requests");
        let secs: u64 = r
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .expect("seconds");
        assert!(
            (1..=app.config.auth.login_window.as_secs()).contains(&secs),
            "Retry-After {secs}"
        );
    };
    throttled(&login_from(&attacker, &victim.email, "guess guess guess").await);
    // Even the right password waits: the throttle is checked first.
    throttled(&login_from(&attacker, &victim.email, PASSWORD).await);
    // The account is throttled from any address …
    let elsewhere = client_at(random_loopback());
    throttled(&login_from(&elsewhere, &victim.email, PASSWORD).await);
    // … and, after one more failure (4 from this address), the address for any account.
    login_from(&attacker, &bystander.email, "guess guess guess")
        .await
        .problem(401, "invalid_credentials");
    throttled(&login_from(&attacker, &bystander.email, PASSWORD).await);
    // Another account from another address is fine, and the victim's tokens still work.
    login_from(&elsewhere, &bystander.email, PASSWORD)
        .await
        .ok(200);
    app.get("/v1/me", &victim.token).await.ok(200);
}

/// The bypass found in issue 10: after 5 failures the same account re-spelled with spaces (and
/// capitals) was let in, because login trimmed its input and the throttle did not. Login input
/// is now normalised once, and both use it.
#[tokio::test]
async fn a_respelled_account_is_the_same_account_to_the_throttle() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "agent").await;
    let from = |client: &reqwest::Client, body: serde_json::Value| {
        let b = client.post(app.url("/v1/auth/token")).json(&body);
        async move { Resp::from(b.send().await.unwrap()).await }
    };
    let attacker = client_at(random_loopback());
    for _ in 0..app.config.auth.login_max_failures {
        from(
            &attacker,
            json!({"tenant": t.slug, "email": u.email, "password": "wrong password!"}),
        )
        .await
        .problem(401, "invalid_credentials");
    }
    // From another address, so only the account's count can refuse it.
    let elsewhere = client_at(random_loopback());
    for (tenant, email) in [
        (format!("{} ", t.slug), format!(" {}", u.email)),
        (t.slug.to_uppercase(), u.email.to_uppercase()),
        (format!("\t{}\n", t.slug), format!("{}  ", u.email)),
    ] {
        from(
            &elsewhere,
            json!({"tenant": tenant, "email": email, "password": PASSWORD}),
        )
        .await
        .problem(429, "too_many_requests");
    }
}

#[tokio::test]
async fn a_respelled_superadmin_email_is_the_same_account_to_the_throttle() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let attacker = client_at(random_loopback());
    for _ in 0..app.config.auth.login_max_failures {
        let b = attacker
            .post(app.url("/v1/auth/superadmin/token"))
            .json(&json!({"email": root.email, "password": "wrong password!"}));
        Resp::from(b.send().await.unwrap())
            .await
            .problem(401, "invalid_credentials");
    }
    let b = client_at(random_loopback())
        .post(app.url("/v1/auth/superadmin/token"))
        .json(&json!({"email": format!(" {} ", root.email.to_uppercase()), "password": PASSWORD}));
    Resp::from(b.send().await.unwrap())
        .await
        .problem(429, "too_many_requests");
}

/// Someone holding a stolen access token must not be able to guess the password through
/// `POST /v1/me/password` faster than through login.
#[tokio::test]
async fn wrong_current_passwords_are_throttled_like_logins() {
    let app = spawn_with(|c| c.auth.login_max_failures = 3).await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "user").await;
    let change = |current: &str| {
        app.post(
            "/v1/me/password",
            &u.token,
            json!({"current_password": current, "new_password": "a brand new long password"}),
        )
    };
    for _ in 0..3 {
        change("wrong password!")
            .await
            .problem_field(422, "current_password");
    }
    let r = change("wrong password!").await;
    r.problem(429, "too_many_requests");
    assert!(r.header("retry-after").is_some());
    // Even the right one waits, and the password is unchanged.
    change(PASSWORD).await.problem(429, "too_many_requests");
    app.login(&t.slug, &u.email, PASSWORD).await.ok(200);
}

/// Every failed login purges entries older than a day; an index on `failed_at` serves that
/// range (the `(key, failed_at)` index cannot), so the purge is no sequential scan. The purge
/// runs inside the SECURITY DEFINER function, as its owner, so that is the role that explains.
#[tokio::test]
async fn an_index_serves_the_purge_of_old_login_failures() {
    let owner = owner_conn().await;
    owner
        .batch_execute("begin; set local enable_seqscan = off")
        .await
        .unwrap();
    let rows = owner
        .query(
            "explain delete from login_failures where failed_at < now() - interval '1 day'",
            &[],
        )
        .await
        .unwrap();
    owner.batch_execute("rollback").await.unwrap();
    let plan: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert!(
        plan.iter()
            .any(|l| l.contains("login_failures_failed_at_idx")),
        "{plan:#?}"
    );
}
