//! Knowledge-base documents: created from JSON, a multipart upload or in bulk; content changes
//! make new versions (old ones kept); soft delete and restore; permanent delete for admins;
//! chunks with client-supplied vectors. Everyone in the tenant reads; agents and admins write.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::multipart::Upload,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    api::body::JsonBody,
    api::{Tag, decode_cursor, default_limit, paginate, required_text},
    app::AppState,
    auth::{Auth, Principal},
    db::Role,
    error::{ApiError, ApiResult},
    ingestion::normalize::{CONTENT_TYPES, normalize},
    repo::{
        self, Timestamp,
        knowledge::{Content, DocumentRow, NewChunk, NewDocument, VersionRow},
    },
};

pub struct DocumentsApi;

/// What kind of text a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    Guide,
    Api,
    Faq,
    Policy,
    Other,
}

impl DocumentType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Guide => "guide",
            DocumentType::Api => "api",
            DocumentType::Faq => "faq",
            DocumentType::Policy => "policy",
            DocumentType::Other => "other",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "guide" => DocumentType::Guide,
            "api" => DocumentType::Api,
            "faq" => DocumentType::Faq,
            "policy" => DocumentType::Policy,
            _ => DocumentType::Other,
        }
    }
}

/// A new document.
#[derive(Debug, Object, serde::Deserialize)]
pub struct DocumentIn {
    /// 1–500 characters.
    pub title: String,
    /// The text (at most `KB_MAX_DOCUMENT_BYTES`, default 512 KiB; more answers 413).
    pub content: String,
    /// `text/plain` (default), `text/markdown` or `text/html` (reduced to its text).
    #[oai(skip_serializing_if_is_none)]
    pub content_type: Option<String>,
    /// The collection it belongs to.
    #[oai(skip_serializing_if_is_none)]
    pub collection_id: Option<Uuid>,
    /// Default `other`.
    #[oai(rename = "type", skip_serializing_if_is_none)]
    #[serde(rename = "type")]
    pub doc_type: Option<DocumentType>,
    /// Free-form category, up to 200 characters (a search filter).
    #[oai(skip_serializing_if_is_none)]
    pub category: Option<String>,
    /// Where the content comes from (http or https URL).
    #[oai(skip_serializing_if_is_none)]
    pub source_url: Option<String>,
    /// A JSON object, matched by containment in search filters.
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
}

/// Changes to a document; absent fields stay as they are. New `content` makes a new version.
#[derive(Debug, Object, serde::Deserialize)]
pub struct DocumentPatch {
    /// 1–500 characters.
    #[oai(skip_serializing_if_is_none)]
    pub title: Option<String>,
    /// New content: a new version when it differs from the current one.
    #[oai(skip_serializing_if_is_none)]
    pub content: Option<String>,
    /// The type of the new `content` (default `text/plain`).
    #[oai(skip_serializing_if_is_none)]
    pub content_type: Option<String>,
    /// The document's type.
    #[oai(rename = "type", skip_serializing_if_is_none)]
    #[serde(rename = "type")]
    pub doc_type: Option<DocumentType>,
    /// Up to 200 characters; an empty string clears it.
    #[oai(skip_serializing_if_is_none)]
    pub category: Option<String>,
    /// An http or https URL; an empty string clears it.
    #[oai(skip_serializing_if_is_none)]
    pub source_url: Option<String>,
    /// Moves the document into this collection.
    #[oai(skip_serializing_if_is_none)]
    pub collection_id: Option<Uuid>,
    /// Replaces the metadata object.
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
    /// Inactive documents are kept but not searched.
    #[oai(skip_serializing_if_is_none)]
    pub is_active: Option<bool>,
}

