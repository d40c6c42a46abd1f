//! Usage reports (tenant admins; superadmins for any tenant and the whole platform) and tenant
//! plans (superadmins): rate limits and quotas.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    api::{Tag, body::JsonBody},
    app::AppState,
    auth::{Admin, Platform, Tenant},
    config::UsageConfig,
    error::{ApiError, ApiResult},
    ids::TenantId,
    repo::{
        self, Timestamp,
        usage::{Group, Plan, UsageRow},
    },
};

pub struct UsageApi;

/// How a usage report groups requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum UsageGroup {
    /// By day (UTC), `YYYY-MM-DD`.
    Day,
    /// By method and route template, `GET /v1/tickets/{id}`.
    Route,
    /// By caller: `key:<API key id>`, `user:<user id>`, or `superadmin`.
    Key,
    /// By status class: `2xx`, `4xx`, `5xx`.
    StatusClass,
}

impl From<UsageGroup> for Group {
    fn from(g: UsageGroup) -> Self {
        match g {
            UsageGroup::Day => Group::Day,
            UsageGroup::Route => Group::Route,
            UsageGroup::Key => Group::Caller,
            UsageGroup::StatusClass => Group::StatusClass,
        }
    }
}

/// Requests of one group.
#[derive(Debug, Object)]
pub struct UsageBucketOut {
    /// The group's value (a day, a route, a caller, a status class or a tenant id).
    pub group: String,
    /// Requests answered.
    pub requests: i64,
    /// Of them, answered 4xx.
    pub client_errors: i64,
    /// Of them, answered 5xx.
    pub server_errors: i64,
    /// Request body bytes received.
    pub request_bytes: i64,
    /// Response body bytes sent (streamed bodies: at least this many).
    pub response_bytes: i64,
    /// Median time to the response head, milliseconds.
    pub latency_p50_ms: f64,
    /// 95th percentile of the time to the response head, milliseconds.
    pub latency_p95_ms: f64,
}

impl From<UsageRow> for UsageBucketOut {
    fn from(r: UsageRow) -> Self {
        Self {
            group: r.group,
            requests: r.requests,
            client_errors: r.client_errors,
            server_errors: r.server_errors,
            request_bytes: r.request_bytes,
            response_bytes: r.response_bytes,
            latency_p50_ms: r.latency_p50_ms,
            latency_p95_ms: r.latency_p95_ms,
        }
    }
}

/// A usage report over `[from, to)`. Requests reach the log within about `USAGE_FLUSH_MS`.
#[derive(Debug, Object)]
pub struct UsageReportOut {
    /// Start of the period (inclusive).
    pub from: Timestamp,
    /// End of the period (exclusive).
    pub to: Timestamp,
    /// At most 1,000 groups, in the group's order (the platform summary: busiest tenant first).
    pub items: Vec<UsageBucketOut>,
}

/// A tenant's plan: each limit, and whether it is the tenant's own or the configured default.
#[derive(Debug, Object)]
pub struct PlanOut {
    /// The tenant's requests per minute, all callers together.
    pub requests_per_minute: i32,
    /// The tenant's requests that may come at once.
    pub burst: i32,
    /// One caller's (API key or user) requests per minute.
    pub caller_requests_per_minute: i32,
    /// One caller's requests that may come at once.
    pub caller_burst: i32,
    /// Most live documents.
    pub max_documents: i64,
    /// Most chunks (new documents are refused once reached).
    pub max_chunks: i64,
    /// Most bytes of current document content.
    pub max_storage_bytes: i64,
    /// Most API keys that are not revoked.
    pub max_api_keys: i64,
    /// The limits this tenant's plan sets; the others are the configured defaults.
    pub overridden: Vec<String>,
}

