//! The tenant boundary. This module is the only place that sets the database role and the
//! `app.*` settings the row-level-security policies read, and it does so transaction-locally:
//! `BEGIN; SELECT set_config('role', …, true), set_config('app.tenant_id', …, true), …` in one
//! round trip, then the work, then `COMMIT` (a read, [`Db::tenant_read`], sends BEGIN, the
//! settings, its statement and COMMIT together, one round trip per statement). Nothing survives
//! into the next checkout of the pooled connection, and every statement is unnamed
//! ([`super::statement`]), so the scheme is also correct behind PgBouncer in transaction mode
//! (`make test` runs part of the suite through one).
//!
//! Repository functions take `&TenantTx` (or `&PlatformTx`), which only this module can make, so
//! no tenant query can run without the setting.

use std::{ops::Deref, sync::Mutex};

use deadpool_postgres::{Object, Pool};
use tokio_postgres::{Row, SimpleQueryMessage, SimpleQueryRow};
use uuid::Uuid;

use super::statement::{self, Param};
use crate::{
    auth::PlatformAccess,
    error::{ApiError, ApiResult, ProblemCode},
    ids::{ApiKeyId, SuperadminId, TenantId, UserId},
};

/// The database role tenant requests run as; its policies read `app.tenant_id`.
const TENANT_DB_ROLE: &str = "tenantdesk_tenant";
/// The database role superadmin requests run as; it has its own explicit policies.
const PLATFORM_DB_ROLE: &str = "tenantdesk_platform";

/// A user's role inside their tenant (`users.role`), in increasing power.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    User,
    Agent,
    Admin,
}

super::text_enum!(Role);

/// What a superadmin does inside a tenant is written to the audit log in the same transaction.
#[derive(Clone, Debug)]
pub struct AuditCtx {
    pub actor_id: SuperadminId,
    pub action: String,
    pub target: String,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

/// What the status check needs of an access token: its id (revoked one by one at logout) and
/// its session version (all of a user's tokens end when `users.session_version` moves on).
#[derive(Clone, Copy, Debug)]
pub struct AccessToken {
    pub jti: Uuid,
    pub ver: i32,
}

/// Who a tenant transaction acts for. Its fields are private: a scope is made by one of the
/// named constructors below, so every way of acting in a tenant is listed here.
#[derive(Clone, Debug)]
pub struct Scope {
    tenant_id: TenantId,
    user_id: Option<UserId>,
    role: Role,
    /// The access token the request came with, checked against revocations.
    token: Option<AccessToken>,
    /// The API key the request came with (for the audit log).
    api_key_id: Option<ApiKeyId>,
    audit: Option<AuditCtx>,
}

impl Scope {
    /// The login and refresh flows before a user is known: no user, the least-privileged role.
    pub fn anonymous(tenant_id: TenantId) -> Self {
        Self::user_less(tenant_id, Role::User)
    }

    /// The background worker acting on a job of `tenant_id`: an agent with no user.
    pub fn worker(tenant_id: TenantId) -> Self {
        Self::user_less(tenant_id, Role::Agent)
    }

    /// A user of the tenant acting outside a request (tools and tests). The transaction checks
    /// it like any other: the user must exist in this tenant, be active and have this role.
    pub fn user(tenant_id: TenantId, user_id: UserId, role: Role) -> Self {
        Self {
            user_id: Some(user_id),
            ..Self::user_less(tenant_id, role)
        }
    }

    /// An authenticated caller (`crate::auth::Principal::scope`, the one caller): a user with
    /// their access token, an API key, or a superadmin acting in the tenant (audited).
    pub(crate) fn caller(
        tenant_id: TenantId,
        user_id: Option<UserId>,
        role: Role,
        token: Option<AccessToken>,
        api_key_id: Option<ApiKeyId>,
        audit: Option<AuditCtx>,
    ) -> Self {
        Self {
            tenant_id,
            user_id,
            role,
            token,
            api_key_id,
            audit,
        }
    }

