//! API keys: created by admins, shown once, scoped, expiring, revocable.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::{create_key, id_of, send_with_headers, walk};
use crate::support::*;

async fn key_row(app: &TestApp, t: &TestTenant, id: &Value) -> Value {
    let id = id.as_str().unwrap();
    app.get(&format!("/v1/api-keys/{id}"), &t.admin.token)
        .await
        .ok(200)
        .clone()
}

#[tokio::test]
async fn an_admin_creates_a_key_that_is_shown_only_once() {
    let app = spawn().await;
    let t = app.tenant().await;
    let expires = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let r = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": " CI deploy ", "scope": "read_write", "expires_at": expires}),
        )
        .await;
    let created = r.ok(201).clone();
    let key = created["key"].as_str().unwrap();
    let prefix = created["prefix"].as_str().unwrap();
    assert_eq!(prefix.len(), 12, "{created}");
    assert!(prefix.bytes().all(|b| b.is_ascii_hexdigit()), "{created}");
    assert!(
        key.starts_with(&format!("tdk_{prefix}_")) && key.len() > 30,
        "{key}"
    );
    assert_eq!(created["name"], "CI deploy");
    assert_eq!(created["scope"], "read_write");
    assert_eq!(created["created_by"], t.admin.id.to_string());
    let exp =
        chrono::DateTime::parse_from_rfc3339(created["expires_at"].as_str().unwrap()).unwrap();
    let want = chrono::DateTime::parse_from_rfc3339(&expires).unwrap();
    assert!(
        (exp - want).num_milliseconds().abs() < 1000,
        "{exp} vs {want}"
    );
    assert!(created.get("last_used_at").is_none() && created.get("revoked_at").is_none());

    let got = key_row(&app, &t, &created["id"]).await;
    assert!(
        got.get("key").is_none(),
        "the secret is never shown again: {got}"
    );
    assert_eq!(
        (&got["prefix"], &got["name"]),
        (&json!(prefix), &json!("CI deploy"))
    );
    assert!(
        !app.get(
            &format!("/v1/api-keys/{}", created["id"].as_str().unwrap()),
            &t.admin.token
        )
        .await
        .text
        .contains(key)
    );

    let (never, _) = create_key(&app, &t.admin.token, "forever", "read_only").await;
    let (items, _) = walk(&app, "/v1/api-keys", Cred::from(&t.admin.token), 1).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0]["id"], created["id"], "oldest first");
    assert_eq!(items[1]["scope"], "read_only");
    assert!(
        items[1].get("expires_at").is_none(),
        "no expiry given: {}",
        items[1]
    );
    let listing = app.get("/v1/api-keys", &t.admin.token).await;
    assert!(!listing.text.contains(key) && !listing.text.contains(&never));
    assert!(items.iter().all(|k| k.get("key").is_none()));
}

#[tokio::test]
async fn a_key_works_in_either_header_and_records_its_last_use() {
    let app = spawn().await;
    let t = app.tenant().await;
    let (key, created) = create_key(&app, &t.admin.token, "robot", "read_write").await;
    assert!(
        key_row(&app, &t, &created["id"])
            .await
            .get("last_used_at")
            .is_none()
    );

    let before = chrono::Utc::now() - chrono::Duration::seconds(2);
    for cred in [Cred::ApiKey(key.clone()), Cred::Bearer(key.clone())] {
        let r = app.get("/v1/me", cred).await;
        let me = r.ok(200);
        assert_eq!(
            (&me["via"], &me["api_key_id"]),
            (&json!("api_key"), &created["id"])
        );
        assert_eq!(
            (&me["tenant"]["id"], &me["role"]),
            (&json!(t.id), &json!("agent"))
        );
        assert!(me.get("user").is_none(), "{me}");
    }
    let used = key_row(&app, &t, &created["id"]).await;
    let at = chrono::DateTime::parse_from_rfc3339(
        used["last_used_at"].as_str().expect("last_used_at set"),
    )
    .unwrap();
    assert!(
        at >= before && at <= chrono::Utc::now() + chrono::Duration::seconds(2),
        "{at}"
    );
}

