//! `GET /v1/documents/{id}/versions` and `…/versions/{version}`.

use poem_openapi::payload::Json;

use super::{VersionList, VersionOut};
use crate::{
    auth::Tenant,
    error::{ApiError, ApiResult},
    ids::DocumentId,
    repo,
};

pub(super) async fn versions(p: &Tenant, id: DocumentId) -> ApiResult<Json<VersionList>> {
    let items = p
        .read(async |tx| repo::knowledge::list_versions(tx, id).await)
        .await?;
    if items.is_empty() {
        return Err(ApiError::not_found("document"));
    }
    Ok(Json(VersionList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

pub(super) async fn version(
    p: &Tenant,
    id: DocumentId,
    version: i32,
) -> ApiResult<Json<VersionOut>> {
    p.read(async |tx| repo::knowledge::get_version(tx, id, version).await)
        .await?
        .map(|v| Json(v.into()))
        .ok_or_else(|| ApiError::not_found("document version"))
}
