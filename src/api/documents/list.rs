//! `GET /v1/documents`.

use poem_openapi::payload::Json;

use super::DocumentPage;
use crate::{api::cursor::Cursor, auth::Tenant, error::ApiResult, ids::CollectionId, repo};

pub(super) async fn list(
    p: &Tenant,
    collection_id: Option<CollectionId>,
    deleted: bool,
    cursor: Cursor,
    limit: i64,
) -> ApiResult<Json<DocumentPage>> {
    let filter = repo::knowledge::DocumentFilter {
        collection_id,
        deleted,
    };
    p.page(
        &cursor,
        limit,
        async |tx, after, n| repo::knowledge::list_documents(tx, &filter, after, n).await,
        |r| r.id,
    )
    .await
}
