//! Login, refresh, logout. Wrong email and wrong password answer alike (same status, body and
//! argon2 work); repeated failures for one account or one client address answer 429.

use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use uuid::Uuid;

use crate::{
    api::Tag,
    api::body::JsonBody,
    api::text::Text,
    app::AppState,
    auth::{Tenant, Via, secrets, tenant_inactive},
    db::{Scope, unscoped},
    error::{ApiError, ApiResult, ProblemCode},
    ids::TenantId,
    repo::{self, tokens},
};

pub struct AuthApi;

/// Credentials of a tenant user.
#[derive(Debug, Object)]
pub struct TokenIn {
    /// The tenant's slug (case-insensitive), up to 63 characters.
    #[oai(validator(min_length = 1, max_length = 63))]
    pub tenant: Text,
    /// The user's email (case-insensitive), up to 254 characters.
    #[oai(validator(min_length = 1, max_length = 254))]
    pub email: Text,
    /// The user's password, up to 1024 characters.
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

/// Credentials of a platform superadmin.
#[derive(Debug, Object)]
pub struct SuperadminTokenIn {
    /// The superadmin's email (case-insensitive), up to 254 characters.
    #[oai(validator(min_length = 1, max_length = 254))]
    pub email: Text,
    /// The password, up to 1024 characters.
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

/// A refresh token to exchange.
#[derive(Debug, Object)]
pub struct RefreshIn {
    /// The refresh token from the last token response. It can be used once.
    #[oai(validator(max_length = 200))]
    pub refresh_token: Text,
}

/// What else to revoke at logout.
#[derive(Debug, Object, Default)]
pub struct LogoutIn {
    /// Also revoke this refresh token's whole family (this session).
    #[oai(skip_serializing_if_is_none, validator(max_length = 200))]
    pub refresh_token: Option<Text>,
    /// Revoke every refresh token of the user (all sessions).
    #[oai(default)]
    pub all_sessions: bool,
}

/// Tokens for the API.
#[derive(Debug, Object)]
pub struct TokenOut {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until `access_token` expires.
    pub expires_in: i64,
    /// Opaque, single-use token for `POST /v1/auth/refresh` (not issued to superadmins).
    #[oai(skip_serializing_if_is_none)]
    pub refresh_token: Option<String>,
    /// Seconds until `refresh_token` expires.
    #[oai(skip_serializing_if_is_none)]
    pub refresh_expires_in: Option<i64>,
    /// The authenticated user's (or superadmin's) id.
    pub user_id: Uuid,
    /// The user's tenant; absent for superadmins.
    #[oai(skip_serializing_if_is_none)]
    pub tenant_id: Option<TenantId>,
    /// `user`, `agent`, `admin` or `superadmin`.
    pub role: String,
}

#[derive(ApiResponse)]
pub enum LogoutResponse {
    /// Revoked.
    #[oai(status = 204)]
    Done,
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        poem::http::StatusCode::UNAUTHORIZED,
        ProblemCode::InvalidCredentials,
        "invalid credentials",
    )
}

/// Who is logging in, normalised once — each part trimmed (a [`Text`]) and lower-cased, as the
/// look-ups compare — before anything keys on it: the throttle and the look-ups see the same
/// account however it was spelled (`"acme "`, `" Ada@Acme.test"`).
struct Account {
    tenant: Option<String>,
    email: String,
}

impl Account {
    fn tenant_user(tenant: &Text, email: &Text) -> Self {
        Self {
            tenant: Some(tenant.to_lowercase()),
            email: email.to_lowercase(),
        }
    }

    fn superadmin(email: &Text) -> Self {
        Self {
            tenant: None,
            email: email.to_lowercase(),
        }
    }