#[tokio::test]
async fn a_read_only_key_reads_but_cannot_write() {
    let app = spawn().await;
    let t = app.tenant().await;
    let (key, _) = create_key(&app, &t.admin.token, "dashboard", "read_only").await;
    let list = app.get("/v1/users", Cred::ApiKey(key.clone())).await;
    assert_eq!(list.ok(200)["items"][0]["id"], t.admin.id.to_string());
    let new_user =
        json!({"email": format!("ro@{}.test", t.slug), "role": "user", "password": PASSWORD});
    for cred in [Cred::ApiKey(key.clone()), Cred::Bearer(key.clone())] {
        app.post("/v1/users", cred.clone(), new_user.clone())
            .await
            .problem(403, "read_only_key");
        let r = app
            .patch(
                &format!("/v1/users/{}", t.admin.id),
                cred.clone(),
                json!({"full_name": "x"}),
            )
            .await;
        r.problem(403, "read_only_key");
        app.delete(&format!("/v1/api-keys/{}", t.id), cred)
            .await
            .problem(403, "read_only_key");
    }
    let (items, _) = walk(&app, "/v1/users", Cred::from(&t.admin.token), 100).await;
    assert_eq!(items.len(), 1, "nobody was created");
    assert_eq!(items[0]["full_name"], "Ada Admin");
}

#[tokio::test]
async fn a_read_write_key_acts_as_an_agent_and_an_admin_key_as_an_admin() {
    let app = spawn().await;
    let t = app.tenant().await;
    let (rw, _) = create_key(&app, &t.admin.token, "rw", "read_write").await;
    let (admin, _) = create_key(&app, &t.admin.token, "admin", "admin").await;
    let new_user = |tag: &str| json!({"email": format!("{tag}@{}.test", t.slug), "role": "user", "password": PASSWORD});
    app.get("/v1/users", Cred::ApiKey(rw.clone())).await.ok(200);
    app.post("/v1/users", Cred::ApiKey(rw.clone()), new_user("rw"))
        .await
        .problem(403, "forbidden");
    app.post(
        "/v1/api-keys",
        Cred::ApiKey(rw.clone()),
        json!({"name": "n", "scope": "admin"}),
    )
    .await
    .problem(403, "forbidden");

    let r = app
        .post("/v1/users", Cred::ApiKey(admin.clone()), new_user("adm"))
        .await;
    assert_eq!(r.ok(201)["role"], "user");
    app.get("/v1/api-keys", Cred::ApiKey(admin)).await.ok(200);
}

#[tokio::test]
async fn a_revoked_key_is_refused_at_once() {
    let app = spawn().await;
    let t = app.tenant().await;
    let (key, created) = create_key(&app, &t.admin.token, "leaked", "read_write").await;
    let (kept, _) = create_key(&app, &t.admin.token, "kept", "read_write").await;
    app.get("/v1/me", Cred::ApiKey(key.clone())).await.ok(200);

    let path = format!("/v1/api-keys/{}", created["id"].as_str().unwrap());
    app.delete(&path, &t.admin.token).await.ok(204);
    app.get("/v1/me", Cred::ApiKey(key.clone()))
        .await
        .problem(401, "unauthorized");
    app.get("/v1/me", Cred::Bearer(key.clone()))
        .await
        .problem(401, "unauthorized");
    let row = key_row(&app, &t, &created["id"]).await;
    assert!(row["revoked_at"].is_string(), "{row}");
    // Revoking again is fine and changes nothing; the other key still works.
    app.delete(&path, &t.admin.token).await.ok(204);
    assert_eq!(
        key_row(&app, &t, &created["id"]).await["revoked_at"],
        row["revoked_at"]
    );
    app.get("/v1/me", Cred::ApiKey(kept)).await.ok(200);
    // The name is free again once its key is revoked.
    create_key(&app, &t.admin.token, "leaked", "read_only").await;
}

