//! The tenant's audit log: what superadmins did in it. Admins read it; nobody changes it.

use poem_openapi::{Object, OpenApi, param::Query, payload::Json};
use uuid::Uuid;

use crate::{
    api::{
        Tag,
        cursor::{Cursor, Limit},
    },
    auth::{Admin, Tenant},
    error::ApiResult,
    ids::{ApiKeyId, SuperadminId, TenantId, UserId},
    repo::{self, Timestamp, audit::AuditRow},
};

pub struct AuditApi;

/// One audited action.
#[derive(Debug, Object)]
pub struct AuditEntryOut {
    pub id: Uuid,
    pub tenant_id: TenantId,
    /// The superadmin who acted, when one did.
    #[oai(skip_serializing_if_is_none)]
    pub actor_superadmin_id: Option<SuperadminId>,
    /// The tenant user who acted, when one did.
    #[oai(skip_serializing_if_is_none)]
    pub actor_user_id: Option<UserId>,
    /// The API key that acted, when one did.
    #[oai(skip_serializing_if_is_none)]
    pub actor_api_key_id: Option<ApiKeyId>,
    /// What was done: `user.create`, `user.update`, `api_key.create`, `api_key.revoke`,
    /// `ticket.create`, `password.change`, `tenant.deactivate`…, or `<METHOD> <path>` for every
    /// request of a superadmin inside the tenant.
    pub action: String,
    /// What it was done to (a resource or request target).
    pub target: String,
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<String>,
    /// The client address the action came from.
    #[oai(skip_serializing_if_is_none)]
    pub ip: Option<String>,
    pub created_at: Timestamp,
}

impl From<AuditRow> for AuditEntryOut {
    fn from(a: AuditRow) -> Self {
        Self {
            id: a.id,
            tenant_id: a.tenant_id,
            actor_superadmin_id: a.actor_superadmin_id,
            actor_user_id: a.actor_user_id,
            actor_api_key_id: a.actor_api_key_id,
            action: a.action,
            target: a.target,
            request_id: a.request_id,
            ip: a.ip,
            created_at: a.created_at,
        }
    }
}

/// One page of audit entries, newest first.
pub type AuditPage = crate::api::Page<AuditEntryOut>;

#[OpenApi(prefix_path = "/v1/audit-log", tag = "Tag::Audit")]
impl AuditApi {
    /// Read the tenant's audit log (admins), newest first.
    #[oai(path = "/", method = "get", operation_id = "list_audit_log")]
    async fn list(
        &self,
        p: Tenant<Admin>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<AuditPage>> {
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, before, n| repo::audit::list(tx, before, n).await,
            |r| r.id,
        )
        .await
    }
}