/// A tenant's plan. Every field is optional: a missing or null field is the configured default
/// (`RATE_LIMIT_*`, `QUOTA_*`). The whole plan is replaced.
#[derive(Debug, Object)]
pub struct PlanIn {
    /// The tenant's requests per minute, all callers together.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000000")))]
    pub requests_per_minute: Option<i32>,
    /// The tenant's requests that may come at once.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000000")))]
    pub burst: Option<i32>,
    /// One caller's (API key or user) requests per minute.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000000")))]
    pub caller_requests_per_minute: Option<i32>,
    /// One caller's requests that may come at once.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000000")))]
    pub caller_burst: Option<i32>,
    /// Most live documents.
    #[oai(validator(minimum(value = "0")))]
    pub max_documents: Option<i64>,
    /// Most chunks.
    #[oai(validator(minimum(value = "0")))]
    pub max_chunks: Option<i64>,
    /// Most bytes of current document content.
    #[oai(validator(minimum(value = "0")))]
    pub max_storage_bytes: Option<i64>,
    /// Most API keys that are not revoked.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))]
    pub max_api_keys: Option<i32>,
}

impl PlanOut {
    fn of(p: Plan, c: &UsageConfig) -> Self {
        let mut overridden = Vec::new();
        let mut pick = |name: &str, set: bool| {
            if set {
                overridden.push(name.to_string());
            }
        };
        pick("requests_per_minute", p.requests_per_minute.is_some());
        pick("burst", p.burst.is_some());
        pick(
            "caller_requests_per_minute",
            p.caller_requests_per_minute.is_some(),
        );
        pick("caller_burst", p.caller_burst.is_some());
        pick("max_documents", p.max_documents.is_some());
        pick("max_chunks", p.max_chunks.is_some());
        pick("max_storage_bytes", p.max_storage_bytes.is_some());
        pick("max_api_keys", p.max_api_keys.is_some());
        Self {
            requests_per_minute: p.requests_per_minute.unwrap_or(c.tenant_rpm),
            burst: p.burst.unwrap_or(c.tenant_burst),
            caller_requests_per_minute: p.caller_requests_per_minute.unwrap_or(c.caller_rpm),
            caller_burst: p.caller_burst.unwrap_or(c.caller_burst),
            max_documents: p.max_documents.unwrap_or(c.quotas.max_documents),
            max_chunks: p.max_chunks.unwrap_or(c.quotas.max_chunks),
            max_storage_bytes: p.max_storage_bytes.unwrap_or(c.quotas.max_storage_bytes),
            max_api_keys: p
                .max_api_keys
                .map(i64::from)
                .unwrap_or(c.quotas.max_api_keys),
            overridden,
        }
    }
}

/// The period of a report, `[from, to)`: by default the `default_days` before now; at most 400
/// days.
pub(crate) fn period(
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    default_days: i64,
) -> ApiResult<(Timestamp, Timestamp)> {
    let to = to.unwrap_or_else(Utc::now);
    let from = from.unwrap_or(to - chrono::Duration::days(default_days));
    if from >= to {
        return Err(ApiError::invalid("from", "from must be before to"));
    }
    if to - from > chrono::Duration::days(400) {
        return Err(ApiError::invalid(
            "from",
            "a period covers at most 400 days",
        ));
    }
    Ok((from, to))
}

/// The period usage reports cover unless told.
const DEFAULT_DAYS: i64 = 7;

fn report(from: Timestamp, to: Timestamp, rows: Vec<UsageRow>) -> Json<UsageReportOut> {
    Json(UsageReportOut {
        from,
        to,
        items: rows.into_iter().map(Into::into).collect(),
    })
}

#[OpenApi(tag = "Tag::Usage")]
impl UsageApi {
    /// The tenant's API usage (admins), grouped by day, route, caller or status class.
    #[oai(path = "/v1/usage", method = "get", operation_id = "get_usage")]
    async fn usage(
        &self,
        p: Tenant<Admin>,
        /// Start of the period (inclusive, RFC 3339); default: 7 days before `to`.
        from: Query<Option<Timestamp>>,
        /// End of the period (exclusive, RFC 3339); default: now.
        to: Query<Option<Timestamp>>,
        /// How to group the requests.
        #[oai(default = "default_group")]
        group_by: Query<UsageGroup>,
    ) -> ApiResult<Json<UsageReportOut>> {
        let (from, to) = period(from.0, to.0, DEFAULT_DAYS)?;
        let rows = p
            .read(async |tx| repo::usage::tenant_report(tx, from, to, group_by.0.into()).await)
            .await?;
        Ok(report(from, to, rows))
    }

