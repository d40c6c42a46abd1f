//! The caller's own account.

use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use crate::{
    api::auth::{address_key, throttle},
    api::body::JsonBody,
    api::{Tag, UserRole, tenants::TenantOut, users::UserOut},
    app::AppState,
    auth::{Tenant, Via, secrets, validate_password},
    db::unscoped,
    error::{ApiError, ApiResult},
    ids::{ApiKeyId, SuperadminId},
    repo,
};

pub struct MeApi;

/// Who the caller is.
#[derive(Debug, Object)]
pub struct MeOut {
    /// The tenant the request runs in.
    pub tenant: TenantOut,
    /// The role the request runs with.
    pub role: UserRole,
    /// `jwt` (a user), `api_key`, or `superadmin` (acting inside the tenant).
    pub via: String,
    /// The user, when the caller is one.
    #[oai(skip_serializing_if_is_none)]
    pub user: Option<UserOut>,
    /// The API key's id, when the caller used one.
    #[oai(skip_serializing_if_is_none)]
    pub api_key_id: Option<ApiKeyId>,
    /// The superadmin's id, when a superadmin acts inside the tenant.
    #[oai(skip_serializing_if_is_none)]
    pub superadmin_id: Option<SuperadminId>,
}

/// A password change.
#[derive(Debug, Object)]
pub struct PasswordChangeIn {
    /// The password now, up to 1024 characters. Wrong guesses are throttled like logins.
    #[oai(validator(max_length = 1024))]
    pub current_password: String,
    /// At least 12 characters (more when `PASSWORD_MIN_LENGTH` says so), at most 1024.
    #[oai(validator(min_length = 12, max_length = 1024))]
    pub new_password: String,
}

#[derive(ApiResponse)]
pub enum PasswordChanged {
    /// Changed; every refresh token of the user is revoked (other sessions must log in again).
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/v1/me", tag = "Tag::Me")]
impl MeApi {
    /// The caller: tenant, role, and the user or API key behind the request.
    #[oai(path = "/", method = "get", operation_id = "get_me")]
    async fn me(&self, p: Tenant) -> ApiResult<Json<MeOut>> {
        let (tenant, user) = p
            .read(async |tx| {
                let tenant = repo::tenants::current(tx)
                    .await?
                    .ok_or_else(|| ApiError::not_found("tenant"))?;
                let user = match p.user_id {
                    Some(id) => repo::users::get(tx, id).await?,
                    None => None,
                };
                Ok((tenant, user))
            })
            .await?;
        let (via, api_key_id, superadmin_id) = match p.via {
            Via::Jwt { .. } => ("jwt", None, None),
            Via::ApiKey { id } => ("api_key", Some(id), None),
            Via::Superadmin { id } => ("superadmin", None, Some(id)),
        };
        Ok(Json(MeOut {
            tenant: tenant.into(),
            role: p.role.into(),
            via: via.into(),
            user: user.map(Into::into),
            api_key_id,
            superadmin_id,
        }))
    }

    /// Change one's own password (users only). The current password is required; wrong ones
    /// count like failed logins: after `LOGIN_MAX_FAILURES` for the account, or
    /// `LOGIN_MAX_FAILURES_PER_ADDRESS` from the client address, within `LOGIN_WINDOW_SECS`,
    /// 429 with `Retry-After`.
    #[oai(path = "/password", method = "post", operation_id = "change_password")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        req: &Request,
        p: Tenant,
        body: JsonBody<PasswordChangeIn>,
    ) -> ApiResult<PasswordChanged> {
        let user_id = p.require_user()?;
        validate_password(&body.new_password, state.config.auth.password_min_len)
            .map_err(|e| e.with_field("new_password"))?;
        // Someone holding a stolen access token could otherwise guess the password here, where
        // login would throttle them.
        let keys = [
            secrets::sha256(&format!("password:{}:{user_id}", p.tenant_id)),
            address_key(req),
        ];
        throttle(&state, &keys).await?;
        let current = p
            .tx(async |tx| repo::users::password_hash(tx, user_id).await)
            .await?;
        if !secrets::verify_password(body.current_password.clone(), current).await {
            unscoped::login_failed(&state.db, &keys).await?;
            return Err(ApiError::invalid(
                "current_password",
                "current_password is wrong",
            ));
        }
        unscoped::login_succeeded(&state.db, &keys[0]).await?;
        let hash = secrets::hash_password(body.new_password.clone()).await?;
        p.tx(async |tx| {
            repo::users::set_password(tx, user_id, &hash).await?;
            repo::tokens::revoke_user(tx, user_id).await?;
            repo::audit::record(tx, "password.change", &format!("user:{user_id}")).await?;
            Ok(())
        })
        .await?;
        Ok(PasswordChanged::Done)
    }
}
