//! The tickets' request and response types.

use poem_openapi::{ApiResponse, Object, payload::Json, types::MaybeUndefined};
use serde_json::Value;

use super::etag;
use crate::{
    api::text::Text,
    ids::{TicketId, UserId},
    knowledge::Language,
    repo::{Timestamp, tickets::TicketRow},
    tickets::{TicketPriority, TicketSource, TicketStatus},
};

/// A new ticket.
#[derive(Debug, Object)]
pub struct TicketIn {
    /// 1–300 characters.
    #[oai(validator(min_length = 1, max_length = 300))]
    pub title: Text,
    /// Up to 50,000 characters.
    #[oai(default, validator(max_length = 50000))]
    pub description: Text,
    /// Default `medium`. Agents and admins only.
    #[oai(skip_serializing_if_is_none)]
    pub priority: Option<TicketPriority>,
    /// Default `api`.
    #[oai(skip_serializing_if_is_none)]
    pub source: Option<TicketSource>,
    /// An active agent or admin of the tenant. Agents and admins only.
    #[oai(skip_serializing_if_is_none)]
    pub assignee_id: Option<UserId>,
    /// Up to 50 tags of 1–50 characters each (repeats count once). Agents and admins only.
    #[oai(
        skip_serializing_if_is_none,
        validator(max_items = 50, min_length = 1, max_length = 50)
    )]
    pub tags: Option<Vec<Text>>,
    /// The language of the title and description, which decides how `q` searches read them
    /// (`en` and `ru` are stemmed, `other` matched word by word). Default: detected from them
    /// when the ticket is opened (messages: each detected from its own content).
    #[oai(skip_serializing_if_is_none)]
    pub language: Option<Language>,
    /// Any JSON object.
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
}

/// Changes to a ticket; absent fields stay as they are. The status changes only through
/// `POST /v1/tickets/{id}/transitions`. A `user` may change only `title` and `description`.
#[derive(Debug, Object)]
pub struct TicketPatch {
    /// 1–300 characters.
    #[oai(validator(min_length = 1, max_length = 300))]
    pub title: MaybeUndefined<Text>,
    /// Up to 50,000 characters; `null` empties it.
    #[oai(nullable, validator(max_length = 50000))]
    pub description: MaybeUndefined<Text>,
    /// Agents and admins only.
    pub priority: MaybeUndefined<TicketPriority>,
    /// An active agent or admin of the tenant; `null` unassigns.
    #[oai(nullable)]
    pub assignee_id: MaybeUndefined<UserId>,
    /// Replaces the tags (up to 50 of 1–50 characters each); `null` removes them all.
    #[oai(nullable, validator(max_items = 50, min_length = 1, max_length = 50))]
    pub tags: MaybeUndefined<Vec<Text>>,
    /// Replaces the metadata object; `null` empties it.
    #[oai(nullable)]
    pub metadata: MaybeUndefined<Value>,
    /// The language the title and description are searched in. Default: when `title` or
    /// `description` changes, detected again from the new title and description (as when the
    /// ticket is opened); otherwise unchanged.
    #[oai(skip_serializing_if_is_none)]
    pub language: Option<Language>,
}

/// A support ticket.
#[derive(Debug, Object)]
pub struct TicketOut {
    /// The ticket's id (UUIDv7).
    pub id: TicketId,
    /// The tenant's human-readable number, `TCK-<n>`.
    pub number: String,
    /// 1–300 characters.
    pub title: String,
    /// Free text, up to 50,000 characters.
    pub description: String,
    /// Where the ticket is; changed through transitions.
    pub status: TicketStatus,
    /// How urgent it is.
    pub priority: TicketPriority,
    /// The channel it came in through.
    pub source: TicketSource,
    /// The agent or admin working on it.
    #[oai(skip_serializing_if_is_none)]
    pub assignee_id: Option<UserId>,
    /// The user who opened it; absent when an API key or a superadmin did.
    #[oai(skip_serializing_if_is_none)]
    pub creator_id: Option<UserId>,
    /// Labels for triage and filtering.
    pub tags: Vec<String>,
    /// Any JSON object the client keeps with the ticket.
    pub metadata: Value,
    /// The language its title and description are searched in (given, or detected).
    pub language: Language,
    /// Increases with every change; the `ETag` is derived from it.
    pub version: i32,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When the ticket itself last changed (a message counts only when it changes the status).
    pub updated_at: Timestamp,
    /// When it was last resolved (cleared when reopened).
    #[oai(skip_serializing_if_is_none)]
    pub resolved_at: Option<Timestamp>,
    /// When it was closed (cleared when reopened).
    #[oai(skip_serializing_if_is_none)]
    pub closed_at: Option<Timestamp>,
}

impl From<TicketRow> for TicketOut {
    fn from(t: TicketRow) -> Self {
        Self {
            id: t.id,
            number: format!("TCK-{}", t.number),
            title: t.title,
            description: t.description,
            status: t.status,
            priority: t.priority,
            source: t.source,
            assignee_id: t.assignee_id,
            creator_id: t.creator_id,
            tags: t.tags,
            language: t.language,
            metadata: t.metadata,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
        }
    }
}

impl TicketOut {
    pub fn etag(&self) -> String {
        etag(self.version)
    }
}

#[derive(ApiResponse)]
pub enum CreatedTicket {
    /// Created (or, with a repeated `Idempotency-Key`, the response to the first request).
    #[oai(status = 201)]
    Created(
        Json<TicketOut>,
        /// The ticket's version, for `If-Match`.
        #[oai(header = "ETag")]
        String,
        /// `true` when this replays the response to an earlier request with the same key.
        #[oai(header = "Idempotent-Replayed")]
        Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum TicketResponse {
    /// The ticket.
    #[oai(status = 200)]
    Ok(
        Json<TicketOut>,
        /// The ticket's version, for `If-Match`.
        #[oai(header = "ETag")]
        String,
    ),
}

// A response is built once and moved out; boxing the body would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(ApiResponse)]
pub enum TicketGet {
    /// The ticket.
    #[oai(status = 200)]
    Ok(
        Json<TicketOut>,
        /// The ticket's version, for `If-Match` and `If-None-Match`.
        #[oai(header = "ETag")]
        String,
    ),
    /// The ticket still has the `ETag` sent in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
}

impl TicketResponse {
    pub(super) fn of(t: TicketRow) -> Self {
        let out = TicketOut::from(t);
        let tag = out.etag();
        TicketResponse::Ok(Json(out), tag)
    }
}
