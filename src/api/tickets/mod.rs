//! Tickets: create, read, change, list and search, and move through the status machine
//! (`crate::tickets`). Messages and external references live in their own modules.
//!
//! Who may do what: any caller of the tenant may open a ticket; a `user` (customer) sees, and
//! acts on, only the tickets they opened (a database policy, not only a handler check), may
//! change only their title and description, and may only close or reopen them. Agents and admins
//! (and API keys, which act as an agent or admin) see and change every ticket of the tenant:
//! priority, assignee, tags, metadata, every status edge.

pub mod assist;
mod create;
mod dto;
pub mod external_refs;
mod get;
pub mod list;
pub mod messages;
pub mod plan;
mod serialize;
pub mod transitions;
mod update;

use poem::web::Data;
use poem_openapi::{
    OpenApi,
    param::{Header, Path, Query},
};
use serde_json::Value;

use crate::{
    api::body::JsonBody,
    api::{
        Tag,
        cursor::{Cursor, Limit},
        json::SerdeJson,
        text::{MAX_TAG_CHARS, TagFilter, Text},
    },
    app::AppState,
    auth::Tenant,
    db::TenantTx,
    error::{ApiError, ApiResult, ProblemCode},
    ids::{TicketId, UserId},
    repo::{self, Timestamp, tickets::TicketRow},
    tickets::{TicketPriority, TicketStatus},
};
pub use dto::*;
use list::{EnumList, SortOrder, TicketPage, TicketSort};
use plan::ListParams;

pub struct TicketsApi;

fn etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// Whether an `If-Match` header matches the current version (`*` matches anything; weak
/// validators are compared by their opaque part).
fn if_match(header: &str, version: i32) -> bool {
    let current = etag(version);
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == current)
}

/// Most tags a ticket (or a list filter) takes.
pub(crate) const MAX_TAGS: usize = 50;

