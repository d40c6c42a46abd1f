//! Tenants, for platform superadmins. Every change is written to the tenant's audit log.

use poem::Request;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    api::body::JsonBody,
    api::{
        Tag,
        audit::AuditPage,
        cursor::{Cursor, Limit},
        text::Text,
        users::UserPage,
    },
    auth::Platform,
    db::PlatformTx,
    error::{ApiError, ApiResult},
    ids::{SuperadminId, TenantId},
    repo::{self, Timestamp, audit::NewAudit, tenants::TenantRow},
};

pub struct TenantsApi;

/// A new tenant.
#[derive(Debug, Object)]
pub struct TenantIn {
    /// Display name, 1–200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Text,
    /// Unique handle used at login: lowercase letters, digits and inner hyphens, 1–63 characters.
    #[oai(validator(max_length = 63, pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"))]
    pub slug: Text,
}

/// Changes to a tenant; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct TenantPatch {
    /// Display name, 1–200 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(min_length = 1, max_length = 200)
    )]
    pub name: Option<Text>,
    /// Unique handle used at login: lowercase letters, digits and inner hyphens, 1–63 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(max_length = 63, pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
    )]
    pub slug: Option<Text>,
}

/// A tenant (a customer company).
#[derive(Debug, Object)]
pub struct TenantOut {
    pub id: TenantId,
    pub name: String,
    pub slug: String,
    /// A deactivated tenant's users, tokens and API keys are refused (403 `tenant_inactive`).
    pub is_active: bool,
    #[oai(skip_serializing_if_is_none)]
    pub deactivated_at: Option<Timestamp>,
    /// Number of users (all states).
    #[oai(skip_serializing_if_is_none)]
    pub user_count: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<TenantRow> for TenantOut {
    fn from(t: TenantRow) -> Self {
        Self {
            id: t.id,
            name: t.name,
            slug: t.slug,
            is_active: t.is_active,
            deactivated_at: t.deactivated_at,
            user_count: t.user_count,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// One page of tenants, oldest first.
pub type TenantPage = crate::api::Page<TenantOut>;

#[derive(ApiResponse)]
pub enum CreatedTenant {
    /// Created.
    #[oai(status = 201)]
    Created(Json<TenantOut>),
}

/// Writes the audit entry for a platform action on `tenant`.
async fn audit(
    tx: &PlatformTx,
    req: &Request,
    superadmin: Option<SuperadminId>,
    tenant: TenantId,
    action: &str,
) -> ApiResult<()> {
    repo::audit::record_platform(
        tx,
        &NewAudit {
            tenant_id: tenant,
            actor_superadmin_id: superadmin,
            action,
            target: &format!("tenant:{tenant}"),
            request_id: crate::telemetry::current_request_id(),
            ip: req
                .remote_addr()
                .as_socket_addr()
                .map(|a| a.ip().to_string()),
        },
    )
    .await
}

impl TenantsApi {
    async fn set_active(
        req: &Request,
        su: &Platform,
        id: TenantId,
        active: bool,
    ) -> ApiResult<Json<TenantOut>> {
        let actor = su.superadmin_id();
        let action = if active {
            "tenant.reactivate"
        } else {
            "tenant.deactivate"
        };
        let t = su
            .tx(async |tx| {
                let t = repo::tenants::set_active(tx, id, active)
                    .await?
                    .ok_or_else(|| ApiError::not_found("tenant"))?;
                audit(tx, req, actor, id, action).await?;
                Ok(t)
            })
            .await?;
        Ok(Json(t.into()))
    }
}

#[OpenApi(prefix_path = "/v1/tenants", tag = "Tag::Tenants")]
impl TenantsApi {
    /// Create a tenant (superadmins). Then create its first admin with `POST /v1/users` and the
    /// header `X-Tenant-Id: <id>`.
    #[oai(path = "/", method = "post", operation_id = "create_tenant")]
    async fn create(
        &self,
        req: &Request,
        su: Platform,
        body: JsonBody<TenantIn>,
    ) -> ApiResult<CreatedTenant> {
        let (name, slug) = (&body.name, &body.slug);
        let actor = su.superadmin_id();
        let t = su
            .tx(async |tx| {
                let t = repo::tenants::create(tx, name, slug).await?;
                audit(tx, req, actor, t.id, "tenant.create").await?;
                Ok(t)
            })
            .await?;
        Ok(CreatedTenant::Created(Json(t.into())))
    }

    /// List tenants with their user counts (superadmins), oldest first.
    #[oai(path = "/", method = "get", operation_id = "list_tenants")]
    async fn list(
        &self,
        su: Platform,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<TenantPage>> {
        su.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| repo::tenants::list(tx, after, n).await,
            |r| r.id,
        )
        .await
    }

    /// Get a tenant (superadmins).
    #[oai(path = "/:id", method = "get", operation_id = "get_tenant")]
    async fn get(&self, su: Platform, id: Path<TenantId>) -> ApiResult<Json<TenantOut>> {
        let t = su
            .read(async |tx| repo::tenants::get(tx, id.0).await)
            .await?;
        t.map(|t| Json(t.into()))
            .ok_or_else(|| ApiError::not_found("tenant"))
    }

    /// Rename a tenant or change its slug (superadmins).
    #[oai(path = "/:id", method = "patch", operation_id = "update_tenant")]
    async fn update(
        &self,
        req: &Request,
        su: Platform,
        id: Path<TenantId>,
        body: JsonBody<TenantPatch>,
    ) -> ApiResult<Json<TenantOut>> {
        let (name, slug) = (body.name.as_deref(), body.slug.as_deref());
        let actor = su.superadmin_id();
        let t = su
            .tx(async |tx| {
                let t = repo::tenants::update(tx, id.0, name, slug)
                    .await?
                    .ok_or_else(|| ApiError::not_found("tenant"))?;
                audit(tx, req, actor, id.0, "tenant.update").await?;
                Ok(t)
            })
            .await?;
        Ok(Json(t.into()))
    }

    /// Deactivate a tenant (superadmins). Its users, tokens and API keys are refused at once
    /// with 403 `tenant_inactive`.
    #[oai(
        path = "/:id/deactivate",
        method = "post",
        operation_id = "deactivate_tenant"
    )]
    async fn deactivate(
        &self,
        req: &Request,
        su: Platform,
        id: Path<TenantId>,
    ) -> ApiResult<Json<TenantOut>> {
        Self::set_active(req, &su, id.0, false).await
    }

    /// Reactivate a tenant (superadmins).
    #[oai(
        path = "/:id/reactivate",
        method = "post",
        operation_id = "reactivate_tenant"
    )]
    async fn reactivate(
        &self,
        req: &Request,
        su: Platform,
        id: Path<TenantId>,
    ) -> ApiResult<Json<TenantOut>> {
        Self::set_active(req, &su, id.0, true).await
    }

    /// List any tenant's users (superadmins).
    #[oai(
        path = "/:id/users",
        method = "get",
        operation_id = "list_tenant_users"
    )]
    async fn users(
        &self,
        su: Platform,
        id: Path<TenantId>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<UserPage>> {
        su.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| {
                repo::tenants::get(tx, id.0)
                    .await?
                    .ok_or_else(|| ApiError::not_found("tenant"))?;
                repo::users::list_in_tenant(tx, id.0, after, n).await
            },
            |r| r.id,
        )
        .await
    }

    /// Read any tenant's audit log (superadmins), newest first.
    #[oai(
        path = "/:id/audit-log",
        method = "get",
        operation_id = "list_tenant_audit_log"
    )]
    async fn audit_log(
        &self,
        su: Platform,
        id: Path<TenantId>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<AuditPage>> {
        su.page(
            &cursor,
            limit.0.get(),
            async |tx, before, n| {
                repo::tenants::get(tx, id.0)
                    .await?
                    .ok_or_else(|| ApiError::not_found("tenant"))?;
                repo::audit::list_in_tenant(tx, id.0, before, n).await
            },
            |r| r.id,
        )
        .await
    }
}
