//! Validation of document input, and storing validated documents with their ingestion job.

use poem_openapi::payload::Json;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{DocumentIn, DocumentType, DocumentWritten, Language, Written};
use crate::{
    app::AppState,
    auth::Principal,
    error::{ApiError, ApiResult, ProblemCode},
    ids::{CollectionId, DocumentId, JobId},
    ingestion::normalize::{CONTENT_TYPES, normalize},
    repo::{
        self,
        knowledge::{Content, DocumentRow, NewDocument},
    },
};

/// A validated document, ready for the repository.
pub(super) struct Prepared {
    title: String,
    doc_type: DocumentType,
    collection_id: Option<CollectionId>,
    category: Option<String>,
    language: Language,
    source_url: Option<String>,
    metadata: Value,
    content_type: String,
    raw: String,
    text: String,
    hash: Vec<u8>,
}

pub(super) fn optional_text(field: &str, v: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max => Err(ApiError::invalid(
            field,
            format!("{field} must be at most {max} characters"),
        )),
        Some(v) => Ok(Some(v.to_string())),
    }
}

pub(super) fn source_url(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
    let v = optional_text(field, v, 2000)?;
    if let Some(u) = &v
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(ApiError::invalid(
            field,
            format!("{field} must be an http or https URL"),
        ));
    }
    Ok(v)
}

pub(super) fn metadata(field: &str, v: Option<Value>) -> ApiResult<Value> {
    match v {
        None | Some(Value::Null) => Ok(Value::Object(Default::default())),
        Some(v @ Value::Object(_)) => Ok(v),
        Some(_) => Err(ApiError::invalid(
            field,
            format!("{field} must be a JSON object"),
        )),
    }
}

pub(super) fn content_type(field: &str, v: Option<&str>) -> ApiResult<String> {
    let ct = v
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "text/plain".into());
    if !CONTENT_TYPES.contains(&ct.as_str()) {
        return Err(ApiError::invalid(
            field,
            format!("{field} must be one of {}", CONTENT_TYPES.join(", ")),
        )
        .with_allowed(CONTENT_TYPES.iter().map(|s| s.to_string()).collect()));
    }
    Ok(ct)
}

/// Checks the size, normalizes, hashes.
pub(super) fn content(
    state: &AppState,
    field: &str,
    ct: String,
    raw: String,
) -> ApiResult<(String, String, String, Vec<u8>)> {
    let max = state.config.kb.max_document_bytes;
    if raw.len() > max {
        return Err(ApiError::new(
            poem::http::StatusCode::PAYLOAD_TOO_LARGE,
            ProblemCode::PayloadTooLarge,
            format!("the content is larger than {max} bytes"),
        )
        .with_field(field));
    }
    let text = normalize(&ct, &raw);
    if text.is_empty() {
        return Err(ApiError::invalid(field, format!("{field} has no text")));
    }
    let hash = Sha256::digest(text.as_bytes()).to_vec();
    Ok((ct, raw, text, hash))
}

pub(super) fn prepare(state: &AppState, prefix: &str, d: DocumentIn) -> ApiResult<Prepared> {
    let f = |name: &str| format!("{prefix}{name}");
    let title = d.title.into_string();
    let ct = content_type(&f("content_type"), d.content_type.as_deref())?;
    let (content_type, raw, text, hash) = content(state, &f("content"), ct, d.content)?;
    let language = d
        .language
        .unwrap_or_else(|| Language::detect(&format!("{title}\n{text}")));
    Ok(Prepared {
        language,
        title,
        doc_type: d.doc_type.unwrap_or(DocumentType::Other),
        collection_id: d.collection_id,
        category: optional_text(&f("category"), d.category.as_deref(), 200)?,
        source_url: source_url(&f("source_url"), d.source_url.as_deref())?,
        metadata: metadata(&f("metadata"), d.metadata)?,
        content_type,
        raw,
        text,
        hash,
    })
}

/// Stores prepared documents in one transaction and queues one job for the new ones.
pub(super) async fn store(
    state: &AppState,
    p: &Principal,
    docs: Vec<Prepared>,
) -> ApiResult<(Vec<(DocumentRow, bool)>, Option<JobId>)> {
    state
        .db
        .tenant(&p.scope(), async |tx| {
            // The quotas count every document of the request (one that turns out to repeat a
            // live document's content adds nothing, but is counted: the check comes first).
            let adding = repo::usage::Adding {
                documents: docs.len() as i64,
                storage_bytes: docs.iter().map(|d| d.raw.len() as i64).sum(),
                api_keys: 0,
            };
            repo::usage::require_quota(tx, &state.config.usage.quotas, adding).await?;
            let mut out = Vec::with_capacity(docs.len());
            for d in &docs {
                let new = NewDocument {
                    collection_id: d.collection_id,
                    title: &d.title,
                    doc_type: d.doc_type,
                    category: d.category.as_deref(),
                    language: d.language,
                    source_url: d.source_url.as_deref(),
                    metadata: &d.metadata,
                };
                let content = Content {
                    content_type: &d.content_type,
                    raw: &d.raw,
                    text: &d.text,
                    hash: &d.hash,
                };
                out.push(repo::knowledge::create_document(tx, &new, &content).await?);
            }
            let mut fresh: Vec<DocumentId> =
                out.iter().filter(|(_, c)| *c).map(|(d, _)| d.id).collect();
            fresh.dedup();
            let job = if fresh.is_empty() {
                None
            } else {
                Some(repo::knowledge::create_job(tx, &fresh).await?.id)
            };
            Ok((out, job))
        })
        .await
}

pub(super) fn written(row: DocumentRow, created: bool, job: Option<JobId>) -> DocumentWritten {
    DocumentWritten {
        document: row.into(),
        deduplicated: !created,
        job_id: if created { job } else { None },
    }
}

pub(super) async fn create_one(state: &AppState, p: &Principal, d: Prepared) -> ApiResult<Written> {
    let (mut rows, job) = store(state, p, vec![d]).await?;
    let (row, created) = rows.remove(0);
    let out = Json(written(row, created, job));
    Ok(if created {
        Written::Created(out)
    } else {
        Written::Existing(out)
    })
}
