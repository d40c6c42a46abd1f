//! `PATCH /v1/documents/{id}`.

use poem_openapi::payload::Json;

use super::{
    DocumentPatch, DocumentWritten,
    input::{content, content_type, metadata, optional_text, source_url},
};
use crate::{
    api::body::JsonBody,
    app::AppState,
    auth::{Agent, Tenant},
    error::{ApiError, ApiResult},
    ids::DocumentId,
    knowledge::Language,
    repo::{self, knowledge::Content},
};

pub(super) async fn update(
    state: &AppState,
    p: &Tenant<Agent>,
    id: DocumentId,
    body: JsonBody<DocumentPatch>,
) -> ApiResult<Json<DocumentWritten>> {
    let b = body.0;
    let title = b.title.as_deref();
    let category = b
        .category
        .as_deref()
        .map(|c| optional_text("category", Some(c), 200))
        .transpose()?;
    let url = b
        .source_url
        .as_deref()
        .map(|u| source_url("source_url", Some(u)))
        .transpose()?;
    let meta = b
        .metadata
        .map(|m| metadata("metadata", Some(m)))
        .transpose()?;
    let content = match b.content {
        Some(c) => {
            let ct = content_type("content_type", b.content_type.as_deref())?;
            Some(self::content(state, "content", ct, c)?)
        }
        None if b.content_type.is_some() => {
            return Err(ApiError::invalid(
                "content_type",
                "content_type goes with content",
            ));
        }
        None => None,
    };
    let patch = repo::knowledge::DocumentPatch {
        collection_id: b.collection_id.map(Some),
        title,
        doc_type: b.doc_type,
        category: category.as_ref().map(|c| c.as_deref()),
        language: b.language.or_else(|| {
            content
                .as_ref()
                .map(|(_, _, text, _)| Language::detect(text))
        }),
        source_url: url.as_ref().map(|u| u.as_deref()),
        metadata: meta.as_ref(),
        is_active: b.is_active,
    };
    let out = p
        .tx(async |tx| {
            let c = content.as_ref().map(|(ct, raw, text, hash)| Content {
                content_type: ct,
                raw,
                text,
                hash,
            });
            let Some((doc, new_version)) =
                repo::knowledge::update_document(tx, id, &patch, c.as_ref()).await?
            else {
                return Ok(None);
            };
            let job = if new_version {
                Some(repo::knowledge::create_job(tx, &[doc.id]).await?.id)
            } else {
                None
            };
            Ok(Some(DocumentWritten {
                document: doc.into(),
                deduplicated: false,
                job_id: job,
            }))
        })
        .await?;
    out.map(Json).ok_or_else(|| ApiError::not_found("document"))
}
