//! Rate limits that hold across instances, at almost no cost per request.
//!
//! The budget lives in PostgreSQL: one GCRA bucket per tenant and per caller (`rate_buckets`,
//! updated by `rate_lease` in one statement under a row lock), so every instance on the database
//! spends from the same budget. An instance does not ask the database for every request: it
//! *leases* a slice of requests and spends it locally, asking again when the slice is used up.
//! Requests the database has not granted are never served, so instances together never exceed
//! the budget; what a lease costs is that requests leased but not yet served are unavailable to
//! other instances for up to [`LEASE_TTL`]. The slice starts at one request and doubles while
//! slices run out within their lifetime (a busy caller), up to a tenth of the burst or a tenth of
//! a second of the rate: a quiet caller wastes nothing, a busy one asks the database a few times
//! a second. A refusal is remembered until the database said a request would be allowed, so a
//! caller hammering past its limit costs no database work and cannot slow anyone else down.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use super::Subject;
use crate::{
    config::UsageConfig,
    db::{Db, unscoped},
    error::ApiResult,
    ids::TenantId,
};

/// How long leased requests stay usable by this instance.
pub const LEASE_TTL: Duration = Duration::from_secs(1);
/// Buckets kept in memory before idle ones are forgotten.
const MAX_BUCKETS: usize = 100_000;

/// What one limit decided for a request.
#[derive(Clone, Debug)]
pub struct Decision {
    /// `tenant`, `key` or `user`.
    pub name: &'static str,
    pub rpm: i32,
    pub burst: i32,
    /// Requests left (approximate: leased here plus what the database had at the last lease).
    pub remaining: i64,
    /// Seconds until the budget is full again.
    pub reset_secs: u64,
    /// Set when refused: when a request may be allowed again.
    pub retry_after: Option<Duration>,
}

/// A refusal: every decision made so far, and which one refused.
#[derive(Debug)]
pub struct Denied {
    pub decisions: Vec<Decision>,
    pub which: usize,
}

#[derive(Clone, Copy)]
enum Scope {
    Tenant,
    Caller,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Tenant => "tenant",
            Scope::Caller => "caller",
        }
    }
}

/// This instance's share of one bucket.
struct Local {
    tokens: i64,
    expires: Instant,
    slice: i64,
    denied_until: Option<Instant>,
    rpm: i32,
    burst: i32,
    db_remaining: i64,
    full_at: Instant,
}

pub struct Limiter {
    db: Db,
    tenant: (i32, i32),
    caller: (i32, i32),
    buckets: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Local>>>>,
}

impl Limiter {
    pub fn new(db: Db, c: &UsageConfig) -> Self {
        Self {
            db,
            tenant: (c.tenant_rpm, c.tenant_burst),
            caller: (c.caller_rpm, c.caller_burst),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Spends one request of the caller's budget, then of the tenant's.
    pub async fn admit(&self, tenant: TenantId, subject: Subject) -> Result<Vec<Decision>, Denied> {
        let (name, key) = match subject {
            Subject::ApiKey(id) => ("key", format!("key:{id}")),
            Subject::User(id) => ("user", format!("user:{id}")),
        };
        let mut decisions = Vec::with_capacity(2);
        for (name, key, scope) in [
            (name, key, Scope::Caller),
            ("tenant", format!("tenant:{tenant}"), Scope::Tenant),
        ] {
            // A database error while leasing lets the request through: the request itself then
            // meets the same database, and answers for it.
            let d = match self.take(tenant, name, &key, scope).await {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(error = %e, "rate limit lease failed; request allowed");
                    continue;
                }
            };
            let refused = d.retry_after.is_some();
            decisions.push(d);
            if refused {
                let which = decisions.len() - 1;
                return Err(Denied { decisions, which });
            }
        }
        Ok(decisions)
    }

    fn bucket(&self, key: &str) -> Arc<tokio::sync::Mutex<Local>> {
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = map.get(key) {
            return b.clone();
        }
        if map.len() >= MAX_BUCKETS {
            // Forget buckets nobody holds (their leases are short-lived anyway).
            map.retain(|_, b| Arc::strong_count(b) > 1);
        }
        let now = Instant::now();
        let b = Arc::new(tokio::sync::Mutex::new(Local {
            tokens: 0,
            expires: now,
            slice: 0,
            denied_until: None,
            rpm: 0,
            burst: 0,
            db_remaining: 0,
            full_at: now,
        }));
        map.insert(key.to_string(), b.clone());
        b
    }

    async fn take(
        &self,
        tenant: TenantId,
        name: &'static str,
        key: &str,
        scope: Scope,
    ) -> ApiResult<Decision> {
        let bucket = self.bucket(key);
        // Requests of one bucket queue here while one of them leases: one lease at a time.
        let mut b = bucket.lock().await;
        let now = Instant::now();
        if b.tokens > 0 && now < b.expires {
            b.tokens -= 1;
            return Ok(decision(name, &b, now, None));
        }
        if let Some(until) = b.denied_until
            && now < until
        {
            return Ok(decision(name, &b, now, Some(until - now)));
        }
        // Double the slice while slices run out before they expire; start over after a pause.
        let busy = b.slice > 0 && now < b.expires;
        let want = if busy {
            (b.slice * 2).min(max_slice(b.rpm, b.burst))
        } else {
            1
        };
        let limits = match scope {
            Scope::Tenant => self.tenant,
            Scope::Caller => self.caller,
        };
        let lease =
            unscoped::rate_lease(&self.db, tenant, key, scope.as_str(), want as i32, limits)
                .await?;
        let (granted, retry_ms, reset_ms) = (lease.granted, lease.retry_ms, lease.reset_ms);
        b.rpm = lease.rpm;
        b.burst = lease.burst;
        b.db_remaining = lease.remaining.into();
        b.full_at = now + Duration::from_millis(reset_ms.max(0) as u64);
        b.slice = want;
        if granted <= 0 {
            let until = now + Duration::from_millis(retry_ms.max(1) as u64);
            b.tokens = 0;
            b.denied_until = Some(until);
            return Ok(decision(name, &b, now, Some(until - now)));
        }
        b.denied_until = None;
        b.tokens = i64::from(granted) - 1;
        b.expires = now + LEASE_TTL;
        Ok(decision(name, &b, now, None))
    }
}

/// The largest slice one lease takes: a tenth of the burst or a tenth of a second of the rate,
/// at least one request.
fn max_slice(rpm: i32, burst: i32) -> i64 {
    (i64::from(burst) / 10).min(i64::from(rpm) / 600).max(1)
}

fn decision(name: &'static str, b: &Local, now: Instant, retry: Option<Duration>) -> Decision {
    Decision {
        name,
        rpm: b.rpm,
        burst: b.burst,
        remaining: if retry.is_some() {
            0
        } else {
            (b.tokens + b.db_remaining).min(i64::from(b.burst))
        },
        reset_secs: b
            .full_at
            .saturating_duration_since(now)
            .as_secs_f64()
            .ceil() as u64,
        retry_after: retry,
    }
}

#[cfg(test)]
mod tests {
    use super::max_slice;

    #[test]
    fn a_lease_takes_at_most_a_tenth_of_the_burst_or_of_a_second_and_at_least_one() {
        assert_eq!(max_slice(600, 20), 1);
        assert_eq!(max_slice(60_000, 2_000), 100);
        assert_eq!(max_slice(6_000_000, 1_000_000), 10_000);
        assert_eq!(max_slice(1, 1), 1);
    }
}
