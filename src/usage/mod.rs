//! Usage and limits: rate limits per tenant and per caller ([`limit`]), the usage log written off
//! the request path ([`log`]), and the maintenance job that makes usage partitions ahead and
//! applies retention ([`retention`]).
//!
//! Authentication is where a request learns its tenant and caller, so the `Auth` extractor calls
//! [`admit`]; the outer HTTP layer ([`crate::http`]) puts a [`Meter`] into every request before,
//! and reads it after: the rate-limit headers, the usage log row, the metrics.

pub mod limit;
pub mod log;
pub mod retention;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use poem::{
    Request, Response,
    http::{HeaderValue, StatusCode},
};

use crate::{
    app::AppState,
    auth::{Caller, Via},
    config::UsageConfig,
    error::{ApiError, ApiResult},
    ids::{ApiKeyId, TenantId, UserId},
};

pub use limit::{Decision, Limiter};
pub use log::{Record, UsageLog};

/// The rate limiter (when enabled) and the usage log of one service instance.
#[derive(Clone)]
pub struct Usage {
    pub limiter: Option<Arc<Limiter>>,
    pub log: UsageLog,
}

impl Usage {
    pub fn new(db: crate::db::Db, c: &UsageConfig) -> Self {
        Self {
            limiter: c
                .rate_limit_enabled
                .then(|| Arc::new(Limiter::new(db.clone(), c))),
            log: UsageLog::new(db, c),
        }
    }
}

/// What authentication found out about a request, for the layer around it.
#[derive(Clone, Debug, Default)]
pub struct Metered {
    pub tenant_id: Option<TenantId>,
    pub api_key_id: Option<ApiKeyId>,
    pub user_id: Option<UserId>,
    /// The rate-limit decisions, caller's first, for the `RateLimit` headers.
    pub limits: Vec<Decision>,
}

/// Put into each request's extensions by the HTTP layer, filled in by [`admit`].
#[derive(Debug, Default)]
pub struct Meter(Mutex<Metered>);

impl Meter {
    pub fn take(&self) -> Metered {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn set(&self, m: Metered) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = m;
    }
}

/// Whose budget a request spends besides its tenant's.
#[derive(Clone, Copy, Debug)]
pub enum Subject {
    ApiKey(ApiKeyId),
    User(UserId),
}

/// Records who is calling and spends one request of the caller's and the tenant's budgets:
/// `rate_limited` (429) when either is used up. Superadmins are not limited (acting inside a
/// tenant, their requests are logged as the tenant's).
pub async fn admit(req: &Request, caller: &Caller) -> ApiResult<()> {
    let Some(meter) = req.extensions().get::<Arc<Meter>>() else {
        return Ok(());
    };
    let (principal, subject) = match caller {
        Caller::Tenant(p) => {
            let subject = match p.via {
                Via::ApiKey { id } => Some(Subject::ApiKey(id)),
                _ => p.user_id.map(Subject::User),
            };
            (p, subject)
        }
        Caller::Superadmin {
            acting_in: Some(p), ..
        } => (p, None),
        Caller::Superadmin {
            acting_in: None, ..
        } => return Ok(()),
    };
    let mut m = Metered {
        tenant_id: Some(principal.tenant_id),
        api_key_id: match principal.via {
            Via::ApiKey { id } => Some(id),
            _ => None,
        },
        user_id: principal.user_id,
        limits: Vec::new(),
    };
    let limiter = req.data::<AppState>().and_then(|s| s.usage.limiter.clone());
    let (Some(limiter), Some(subject)) = (limiter, subject) else {
        meter.set(m);
        return Ok(());
    };
    let outcome = limiter.admit(principal.tenant_id, subject).await;
    match outcome {
        Ok(decisions) => {
            m.limits = decisions;
            meter.set(m);
            Ok(())
        }
        Err(limit::Denied { decisions, which }) => {
            let d = &decisions[which];
            let retry = d.retry_after.unwrap_or(Duration::from_secs(1));
            metrics::counter!("rate_limit_rejections_total", "scope" => d.name).increment(1);
            let detail = format!(
                "the {} rate limit ({} requests per minute, bursts of {}) is used up; retry in {} s",
                d.name,
                d.rpm,
                d.burst,
                retry.as_secs_f64().ceil()
            );
            m.limits = decisions;
            meter.set(m);
            Err(ApiError::rate_limited(
                retry.as_secs_f64().ceil() as u64,
                detail,
            ))
        }
    }
}

/// `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers-09, structured
/// fields): one item per limit that applied, named `tenant` and `key` or `user`.
/// `q` is the requests per minute over `w=60` seconds, `burst` how many may come at once;
/// `r` what remains now (approximate across instances), `t` seconds until the budget is full.
pub fn rate_limit_headers(resp: &mut Response, limits: &[Decision]) {
    if limits.is_empty() {
        return;
    }
    let policy: Vec<String> = limits
        .iter()
        .map(|d| format!("\"{}\";q={};w=60;burst={}", d.name, d.rpm, d.burst))
        .collect();
    let state: Vec<String> = limits
        .iter()
        .map(|d| format!("\"{}\";r={};t={}", d.name, d.remaining, d.reset_secs))
        .collect();
    for (name, value) in [
        ("ratelimit-policy", policy.join(", ")),
        ("ratelimit", state.join(", ")),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().insert(name, v);
        }
    }
}

/// The status class label of the usage log and its reports.
pub fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}