/// De-duplicated tags in their first order. The count is checked before anything else (for a
/// body, the extractor already refused more than [`MAX_TAGS`]; query tags are checked here), and
/// de-duplication is one pass over a set: never work proportional to the square of the input.
fn clean_tags(field: &str, tags: &[Text]) -> ApiResult<Vec<String>> {
    if tags.len() > MAX_TAGS {
        return Err(ApiError::invalid(
            field,
            format!("{field} must hold at most {MAX_TAGS} items"),
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(tags.len());
    let mut out = Vec::with_capacity(tags.len());
    for t in tags {
        if t.is_empty() || t.chars().nth(MAX_TAG_CHARS).is_some() {
            return Err(ApiError::invalid(
                field,
                format!("each of {field} must be 1–{MAX_TAG_CHARS} characters"),
            ));
        }
        if seen.insert(t.as_str()) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

fn check_metadata(v: &Value) -> ApiResult<()> {
    if v.is_object() {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "metadata",
            "metadata must be a JSON object",
        ))
    }
}

/// 403 naming a field a `user` may not set.
fn agents_only(field: &str) -> ApiError {
    ApiError::forbidden(
        ProblemCode::Forbidden,
        format!("only agents and admins may set {field}"),
    )
    .with_field(field)
}

/// 422 unless `user` is an active agent or admin of the caller's tenant.
pub(crate) async fn check_assignee(tx: &TenantTx, user: UserId) -> ApiResult<()> {
    if repo::tickets::is_assignable(tx, user).await? {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "assignee_id",
            "assignee_id must be an active agent or admin of this tenant",
        ))
    }
}

/// The ticket if the caller may see it, else 404 (another tenant's, a colleague's for a `user`,
/// or none).
pub(crate) async fn visible(tx: &TenantTx, id: TicketId) -> ApiResult<TicketRow> {
    repo::tickets::get(tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("ticket"))
}

#[OpenApi(prefix_path = "/v1/tickets", tag = "Tag::Tickets")]
impl TicketsApi {
    /// Open a ticket. Any caller of the tenant may; a `user` becomes its creator and may set
    /// only `title`, `description`, `source` and `metadata` (403 naming the field otherwise).
    /// The ticket gets the tenant's next number (`TCK-<n>`) and starts `open`. When the tenant's
    /// assistant mode is `draft` or `reply`, an assistant run is queued for it (see
    /// `…/assistant-runs`); it never runs inside this request. With an
    /// `Idempotency-Key`, repeating the same request within 24 hours returns the first response
    /// and creates nothing; the same key with a different request is a 422.
    #[oai(path = "/", method = "post", operation_id = "create_ticket")]
    async fn create(
        &self,
        state: Data<&AppState>,
        p: Tenant,
        /// Makes retries safe: 1–255 printable ASCII characters, unique per request.
        #[oai(name = "Idempotency-Key", validator(pattern = "^[!-~]{1,255}$"))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<TicketIn>,
    ) -> ApiResult<CreatedTicket> {
        create::create(&state, &p, idempotency_key.0.as_deref(), body).await
    }

    /// Get a ticket, with its `ETag`; with `If-None-Match` naming the current one, a bodiless
    /// 304. 404 for another tenant's ticket and, for a `user`, for a ticket they did not open.
    #[oai(path = "/:id", method = "get", operation_id = "get_ticket")]
    async fn get(
        &self,
        p: Tenant,
        id: Path<TicketId>,
        /// An `ETag` read earlier: 304 when the ticket still has it.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<TicketGet> {
        get::get(&p, id.0, if_none_match.0.as_deref()).await
    }

    /// Change a ticket; an empty change returns it as it is. Send `If-Match` with the `ETag`
    /// you read to refuse the change (412) when
    /// someone changed the ticket in between. A `user` may change only the `title` and
    /// `description` of their own ticket. A new assignee must be an active agent or admin of
    /// the tenant (422 otherwise). Unknown properties, `status` included, are a 422: the status
    /// moves through `POST /v1/tickets/{id}/transitions`.
    #[oai(path = "/:id", method = "patch", operation_id = "update_ticket")]
    async fn update(
        &self,
        p: Tenant,
        id: Path<TicketId>,
        /// The `ETag` the change is based on (`*` matches any version).
        #[oai(name = "If-Match")]
        if_match_header: Header<Option<String>>,
        body: JsonBody<TicketPatch>,
    ) -> ApiResult<TicketResponse> {
        update::update(&p, id.0, if_match_header.0.as_deref(), body).await
    }

    /// List and search the tickets the caller may see (a `user`: their own), newest first by
    /// default. Filters combine with AND; `status` and `priority` take several values
    /// (repeated or comma-separated). `q` is a web-search style query (`"exact phrase"`, `or`,
    /// `-word`) over the title, the description and the messages the caller may read. Paging is
    /// by an opaque cursor over the sort key and the id, so rows created meanwhile never shift
    /// or repeat a page.
    #[oai(path = "/", method = "get", operation_id = "list_tickets")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        p: Tenant,
        /// Statuses to include (`open`, `in_progress`, `pending_customer`, `resolved`, `closed`,
        /// `escalated`, `reopened`), repeated or comma-separated.
        #[oai(default)]
        status: Query<EnumList<TicketStatus>>,
        /// Priorities to include (`low`, `medium`, `high`, `urgent`), repeated or
        /// comma-separated.
        #[oai(default)]
        priority: Query<EnumList<TicketPriority>>,
        /// Only tickets assigned to this user.
        assignee: Query<Option<UserId>>,
        /// Only tickets opened by this user.
        creator: Query<Option<UserId>>,
        /// Only tickets with this tag (repeat for tickets with all of them; at most 50, each
        /// 1–50 characters; an empty `tag=` is left out).
        #[oai(default, validator(max_items = 50))]
        tag: Query<Vec<TagFilter>>,
        /// Created strictly after this time (RFC 3339).
        created_after: Query<Option<Timestamp>>,
        /// Created strictly before this time (RFC 3339).
        created_before: Query<Option<Timestamp>>,
        /// Changed strictly after this time (RFC 3339).
        updated_after: Query<Option<Timestamp>>,
        /// Changed strictly before this time (RFC 3339).
        updated_before: Query<Option<Timestamp>>,
        /// Keyword search, up to 500 characters.
        #[oai(validator(max_length = 500))]
        q: Query<Option<Text>>,
        /// Sort column.
        #[oai(default = "list::default_sort")]
        sort: Query<TicketSort>,
        /// Sort direction.
        #[oai(default = "list::default_order")]
        order: Query<SortOrder>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<SerdeJson<TicketPage>> {
        let params = ListParams {
            status: status.0,
            priority: priority.0,
            assignee: assignee.0,
            creator: creator.0,
            tag: tag.0.into_iter().map(TagFilter::into_text).collect(),
            created_after: created_after.0,
            created_before: created_before.0,
            updated_after: updated_after.0,
            updated_before: updated_before.0,
            q: q.0,
            sort: sort.0,
            order: order.0,
            cursor: cursor.0,
            limit: limit.0.get(),
        };
        list::list(&state, &p, params).await
    }
}

fn precondition_failed(version: i32) -> ApiError {
    ApiError::new(
        poem::http::StatusCode::PRECONDITION_FAILED,
        ProblemCode::PreconditionFailed,
        format!(
            "the ticket changed since it was read; its ETag is now {}",
            etag(version)
        ),
    )
    .with_field("If-Match")
}
