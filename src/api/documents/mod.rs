//! Knowledge-base documents: created from JSON, a multipart upload or in bulk; content changes
//! make new versions (old ones kept); soft delete and restore; permanent delete for admins;
//! chunks with client-supplied vectors. Everyone in the tenant reads; agents and admins write.

mod chunks;
mod create;
mod delete;
mod dto;
mod get;
mod input;
mod list;
mod update;
mod versions;

use poem::web::Data;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};

pub use dto::*;

use crate::{
    api::body::JsonBody,
    api::{
        Tag,
        cursor::{Cursor, Limit},
    },
    app::AppState,
    auth::{Agent, Tenant},
    error::ApiResult,
    ids::{CollectionId, DocumentId},
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
        p: Tenant<Agent>,
        body: JsonBody<DocumentIn>,
    ) -> ApiResult<Written> {
        create::create(&state, &p, body).await
    }

    /// Create a document from an uploaded file (multipart/form-data; agents and admins).
    #[oai(path = "/upload", method = "post", operation_id = "upload_document")]
    async fn upload(
        &self,
        state: Data<&AppState>,
        p: Tenant<Agent>,
        form: DocumentUpload,
    ) -> ApiResult<Written> {
        create::upload(&state, &p, form).await
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
        p: Tenant<Agent>,
        body: JsonBody<BulkIn>,
    ) -> ApiResult<BulkWritten> {
        create::bulk(&state, &p, body).await
    }

    /// List documents, oldest first. Soft-deleted ones only with `deleted=true`.
    #[oai(path = "/", method = "get", operation_id = "list_documents")]
    async fn list(
        &self,
        p: Tenant,
        /// Only this collection's documents.
        collection_id: Query<Option<CollectionId>>,
        /// `true`: the soft-deleted documents (the trash) instead of the live ones.
        #[oai(default)]
        deleted: Query<bool>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<DocumentPage>> {
        list::list(&p, collection_id.0, deleted.0, cursor.0, limit.0.get()).await
    }

    /// Get a document (also while soft-deleted).
    #[oai(path = "/:id", method = "get", operation_id = "get_document")]
    async fn get(&self, p: Tenant, id: Path<DocumentId>) -> ApiResult<Json<DocumentOut>> {
        get::get(&p, id.0).await
    }

    /// Change a live document (agents and admins). New `content` that differs from the current
    /// version becomes a new version (the old one is kept, with `valid_to` set) and is queued for
    /// indexing.
    #[oai(path = "/:id", method = "patch", operation_id = "update_document")]
    async fn update(
        &self,
        state: Data<&AppState>,
        p: Tenant<Agent>,
        id: Path<DocumentId>,
        body: JsonBody<DocumentPatch>,
    ) -> ApiResult<Json<DocumentWritten>> {
        update::update(&state, &p, id.0, body).await
    }

    /// Delete a document (agents and admins). Without `permanent` it is a soft delete: the
    /// document leaves search and lists and can be restored. `permanent=true` (admins) removes it
    /// with every version and chunk.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_document")]
    async fn delete(
        &self,
        p: Tenant<Agent>,
        id: Path<DocumentId>,
        /// Remove for good (admins only).
        #[oai(default)]
        permanent: Query<bool>,
    ) -> ApiResult<NoContent> {
        delete::delete(&p, id.0, permanent.0).await
    }

    /// Restore a soft-deleted document (agents and admins).
    #[oai(
        path = "/:id/restore",
        method = "post",
        operation_id = "restore_document"
    )]
    async fn restore(
        &self,
        p: Tenant<Agent>,
        id: Path<DocumentId>,
    ) -> ApiResult<Json<DocumentOut>> {
        delete::restore(&p, id.0).await
    }

    /// A document's versions, newest first (without content).
    #[oai(
        path = "/:id/versions",
        method = "get",
        operation_id = "list_document_versions"
    )]
    async fn versions(&self, p: Tenant, id: Path<DocumentId>) -> ApiResult<Json<VersionList>> {
        versions::versions(&p, id.0).await
    }

    /// One version of a document, with its raw and normalized content.
    #[oai(
        path = "/:id/versions/:version",
        method = "get",
        operation_id = "get_document_version"
    )]
    async fn version(
        &self,
        p: Tenant,
        id: Path<DocumentId>,
        version: Path<i32>,
    ) -> ApiResult<Json<VersionOut>> {
        versions::version(&p, id.0, version.0).await
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
        p: Tenant<Agent>,
        id: Path<DocumentId>,
        body: JsonBody<ChunksIn>,
    ) -> ApiResult<ChunksStored> {
        chunks::chunks(&state, &p, id.0, body).await
    }
}