#[tokio::test]
async fn an_expired_key_is_refused() {
    let app = spawn().await;
    let t = app.tenant().await;
    let past = (chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339();
    let r = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": "old", "scope": "read_write", "expires_at": past}),
        )
        .await;
    r.problem_field(422, "expires_at");

    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let r = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": "brief", "scope": "read_write", "expires_at": soon.to_rfc3339()}),
        )
        .await;
    let key = r.ok(201)["key"].as_str().unwrap().to_string();
    app.get("/v1/me", Cred::ApiKey(key.clone())).await.ok(200);
    // The key works until it expires, and not after.
    let r = eventually("the key expires", Duration::from_secs(30), async || {
        let r = app.get("/v1/me", Cred::ApiKey(key.clone())).await;
        match r.status.as_u16() {
            200 => Err(r.text),
            _ => Ok(r),
        }
    })
    .await;
    assert!(
        chrono::Utc::now() >= soon,
        "refused before it expired: {}",
        r.text
    );
    r.problem(401, "unauthorized");
    assert!(
        r.body["detail"].as_str().unwrap().contains("expired"),
        "{}",
        r.text
    );
    app.get("/v1/me", Cred::Bearer(key))
        .await
        .problem(401, "unauthorized");
}

#[tokio::test]
async fn malformed_and_unknown_keys_are_401() {
    let app = spawn().await;
    let t = app.tenant().await;
    let (key, _) = create_key(&app, &t.admin.token, "real", "admin").await;
    let (prefix, secret) = key["tdk_".len()..].split_once('_').unwrap();
    let flipped = format!("tdk_{prefix}_{}", secret.chars().rev().collect::<String>());
    let unknown = "tdk_0123456789ab_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
    let short = format!("tdk_{}_{secret}", &prefix[..11]);
    let no_secret = format!("tdk_{prefix}");
    let other_prefix = format!("tdk_{}_{secret}", "f".repeat(12));
    for bad in [
        "garbage",
        "tdk_",
        "tdk_xyz",
        unknown,
        &flipped,
        &short,
        &no_secret,
        &other_prefix,
    ] {
        app.get("/v1/me", Cred::ApiKey(bad.to_string()))
            .await
            .problem(401, "unauthorized");
        if bad.starts_with("tdk_") {
            app.get("/v1/me", Cred::Bearer(bad.to_string()))
                .await
                .problem(401, "unauthorized");
        }
    }
    let r = send_with_headers(&app, Method::GET, "/v1/me", &[("X-API-Key", "")]).await;
    r.problem(401, "unauthorized");
    // An X-API-Key header is judged on its own, even next to a valid bearer token.
    let b = app
        .req(Method::GET, "/v1/me", &t.admin.token)
        .header("X-API-Key", "garbage");
    app.send(b).await.problem(401, "unauthorized");
    app.get("/v1/me", Cred::ApiKey(key)).await.ok(200);
}

#[tokio::test]
async fn key_input_is_validated_and_names_unique_among_active_keys() {
    let app = spawn().await;
    let t = app.tenant().await;
    let (_, first) = create_key(&app, &t.admin.token, "Deploy", "read_only").await;
    let r = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": "deploy", "scope": "admin"}),
        )
        .await;
    assert_eq!(r.problem(409, "name_taken")["field"], "name");
    for (body, field) in [
        (json!({"name": " ", "scope": "admin"}), "name"),
        (json!({"name": "x".repeat(101), "scope": "admin"}), "name"),
        (json!({"scope": "admin"}), "name"),
        (json!({"name": "k", "scope": "root"}), "scope"),
        (json!({"name": "k"}), "scope"),
        (
            json!({"name": "k", "scope": "admin", "expires_at": "tomorrow"}),
            "expires_at",
        ),
    ] {
        let r = app.post("/v1/api-keys", &t.admin.token, body.clone()).await;
        assert_eq!(
            r.problem(422, "validation_failed")["field"],
            field,
            "for {body}"
        );
    }
    let (items, _) = walk(&app, "/v1/api-keys", Cred::from(&t.admin.token), 100).await;
    assert_eq!(
        items.iter().map(id_of).collect::<Vec<_>>(),
        vec![id_of(&first)],
        "nothing else written"
    );
}
