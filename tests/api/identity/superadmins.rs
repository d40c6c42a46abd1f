//! Superadmins: no tenant of their own; they read tenants, act inside one with `X-Tenant-Id`,
//! and every such action is in that tenant's append-only audit log.
//!
//! Fixtures here go through the API (`*_over_http`: superadmin login, `POST /v1/tenants`,
//! `POST /v1/users`, tenant login): these endpoints are what the tests are about.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{client_at, id_of, random_loopback, send_with_headers, walk};
use crate::support::*;

/// The request-level entry (`<METHOD> <path>`) written for a superadmin's request.
fn entry(items: &[Value], request_id: &str) -> Option<Value> {
    items
        .iter()
        .find(|e| {
            e["request_id"] == request_id && e["action"].as_str().is_some_and(|a| a.contains(' '))
        })
        .cloned()
}

#[tokio::test]
async fn a_superadmin_belongs_to_no_tenant() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let r = app
        .post(
            "/v1/auth/superadmin/token",
            Cred::None,
            json!({"email": root.email, "password": PASSWORD}),
        )
        .await;
    let body = r.ok(200);
    assert_eq!(
        (&body["role"], &body["user_id"]),
        (&json!("superadmin"), &json!(root.id))
    );
    assert!(
        body.get("tenant_id").is_none() && body.get("refresh_token").is_none(),
        "{body}"
    );

    let r = app.get("/v1/me", &root.token).await;
    assert_eq!(r.problem(403, "tenant_required")["field"], "X-Tenant-Id");
    app.get("/v1/users", &root.token)
        .await
        .problem(403, "tenant_required");
    app.get("/v1/audit-log", &root.token)
        .await
        .problem(403, "tenant_required");

    // A superadmin's password does not open any tenant, and a tenant admin's does not open the
    // platform.
    let t = app.tenant_by_over_http(&root).await;
    app.login(&t.slug, &root.email, PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    let r = app
        .post(
            "/v1/auth/superadmin/token",
            Cred::None,
            json!({"email": t.admin.email, "password": PASSWORD}),
        )
        .await;
    r.problem(401, "invalid_credentials");
    let r = app
        .post(
            "/v1/auth/superadmin/token",
            Cred::None,
            json!({"email": root.email, "password": "wrong wrong wrong"}),
        )
        .await;
    r.problem(401, "invalid_credentials");
}

#[tokio::test]
async fn a_superadmin_reads_any_tenants_users() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let t = app.tenant_over_http().await; // made by another superadmin
    let agent = app.user_over_http(&t, "agent").await;
    let (items, _) = walk(
        &app,
        &format!("/v1/tenants/{}/users", t.id),
        Cred::from(&root.token),
        1,
    )
    .await;
    let ids: Vec<Uuid> = items.iter().map(id_of).collect();
    assert_eq!(ids, vec![t.admin.id, agent.id]);
    assert_eq!(
        (&items[1]["email"], &items[1]["role"]),
        (&json!(agent.email), &json!("agent"))
    );
    let r = app
        .get(
            &format!("/v1/tenants/{}/users?cursor=nope", t.id),
            &root.token,
        )
        .await;
    r.problem_field(422, "cursor");
}

