//! Analytics for tenant admins (their tenant) and superadmins (the whole platform, or one
//! tenant with `X-Tenant-Id`): the support desk's tickets and the knowledge base.

use poem_openapi::{Enum, Object, OpenApi, param::Query, payload::Json};

use crate::{
    api::{Tag, search::SearchMode, usage::period},
    app::AppState,
    auth::{AdminOrPlatform, Principal},
    db::tenant::Tx,
    error::ApiResult,
    ids::{TenantId, UserId},
    repo::{
        self, Timestamp,
        analytics::{KnowledgeAnalytics, TicketAnalytics},
    },
};

pub struct AnalyticsApi;

/// The size of a bucket of the ticket series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Interval {
    /// Calendar days (UTC).
    Day,
    /// ISO weeks, from Monday (UTC).
    Week,
}

impl Interval {
    fn as_sql(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
        }
    }
}

/// Tickets of one bucket of the period.
#[derive(Debug, Object)]
pub struct TicketBucketOut {
    /// Start of the bucket (UTC).
    pub start: Timestamp,
    /// Tickets created in it.
    pub created: i64,
    /// Tickets resolved in it.
    pub resolved: i64,
    /// Times a ticket was escalated in it.
    pub escalated: i64,
}

/// Tickets not resolved or closed, of one status and priority (now, not over the period).
#[derive(Debug, Object)]
pub struct BacklogOut {
    pub status: String,
    pub priority: String,
    pub tickets: i64,
}

/// One agent's tickets over the period.
#[derive(Debug, Object)]
pub struct AgentOut {
    /// The agent (the tickets' assignee).
    pub agent_id: UserId,
    /// Tickets assigned to the agent that were created in the period.
    pub assigned: i64,
    /// Of the agent's tickets, those resolved in the period.
    pub resolved: i64,
    /// Median resolution time of those, seconds.
    #[oai(skip_serializing_if_is_none)]
    pub resolution_p50_secs: Option<f64>,
}

/// The support desk over `[from, to)`.
#[derive(Debug, Object)]
pub struct TicketAnalyticsOut {
    pub from: Timestamp,
    pub to: Timestamp,
    /// One entry per bucket of `interval`, empty ones included.
    pub series: Vec<TicketBucketOut>,
    /// The open backlog now, by status and priority.
    pub backlog: Vec<BacklogOut>,
    /// Seconds from a ticket's creation to its first agent message the customer sees (tickets
    /// created in the period that have one): median. Absent when there is none.
    #[oai(skip_serializing_if_is_none)]
    pub first_response_p50_secs: Option<f64>,
    /// The same, 90th percentile.
    #[oai(skip_serializing_if_is_none)]
    pub first_response_p90_secs: Option<f64>,
    /// Seconds from creation to resolution of the tickets resolved in the period: median.
    #[oai(skip_serializing_if_is_none)]
    pub resolution_p50_secs: Option<f64>,
    /// The same, 90th percentile.
    #[oai(skip_serializing_if_is_none)]
    pub resolution_p90_secs: Option<f64>,
    /// Tickets resolved in the period.
    pub resolved: i64,
    /// Tickets reopened in the period.
    pub reopened: i64,
    /// `reopened / resolved`; absent when nothing was resolved.
    #[oai(skip_serializing_if_is_none)]
    pub reopen_rate: Option<f64>,
    /// Per agent, the most resolutions first (at most 100).
    pub agents: Vec<AgentOut>,
}

impl TicketAnalyticsOut {
    fn of(from: Timestamp, to: Timestamp, a: TicketAnalytics) -> Self {
        let t = a.times;
        Self {
            from,
            to,
            series: a
                .series
                .into_iter()
                .map(|s| TicketBucketOut {
                    start: s.bucket,
                    created: s.created,
                    resolved: s.resolved,
                    escalated: s.escalated,
                })
                .collect(),
            backlog: a
                .backlog
                .into_iter()
                .map(|b| BacklogOut {
                    status: b.status,
                    priority: b.priority,
                    tickets: b.tickets,
                })
                .collect(),
            first_response_p50_secs: t.first_response_p50,
            first_response_p90_secs: t.first_response_p90,
            resolution_p50_secs: t.resolution_p50,
            resolution_p90_secs: t.resolution_p90,
            resolved: t.resolved,
            reopened: t.reopened,
            reopen_rate: (t.resolved > 0).then(|| t.reopened as f64 / t.resolved as f64),
            agents: a
                .agents
                .into_iter()
                .map(|g| AgentOut {
                    agent_id: g.agent_id,
                    assigned: g.assigned,
                    resolved: g.resolved,
                    resolution_p50_secs: g.resolution_p50,
                })
                .collect(),
        }
    }
}

/// A frequent search query.
#[derive(Debug, Object)]
pub struct QueryOut {
    /// The query, trimmed and lowercased.
    pub query: String,
    /// Searches with it in the period.
    pub searches: i64,
    /// Of them, searches that found nothing.
    pub zero_results: i64,
}

