//! Knowledge-base documents: created from JSON, a multipart upload or in bulk; content changes
//! make new versions (old ones kept); soft delete and restore; permanent delete for admins;
//! chunks with client-supplied vectors. Everyone in the tenant reads; agents and admins write.

mod dto;
mod input;

use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use dto::*;
use input::{
    content, content_type, create_one, metadata, optional_text, prepare, source_url, store, written,
};

use crate::{
    api::body::JsonBody,
    api::{Tag, cursor::Cursor, default_limit},
    app::AppState,
    auth::Auth,
    db::Role,
    error::{ApiError, ApiResult, ProblemCode},
    ids::{CollectionId, DocumentId},
    repo::{
        self,
        knowledge::{Content, NewChunk},
    },
};

pub struct DocumentsApi;

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
        let d = prepare(&state, "", d.0)?;
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
        collection_id: Query<Option<CollectionId>>,
        /// `true`: the soft-deleted documents (the trash) instead of the live ones.
        #[oai(default)]
        deleted: Query<bool>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        limit: Query<i64>,
    ) -> ApiResult<Json<DocumentPage>> {
        let p = auth.principal()?;
        let after = cursor.id()?;
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
        Ok(Json(DocumentPage::of(rows, limit.0, |r| r.id)))
    }

    /// Get a document (also while soft-deleted).
    #[oai(path = "/:id", method = "get", operation_id = "get_document")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<DocumentId>,
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
        id: Path<DocumentId>,
        body: JsonBody<DocumentPatch>,
    ) -> ApiResult<Json<DocumentWritten>> {
        let p = auth.principal()?;
        p.require(Role::Agent)?;
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
        id: Path<DocumentId>,
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
        id: Path<DocumentId>,
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
        id: Path<DocumentId>,
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
        id: Path<DocumentId>,
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
        id: Path<DocumentId>,
        body: JsonBody<ChunksIn>,
    ) -> ApiResult<ChunksStored> {
        let p = auth.principal()?;
        p.require(Role::Agent)?;
        let model = body.model.to_string();
        let own = (model == state.embedder.model()).then(|| state.embedder.dims());
        let dims = own.unwrap_or(body.chunks[0].embedding.len());
        for (i, c) in body.chunks.iter().enumerate() {
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