/// A document (without its content; see its versions).
#[derive(Debug, Object)]
pub struct DocumentOut {
    pub id: Uuid,
    /// The collection it belongs to, if any.
    #[oai(skip_serializing_if_is_none)]
    pub collection_id: Option<Uuid>,
    pub title: String,
    /// The document's type.
    #[oai(rename = "type")]
    pub doc_type: DocumentType,
    #[oai(skip_serializing_if_is_none)]
    pub category: Option<String>,
    /// Where the content comes from.
    #[oai(skip_serializing_if_is_none)]
    pub source_url: Option<String>,
    /// A JSON object (search filters match it by containment).
    pub metadata: Value,
    /// Inactive documents are kept but not searched.
    pub is_active: bool,
    /// Set while the document is (soft) deleted.
    #[oai(skip_serializing_if_is_none)]
    pub deleted_at: Option<Timestamp>,
    /// The current version number.
    pub version: i32,
    /// sha256 (hex) of the current version's normalized content.
    pub content_sha256: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<DocumentRow> for DocumentOut {
    fn from(d: DocumentRow) -> Self {
        Self {
            id: d.id,
            collection_id: d.collection_id,
            title: d.title,
            doc_type: DocumentType::parse(&d.doc_type),
            category: d.category,
            source_url: d.source_url,
            metadata: d.metadata,
            is_active: d.is_active,
            deleted_at: d.deleted_at,
            version: d.current_version,
            content_sha256: hex::encode(d.content_hash),
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A document as written: with the ingestion job that indexes it.
#[derive(Debug, Object)]
pub struct DocumentWritten {
    #[oai(flatten)]
    pub document: DocumentOut,
    /// True when a live document already had exactly this content: nothing was stored and this
    /// is that document.
    pub deduplicated: bool,
    /// The job chunking and embedding this version (absent when nothing changed).
    #[oai(skip_serializing_if_is_none)]
    pub job_id: Option<Uuid>,
}

/// One page of documents, oldest first.
#[derive(Debug, Object)]
pub struct DocumentPage {
    pub items: Vec<DocumentOut>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// Many documents indexed by one ingestion job.
#[derive(Debug, Object, serde::Deserialize)]
pub struct BulkIn {
    /// 1–100 documents.
    pub documents: Vec<DocumentIn>,
}

/// The outcome of a bulk create, in the order of the request.
#[derive(Debug, Object)]
pub struct BulkOut {
    pub documents: Vec<DocumentWritten>,
    /// The one job indexing every new document (absent when all were duplicates).
    #[oai(skip_serializing_if_is_none)]
    pub job_id: Option<Uuid>,
}

/// A multipart upload of one file.
#[derive(Debug, Multipart)]
pub struct DocumentUpload {
    /// The file: text/plain, text/markdown or text/html (by its part's content type, else its
    /// extension: .txt, .md, .html).
    pub file: Upload,
    /// Default: the file name.
    pub title: Option<String>,
    pub collection_id: Option<Uuid>,
    /// guide, api, faq, policy or other.
    #[oai(rename = "type")]
    pub doc_type: Option<String>,
    pub category: Option<String>,
    pub source_url: Option<String>,
    /// A JSON object, as text.
    pub metadata: Option<String>,
}

/// A version of a document's content.
#[derive(Debug, Object)]
pub struct VersionOut {
    pub version: i32,
    pub content_type: String,
    /// The content as sent (only on `GET …/versions/{version}`).
    #[oai(skip_serializing_if_is_none)]
    pub raw_content: Option<String>,
    /// The normalized text that is chunked and searched (only on `GET …/versions/{version}`).
    #[oai(skip_serializing_if_is_none)]
    pub content: Option<String>,
    /// sha256 (hex) of the normalized content.
    pub content_sha256: String,
    pub valid_from: Timestamp,
    /// When a newer version replaced it; absent for the current version.
    #[oai(skip_serializing_if_is_none)]
    pub valid_to: Option<Timestamp>,
}

impl From<VersionRow> for VersionOut {
    fn from(v: VersionRow) -> Self {
        Self {
            version: v.version,
            content_type: v.content_type,
            raw_content: v.raw_content,
            content: v.content,
            content_sha256: hex::encode(v.content_hash),
            valid_from: v.valid_from,
            valid_to: v.valid_to,
        }
    }
}

/// A document's versions, newest first.
#[derive(Debug, Object)]
pub struct VersionList {
    pub items: Vec<VersionOut>,
}

/// One chunk with its vector.
#[derive(Debug, Object, serde::Deserialize)]
pub struct ChunkIn {
    /// The chunk's text (searched by keyword, returned in results).
    pub content: String,
    /// Its vector; every vector of a model has the same dimension.
    pub embedding: Vec<f32>,
}

/// Chunks with vectors made by the client, replacing the current version's chunks of `model`.
#[derive(Debug, Object, serde::Deserialize)]
pub struct ChunksIn {
    /// The embedding model's name (1–200 characters). Searches compare only vectors of one
    /// model; for the service's own model the dimension must be the service's.
    pub model: String,
    /// 1–1000 chunks, in document order.
    pub chunks: Vec<ChunkIn>,
}

/// What was stored.
#[derive(Debug, Object)]
pub struct ChunksOut {
    pub document_id: Uuid,
    pub version: i32,
    pub model: String,
    pub dims: i32,
    pub chunks: i32,
}

#[derive(ApiResponse)]
pub enum Written {
    /// Created; indexing is queued as `job_id`.
    #[oai(status = 201)]
    Created(Json<DocumentWritten>),
    /// The same content already exists: that document (`deduplicated: true`).
    #[oai(status = 200)]
    Existing(Json<DocumentWritten>),
}

#[derive(ApiResponse)]
pub enum BulkWritten {
    /// Accepted; the new documents are indexed by `job_id`.
    #[oai(status = 202)]
    Accepted(Json<BulkOut>),
}

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum ChunksStored {
    /// Stored.
    #[oai(status = 201)]
    Created(Json<ChunksOut>),
}

/// A validated document, ready for the repository.
struct Prepared {
    title: String,
    doc_type: &'static str,
    collection_id: Option<Uuid>,
    category: Option<String>,
    source_url: Option<String>,
    metadata: Value,
    content_type: String,
    raw: String,
    text: String,
    hash: Vec<u8>,
}

fn optional_text(field: &str, v: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max => Err(ApiError::invalid(
            field,
            format!("{field} must be at most {max} characters"),
        )),
        Some(v) => Ok(Some(v.to_string())),
    }
}

fn source_url(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
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

fn metadata(field: &str, v: Option<Value>) -> ApiResult<Value> {
    match v {
        None | Some(Value::Null) => Ok(Value::Object(Default::default())),
        Some(v @ Value::Object(_)) => Ok(v),
        Some(_) => Err(ApiError::invalid(
            field,
            format!("{field} must be a JSON object"),
        )),
    }
}

fn content_type(field: &str, v: Option<&str>) -> ApiResult<String> {
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
fn content(
    state: &AppState,
    field: &str,
    ct: String,
    raw: String,
) -> ApiResult<(String, String, String, Vec<u8>)> {
    let max = state.config.kb.max_document_bytes;
    if raw.len() > max {
        return Err(ApiError::new(
            poem::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
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

fn prepare(state: &AppState, prefix: &str, d: DocumentIn) -> ApiResult<Prepared> {
    let f = |name: &str| format!("{prefix}{name}");
    let title = required_text(&f("title"), &d.title, 500)?;
    let ct = content_type(&f("content_type"), d.content_type.as_deref())?;
    let (content_type, raw, text, hash) = content(state, &f("content"), ct, d.content)?;
    Ok(Prepared {
        title,
        doc_type: d.doc_type.unwrap_or(DocumentType::Other).as_str(),
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
async fn store(
    state: &AppState,
    p: &Principal,
    docs: Vec<Prepared>,
) -> ApiResult<(Vec<(DocumentRow, bool)>, Option<Uuid>)> {
    state
        .db
        .tenant(&p.scope(), async |tx| {
            let mut out = Vec::with_capacity(docs.len());
            for d in &docs {
                let new = NewDocument {
                    collection_id: d.collection_id,
                    title: &d.title,
                    doc_type: d.doc_type,
                    category: d.category.as_deref(),
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
            let mut fresh: Vec<Uuid> = out.iter().filter(|(_, c)| *c).map(|(d, _)| d.id).collect();
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

fn written(row: DocumentRow, created: bool, job: Option<Uuid>) -> DocumentWritten {
    DocumentWritten {
        document: row.into(),
        deduplicated: !created,
        job_id: if created { job } else { None },
    }
}

async fn create_one(state: &AppState, p: &Principal, d: Prepared) -> ApiResult<Written> {
    let (mut rows, job) = store(state, p, vec![d]).await?;
    let (row, created) = rows.remove(0);
    let out = Json(written(row, created, job));
    Ok(if created {
        Written::Created(out)
    } else {
        Written::Existing(out)
    })
}

#[OpenApi(prefix_path = "/v1/documents", tag = "Tag::Knowledge")]
impl DocumentsApi {
    /// Create a document from JSON (agents and admins). Its chunking and embedding is queued as
    /// an ingestion job. Content identical to a live document's is not stored twice: the answer is
    /// then 200 with that document.
    #[oai(path = "/", method = "post", operation_id = "create_document")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: JsonBody<DocumentIn>,
    ) -> ApiResult<Written> {
        let p = auth.principal()?;
        p.require(Role::Agent)?;
        let d = prepare(&state, "", body.0)?;
        create_one(&state, p, d).await
    }

    /// Create a document from an uploaded file (multipart/form-data; agents and admins).
    #[oai(path = "/upload", method = "post", operation_id = "upload_document")]
    async fn upload(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        form: DocumentUpload,
    ) -> ApiResult<Written> {
        let p = auth.principal()?;
        p.require(Role::Agent)?;
        let max = state.config.kb.max_document_bytes;
        if form.file.size() > max {
            return Err(ApiError::new(
                poem::http::StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
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
                "bad_request",
                e.to_string(),
            )
        })?)
        .map_err(|_| ApiError::invalid("file", "the file is not UTF-8 text"))?;
        let title = form.title.or(file_name).unwrap_or_default();
        let doc_type = match form.doc_type.as_deref() {
            None | Some("") => None,
            Some(t) => Some(
                serde_json::from_value::<DocumentType>(Value::String(t.into())).map_err(|_| {
                    ApiError::invalid("type", "type must be guide, api, faq, policy or other")
                })?,
            ),
        };
        let metadata = match form.metadata.as_deref() {
            None | Some("") => None,
            Some(m) => Some(
                serde_json::from_str::<Value>(m)
                    .map_err(|_| ApiError::invalid("metadata", "metadata must be a JSON object"))?,
            ),
        };
        let d = prepare(
            &state,
            "",
            DocumentIn {
                title,
                content: raw,
                content_type: Some(ct),
                collection_id: form.collection_id,
                doc_type,
                category: form.category,
                source_url: form.source_url,
                metadata,
            },
        )?;
        create_one(&state, p, d).await
    }

    /// Create up to 100 documents at once (agents and admins); one ingestion job indexes all the
    /// new ones. Duplicates come back with `deduplicated: true`.
    #[oai(
        path = "/bulk",
        method = "post",
        operation_id = "bulk_create_documents"
    )]
    async fn bulk(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: JsonBody<BulkIn>,
    ) -> ApiResult<BulkWritten> {
        let p = auth.principal()?;
        p.require(Role::Agent)?;
        if body.documents.is_empty() || body.documents.len() > 100 {
            return Err(ApiError::invalid(
                "documents",
                "documents must hold 1–100 documents",
            ));
        }
        let docs = body
            .0
            .documents
            .into_iter()
            .enumerate()
            .map(|(i, d)| prepare(&state, &format!("documents[{i}]."), d))
            .collect::<ApiResult<Vec<_>>>()?;
        let (rows, job) = store(&state, p, docs).await?;
        Ok(BulkWritten::Accepted(Json(BulkOut {
            documents: rows
                .into_iter()
                .map(|(r, created)| written(r, created, job))
                .collect(),
            job_id: job,
        })))
    }

    /// List documents, oldest first. Soft-deleted ones only with `deleted=true`.
    #[oai(path = "/", method = "get", operation_id = "list_documents")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Only this collection's documents.
        collection_id: Query<Option<Uuid>>,
        /// `true`: the soft-deleted documents (the trash) instead of the live ones.
        #[oai(default)]
        deleted: Query<bool>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–100.
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        limit: Query<i64>,
    ) -> ApiResult<Json<DocumentPage>> {
        let p = auth.principal()?;
        let after = decode_cursor(cursor.0.as_deref())?;
        let filter = repo::knowledge::DocumentFilter {
            collection_id: collection_id.0,
            deleted: deleted.0,
        };
        let rows = state
            .db
            .tenant(&p.scope(), async |tx| {
                repo::knowledge::list_documents(tx, &filter, after, limit.0 + 1).await
            })
            .await?;
        let (rows, next_cursor) = paginate(rows, limit.0, |d| d.id);
        Ok(Json(DocumentPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// Get a document (also while soft-deleted).
    #[oai(path = "/:id", method = "get", operation_id = "get_document")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<DocumentOut>> {
        let p = auth.principal()?;
        state
            .db
            .tenant(&p.scope(), async |tx| {
                repo::knowledge::get_document(tx, id.0).await
            })
            .await?
            .map(|d| Json(d.into()))
            .ok_or_else(|| ApiError::not_found("document"))
    }

    /// Change a live document (agents and admins). New `content` that differs from the current
    /// version becomes a new version (the old one is kept, with `valid_to` set) and is queued for
    /// indexing.
    #[oai(path = "/:id", method = "patch", operation_id = "update_document")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: JsonBody<DocumentPatch>,
    ) -> ApiResult<Json<DocumentWritten>> {
        let p = auth.principal()?;
        p.require(Role::Agent)?;
        let b = body.0;
        let title = b
            .title
            .as_deref()
            .map(|t| required_text("title", t, 500))
            .transpose()?;
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
                Some(self::content(&state, "content", ct, c)?)
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
            title: title.as_deref(),
            doc_type: b.doc_type.map(DocumentType::as_str),
            category: category.as_ref().map(|c| c.as_deref()),
            source_url: url.as_ref().map(|u| u.as_deref()),
            metadata: meta.as_ref(),
            is_active: b.is_active,
        };
        let out = state
            .db
            .tenant(&p.scope(), async |tx| {
                let c = content.as_ref().map(|(ct, raw, text, hash)| Content {
                    content_type: ct,
                    raw,
                    text,
                    hash,
                });
                let Some((doc, new_version)) =
                    repo::knowledge::update_document(tx, id.0, &patch, c.as_ref()).await?
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

    /// Delete a document (agents and admins). Without `permanent` it is a soft delete: the
    /// document leaves search and lists and can be restored. `permanent=true` (admins) removes it
    /// with every version and chunk.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_document")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        /// Remove for good (admins only).
        #[oai(default)]
        permanent: Query<bool>,
    ) -> ApiResult<NoContent> {
        let p = auth.principal()?;
        p.require(if permanent.0 {
            Role::Admin
        } else {
            Role::Agent
        })?;
        state
            .db
            .tenant(&p.scope(), async |tx| {
                if permanent.0 {
                    repo::knowledge::hard_delete(tx, id.0).await
                } else {
                    repo::knowledge::set_deleted(tx, id.0, true).await
                }
            })
            .await?
            .ok_or_else(|| ApiError::not_found("document"))?;
        Ok(NoContent::Done)
    }

    /// Restore a soft-deleted document (agents and admins).
    #[oai(
        path = "/:id/restore",
        method = "post",
        operation_id = "restore_document"
    )]
    async fn restore(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<DocumentOut>> {
        let p = auth.principal()?;
        p.require(Role::Agent)?;
        state
            .db
            .tenant(&p.scope(), async |tx| {
                if repo::knowledge::set_deleted(tx, id.0, false)
                    .await?
                    .is_none()
                {
                    return Ok(None);
                }
                repo::knowledge::get_document(tx, id.0).await
            })
            .await?
            .map(|d| Json(d.into()))
            .ok_or_else(|| ApiError::not_found("deleted document"))
    }

    /// A document's versions, newest first (without content).
    #[oai(
        path = "/:id/versions",
        method = "get",
        operation_id = "list_document_versions"
    )]
    async fn versions(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<VersionList>> {
        let p = auth.principal()?;
        let items = state
            .db
            .tenant(&p.scope(), async |tx| {
                repo::knowledge::list_versions(tx, id.0).await
            })
            .await?;
        if items.is_empty() {
            return Err(ApiError::not_found("document"));
        }
        Ok(Json(VersionList {
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// One version of a document, with its raw and normalized content.
    #[oai(
        path = "/:id/versions/:version",
        method = "get",
        operation_id = "get_document_version"
    )]
    async fn version(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        version: Path<i32>,
    ) -> ApiResult<Json<VersionOut>> {
        let p = auth.principal()?;
        state
            .db
            .tenant(&p.scope(), async |tx| {
                repo::knowledge::get_version(tx, id.0, version.0).await
            })
            .await?
            .map(|v| Json(v.into()))
            .ok_or_else(|| ApiError::not_found("document version"))
    }

    /// Store chunks with vectors the client made (agents and admins), replacing the current
    /// version's chunks of that model. All vectors must have one dimension: the service's own for
    /// its model, else the one that model already has in this tenant.
    #[oai(
        path = "/:id/chunks",
        method = "post",
        operation_id = "put_document_chunks"
    )]
    async fn chunks(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: JsonBody<ChunksIn>,
    ) -> ApiResult<ChunksStored> {
        let p = auth.principal()?;
        p.require(Role::Agent)?;
        let model = required_text("model", &body.model, 200)?;
        if body.chunks.is_empty() || body.chunks.len() > 1000 {
            return Err(ApiError::invalid(
                "chunks",
                "chunks must hold 1–1000 chunks",
            ));
        }
        let own = (model == state.embedder.model()).then(|| state.embedder.dims());
        let dims = own.unwrap_or(body.chunks[0].embedding.len());
        for (i, c) in body.chunks.iter().enumerate() {
            if c.content.trim().is_empty() {
                return Err(ApiError::invalid(
                    &format!("chunks[{i}].content"),
                    "content must not be empty",
                ));
            }
            if c.embedding.len() != dims || dims == 0 || dims > 4096 {
                return Err(ApiError::invalid(
                    &format!("chunks[{i}].embedding"),
                    format!(
                        "embedding has {} dimensions; model {model} needs {dims} (1–4096)",
                        c.embedding.len()
                    ),
                ));
            }
            if c.embedding.iter().any(|f| !f.is_finite()) {
                return Err(ApiError::invalid(
                    &format!("chunks[{i}].embedding"),
                    "embedding values must be finite numbers",
                ));
            }
        }
        let prepared: Vec<(String, i32, Vec<u8>, pgvector::Vector)> = body
            .0
            .chunks
            .into_iter()
            .map(|c| {
                let tokens = state.chunker.count(&c.content);
                let hash = Sha256::digest(c.content.as_bytes()).to_vec();
                (c.content, tokens, hash, pgvector::Vector::from(c.embedding))
            })
            .collect();
        let out = state
            .db
            .tenant(&p.scope(), async |tx| {
                let Some(doc) = repo::knowledge::get_document(tx, id.0).await? else {
                    return Ok(None);
                };
                if doc.deleted_at.is_some() {
                    return Ok(None);
                }
                if let Some(existing) = repo::knowledge::model_dims(tx, &model).await?
                    && existing != dims as i32
                {
                    return Err(ApiError::invalid(
                        "chunks[0].embedding",
                        format!("model {model} has {existing}-dimensional vectors in this tenant"),
                    ));
                }
                let new: Vec<NewChunk> = prepared
                    .iter()
                    .enumerate()
                    .map(|(i, (content, tokens, hash, v))| NewChunk {
                        index: i as i32,
                        content,
                        token_count: *tokens,
                        hash,
                        embedding: v.clone(),
                    })
                    .collect();
                repo::knowledge::replace_chunks(tx, doc.id, doc.current_version, &model, &new)
                    .await?;
                Ok(Some(ChunksOut {
                    document_id: doc.id,
                    version: doc.current_version,
                    model: model.clone(),
                    dims: dims as i32,
                    chunks: new.len() as i32,
                }))
            })
            .await?;
        out.map(|o| ChunksStored::Created(Json(o)))
            .ok_or_else(|| ApiError::not_found("document"))
    }
}
