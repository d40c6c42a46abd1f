//! Tenant plans, quota checks and usage reports. SQL only.

use tokio_postgres::Row;

use crate::{
    config::Quotas,
    db::{PlatformTx, TenantTx, tenant::Tx},
    error::{ApiError, ApiResult},
    ids::TenantId,
    repo::Timestamp,
};

/// A tenant's plan overrides; `None` is the configured default.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub requests_per_minute: Option<i32>,
    pub burst: Option<i32>,
    pub caller_requests_per_minute: Option<i32>,
    pub caller_burst: Option<i32>,
    pub max_documents: Option<i64>,
    pub max_chunks: Option<i64>,
    pub max_storage_bytes: Option<i64>,
    pub max_api_keys: Option<i32>,
}

const PLAN_COLUMNS: &str = "requests_per_minute, burst, caller_requests_per_minute, caller_burst,
     max_documents, max_chunks, max_storage_bytes, max_api_keys";

impl From<&Row> for Plan {
    fn from(r: &Row) -> Self {
        Self {
            requests_per_minute: r.get("requests_per_minute"),
            burst: r.get("burst"),
            caller_requests_per_minute: r.get("caller_requests_per_minute"),
            caller_burst: r.get("caller_burst"),
            max_documents: r.get("max_documents"),
            max_chunks: r.get("max_chunks"),
            max_storage_bytes: r.get("max_storage_bytes"),
            max_api_keys: r.get("max_api_keys"),
        }
    }
}

/// The tenant's plan (no row: all defaults); `None` when there is no such tenant.
pub async fn plan(tx: &PlatformTx, tenant: TenantId) -> ApiResult<Option<Plan>> {
    let sql = format!(
        "select {PLAN_COLUMNS}, t.id is not null as found
           from (select 1) one
           left join tenants t on t.id = $1
           left join tenant_plans p on p.tenant_id = t.id"
    );
    let row = tx.query_one(&sql, &[&tenant]).await?;
    Ok(row.get::<_, bool>("found").then(|| Plan::from(&row)))
}

/// Replaces the tenant's plan; `None` when there is no such tenant.
pub async fn set_plan(tx: &PlatformTx, tenant: TenantId, p: &Plan) -> ApiResult<Option<Plan>> {
    let sql = format!(
        "insert into tenant_plans (tenant_id, {PLAN_COLUMNS})
         select t.id, $2, $3, $4, $5, $6, $7, $8, $9 from tenants t where t.id = $1
         on conflict (tenant_id) do update set
             requests_per_minute = excluded.requests_per_minute, burst = excluded.burst,
             caller_requests_per_minute = excluded.caller_requests_per_minute,
             caller_burst = excluded.caller_burst, max_documents = excluded.max_documents,
             max_chunks = excluded.max_chunks, max_storage_bytes = excluded.max_storage_bytes,
             max_api_keys = excluded.max_api_keys, updated_at = now()
         returning {PLAN_COLUMNS}"
    );
    Ok(tx
        .query_opt(
            &sql,
            &[
                &tenant,
                &p.requests_per_minute,
                &p.burst,
                &p.caller_requests_per_minute,
                &p.caller_burst,
                &p.max_documents,
                &p.max_chunks,
                &p.max_storage_bytes,
                &p.max_api_keys,
            ],
        )
        .await?
        .as_ref()
        .map(Plan::from))
}

/// What a write adds to the tenant's stock.
#[derive(Clone, Copy, Debug, Default)]
pub struct Adding {
    pub documents: i64,
    pub storage_bytes: i64,
    pub api_keys: i64,
}

