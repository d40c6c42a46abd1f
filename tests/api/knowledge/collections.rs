//! Collections: CRUD, roles, validation, tenant isolation.

use serde_json::json;

use super::doc_with;
use crate::support::*;

#[tokio::test]
async fn an_agent_creates_lists_renames_and_deletes_a_collection() {
    let app = spawn().await;
    let t = app.tenant().await;
    let agent = app.user(&t, "agent").await;
    let r = app
        .post(
            "/v1/collections",
            &agent.token,
            json!({"name": " Billing ", "description": "Invoices and refunds"}),
        )
        .await;
    let c = r.ok(201).clone();
    assert_eq!(c["name"], "Billing");
    let id = c["id"].as_str().unwrap();

    let dup = app
        .post("/v1/collections", &agent.token, json!({"name": "billing"}))
        .await;
    dup.problem(409, "name_taken");

    let list = app.get("/v1/collections", &agent.token).await;
    assert_eq!(list.ok(200)["items"].as_array().unwrap().len(), 1);

    let r = app
        .patch(
            &format!("/v1/collections/{id}"),
            &agent.token,
            json!({"name": "Payments"}),
        )
        .await;
    assert_eq!(r.ok(200)["name"], "Payments");
    assert_eq!(r.body["description"], "Invoices and refunds");

    // Not while it holds a document.
    let d = doc_with(
        &app,
        &agent.token,
        json!({"title": "Refunds", "content": "Refunds take five days.", "collection_id": id}),
    )
    .await;
    app.delete(&format!("/v1/collections/{id}"), &agent.token)
        .await
        .problem(409, "collection_not_empty");
    app.delete(&format!("/v1/documents/{d}?permanent=true"), &t.admin.token)
        .await
        .ok(204);
    app.delete(&format!("/v1/collections/{id}"), &agent.token)
        .await
        .ok(204);
    app.get(&format!("/v1/collections/{id}"), &agent.token)
        .await
        .problem(404, "not_found");
}

#[tokio::test]
async fn users_read_collections_but_cannot_change_them() {
    let app = spawn().await;
    let t = app.tenant().await;
    let user = app.user(&t, "user").await;
    let r = app
        .post("/v1/collections", &t.admin.token, json!({"name": "FAQ"}))
        .await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    app.get(&format!("/v1/collections/{id}"), &user.token)
        .await
        .ok(200);
    app.post("/v1/collections", &user.token, json!({"name": "Mine"}))
        .await
        .problem(403, "forbidden");
    app.delete(&format!("/v1/collections/{id}"), &user.token)
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn bad_collection_input_names_the_field() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    app.post("/v1/collections", tok, json!({"name": "  "}))
        .await
        .problem_field(422, "name");
    app.post("/v1/collections", tok, json!({}))
        .await
        .problem_field(422, "name");
    app.post(
        "/v1/collections",
        tok,
        json!({"name": "x", "description": "d".repeat(2001)}),
    )
    .await
    .problem_field(422, "description");
    let r = app.post("/v1/collections", tok, json!({"name": "x"})).await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    app.patch(&format!("/v1/collections/{id}"), tok, json!({"name": 5}))
        .await
        .problem_field(422, "name");
    app.get("/v1/collections?limit=0", tok)
        .await
        .problem_field(422, "limit");
}

#[tokio::test]
async fn another_tenants_collection_is_404_everywhere() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let r = app
        .post("/v1/collections", &a.admin.token, json!({"name": "Secret"}))
        .await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    let path = format!("/v1/collections/{id}");
    app.get(&path, &b.admin.token)
        .await
        .problem(404, "not_found");
    app.patch(&path, &b.admin.token, json!({"name": "Mine"}))
        .await
        .problem(404, "not_found");
    app.delete(&path, &b.admin.token)
        .await
        .problem(404, "not_found");
    let list = app.get("/v1/collections", &b.admin.token).await;
    assert_eq!(list.ok(200)["items"], json!([]));
    // Nor can B file a document into it.
    app.post(
        "/v1/documents",
        &b.admin.token,
        json!({"title": "t", "content": "c", "collection_id": id}),
    )
    .await
    .problem_field(422, "collection_id");
    // A's collection is untouched.
    assert_eq!(
        app.get(&path, &a.admin.token).await.ok(200)["name"],
        "Secret"
    );
}
