//! Tickets, their status history, messages and external references. Row-level security decides
//! what a caller sees (a `user` only their own tickets and no internal notes); the queries still
//! say `tenant_id = $1` for the planner.

use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{Timestamp, column};
use crate::{
    db::{TenantTx, statement::Param},
    error::{ApiError, ApiResult},
    tickets::{MessageRole, TicketPriority, TicketSource, TicketStatus},
};

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: Uuid,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub status: TicketStatus,
    pub priority: TicketPriority,
    pub priority_rank: i16,
    pub source: TicketSource,
    pub assignee_id: Option<Uuid>,
    pub creator_id: Option<Uuid>,
    pub tags: Vec<String>,
    pub metadata: Value,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

impl TryFrom<&Row> for TicketRow {
    type Error = ApiError;

    fn try_from(r: &Row) -> ApiResult<Self> {
        Ok(Self {
            id: r.get("id"),
            number: r.get("number"),
            title: r.get("title"),
            description: r.get("description"),
            status: column(r, "status")?,
            priority: column(r, "priority")?,
            priority_rank: r.get("priority_rank"),
            source: column(r, "source")?,
            assignee_id: r.get("assignee_id"),
            creator_id: r.get("creator_id"),
            tags: r.get("tags"),
            metadata: r.get("metadata"),
            version: r.get("version"),
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
            resolved_at: r.get("resolved_at"),
            closed_at: r.get("closed_at"),
        })
    }
}

const COLUMNS: &str = "id, number, title, description, status, priority, priority_rank, source, \
     assignee_id, creator_id, tags, metadata, version, created_at, updated_at, resolved_at, closed_at";

pub struct NewTicket<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub priority: TicketPriority,
    pub source: TicketSource,
    pub assignee_id: Option<Uuid>,
    pub creator_id: Option<Uuid>,
    pub tags: &'a [String],
    pub metadata: &'a Value,
}

/// Inserts the ticket with the tenant's next number (the counter row is bumped in the same
/// statement and stays locked until COMMIT) and writes the first history row.
pub async fn create(tx: &TenantTx, t: &NewTicket<'_>, actor: Option<Uuid>) -> ApiResult<TicketRow> {
    let sql = format!(
        "with n as (
             insert into ticket_counters (tenant_id, last_number) values ($1, 1)
             on conflict (tenant_id) do update set last_number = ticket_counters.last_number + 1
             returning last_number)
         insert into tickets (tenant_id, number, title, description, priority, source, assignee_id,
                              creator_id, tags, metadata)
         select $1, n.last_number, $2, $3, $4, $5, $6, $7, $8, $9 from n
         returning {COLUMNS}"
    );
    let row = tx
        .query_one(
            &sql,
            &[
                &tx.tenant_id(),
                &t.title,
                &t.description,
                &t.priority,
                &t.source,
                &t.assignee_id,
                &t.creator_id,
                &t.tags,
                &t.metadata,
            ],
        )
        .await?;
    let ticket = TicketRow::try_from(&row)?;
    add_history(tx, ticket.id, None, ticket.status, actor, None).await?;
    Ok(ticket)
}

pub async fn get(tx: &TenantTx, id: Uuid) -> ApiResult<Option<TicketRow>> {
    let sql = format!("select {COLUMNS} from tickets where tenant_id = $1 and id = $2");
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(TicketRow::try_from)
        .transpose()
}

/// The ticket, locked until the end of the transaction (for a read-check-write).
pub async fn get_for_update(tx: &TenantTx, id: Uuid) -> ApiResult<Option<TicketRow>> {
    let sql = format!("select {COLUMNS} from tickets where tenant_id = $1 and id = $2 for update");
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(TicketRow::try_from)
        .transpose()
}

#[derive(Default)]
pub struct TicketPatch<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub priority: Option<TicketPriority>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<Uuid>>,
    pub tags: Option<&'a [String]>,
    pub metadata: Option<&'a Value>,
}

impl TicketPatch<'_> {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.priority.is_none()
            && self.assignee_id.is_none()
            && self.tags.is_none()
            && self.metadata.is_none()
    }
}