/// Refuses (403 `quota_exceeded`, naming the quota) a write that would take the tenant past a
/// quota of its plan, or past the defaults. Counted in the writing transaction; concurrent writes
/// of one tenant may overshoot by what they add together.
pub async fn require_quota(tx: &TenantTx, defaults: &Quotas, add: Adding) -> ApiResult<()> {
    // Only what the write touches is counted.
    let row = tx
        .query_one(
            "select coalesce(p.max_documents, $2) as max_documents,
                    coalesce(p.max_chunks, $3) as max_chunks,
                    coalesce(p.max_storage_bytes, $4) as max_storage_bytes,
                    coalesce(p.max_api_keys::int8, $5) as max_api_keys,
                    case when $6 then (select count(*) from kb_documents d
                                        where d.tenant_id = $1 and d.deleted_at is null) end as documents,
                    case when $6 then (select count(*) from kb_chunks c where c.tenant_id = $1) end as chunks,
                    case when $6 then (select coalesce(sum(octet_length(v.raw_content)), 0)::int8
                                         from kb_document_versions v
                                        where v.tenant_id = $1 and v.valid_to is null) end as storage,
                    case when $7 then (select count(*) from api_keys k
                                        where k.tenant_id = $1 and k.revoked_at is null) end as api_keys
               from (select 1) one left join tenant_plans p on p.tenant_id = $1",
            &[
                &tx.tenant_id(),
                &defaults.max_documents,
                &defaults.max_chunks,
                &defaults.max_storage_bytes,
                &defaults.max_api_keys,
                &(add.documents > 0),
                &(add.api_keys > 0),
            ],
        )
        .await?;
    let check = |quota: &'static str, used: Option<i64>, adding: i64, what: &str| {
        let max: i64 = row.get(quota);
        match used {
            Some(used) if used + adding > max => Err(ApiError::quota_exceeded(
                quota,
                format!("the tenant's plan allows {max} {what}; {used} are used"),
            )),
            _ => Ok(()),
        }
    };
    check(
        "max_documents",
        row.get("documents"),
        add.documents,
        "documents",
    )?;
    // New documents are refused once the chunks are all used (a document's chunks are made
    // later, by the ingestion worker).
    check(
        "max_chunks",
        row.get("chunks"),
        add.documents.min(1),
        "chunks",
    )?;
    check(
        "max_storage_bytes",
        row.get("storage"),
        add.storage_bytes,
        "bytes of document content",
    )?;
    check(
        "max_api_keys",
        row.get("api_keys"),
        add.api_keys,
        "API keys",
    )
}

/// How a usage report groups requests.
#[derive(Clone, Copy, Debug)]
pub enum Group {
    Day,
    Route,
    Caller,
    StatusClass,
    Tenant,
}

impl Group {
    /// The grouping expression: fixed text, never input.
    fn expr(self) -> &'static str {
        match self {
            Group::Day => "to_char(u.at at time zone 'UTC', 'YYYY-MM-DD')",
            Group::Route => "u.method || ' ' || u.route",
            Group::Caller => {
                "coalesce('key:' || u.api_key_id::text, 'user:' || u.user_id::text, 'superadmin')"
            }
            Group::StatusClass => "(u.status / 100)::text || 'xx'",
            Group::Tenant => "u.tenant_id::text",
        }
    }
}

/// One group of a usage report.
#[derive(Debug)]
pub struct UsageRow {
    pub group: String,
    pub requests: i64,
    pub client_errors: i64,
    pub server_errors: i64,
    pub request_bytes: i64,
    pub response_bytes: i64,
    pub latency_p50_ms: f64,
    pub latency_p95_ms: f64,
}

/// Most groups in one report.
pub const MAX_GROUPS: i64 = 1000;

async fn report(
    tx: &Tx,
    tenant: Option<TenantId>,
    from: Timestamp,
    to: Timestamp,
    group: Group,
) -> ApiResult<Vec<UsageRow>> {
    let order = match group {
        Group::Tenant => "requests desc, 1",
        _ => "1",
    };
    let sql = format!(
        "select {} as grp, count(*) as requests,
                count(*) filter (where u.status between 400 and 499) as client_errors,
                count(*) filter (where u.status >= 500) as server_errors,
                coalesce(sum(u.request_bytes), 0)::int8 as request_bytes,
                coalesce(sum(u.response_bytes), 0)::int8 as response_bytes,
                percentile_cont(0.5) within group (order by u.latency_us) / 1000.0 as p50,
                percentile_cont(0.95) within group (order by u.latency_us) / 1000.0 as p95
           from usage_log u
          where ($1::uuid is null or u.tenant_id = $1) and u.at >= $2 and u.at < $3
          group by 1 order by {order} limit {MAX_GROUPS}",
        group.expr()
    );
    let rows = tx.query(&sql, &[&tenant, &from, &to]).await?;
    Ok(rows
        .iter()
        .map(|r| UsageRow {
            group: r.get("grp"),
            requests: r.get("requests"),
            client_errors: r.get("client_errors"),
            server_errors: r.get("server_errors"),
            request_bytes: r.get("request_bytes"),
            response_bytes: r.get("response_bytes"),
            latency_p50_ms: r.get("p50"),
            latency_p95_ms: r.get("p95"),
        })
        .collect())
}

/// The caller's tenant's usage (admins: the policy lets nobody else read it).
pub async fn tenant_report(
    tx: &TenantTx,
    from: Timestamp,
    to: Timestamp,
    group: Group,
) -> ApiResult<Vec<UsageRow>> {
    report(tx, Some(tx.tenant_id()), from, to, group).await
}

/// One tenant's usage, or (with `None`) the whole platform's, through the platform role.
pub async fn platform_report(
    tx: &PlatformTx,
    tenant: Option<TenantId>,
    from: Timestamp,
    to: Timestamp,
    group: Group,
) -> ApiResult<Vec<UsageRow>> {
    report(tx, tenant, from, to, group).await
}