#[tokio::test]
async fn a_superadmin_acting_in_a_tenant_is_audited_where_its_admin_can_read_it() {
    let mut app = spawn().await;
    let root = app.superadmin_over_http().await;
    let t = app.tenant_by_over_http(&root).await;
    let other = app.tenant_by_over_http(&root).await;
    let ip = random_loopback();
    app.client = client_at(ip);

    let request_id = format!("audit-{}", Uuid::new_v4());
    let started = chrono::Utc::now() - chrono::Duration::seconds(2);
    let email = format!("made-by-root@{}.test", t.slug);
    let b = app
        .req(
            Method::POST,
            "/v1/users",
            Cred::Acting(root.token.clone(), t.id),
        )
        .header("X-Request-Id", &request_id)
        .json(
            &json!({"email": email, "full_name": "Rooted", "role": "agent", "password": PASSWORD}),
        );
    let r = app.send(b).await;
    assert_eq!(r.header("x-request-id"), Some(request_id.as_str()));
    let created = r.ok(201).clone();
    assert_eq!(created["tenant_id"], t.id.to_string());
    app.login(&t.slug, &email, PASSWORD).await.ok(200);

    let me = app
        .get("/v1/me", Cred::Acting(root.token.clone(), t.id))
        .await;
    let me = me.ok(200);
    assert_eq!(
        (&me["via"], &me["superadmin_id"], &me["role"]),
        (&json!("superadmin"), &json!(root.id), &json!("admin"))
    );
    assert_eq!(me["tenant"]["id"], t.id.to_string());

    let (by_admin, _) = walk(&app, "/v1/audit-log", Cred::from(&t.admin.token), 100).await;
    let e = entry(&by_admin, &request_id).expect("the tenant's admin sees the action");
    assert_eq!(e["tenant_id"], t.id.to_string());
    assert_eq!(e["actor_superadmin_id"], root.id.to_string());
    assert!(e.get("actor_user_id").is_none(), "{e}");
    assert_eq!(e["action"], "POST /v1/users");
    assert_eq!(e["target"], "/v1/users");
    assert_eq!(e["ip"], ip.to_string());
    // The domain event of the same request names the created user.
    let event = by_admin
        .iter()
        .find(|x| x["request_id"] == request_id.as_str() && x["action"] == "user.create")
        .expect("user.create entry");
    assert_eq!(
        event["target"],
        format!("user:{}", created["id"].as_str().unwrap())
    );
    assert_eq!(event["actor_superadmin_id"], root.id.to_string());
    assert_eq!(event["ip"], ip.to_string());
    let at = chrono::DateTime::parse_from_rfc3339(e["created_at"].as_str().unwrap()).unwrap();
    assert!(
        at >= started && at <= chrono::Utc::now() + chrono::Duration::seconds(2),
        "{at}"
    );
    // Every read the superadmin made inside is audited too, newest first.
    assert_eq!(by_admin[0]["action"], "GET /v1/me", "{by_admin:?}");
    assert!(
        by_admin.iter().any(|e| e["action"] == "tenant.create"),
        "{by_admin:?}"
    );

    let (by_root, _) = walk(
        &app,
        &format!("/v1/tenants/{}/audit-log", t.id),
        Cred::from(&root.token),
        2,
    )
    .await;
    assert_eq!(entry(&by_root, &request_id), Some(e.clone()));
    assert_eq!(by_root, by_admin, "both readers see the same log");

    let (by_other, _) = walk(&app, "/v1/audit-log", Cred::from(&other.admin.token), 100).await;
    assert!(
        entry(&by_other, &request_id).is_none(),
        "another tenant's admin does not see it"
    );
    assert!(
        by_other
            .iter()
            .all(|e| e["tenant_id"] == other.id.to_string()),
        "{by_other:?}"
    );
    let (other_by_root, _) = walk(
        &app,
        &format!("/v1/tenants/{}/audit-log", other.id),
        Cred::from(&root.token),
        100,
    )
    .await;
    assert!(entry(&other_by_root, &request_id).is_none());
}

#[tokio::test]
async fn a_failed_action_of_a_superadmin_leaves_no_audit_entry_and_no_row() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let t = app.tenant_by_over_http(&root).await;
    let request_id = format!("failed-{}", Uuid::new_v4());
    let b = app
        .req(
            Method::POST,
            "/v1/users",
            Cred::Acting(root.token.clone(), t.id),
        )
        .header("X-Request-Id", &request_id)
        .json(&json!({"email": t.admin.email, "role": "user", "password": PASSWORD}));
    app.send(b).await.problem(409, "email_taken");
    let (log, _) = walk(&app, "/v1/audit-log", Cred::from(&t.admin.token), 100).await;
    assert!(entry(&log, &request_id).is_none(), "{log:?}");
}