    fn user_less(tenant_id: TenantId, role: Role) -> Self {
        Self::caller(tenant_id, None, role, None, None, None)
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }
}

/// A transaction on a pooled connection. If it is dropped without COMMIT or ROLLBACK (a panic,
/// or the client went away and the request future was dropped) the connection is detached from
/// the pool and closed, so an open transaction can never be handed to the next request.
///
/// A read ([`Db::tenant_read`]) is a sequence of such transactions, one per statement, each sent
/// in one round trip with its statement and COMMIT; between them the connection is in none.
pub struct Tx {
    conn: Option<Object>,
    /// When BEGIN was sent (`db_transaction_duration_seconds`).
    started: std::time::Instant,
    /// Set for a read: how each of its statements is scoped.
    read: Option<Read>,
}

/// The statement that opens a transaction: BEGIN and the scope's settings (`scope`), then a
/// status query (`status`) whose row `check` judges.
struct Opening {
    scope: String,
    status: String,
    check: Check,
}

impl Opening {
    fn sql(&self) -> String {
        format!("{}; {}", self.scope, self.status)
    }
}

/// Whether the status row lets the caller in.
enum Check {
    /// A tenant's caller: with a user, the role the caller claims (a token's).
    Tenant {
        user: bool,
        role: Role,
    },
    Platform,
    /// The login look-up, before any caller is known.
    Nothing,
}

impl Check {
    fn run(&self, status: &[Option<String>]) -> ApiResult<()> {
        match self {
            Check::Tenant { user, role } => check_tenant_status(status, *user, *role),
            Check::Platform => match status.first().cloned().flatten().as_deref() {
                Some("t") => Ok(()),
                _ => Err(ApiError::unauthorized("superadmin account is not active")),
            },
            Check::Nothing => Ok(()),
        }
    }
}

/// How the statements of a read are scoped: each is sent as `scope` (BEGIN READ ONLY and the
/// settings), the settings of [`Tx::set_local`] so far, the statement, COMMIT, in one round
/// trip. The first also carries the status query, and its rows are handed out only once the
/// check has passed; a refused check stays pending, so every later statement is refused too.
struct Read {
    scope: String,
    /// The status query and its check, until a statement's check passed.
    check: Mutex<Option<(String, Check)>>,
    /// `; SELECT set_config(…)` for each [`Tx::set_local`] so far.
    settings: Mutex<String>,
}

impl Read {
    /// The opening of the read's next statement — its scope, the settings so far and, until a
    /// check has passed, the status query — with that check, taken out (the caller puts it back
    /// unless it passes).
    fn open(&self) -> (Option<(String, Check)>, String) {
        let check = self.check.lock().expect("check lock").take();
        let mut opening = self.scope.clone();
        opening.push_str(&self.settings.lock().expect("settings lock"));
        if let Some((status, _)) = &check {
            opening.push_str("; ");
            opening.push_str(status);
        }
        (check, opening)
    }

    /// Puts a check taken by [`Read::open`] back: it did not pass, so the next statement (or
    /// the end of the read) runs it again.
    fn keep_pending(&self, check: Option<(String, Check)>) {
        if let Some(pending) = check {
            *self.check.lock().expect("check lock") = Some(pending);
        }
    }
}

impl Tx {
    async fn connect(pool: &Pool, read: Option<Read>) -> ApiResult<Self> {
        let waiting = std::time::Instant::now();
        let conn = pool.get().await;
        metrics::histogram!("db_pool_wait_seconds").record(waiting.elapsed().as_secs_f64());
        Ok(Tx {
            conn: Some(conn?),
            started: std::time::Instant::now(),
            read,
        })
    }

    /// Opens the transaction now: sends `opening` in one round trip and checks its status row
    /// (a refused caller's transaction is rolled back).
    async fn begin(pool: &Pool, opening: Opening) -> ApiResult<Self> {
        let tx = Self::connect(pool, None).await?;
        let status = tx
            .client()
            .simple_query(&opening.sql())
            .await
            .map(status_row);
        match status
            .map_err(ApiError::from)
            .and_then(|s| opening.check.run(&s))
        {
            Ok(()) => Ok(tx),
            Err(e) => {
                let _ = tx.finish("ROLLBACK").await;
                Err(e)
            }
        }
    }

    /// A read: nothing is sent until its first statement (see [`Read`]).
    async fn begin_read(pool: &Pool, opening: Opening) -> ApiResult<Self> {
        let read = Read {
            scope: opening.scope,
            check: Mutex::new(Some((opening.status, opening.check))),
            settings: Mutex::new(String::new()),
        };
        Self::connect(pool, Some(read)).await
    }

