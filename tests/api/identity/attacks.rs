//! What an attacker tries: no or forged credentials, another tenant's ids, a lower role on
//! admin routes, duplicate and mistyped input.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tenantdesk::auth::jwt::Claims;
use uuid::Uuid;

use super::{create_key, send_with_headers, user_row};
use crate::support::*;

/// Claims the service itself would issue for `user`.
fn claims_for(app: &TestApp, t: &TestTenant, user: &TestUser, role: &str) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: user.id,
        tenant: Some(t.id.into()),
        role: role.into(),
        iat: now,
        exp: now + 600,
        jti: Uuid::new_v4(),
        ver: 0,
        iss: app.config.auth.jwt_issuer.clone(),
        aud: app.config.auth.jwt_audience.clone(),
    }
}

fn sign(alg: Algorithm, kid: Option<&str>, secret: &[u8], claims: &Claims) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

/// Signed with the service's own key: the control that shows a forgery fails for its one flaw.
fn genuine(app: &TestApp, claims: &Claims) -> String {
    let k = &app.config.auth.jwt_keys[0];
    sign(
        Algorithm::HS256,
        Some(&k.kid),
        k.secret.expose_secret().as_bytes(),
        claims,
    )
}

fn unsigned(claims: &Claims, kid: &str) -> String {
    let header =
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": kid}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    format!("{header}.{payload}.")
}

#[tokio::test]
async fn missing_or_malformed_authorization_is_401_problem() {
    let app = spawn().await;
    let t = app.tenant().await;
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[("Authorization", "Basic eDp5")],
        &[("Authorization", "Basic x")],
        &[("Authorization", "Bearer")],
        &[("Authorization", "Bearer ")],
        &[("Authorization", "Bearer garbage")],
        &[("Authorization", "Bearer a.b.c")],
        &[("Authorization", &format!("Token {}", t.admin.token))],
        &[("Authorization", &t.admin.token)],
    ];
    for headers in cases {
        for (method, path) in [
            (Method::GET, "/v1/me"),
            (Method::GET, "/v1/users"),
            (Method::POST, "/v1/users"),
            (Method::GET, "/v1/api-keys"),
            (Method::GET, "/v1/audit-log"),
            (Method::GET, "/v1/tenants"),
            (Method::POST, "/v1/auth/logout"),
        ] {
            let r = send_with_headers(&app, method.clone(), path, headers).await;
            assert_eq!(
                r.status, 401,
                "{method} {path} with {headers:?}: {}",
                r.text
            );
            r.problem(401, "unauthorized");
        }
    }
}

#[tokio::test]
async fn forged_access_tokens_are_401() {
    let app = spawn().await;
    let t = app.tenant().await;
    let admin = &t.admin;
    let kid = app.config.auth.jwt_keys[0].kid.clone();
    let secret = app.config.auth.jwt_keys[0]
        .secret
        .expose_secret()
        .as_bytes()
        .to_vec();
    let base = claims_for(&app, &t, admin, "admin");
    // The control: the same claims, genuinely signed, are accepted.
    app.get("/v1/me", &genuine(&app, &base)).await.ok(200);

    let now = chrono::Utc::now().timestamp();
    let with = |f: &dyn Fn(&mut Claims)| {
        let mut c = base.clone();
        f(&mut c);
        c
    };
    let wrong_secret = b"an-attackers-guess-at-the-signing-key-0123456789".to_vec();
    let genuine_token = genuine(&app, &base);
    let (head, rest) = genuine_token.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let elevated_payload = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&with(&|c| c.role = "superadmin".into())).unwrap());
    let forgeries = [
        ("alg none", unsigned(&base, &kid)),
        (
            "wrong key",
            sign(Algorithm::HS256, Some(&kid), &wrong_secret, &base),
        ),
        (
            "unknown kid",
            sign(Algorithm::HS256, Some("other"), &secret, &base),
        ),
        ("no kid", sign(Algorithm::HS256, None, &secret, &base)),
        ("HS512", sign(Algorithm::HS512, Some(&kid), &secret, &base)),
        (
            "expired",
            genuine(&app, &with(&|c| (c.iat, c.exp) = (now - 3600, now - 60))),
        ),
        (
            "wrong issuer",
            genuine(&app, &with(&|c| c.iss = "someone-else".into())),
        ),
        (
            "wrong audience",
            genuine(&app, &with(&|c| c.aud = "another-api".into())),
        ),
        (
            "payload swapped",
            format!("{head}.{elevated_payload}.{sig}"),
        ),
        (
            "signature stripped",
            format!("{head}.{}.", rest.split_once('.').unwrap().0),
        ),
    ];
    for (what, token) in &forgeries {
        let r = app.get("/v1/me", token).await;
        assert_eq!(r.status, 401, "{what}: {}", r.text);
        r.problem(401, "unauthorized");
    }
    // Well-signed tokens whose claims do not name a real caller in a real tenant.
    let stranger = TestUser {
        id: Uuid::now_v7(),
        email: String::new(),
        token: String::new(),
        refresh: String::new(),
    };
    app.get(
        "/v1/me",
        &genuine(&app, &claims_for(&app, &t, &stranger, "admin")),
    )
    .await
    .problem(401, "unauthorized");
    app.get(
        "/v1/me",
        &genuine(&app, &with(&|c| c.role = "owner".into())),
    )
    .await
    .problem(401, "unauthorized");
    app.get("/v1/me", &genuine(&app, &with(&|c| c.tenant = None)))
        .await
        .problem(401, "unauthorized");
}