#[tokio::test]
async fn only_a_tenants_admins_read_its_audit_log() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let user = app.user_over_http(&t, "user").await;
    let agent = app.user_over_http(&t, "agent").await;
    let (rw, _) = create_key_rw(&app, &t).await;
    app.get("/v1/audit-log", &user.token)
        .await
        .problem(403, "forbidden");
    app.get("/v1/audit-log", &agent.token)
        .await
        .problem(403, "forbidden");
    app.get("/v1/audit-log", Cred::ApiKey(rw))
        .await
        .problem(403, "forbidden");
    let r = app.get("/v1/audit-log", &t.admin.token).await;
    assert!(
        !r.ok(200)["items"].as_array().unwrap().is_empty(),
        "tenant.create at least"
    );
}

/// A tenant's own changes are audited too, with who made them (user or API key), the request id
/// and the address; a refused change leaves no entry.
#[tokio::test]
async fn a_tenants_own_changes_are_in_its_audit_log() {
    let mut app = spawn().await;
    let t = app.tenant_over_http().await;
    let ip = random_loopback();
    app.client = client_at(ip);

    let b = app
        .req(Method::POST, "/v1/users", &t.admin.token)
        .header("X-Request-Id", "audit-own-1")
        .json(&json!({"email": format!("new@{}.test", t.slug), "full_name": "New", "role": "user", "password": PASSWORD}));
    let user_id = app.send(b).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A duplicate is refused and leaves nothing behind.
    let b = app
        .req(Method::POST, "/v1/users", &t.admin.token)
        .header("X-Request-Id", "audit-own-dup")
        .json(&json!({"email": format!("NEW@{}.test", t.slug), "full_name": "Dup", "role": "user", "password": PASSWORD}));
    app.send(b).await.problem(409, "email_taken");
    let (key, created) = create_key_rw(&app, &t).await;
    let key_id = created["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/v1/tickets",
            Cred::ApiKey(key),
            json!({"title": "From a key"}),
        )
        .await;
    let ticket_id = r.ok(201)["id"].as_str().unwrap().to_string();
    app.delete(&format!("/v1/api-keys/{key_id}"), &t.admin.token)
        .await
        .ok(204);

    let (log, _) = walk(&app, "/v1/audit-log", Cred::from(&t.admin.token), 100).await;
    let find = |action: &str| {
        log.iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {log:?}"))
            .clone()
    };
    let e = find("user.create");
    assert_eq!(e["target"], format!("user:{user_id}"));
    assert_eq!(e["actor_user_id"], t.admin.id.to_string());
    assert_eq!(
        (&e["request_id"], &e["ip"]),
        (&json!("audit-own-1"), &json!(ip.to_string()))
    );
    assert!(e.get("actor_superadmin_id").is_none(), "{e}");
    assert!(
        !log.iter().any(|e| e["request_id"] == "audit-own-dup"),
        "{log:?}"
    );
    let e = find("ticket.create");
    assert_eq!(e["target"], format!("ticket:{ticket_id}"));
    assert_eq!(e["actor_api_key_id"], key_id);
    assert!(e.get("actor_user_id").is_none(), "{e}");
    assert_eq!(
        find("api_key.create")["target"],
        format!("api_key:{key_id}")
    );
    assert_eq!(
        find("api_key.revoke")["actor_user_id"],
        t.admin.id.to_string()
    );
}

async fn create_key_rw(app: &TestApp, t: &TestTenant) -> (String, Value) {
    super::create_key(app, &t.admin.token, "rw", "read_write").await
}

/// Runs one statement as `db_role` in `tenant`, in its own transaction on the login role's
/// connection; returns the rows it changed or the error.
async fn as_role(
    c: &mut AppConn,
    db_role: &str,
    tenant: Uuid,
    sql: &str,
) -> Result<u64, tokio_postgres::Error> {
    let tx = c.transaction().await?;
    tx.execute(
        "select set_config('role', $1, true), set_config('app.tenant_id', $2, true), set_config('app.role', 'admin', true)",
        &[&db_role, &tenant.to_string()],
    )
    .await?;
    let n = tx.execute(sql, &[]).await?;
    tx.rollback().await?;
    Ok(n)
}