    fn client(&self) -> &Object {
        self.conn.as_ref().expect("transaction already finished")
    }

    /// Runs one statement; in a read, inside its own transaction (see [`Read`]). The requests
    /// are queued on the connection in the order they are polled, which `join3` does in its
    /// arguments' order, and tokio-postgres sends queued requests without waiting for answers.
    async fn run<R>(
        &self,
        statement: impl Future<Output = Result<R, tokio_postgres::Error>>,
    ) -> ApiResult<R> {
        let Some(read) = &self.read else {
            return Ok(statement.await?);
        };
        let (check, opening) = read.open();
        let client = self.client();
        let (opened, result, committed) = futures_util::future::join3(
            client.simple_query(&opening),
            statement,
            client.batch_execute("COMMIT"),
        )
        .await;
        // Until a check has passed, any failure of the opening leaves it pending for the next
        // statement: no later statement's rows are handed out unchecked.
        let verdict = opened
            .map_err(ApiError::from)
            .and_then(|rows| match &check {
                Some((_, check)) => check.run(&status_row(rows)),
                None => Ok(()),
            });
        if let Err(e) = verdict {
            read.keep_pending(check);
            return Err(e);
        }
        let result = result?;
        committed?;
        Ok(result)
    }

    /// Checks a read's caller if none of its statements has (a read that ran none).
    async fn checked(&self) -> ApiResult<()> {
        match &self.read {
            Some(read) if read.check.lock().expect("check lock").is_some() => {
                self.run(std::future::ready(Ok(()))).await
            }
            _ => Ok(()),
        }
    }

    // Unnamed statements, one round trip each (see `super::statement` for why not prepared ones).
    pub async fn query(&self, sql: &str, params: &[&dyn Param]) -> ApiResult<Vec<Row>> {
        self.run(statement::query(self.client(), sql, params)).await
    }

    pub async fn query_opt(&self, sql: &str, params: &[&dyn Param]) -> ApiResult<Option<Row>> {
        self.run(statement::query_opt(self.client(), sql, params))
            .await
    }

    pub async fn query_one(&self, sql: &str, params: &[&dyn Param]) -> ApiResult<Row> {
        self.run(statement::query_one(self.client(), sql, params))
            .await
    }

    /// Runs `sql`, a statement whose values are written into it ([`statement::inline`]: typed
    /// values only), in the simple protocol, and returns its rows as text. In a read, the
    /// opening, the statement and COMMIT go as one query string, so PostgreSQL answers once
    /// (where [`Tx::query`] gets three answers: the opening, the extended protocol's statement
    /// and COMMIT each end with their own), and parses and plans the statement without the
    /// extended protocol's plan-cache bookkeeping. Its caller check is the one of [`Tx::query`]:
    /// the rows are handed out only once it passed. Columns whose type has no plain text form
    /// are selected as JSON (see [`crate::repo::FromText`]).
    pub async fn query_text(&self, sql: &str) -> ApiResult<Vec<SimpleQueryRow>> {
        // One statement: the answer is read by position (the status query's result, then the
        // statement's), which a second statement would shift. No literal holds a `;`.
        if sql.contains(';') {
            return Err(ApiError::internal(anyhow::anyhow!(
                "query_text takes one statement: {sql}"
            )));
        }
        let client = self.client();
        let Some(read) = &self.read else {
            return Ok(per_statement(client.simple_query(sql).await?)
                .pop()
                .unwrap_or_default());
        };
        let (check, mut text) = read.open();
        text.push_str("; ");
        text.push_str(sql);
        text.push_str("; COMMIT");
        let mut results = match client.simple_query(&text).await {
            Ok(messages) => per_statement(messages),
            Err(e) => {
                // PostgreSQL skipped the rest of the string, COMMIT included: the transaction
                // is left failed, and is rolled back before the connection goes back. The
                // check stays pending, as after a failed opening in `run`.
                read.keep_pending(check);
                if client.batch_execute("ROLLBACK").await.is_err() {
                    tracing::warn!("ROLLBACK after a failed read did not answer");
                }
                return Err(e.into());
            }
        };
        // One result per statement: …, the status query's (when checked), the statement's,
        // COMMIT's.
        results.pop();
        let rows = results.pop().unwrap_or_default();
        if let Some((_, c)) = &check
            && let Err(e) = c.run(&status_values(&results.pop().unwrap_or_default()))
        {
            read.keep_pending(check);
            return Err(e);
        }
        Ok(rows)
    }