#[tokio::test]
async fn an_admin_gets_404_for_every_id_of_another_tenant_and_changes_nothing() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let b_user = app.user(&b, "user").await;
    let (b_key, b_key_row) = create_key(&app, &b.admin.token, "b's key", "read_write").await;
    let b_key_id = b_key_row["id"].as_str().unwrap();
    let user_before = user_row(&app, &b, b_user.id).await;
    let key_path = format!("/v1/api-keys/{b_key_id}");
    let key_before = app.get(&key_path, &b.admin.token).await.ok(200).clone();
    let (a_admin_key, _) = create_key(&app, &a.admin.token, "a's admin key", "admin").await;

    for cred in [Cred::from(&a.admin.token), Cred::ApiKey(a_admin_key)] {
        let c = || cred.clone();
        let user_path = format!("/v1/users/{}", b_user.id);
        app.get(&user_path, c()).await.problem(404, "not_found");
        let r = app
            .patch(
                &user_path,
                c(),
                json!({"full_name": "Pwned", "role": "admin", "is_active": false}),
            )
            .await;
        r.problem(404, "not_found");
        let r = app
            .post(&format!("{user_path}/deactivate"), c(), json!({}))
            .await;
        r.problem(404, "not_found");
        app.get(&key_path, c()).await.problem(404, "not_found");
        app.delete(&key_path, c()).await.problem(404, "not_found");
        // B's admin is also just a missing id to A.
        let r = app
            .patch(
                &format!("/v1/users/{}", b.admin.id),
                c(),
                json!({"role": "user"}),
            )
            .await;
        r.problem(404, "not_found");
    }
    // A malformed id is a 404 too, not a parse error that tells ids apart.
    app.get("/v1/users/not-a-uuid", &a.admin.token)
        .await
        .problem(404, "not_found");

    assert_eq!(user_row(&app, &b, b_user.id).await, user_before);
    assert_eq!(
        app.get(&key_path, &b.admin.token).await.ok(200),
        &key_before
    );
    app.get("/v1/me", &b_user.token).await.ok(200);
    app.get("/v1/me", Cred::ApiKey(b_key)).await.ok(200);
    assert_eq!(user_row(&app, &b, b.admin.id).await["role"], "admin");
}

#[tokio::test]
async fn users_and_agents_get_403_on_admin_routes() {
    let app = spawn().await;
    let t = app.tenant().await;
    let user = app.user(&t, "user").await;
    let agent = app.user(&t, "agent").await;
    let (_, key) = create_key(&app, &t.admin.token, "target", "read_only").await;
    let key_path = format!("/v1/api-keys/{}", key["id"].as_str().unwrap());
    let admin_path = format!("/v1/users/{}", t.admin.id);
    let new_user =
        json!({"email": format!("sneaky@{}.test", t.slug), "role": "admin", "password": PASSWORD});

    for (who, token) in [("user", &user.token), ("agent", &agent.token)] {
        let forbidden = |r: Resp| {
            assert_eq!(r.status, 403, "{who}: {}", r.text);
            r.problem(403, "forbidden");
        };
        forbidden(app.post("/v1/users", token, new_user.clone()).await);
        forbidden(
            app.patch(&admin_path, token, json!({"full_name": "Mallory"}))
                .await,
        );
        forbidden(
            app.patch(
                &format!("/v1/users/{}", user.id),
                token,
                json!({"role": "admin"}),
            )
            .await,
        );
        forbidden(
            app.post(&format!("{admin_path}/deactivate"), token, json!({}))
                .await,
        );
        forbidden(
            app.post(
                "/v1/api-keys",
                token,
                json!({"name": "mine", "scope": "admin"}),
            )
            .await,
        );
        forbidden(app.get("/v1/api-keys", token).await);
        forbidden(app.get(&key_path, token).await);
        forbidden(app.delete(&key_path, token).await);
        forbidden(app.get("/v1/audit-log", token).await);
    }
    // Users may not even read the user list; agents may.
    app.get("/v1/users", &user.token)
        .await
        .problem(403, "forbidden");
    app.get(&admin_path, &user.token)
        .await
        .problem(403, "forbidden");
    app.get("/v1/users", &agent.token).await.ok(200);
    app.get(&admin_path, &agent.token).await.ok(200);

    // Nothing changed.
    let admin = user_row(&app, &t, t.admin.id).await;
    assert_eq!(
        (&admin["full_name"], &admin["is_active"]),
        (&json!("Ada Admin"), &json!(true))
    );
    assert_eq!(user_row(&app, &t, user.id).await["role"], "user");
    assert!(
        app.get(&key_path, &t.admin.token)
            .await
            .ok(200)
            .get("revoked_at")
            .is_none()
    );
    app.login(&t.slug, &format!("sneaky@{}.test", t.slug), PASSWORD)
        .await
        .problem(401, "invalid_credentials");
}

