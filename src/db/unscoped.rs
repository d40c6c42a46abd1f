//! Every statement that runs outside a tenant or platform transaction, as the service's login
//! role itself: the look-ups made before anyone is authenticated (a tenant's slug, a login's
//! password hash and throttle, a refresh token's tenant, an API key) and the bookkeeping of the
//! background work (claiming a job, rate-limit leases, the usage log, the maintenance job,
//! queue figures, readiness).
//!
//! The login role can read no table by itself: each of these statements calls one SECURITY
//! DEFINER function (sql/), which takes only what its caller knows and returns only what its
//! caller needs. These functions are the only ones outside [`super::tenant`] that get a pooled
//! connection; nothing else in the crate can (the pool is private to `db`), so every other
//! statement runs in a [`super::TenantTx`] or a [`super::PlatformTx`].
//!
//! ```compile_fail,E0603
//! // The connection these functions use is theirs alone.
//! async fn handler(db: &tenantdesk::db::Db) {
//!     let _conn = tenantdesk::db::unscoped::conn(db).await;
//! }
//! ```

use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Object, PoolError, TimeoutType};

use super::{Db, statement};
use crate::{
    auth::ApiKeyScope,
    error::ApiResult,
    ids::{ApiKeyId, JobId, SuperadminId, TenantId, UserId},
    ingestion::JobKind,
    repo::{Timestamp, column},
    usage::Record,
};

async fn conn(db: &Db) -> ApiResult<Object> {
    Ok(db.pool.get().await?)
}