pub async fn update(tx: &TenantTx, id: Uuid, p: &TicketPatch<'_>) -> ApiResult<Option<TicketRow>> {
    let sql = format!(
        "update tickets set title = coalesce($3, title), description = coalesce($4, description),
                priority = coalesce($5, priority),
                assignee_id = case when $6 then $7 else assignee_id end,
                tags = coalesce($8, tags), metadata = coalesce($9, metadata),
                version = version + 1, updated_at = now()
          where tenant_id = $1 and id = $2 returning {COLUMNS}"
    );
    let set_assignee = p.assignee_id.is_some();
    let assignee = p.assignee_id.flatten();
    tx.query_opt(
        &sql,
        &[
            &tx.tenant_id(),
            &id,
            &p.title,
            &p.description,
            &p.priority,
            &set_assignee,
            &assignee,
            &p.tags,
            &p.metadata,
        ],
    )
    .await?
    .as_ref()
    .map(TicketRow::try_from)
    .transpose()
}

/// Moves the ticket to `to` and records the change.
pub async fn set_status(
    tx: &TenantTx,
    id: Uuid,
    from: TicketStatus,
    to: TicketStatus,
    actor: Option<Uuid>,
    reason: Option<&str>,
) -> ApiResult<TicketRow> {
    let sql = format!(
        "update tickets set status = $3, version = version + 1, updated_at = now(),
                resolved_at = case when $3 = 'resolved' then now()
                                   when $3 = 'reopened' then null else resolved_at end,
                closed_at = case when $3 = 'closed' then now()
                                 when $3 = 'reopened' then null else closed_at end
          where tenant_id = $1 and id = $2 returning {COLUMNS}"
    );
    let row = tx.query_one(&sql, &[&tx.tenant_id(), &id, &to]).await?;
    add_history(tx, id, Some(from), to, actor, reason).await?;
    TicketRow::try_from(&row)
}

/// Whether `user` is an active agent or admin of the caller's tenant (who may be assigned).
pub async fn is_assignable(tx: &TenantTx, user: Uuid) -> ApiResult<bool> {
    Ok(tx
        .query_opt(
            "select 1 from users where tenant_id = $1 and id = $2 and is_active
                and role in ('agent', 'admin')",
            &[&tx.tenant_id(), &user],
        )
        .await?
        .is_some())
}

/// Which column a list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Created,
    Updated,
    Priority,
}

/// Where the previous page ended: the sort key's value and the id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum After {
    Time(Timestamp, Uuid),
    Rank(i16, Uuid),
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub statuses: Vec<TicketStatus>,
    pub priorities: Vec<TicketPriority>,
    pub assignee: Option<Uuid>,
    pub creator: Option<Uuid>,
    pub tags: Vec<String>,
    pub created_after: Option<Timestamp>,
    pub created_before: Option<Timestamp>,
    pub updated_after: Option<Timestamp>,
    pub updated_before: Option<Timestamp>,
    pub q: Option<String>,
    pub sort: SortKey,
    pub desc: bool,
    pub after: Option<After>,
    /// Rows to fetch (page size + 1).
    pub limit: i64,
}

