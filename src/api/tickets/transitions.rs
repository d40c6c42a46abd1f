//! Moving a ticket through the status machine (`crate::tickets`), and its history.

use poem_openapi::{
    Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::{TicketResponse, if_match, precondition_failed, visible};
use crate::{
    api::{
        Tag,
        cursor::{Cursor, Limit},
    },
    api::{body::JsonBody, text::Text},
    auth::{Principal, Tenant},
    error::{ApiError, ApiResult, ProblemCode},
    ids::{TicketId, UserId},
    repo::{self, Timestamp, tickets::HistoryRow},
    tickets::TicketStatus,
};

pub struct TicketTransitionsApi;

/// A status change.
#[derive(Debug, Object)]
pub struct TransitionIn {
    /// The status to move to; see the operation for the allowed edges.
    pub to: TicketStatus,
    /// Why, up to 2,000 characters; kept in the history.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub reason: Option<Text>,
}

/// One status change of a ticket.
#[derive(Debug, Object)]
pub struct HistoryOut {
    /// The entry's id; entries sort by it.
    pub id: Uuid,
    /// Absent on the entry written when the ticket was created.
    #[oai(skip_serializing_if_is_none)]
    pub from: Option<TicketStatus>,
    /// The status the ticket moved to.
    pub to: TicketStatus,
    /// The user who made the change; absent for API keys and superadmins.
    #[oai(skip_serializing_if_is_none)]
    pub actor_id: Option<UserId>,
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    /// When the change happened.
    pub created_at: Timestamp,
}

impl From<HistoryRow> for HistoryOut {
    fn from(h: HistoryRow) -> Self {
        Self {
            id: h.id,
            from: h.from_status,
            to: h.to_status,
            actor_id: h.actor_id,
            reason: h.reason,
            created_at: h.created_at,
        }
    }
}

/// One page of a ticket's status changes, oldest first.
pub type HistoryPage = crate::api::Page<HistoryOut>;

#[OpenApi(prefix_path = "/v1/tickets", tag = "Tag::Tickets")]
impl TicketTransitionsApi {
    /// Move a ticket to another status, recording who, when and why in its history.
    ///
    /// Edges: `open` → `in_progress`, `pending_customer`, `escalated`, `resolved`, `closed`;
    /// `in_progress` → `pending_customer`, `escalated`, `resolved`; `pending_customer` →
    /// `in_progress`, `escalated`, `resolved`; `escalated` → `in_progress`, `resolved`;
    /// `resolved` → `closed`, `reopened`; `closed` → `reopened`; `reopened` → `in_progress`,
    /// `pending_customer`, `escalated`, `resolved`. Any other move is a 409 whose `allowed` lists
    /// the statuses the caller may move this ticket to. The `reason` is part of the history, which
    /// the ticket's creator can read. A `user` may only close a resolved
    /// ticket and reopen a resolved or closed one (403 for other edges). A customer's reply to a
    /// `pending_customer` ticket moves it to `in_progress` by itself. Send `If-Match` with the
    /// `ETag` you read to refuse the move (412) when someone changed the ticket in between.
    #[oai(
        path = "/:id/transitions",
        method = "post",
        operation_id = "transition_ticket"
    )]
    async fn transition(
        &self,
        p: Tenant,
        id: Path<TicketId>,
        /// The `ETag` the move is based on (`*` matches any version).
        #[oai(name = "If-Match")]
        if_match_header: Header<Option<String>>,
        body: JsonBody<TransitionIn>,
    ) -> ApiResult<TicketResponse> {
        let reason = body.reason.as_deref().filter(|r| !r.is_empty());
        let to = body.to;
        let t = p
            .tx(async |tx| {
                let current = repo::tickets::get_for_update(tx, id.0)
                    .await?
                    .ok_or_else(|| ApiError::not_found("ticket"))?;
                if let Some(h) = if_match_header.0.as_deref()
                    && !if_match(h, current.version)
                {
                    return Err(precondition_failed(current.version));
                }
                let from = current.status;
                transition_allowed(&p, from, to)?;
                repo::tickets::set_status(tx, id.0, from, to, p.user_id, reason).await
            })
            .await?;
        Ok(TicketResponse::of(t))
    }

    /// A ticket's status changes, oldest first (the first entry is its creation).
    #[oai(
        path = "/:id/history",
        method = "get",
        operation_id = "list_ticket_history"
    )]
    async fn history(
        &self,
        p: Tenant,
        id: Path<TicketId>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<HistoryPage>> {
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| {
                visible(tx, id.0).await?;
                repo::tickets::history(tx, id.0, after, n).await
            },
            |r| r.id,
        )
        .await
    }
}

/// 409 with the allowed targets when the edge does not exist; 403 when it exists but the
/// caller's role may not take it.
fn transition_allowed(p: &Principal, from: TicketStatus, to: TicketStatus) -> ApiResult<()> {
    if !from.next().contains(&to) {
        return Err(ApiError::conflict(
            ProblemCode::InvalidTransition,
            format!(
                "a ticket cannot move from {} to {}",
                from.as_str(),
                to.as_str()
            ),
        )
        .with_field("to")
        .with_allowed(
            from.allowed_for(p.role)
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
        ));
    }
    if !from.may(to, p.role) {
        return Err(ApiError::forbidden(
            ProblemCode::Forbidden,
            format!(
                "only agents and admins may move a ticket from {} to {}",
                from.as_str(),
                to.as_str()
            ),
        )
        .with_field("to"));
    }
    Ok(())
}
