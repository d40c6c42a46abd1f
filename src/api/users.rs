//! Users of the caller's tenant. Admins create and change them; agents may read them (to
//! assign work); users get 403.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    api::body::JsonBody,
    api::{
        Tag, UserRole,
        cursor::{Cursor, Limit},
        text::Text,
    },
    app::AppState,
    auth::{Admin, Agent, Tenant, secrets, validate_password},
    db::Role,
    error::{ApiError, ApiResult, ProblemCode},
    ids::{TenantId, UserId},
    repo::{self, Timestamp, users::UserRow},
};

pub struct UsersApi;

/// A new user.
#[derive(Debug, Object)]
pub struct UserIn {
    /// Unique within the tenant, case-insensitively: an address like `name@example.com`, up to
    /// 254 characters.
    #[oai(validator(
        max_length = 254,
        pattern = r"^[^@\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$"
    ))]
    pub email: Text,
    /// Display name, up to 200 characters.
    #[oai(default, validator(max_length = 200))]
    pub full_name: Text,
    /// What the user may do in the tenant.
    pub role: UserRole,
    /// At least 12 characters (more when `PASSWORD_MIN_LENGTH` says so), at most 1024.
    #[oai(validator(min_length = 12, max_length = 1024))]
    pub password: String,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct UserPatch {
    /// Display name, 1–200 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(min_length = 1, max_length = 200)
    )]
    pub full_name: Option<Text>,
    /// The new role (an admin cannot demote themself).
    #[oai(skip_serializing_if_is_none)]
    pub role: Option<UserRole>,
    /// `false` deactivates (and revokes the user's refresh tokens), `true` reactivates.
    #[oai(skip_serializing_if_is_none)]
    pub is_active: Option<bool>,
}

/// A user of a tenant.
#[derive(Debug, Object)]
pub struct UserOut {
    pub id: UserId,
    pub tenant_id: TenantId,
    pub email: String,
    pub full_name: String,
    pub role: UserRole,
    pub is_active: bool,
    #[oai(skip_serializing_if_is_none)]
    pub last_login_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<UserRow> for UserOut {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            tenant_id: u.tenant_id,
            email: u.email,
            full_name: u.full_name,
            role: u.role.into(),
            is_active: u.is_active,
            last_login_at: u.last_login_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// One page of users, oldest first.
pub type UserPage = crate::api::Page<UserOut>;

#[derive(ApiResponse)]
pub enum CreatedUser {
    /// Created.
    #[oai(status = 201)]
    Created(Json<UserOut>),
}

#[OpenApi(prefix_path = "/v1/users", tag = "Tag::Users")]
impl UsersApi {
    /// Create a user in the caller's tenant (admins).
    #[oai(path = "/", method = "post", operation_id = "create_user")]
    async fn create(
        &self,
        state: Data<&AppState>,
        p: Tenant<Admin>,
        body: JsonBody<UserIn>,
    ) -> ApiResult<CreatedUser> {
        validate_password(&body.password, state.config.auth.password_min_len)?;
        let hash = secrets::hash_password(body.password.clone()).await?;
        let new = repo::users::NewUser {
            email: &body.email,
            full_name: &body.full_name,
            role: body.role.into(),
            password_hash: &hash,
        };
        let user = p
            .tx(async |tx| {
                let user = repo::users::create(tx, &new).await?;
                repo::audit::record(tx, "user.create", &format!("user:{}", user.id)).await?;
                Ok(user)
            })
            .await?;
        Ok(CreatedUser::Created(Json(user.into())))
    }

    /// List the tenant's users (agents and admins), oldest first.
    #[oai(path = "/", method = "get", operation_id = "list_users")]
    async fn list(
        &self,
        p: Tenant<Agent>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<UserPage>> {
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| repo::users::list(tx, after, n).await,
            |r| r.id,
        )
        .await
    }

    /// Get one user of the tenant (agents and admins).
    #[oai(path = "/:id", method = "get", operation_id = "get_user")]
    async fn get(&self, p: Tenant<Agent>, id: Path<UserId>) -> ApiResult<Json<UserOut>> {
        let user = p.read(async |tx| repo::users::get(tx, id.0).await).await?;
        user.map(|u| Json(u.into()))
            .ok_or_else(|| ApiError::not_found("user"))
    }

    /// Change a user's name, role or active flag (admins). Deactivating revokes the user's
    /// refresh tokens; their requests are refused from that moment.
    #[oai(path = "/:id", method = "patch", operation_id = "update_user")]
    async fn update(
        &self,
        p: Tenant<Admin>,
        id: Path<UserId>,
        body: JsonBody<UserPatch>,
    ) -> ApiResult<Json<UserOut>> {
        let patch = repo::users::UserPatch {
            full_name: body.full_name.as_deref(),
            role: body.role.map(Role::from),
            is_active: body.is_active,
        };
        change_user(&p, id.0, &patch).await.map(|u| Json(u.into()))
    }

    /// Deactivate a user (admins): same as `PATCH` with `is_active: false`.
    #[oai(
        path = "/:id/deactivate",
        method = "post",
        operation_id = "deactivate_user"
    )]
    async fn deactivate(&self, p: Tenant<Admin>, id: Path<UserId>) -> ApiResult<Json<UserOut>> {
        let patch = repo::users::UserPatch {
            is_active: Some(false),
            ..Default::default()
        };
        change_user(&p, id.0, &patch).await.map(|u| Json(u.into()))
    }
}

/// Applies a change; an admin cannot lock themself out (deactivate or demote themself).
async fn change_user(
    p: &Tenant<Admin>,
    id: UserId,
    patch: &repo::users::UserPatch<'_>,
) -> ApiResult<UserRow> {
    if p.user_id == Some(id)
        && (patch.is_active == Some(false) || patch.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(ApiError::conflict(
            ProblemCode::CannotChangeSelf,
            "an admin cannot deactivate or demote themself; ask another admin",
        ));
    }
    p.tx(async |tx| {
        let user = repo::users::update(tx, id, patch)
            .await?
            .ok_or_else(|| ApiError::not_found("user"))?;
        if patch.is_active == Some(false) {
            repo::tokens::revoke_user(tx, id).await?;
        }
        repo::audit::record(tx, "user.update", &format!("user:{id}")).await?;
        Ok(user)
    })
    .await
}
