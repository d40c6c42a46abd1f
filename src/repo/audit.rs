use tokio_postgres::Row;
use uuid::Uuid;

use super::Timestamp;
use crate::{
    db::{PlatformTx, TenantTx},
    error::ApiResult,
    ids::{ApiKeyId, SuperadminId, TenantId, UserId},
};

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub actor_superadmin_id: Option<SuperadminId>,
    pub actor_user_id: Option<UserId>,
    pub actor_api_key_id: Option<ApiKeyId>,
    pub action: String,
    pub target: String,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub created_at: Timestamp,
}

impl From<&Row> for AuditRow {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get("id"),
            tenant_id: r.get("tenant_id"),
            actor_superadmin_id: r.get("actor_superadmin_id"),
            actor_user_id: r.get("actor_user_id"),
            actor_api_key_id: r.get("actor_api_key_id"),
            action: r.get("action"),
            target: r.get("target"),
            request_id: r.get("request_id"),
            ip: r.get("ip"),
            created_at: r.get("created_at"),
        }
    }
}

const COLUMNS: &str = "id, tenant_id, actor_superadmin_id, actor_user_id, actor_api_key_id, action, target, request_id, ip, created_at";

/// Records what the transaction's caller did (`action`, e.g. `user.create`, on `target`, e.g.
/// `user:<id>`), with the request id and client address of the request being handled; in the
/// same transaction, so the entry exists exactly when the change does.
pub async fn record(tx: &TenantTx, action: &str, target: &str) -> ApiResult<()> {
    let (user, key, superadmin) = tx.actor();
    tx.execute(
        "insert into audit_log (tenant_id, actor_user_id, actor_api_key_id, actor_superadmin_id,
                                action, target, request_id, ip)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &tx.tenant_id(),
            &user,
            &key,
            &superadmin,
            &action,
            &target,
            &crate::telemetry::current_request_id(),
            &crate::telemetry::current_client_ip(),
        ],
    )
    .await?;
    Ok(())
}

/// Newest first.
pub async fn list(tx: &TenantTx, before: Option<Uuid>, limit: i64) -> ApiResult<Vec<AuditRow>> {
    let sql = format!(
        "select {COLUMNS} from audit_log where tenant_id = $1 and ($2::uuid is null or id < $2)
         order by id desc limit $3"
    );
    let rows = tx.query(&sql, &[&tx.tenant_id(), &before, &limit]).await?;
    Ok(rows.iter().map(AuditRow::from).collect())
}

pub struct NewAudit<'a> {
    pub tenant_id: TenantId,
    pub actor_superadmin_id: Option<SuperadminId>,
    pub action: &'a str,
    pub target: &'a str,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

/// Platform actions on a tenant (create, update, deactivate) are audited under that tenant.
pub async fn record_platform(tx: &PlatformTx, a: &NewAudit<'_>) -> ApiResult<()> {
    tx.execute(
        "insert into audit_log (tenant_id, actor_superadmin_id, action, target, request_id, ip)
         values ($1, $2, $3, $4, $5, $6)",
        &[
            &a.tenant_id,
            &a.actor_superadmin_id,
            &a.action,
            &a.target,
            &a.request_id,
            &a.ip,
        ],
    )
    .await?;
    Ok(())
}

/// Any tenant's entries, for superadmins; newest first.
pub async fn list_in_tenant(
    tx: &PlatformTx,
    tenant: TenantId,
    before: Option<Uuid>,
    limit: i64,
) -> ApiResult<Vec<AuditRow>> {
    let sql = format!(
        "select {COLUMNS} from audit_log where tenant_id = $1 and ($2::uuid is null or id < $2)
         order by id desc limit $3"
    );
    let rows = tx.query(&sql, &[&tenant, &before, &limit]).await?;
    Ok(rows.iter().map(AuditRow::from).collect())
}
