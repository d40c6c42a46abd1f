//! The assistant's query log: one row per answer, with the asker's feedback. Row-level security
//! shows a `user` only the answers they asked for.

use serde_json::Value;
use tokio_postgres::Row;

use super::{Sql, Timestamp};
use crate::{
    db::TenantTx,
    error::ApiResult,
    ids::{ApiKeyId, QueryLogId, SuperadminId, TicketId, UserId},
};

#[derive(Debug, Clone)]
pub struct QueryLogRow {
    pub id: QueryLogId,
    pub channel: String,
    pub ticket_id: Option<TicketId>,
    pub question: String,
    pub answer: String,
    pub sources: Value,
    pub retrieved: Value,
    pub best_score: Option<f64>,
    pub provider: String,
    pub model: String,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub retrieval_ms: f64,
    pub generation_ms: f64,
    pub dropped_citations: i32,
    pub escalated: bool,
    pub escalation_rule: Option<String>,
    pub escalation_reason: Option<String>,
    pub caller_user_id: Option<UserId>,
    pub caller_api_key_id: Option<ApiKeyId>,
    pub caller_superadmin_id: Option<SuperadminId>,
    pub feedback_helpful: Option<bool>,
    pub feedback_comment: Option<String>,
    pub feedback_by: Option<UserId>,
    pub feedback_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl From<&Row> for QueryLogRow {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get("id"),
            channel: r.get("channel"),
            ticket_id: r.get("ticket_id"),
            question: r.get("question"),
            answer: r.get("answer"),
            sources: r.get("sources"),
            retrieved: r.get("retrieved"),
            best_score: r.get("best_score"),
            provider: r.get("provider"),
            model: r.get("model"),
            prompt_tokens: r.get("prompt_tokens"),
            completion_tokens: r.get("completion_tokens"),
            retrieval_ms: r.get("retrieval_ms"),
            generation_ms: r.get("generation_ms"),
            dropped_citations: r.get("dropped_citations"),
            escalated: r.get("escalated"),
            escalation_rule: r.get("escalation_rule"),
            escalation_reason: r.get("escalation_reason"),
            caller_user_id: r.get("caller_user_id"),
            caller_api_key_id: r.get("caller_api_key_id"),
            caller_superadmin_id: r.get("caller_superadmin_id"),
            feedback_helpful: r.get("feedback_helpful"),
            feedback_comment: r.get("feedback_comment"),
            feedback_by: r.get("feedback_by"),
            feedback_at: r.get("feedback_at"),
            created_at: r.get("created_at"),
        }
    }
}

const COLUMNS: &str = "id, channel, ticket_id, question, answer, sources, retrieved, best_score,
    provider, model, prompt_tokens, completion_tokens, retrieval_ms, generation_ms,
    dropped_citations, escalated, escalation_rule, escalation_reason, caller_user_id,
    caller_api_key_id, caller_superadmin_id, feedback_helpful, feedback_comment, feedback_by,
    feedback_at, created_at";

pub struct NewQueryLog<'a> {
    pub channel: &'a str,
    pub ticket_id: Option<TicketId>,
    pub question: &'a str,
    pub answer: &'a str,
    pub sources: Value,
    pub retrieved: Value,
    pub best_score: Option<f64>,
    pub provider: &'a str,
    pub model: &'a str,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub retrieval_ms: f64,
    pub generation_ms: f64,
    pub dropped_citations: i32,
    pub escalation_rule: Option<&'a str>,
    pub escalation_reason: Option<&'a str>,
}

/// Logs an answer; the caller is the transaction's (user, API key or superadmin).
pub async fn insert(tx: &TenantTx, l: &NewQueryLog<'_>) -> ApiResult<QueryLogId> {
    let (user, key, superadmin) = tx.actor();
    let row = tx
        .query_one(
            "insert into assistant_query_logs (tenant_id, channel, ticket_id, question, answer,
                 sources, retrieved, best_score, provider, model, prompt_tokens, completion_tokens,
                 retrieval_ms, generation_ms, dropped_citations, escalated, escalation_rule,
                 escalation_reason, caller_user_id, caller_api_key_id, caller_superadmin_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                     $16::text is not null, $16, $17, $18, $19, $20)
             returning id",
            &[
                &tx.tenant_id(),
                &l.channel,
                &l.ticket_id,
                &l.question,
                &l.answer,
                &l.sources,
                &l.retrieved,
                &l.best_score,
                &l.provider,
                &l.model,
                &l.prompt_tokens,
                &l.completion_tokens,
                &l.retrieval_ms,
                &l.generation_ms,
                &l.dropped_citations,
                &l.escalation_rule,
                &l.escalation_reason,
                &user,
                &key,
                &superadmin,
            ],
        )
        .await?;
    Ok(row.get(0))
}

/// Which answers to list.
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// `Some(Some(b))`: rated helpful = b; `Some(None)`: not rated.
    pub feedback: Option<Option<bool>>,
    pub escalated: Option<bool>,
    /// `Some(true)`: only answers that cite no source; `Some(false)`: only those that cite one.
    pub no_sources: Option<bool>,
    pub channel: Option<String>,
}

/// Newest first, `limit` rows older than the cursor's.
pub async fn list(
    tx: &TenantTx,
    f: &LogFilter,
    before: Option<QueryLogId>,
    limit: i64,
) -> ApiResult<Vec<QueryLogRow>> {
    let mut q = Sql::new(
        format!("select {COLUMNS} from assistant_query_logs where tenant_id = $1"),
        tx.tenant_id(),
    );
    if let Some(v) = f.from {
        q.bind(" and created_at >= ?", v);
    }
    if let Some(v) = f.to {
        q.bind(" and created_at < ?", v);
    }
    match f.feedback {
        Some(Some(v)) => q.bind(" and feedback_helpful = ?", v),
        Some(None) => q.text.push_str(" and feedback_helpful is null"),
        None => {}
    }
    if let Some(v) = f.escalated {
        q.bind(" and escalated = ?", v);
    }
    match f.no_sources {
        Some(true) => q.text.push_str(" and sources = '[]'::jsonb"),
        Some(false) => q.text.push_str(" and sources <> '[]'::jsonb"),
        None => {}
    }
    if let Some(c) = &f.channel {
        q.bind(" and channel = ?", c.clone());
    }
    if let Some(b) = before {
        q.bind(" and id < ?", b);
    }
    q.bind(" order by id desc limit ?", limit);
    let rows = tx.query(&q.text, &q.params()).await?;
    Ok(rows.iter().map(QueryLogRow::from).collect())
}

/// Records feedback on an answer the caller may see (their own, or any for agents); `None` when
/// they may not (or it does not exist).
pub async fn set_feedback(
    tx: &TenantTx,
    id: QueryLogId,
    helpful: bool,
    comment: Option<&str>,
) -> ApiResult<Option<QueryLogRow>> {
    let sql = format!(
        "update assistant_query_logs
            set feedback_helpful = $3, feedback_comment = $4, feedback_by = $5, feedback_at = now()
          where tenant_id = $1 and id = $2
          returning {COLUMNS}"
    );
    Ok(tx
        .query_opt(
            &sql,
            &[&tx.tenant_id(), &id, &helpful, &comment, &tx.user_id()],
        )
        .await?
        .as_ref()
        .map(QueryLogRow::from))
}
