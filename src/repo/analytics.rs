//! Support and knowledge-base analytics, and the search log they read. SQL only.
//!
//! Every query takes the tenant as `$1`: a tenant transaction passes its own (and RLS allows
//! nothing else); a platform transaction passes `None` for the whole platform. Each query
//! reads one tenant's rows through indexes led by `tenant_id`.

use crate::{
    db::{TenantTx, tenant::Tx},
    error::ApiResult,
    ids::{TenantId, UserId},
    repo::Timestamp,
};

/// Counts of one period bucket.
#[derive(Debug)]
pub struct SeriesRow {
    pub bucket: Timestamp,
    pub created: i64,
    pub resolved: i64,
    pub escalated: i64,
}

/// Open tickets of one status and priority.
#[derive(Debug)]
pub struct BacklogRow {
    pub status: String,
    pub priority: String,
    pub tickets: i64,
}

/// Times (seconds) and the reopen rate over the period.
#[derive(Debug, Default)]
pub struct TimesRow {
    pub first_response_p50: Option<f64>,
    pub first_response_p90: Option<f64>,
    pub resolution_p50: Option<f64>,
    pub resolution_p90: Option<f64>,
    pub resolved: i64,
    pub reopened: i64,
}

/// One agent's work over the period.
#[derive(Debug)]
pub struct AgentRow {
    pub agent_id: UserId,
    pub assigned: i64,
    pub resolved: i64,
    pub resolution_p50: Option<f64>,
}

const SERIES: &str = include_str!("sql/analytics_series.sql");
const TIMES: &str = include_str!("sql/analytics_times.sql");

const BACKLOG: &str = include_str!("sql/analytics_backlog.sql");

const AGENTS: &str = include_str!("sql/analytics_agents.sql");

/// Everything `GET /v1/analytics/tickets` answers.
pub struct TicketAnalytics {
    pub series: Vec<SeriesRow>,
    pub backlog: Vec<BacklogRow>,
    pub times: TimesRow,
    pub agents: Vec<AgentRow>,
}

/// `interval` is `day` or `week` (fixed text from the API's enum).
pub async fn tickets(
    tx: &Tx,
    tenant: Option<TenantId>,
    from: Timestamp,
    to: Timestamp,
    interval: &'static str,
) -> ApiResult<TicketAnalytics> {
    let series = tx
        .query(SERIES, &[&tenant, &from, &to, &interval])
        .await?
        .iter()
        .map(|r| SeriesRow {
            bucket: r.get("bucket"),
            created: r.get("created"),
            resolved: r.get("resolved"),
            escalated: r.get("escalated"),
        })
        .collect();
    let backlog = tx
        .query(BACKLOG, &[&tenant])
        .await?
        .iter()
        .map(|r| BacklogRow {
            status: r.get("status"),
            priority: r.get("priority"),
            tickets: r.get("tickets"),
        })
        .collect();
    let r = tx.query_one(TIMES, &[&tenant, &from, &to]).await?;
    let times = TimesRow {
        first_response_p50: r.get("first_response_p50"),
        first_response_p90: r.get("first_response_p90"),
        resolution_p50: r.get("resolution_p50"),
        resolution_p90: r.get("resolution_p90"),
        resolved: r.get("resolved"),
        reopened: r.get("reopened"),
    };
    let agents = tx
        .query(AGENTS, &[&tenant, &from, &to])
        .await?
        .iter()
        .map(|r| AgentRow {
            agent_id: r.get("assignee_id"),
            assigned: r.get("assigned"),
            resolved: r.get("resolved"),
            resolution_p50: r.get("resolution_p50"),
        })
        .collect();
    Ok(TicketAnalytics {
        series,
        backlog,
        times,
        agents,
    })
}

/// Everything `GET /v1/analytics/knowledge` answers.
pub struct KnowledgeAnalytics {
    pub documents: i64,
    pub chunks: i64,
    pub searches: i64,
    pub zero_result_searches: i64,
    /// (normalised query, searches, of them with no result)
    pub top_queries: Vec<(String, i64, i64)>,
}

const KNOWLEDGE: &str = include_str!("sql/analytics_knowledge.sql");

const TOP_QUERIES: &str = include_str!("sql/analytics_top_queries.sql");

pub async fn knowledge(
    tx: &Tx,
    tenant: Option<TenantId>,
    from: Timestamp,
    to: Timestamp,
) -> ApiResult<KnowledgeAnalytics> {
    let r = tx.query_one(KNOWLEDGE, &[&tenant, &from, &to]).await?;
    let top_queries = tx
        .query(TOP_QUERIES, &[&tenant, &from, &to])
        .await?
        .iter()
        .map(|r| (r.get("q"), r.get("n"), r.get("zero")))
        .collect();
    Ok(KnowledgeAnalytics {
        documents: r.get("documents"),
        chunks: r.get("chunks"),
        searches: r.get("searches"),
        zero_result_searches: r.get("zero_result_searches"),
        top_queries,
    })
}

/// Records one search in the caller's tenant.
pub async fn record_search(
    tx: &TenantTx,
    mode: &str,
    query: Option<&str>,
    results: i32,
) -> ApiResult<()> {
    let (_, api_key, _) = tx.actor();
    tx.execute(
        "insert into search_log (tenant_id, mode, query, results, user_id, api_key_id)
         values ($1, $2, $3, $4, $5, $6)",
        &[
            &tx.tenant_id(),
            &mode,
            &query,
            &results,
            &tx.user_id(),
            &api_key,
        ],
    )
    .await?;
    Ok(())
}
