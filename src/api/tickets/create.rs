//! `POST /v1/tickets`.

use poem_openapi::payload::Json;
use serde_json::Value;

use super::{
    CreatedTicket, TicketIn, TicketOut, agents_only, check_assignee, check_metadata, clean_tags,
};
use crate::{
    api::{
        body::JsonBody,
        idempotency::{self, IdempotencyKey},
    },
    app::AppState,
    assistant::tickets::Trigger,
    auth::Tenant,
    db::Role,
    error::ApiResult,
    knowledge::Language,
    repo,
    tickets::{TicketPriority, TicketSource},
};

pub(super) async fn create(
    state: &AppState,
    p: &Tenant,
    idempotency_key: Option<&str>,
    body: JsonBody<TicketIn>,
) -> ApiResult<CreatedTicket> {
    if p.role < Role::Agent {
        for (set, field) in [
            (body.priority.is_some(), "priority"),
            (body.assignee_id.is_some(), "assignee_id"),
            (body.tags.is_some(), "tags"),
        ] {
            if set {
                return Err(agents_only(field));
            }
        }
    }
    let tags = clean_tags("tags", body.tags.as_deref().unwrap_or_default())?;
    let metadata = body
        .metadata
        .clone()
        .unwrap_or_else(|| Value::Object(Default::default()));
    check_metadata(&metadata)?;
    let key = IdempotencyKey::from_header(idempotency_key, p, "POST /v1/tickets", &body.0)?;
    let new = repo::tickets::NewTicket {
        title: &body.title,
        description: &body.description,
        priority: body.priority.unwrap_or(TicketPriority::Medium),
        source: body.source.unwrap_or(TicketSource::Api),
        assignee_id: body.assignee_id,
        creator_id: p.user_id,
        tags: &tags,
        metadata: &metadata,
        language: body.language.unwrap_or_else(|| {
            Language::detect(&format!("{}\n{}", &*body.title, &*body.description))
        }),
    };
    let (out, replayed) = p
        .tx(async |tx| {
            idempotency::once(tx, key.as_ref(), 201, async |tx| {
                if let Some(a) = new.assignee_id {
                    check_assignee(tx, a).await?;
                }
                let t = repo::tickets::create(tx, &new, p.user_id).await?;
                repo::audit::record(tx, "ticket.create", &format!("ticket:{}", t.id)).await?;
                state
                    .assistant
                    .queue(tx, t.id, Trigger::TicketCreated)
                    .await?;
                Ok(TicketOut::from(t))
            })
            .await
        })
        .await?;
    let tag = out.etag();
    Ok(CreatedTicket::Created(
        Json(out),
        tag,
        replayed.then(|| "true".into()),
    ))
}
