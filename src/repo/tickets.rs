//! Tickets, their status history, messages and external references. Row-level security decides
//! what a caller sees (a `user` only their own tickets and no internal notes); the queries still
//! say `tenant_id = $1` for the planner.

use std::sync::LazyLock;

use serde_json::Value;
use tokio_postgres::{Row, SimpleQueryRow};
use uuid::Uuid;

use super::{Cells, Sql, Timestamp, column};
use crate::{
    db::TenantTx,
    error::{ApiError, ApiResult},
    ids::{ExternalRefId, MessageId, TicketId, UserId},
    knowledge::Language,
    tickets::{MessageRole, TicketPriority, TicketSource, TicketStatus},
};

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: TicketId,
    pub number: i64,
    pub title: String,
    pub description: String,
    pub status: TicketStatus,
    pub priority: TicketPriority,
    pub priority_rank: i16,
    pub source: TicketSource,
    pub assignee_id: Option<UserId>,
    pub creator_id: Option<UserId>,
    pub tags: Vec<String>,
    pub metadata: Value,
    pub language: Language,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

impl TryFrom<&Row> for TicketRow {
    type Error = ApiError;

    fn try_from(r: &Row) -> ApiResult<Self> {
        TicketColumns::of(r)?.read(r)
    }
}

impl TicketRow {
    /// The tickets of one result, whose rows share their columns: the columns are looked up by
    /// name once, not for every row (tokio-postgres searches the names linearly each time).
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a Row>) -> ApiResult<Vec<Self>> {
        Self::from_cells(rows)
    }

    /// [`Self::from_rows`] for a text result ([`TEXT_COLUMNS`], `Tx::query_text`).
    pub fn from_text_rows(rows: &[SimpleQueryRow]) -> ApiResult<Vec<Self>> {
        Self::from_cells(rows)
    }

    fn from_cells<'r, R: Cells + 'r>(
        rows: impl IntoIterator<Item = &'r R>,
    ) -> ApiResult<Vec<Self>> {
        let mut columns: Option<TicketColumns> = None;
        rows.into_iter()
            .map(|r| match &columns {
                Some(c) => c.read(r),
                None => columns.insert(TicketColumns::of(r)?).read(r),
            })
            .collect()
    }
}

/// [`TicketRow`]'s columns, by name.
const TICKET_COLUMNS: [&str; 18] = [
    "id",
    "number",
    "title",
    "description",
    "status",
    "priority",
    "priority_rank",
    "source",
    "assignee_id",
    "creator_id",
    "tags",
    "metadata",
    "language",
    "version",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
];

/// Where each of [`TICKET_COLUMNS`] is in a result.
struct TicketColumns([usize; 18]);

impl TicketColumns {
    fn of(r: &impl Cells) -> ApiResult<Self> {
        let names = r.names();
        let mut at = [0; 18];
        for (i, name) in TICKET_COLUMNS.iter().enumerate() {
            at[i] = names.iter().position(|c| c == name).ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("no column {name} in a ticket row"))
            })?;
        }
        Ok(Self(at))
    }

    fn read(&self, r: &impl Cells) -> ApiResult<TicketRow> {
        macro_rules! col {
            ($i:expr) => {
                r.cell(self.0[$i], TICKET_COLUMNS[$i])?
            };
        }
        Ok(TicketRow {
            id: col!(0),
            number: col!(1),
            title: col!(2),
            description: col!(3),
            status: col!(4),
            priority: col!(5),
            priority_rank: col!(6),
            source: col!(7),
            assignee_id: col!(8),
            creator_id: col!(9),
            tags: col!(10),
            metadata: col!(11),
            language: col!(12),
            version: col!(13),
            created_at: col!(14),
            updated_at: col!(15),
            resolved_at: col!(16),
            closed_at: col!(17),
        })
    }
}

