//! Documents: create (JSON, multipart, bulk), deduplication, versions, soft and hard delete,
//! client vectors, validation, tenant isolation.

use reqwest::{
    Method,
    multipart::{Form, Part},
};
use serde_json::json;

use super::{doc, drain};
use crate::support::*;

#[tokio::test]
async fn a_document_is_created_queued_and_the_same_content_is_not_stored_twice() {
    let app = spawn().await;
    let t = app.tenant().await;
    let agent = app.user(&t, "agent").await;
    let r = app
        .post(
            "/v1/documents",
            &agent.token,
            json!({"title": "Reset your password", "content": "Open Settings.\r\nClick  Reset.  \n",
                   "type": "guide", "category": "account", "source_url": "https://help.example/reset",
                   "metadata": {"lang": "en"}}),
        )
        .await;
    let d = r.ok(201).clone();
    assert_eq!(d["deduplicated"], false);
    assert_eq!(d["version"], 1);
    assert_eq!(d["type"], "guide");
    assert_eq!(d["metadata"], json!({"lang": "en"}));
    let job = d["job_id"].as_str().unwrap();
    let id = d["id"].as_str().unwrap();

    // The same normalized text again (other line endings and trailing spaces): the same
    // document, nothing new stored, no new job.
    let r = app
        .post(
            "/v1/documents",
            &agent.token,
            json!({"title": "Another title", "content": "Open Settings.\nClick  Reset."}),
        )
        .await;
    assert_eq!(r.ok(200)["id"], id);
    assert_eq!(r.body["deduplicated"], true);
    assert!(r.body.get("job_id").is_none());
    let list = app.get("/v1/documents", &agent.token).await;
    assert_eq!(list.ok(200)["items"].as_array().unwrap().len(), 1);

    let j = app
        .get(&format!("/v1/ingestion-jobs/{job}"), &agent.token)
        .await;
    assert_eq!(j.ok(200)["status"], "pending");
    assert_eq!(j.body["document_ids"], json!([id]));
    drain(&app, &t).await;
    let j = app
        .get(&format!("/v1/ingestion-jobs/{job}"), &agent.token)
        .await;
    assert_eq!(j.ok(200)["status"], "completed");
    assert_eq!(j.body["documents_processed"], 1);

    let v = app
        .get(&format!("/v1/documents/{id}/versions/1"), &agent.token)
        .await;
    assert_eq!(v.ok(200)["content"], "Open Settings.\nClick  Reset.");
    assert_eq!(v.body["raw_content"], "Open Settings.\r\nClick  Reset.  \n");
}

#[tokio::test]
async fn new_content_makes_a_new_version_and_keeps_the_old_one() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let id = doc(&app, tok, "Shipping", "We ship in 3 days.").await;
    let path = format!("/v1/documents/{id}");

    // Same content: no version, no job.
    let r = app
        .patch(
            &path,
            tok,
            json!({"content": "We ship in 3 days.", "title": "Shipping times"}),
        )
        .await;
    assert_eq!(r.ok(200)["version"], 1);
    assert_eq!(r.body["title"], "Shipping times");
    assert!(r.body.get("job_id").is_none());

    let r = app
        .patch(
            &path,
            tok,
            json!({"content": "<p>We ship in <b>2</b> days.</p>", "content_type": "text/html"}),
        )
        .await;
    assert_eq!(r.ok(200)["version"], 2);
    assert!(r.body["job_id"].is_string());

    let vs = app.get(&format!("{path}/versions"), tok).await;
    let items = vs.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["version"], 2);
    assert!(items[0].get("valid_to").is_none());
    assert!(items[1]["valid_to"].is_string(), "{items:?}");
    let v1 = app.get(&format!("{path}/versions/1"), tok).await;
    assert_eq!(v1.ok(200)["content"], "We ship in 3 days.");
    let v2 = app.get(&format!("{path}/versions/2"), tok).await;
    assert_eq!(v2.ok(200)["content"], "We ship in 2 days.");
    assert_eq!(v2.body["content_type"], "text/html");
    app.get(&format!("{path}/versions/3"), tok)
        .await
        .problem(404, "not_found");
}

