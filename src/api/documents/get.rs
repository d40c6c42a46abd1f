//! `GET /v1/documents/{id}`.

use poem_openapi::payload::Json;

use super::DocumentOut;
use crate::{
    auth::Tenant,
    error::{ApiError, ApiResult},
    ids::DocumentId,
    repo,
};

pub(super) async fn get(p: &Tenant, id: DocumentId) -> ApiResult<Json<DocumentOut>> {
    p.read(async |tx| repo::knowledge::get_document(tx, id).await)
        .await?
        .map(|d| Json(d.into()))
        .ok_or_else(|| ApiError::not_found("document"))
}
