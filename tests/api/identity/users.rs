//! Users of a tenant (admins manage them) and the caller's own account.
//!
//! Fixtures here go through the API (`*_over_http`: superadmin login, `POST /v1/tenants`,
//! `POST /v1/users`, tenant login): these endpoints are what the tests are about.

use serde_json::json;
use uuid::Uuid;

use super::{id_of, refresh, user_row, walk};
use crate::support::*;

fn email(tag: &str, t: &TestTenant) -> String {
    format!(
        "{tag}-{}@{}.test",
        &Uuid::new_v4().simple().to_string()[..8],
        t.slug
    )
}

#[tokio::test]
async fn an_admin_creates_users_of_every_role_and_each_logs_in_with_it() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    for role in ["user", "agent", "admin"] {
        let addr = email(role, &t);
        let r = app
            .post(
                "/v1/users",
                &t.admin.token,
                json!({"email": addr, "full_name": " Grace Hopper ", "role": role, "password": PASSWORD}),
            )
            .await;
        let created = r.ok(201).clone();
        assert_eq!(created["tenant_id"], t.id.to_string());
        assert_eq!(created["email"], addr);
        assert_eq!(created["full_name"], "Grace Hopper");
        assert_eq!(created["role"], role);
        assert_eq!(created["is_active"], true);
        assert!(created.get("password").is_none() && created.get("password_hash").is_none());
        assert_eq!(user_row(&app, &t, id_of(&created)).await, created);

        let login = app.login(&t.slug, &addr.to_uppercase(), PASSWORD).await;
        let body = login.ok(200);
        assert_eq!(
            (&body["role"], &body["user_id"]),
            (&json!(role), &created["id"])
        );
        let me = app
            .get(
                "/v1/me",
                &body["access_token"].as_str().unwrap().to_string(),
            )
            .await;
        assert_eq!(me.ok(200)["role"], role);
        assert!(me.body["user"]["last_login_at"].is_string(), "{}", me.text);
    }
}

#[tokio::test]
async fn the_user_list_walks_every_page_with_its_cursor() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let mut expected = vec![t.admin.id];
    for role in ["user", "agent", "user", "admin"] {
        expected.push(app.user_over_http(&t, role).await.id);
    }
    // A user of another tenant never shows up.
    let other = app.tenant_over_http().await;

    let (items, pages) = walk(&app, "/v1/users", Cred::from(&t.admin.token), 2).await;
    assert_eq!(pages, 3, "5 users in pages of 2");
    let ids: Vec<Uuid> = items.iter().map(id_of).collect();
    assert_eq!(ids, expected, "oldest first, each once");
    assert!(!ids.contains(&other.admin.id));
    assert!(items.iter().all(|u| u["tenant_id"] == t.id.to_string()));

    let (all, pages) = walk(&app, "/v1/users", Cred::from(&t.admin.token), 100).await;
    assert_eq!((all.len(), pages), (5, 1));
    let (_, pages) = walk(&app, "/v1/users", Cred::from(&t.admin.token), 5).await;
    assert_eq!(pages, 1, "an exactly full page has no next cursor");

    for bad in ["garbage", "djE6bm90LWEtdXVpZA", "%00"] {
        let r = app
            .get(&format!("/v1/users?cursor={bad}"), &t.admin.token)
            .await;
        r.problem(422, "validation_failed");
        r.problem_field(422, "cursor");
    }
    for limit in ["0", "101", "-1", "ten"] {
        let r = app
            .get(&format!("/v1/users?limit={limit}"), &t.admin.token)
            .await;
        r.problem_field(422, "limit");
    }
}