#[tokio::test]
async fn soft_delete_restore_and_permanent_delete() {
    let app = spawn().await;
    let t = app.tenant().await;
    let agent = app.user(&t, "agent").await;
    let id = doc(&app, &agent.token, "Old policy", "Returns within 14 days.").await;
    let path = format!("/v1/documents/{id}");

    app.delete(&path, &agent.token).await.ok(204);
    let live = app.get("/v1/documents", &agent.token).await;
    assert_eq!(live.ok(200)["items"], json!([]));
    let trash = app.get("/v1/documents?deleted=true", &agent.token).await;
    assert_eq!(trash.ok(200)["items"][0]["id"], id.to_string());
    // A deleted document is not changed, and deleting it again is 404.
    app.patch(&path, &agent.token, json!({"title": "x"}))
        .await
        .problem(404, "not_found");
    app.delete(&path, &agent.token)
        .await
        .problem(404, "not_found");
    // While deleted, the same content makes a new document.
    let again = app
        .post(
            "/v1/documents",
            &agent.token,
            json!({"title": "t", "content": "Returns within 14 days."}),
        )
        .await;
    assert_ne!(again.ok(201)["id"], id.to_string());

    let r = app
        .post(&format!("{path}/restore"), &agent.token, json!({}))
        .await;
    assert!(r.ok(200).get("deleted_at").is_none());
    app.post(&format!("{path}/restore"), &agent.token, json!({}))
        .await
        .problem(404, "not_found");

    // Permanent delete is for admins.
    app.delete(&format!("{path}?permanent=true"), &agent.token)
        .await
        .problem(403, "forbidden");
    app.delete(&format!("{path}?permanent=true"), &t.admin.token)
        .await
        .ok(204);
    app.get(&path, &agent.token).await.problem(404, "not_found");
    app.get(&format!("{path}/versions"), &agent.token)
        .await
        .problem(404, "not_found");
}