    /// The throttle key of this account.
    fn key(&self) -> Vec<u8> {
        match &self.tenant {
            Some(t) => secrets::sha256(&format!("acct:{t}:{}", self.email)),
            None => secrets::sha256(&format!("superadmin:{}", self.email)),
        }
    }
}

/// The throttle key of a client address (shared by every credential check).
pub(crate) fn address_key(req: &Request) -> Vec<u8> {
    let ip = req
        .remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    secrets::sha256(&format!("ip:{ip}"))
}

/// 429 when the account (`keys[0]`) or the address (`keys[1]`) has failed too often within the
/// window.
pub(crate) async fn throttle(state: &AppState, keys: &[Vec<u8>; 2]) -> ApiResult<()> {
    let cfg = &state.config.auth;
    let limits = [cfg.login_max_failures, cfg.login_max_failures_per_address].map(|n| n as i32);
    let wait =
        unscoped::login_throttle(&state.db, keys, &limits, cfg.login_window.as_secs() as i64)
            .await?;
    if wait > 0 {
        return Err(ApiError::too_many(
            wait as u64,
            "too many failed logins; try again later",
        ));
    }
    Ok(())
}

impl AuthApi {
    /// Issues an access token and starts (or continues) a refresh-token family.
    async fn issue(
        state: &AppState,
        tx: &crate::db::TenantTx,
        user: &repo::users::UserRow,
        family: Uuid,
    ) -> ApiResult<TokenOut> {
        let (user_id, role) = (user.id, user.role);
        let (access, claims) = state.keys.issue(
            user_id.into(),
            Some(tx.tenant_id()),
            role.as_str(),
            user.session_version,
        )?;
        let refresh = secrets::random_token(32);
        let ttl = state.config.auth.refresh_ttl;
        let expires =
            chrono::Utc::now() + chrono::Duration::from_std(ttl).map_err(ApiError::internal)?;
        tokens::insert_refresh(tx, user_id, family, &secrets::sha256(&refresh), expires).await?;
        Ok(TokenOut {
            access_token: access,
            token_type: "Bearer".into(),
            expires_in: claims.exp - claims.iat,
            refresh_token: Some(refresh),
            refresh_expires_in: Some(ttl.as_secs() as i64),
            user_id: user_id.into(),
            tenant_id: Some(tx.tenant_id()),
            role: role.as_str().to_string(),
        })
    }
}

#[OpenApi(prefix_path = "/v1/auth", tag = "Tag::Auth")]
impl AuthApi {
    /// Log in as a tenant user.
    ///
    /// Returns a short-lived access JWT and a single-use refresh token. Wrong tenant, email or
    /// password all answer 401 `invalid_credentials`; after `LOGIN_MAX_FAILURES` failures for one
    /// account, or `LOGIN_MAX_FAILURES_PER_ADDRESS` from one client address, within
    /// `LOGIN_WINDOW_SECS`: 429 with `Retry-After`. A deactivated tenant or user answers 403
    /// (`tenant_inactive`, `user_inactive`) only to the right password.
    #[oai(path = "/token", method = "post", operation_id = "login")]
    async fn token(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<TokenIn>,
    ) -> ApiResult<Json<TokenOut>> {
        let state = *state;
        let login = Account::tenant_user(&body.tenant, &body.email);
        let account = login.key();
        let keys = [account.clone(), address_key(req)];
        throttle(state, &keys).await?;

        let tenant =
            unscoped::tenant_by_slug(&state.db, login.tenant.as_deref().unwrap_or_default())
                .await?;
        // A deactivated tenant's accounts are looked up too: a correct password then learns
        // `tenant_inactive`, a wrong one the same `invalid_credentials` as anywhere else.
        let found = match tenant {
            Some((tenant_id, active)) => {
                let email = login.email.clone();
                state
                    .db
                    .tenant_for_login(tenant_id, async |tx| {
                        repo::users::by_email_for_login(tx, &email).await
                    })
                    .await?
                    .map(|(user, hash)| (tenant_id, active, user, hash))
            }
            None => None,
        };
        let hash = found.as_ref().and_then(|(_, _, _, h)| h.clone());
        if !secrets::verify_password(body.password.clone(), hash).await {
            unscoped::login_failed(&state.db, &keys).await?;
            return Err(invalid_credentials());
        }
        // The password matched, so the account exists.
        let Some((tenant_id, active, user, _)) = found else {
            return Err(invalid_credentials());
        };
        if !active {
            return Err(tenant_inactive());
        }
        if !user.is_active {
            return Err(ApiError::forbidden(
                ProblemCode::UserInactive,
                "this user is deactivated",
            ));
        }
        unscoped::login_succeeded(&state.db, &account).await?;
        let out = state
            .db
            .tenant(&Scope::anonymous(tenant_id), async |tx| {
                repo::users::touch_login(tx, user.id).await?;
                Self::issue(state, tx, &user, Uuid::now_v7()).await
            })
            .await?;
        Ok(Json(out))
    }