    pub async fn execute(&self, sql: &str, params: &[&dyn Param]) -> ApiResult<u64> {
        self.run(statement::execute(self.client(), sql, params))
            .await
    }

    /// Sets planner or index settings for the rest of this transaction, all in one round trip
    /// (in a read: for its later statements, sent in front of each, no round trip now).
    /// Only `hnsw.*` (pgvector's search settings) and `plan_cache_mode`: role and `app.*` are set
    /// by this module alone, when the transaction begins.
    pub async fn set_local(&self, settings: &[(&'static str, &str)]) -> ApiResult<()> {
        assert!(
            settings
                .iter()
                .all(|(name, _)| name.starts_with("hnsw.") || *name == "plan_cache_mode"),
            "set_local is only for hnsw.* settings and plan_cache_mode"
        );
        if let Some(read) = &self.read {
            // Written into the read's opening as literals, by the one rule for values written
            // into a statement (`statement::literal`); a value it refuses is an error here.
            let mut calls = String::new();
            for (name, value) in settings {
                let text = tokio_postgres::types::Type::TEXT;
                let (Some(name), Some(value)) = (
                    statement::literal(name, &text),
                    statement::literal(value, &text),
                ) else {
                    return Err(ApiError::internal(anyhow::anyhow!(
                        "set_local: {name} = {value:?} cannot be written as a literal"
                    )));
                };
                calls.push_str(&format!("; SELECT set_config({name}, {value}, true)"));
            }
            read.settings
                .lock()
                .expect("settings lock")
                .push_str(&calls);
            return Ok(());
        }
        let calls: Vec<String> = (0..settings.len())
            .map(|i| format!("set_config(${}, ${}, true)", 2 * i + 1, 2 * i + 2))
            .collect();
        let params: Vec<&dyn Param> = settings
            .iter()
            .flat_map(|(name, value)| [name as &dyn Param, value as &dyn Param])
            .collect();
        self.execute(&format!("select {}", calls.join(", ")), &params)
            .await?;
        Ok(())
    }

    async fn finish(mut self, sql: &str) -> ApiResult<()> {
        let conn = self.conn.take().expect("transaction already finished");
        let outcome = if sql == "COMMIT" {
            "commit"
        } else {
            "rollback"
        };
        // A read's statements each committed their own transaction: none is open now.
        let result = match self.read {
            Some(_) => Ok(()),
            None => conn.batch_execute(sql).await,
        };
        metrics::histogram!("db_transaction_duration_seconds", "outcome" => outcome)
            .record(self.started.elapsed().as_secs_f64());
        match result {
            Ok(()) => Ok(()),
            Err(e) => {
                // The state of this connection is unknown: do not return it to the pool.
                let _ = Object::take(conn);
                Err(e.into())
            }
        }
    }

    async fn commit(self) -> ApiResult<()> {
        self.settle(Ok(())).await
    }

    /// COMMIT after success, ROLLBACK after an error (whose error is the one returned). A read
    /// that ran no statement has its caller checked first, and that check's refusal wins.
    async fn settle<T>(self, result: ApiResult<T>) -> ApiResult<T> {
        let result = match self.checked().await {
            Ok(()) => result,
            Err(e) => Err(e),
        };
        match result {
            Ok(v) => self.finish("COMMIT").await.map(|()| v),
            Err(e) => {
                let _ = self.finish("ROLLBACK").await;
                Err(e)
            }
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            metrics::histogram!("db_transaction_duration_seconds", "outcome" => "abandoned")
                .record(self.started.elapsed().as_secs_f64());
            drop(Object::take(conn));
        }
    }
}

/// A transaction scoped to one tenant: role `tenantdesk_tenant`, `app.tenant_id`, `app.user_id`
/// and `app.role` set for this transaction only.
pub struct TenantTx {
    tx: Tx,
    scope: Scope,
}

impl TenantTx {
    pub fn tenant_id(&self) -> TenantId {
        self.scope.tenant_id
    }

    pub fn user_id(&self) -> Option<UserId> {
        self.scope.user_id
    }

    pub fn role(&self) -> Role {
        self.scope.role
    }

    /// Who acts in this transaction, for the audit log: (user, API key, superadmin).
    pub fn actor(&self) -> (Option<UserId>, Option<ApiKeyId>, Option<SuperadminId>) {
        let s = &self.scope;
        (
            s.user_id,
            s.api_key_id,
            s.audit.as_ref().map(|a| a.actor_id),
        )
    }
}

impl Deref for TenantTx {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        &self.tx
    }
}

/// A transaction of the platform (superadmin) role. Only a verified superadmin principal, or the
/// `create-superadmin` command, can obtain one.
pub struct PlatformTx {
    tx: Tx,
}

impl Deref for PlatformTx {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        &self.tx
    }
}

/// The last row of a simple query's answer (the status query's), as text values.
fn status_row(messages: Vec<SimpleQueryMessage>) -> Vec<Option<String>> {
    let rows: Vec<SimpleQueryRow> = per_statement(messages).into_iter().flatten().collect();
    status_values(&rows)
}

/// The values of the last of `rows`.
fn status_values(rows: &[SimpleQueryRow]) -> Vec<Option<String>> {
    rows.last()
        .map(|r| (0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
        .unwrap_or_default()
}

/// A simple query's answer split per statement: each statement's rows, in order.
fn per_statement(messages: Vec<SimpleQueryMessage>) -> Vec<Vec<SimpleQueryRow>> {
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for m in messages {
        match m {
            SimpleQueryMessage::Row(r) => rows.push(r),
            SimpleQueryMessage::CommandComplete(_) => out.push(std::mem::take(&mut rows)),
            _ => {}
        }
    }
    out
}

/// How a transaction begins: `BEGIN`, or `BEGIN READ ONLY` for [`Db::tenant_read`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadWrite,
    ReadOnly,
}

/// BEGIN and the settings that scope a transaction. Every interpolated value is a UUID or one
/// of the fixed role names above, so nothing a client sends reaches this text.
fn scope_sql(
    access: Access,
    db_role: &str,
    tenant: Option<TenantId>,
    user: Option<Uuid>,
    role: &str,
) -> String {
    let opt = |u: Option<Uuid>| u.map(|u| u.to_string()).unwrap_or_default();
    let begin = match access {
        Access::ReadWrite => "BEGIN",
        Access::ReadOnly => "BEGIN READ ONLY",
    };
    format!(
        "{begin}; SELECT set_config('role', '{db_role}', true), \
         set_config('app.tenant_id', '{}', true), \
         set_config('app.user_id', '{}', true), \
         set_config('app.role', '{role}', true)",
        opt(tenant.map(Uuid::from)),
        opt(user)
    )
}

/// Whether the tenant is active, the user active, the access token revoked, and the user's
/// current role, in one row. Runs under the tenant role, so it can only see the caller's own
/// tenant. Every interpolated value is a UUID or an integer.
fn tenant_status_sql(scope: &Scope) -> String {
    let t = scope.tenant_id;
    let Some(u) = scope.user_id else {
        return format!(
            "SELECT (SELECT is_active FROM tenants WHERE id = '{t}'), true, false, NULL"
        );
    };
    let revoked = match scope.token {
        Some(AccessToken { jti, ver }) => format!(
            "(u.session_version <> {ver} \
             OR EXISTS (SELECT 1 FROM revoked_tokens WHERE tenant_id = '{t}' AND jti = '{jti}'))"
        ),
        None => "false".into(),
    };
    format!(
        "SELECT tn.is_active, u.is_active, coalesce({revoked}, false), u.role \
           FROM (SELECT 1) one \
           LEFT JOIN tenants tn ON tn.id = '{t}' \
           LEFT JOIN users u ON u.tenant_id = '{t}' AND u.id = '{u}'"
    )
}

/// The opening of a platform transaction: the superadmin must still be active (the
/// `create-superadmin` command acts as none).
fn platform_opening(access: &PlatformAccess, access_mode: Access) -> Opening {
    let status = match access.superadmin_id() {
        Some(id) => format!("SELECT (SELECT is_active FROM superadmins WHERE id = '{id}')"),
        None => "SELECT true".into(),
    };
    let scope = scope_sql(
        access_mode,
        PLATFORM_DB_ROLE,
        None,
        access.superadmin_id().map(Uuid::from),
        "superadmin",
    );
    Opening {
        scope,
        status,
        check: Check::Platform,
    }
}

/// The opening of a transaction in `scope`'s tenant, checked by [`check_tenant_status`].
fn tenant_opening(scope: &Scope, access: Access) -> Opening {
    Opening {
        scope: scope_sql(
            access,
            TENANT_DB_ROLE,
            Some(scope.tenant_id),
            scope.user_id.map(Uuid::from),
            scope.role.as_str(),
        ),
        status: tenant_status_sql(scope),
        check: Check::Tenant {
            user: scope.user_id.is_some(),
            role: scope.role,
        },
    }
}

fn check_tenant_status(status: &[Option<String>], user: bool, role: Role) -> ApiResult<()> {
    let flag = |i: usize| status.get(i).cloned().flatten();
    match flag(0).as_deref() {
        None => return Err(ApiError::not_found("tenant")),
        Some("f") => return Err(crate::auth::tenant_inactive()),
        _ => {}
    }
    match flag(1).as_deref() {
        None => return Err(ApiError::unauthorized("the user no longer exists")),
        Some("f") => {
            return Err(ApiError::forbidden(
                ProblemCode::UserInactive,
                "this user is deactivated",
            ));
        }
        _ => {}
    }
    if flag(2).as_deref() == Some("t") {
        return Err(ApiError::unauthorized("access token revoked"));
    }
    // A token carries the role the user had when it was issued: once an admin changes it, the
    // old token stops (a refresh issues the current role), so a demoted admin keeps nothing.
    if user && flag(3).as_deref() != Some(role.as_str()) {
        return Err(ApiError::unauthorized(
            "the user's role has changed; refresh the access token",
        ));
    }
    Ok(())
}

const INSERT_AUDIT: &str =
    "insert into audit_log (tenant_id, actor_superadmin_id, action, target, request_id, ip)
     values ($1, $2, $3, $4, $5, $6)";

/// The service's database: the only way to it is a transaction of this module
/// ([`Db::tenant`], [`Db::platform`]) or one of the fixed look-ups of [`super::unscoped`]. The
/// pool is private to `db`, so no other code can get a connection of its own.
///
/// ```compile_fail,E0616
/// // A handler has the `Db` of the application state, and cannot reach its pool.
/// fn handler(db: &tenantdesk::db::Db) {
///     let _pool = &db.pool;
/// }
/// ```
///
/// ```compile_fail,E0599
/// // Nor is there a method that hands the pool (or a connection) out.
/// fn handler(db: &tenantdesk::db::Db) {
///     let _pool = db.pool();
/// }
/// ```
///
/// What it can do is open a tenant transaction for a scope, and run SQL in it:
///
/// ```no_run
/// use tenantdesk::db::{Db, Scope};
/// async fn handler(db: &Db, scope: &Scope) -> tenantdesk::error::ApiResult<u64> {
///     db.tenant(scope, async |tx| tx.execute("select 1", &[]).await).await
/// }
/// ```
#[derive(Clone)]
pub struct Db {
    pub(super) pool: Pool,
}

impl Db {
    /// The database of a pool the caller made (`super::pool`; tests make their own), which from
    /// here on is reached only through this type.
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// A pool of `size` connections of the login role at `url`; one connection is made at once,
    /// so a wrong URL or password fails here rather than on the first request.
    pub async fn connect(
        url: &str,
        size: usize,
        wait: std::time::Duration,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;
        let pool = super::pool(url, size, wait)?;
        drop(pool.get().await.context("connecting with DATABASE_URL")?);
        Ok(Self { pool })
    }

    /// The pool's connections, idle ones and waiters (`/metrics`).
    pub fn pool_status(&self) -> deadpool_postgres::Status {
        self.pool.status()
    }

    /// Opens a tenant transaction. Prefer [`Db::tenant`], which also commits.
    pub async fn begin_tenant(&self, scope: &Scope) -> ApiResult<TenantTx> {
        let tx = Tx::begin(&self.pool, tenant_opening(scope, Access::ReadWrite)).await?;
        let tx = TenantTx {
            tx,
            scope: scope.clone(),
        };
        if let Some(a) = &scope.audit {
            tx.execute(
                INSERT_AUDIT,
                &[
                    &scope.tenant_id,
                    &a.actor_id,
                    &a.action,
                    &a.target,
                    &a.request_id,
                    &a.ip,
                ],
            )
            .await?;
        }
        Ok(tx)
    }

    /// Runs `f` in a tenant transaction: COMMIT when it returns Ok, ROLLBACK when it returns Err.
    pub async fn tenant<T>(
        &self,
        scope: &Scope,
        f: impl AsyncFnOnce(&mut TenantTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let mut tx = self.begin_tenant(scope).await?;
        let result = f(&mut tx).await;
        tx.tx.settle(result).await
    }

    /// Runs `f`, which only reads, as a read: each of its statements in a read-only tenant
    /// transaction of its own, sent in one round trip with BEGIN, the scope and COMMIT (where
    /// [`Db::tenant`] spends one on BEGIN and one on COMMIT besides). The first statement also
    /// carries the caller's check, and its rows reach `f` only once that check has passed (a
    /// refused caller gets the check's error, and so does every later statement); a read that
    /// runs no statement is checked when it ends. So:
    /// - `f` must not do anything but reads before its first statement: nothing else waits for
    ///   the check;
    /// - each statement sees its own snapshot (as two statements of one READ COMMITTED
    ///   transaction do anyway) and its own `now()`;
    /// - a write fails (`BEGIN READ ONLY`).
    ///
    /// A superadmin's transaction in a tenant writes its audit row first, so it is opened as
    /// [`Db::tenant`] opens one.
    pub async fn tenant_read<T>(
        &self,
        scope: &Scope,
        f: impl AsyncFnOnce(&mut TenantTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        if scope.audit.is_some() {
            return self.tenant(scope, f).await;
        }
        let opening = tenant_opening(scope, Access::ReadOnly);
        let mut tx = TenantTx {
            tx: Tx::begin_read(&self.pool, opening).await?,
            scope: scope.clone(),
        };
        let result = f(&mut tx).await;
        tx.tx.settle(result).await
    }

    /// The login look-up: a tenant transaction with no user that, unlike [`Db::tenant`], does not
    /// refuse a deactivated tenant, so login checks the password first and only then answers
    /// `tenant_inactive` (a wrong password learns nothing about the tenant).
    pub async fn tenant_for_login<T>(
        &self,
        tenant_id: TenantId,
        f: impl AsyncFnOnce(&mut TenantTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let scope = Scope::anonymous(tenant_id);
        let opening = Opening {
            scope: scope_sql(
                Access::ReadWrite,
                TENANT_DB_ROLE,
                Some(tenant_id),
                None,
                scope.role.as_str(),
            ),
            status: "SELECT true".into(),
            check: Check::Nothing,
        };
        let tx = Tx::begin(&self.pool, opening).await?;
        let mut tx = TenantTx { tx, scope };
        let result = f(&mut tx).await;
        tx.tx.settle(result).await
    }

    /// Runs `f` in a platform transaction (superadmins only).
    pub async fn platform<T>(
        &self,
        access: &PlatformAccess,
        f: impl AsyncFnOnce(&mut PlatformTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.platform_as(access, Access::ReadWrite, f).await
    }

    /// [`Db::platform`] for `f` that only reads: a read as [`Db::tenant_read`] makes one (whose
    /// rules `f` follows), in the platform's scope.
    pub async fn platform_read<T>(
        &self,
        access: &PlatformAccess,
        f: impl AsyncFnOnce(&mut PlatformTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.platform_as(access, Access::ReadOnly, f).await
    }

    async fn platform_as<T>(
        &self,
        access: &PlatformAccess,
        mode: Access,
        f: impl AsyncFnOnce(&mut PlatformTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let opening = platform_opening(access, mode);
        let tx = match mode {
            Access::ReadWrite => Tx::begin(&self.pool, opening).await?,
            Access::ReadOnly => Tx::begin_read(&self.pool, opening).await?,
        };
        let mut tx = PlatformTx { tx };
        let result = f(&mut tx).await;
        tx.tx.settle(result).await
    }

    /// Commits a transaction opened with [`Db::begin_tenant`].
    pub async fn commit(tx: TenantTx) -> ApiResult<()> {
        tx.tx.commit().await
    }
}