#[tokio::test]
async fn a_multipart_upload_of_html_becomes_text() {
    let app = spawn().await;
    let t = app.tenant().await;
    let html = "<html><body><h1>Two-factor</h1><p>Scan the QR&nbsp;code.</p></body></html>";
    let form = Form::new()
        .part(
            "file",
            Part::text(html)
                .file_name("2fa.html")
                .mime_str("text/html")
                .unwrap(),
        )
        .text("type", "guide")
        .text("metadata", r#"{"product": "web"}"#);
    let r = app
        .send(
            app.req(Method::POST, "/v1/documents/upload", &t.admin.token)
                .multipart(form),
        )
        .await;
    let d = r.ok(201).clone();
    assert_eq!(d["title"], "2fa.html");
    assert_eq!(d["type"], "guide");
    assert_eq!(d["metadata"], json!({"product": "web"}));
    let v = app
        .get(
            &format!("/v1/documents/{}/versions/1", d["id"].as_str().unwrap()),
            &t.admin.token,
        )
        .await;
    // html2text marks the heading, as markdown does.
    assert_eq!(v.ok(200)["content"], "# Two-factor\n\nScan the QR code.");

    // Markdown by extension; a PDF is refused naming the field.
    let form = Form::new().part("file", Part::text("# Hi\n\nThere").file_name("hi.md"));
    let r = app
        .send(
            app.req(Method::POST, "/v1/documents/upload", &t.admin.token)
                .multipart(form),
        )
        .await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    let v = app
        .get(&format!("/v1/documents/{id}/versions/1"), &t.admin.token)
        .await;
    assert_eq!(v.ok(200)["content_type"], "text/markdown");
    // Neither a content type (octet-stream counts as none) nor a known extension: plain text,
    // as the spec says.
    for name in ["notes", "notes.log"] {
        let part = Part::text(format!("Plain words in {name}."))
            .file_name(name)
            .mime_str("application/octet-stream")
            .unwrap();
        let r = app
            .send(
                app.req(Method::POST, "/v1/documents/upload", &t.admin.token)
                    .multipart(Form::new().part("file", part)),
            )
            .await;
        let id = r.ok(201)["id"].as_str().unwrap().to_string();
        let v = app
            .get(&format!("/v1/documents/{id}/versions/1"), &t.admin.token)
            .await;
        assert_eq!(v.ok(200)["content_type"], "text/plain", "{name}");
    }
    let form = Form::new().part(
        "file",
        Part::bytes(b"%PDF-1.7".to_vec())
            .file_name("x.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    app.send(
        app.req(Method::POST, "/v1/documents/upload", &t.admin.token)
            .multipart(form),
    )
    .await
    .problem_field(422, "file");
}

#[tokio::test]
async fn content_over_the_limit_is_413() {
    let app = spawn_with(|c| c.kb.max_document_bytes = 1000).await;
    let t = app.tenant().await;
    let big = "word ".repeat(300);
    app.post(
        "/v1/documents",
        &t.admin.token,
        json!({"title": "Big", "content": big}),
    )
    .await
    .problem(413, "payload_too_large");
    let form = Form::new().part("file", Part::text(big).file_name("big.txt"));
    app.send(
        app.req(Method::POST, "/v1/documents/upload", &t.admin.token)
            .multipart(form),
    )
    .await
    .problem(413, "payload_too_large");
}

#[tokio::test]
async fn bulk_creation_makes_one_job_for_all_new_documents() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let existing = doc(&app, tok, "Known", "Already here.").await;
    let docs: Vec<_> = (0..5)
        .map(|i| json!({"title": format!("Doc {i}"), "content": format!("Fact number {i}.")}))
        .chain([json!({"title": "dup", "content": "Already here."})])
        .collect();
    let r = app
        .post("/v1/documents/bulk", tok, json!({"documents": docs}))
        .await;
    let body = r.ok(202).clone();
    let out = body["documents"].as_array().unwrap();
    assert_eq!(out.len(), 6);
    assert_eq!(out[5]["id"], existing.to_string());
    assert_eq!(out[5]["deduplicated"], true);
    let job = body["job_id"].as_str().unwrap();
    let j = app.get(&format!("/v1/ingestion-jobs/{job}"), tok).await;
    assert_eq!(j.ok(200)["documents_total"], 5);
    drain(&app, &t).await;
    let j = app.get(&format!("/v1/ingestion-jobs/{job}"), tok).await;
    assert_eq!(j.ok(200)["status"], "completed");
    assert_eq!(j.body["documents_processed"], 5);

    // Errors name the document.
    app.post(
        "/v1/documents/bulk",
        tok,
        json!({"documents": [{"title": "ok", "content": "fine"}, {"title": "", "content": "x"}]}),
    )
    .await
    .problem_field(422, "documents[1].title");
    app.post("/v1/documents/bulk", tok, json!({"documents": []}))
        .await
        .problem_field(422, "documents");
}

#[tokio::test]
async fn client_vectors_are_stored_and_a_wrong_dimension_is_422() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let id = doc(&app, tok, "Vectors", "Some text.").await;
    let path = format!("/v1/documents/{id}/chunks");
    let r = app
        .post(
            &path,
            tok,
            json!({"model": "custom-3d", "chunks": [
                {"content": "Some", "embedding": [1.0, 0.0, 0.0]},
                {"content": "text.", "embedding": [0.0, 1.0, 0.0]}]}),
        )
        .await;
    let out = r.ok(201);
    assert_eq!(out["dims"], 3);
    assert_eq!(out["chunks"], 2);
    // Vectors of one request must agree...
    app.post(
        &path,
        tok,
        json!({"model": "custom-3d", "chunks": [
            {"content": "a", "embedding": [1.0, 0.0, 0.0]},
            {"content": "b", "embedding": [1.0, 0.0]}]}),
    )
    .await
    .problem_field(422, "chunks[1].embedding");
    // ...with the model's vectors already stored...
    app.post(
        &path,
        tok,
        json!({"model": "custom-3d", "chunks": [{"content": "a", "embedding": [1.0, 0.0, 0.0, 0.0]}]}),
    )
    .await
    .problem_field(422, "chunks[0].embedding");
    // ...and with the service's own model.
    app.post(
        &path,
        tok,
        json!({"model": "all-MiniLM-L6-v2", "chunks": [{"content": "a", "embedding": [1.0, 0.0]}]}),
    )
    .await
    .problem_field(422, "chunks[0].embedding");
    app.post(&path, tok, json!({"model": "m", "chunks": []}))
        .await
        .problem_field(422, "chunks");
    app.post(
        &path,
        tok,
        json!({"model": "m", "chunks": [{"content": "a"}]}),
    )
    .await
    .problem_field(422, "chunks[0].embedding");
}

