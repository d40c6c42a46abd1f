//! The maintenance job, run by the worker: usage-log partitions made a week ahead, then
//! retention (log data older than its setting dropped or deleted), then forgotten rate-limit
//! buckets. With many workers on one database only one runs it at a time, and only when it is
//! due (`maintenance_claim`: a lease row, no session state, fine behind PgBouncer).
//!
//! The job takes `now` as a parameter, so tests move the clock instead of waiting.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use tokio_util::sync::CancellationToken;

use crate::{config::UsageConfig, db::statement, error::ApiResult};

/// One log table under retention: its row in `retention_targets` (which says how: drop daily
/// partitions or delete rows) and the setting that says how many days it keeps. A new log table
/// is one line here and one row in its migration.
pub struct Target {
    pub table: &'static str,
    pub days: fn(&UsageConfig) -> u32,
}

pub const TARGETS: &[Target] = &[
    Target {
        table: "usage_log",
        days: |c| c.usage_retention_days,
    },
    Target {
        table: "audit_log",
        days: |c| c.audit_retention_days,
    },
    Target {
        table: "search_log",
        days: |c| c.search_retention_days,
    },
];

const JOB: &str = "maintenance";
/// How long a claimed run may take before another instance may run the job instead.
const LEASE_SECS: i32 = 600;
/// Rows deleted per statement (tables purged by rows, not partitions).
const DELETE_BATCH: i32 = 10_000;
/// Days of usage-log partitions made ahead.
const DAYS_AHEAD: i64 = 7;

/// What one run did, per target: (table, partitions dropped, rows deleted).
#[derive(Debug, Default)]
pub struct Report {
    pub purged: Vec<(&'static str, i32, i64)>,
}

/// Runs the job now, whether due or not: partitions ahead of `now`, retention up to `now`.
pub async fn run(pool: &Pool, c: &UsageConfig, now: DateTime<Utc>) -> ApiResult<Report> {
    let conn = pool.get().await?;
    statement::execute(
        &conn,
        "select usage_log_ensure_partitions(($1::timestamptz at time zone 'UTC')::date - 1,
                                            ($1::timestamptz at time zone 'UTC')::date + $2::int)",
        &[&now, &(DAYS_AHEAD as i32)],
    )
    .await?;
    let mut report = Report::default();
    for t in TARGETS {
        let cutoff = now - chrono::Duration::days(i64::from((t.days)(c)));
        let (mut dropped, mut deleted) = (0, 0);
        loop {
            let row = statement::query_one(
                &conn,
                "select dropped_partitions, deleted_rows from retention_purge($1, $2, $3)",
                &[&t.table, &cutoff, &DELETE_BATCH],
            )
            .await?;
            let (d, n): (i32, i64) = (row.get(0), row.get(1));
            dropped += d;
            deleted += n;
            if n < i64::from(DELETE_BATCH) {
                break;
            }
        }
        report.purged.push((t.table, dropped, deleted));
    }
    statement::execute(&conn, "select rate_buckets_purge($1)", &[&now]).await?;
    Ok(report)
}

/// Runs the job if it is due at `now` and no other instance holds it; `None` otherwise.
pub async fn run_if_due(
    pool: &Pool,
    c: &UsageConfig,
    holder: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<Report>> {
    if !claim(pool, JOB, holder, now).await? {
        return Ok(None);
    }
    let result = run(pool, c, now).await;
    // Due again after the interval; after a failure, on the next look.
    let next = match &result {
        Ok(_) => now + chrono::Duration::from_std(c.maintenance_every).unwrap_or_default(),
        Err(_) => now,
    };
    done(pool, JOB, holder, next).await?;
    result.map(Some)
}

/// Ends `holder`'s lease of `job`, which is next due at `next`.
pub async fn done(pool: &Pool, job: &str, holder: &str, next: DateTime<Utc>) -> ApiResult<()> {
    let conn = pool.get().await?;
    statement::execute(
        &conn,
        "select maintenance_done($1, $2, $3)",
        &[&job, &holder, &next],
    )
    .await?;
    Ok(())
}

/// Takes the lease of the scheduled job `job` if it is due and free.
pub async fn claim(pool: &Pool, job: &str, holder: &str, now: DateTime<Utc>) -> ApiResult<bool> {
    let conn = pool.get().await?;
    let row = statement::query_one(
        &conn,
        "select maintenance_claim($1, $2, $3, $4)",
        &[&job, &holder, &now, &LEASE_SECS],
    )
    .await?;
    Ok(row.get(0))
}

/// Looks every minute (or `MAINTENANCE_EVERY_SECS`, if shorter) whether the job is due, until
/// `stop`.
pub async fn schedule(pool: Pool, c: UsageConfig, stop: CancellationToken) {
    let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let every = c.maintenance_every.min(Duration::from_secs(60));
    loop {
        match run_if_due(&pool, &c, &holder, Utc::now()).await {
            Ok(Some(report)) => tracing::info!(?report, "maintenance job ran"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "maintenance job failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.cancelled() => return,
        }
    }
}
