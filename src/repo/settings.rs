//! Assistant settings: the tenant's row and the platform defaults (one row). A NULL column is a
//! value not set at that level (see `assistant::settings`).

use tokio_postgres::Row;

use super::{Timestamp, column};
use crate::{
    assistant::settings::{AssistantMode, ProviderKind},
    db::{PlatformTx, TenantTx, statement::Param},
    error::ApiResult,
    ids::SuperadminId,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsRow {
    pub assistant_mode: Option<AssistantMode>,
    pub escalation_keywords: Option<Vec<String>>,
    pub escalation_threshold: Option<f64>,
    pub retrieval_top_k: Option<i32>,
    pub retrieval_min_score: Option<f64>,
    pub provider: Option<ProviderKind>,
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub system_prompt: Option<String>,
    pub api_key_sealed: Option<String>,
    pub updated_at: Option<Timestamp>,
}

const COLUMNS: &str = "assistant_mode, escalation_keywords, escalation_threshold, retrieval_top_k,
    retrieval_min_score, provider, base_url, model, system_prompt, api_key_sealed, updated_at";

/// Reads the columns starting at `at` (the platform's and the tenant's share one row). A mode or
/// provider the service does not know is an error, never a default.
fn from_row(r: &Row, at: usize) -> ApiResult<SettingsRow> {
    Ok(SettingsRow {
        assistant_mode: column(r, at)?,
        escalation_keywords: r.get(at + 1),
        escalation_threshold: r.get(at + 2),
        retrieval_top_k: r.get(at + 3),
        retrieval_min_score: r.get(at + 4),
        provider: column(r, at + 5)?,
        base_url: r.get(at + 6),
        model: r.get(at + 7),
        system_prompt: r.get(at + 8),
        api_key_sealed: r.get(at + 9),
        updated_at: r.get(at + 10),
    })
}

/// The platform defaults and the tenant's own row (if it has one), in one round trip.
pub async fn layers(tx: &TenantTx) -> ApiResult<(SettingsRow, Option<SettingsRow>)> {
    let row = tx
        .query_one(
            "select p.assistant_mode, p.escalation_keywords, p.escalation_threshold, p.retrieval_top_k,
                    p.retrieval_min_score, p.provider, p.base_url, p.model, p.system_prompt,
                    p.api_key_sealed, p.updated_at,
                    t.assistant_mode, t.escalation_keywords, t.escalation_threshold, t.retrieval_top_k,
                    t.retrieval_min_score, t.provider, t.base_url, t.model, t.system_prompt,
                    t.api_key_sealed, t.updated_at, t.tenant_id is not null
               from platform_settings p
               left join tenant_settings t on t.tenant_id = $1",
            &[&tx.tenant_id()],
        )
        .await?;
    let has_tenant: bool = row.get(22);
    Ok((
        from_row(&row, 0)?,
        has_tenant.then(|| from_row(&row, 11)).transpose()?,
    ))
}

/// The tenant's row, created empty when missing, locked until the end of the transaction.
pub async fn tenant_for_update(tx: &TenantTx) -> ApiResult<SettingsRow> {
    tx.execute(
        "insert into tenant_settings (tenant_id) values ($1) on conflict (tenant_id) do nothing",
        &[&tx.tenant_id()],
    )
    .await?;
    let sql = format!("select {COLUMNS} from tenant_settings where tenant_id = $1 for update");
    from_row(&tx.query_one(&sql, &[&tx.tenant_id()]).await?, 0)
}

/// The SET list both levels write: `$1`–`$10` are [`values`].
const SET: &str = "assistant_mode = $1, escalation_keywords = $2, escalation_threshold = $3,
    retrieval_top_k = $4, retrieval_min_score = $5, provider = $6, base_url = $7, model = $8,
    system_prompt = $9, api_key_sealed = $10, updated_at = now()";

fn values(s: &SettingsRow) -> Vec<&dyn Param> {
    vec![
        &s.assistant_mode,
        &s.escalation_keywords,
        &s.escalation_threshold,
        &s.retrieval_top_k,
        &s.retrieval_min_score,
        &s.provider,
        &s.base_url,
        &s.model,
        &s.system_prompt,
        &s.api_key_sealed,
    ]
}

pub async fn save_tenant(tx: &TenantTx, s: &SettingsRow) -> ApiResult<()> {
    let tenant = tx.tenant_id();
    let mut params = values(s);
    params.push(&tenant);
    tx.execute(
        &format!("update tenant_settings set {SET} where tenant_id = $11"),
        &params,
    )
    .await?;
    Ok(())
}

/// The platform defaults, locked when `for_update`.
pub async fn platform(tx: &PlatformTx, for_update: bool) -> ApiResult<SettingsRow> {
    let lock = if for_update { " for update" } else { "" };
    let sql = format!("select {COLUMNS} from platform_settings{lock}");
    from_row(&tx.query_one(&sql, &[]).await?, 0)
}

pub async fn save_platform(
    tx: &PlatformTx,
    s: &SettingsRow,
    by: Option<SuperadminId>,
) -> ApiResult<()> {
    let mut params = values(s);
    params.push(&by);
    tx.execute(
        &format!("update platform_settings set {SET}, updated_by = $11"),
        &params,
    )
    .await?;
    Ok(())
}

/// A superadmin's change to the platform itself (no tenant), append-only.
pub async fn record_platform_audit(
    tx: &PlatformTx,
    by: Option<SuperadminId>,
    action: &str,
    target: &str,
) -> ApiResult<()> {
    tx.execute(
        "insert into platform_audit_log (actor_superadmin_id, action, target, request_id, ip)
         values ($1, $2, $3, $4, $5)",
        &[
            &by,
            &action,
            &target,
            &crate::telemetry::current_request_id(),
            &crate::telemetry::current_client_ip(),
        ],
    )
    .await?;
    Ok(())
}