#[tokio::test]
async fn no_database_role_of_the_service_can_update_or_delete_audit_rows() {
    let app = spawn().await;
    let t = app.tenant_over_http().await;
    let (before, _) = walk(&app, "/v1/audit-log", Cred::from(&t.admin.token), 100).await;
    assert!(!before.is_empty());

    let mut c = app_conn().await;
    // The tenant role can read its own entries: it sees the rows it would change.
    let tx = c.transaction().await.unwrap();
    tx.execute(
        "select set_config('role', 'tenantdesk_tenant', true), set_config('app.tenant_id', $1, true), set_config('app.role', 'admin', true)",
        &[&t.id.to_string()],
    )
    .await
    .unwrap();
    let seen: i64 = tx
        .query_one("select count(*) from audit_log", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(seen as usize, before.len());
    tx.rollback().await.unwrap();

    for role in ["tenantdesk_tenant", "tenantdesk_platform"] {
        for sql in [
            format!(
                "update audit_log set action = 'forged' where tenant_id = '{}'",
                t.id
            ),
            format!("delete from audit_log where tenant_id = '{}'", t.id),
            "truncate audit_log".to_string(),
        ] {
            match as_role(&mut c, role, t.id, &sql).await {
                Err(e) => assert!(e.as_db_error().is_some(), "{role}: {sql}: {e}"),
                Ok(n) => assert_eq!(n, 0, "{role} changed audit rows with {sql}"),
            }
        }
    }
    let (after, _) = walk(&app, "/v1/audit-log", Cred::from(&t.admin.token), 100).await;
    assert_eq!(after, before);
}

#[tokio::test]
async fn x_tenant_id_must_name_an_existing_tenant() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    for bad in ["not-a-uuid", "1234", ""] {
        let auth = format!("Bearer {}", root.token);
        let r = send_with_headers(
            &app,
            Method::GET,
            "/v1/me",
            &[("Authorization", &auth), ("X-Tenant-Id", bad)],
        )
        .await;
        assert!(r.status == 422 || r.status == 400, "{bad}: {}", r.text);
        assert_eq!(r.body["field"], "X-Tenant-Id", "{}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
    let nowhere = Uuid::now_v7();
    app.get("/v1/me", Cred::Acting(root.token.clone(), nowhere))
        .await
        .problem(404, "not_found");
    let r = app
        .post(
            "/v1/users",
            Cred::Acting(root.token.clone(), nowhere),
            json!({"email": "a@b.test", "role": "user", "password": PASSWORD}),
        )
        .await;
    r.problem(404, "not_found");
    // X-Tenant-Id means nothing for a tenant user: they stay in their own tenant.
    let t = app.tenant_over_http().await;
    let other = app.tenant_over_http().await;
    let r = app
        .get("/v1/me", Cred::Acting(t.admin.token.clone(), other.id))
        .await;
    assert_eq!(r.ok(200)["tenant"]["id"], t.id.to_string());
}

#[tokio::test]
async fn a_deactivated_superadmin_is_refused_everywhere_at_once() {
    let app = spawn().await;
    let root = app.superadmin_over_http().await;
    let t = app.tenant_by_over_http(&root).await;
    let acting = || Cred::Acting(root.token.clone(), t.id);
    app.get("/v1/me", acting()).await.ok(200);
    // There is no API for it yet: the platform operator flips the flag in the database.
    let c = owner_conn().await;
    let n = c
        .execute(
            "update superadmins set is_active = false where id = $1",
            &[&root.id],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);

    app.get("/v1/tenants", &root.token)
        .await
        .problem(401, "unauthorized");
    app.get("/v1/me", acting())
        .await
        .problem(401, "unauthorized");
    let sleeper =
        json!({"email": format!("sleeper@{}.test", t.slug), "role": "admin", "password": PASSWORD});
    app.post("/v1/users", acting(), sleeper)
        .await
        .problem(401, "unauthorized");
    let r = app
        .post(
            "/v1/auth/superadmin/token",
            Cred::None,
            json!({"email": root.email, "password": PASSWORD}),
        )
        .await;
    r.problem(403, "user_inactive");
    let (users, _) = walk(&app, "/v1/users", Cred::from(&t.admin.token), 100).await;
    assert_eq!(users.len(), 1, "nobody was created: {users:?}");
}