    /// One tenant's API usage (superadmins); 404 for an unknown tenant.
    #[oai(
        path = "/v1/tenants/:id/usage",
        method = "get",
        operation_id = "get_tenant_usage"
    )]
    async fn tenant_usage(
        &self,
        su: Platform,
        /// The tenant.
        id: Path<TenantId>,
        /// Start of the period (inclusive, RFC 3339); default: 7 days before `to`.
        from: Query<Option<Timestamp>>,
        /// End of the period (exclusive, RFC 3339); default: now.
        to: Query<Option<Timestamp>>,
        /// How to group the requests.
        #[oai(default = "default_group")]
        group_by: Query<UsageGroup>,
    ) -> ApiResult<Json<UsageReportOut>> {
        let (from, to) = period(from.0, to.0, DEFAULT_DAYS)?;
        let rows = su
            .read(async |tx| {
                repo::usage::plan(tx, id.0)
                    .await?
                    .ok_or_else(|| ApiError::not_found("tenant"))?;
                repo::usage::platform_report(tx, Some(id.0), from, to, group_by.0.into()).await
            })
            .await?;
        Ok(report(from, to, rows))
    }

    /// The platform's API usage by tenant (superadmins), busiest first.
    #[oai(
        path = "/v1/platform/usage",
        method = "get",
        operation_id = "get_platform_usage"
    )]
    async fn platform_usage(
        &self,
        su: Platform,
        /// Start of the period (inclusive, RFC 3339); default: 7 days before `to`.
        from: Query<Option<Timestamp>>,
        /// End of the period (exclusive, RFC 3339); default: now.
        to: Query<Option<Timestamp>>,
    ) -> ApiResult<Json<UsageReportOut>> {
        let (from, to) = period(from.0, to.0, DEFAULT_DAYS)?;
        let rows = su
            .read(async |tx| repo::usage::platform_report(tx, None, from, to, Group::Tenant).await)
            .await?;
        Ok(report(from, to, rows))
    }

    /// A tenant's plan: rate limits and quotas in force (superadmins).
    #[oai(
        path = "/v1/tenants/:id/plan",
        method = "get",
        operation_id = "get_tenant_plan"
    )]
    async fn get_plan(
        &self,
        state: Data<&AppState>,
        su: Platform,
        /// The tenant.
        id: Path<TenantId>,
    ) -> ApiResult<Json<PlanOut>> {
        let plan = su
            .read(async |tx| repo::usage::plan(tx, id.0).await)
            .await?
            .ok_or_else(|| ApiError::not_found("tenant"))?;
        Ok(Json(PlanOut::of(plan, &state.config.usage)))
    }

    /// Replace a tenant's plan (superadmins). Rate limits take effect within about a second on
    /// every instance (their leases run out); quotas at the next write.
    #[oai(
        path = "/v1/tenants/:id/plan",
        method = "put",
        operation_id = "set_tenant_plan"
    )]
    async fn set_plan(
        &self,
        state: Data<&AppState>,
        su: Platform,
        /// The tenant.
        id: Path<TenantId>,
        body: JsonBody<PlanIn>,
    ) -> ApiResult<Json<PlanOut>> {
        let b = &body.0;
        let plan = Plan {
            requests_per_minute: b.requests_per_minute,
            burst: b.burst,
            caller_requests_per_minute: b.caller_requests_per_minute,
            caller_burst: b.caller_burst,
            max_documents: b.max_documents,
            max_chunks: b.max_chunks,
            max_storage_bytes: b.max_storage_bytes,
            max_api_keys: b.max_api_keys,
        };
        let plan = su
            .tx(async |tx| repo::usage::set_plan(tx, id.0, &plan).await)
            .await?
            .ok_or_else(|| ApiError::not_found("tenant"))?;
        Ok(Json(PlanOut::of(plan, &state.config.usage)))
    }
}

fn default_group() -> UsageGroup {
    UsageGroup::Day
}
