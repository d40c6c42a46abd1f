//! `DELETE /v1/documents/{id}` and `POST /v1/documents/{id}/restore`.

use poem_openapi::payload::Json;

use super::{DocumentOut, NoContent};
use crate::{
    auth::{Agent, Tenant},
    db::Role,
    error::{ApiError, ApiResult},
    ids::DocumentId,
    repo,
};

pub(super) async fn delete(
    p: &Tenant<Agent>,
    id: DocumentId,
    permanent: bool,
) -> ApiResult<NoContent> {
    if permanent {
        p.require(Role::Admin)?;
    }
    p.tx(async |tx| {
        if permanent {
            repo::knowledge::hard_delete(tx, id).await
        } else {
            repo::knowledge::set_deleted(tx, id, true).await
        }
    })
    .await?
    .ok_or_else(|| ApiError::not_found("document"))?;
    Ok(NoContent::Done)
}

pub(super) async fn restore(p: &Tenant<Agent>, id: DocumentId) -> ApiResult<Json<DocumentOut>> {
    p.tx(async |tx| {
        if repo::knowledge::set_deleted(tx, id, false).await?.is_none() {
            return Ok(None);
        }
        repo::knowledge::get_document(tx, id).await
    })
    .await?
    .map(|d| Json(d.into()))
    .ok_or_else(|| ApiError::not_found("deleted document"))
}