/// Resolves a tenant's slug at login: its id and whether it is active.
pub async fn tenant_by_slug(db: &Db, slug: &str) -> ApiResult<Option<(TenantId, bool)>> {
    let sql = "select id, is_active from auth_tenant_by_slug($1)";
    Ok(statement::query_opt(&*conn(db).await?, sql, &[&slug])
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

/// A superadmin's login look-up: id, password hash, active.
pub async fn superadmin_for_login(
    db: &Db,
    email: &str,
) -> ApiResult<Option<(SuperadminId, String, bool)>> {
    let sql = "select id, password_hash, is_active from auth_superadmin_by_email($1)";
    Ok(statement::query_opt(&*conn(db).await?, sql, &[&email])
        .await?
        .map(|r| (r.get(0), r.get(1), r.get(2))))
}

/// Records a superadmin's successful login.
pub async fn superadmin_logged_in(db: &Db, id: SuperadminId) -> ApiResult<()> {
    let sql = "select auth_superadmin_login($1)";
    statement::execute(&*conn(db).await?, sql, &[&id]).await?;
    Ok(())
}

/// The tenant of a refresh token (by its hash), before anyone is authenticated.
pub async fn refresh_token_tenant(db: &Db, hash: &[u8]) -> ApiResult<Option<TenantId>> {
    let sql = "select auth_refresh_token_tenant($1)";
    Ok(statement::query_one(&*conn(db).await?, sql, &[&hash])
        .await?
        .get(0))
}

/// Seconds the caller must wait before another login attempt (0 = go ahead): `limits[i]`
/// failures of `keys[i]` within the window throttle.
pub async fn login_throttle(
    db: &Db,
    keys: &[Vec<u8>],
    limits: &[i32],
    window_secs: i64,
) -> ApiResult<i64> {
    let sql = "select auth_login_throttle($1, $2::int[], $3::int)";
    let window = window_secs as i32;
    let secs: i32 = statement::query_one(&*conn(db).await?, sql, &[&keys, &limits, &window])
        .await?
        .get(0);
    Ok(secs.into())
}

/// Counts a failed credential check against every throttle key.
pub async fn login_failed(db: &Db, keys: &[Vec<u8>]) -> ApiResult<()> {
    let sql = "select auth_login_failed($1)";
    statement::execute(&*conn(db).await?, sql, &[&keys]).await?;
    Ok(())
}

/// Clears the failures of an account after a successful credential check.
pub async fn login_succeeded(db: &Db, key: &[u8]) -> ApiResult<()> {
    let sql = "select auth_login_succeeded($1)";
    statement::execute(&*conn(db).await?, sql, &[&key]).await?;
    Ok(())
}

/// What authenticating an API key needs, looked up by its public prefix.
pub struct KeyForAuth {
    pub tenant_id: TenantId,
    pub id: ApiKeyId,
    pub key_hash: Vec<u8>,
    pub scope: ApiKeyScope,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub tenant_active: bool,
}

pub async fn api_key_for_auth(db: &Db, prefix: &str) -> ApiResult<Option<KeyForAuth>> {
    let sql =
        "select tenant_id, id, key_hash, scope, expires_at, revoked_at, last_used_at, tenant_active
           from auth_api_key($1)";
    statement::query_opt(&*conn(db).await?, sql, &[&prefix])
        .await?
        .map(|r| {
            Ok(KeyForAuth {
                tenant_id: r.get("tenant_id"),
                id: r.get("id"),
                key_hash: r.get("key_hash"),
                scope: column(&r, "scope")?,
                expires_at: r.get("expires_at"),
                revoked_at: r.get("revoked_at"),
                last_used_at: r.get("last_used_at"),
                tenant_active: r.get("tenant_active"),
            })
        })
        .transpose()
}

/// Records that an API key was used (`last_used_at`).
pub async fn api_key_used(db: &Db, tenant_id: TenantId, id: ApiKeyId) -> ApiResult<()> {
    let sql = "select auth_touch_api_key($1, $2)";
    statement::execute(&*conn(db).await?, sql, &[&tenant_id, &id]).await?;
    Ok(())
}

/// Claims one due job (pending, or running under an expired lease) of any tenant, or of
/// `tenant` only: the tenant, the job and its kind.
pub async fn claim_job(
    db: &Db,
    worker: &str,
    lease_secs: i32,
    tenant: Option<TenantId>,
) -> ApiResult<Option<(TenantId, JobId, JobKind)>> {
    let sql = "select tenant_id, job_id, kind from claim_job($1, $2, $3)";
    statement::query_opt(&*conn(db).await?, sql, &[&worker, &lease_secs, &tenant])
        .await?
        .map(|r| Ok((r.get(0), r.get(1), column(&r, 2)?)))
        .transpose()
}

/// What one rate-limit lease granted (`rate_lease`, sql/0030).
pub struct Lease {
    pub granted: i32,
    pub remaining: i32,
    pub retry_ms: i64,
    pub reset_ms: i64,
    pub rpm: i32,
    pub burst: i32,
}

/// Leases up to `want` requests of the bucket `key` (`scope` is `tenant` or `caller`).
pub async fn rate_lease(
    db: &Db,
    tenant: TenantId,
    key: &str,
    scope: &str,
    want: i32,
    (rpm, burst): (i32, i32),
) -> ApiResult<Lease> {
    let sql = "select granted, remaining, retry_ms, reset_ms, rpm, burst
                 from rate_lease($1, $2, $3, $4, $5, $6)";
    let params: [&dyn statement::Param; 6] = [&tenant, &key, &scope, &want, &rpm, &burst];
    let r = statement::query_one(&*conn(db).await?, sql, &params).await?;
    Ok(Lease {
        granted: r.get(0),
        remaining: r.get(1),
        retry_ms: r.get(2),
        reset_ms: r.get(3),
        rpm: r.get(4),
        burst: r.get(5),
    })
}

/// Appends a batch of usage rows. An `anyhow` error, so the writer's log line keeps the cause.
pub async fn usage_log_append(db: &Db, rows: &[Record]) -> anyhow::Result<()> {
    let conn = db.pool.get().await?;
    let col = |f: fn(&Record) -> String| rows.iter().map(f).collect::<Vec<_>>();
    let tenants: Vec<TenantId> = rows.iter().map(|r| r.tenant_id).collect();
    let at: Vec<DateTime<Utc>> = rows.iter().map(|r| r.at).collect();
    let keys: Vec<Option<ApiKeyId>> = rows.iter().map(|r| r.api_key_id).collect();
    let users: Vec<Option<UserId>> = rows.iter().map(|r| r.user_id).collect();
    let status: Vec<i32> = rows.iter().map(|r| i32::from(r.status)).collect();
    let latency: Vec<i32> = rows.iter().map(|r| r.latency_us).collect();
    let req_bytes: Vec<i64> = rows.iter().map(|r| r.request_bytes).collect();
    let resp_bytes: Vec<i64> = rows.iter().map(|r| r.response_bytes).collect();
    statement::query_one(
        &conn,
        "select usage_log_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &tenants,
            &at,
            &col(|r| r.request_id.clone()),
            &keys,
            &users,
            &col(|r| r.method.clone()),
            &col(|r| r.route.to_string()),
            &status,
            &latency,
            &req_bytes,
            &resp_bytes,
        ],
    )
    .await?;
    Ok(())
}

/// Makes the usage log's daily partitions from the day before `now` to `days_ahead` after it.
pub async fn usage_log_ensure_partitions(
    db: &Db,
    now: DateTime<Utc>,
    days_ahead: i32,
) -> ApiResult<()> {
    statement::execute(
        &*conn(db).await?,
        "select usage_log_ensure_partitions(($1::timestamptz at time zone 'UTC')::date - 1,
                                            ($1::timestamptz at time zone 'UTC')::date + $2::int)",
        &[&now, &days_ahead],
    )
    .await?;
    Ok(())
}

