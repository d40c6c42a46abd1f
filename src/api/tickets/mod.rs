//! Tickets: create, read, change, list and search, and move through the status machine
//! (`crate::tickets`). Messages and external references live in their own modules.
//!
//! Who may do what: any caller of the tenant may open a ticket; a `user` (customer) sees, and
//! acts on, only the tickets they opened (a database policy, not only a handler check), may
//! change only their title and description, and may only close or reopen them. Agents and admins
//! (and API keys, which act as an agent or admin) see and change every ticket of the tenant:
//! priority, assignee, tags, metadata, every status edge.

pub mod assist;
pub mod external_refs;
pub mod list;
pub mod messages;
mod serialize;
pub mod transitions;

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use serde_json::Value;

use crate::{
    api::body::JsonBody,
    api::idempotency::{self, IdempotencyKey},
    api::{Tag, cursor::Cursor, default_limit, json::SerdeJson, text::Text},
    app::AppState,
    assistant::tickets::Trigger,
    auth::Auth,
    db::{Role, TenantTx},
    error::{ApiError, ApiResult, ProblemCode},
    ids::{TicketId, UserId},
    knowledge::Language,
    repo::{self, Timestamp, tickets::TicketRow},
    tickets::{TicketPriority, TicketSource, TicketStatus},
};
use list::{EnumList, SortOrder, TicketPage, TicketSort, decode_list_cursor, encode_list_cursor};

pub struct TicketsApi;

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
        if t.is_empty() || t.chars().nth(50).is_some() {
            return Err(ApiError::invalid(
                field,
                format!("each of {field} must be 1–50 characters"),
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
    fn of(t: TicketRow) -> Self {
        let out = TicketOut::from(t);
        let tag = out.etag();
        TicketResponse::Ok(Json(out), tag)
    }
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
        auth: Auth,
        /// Makes retries safe: 1–255 printable ASCII characters, unique per request.
        #[oai(name = "Idempotency-Key", validator(pattern = "^[!-~]{1,255}$"))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<TicketIn>,
    ) -> ApiResult<CreatedTicket> {
        let p = auth.principal()?;
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
        let key = IdempotencyKey::from_header(
            idempotency_key.0.as_deref(),
            p,
            "POST /v1/tickets",
            &body.0,
        )?;
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
        let (out, replayed) = state
            .db
            .tenant(&p.scope(), async |tx| {
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

    /// Get a ticket, with its `ETag`; with `If-None-Match` naming the current one, a bodiless
    /// 304. 404 for another tenant's ticket and, for a `user`, for a ticket they did not open.
    #[oai(path = "/:id", method = "get", operation_id = "get_ticket")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<TicketId>,
        /// An `ETag` read earlier: 304 when the ticket still has it.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<TicketGet> {
        let p = auth.principal()?;
        let t = state
            .db
            .tenant(&p.scope(), async |tx| visible(tx, id.0).await)
            .await?;
        if if_none_match
            .0
            .as_deref()
            .is_some_and(|h| if_match(h, t.version))
        {
            return Ok(TicketGet::NotModified(etag(t.version)));
        }
        let TicketResponse::Ok(body, tag) = TicketResponse::of(t);
        Ok(TicketGet::Ok(body, tag))
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
        state: Data<&AppState>,
        auth: Auth,
        id: Path<TicketId>,
        /// The `ETag` the change is based on (`*` matches any version).
        #[oai(name = "If-Match")]
        if_match_header: Header<Option<String>>,
        body: JsonBody<TicketPatch>,
    ) -> ApiResult<TicketResponse> {
        let p = auth.principal()?;
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
        let t = state
            .db
            .tenant(&p.scope(), async |tx| {
                let current = repo::tickets::get_for_update(tx, id.0)
                    .await?
                    .ok_or_else(|| ApiError::not_found("ticket"))?;
                if let Some(h) = if_match_header.0.as_deref()
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
                repo::tickets::update(tx, id.0, &patch)
                    .await?
                    .ok_or_else(|| ApiError::not_found("ticket"))
            })
            .await?;
        Ok(TicketResponse::of(t))
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
        auth: Auth,
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
        /// 1–50 characters).
        #[oai(default, validator(max_items = 50))]
        tag: Query<Vec<Text>>,
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
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        limit: Query<i64>,
    ) -> ApiResult<SerdeJson<TicketPage>> {
        let p = auth.principal()?;
        let statuses = status.0.values("status")?;
        let priorities = priority.0.values("priority")?;
        // An empty `tag=` filters nothing, as an empty value of every list parameter (and
        // an empty `cursor`) means "left out".
        let tag: Vec<Text> = tag
            .0
            .into_iter()
            .filter(|t| !str::is_empty(t.as_str()))
            .collect();
        let tags = clean_tags("tag", &tag)?;
        let q = q.0.map(Text::into_string).filter(|s| !s.is_empty());
        let desc = order.0 == SortOrder::Desc;
        let after = decode_list_cursor(&cursor.0, sort.0, desc)?;
        let query = repo::tickets::ListQuery {
            statuses,
            priorities,
            assignee: assignee.0,
            // A user sees only their own tickets (the policy says so too; this helps the planner).
            creator: if p.role == Role::User {
                p.user_id.or(creator.0)
            } else {
                creator.0
            },
            tags,
            created_after: created_after.0,
            created_before: created_before.0,
            updated_after: updated_after.0,
            updated_before: updated_before.0,
            q,
            candidate_cap: state.config.ticket_search_candidates,
            sort: sort.0.key(),
            desc,
            after,
            limit: limit.0 + 1,
        };
        if p.role == Role::User && creator.0.is_some_and(|c| Some(c) != p.user_id) {
            return Ok(SerdeJson(TicketPage {
                items: vec![],
                next_cursor: None,
            }));
        }
        let mut rows = state
            .db
            .tenant(&p.scope(), async |tx| repo::tickets::list(tx, &query).await)
            .await?;
        let more = rows.len() as i64 > limit.0;
        rows.truncate(limit.0 as usize);
        let next_cursor = if more {
            rows.last().map(|t| encode_list_cursor(sort.0, desc, t))
        } else {
            None
        };
        Ok(SerdeJson(TicketPage {
            items: rows.into_iter().map(TicketOut::from).collect(),
            next_cursor,
        }))
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