/// [`TICKET_COLUMNS`] as a select list.
static COLUMNS: LazyLock<String> = LazyLock::new(|| TICKET_COLUMNS.join(", "));

/// The columns of [`TICKET_COLUMNS`] a text result (`Tx::query_text`) selects as JSON: the array
/// and the timestamps, whose text form depends on settings (see [`crate::repo::FromText`]).
const JSON_IN_TEXT: [&str; 5] = [
    "tags",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
];

/// [`COLUMNS`] for a text result.
static TEXT_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    TICKET_COLUMNS
        .iter()
        .map(|&c| {
            if JSON_IN_TEXT.contains(&c) {
                format!("to_json({c}) as {c}")
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
});

pub struct NewTicket<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub priority: TicketPriority,
    pub source: TicketSource,
    pub assignee_id: Option<UserId>,
    pub creator_id: Option<UserId>,
    pub tags: &'a [String],
    pub metadata: &'a Value,
    pub language: Language,
}

/// Inserts the ticket with the tenant's next number (the counter row is bumped in the same
/// statement and stays locked until COMMIT) and writes the first history row.
pub async fn create(
    tx: &TenantTx,
    t: &NewTicket<'_>,
    actor: Option<UserId>,
) -> ApiResult<TicketRow> {
    let sql = format!(
        "with n as (
             insert into ticket_counters (tenant_id, last_number) values ($1, 1)
             on conflict (tenant_id) do update set last_number = ticket_counters.last_number + 1
             returning last_number)
         insert into tickets (tenant_id, number, title, description, priority, source, assignee_id,
                              creator_id, tags, metadata, language)
         select $1, n.last_number, $2, $3, $4, $5, $6, $7, $8, $9, $10 from n
         returning {columns}",
        columns = COLUMNS.as_str()
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
                &t.language,
            ],
        )
        .await?;
    let ticket = TicketRow::try_from(&row)?;
    add_history(tx, ticket.id, None, ticket.status, actor, None).await?;
    Ok(ticket)
}

pub async fn get(tx: &TenantTx, id: TicketId) -> ApiResult<Option<TicketRow>> {
    let sql = format!(
        "select {columns} from tickets where tenant_id = $1 and id = $2",
        columns = COLUMNS.as_str()
    );
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(TicketRow::try_from)
        .transpose()
}

/// The ticket, locked until the end of the transaction (for a read-check-write).
pub async fn get_for_update(tx: &TenantTx, id: TicketId) -> ApiResult<Option<TicketRow>> {
    let sql = format!(
        "select {columns} from tickets where tenant_id = $1 and id = $2 for update",
        columns = COLUMNS.as_str()
    );
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(TicketRow::try_from)
        .transpose()
}

#[derive(Default, Clone, Copy)]
pub struct TicketPatch<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub priority: Option<TicketPriority>,
    /// `Some(None)` unassigns.
    pub assignee_id: Option<Option<UserId>>,
    pub tags: Option<&'a [String]>,
    pub metadata: Option<&'a Value>,
    pub language: Option<Language>,
}

impl TicketPatch<'_> {
    /// With no language given, a new title or description is detected again, together with the
    /// current value of the other (what the ticket will hold).
    pub fn detect_language(self, title: &str, description: &str) -> Self {
        let changed = self.title.is_some() || self.description.is_some();
        let language = self.language.or_else(|| {
            changed.then(|| {
                Language::detect(&format!(
                    "{}\n{}",
                    self.title.unwrap_or(title),
                    self.description.unwrap_or(description)
                ))
            })
        });
        Self { language, ..self }
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.priority.is_none()
            && self.assignee_id.is_none()
            && self.tags.is_none()
            && self.metadata.is_none()
            && self.language.is_none()
    }
}