/// The knowledge base: its size now, and its searches over `[from, to)`.
#[derive(Debug, Object)]
pub struct KnowledgeAnalyticsOut {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Live documents now.
    pub documents: i64,
    /// Chunks now.
    pub chunks: i64,
    /// Searches in the period (`POST /v1/search`).
    pub searches: i64,
    /// Of them, searches that returned no result.
    pub zero_result_searches: i64,
    /// The 20 most frequent queries.
    pub top_queries: Vec<QueryOut>,
}

impl KnowledgeAnalyticsOut {
    fn of(from: Timestamp, to: Timestamp, k: KnowledgeAnalytics) -> Self {
        Self {
            from,
            to,
            documents: k.documents,
            chunks: k.chunks,
            searches: k.searches,
            zero_result_searches: k.zero_result_searches,
            top_queries: k
                .top_queries
                .into_iter()
                .map(|(query, searches, zero_results)| QueryOut {
                    query,
                    searches,
                    zero_results,
                })
                .collect(),
        }
    }
}

/// Records a search for the knowledge analytics, in a transaction of its own after the answer
/// is known. A failure is logged, never the search's failure.
pub async fn record_search(
    state: &AppState,
    p: &Principal,
    mode: SearchMode,
    query: Option<&str>,
    results: usize,
) {
    let mode = match mode {
        SearchMode::Semantic => "semantic",
        SearchMode::Keyword => "keyword",
        SearchMode::Hybrid => "hybrid",
    };
    // The log keeps the first 2,000 characters of a query.
    let query = query.map(|q| q.chars().take(2000).collect::<String>());
    let results = i32::try_from(results).unwrap_or(i32::MAX);
    let recorded = state
        .db
        .tenant(&p.scope(), async |tx| {
            repo::analytics::record_search(tx, mode, query.as_deref(), results).await
        })
        .await;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "search not recorded");
    }
}

/// Runs `f` (reads only) for the caller: a tenant admin (or a superadmin acting in a tenant) on
/// that tenant under its row-level security, a superadmin without `X-Tenant-Id` on the whole
/// platform.
async fn scoped<T>(
    who: &AdminOrPlatform,
    f: impl AsyncFnOnce(&Tx, Option<TenantId>) -> ApiResult<T>,
) -> ApiResult<T> {
    match who {
        AdminOrPlatform::Platform(su) => su.read(async |tx| f(tx, None).await).await,
        AdminOrPlatform::Tenant(p) => p.read(async |tx| f(tx, Some(tx.tenant_id())).await).await,
    }
}

#[OpenApi(prefix_path = "/v1/analytics", tag = "Tag::Analytics")]
impl AnalyticsApi {
    /// The support desk's tickets over a period (tenant admins; superadmins: the whole platform,
    /// or one tenant with `X-Tenant-Id`).
    #[oai(
        path = "/tickets",
        method = "get",
        operation_id = "get_ticket_analytics"
    )]
    async fn tickets(
        &self,
        who: AdminOrPlatform,
        /// Start of the period (inclusive, RFC 3339); default: 30 days before `to`.
        from: Query<Option<Timestamp>>,
        /// End of the period (exclusive, RFC 3339); default: now.
        to: Query<Option<Timestamp>>,
        /// The series' bucket.
        #[oai(default = "default_interval")]
        interval: Query<Interval>,
    ) -> ApiResult<Json<TicketAnalyticsOut>> {
        let (from, to) = period(from.0, to.0, DEFAULT_DAYS)?;
        let a = scoped(&who, async |tx, tenant| {
            repo::analytics::tickets(tx, tenant, from, to, interval.0.as_sql()).await
        })
        .await?;
        Ok(Json(TicketAnalyticsOut::of(from, to, a)))
    }

    /// The knowledge base: documents, chunks, searches, searches without results, the most
    /// frequent queries (tenant admins; superadmins: the whole platform, or one tenant with
    /// `X-Tenant-Id`).
    #[oai(
        path = "/knowledge",
        method = "get",
        operation_id = "get_knowledge_analytics"
    )]
    async fn knowledge(
        &self,
        who: AdminOrPlatform,
        /// Start of the period (inclusive, RFC 3339); default: 30 days before `to`.
        from: Query<Option<Timestamp>>,
        /// End of the period (exclusive, RFC 3339); default: now.
        to: Query<Option<Timestamp>>,
    ) -> ApiResult<Json<KnowledgeAnalyticsOut>> {
        let (from, to) = period(from.0, to.0, DEFAULT_DAYS)?;
        let k = scoped(&who, async |tx, tenant| {
            repo::analytics::knowledge(tx, tenant, from, to).await
        })
        .await?;
        Ok(Json(KnowledgeAnalyticsOut::of(from, to, k)))
    }
}

/// The period analytics cover unless told.
const DEFAULT_DAYS: i64 = 30;

fn default_interval() -> Interval {
    Interval::Day
}
