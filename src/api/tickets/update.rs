//! `PATCH /v1/tickets/{id}`.

use poem_openapi::types::MaybeUndefined;
use serde_json::Value;

use super::{
    TicketPatch, TicketResponse, agents_only, check_assignee, check_metadata, clean_tags, if_match,
    precondition_failed,
};
use crate::{
    api::body::JsonBody,
    auth::Tenant,
    db::Role,
    error::{ApiError, ApiResult},
    ids::{TicketId, UserId},
    repo,
};

pub(super) async fn update(
    p: &Tenant,
    id: TicketId,
    if_match_header: Option<&str>,
    body: JsonBody<TicketPatch>,
) -> ApiResult<TicketResponse> {
    let b = &body.0;
    let title = match &b.title {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => {
            return Err(ApiError::invalid("title", "title must not be null"));
        }
        MaybeUndefined::Value(t) => Some(t.as_str()),
    };
    let description = match &b.description {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(""),
        MaybeUndefined::Value(d) => Some(d.as_str()),
    };
    if p.role < Role::Agent {
        for (set, field) in [
            (!b.priority.is_undefined(), "priority"),
            (!b.assignee_id.is_undefined(), "assignee_id"),
            (!b.tags.is_undefined(), "tags"),
            (!b.metadata.is_undefined(), "metadata"),
        ] {
            if set {
                return Err(agents_only(field));
            }
        }
    }
    let priority = match &b.priority {
        MaybeUndefined::Null => {
            return Err(ApiError::invalid("priority", "priority must not be null"));
        }
        other => other.value().copied(),
    };
    let tags = match &b.tags {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(Vec::new()),
        MaybeUndefined::Value(t) => Some(clean_tags("tags", t)?),
    };
    let metadata = match &b.metadata {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(Value::Object(Default::default())),
        MaybeUndefined::Value(m) => {
            check_metadata(m)?;
            Some(m.clone())
        }
    };
    let assignee: Option<Option<UserId>> = b.assignee_id.into();
    let patch = repo::tickets::TicketPatch {
        title,
        description,
        priority,
        assignee_id: assignee,
        tags: tags.as_deref(),
        metadata: metadata.as_ref(),
        language: b.language,
    };
    let t = p
        .tx(async |tx| {
            let current = repo::tickets::get_for_update(tx, id)
                .await?
                .ok_or_else(|| ApiError::not_found("ticket"))?;
            if let Some(h) = if_match_header
                && !if_match(h, current.version)
            {
                return Err(precondition_failed(current.version));
            }
            if patch.is_empty() {
                return Ok(current);
            }
            let patch = patch.detect_language(&current.title, &current.description);
            if let Some(Some(a)) = assignee {
                check_assignee(tx, a).await?;
            }
            repo::tickets::update(tx, id, &patch)
                .await?
                .ok_or_else(|| ApiError::not_found("ticket"))
        })
        .await?;
    Ok(TicketResponse::of(t))
}