pub async fn update(
    tx: &TenantTx,
    id: TicketId,
    p: &TicketPatch<'_>,
) -> ApiResult<Option<TicketRow>> {
    let sql = format!(
        "update tickets set title = coalesce($3, title), description = coalesce($4, description),
                priority = coalesce($5, priority),
                assignee_id = case when $6 then $7 else assignee_id end,
                tags = coalesce($8, tags), metadata = coalesce($9, metadata),
                language = coalesce($10, language),
                version = version + 1, updated_at = now()
          where tenant_id = $1 and id = $2 returning {columns}",
        columns = COLUMNS.as_str()
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
            &p.language,
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
    id: TicketId,
    from: TicketStatus,
    to: TicketStatus,
    actor: Option<UserId>,
    reason: Option<&str>,
) -> ApiResult<TicketRow> {
    let sql = format!(
        "update tickets set status = $3, version = version + 1, updated_at = now(),
                resolved_at = case when $3 = 'resolved' then now()
                                   when $3 = 'reopened' then null else resolved_at end,
                closed_at = case when $3 = 'closed' then now()
                                 when $3 = 'reopened' then null else closed_at end
          where tenant_id = $1 and id = $2 returning {columns}",
        columns = COLUMNS.as_str()
    );
    let row = tx.query_one(&sql, &[&tx.tenant_id(), &id, &to]).await?;
    add_history(tx, id, Some(from), to, actor, reason).await?;
    TicketRow::try_from(&row)
}

/// Whether `user` is an active agent or admin of the caller's tenant (who may be assigned).
pub async fn is_assignable(tx: &TenantTx, user: UserId) -> ApiResult<bool> {
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
    Time(Timestamp, TicketId),
    Rank(i16, TicketId),
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub statuses: Vec<TicketStatus>,
    pub priorities: Vec<TicketPriority>,
    pub assignee: Option<UserId>,
    pub creator: Option<UserId>,
    pub tags: Vec<String>,
    pub created_after: Option<Timestamp>,
    pub created_before: Option<Timestamp>,
    pub updated_after: Option<Timestamp>,
    pub updated_before: Option<Timestamp>,
    pub q: Option<String>,
    /// Above this many tickets matching `q` or `tags`, listing them by their ids costs more than
    /// walking the list's own index and testing each row, which stops after one page.
    pub candidate_cap: i32,
    pub sort: SortKey,
    pub desc: bool,
    pub after: Option<After>,
    /// Rows to fetch (page size + 1).
    pub limit: i64,
}

/// How many rows of the list's own order a search or tag filter reads before it asks for its
/// candidates: enough to fill a page when a word or tag is in one ticket of 50 or more (found
/// faster so than through any index), little enough to cost a few milliseconds when it is rare.
const SEARCH_WALK_ROWS: i64 = 1_000;

/// Which of the tenant's tickets a list reads.
enum Read {
    /// All that pass the filters, in the list's order.
    All,
    /// The first [`SEARCH_WALK_ROWS`] of them (before the `q` and `tag` conditions), and whether
    /// there are more.
    FirstRows,
    /// Only these (a search's candidates).
    Only(Vec<TicketId>),
}

/// One page of tickets in keyset order `(sort column, id)`, so concurrent inserts never shift
/// a page. Only the filters that are set reach the SQL, so each combination gets its own plan.
///
/// Under RLS the `q` (`@@`) and `tag` (`@>`) conditions cannot use an index (they are not
/// LEAKPROOF), so a search tests the first [`SEARCH_WALK_ROWS`] of the list's own order; when
/// that fills the page, or no rows are left, that is the page. Otherwise the words or tags are
/// rare, and `ticket_search_candidates` (sql/0040) looks them up through the tenant-keyed
/// indexes: the page is then read from those ids alone, or from every row when there are too
/// many (or the caller is a `user`). Every condition is applied here each time, so candidates
/// only narrow what is read.
pub async fn list(tx: &TenantTx, q: &ListQuery) -> ApiResult<Vec<TicketRow>> {
    if q.q.is_none() && q.tags.is_empty() {
        // Without search text every value is typed (ids, timestamps, enum values, numbers), so
        // the page is written out and sent in the read's single query string.
        if let Some(text) = page_sql(tx, q, &Read::All, &TEXT_COLUMNS).inline() {
            return TicketRow::from_text_rows(&tx.query_text(&text).await?);
        }
        return TicketRow::from_rows(&page(tx, q, Read::All).await?);
    }
    let rows = page(tx, q, Read::FirstRows).await?;
    let more = rows.iter().any(|r| r.get::<_, bool>("walk_more"));
    let matched = TicketRow::from_rows(
        rows.iter()
            .filter(|r| r.get::<_, bool>("walk_matched"))
            .take(q.limit as usize),
    )?;
    if matched.len() as i64 == q.limit || !more {
        return Ok(matched);
    }
    let tags = (!q.tags.is_empty()).then_some(&q.tags);
    let candidates: Option<Vec<TicketId>> = tx
        .query_one(
            "select ticket_search_candidates(kb_websearch_any($1), $2, $3)",
            &[&q.q, &tags, &q.candidate_cap],
        )
        .await?
        .get(0);
    TicketRow::from_rows(&page(tx, q, candidates.map_or(Read::All, Read::Only)).await?)
}

async fn page(tx: &TenantTx, q: &ListQuery, read: Read) -> ApiResult<Vec<Row>> {
    let sql = page_sql(tx, q, &read, &COLUMNS);
    tx.query(&sql.text, &sql.params()).await
}

/// The page statement of [`page`], selecting `columns`.
fn page_sql(tx: &TenantTx, q: &ListQuery, read: &Read, columns: &str) -> Sql {
    // One parameter list for both parts; `$1` is the tenant.
    let mut sql = Sql::new(String::new(), tx.tenant_id());
    // The tickets read (`from`), and the search and tag conditions on them (`matching`).
    let mut from = String::from(" from tickets t where t.tenant_id = $1");
    let mut matching = String::from("true");
    if let Read::Only(ids) = read {
        from.push_str(&sql.clause(" and t.id = any(?)", ids.clone()));
    }
    if !q.statuses.is_empty() {
        from.push_str(&sql.clause(" and t.status = any(?)", q.statuses.clone()));
    }
    if !q.priorities.is_empty() {
        from.push_str(&sql.clause(" and t.priority = any(?)", q.priorities.clone()));
    }
    if let Some(a) = q.assignee {
        from.push_str(&sql.clause(" and t.assignee_id = ?", a));
    }
    if let Some(c) = q.creator {
        from.push_str(&sql.clause(" and t.creator_id = ?", c));
    }
    if let Some(v) = q.created_after {
        from.push_str(&sql.clause(" and t.created_at > ?", v));
    }
    if let Some(v) = q.created_before {
        from.push_str(&sql.clause(" and t.created_at < ?", v));
    }
    if let Some(v) = q.updated_after {
        from.push_str(&sql.clause(" and t.updated_at > ?", v));
    }
    if let Some(v) = q.updated_before {
        from.push_str(&sql.clause(" and t.updated_at < ?", v));
    }
    let col = match q.sort {
        SortKey::Created => "t.created_at",
        SortKey::Updated => "t.updated_at",
        SortKey::Priority => "t.priority_rank",
    };
    let (cmp, dir) = if q.desc { ("<", "desc") } else { (">", "asc") };
    match q.after {
        Some(After::Time(at, id)) => {
            from.push_str(&sql.clause(&format!(" and ({col}, t.id) {cmp} (?, "), at));
            from.push_str(&sql.clause("?)", id));
        }
        Some(After::Rank(rank, id)) => {
            from.push_str(&sql.clause(&format!(" and ({col}, t.id) {cmp} (?, "), rank));
            from.push_str(&sql.clause("?)", id));
        }
        None => {}
    }
    if !q.tags.is_empty() {
        matching.push_str(&sql.clause(" and t.tags @> ?", q.tags.clone()));
    }
    if let Some(text) = &q.q {
        // Messages the caller may not read (internal notes for a `user`) are hidden by their
        // policy, so they cannot make a ticket match. Correlated, so the planner weighs looking
        // messages up by ticket for each row tested (few rows: the first rows or the candidates)
        // against reading the tenant's matching messages once; an uncorrelated `IN` could only
        // do the latter.
        matching.push_str(&sql.clause(
            " and (t.search @@ websearch_to_tsquery(kb_regconfig(t.language), ?)
                   or exists (select from ticket_messages m
                               where m.tenant_id = $1 and m.ticket_id = t.id
                                 and m.search @@ websearch_to_tsquery(kb_regconfig(m.language), ?)))",
            text.clone(),
        ));
    }
    let order = format!(" order by {col} {dir}, t.id {dir}");
    sql.text = match read {
        // The first rows, numbered, in a subquery with its own LIMIT (the conditions outside
        // cannot be pushed into it): those that match, and the one after the last tested, which
        // says that more are left.
        Read::FirstRows => {
            let (n, limit) = (SEARCH_WALK_ROWS, q.limit + 1);
            format!(
                "select {columns}, coalesce({matching}, false) as walk_matched,
                        walk_n > {n} as walk_more
                   from (select *, row_number() over ({order}) as walk_n{from}{order}
                         limit {n} + 1) t
                  where coalesce({matching}, false) or walk_n > {n}{order} limit {limit}"
            )
        }
        _ => format!(
            "select {columns}{from} and {matching}{order} limit {}",
            q.limit
        ),
    };
    sql
}

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub id: Uuid,
    pub from_status: Option<TicketStatus>,
    pub to_status: TicketStatus,
    pub actor_id: Option<UserId>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
}