/// One page of tickets in keyset order `(sort column, id)`, so concurrent inserts never shift
/// a page. Only the filters that are set reach the SQL, so each combination gets its own plan.
pub async fn list(tx: &TenantTx, q: &ListQuery) -> ApiResult<Vec<TicketRow>> {
    let mut params: Vec<Box<dyn Param + Send>> = vec![Box::new(tx.tenant_id())];
    let mut sql = format!("select {COLUMNS} from tickets t where t.tenant_id = $1");
    let mut bind = |sql: &mut String, clause: &str, v: Box<dyn Param + Send>| {
        params.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", params.len())));
    };
    if !q.statuses.is_empty() {
        bind(
            &mut sql,
            " and t.status = any(?)",
            Box::new(q.statuses.clone()),
        );
    }
    if !q.priorities.is_empty() {
        bind(
            &mut sql,
            " and t.priority = any(?)",
            Box::new(q.priorities.clone()),
        );
    }
    if let Some(a) = q.assignee {
        bind(&mut sql, " and t.assignee_id = ?", Box::new(a));
    }
    if let Some(c) = q.creator {
        bind(&mut sql, " and t.creator_id = ?", Box::new(c));
    }
    if !q.tags.is_empty() {
        bind(&mut sql, " and t.tags @> ?", Box::new(q.tags.clone()));
    }
    if let Some(v) = q.created_after {
        bind(&mut sql, " and t.created_at > ?", Box::new(v));
    }
    if let Some(v) = q.created_before {
        bind(&mut sql, " and t.created_at < ?", Box::new(v));
    }
    if let Some(v) = q.updated_after {
        bind(&mut sql, " and t.updated_at > ?", Box::new(v));
    }
    if let Some(v) = q.updated_before {
        bind(&mut sql, " and t.updated_at < ?", Box::new(v));
    }
    if let Some(text) = &q.q {
        // Messages the caller may not read (internal notes for a `user`) are hidden by their
        // policy, so they cannot make a ticket match.
        bind(
            &mut sql,
            " and (t.search @@ websearch_to_tsquery('english', ?)
                   or t.id in (select m.ticket_id from ticket_messages m
                                where m.tenant_id = $1 and m.search @@ websearch_to_tsquery('english', ?)))",
            Box::new(text.clone()),
        );
    }
    let col = match q.sort {
        SortKey::Created => "t.created_at",
        SortKey::Updated => "t.updated_at",
        SortKey::Priority => "t.priority_rank",
    };
    let (cmp, dir) = if q.desc { ("<", "desc") } else { (">", "asc") };
    match q.after {
        Some(After::Time(at, id)) => {
            bind(
                &mut sql,
                &format!(" and ({col}, t.id) {cmp} (?, "),
                Box::new(at),
            );
            bind(&mut sql, "?)", Box::new(id));
        }
        Some(After::Rank(rank, id)) => {
            bind(
                &mut sql,
                &format!(" and ({col}, t.id) {cmp} (?, "),
                Box::new(rank),
            );
            bind(&mut sql, "?)", Box::new(id));
        }
        None => {}
    }
    bind(
        &mut sql,
        &format!(" order by {col} {dir}, t.id {dir} limit ?"),
        Box::new(q.limit),
    );
    let refs: Vec<&dyn Param> = params.iter().map(|p| p.as_ref() as &dyn Param).collect();
    let rows = tx.query(&sql, &refs).await?;
    rows.iter().map(TicketRow::try_from).collect()
}

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub id: Uuid,
    pub from_status: Option<TicketStatus>,
    pub to_status: TicketStatus,
    pub actor_id: Option<Uuid>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
}

async fn add_history(
    tx: &TenantTx,
    ticket: Uuid,
    from: Option<TicketStatus>,
    to: TicketStatus,
    actor: Option<Uuid>,
    reason: Option<&str>,
) -> ApiResult<()> {
    tx.execute(
        "insert into ticket_status_history (tenant_id, ticket_id, from_status, to_status, actor_id, reason)
         values ($1, $2, $3, $4, $5, $6)",
        &[&tx.tenant_id(), &ticket, &from, &to, &actor, &reason],
    )
    .await?;
    Ok(())
}