#[tokio::test]
async fn an_admin_changes_a_users_name_role_and_active_flag() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "user").await;
    let path = format!("/v1/users/{}", u.id);

    let r = app
        .patch(
            &path,
            &t.admin.token,
            json!({"full_name": "Renamed Person"}),
        )
        .await;
    assert_eq!(
        (&r.ok(200)["full_name"], &r.body["role"]),
        (&json!("Renamed Person"), &json!("user"))
    );
    let me = app.get("/v1/me", &u.token).await;
    assert_eq!(
        me.ok(200)["user"]["full_name"],
        "Renamed Person",
        "a new name keeps the token"
    );
    let r = app
        .patch(&path, &t.admin.token, json!({"role": "agent"}))
        .await;
    assert_eq!(
        (&r.ok(200)["full_name"], &r.body["role"]),
        (&json!("Renamed Person"), &json!("agent"))
    );
    let login = app.login(&t.slug, &u.email, PASSWORD).await;
    assert_eq!(login.ok(200)["role"], "agent");
    let token = login.body["access_token"].as_str().unwrap().to_string();

    let before = user_row(&app, &t, u.id).await;
    for (body, field) in [
        (json!({"role": "boss"}), "role"),
        (json!({"full_name": "  "}), "full_name"),
        (json!({"full_name": "x".repeat(201)}), "full_name"),
        (json!({"is_active": "no"}), "is_active"),
    ] {
        let r = app.patch(&path, &t.admin.token, body).await;
        r.problem_field(422, field);
    }
    assert_eq!(
        user_row(&app, &t, u.id).await,
        before,
        "rejected changes write nothing"
    );

    let r = app
        .patch(&path, &t.admin.token, json!({"is_active": false}))
        .await;
    assert_eq!(r.ok(200)["is_active"], false);
    app.get("/v1/me", &token)
        .await
        .problem(403, "user_inactive");
    let r = app
        .patch(&path, &t.admin.token, json!({"is_active": true}))
        .await;
    assert_eq!(r.ok(200)["is_active"], true);
    // Deactivation ended the user's sessions: after reactivation they log in again.
    app.get("/v1/me", &token).await.problem(401, "unauthorized");
    let again = app.login(&t.slug, &u.email, PASSWORD).await.ok(200).clone();
    let again = again["access_token"].as_str().unwrap().to_string();
    app.get("/v1/me", &again).await.ok(200);
}

#[tokio::test]
async fn a_deactivated_user_is_refused_at_once_and_cannot_log_in() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "agent").await;
    let colleague = app.user_over_http(&t, "agent").await;
    app.get("/v1/users", &u.token).await.ok(200);

    let r = app
        .post(
            &format!("/v1/users/{}/deactivate", u.id),
            &t.admin.token,
            json!({}),
        )
        .await;
    assert_eq!(
        (&r.ok(200)["is_active"], &r.body["id"]),
        (&json!(false), &json!(u.id))
    );

    app.get("/v1/me", &u.token)
        .await
        .problem(403, "user_inactive");
    app.get("/v1/users", &u.token)
        .await
        .problem(403, "user_inactive");
    app.login(&t.slug, &u.email, PASSWORD)
        .await
        .problem(403, "user_inactive");
    refresh(&app, &u.refresh).await.problem(401, "unauthorized");
    // A colleague is unaffected.
    app.get("/v1/me", &colleague.token).await.ok(200);

    let r = app
        .patch(
            &format!("/v1/users/{}", u.id),
            &t.admin.token,
            json!({"is_active": true}),
        )
        .await;
    r.ok(200);
    app.login(&t.slug, &u.email, PASSWORD).await.ok(200);
}

#[tokio::test]
async fn an_admin_cannot_deactivate_or_demote_themself() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let me = format!("/v1/users/{}", t.admin.id);
    let r = app
        .post(&format!("{me}/deactivate"), &t.admin.token, json!({}))
        .await;
    r.problem(409, "cannot_change_self");
    app.patch(&me, &t.admin.token, json!({"is_active": false}))
        .await
        .problem(409, "cannot_change_self");
    app.patch(&me, &t.admin.token, json!({"role": "agent"}))
        .await
        .problem(409, "cannot_change_self");
    let row = user_row(&app, &t, t.admin.id).await;
    assert_eq!(
        (&row["role"], &row["is_active"]),
        (&json!("admin"), &json!(true))
    );
}

#[tokio::test]
async fn a_password_shorter_than_the_minimum_is_422_and_creates_nobody() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let addr = email("short", &t);
    let min = app.config.auth.password_min_len;
    let r = app
        .post(
            "/v1/users",
            &t.admin.token,
            json!({"email": addr, "role": "user", "password": "x".repeat(min - 1)}),
        )
        .await;
    assert_eq!(r.problem(422, "validation_failed")["field"], "password");
    let r = app
        .post(
            "/v1/users",
            &t.admin.token,
            json!({"email": addr, "role": "user"}),
        )
        .await;
    r.problem_field(422, "password");
    let r = app
        .post(
            "/v1/users",
            &t.admin.token,
            json!({"email": "not-an-email", "role": "user", "password": PASSWORD}),
        )
        .await;
    r.problem_field(422, "email");

    // Nobody was created: the address is still free and exactly `min` characters is enough.
    let r = app
        .post(
            "/v1/users",
            &t.admin.token,
            json!({"email": addr, "role": "user", "password": "y".repeat(min)}),
        )
        .await;
    r.ok(201);
    app.login(&t.slug, &addr, &"y".repeat(min)).await.ok(200);
}