    /// Log in as a platform superadmin.
    ///
    /// Superadmins get an access token only (no refresh token): log in again when it expires.
    #[oai(
        path = "/superadmin/token",
        method = "post",
        operation_id = "login_superadmin"
    )]
    async fn superadmin_token(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: JsonBody<SuperadminTokenIn>,
    ) -> ApiResult<Json<TokenOut>> {
        let state = *state;
        let login = Account::superadmin(&body.email);
        let account = login.key();
        let keys = [account.clone(), address_key(req)];
        throttle(state, &keys).await?;
        let found = unscoped::superadmin_for_login(&state.db, &login.email).await?;
        let hash = found.as_ref().map(|(_, h, _)| h.clone());
        if !secrets::verify_password(body.password.clone(), hash).await {
            unscoped::login_failed(&state.db, &keys).await?;
            return Err(invalid_credentials());
        }
        let Some((id, _, active)) = found else {
            return Err(invalid_credentials());
        };
        if !active {
            return Err(ApiError::forbidden(
                ProblemCode::UserInactive,
                "this superadmin is deactivated",
            ));
        }
        unscoped::login_succeeded(&state.db, &account).await?;
        unscoped::superadmin_logged_in(&state.db, id).await?;
        let (access, claims) = state.keys.issue(id.into(), None, "superadmin", 0)?;
        Ok(Json(TokenOut {
            access_token: access,
            token_type: "Bearer".into(),
            expires_in: claims.exp - claims.iat,
            refresh_token: None,
            refresh_expires_in: None,
            user_id: id.into(),
            tenant_id: None,
            role: "superadmin".into(),
        }))
    }

    /// Exchange a refresh token for a new access token and a new refresh token.
    ///
    /// Each refresh token works once. Presenting one that was already used revokes its whole
    /// family (every token descended from the same login) and answers 401
    /// `refresh_token_reused`: somebody else has a copy.
    #[oai(path = "/refresh", method = "post", operation_id = "refresh_token")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: JsonBody<RefreshIn>,
    ) -> ApiResult<Json<TokenOut>> {
        let state = *state;
        let hash = secrets::sha256(&body.refresh_token);
        let invalid = || ApiError::unauthorized("invalid refresh token");
        let tenant_id = unscoped::refresh_token_tenant(&state.db, &hash)
            .await?
            .ok_or_else(invalid)?;
        enum Outcome {
            Issued(TokenOut),
            Reused,
        }
        let outcome = state
            .db
            .tenant(&Scope::anonymous(tenant_id), async |tx| {
                let row = tokens::find_refresh_for_update(tx, &hash)
                    .await?
                    .ok_or_else(invalid)?;
                if row.revoked_at.is_some() {
                    return Err(ApiError::unauthorized("refresh token revoked"));
                }
                if row.used_at.is_some() {
                    tokens::revoke_family(tx, row.family_id).await?;
                    return Ok(Outcome::Reused);
                }
                if row.expires_at <= chrono::Utc::now() {
                    return Err(ApiError::unauthorized("refresh token expired"));
                }
                let user = repo::users::get(tx, row.user_id)
                    .await?
                    .ok_or_else(invalid)?;
                if !user.is_active {
                    return Err(ApiError::forbidden(
                        ProblemCode::UserInactive,
                        "this user is deactivated",
                    ));
                }
                tokens::mark_used(tx, row.id).await?;
                Self::issue(state, tx, &user, row.family_id)
                    .await
                    .map(Outcome::Issued)
            })
            .await?;
        match outcome {
            Outcome::Issued(t) => Ok(Json(t)),
            Outcome::Reused => Err(ApiError::new(
                poem::http::StatusCode::UNAUTHORIZED,
                ProblemCode::RefreshTokenReused,
                "this refresh token was already used; its session has been revoked",
            )),
        }
    }

    /// Log out: revokes the access token used for this call at once, and optionally this
    /// session's refresh tokens or every session of the user.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        p: Tenant,
        body: JsonBody<Option<LogoutIn>>,
    ) -> ApiResult<LogoutResponse> {
        let Via::Jwt { jti, exp, .. } = p.via else {
            return Err(ApiError::forbidden(
                ProblemCode::UserOnly,
                "log out with a user's access token",
            ));
        };
        let user_id = p.require_user()?;
        let body = body.0.unwrap_or_default();
        let exp = chrono::DateTime::from_timestamp(exp, 0).unwrap_or_else(chrono::Utc::now);
        p.tx(async |tx| {
            tokens::revoke_access(tx, jti, exp).await?;
            if body.all_sessions {
                tokens::revoke_user(tx, user_id).await?;
            } else if let Some(rt) = &body.refresh_token {
                let hash = secrets::sha256(rt);
                // Only the caller's own refresh tokens can be revoked this way.
                if let Some(row) = tokens::find_refresh_for_update(tx, &hash).await?
                    && row.user_id == user_id
                {
                    tokens::revoke_family(tx, row.family_id).await?;
                }
            }
            Ok(())
        })
        .await?;
        Ok(LogoutResponse::Done)
    }
}