/// The ticket's status changes, oldest first.
pub async fn history(
    tx: &TenantTx,
    ticket: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> ApiResult<Vec<HistoryRow>> {
    let rows = tx
        .query(
            "select id, from_status, to_status, actor_id, reason, created_at from ticket_status_history
              where tenant_id = $1 and ticket_id = $2 and ($3::uuid is null or id > $3)
              order by id limit $4",
            &[&tx.tenant_id(), &ticket, &after, &limit],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryRow {
                id: r.get("id"),
                from_status: column(r, "from_status")?,
                to_status: column(r, "to_status")?,
                actor_id: r.get("actor_id"),
                reason: r.get("reason"),
                created_at: r.get("created_at"),
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct MessageRow {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub role: MessageRole,
    pub author_id: Option<Uuid>,
    pub content: String,
    pub is_internal: bool,
    pub metadata: Value,
    pub created_at: Timestamp,
}

impl TryFrom<&Row> for MessageRow {
    type Error = ApiError;

    fn try_from(r: &Row) -> ApiResult<Self> {
        Ok(Self {
            id: r.get("id"),
            ticket_id: r.get("ticket_id"),
            role: column(r, "role")?,
            author_id: r.get("author_id"),
            content: r.get("content"),
            is_internal: r.get("is_internal"),
            metadata: r.get("metadata"),
            created_at: r.get("created_at"),
        })
    }
}

const MESSAGE_COLUMNS: &str =
    "id, ticket_id, role, author_id, content, is_internal, metadata, created_at";

pub struct NewMessage<'a> {
    pub role: MessageRole,
    pub author_id: Option<Uuid>,
    pub content: &'a str,
    pub is_internal: bool,
    pub metadata: &'a Value,
}

pub async fn add_message(tx: &TenantTx, ticket: Uuid, m: &NewMessage<'_>) -> ApiResult<MessageRow> {
    let sql = format!(
        "insert into ticket_messages (tenant_id, ticket_id, role, author_id, content, is_internal, metadata)
         values ($1, $2, $3, $4, $5, $6, $7) returning {MESSAGE_COLUMNS}"
    );
    let row = tx
        .query_one(
            &sql,
            &[
                &tx.tenant_id(),
                &ticket,
                &m.role,
                &m.author_id,
                &m.content,
                &m.is_internal,
                &m.metadata,
            ],
        )
        .await?;
    MessageRow::try_from(&row)
}

/// The ticket's messages in the order they were written. `with_internal = false` leaves internal
/// notes out (the `user` policy hides them anyway).
pub async fn messages(
    tx: &TenantTx,
    ticket: Uuid,
    with_internal: bool,
    after: Option<Uuid>,
    limit: i64,
) -> ApiResult<Vec<MessageRow>> {
    let sql = format!(
        "select {MESSAGE_COLUMNS} from ticket_messages
          where tenant_id = $1 and ticket_id = $2 and ($3 or not is_internal)
            and ($4::uuid is null or id > $4)
          order by id limit $5"
    );
    let rows = tx
        .query(
            &sql,
            &[&tx.tenant_id(), &ticket, &with_internal, &after, &limit],
        )
        .await?;
    rows.iter().map(MessageRow::try_from).collect()
}

#[derive(Debug, Clone)]
pub struct ExternalRefRow {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub system: String,
    pub external_id: String,
    pub url: Option<String>,
    pub metadata: Value,
    pub created_by: Option<Uuid>,
    pub created_at: Timestamp,
}

impl From<&Row> for ExternalRefRow {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get("id"),
            ticket_id: r.get("ticket_id"),
            system: r.get("system"),
            external_id: r.get("external_id"),
            url: r.get("url"),
            metadata: r.get("metadata"),
            created_by: r.get("created_by"),
            created_at: r.get("created_at"),
        }
    }
}

const REF_COLUMNS: &str =
    "id, ticket_id, system, external_id, url, metadata, created_by, created_at";

pub struct NewExternalRef<'a> {
    pub system: &'a str,
    pub external_id: &'a str,
    pub url: Option<&'a str>,
    pub metadata: &'a Value,
    pub created_by: Option<Uuid>,
}

pub async fn add_external_ref(
    tx: &TenantTx,
    ticket: Uuid,
    r: &NewExternalRef<'_>,
) -> ApiResult<ExternalRefRow> {
    let sql = format!(
        "insert into ticket_external_refs (tenant_id, ticket_id, system, external_id, url, metadata, created_by)
         values ($1, $2, $3, $4, $5, $6, $7) returning {REF_COLUMNS}"
    );
    let row = tx
        .query_one(
            &sql,
            &[
                &tx.tenant_id(),
                &ticket,
                &r.system,
                &r.external_id,
                &r.url,
                &r.metadata,
                &r.created_by,
            ],
        )
        .await?;
    Ok(ExternalRefRow::from(&row))
}

pub async fn external_refs(
    tx: &TenantTx,
    ticket: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> ApiResult<Vec<ExternalRefRow>> {
    let sql = format!(
        "select {REF_COLUMNS} from ticket_external_refs
          where tenant_id = $1 and ticket_id = $2 and ($3::uuid is null or id > $3)
          order by id limit $4"
    );
    let rows = tx
        .query(&sql, &[&tx.tenant_id(), &ticket, &after, &limit])
        .await?;
    Ok(rows.iter().map(ExternalRefRow::from).collect())
}

/// Whether a reference was deleted.
pub async fn delete_external_ref(tx: &TenantTx, ticket: Uuid, id: Uuid) -> ApiResult<bool> {
    let n = tx
        .execute(
            "delete from ticket_external_refs where tenant_id = $1 and ticket_id = $2 and id = $3",
            &[&tx.tenant_id(), &ticket, &id],
        )
        .await?;
    Ok(n > 0)
}