#[tokio::test]
async fn a_user_changes_their_own_password() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "user").await;
    let new = "a much better passphrase 2";
    // A second session (another device) of the same user.
    let other = app.login(&t.slug, &u.email, PASSWORD).await.ok(200).clone();
    let other_token = other["access_token"].as_str().unwrap().to_string();

    let r = app
        .post(
            "/v1/me/password",
            &u.token,
            json!({"current_password": "wrong wrong wrong", "new_password": new}),
        )
        .await;
    r.problem_field(422, "current_password");
    let r = app
        .post(
            "/v1/me/password",
            &u.token,
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    r.problem_field(422, "new_password");
    // Neither attempt changed anything.
    app.login(&t.slug, &u.email, PASSWORD).await.ok(200);

    let r = app
        .post(
            "/v1/me/password",
            &u.token,
            json!({"current_password": PASSWORD, "new_password": new}),
        )
        .await;
    r.ok(204);
    app.login(&t.slug, &u.email, PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    let fresh = app.login(&t.slug, &u.email, new).await.ok(200).clone();
    // Sessions from before the change must log in again: access and refresh tokens alike.
    refresh(&app, &u.refresh).await.problem(401, "unauthorized");
    for old in [&u.token, &other_token] {
        app.get("/v1/me", old).await.problem(401, "unauthorized");
    }
    let fresh_token = fresh["access_token"].as_str().unwrap().to_string();
    app.get("/v1/me", &fresh_token).await.ok(200);
}

#[tokio::test]
async fn me_describes_the_calling_user() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let u = app.user_over_http(&t, "agent").await;
    let r = app.get("/v1/me", &u.token).await;
    let me = r.ok(200);
    assert_eq!(me["tenant"]["id"], t.id.to_string());
    assert_eq!(me["tenant"]["slug"], t.slug);
    assert_eq!((&me["role"], &me["via"]), (&json!("agent"), &json!("jwt")));
    assert_eq!(me["user"]["id"], u.id.to_string());
    assert_eq!(me["user"]["email"], u.email);
    assert!(
        me.get("api_key_id").is_none() && me.get("superadmin_id").is_none(),
        "{me}"
    );

    let admin = app.get("/v1/me", &t.admin.token).await;
    assert_eq!(
        (&admin.ok(200)["role"], &admin.body["user"]["id"]),
        (&json!("admin"), &json!(t.admin.id))
    );
}

#[tokio::test]
async fn a_role_change_takes_effect_at_once() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let rogue = app.user_over_http(&t, "admin").await;
    let path = format!("/v1/users/{}", rogue.id);
    let r = app
        .patch(&path, &t.admin.token, json!({"role": "user"}))
        .await;
    assert_eq!(r.ok(200)["role"], "user");

    // The token issued before the demotion can neither promote its user back nor make admins.
    let r = app
        .patch(&path, &rogue.token, json!({"role": "admin"}))
        .await;
    r.problem(401, "unauthorized");
    let sleeper =
        json!({"email": format!("sleeper@{}.test", t.slug), "role": "admin", "password": PASSWORD});
    app.post("/v1/users", &rogue.token, sleeper.clone())
        .await
        .problem(401, "unauthorized");
    // A refresh issues the current role, with a user's rights only.
    let r = refresh(&app, &rogue.refresh).await;
    assert_eq!(r.ok(200)["role"], "user");
    let demoted = r.body["access_token"].as_str().unwrap().to_string();
    app.patch(&path, &demoted, json!({"role": "admin"}))
        .await
        .problem(403, "forbidden");
    app.post("/v1/users", &demoted, sleeper)
        .await
        .problem(403, "forbidden");
    assert_eq!(user_row(&app, &t, rogue.id).await["role"], "user");
    let r = app
        .login(&t.slug, &format!("sleeper@{}.test", t.slug), PASSWORD)
        .await;
    r.problem(401, "invalid_credentials");

    // A promotion too: the old token is refused, a refreshed one carries the new rights.
    let u = app.user_over_http(&t, "user").await;
    app.get("/v1/users", &u.token)
        .await
        .problem(403, "forbidden");
    let r = app
        .patch(
            &format!("/v1/users/{}", u.id),
            &t.admin.token,
            json!({"role": "agent"}),
        )
        .await;
    r.ok(200);
    app.get("/v1/me", &u.token)
        .await
        .problem(401, "unauthorized");
    let r = refresh(&app, &u.refresh).await;
    assert_eq!(r.ok(200)["role"], "agent");
    app.get(
        "/v1/users",
        &r.body["access_token"].as_str().unwrap().to_string(),
    )
    .await
    .ok(200);
}