#[tokio::test]
async fn bad_document_input_names_the_field() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    for (body, field) in [
        (json!({"content": "x"}), "title"),
        (json!({"title": "x"}), "content"),
        (json!({"title": "x", "content": "   "}), "content"),
        (
            json!({"title": "x", "content": "y", "type": "novel"}),
            "type",
        ),
        (
            json!({"title": "x", "content": "y", "content_type": "application/pdf"}),
            "content_type",
        ),
        (
            json!({"title": "x", "content": "y", "metadata": [1]}),
            "metadata",
        ),
        (
            json!({"title": "x", "content": "y", "source_url": "ftp://x"}),
            "source_url",
        ),
        (
            json!({"title": "x", "content": "y", "category": "c".repeat(201)}),
            "category",
        ),
        (
            json!({"title": "x", "content": "y", "collection_id": "nope"}),
            "collection_id",
        ),
        (
            json!({"title": "x", "content": "y", "language": "english"}),
            "language",
        ),
        (
            json!({"title": "x", "content": "y", "language": 7}),
            "language",
        ),
    ] {
        app.post("/v1/documents", tok, body)
            .await
            .problem_field(422, field);
    }
    let id = doc(&app, tok, "x", "y").await;
    app.patch(
        &format!("/v1/documents/{id}"),
        tok,
        json!({"content_type": "text/html"}),
    )
    .await
    .problem_field(422, "content_type");
    app.patch(
        &format!("/v1/documents/{id}"),
        tok,
        json!({"language": "de"}),
    )
    .await
    .problem_field(422, "language");
    app.get("/v1/documents?cursor=zzz", tok)
        .await
        .problem_field(422, "cursor");
}

#[tokio::test]
async fn another_tenants_document_is_404_everywhere() {
    let app = spawn().await;
    let a = app.tenant().await;
    let b = app.tenant().await;
    let id = doc(&app, &a.admin.token, "A's secret", "Only for A.").await;
    let tok = &b.admin.token;
    let p = format!("/v1/documents/{id}");
    app.get(&p, tok).await.problem(404, "not_found");
    app.patch(&p, tok, json!({"title": "mine"}))
        .await
        .problem(404, "not_found");
    app.delete(&p, tok).await.problem(404, "not_found");
    app.delete(&format!("{p}?permanent=true"), tok)
        .await
        .problem(404, "not_found");
    app.post(&format!("{p}/restore"), tok, json!({}))
        .await
        .problem(404, "not_found");
    app.get(&format!("{p}/versions"), tok)
        .await
        .problem(404, "not_found");
    app.get(&format!("{p}/versions/1"), tok)
        .await
        .problem(404, "not_found");
    app.post(
        &format!("{p}/chunks"),
        tok,
        json!({"model": "m", "chunks": [{"content": "a", "embedding": [1.0]}]}),
    )
    .await
    .problem(404, "not_found");
    assert_eq!(
        app.get("/v1/documents", tok).await.ok(200)["items"],
        json!([])
    );
    // B uploading A's content makes B's own document: deduplication is per tenant.
    let r = app
        .post(
            "/v1/documents",
            tok,
            json!({"title": "t", "content": "Only for A."}),
        )
        .await;
    assert_ne!(r.ok(201)["id"], id.to_string());
    assert_eq!(
        app.get(&p, &a.admin.token).await.ok(200)["title"],
        "A's secret"
    );
}
