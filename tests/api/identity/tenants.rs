//! Tenants: superadmins only; deactivation refuses everything of the tenant at once.
//!
//! Fixtures here go through the API (`*_over_http`: superadmin login, `POST /v1/tenants`,
//! `POST /v1/users`, tenant login): these endpoints are what the tests are about.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{create_key, id_of, refresh, walk};
use crate::support::*;

fn new_slug() -> String {
    format!("t-{}", &Uuid::new_v4().simple().to_string()[..12])
}

/// The tenant with `id` in the full tenant listing.
async fn listed(app: &TestApp, root: &Superadmin, id: Uuid) -> Value {
    let (items, _) = walk(app, "/v1/tenants", Cred::from(&root.token), 100).await;
    items
        .into_iter()
        .find(|t| t["id"] == id.to_string())
        .expect("tenant is listed")
}

#[tokio::test]
async fn a_superadmin_creates_lists_gets_and_updates_tenants_with_user_counts() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let t = app.tenant_by_over_http(&root).await;
    app.user_over_http(&t, "agent").await;
    app.user_over_http(&t, "user").await;

    let slug = new_slug();
    let r = app
        .post(
            "/v1/tenants",
            &root.token,
            json!({"name": "  Acme Corp ", "slug": slug}),
        )
        .await;
    let created = r.ok(201).clone();
    let empty = id_of(&created);
    assert_eq!(created["name"], "Acme Corp", "name is trimmed: {created}");
    assert_eq!(created["slug"], slug);
    assert_eq!(created["is_active"], true);
    assert_eq!(created["user_count"], 0);
    assert!(created.get("deactivated_at").is_none(), "{created}");

    let got = app.get(&format!("/v1/tenants/{}", t.id), &root.token).await;
    assert_eq!(got.ok(200)["user_count"], 3, "admin, agent and user");
    assert_eq!(got.body["slug"], t.slug);

    assert_eq!(listed(&app, &root, t.id).await["user_count"], 3);
    let e = listed(&app, &root, empty).await;
    assert_eq!(
        (&e["user_count"], &e["name"]),
        (&json!(0), &json!("Acme Corp"))
    );

    let r = app
        .patch(
            &format!("/v1/tenants/{empty}"),
            &root.token,
            json!({"name": "Acme Inc"}),
        )
        .await;
    assert_eq!(
        (&r.ok(200)["name"], &r.body["slug"]),
        (&json!("Acme Inc"), &json!(slug))
    );

    // A new slug is the new login handle; the old one no longer resolves.
    let renamed = new_slug();
    let r = app
        .patch(
            &format!("/v1/tenants/{}", t.id),
            &root.token,
            json!({"slug": renamed}),
        )
        .await;
    assert_eq!(r.ok(200)["slug"], renamed.as_str());
    assert_eq!(
        r.body["name"],
        format!("Tenant {}", t.slug),
        "name unchanged"
    );
    app.login(&renamed, &t.admin.email, PASSWORD).await.ok(200);
    app.login(&t.slug, &t.admin.email, PASSWORD)
        .await
        .problem(401, "invalid_credentials");
}

#[tokio::test]
async fn a_duplicate_slug_is_409_on_create_and_on_update() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let a = app.tenant_by_over_http(&root).await;
    let b = app.tenant_by_over_http(&root).await;

    let r = app
        .post(
            "/v1/tenants",
            &root.token,
            json!({"name": "Copycat", "slug": a.slug}),
        )
        .await;
    assert_eq!(r.problem(409, "slug_taken")["field"], "slug");

    let r = app
        .patch(
            &format!("/v1/tenants/{}", b.id),
            &root.token,
            json!({"slug": a.slug}),
        )
        .await;
    r.problem(409, "slug_taken");
    let b_now = app.get(&format!("/v1/tenants/{}", b.id), &root.token).await;
    assert_eq!(b_now.ok(200)["slug"], b.slug, "b keeps its slug");
}

#[tokio::test]
async fn bad_tenant_input_is_422_naming_the_field_and_writes_nothing() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let slug = new_slug();
    let bad = [
        (json!({"name": "   ", "slug": slug}), "name"),
        (json!({"name": "", "slug": slug}), "name"),
        (json!({"name": "x".repeat(201), "slug": slug}), "name"),
        (json!({"name": 42, "slug": slug}), "name"),
        (json!({"slug": slug}), "name"),
        (json!({"name": "Ok", "slug": "Bad Slug"}), "slug"),
        (json!({"name": "Ok", "slug": "UPPER"}), "slug"),
        (json!({"name": "Ok", "slug": "-edge"}), "slug"),
        (json!({"name": "Ok", "slug": "edge-"}), "slug"),
        (json!({"name": "Ok", "slug": "a".repeat(64)}), "slug"),
        (json!({"name": "Ok", "slug": ""}), "slug"),
        (json!({"name": "Ok"}), "slug"),
    ];
    for (body, field) in bad {
        let r = app.post("/v1/tenants", &root.token, body.clone()).await;
        assert_eq!(
            r.problem(422, "validation_failed")["field"],
            field,
            "for {body}"
        );
    }
    // Nothing was written: the slug used by every rejected attempt is still free.
    let r = app
        .post(
            "/v1/tenants",
            &root.token,
            json!({"name": "Real", "slug": slug}),
        )
        .await;
    let id = id_of(r.ok(201));

    for (body, field) in [
        (json!({"name": " "}), "name"),
        (json!({"slug": "no_underscores"}), "slug"),
    ] {
        let r = app
            .patch(&format!("/v1/tenants/{id}"), &root.token, body)
            .await;
        r.problem_field(422, field);
    }
    let now = app.get(&format!("/v1/tenants/{id}"), &root.token).await;
    assert_eq!(
        (&now.ok(200)["name"], &now.body["slug"]),
        (&json!("Real"), &json!(slug))
    );
}

