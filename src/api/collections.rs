//! Knowledge-base collections: named groups of documents, a search filter. Everyone in the
//! tenant reads them; agents and admins change them.

use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    api::body::JsonBody,
    api::{
        Tag,
        cursor::{Cursor, Limit},
        text::Text,
    },
    auth::{Agent, Tenant},
    error::{ApiError, ApiResult},
    ids::CollectionId,
    repo::{self, Timestamp, knowledge::CollectionRow},
};

pub struct CollectionsApi;

/// A new collection.
#[derive(Debug, Object)]
pub struct CollectionIn {
    /// Unique in the tenant (case-insensitively), 1–200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Text,
    /// Up to 2000 characters.
    #[oai(default, validator(max_length = 2000))]
    pub description: Text,
}

/// Changes to a collection; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct CollectionPatch {
    /// 1–200 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(min_length = 1, max_length = 200)
    )]
    pub name: Option<Text>,
    /// Up to 2000 characters.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub description: Option<Text>,
}

/// A collection of documents.
#[derive(Debug, Object)]
pub struct CollectionOut {
    pub id: CollectionId,
    pub name: String,
    pub description: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<CollectionRow> for CollectionOut {
    fn from(c: CollectionRow) -> Self {
        Self {
            id: c.id,
            name: c.name,
            description: c.description,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// One page of collections, oldest first.
pub type CollectionPage = crate::api::Page<CollectionOut>;

#[derive(ApiResponse)]
pub enum CreatedCollection {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CollectionOut>),
}

#[derive(ApiResponse)]
pub enum DeletedCollection {
    /// Deleted.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/v1/collections", tag = "Tag::Knowledge")]
impl CollectionsApi {
    /// Create a collection (agents and admins).
    #[oai(path = "/", method = "post", operation_id = "create_collection")]
    async fn create(
        &self,
        p: Tenant<Agent>,
        body: JsonBody<CollectionIn>,
    ) -> ApiResult<CreatedCollection> {
        let row = p
            .tx(async |tx| {
                repo::knowledge::create_collection(tx, &body.name, &body.description).await
            })
            .await?;
        Ok(CreatedCollection::Created(Json(row.into())))
    }

    /// List the tenant's collections.
    #[oai(path = "/", method = "get", operation_id = "list_collections")]
    async fn list(
        &self,
        p: Tenant,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<CollectionPage>> {
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| repo::knowledge::list_collections(tx, after, n).await,
            |r| r.id,
        )
        .await
    }

    /// Get one collection.
    #[oai(path = "/:id", method = "get", operation_id = "get_collection")]
    async fn get(&self, p: Tenant, id: Path<CollectionId>) -> ApiResult<Json<CollectionOut>> {
        p.read(async |tx| repo::knowledge::get_collection(tx, id.0).await)
            .await?
            .map(|c| Json(c.into()))
            .ok_or_else(|| ApiError::not_found("collection"))
    }

    /// Rename or describe a collection (agents and admins).
    #[oai(path = "/:id", method = "patch", operation_id = "update_collection")]
    async fn update(
        &self,
        p: Tenant<Agent>,
        id: Path<CollectionId>,
        body: JsonBody<CollectionPatch>,
    ) -> ApiResult<Json<CollectionOut>> {
        p.tx(async |tx| {
            repo::knowledge::update_collection(
                tx,
                id.0,
                body.name.as_deref(),
                body.description.as_deref(),
            )
            .await
        })
        .await?
        .map(|c| Json(c.into()))
        .ok_or_else(|| ApiError::not_found("collection"))
    }

    /// Delete an empty collection (agents and admins); 409 while it holds documents.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_collection")]
    async fn delete(
        &self,
        p: Tenant<Agent>,
        id: Path<CollectionId>,
    ) -> ApiResult<DeletedCollection> {
        p.tx(async |tx| repo::knowledge::delete_collection(tx, id.0).await)
            .await?
            .ok_or_else(|| ApiError::not_found("collection"))?;
        Ok(DeletedCollection::Done)
    }
}
