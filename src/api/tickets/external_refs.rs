//! Links from a ticket to records in other systems (a Jira issue, a CRM case, an email thread).
//! Agents and admins only; a `user` gets 403.

use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use serde_json::Value;

use super::{check_metadata, visible};
use crate::{
    api::body::JsonBody,
    api::{
        Tag,
        cursor::{Cursor, Limit},
        text::Text,
    },
    auth::{Agent, Tenant},
    error::{ApiError, ApiResult},
    ids::{ExternalRefId, TicketId, UserId},
    repo::{self, Timestamp, tickets::ExternalRefRow},
};

pub struct TicketExternalRefsApi;

/// A new external reference.
#[derive(Debug, Object)]
pub struct ExternalRefIn {
    /// The other system's name: lowercase letters, digits, `_`, `.`, `-`, up to 50 characters
    /// (`jira`, `salesforce`), starting with a letter or digit.
    #[oai(validator(pattern = r"^[a-z0-9][a-z0-9_.-]{0,49}$"))]
    pub system: Text,
    /// The record's id there, 1–200 characters. A (system, external_id) pair links to one
    /// ticket of the tenant at most.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub external_id: Text,
    /// A link to the record: an http or https URL, up to 2,000 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(
            max_length = 2000,
            pattern = r"^https?://[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$"
        )
    )]
    pub url: Option<Text>,
    /// Any JSON object.
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
}

/// A reference from a ticket to a record in another system.
#[derive(Debug, Object)]
pub struct ExternalRefOut {
    /// The reference's id.
    pub id: ExternalRefId,
    /// The ticket it links from.
    pub ticket_id: TicketId,
    /// The other system's name.
    pub system: String,
    /// The record's id in that system.
    pub external_id: String,
    /// A link to the record.
    #[oai(skip_serializing_if_is_none)]
    pub url: Option<String>,
    /// Any JSON object kept with the reference.
    pub metadata: Value,
    /// The user who added it; absent for API keys and superadmins.
    #[oai(skip_serializing_if_is_none)]
    pub created_by: Option<UserId>,
    /// When it was added.
    pub created_at: Timestamp,
}

impl From<ExternalRefRow> for ExternalRefOut {
    fn from(r: ExternalRefRow) -> Self {
        Self {
            id: r.id,
            ticket_id: r.ticket_id,
            system: r.system,
            external_id: r.external_id,
            url: r.url,
            metadata: r.metadata,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// One page of external references, oldest first.
pub type ExternalRefPage = crate::api::Page<ExternalRefOut>;

#[derive(ApiResponse)]
pub enum CreatedExternalRef {
    /// Created.
    #[oai(status = 201)]
    Created(Json<ExternalRefOut>),
}

#[derive(ApiResponse)]
pub enum DeletedExternalRef {
    /// Deleted.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/v1/tickets", tag = "Tag::Tickets")]
impl TicketExternalRefsApi {
    /// Link a ticket to a record in another system (agents and admins). 409 when the tenant
    /// already links that record (`system` + `external_id`) to a ticket.
    #[oai(
        path = "/:id/external-refs",
        method = "post",
        operation_id = "create_ticket_external_ref"
    )]
    async fn create(
        &self,
        p: Tenant<Agent>,
        id: Path<TicketId>,
        body: JsonBody<ExternalRefIn>,
    ) -> ApiResult<CreatedExternalRef> {
        let url = body.url.as_deref();
        let metadata = body
            .metadata
            .clone()
            .unwrap_or_else(|| Value::Object(Default::default()));
        check_metadata(&metadata)?;
        let new = repo::tickets::NewExternalRef {
            system: &body.system,
            external_id: &body.external_id,
            url,
            metadata: &metadata,
            created_by: p.user_id,
        };
        let row = p
            .tx(async |tx| {
                visible(tx, id.0).await?;
                repo::tickets::add_external_ref(tx, id.0, &new).await
            })
            .await?;
        Ok(CreatedExternalRef::Created(Json(row.into())))
    }

    /// A ticket's external references, oldest first (agents and admins).
    #[oai(
        path = "/:id/external-refs",
        method = "get",
        operation_id = "list_ticket_external_refs"
    )]
    async fn list(
        &self,
        p: Tenant<Agent>,
        id: Path<TicketId>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<ExternalRefPage>> {
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| {
                visible(tx, id.0).await?;
                repo::tickets::external_refs(tx, id.0, after, n).await
            },
            |r| r.id,
        )
        .await
    }

    /// Remove an external reference from a ticket (agents and admins).
    #[oai(
        path = "/:id/external-refs/:ref_id",
        method = "delete",
        operation_id = "delete_ticket_external_ref"
    )]
    async fn delete(
        &self,
        p: Tenant<Agent>,
        id: Path<TicketId>,
        ref_id: Path<ExternalRefId>,
    ) -> ApiResult<DeletedExternalRef> {
        let deleted = p
            .tx(async |tx| repo::tickets::delete_external_ref(tx, id.0, ref_id.0).await)
            .await?;
        if deleted {
            Ok(DeletedExternalRef::Done)
        } else {
            Err(ApiError::not_found("external reference"))
        }
    }
}