#[tokio::test]
async fn a_duplicate_email_in_a_tenant_is_409_case_insensitively() {
    let app = spawn().await;
    let t = app.tenant().await;
    let first = format!("Foo@{}.test", t.slug);
    let body = |email: &str| json!({"email": email, "role": "user", "password": PASSWORD});
    app.post("/v1/users", &t.admin.token, body(&first))
        .await
        .ok(201);
    for dup in [
        first.clone(),
        first.to_lowercase(),
        first.to_uppercase(),
        format!(" {} ", first.to_lowercase()),
    ] {
        let r = app.post("/v1/users", &t.admin.token, body(&dup)).await;
        assert_eq!(r.problem(409, "email_taken")["field"], "email", "{dup}");
    }
    // The same address in another tenant is another person.
    let other = app.tenant().await;
    let r = app
        .post("/v1/users", &other.admin.token, body(&first.to_lowercase()))
        .await;
    assert_eq!(r.ok(201)["tenant_id"], other.id.to_string());
    let a = app.login(&t.slug, &first, PASSWORD).await;
    let b = app.login(&other.slug, &first, PASSWORD).await;
    assert_ne!(a.ok(200)["user_id"], b.ok(200)["user_id"]);
    assert_eq!(b.body["tenant_id"], other.id.to_string());
}

#[tokio::test]
async fn mistyped_json_is_422_naming_the_field() {
    let app = spawn().await;
    let t = app.tenant().await;
    let cases: [(&str, Value, &str); 8] = [
        (
            "/v1/users",
            json!({"email": "a@b.test", "role": "boss", "password": PASSWORD}),
            "role",
        ),
        (
            "/v1/users",
            json!({"email": 7, "role": "user", "password": PASSWORD}),
            "email",
        ),
        (
            "/v1/users",
            json!({"email": "a@b.test", "role": "user", "password": ["x"]}),
            "password",
        ),
        (
            "/v1/users",
            json!({"email": "a@b.test", "password": PASSWORD}),
            "role",
        ),
        (
            "/v1/users",
            json!({"email": "a@b.test", "role": "user", "password": PASSWORD, "full_name": {}}),
            "full_name",
        ),
        ("/v1/api-keys", json!({"name": "k", "scope": 1}), "scope"),
        (
            "/v1/auth/refresh",
            json!({"refresh_token": 12}),
            "refresh_token",
        ),
        (
            "/v1/auth/token",
            json!({"tenant": t.slug, "email": t.admin.email, "password": null}),
            "password",
        ),
    ];
    for (path, body, field) in cases {
        let r = app.post(path, &t.admin.token, body.clone()).await;
        assert_eq!(
            r.problem(422, "validation_failed")["field"],
            field,
            "{path} {body}"
        );
    }
    let r = app
        .send(
            app.req(Method::POST, "/v1/users", &t.admin.token)
                .header("content-type", "application/json")
                .body("{\"email\":"),
        )
        .await;
    r.problem(400, "malformed_json");
    // One JSON value, and nothing after it.
    let trailing =
        r#"{"email":"t@b.test","role":"user","password":"correct horse battery staple"} {}"#;
    let b = app
        .req(Method::POST, "/v1/users", &t.admin.token)
        .header("content-type", "application/json");
    app.send(b.body(trailing))
        .await
        .problem(400, "malformed_json");
    let (users, _) = super::walk(&app, "/v1/users", Cred::from(&t.admin.token), 100).await;
    assert_eq!(users.len(), 1, "nothing was created");
}