async fn add_history(
    tx: &TenantTx,
    ticket: TicketId,
    from: Option<TicketStatus>,
    to: TicketStatus,
    actor: Option<UserId>,
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
    ticket: TicketId,
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
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub role: MessageRole,
    pub author_id: Option<UserId>,
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
    pub author_id: Option<UserId>,
    pub content: &'a str,
    pub is_internal: bool,
    pub metadata: &'a Value,
    /// The content's language (detected), which its search vector is made in.
    pub language: Language,
}

pub async fn add_message(
    tx: &TenantTx,
    ticket: TicketId,
    m: &NewMessage<'_>,
) -> ApiResult<MessageRow> {
    let sql = format!(
        "insert into ticket_messages (tenant_id, ticket_id, role, author_id, content, is_internal,
                                      metadata, language)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning {MESSAGE_COLUMNS}"
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
                &m.language,
            ],
        )
        .await?;
    MessageRow::try_from(&row)
}

/// The ticket's messages in the order they were written. `with_internal = false` leaves internal
/// notes out (the `user` policy hides them anyway).
pub async fn messages(
    tx: &TenantTx,
    ticket: TicketId,
    with_internal: bool,
    after: Option<MessageId>,
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
    pub id: ExternalRefId,
    pub ticket_id: TicketId,
    pub system: String,
    pub external_id: String,
    pub url: Option<String>,
    pub metadata: Value,
    pub created_by: Option<UserId>,
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
    pub created_by: Option<UserId>,
}

pub async fn add_external_ref(
    tx: &TenantTx,
    ticket: TicketId,
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
    ticket: TicketId,
    after: Option<ExternalRefId>,
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
pub async fn delete_external_ref(
    tx: &TenantTx,
    ticket: TicketId,
    id: ExternalRefId,
) -> ApiResult<bool> {
    let n = tx
        .execute(
            "delete from ticket_external_refs where tenant_id = $1 and ticket_id = $2 and id = $3",
            &[&tx.tenant_id(), &ticket, &id],
        )
        .await?;
    Ok(n > 0)
}
