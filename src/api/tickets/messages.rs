//! The conversation on a ticket: replies and internal notes, in the order they were written.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};
use serde_json::Value;

use super::{agents_only, check_metadata, visible};
use crate::{
    api::idempotency::{self, IdempotencyKey},
    api::{
        Tag,
        cursor::{Cursor, Limit},
    },
    api::{body::JsonBody, text::Text},
    app::AppState,
    assistant::tickets::Trigger,
    auth::Tenant,
    db::Role,
    error::{ApiError, ApiResult},
    ids::{MessageId, TicketId, UserId},
    repo::{self, Timestamp, tickets::MessageRow},
    tickets::{MessageRole, TicketStatus},
};

pub struct TicketMessagesApi;

/// A new message on a ticket.
#[derive(Debug, Object)]
pub struct MessageIn {
    /// 1–50,000 characters.
    #[oai(validator(min_length = 1, max_length = 50000))]
    pub content: Text,
    /// An internal note, hidden from the customer. Agents and admins only.
    #[oai(default)]
    pub is_internal: bool,
    /// Who speaks: default `user` for a customer, `agent` otherwise. Only agents and admins may
    /// choose (`agent`, `assistant`, `system`).
    #[oai(skip_serializing_if_is_none)]
    pub role: Option<MessageRole>,
    /// Any JSON object.
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
}

/// A message on a ticket.
#[derive(Debug, Object)]
pub struct MessageOut {
    /// The message's id; messages sort by it.
    pub id: MessageId,
    /// The ticket it belongs to.
    pub ticket_id: TicketId,
    /// Who speaks.
    pub role: MessageRole,
    /// The user who wrote it; absent for API keys, superadmins and automations.
    #[oai(skip_serializing_if_is_none)]
    pub author_id: Option<UserId>,
    /// The text.
    pub content: String,
    /// An internal note, never shown to the customer.
    pub is_internal: bool,
    /// Any JSON object kept with the message.
    pub metadata: Value,
    /// When it was written.
    pub created_at: Timestamp,
}

impl From<MessageRow> for MessageOut {
    fn from(m: MessageRow) -> Self {
        Self {
            id: m.id,
            ticket_id: m.ticket_id,
            role: m.role,
            author_id: m.author_id,
            content: m.content,
            is_internal: m.is_internal,
            metadata: m.metadata,
            created_at: m.created_at,
        }
    }
}

/// One page of messages, oldest first.
pub type MessagePage = crate::api::Page<MessageOut>;

#[derive(ApiResponse)]
pub enum CreatedMessage {
    /// Created (or, with a repeated `Idempotency-Key`, the response to the first request).
    #[oai(status = 201)]
    Created(
        Json<MessageOut>,
        /// `true` when this replays the response to an earlier request with the same key.
        #[oai(header = "Idempotent-Replayed")]
        Option<String>,
    ),
}

#[OpenApi(prefix_path = "/v1/tickets", tag = "Tag::Tickets")]
impl TicketMessagesApi {
    /// Add a message to a ticket the caller can see. A `user` writes as themself with role
    /// `user` and cannot write internal notes (403). When a `user` replies to a ticket that is
    /// `pending_customer`, the ticket moves to `in_progress` and the change is recorded in its
    /// history. Otherwise a message leaves the ticket (its `version`, `ETag` and `updated_at`) as it
    /// is. A customer's message (role `user`) queues an assistant run when the tenant's assistant
    /// mode is `draft` or `reply`. `Idempotency-Key` works as for creating tickets.
    #[oai(
        path = "/:id/messages",
        method = "post",
        operation_id = "create_ticket_message"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        p: Tenant,
        id: Path<TicketId>,
        /// Makes retries safe: 1–255 printable ASCII characters, unique per request.
        #[oai(name = "Idempotency-Key", validator(pattern = "^[!-~]{1,255}$"))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<MessageIn>,
    ) -> ApiResult<CreatedMessage> {
        let content = &body.content;
        let customer = p.role < Role::Agent;
        if customer && body.is_internal {
            return Err(agents_only("is_internal"));
        }
        if customer && body.role.is_some_and(|r| r != MessageRole::User) {
            return Err(agents_only("role"));
        }
        let role = body.role.unwrap_or(if customer {
            MessageRole::User
        } else {
            MessageRole::Agent
        });
        let metadata = body
            .metadata
            .clone()
            .unwrap_or_else(|| Value::Object(Default::default()));
        check_metadata(&metadata)?;
        let op = format!("POST /v1/tickets/{}/messages", id.0);
        let key = IdempotencyKey::from_header(idempotency_key.0.as_deref(), &p, &op, &body.0)?;
        let new = repo::tickets::NewMessage {
            role,
            author_id: p.user_id,
            content,
            is_internal: body.is_internal,
            metadata: &metadata,
            language: crate::knowledge::Language::detect(content),
        };
        let (out, replayed) = p
            .tx(async |tx| {
                idempotency::once(tx, key.as_ref(), 201, async |tx| {
                    let ticket = if customer {
                        repo::tickets::get_for_update(tx, id.0).await?
                    } else {
                        repo::tickets::get(tx, id.0).await?
                    }
                    .ok_or_else(|| ApiError::not_found("ticket"))?;
                    let m = repo::tickets::add_message(tx, id.0, &new).await?;
                    if role == MessageRole::User && !new.is_internal {
                        state
                            .assistant
                            .queue(tx, id.0, Trigger::CustomerMessage(m.id))
                            .await?;
                    }
                    let pending = TicketStatus::PendingCustomer;
                    if customer && ticket.status == pending {
                        let to = TicketStatus::InProgress;
                        repo::tickets::set_status(
                            tx,
                            id.0,
                            pending,
                            to,
                            p.user_id,
                            Some("customer replied"),
                        )
                        .await?;
                    }
                    Ok(MessageOut::from(m))
                })
                .await
            })
            .await?;
        Ok(CreatedMessage::Created(
            Json(out),
            replayed.then(|| "true".into()),
        ))
    }

    /// A ticket's messages, oldest first. A `user` sees the replies on their own tickets, never
    /// internal notes.
    #[oai(
        path = "/:id/messages",
        method = "get",
        operation_id = "list_ticket_messages"
    )]
    async fn list(
        &self,
        p: Tenant,
        id: Path<TicketId>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<MessagePage>> {
        let with_internal = p.role >= Role::Agent;
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| {
                visible(tx, id.0).await?;
                repo::tickets::messages(tx, id.0, with_internal, after, n).await
            },
            |r| r.id,
        )
        .await
    }
}
