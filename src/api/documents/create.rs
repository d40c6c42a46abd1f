//! `POST /v1/documents`, `/upload` and `/bulk`.

use poem_openapi::payload::Json;
use serde_json::Value;

use super::{
    BulkIn, BulkOut, BulkWritten, DocumentIn, DocumentUpload, Written,
    input::{content_type, create_one, prepare, store, written},
};
use crate::{
    api::body::JsonBody,
    app::AppState,
    auth::{Agent, Tenant},
    error::{ApiError, ApiResult, ProblemCode},
};

pub(super) async fn create(
    state: &AppState,
    p: &Tenant<Agent>,
    body: JsonBody<DocumentIn>,
) -> ApiResult<Written> {
    let d = prepare(state, "", body.0)?;
    create_one(state, p, d).await
}

pub(super) async fn upload(
    state: &AppState,
    p: &Tenant<Agent>,
    form: DocumentUpload,
) -> ApiResult<Written> {
    let max = state.config.kb.max_document_bytes;
    if form.file.size() > max {
        return Err(ApiError::new(
            poem::http::StatusCode::PAYLOAD_TOO_LARGE,
            ProblemCode::PayloadTooLarge,
            format!("the file is larger than {max} bytes"),
        )
        .with_field("file"));
    }
    let file_name = form.file.file_name().map(str::to_string);
    let by_ext = file_name.as_deref().and_then(|n| {
        let ext = n.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some("text/plain"),
            "md" | "markdown" => Some("text/markdown"),
            "html" | "htm" => Some("text/html"),
            _ => None,
        }
    });
    let declared = form
        .file
        .content_type()
        .filter(|c| !c.starts_with("application/octet-stream"))
        .map(str::to_string);
    let ct = content_type("file", declared.as_deref().or(by_ext))?;
    let raw = String::from_utf8(form.file.into_vec().await.map_err(|e| {
        ApiError::new(
            poem::http::StatusCode::BAD_REQUEST,
            ProblemCode::BadRequest,
            e.to_string(),
        )
    })?)
    .map_err(|_| ApiError::invalid("file", "the file is not UTF-8 text"))?;
    // The form's text fields go through the same rules as a JSON body (text, lengths,
    // patterns, enum values); the file's text is its `content`.
    let mut doc = serde_json::Map::new();
    doc.insert(
        "title".into(),
        form.title.or(file_name).unwrap_or_default().into(),
    );
    doc.insert("content".into(), raw.into());
    doc.insert("content_type".into(), ct.into());
    for (name, value) in [
        ("type", form.doc_type),
        ("category", form.category),
        ("language", form.language),
        ("source_url", form.source_url),
        ("collection_id", form.collection_id.map(|c| c.to_string())),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            doc.insert(name.into(), v.into());
        }
    }
    if let Some(m) = form.metadata.filter(|m| !m.is_empty()) {
        let m = serde_json::from_str::<Value>(&m)
            .map_err(|_| ApiError::invalid("metadata", "metadata must be a JSON object"))?;
        doc.insert("metadata".into(), m);
    }
    let d = JsonBody::<DocumentIn>::from_value(Value::Object(doc)).map_err(|mut e| {
        if e.field.as_deref() == Some("content") {
            e.field = Some("file".into());
            e.detail = e.detail.replacen("content", "file", 1);
        }
        e
    })?;
    let d = prepare(state, "", d.0)?;
    create_one(state, p, d).await
}

pub(super) async fn bulk(
    state: &AppState,
    p: &Tenant<Agent>,
    body: JsonBody<BulkIn>,
) -> ApiResult<BulkWritten> {
    let docs = body
        .0
        .documents
        .into_iter()
        .enumerate()
        .map(|(i, d)| prepare(state, &format!("documents[{i}]."), d))
        .collect::<ApiResult<Vec<_>>>()?;
    let (rows, job) = store(state, p, docs).await?;
    Ok(BulkWritten::Accepted(Json(BulkOut {
        documents: rows
            .into_iter()
            .map(|(r, created)| written(r, created, job))
            .collect(),
        job_id: job,
    })))
}