#[tokio::test]
async fn tenant_users_and_api_keys_get_403_on_every_tenant_route() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let agent = app.user_over_http(&t, "agent").await;
    let user = app.user_over_http(&t, "user").await;
    let (key, _) = create_key(&app, &t.admin.token, "platform probe", "admin").await;
    let id = t.id;
    for cred in [
        Cred::from(&t.admin.token),
        Cred::from(&agent.token),
        Cred::from(&user.token),
        Cred::ApiKey(key.clone()),
    ] {
        let c = || cred.clone();
        app.get("/v1/tenants", c())
            .await
            .problem(403, "superadmin_only");
        let r = app
            .post(
                "/v1/tenants",
                c(),
                json!({"name": "Mine", "slug": new_slug()}),
            )
            .await;
        r.problem(403, "superadmin_only");
        app.get(&format!("/v1/tenants/{id}"), c())
            .await
            .problem(403, "superadmin_only");
        let r = app
            .patch(
                &format!("/v1/tenants/{id}"),
                c(),
                json!({"name": "Hijacked"}),
            )
            .await;
        r.problem(403, "superadmin_only");
        let r = app
            .post(&format!("/v1/tenants/{id}/deactivate"), c(), json!({}))
            .await;
        r.problem(403, "superadmin_only");
        let r = app
            .post(&format!("/v1/tenants/{id}/reactivate"), c(), json!({}))
            .await;
        r.problem(403, "superadmin_only");
        app.get(&format!("/v1/tenants/{id}/users"), c())
            .await
            .problem(403, "superadmin_only");
        app.get(&format!("/v1/tenants/{id}/audit-log"), c())
            .await
            .problem(403, "superadmin_only");
    }
    // Nothing changed: the tenant is active under its own name.
    let me = app.get("/v1/me", &t.admin.token).await;
    assert_eq!(me.ok(200)["tenant"]["name"], format!("Tenant {}", t.slug));
    assert_eq!(me.body["tenant"]["is_active"], true);
}

#[tokio::test]
async fn an_unknown_tenant_id_is_404_for_a_superadmin() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let id = Uuid::now_v7();
    app.get(&format!("/v1/tenants/{id}"), &root.token)
        .await
        .problem(404, "not_found");
    let r = app
        .patch(
            &format!("/v1/tenants/{id}"),
            &root.token,
            json!({"name": "x"}),
        )
        .await;
    r.problem(404, "not_found");
    let r = app
        .post(
            &format!("/v1/tenants/{id}/deactivate"),
            &root.token,
            json!({}),
        )
        .await;
    r.problem(404, "not_found");
    app.get(&format!("/v1/tenants/{id}/users"), &root.token)
        .await
        .problem(404, "not_found");
    app.get(&format!("/v1/tenants/{id}/audit-log"), &root.token)
        .await
        .problem(404, "not_found");
}

#[tokio::test]
async fn a_deactivated_tenant_refuses_its_users_tokens_and_keys_until_reactivated() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let t = app.tenant_by_over_http(&root).await;
    let other = app.tenant_by_over_http(&root).await;
    let user = app.user_over_http(&t, "user").await;
    let (key, _) = create_key(&app, &t.admin.token, "integration", "read_write").await;

    let r = app
        .post(
            &format!("/v1/tenants/{}/deactivate", t.id),
            &root.token,
            json!({}),
        )
        .await;
    let body = r.ok(200);
    assert_eq!(body["is_active"], false);
    assert!(body["deactivated_at"].is_string(), "{body}");

    let refused = async |cred: Cred| {
        app.get("/v1/me", cred)
            .await
            .problem(403, "tenant_inactive")
            .clone()
    };
    refused(Cred::from(&t.admin.token)).await;
    refused(Cred::from(&user.token)).await;
    refused(Cred::ApiKey(key.clone())).await;
    refused(Cred::Bearer(key.clone())).await;
    let r = app
        .post(
            "/v1/users",
            &t.admin.token,
            json!({"email": "x@y.test", "role": "user", "password": PASSWORD}),
        )
        .await;
    r.problem(403, "tenant_inactive");
    refresh(&app, &user.refresh)
        .await
        .problem(403, "tenant_inactive");
    app.login(&t.slug, &user.email, PASSWORD)
        .await
        .problem(403, "tenant_inactive");
    // A wrong password still learns nothing about the tenant.
    app.login(&t.slug, &user.email, "not the password at all")
        .await
        .problem(401, "invalid_credentials");

    // Other tenants are untouched.
    app.get("/v1/me", &other.admin.token).await.ok(200);
    let got = app.get(&format!("/v1/tenants/{}", t.id), &root.token).await;
    assert_eq!(got.ok(200)["is_active"], false);

    let r = app
        .post(
            &format!("/v1/tenants/{}/reactivate", t.id),
            &root.token,
            json!({}),
        )
        .await;
    let body = r.ok(200);
    assert_eq!(body["is_active"], true);
    assert!(body.get("deactivated_at").is_none(), "{body}");

    let me = app.get("/v1/me", &t.admin.token).await;
    assert_eq!(me.ok(200)["tenant"]["is_active"], true);
    app.get("/v1/me", &user.token).await.ok(200);
    app.get("/v1/me", Cred::ApiKey(key.clone())).await.ok(200);
    app.get("/v1/me", Cred::Bearer(key)).await.ok(200);
    // The refresh token refused while inactive was not consumed.
    let r = refresh(&app, &user.refresh).await;
    assert_eq!(r.ok(200)["user_id"], user.id.to_string());
    app.login(&t.slug, &user.email, PASSWORD).await.ok(200);
}
