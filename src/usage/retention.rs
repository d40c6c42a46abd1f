//! The maintenance job, run by the worker: usage-log partitions made a week ahead, then
//! retention (log data older than its setting dropped or deleted), then forgotten rate-limit
//! buckets. With many workers on one database only one runs it at a time, and only when it is
//! due (`maintenance_claim`: a lease row, no session state, fine behind PgBouncer).
//!
//! The job takes `now` as a parameter, so tests move the clock instead of waiting.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::{
    config::UsageConfig,
    db::{Db, unscoped},
    error::ApiResult,
};

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
    Target {
        table: "assistant_query_logs",
        days: |c| c.query_log_retention_days,
    },
];

const JOB: &str = "maintenance";
/// How long a claimed run may take before another instance may run the job instead.
const LEASE_SECS: i32 = 600;
/// Rows deleted per statement (tables purged by rows, not partitions).
const DELETE_BATCH: i32 = 10_000;
/// Days of usage-log partitions made ahead.
const DAYS_AHEAD: i32 = 7;

/// What one run did, per target: (table, partitions dropped, rows deleted).
#[derive(Debug, Default)]
pub struct Report {
    pub purged: Vec<(&'static str, i32, i64)>,
}

/// Runs the job now, whether due or not: partitions ahead of `now`, retention up to `now`.
pub async fn run(db: &Db, c: &UsageConfig, now: DateTime<Utc>) -> ApiResult<Report> {
    unscoped::usage_log_ensure_partitions(db, now, DAYS_AHEAD).await?;
    let mut report = Report::default();
    for t in TARGETS {
        let cutoff = now - chrono::Duration::days(i64::from((t.days)(c)));
        let (mut dropped, mut deleted) = (0, 0);
        loop {
            let (d, n) = unscoped::retention_purge(db, t.table, cutoff, DELETE_BATCH).await?;
            dropped += d;
            deleted += n;
            if n < i64::from(DELETE_BATCH) {
                break;
            }
        }
        report.purged.push((t.table, dropped, deleted));
    }
    unscoped::rate_buckets_purge(db, now).await?;
    Ok(report)
}

/// Runs the job if it is due at `now` and no other instance holds it; `None` otherwise.
pub async fn run_if_due(
    db: &Db,
    c: &UsageConfig,
    holder: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<Report>> {
    if !claim(db, JOB, holder, now).await? {
        return Ok(None);
    }
    let result = run(db, c, now).await;
    // Due again after the interval; after a failure, on the next look.
    let next = match &result {
        Ok(_) => now + chrono::Duration::from_std(c.maintenance_every).unwrap_or_default(),
        Err(_) => now,
    };
    done(db, JOB, holder, next).await?;
    result.map(Some)
}

/// Ends `holder`'s lease of `job`, which is next due at `next`.
pub async fn done(db: &Db, job: &str, holder: &str, next: DateTime<Utc>) -> ApiResult<()> {
    unscoped::maintenance_done(db, job, holder, next).await
}

/// Takes the lease of the scheduled job `job` if it is due and free.
pub async fn claim(db: &Db, job: &str, holder: &str, now: DateTime<Utc>) -> ApiResult<bool> {
    unscoped::maintenance_claim(db, job, holder, now, LEASE_SECS).await
}

/// Looks every minute (or `MAINTENANCE_EVERY_SECS`, if shorter) whether the job is due, until
/// `stop`.
pub async fn schedule(db: Db, c: UsageConfig, stop: CancellationToken) {
    let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let every = c.maintenance_every.min(Duration::from_secs(60));
    loop {
        match run_if_due(&db, &c, &holder, Utc::now()).await {
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