/// One retention step of `table`: partitions dropped and rows deleted (at most `batch`) older
/// than `cutoff`.
pub async fn retention_purge(
    db: &Db,
    table: &str,
    cutoff: DateTime<Utc>,
    batch: i32,
) -> ApiResult<(i32, i64)> {
    let sql = "select dropped_partitions, deleted_rows from retention_purge($1, $2, $3)";
    let r = statement::query_one(&*conn(db).await?, sql, &[&table, &cutoff, &batch]).await?;
    Ok((r.get(0), r.get(1)))
}

/// Forgets rate-limit buckets that are full again by `now`.
pub async fn rate_buckets_purge(db: &Db, now: DateTime<Utc>) -> ApiResult<()> {
    let sql = "select rate_buckets_purge($1)";
    statement::execute(&*conn(db).await?, sql, &[&now]).await?;
    Ok(())
}

/// Takes the lease of the scheduled job `job` if it is due at `now` and free.
pub async fn maintenance_claim(
    db: &Db,
    job: &str,
    holder: &str,
    now: DateTime<Utc>,
    lease_secs: i32,
) -> ApiResult<bool> {
    let sql = "select maintenance_claim($1, $2, $3, $4)";
    let r =
        statement::query_one(&*conn(db).await?, sql, &[&job, &holder, &now, &lease_secs]).await?;
    Ok(r.get(0))
}

/// Ends `holder`'s lease of `job`, which is next due at `next`.
pub async fn maintenance_done(
    db: &Db,
    job: &str,
    holder: &str,
    next: DateTime<Utc>,
) -> ApiResult<()> {
    let sql = "select maintenance_done($1, $2, $3)";
    statement::execute(&*conn(db).await?, sql, &[&job, &holder, &next]).await?;
    Ok(())
}

/// Ingestion jobs due now, and how long the oldest of them has been due (seconds).
pub async fn ingestion_queue_stats(db: &Db) -> ApiResult<(i64, f64)> {
    let sql = "select due, oldest_due_secs from ingestion_queue_stats()";
    let r = statement::query_one(&*conn(db).await?, sql, &[]).await?;
    Ok((r.get(0), r.get(1)))
}

/// What readiness learned of the database.
pub enum Migrations {
    /// No pooled connection came free within the wait: every one is serving a request.
    Busy,
    /// No connection could be made.
    Unreachable(PoolError),
    /// How many of this binary's migrations the database lacks, or why that is unknown.
    Checked(anyhow::Result<usize>),
}

/// Compares the database's applied migrations with this binary's, waiting at most `wait` (or
/// the pool's own wait, if shorter) for a connection.
pub async fn pending_migrations(db: &Db, wait: Duration) -> Migrations {
    let mut timeouts = db.pool.timeouts();
    timeouts.wait = Some(timeouts.wait.map_or(wait, |w| w.min(wait)));
    match db.pool.timeout_get(&timeouts).await {
        Ok(conn) => {
            Migrations::Checked(super::migrate::pending(&conn, &super::migrate::embedded()).await)
        }
        Err(PoolError::Timeout(TimeoutType::Wait)) => Migrations::Busy,
        Err(e) => Migrations::Unreachable(e),
    }
}
