//! Who is calling. Two security schemes, both declared in the spec: `Authorization: Bearer` (an
//! access JWT or an API key) and `X-API-Key` (an API key). Both end in one [`Caller`]; a handler
//! then asks for what it needs: [`Caller::principal`] inside a tenant, [`Caller::platform`] for
//! superadmin routes.

pub mod bootstrap;
mod extract;
pub mod jwt;
pub mod secrets;

pub use extract::{Admin, AdminOrPlatform, Agent, AnyRole, MinRole, Platform, Tenant};

use poem::{Request, RequestBody, http::Method};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions, SecurityScheme,
    auth::{ApiKey, Bearer},
    registry::Registry,
};
use uuid::Uuid;

use crate::{
    app::AppState,
    db::{
        Role, Scope,
        tenant::{AccessToken, AuditCtx},
        unscoped,
    },
    error::{ApiError, ApiResult, ProblemCode},
    ids::{ApiKeyId, SuperadminId, TenantId, UserId},
};

/// How the caller authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// A user's access token.
    Jwt { jti: Uuid, ver: i32, exp: i64 },
    /// An API key.
    ApiKey { id: ApiKeyId },
    /// A superadmin acting inside a tenant (`X-Tenant-Id`).
    Superadmin { id: SuperadminId },
}

/// An authenticated caller inside one tenant.
#[derive(Clone, Debug)]
pub struct Principal {
    pub tenant_id: TenantId,
    pub user_id: Option<UserId>,
    pub role: Role,
    pub via: Via,
    audit: Option<AuditCtx>,
}

impl Principal {
    /// The scope of this caller's tenant transactions.
    pub fn scope(&self) -> Scope {
        Scope::caller(
            self.tenant_id,
            self.user_id,
            self.role,
            match self.via {
                Via::Jwt { jti, ver, .. } => Some(AccessToken { jti, ver }),
                _ => None,
            },
            match self.via {
                Via::ApiKey { id } => Some(id),
                _ => None,
            },
            self.audit.clone(),
        )
    }

    /// 403 unless the caller has at least `role` (user < agent < admin).
    pub fn require(&self, role: Role) -> ApiResult<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                ProblemCode::Forbidden,
                format!("this operation needs the {} role", role.as_str()),
            ))
        }
    }

    /// The user behind this caller; API keys and superadmins have none.
    pub fn require_user(&self) -> ApiResult<UserId> {
        self.user_id.ok_or_else(|| {
            ApiError::forbidden(
                ProblemCode::UserOnly,
                "this operation needs a user's access token",
            )
        })
    }
}

#[cfg(test)]
impl Principal {
    /// A caller for unit tests: a user's access token when `user_id` is given, else an API key.
    pub(crate) fn for_tests(role: Role, user_id: Option<UserId>) -> Self {
        let via = match user_id {
            Some(_) => Via::Jwt {
                jti: Uuid::nil(),
                ver: 0,
                exp: 0,
            },
            None => Via::ApiKey {
                id: ApiKeyId::from(Uuid::nil()),
            },
        };
        Self {
            tenant_id: TenantId::from(Uuid::nil()),
            user_id,
            role,
            via,
            audit: None,
        }
    }
}

/// Proof that the caller may open a platform transaction ([`crate::db::Db::platform`]). Its
/// field is private to this module: only a verified superadmin ([`Caller::platform`]) or the
/// `create-superadmin` command ([`bootstrap`]) gets one.
///
/// ```compile_fail,E0451
/// let forged = tenantdesk::auth::PlatformAccess { superadmin_id: None };
/// ```
///
/// A tenant scope cannot be written out either, only made by its named constructors:
///
/// ```compile_fail,E0451
/// use tenantdesk::{db::{Role, Scope}, ids::TenantId};
/// let tenant = TenantId::from(uuid::Uuid::nil());
/// let forged = Scope { tenant_id: tenant, user_id: None, role: Role::Admin,
///                      token: None, api_key_id: None, audit: None };
/// ```
///
/// ```
/// use tenantdesk::{db::Scope, ids::TenantId};
/// let worker = Scope::worker(TenantId::from(uuid::Uuid::nil()));
/// assert_eq!(worker.role(), tenantdesk::db::Role::Agent);
/// ```
pub struct PlatformAccess {
    superadmin_id: Option<SuperadminId>,
}

impl PlatformAccess {
    /// The superadmin behind this access; `None` for the `create-superadmin` command.
    pub(crate) fn superadmin_id(&self) -> Option<SuperadminId> {
        self.superadmin_id
    }
}

#[derive(Clone, Debug)]
pub enum Caller {
    Tenant(Principal),
    Superadmin {
        id: SuperadminId,
        acting_in: Option<Principal>,
    },
}

impl Caller {
    /// The caller inside a tenant: a user, an API key, or a superadmin who named a tenant with
    /// `X-Tenant-Id` (and whose every action there is audited).
    pub fn principal(&self) -> ApiResult<&Principal> {
        match self {
            Caller::Tenant(p) => Ok(p),
            Caller::Superadmin {
                acting_in: Some(p), ..
            } => Ok(p),
            Caller::Superadmin {
                acting_in: None, ..
            } => Err(ApiError::forbidden(
                ProblemCode::TenantRequired,
                "superadmins act inside a tenant by sending its id in the X-Tenant-Id header",
            )
            .with_field("X-Tenant-Id")),
        }
    }

    /// Access to platform transactions: superadmins only.
    pub fn platform(&self) -> ApiResult<PlatformAccess> {
        match self {
            Caller::Superadmin { id, .. } => Ok(PlatformAccess {
                superadmin_id: Some(*id),
            }),
            Caller::Tenant(_) => Err(ApiError::forbidden(
                ProblemCode::SuperadminOnly,
                "this operation is for platform superadmins",
            )),
        }
    }

    pub fn superadmin_id(&self) -> Option<SuperadminId> {
        match self {
            Caller::Superadmin { id, .. } => Some(*id),
            Caller::Tenant(_) => None,
        }
    }
}

/// `Authorization: Bearer <access token or API key>`.
#[derive(SecurityScheme)]
#[oai(
    rename = "BearerAuth",
    ty = "bearer",
    bearer_format = "JWT or API key",
    checker = "check_bearer"
)]
pub struct BearerAuth(Caller);

/// `X-API-Key: <API key>`.
#[derive(SecurityScheme)]
#[oai(
    rename = "ApiKeyAuth",
    ty = "api_key",
    key_name = "X-API-Key",
    key_in = "header",
    checker = "check_api_key_header"
)]
pub struct ApiKeyAuth(Caller);

/// Either scheme, as one extractor: a request with `X-API-Key` is judged by that key, any other
/// by its `Authorization: Bearer` header, so each failure reports its own reason (a revoked key,
/// an expired token, a read-only key used to write).
pub struct Auth(Caller);

impl<'a> ApiExtractor<'a> for Auth {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        BearerAuth::register(registry);
        ApiKeyAuth::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        let mut schemes = BearerAuth::security_schemes();
        schemes.extend(ApiKeyAuth::security_schemes());
        schemes
    }

    async fn from_request(
        req: &'a Request,
        body: &mut RequestBody,
        opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let caller = if req.headers().contains_key("x-api-key") {
            ApiKeyAuth::from_request(req, body, opts).await?.0
        } else {
            BearerAuth::from_request(req, body, opts).await?.0
        };
        // The caller is known: spend its rate-limit budget, and tell the usage log who it is.
        crate::usage::admit(req, &caller).await?;
        Ok(Auth(caller))
    }
}

impl Auth {
    pub fn caller(&self) -> &Caller {
        &self.0
    }

    pub fn principal(&self) -> ApiResult<&Principal> {
        self.0.principal()
    }

    pub fn platform(&self) -> ApiResult<PlatformAccess> {
        self.0.platform()
    }
}

fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")).into())
}

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let state = state(req)?;
    if bearer.token.starts_with(API_KEY_PREFIX) {
        return Ok(check_api_key(state, req, &bearer.token).await?);
    }
    let claims = state.keys.verify(&bearer.token)?;
    // `sub` is a superadmin's id or a user's, as the role says.
    if claims.role == "superadmin" {
        let id = SuperadminId::from(claims.sub);
        let acting_in = acting_tenant(req, id)?;
        if acting_in.is_some() {
            // Platform transactions refuse a deactivated superadmin; a tenant transaction cannot
            // see superadmins, so check the account here before acting inside a tenant.
            let access = PlatformAccess {
                superadmin_id: Some(id),
            };
            state.db.platform(&access, async |_| Ok(())).await?;
        }
        return Ok(Caller::Superadmin { id, acting_in });
    }
    let (Some(tenant_id), Some(role)) = (claims.tenant, Role::parse(&claims.role)) else {
        return Err(ApiError::unauthorized("invalid access token").into());
    };
    Ok(Caller::Tenant(Principal {
        tenant_id,
        user_id: Some(UserId::from(claims.sub)),
        role,
        via: Via::Jwt {
            jti: claims.jti,
            ver: claims.ver,
            exp: claims.exp,
        },
        audit: None,
    }))
}

async fn check_api_key_header(req: &Request, key: ApiKey) -> poem::Result<Caller> {
    Ok(check_api_key(state(req)?, req, &key.key).await?)
}

/// A superadmin names the tenant to act in with `X-Tenant-Id`; the action is audited.
fn acting_tenant(req: &Request, superadmin: SuperadminId) -> ApiResult<Option<Principal>> {
    let Some(raw) = req.headers().get("x-tenant-id") else {
        return Ok(None);
    };
    let tenant_id = raw
        .to_str()
        .ok()
        .and_then(|s| s.trim().parse::<TenantId>().ok())
        .ok_or_else(|| {
            ApiError::invalid("X-Tenant-Id", "X-Tenant-Id must be a tenant id (UUID)")
        })?;
    Ok(Some(Principal {
        tenant_id,
        user_id: None,
        role: Role::Admin,
        via: Via::Superadmin { id: superadmin },
        audit: Some(AuditCtx {
            actor_id: superadmin,
            action: format!("{} {}", req.method(), req.uri().path()),
            target: req.uri().to_string(),
            request_id: crate::telemetry::current_request_id(),
            ip: req
                .remote_addr()
                .as_socket_addr()
                .map(|a| a.ip().to_string()),
        }),
    }))
}

pub const API_KEY_PREFIX: &str = "tdk_";

crate::db::text_enum! {
    "snake_case":
    /// What an API key may do (`api_keys.scope`).
    pub enum ApiKeyScope {
        /// GET and HEAD only (and search), with an agent's visibility.
        ReadOnly,
        /// Reads and writes, with an agent's rights.
        ReadWrite,
        /// An admin's rights (users, API keys).
        Admin,
    }
}

impl ApiKeyScope {
    /// The tenant role a key of this scope acts with.
    pub fn role(self) -> Role {
        match self {
            ApiKeyScope::ReadOnly | ApiKeyScope::ReadWrite => Role::Agent,
            ApiKeyScope::Admin => Role::Admin,
        }
    }
}

/// API keys look like `tdk_<12 hex prefix>_<secret>`; the prefix finds the row, the sha256 of
/// the whole key must match.
async fn check_api_key(state: &AppState, req: &Request, key: &str) -> ApiResult<Caller> {
    let invalid = || ApiError::unauthorized("invalid API key");
    let prefix = key
        .strip_prefix(API_KEY_PREFIX)
        .and_then(|rest| rest.split_once('_'))
        .map(|(p, _)| p)
        .filter(|p| p.len() == 12 && p.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(invalid)?;
    let key_row = unscoped::api_key_for_auth(&state.db, prefix)
        .await?
        .ok_or_else(invalid)?;
    if !secrets::same_hash(&key_row.key_hash, &secrets::sha256(key)) {
        return Err(invalid());
    }
    let now = chrono::Utc::now();
    if key_row.revoked_at.is_some() {
        return Err(ApiError::unauthorized("API key revoked"));
    }
    if key_row.expires_at.is_some_and(|e| e <= now) {
        return Err(ApiError::unauthorized("API key expired"));
    }
    if !key_row.tenant_active {
        return Err(tenant_inactive());
    }
    // last_used_at is kept to the minute, so most requests do not write.
    if key_row
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::seconds(60))
    {
        unscoped::api_key_used(&state.db, key_row.tenant_id, key_row.id).await?;
    }
    let (tenant_id, id, scope) = (key_row.tenant_id, key_row.id, key_row.scope);
    // Search and asking are reads that take a body, so they are POSTs.
    let read = matches!(*req.method(), Method::GET | Method::HEAD)
        || (*req.method() == Method::POST && matches!(req.uri().path(), "/v1/search" | "/v1/ask"));
    if scope == ApiKeyScope::ReadOnly && !read {
        return Err(ApiError::forbidden(
            ProblemCode::ReadOnlyKey,
            "this API key is read-only",
        ));
    }
    Ok(Caller::Tenant(Principal {
        tenant_id,
        user_id: None,
        role: scope.role(),
        via: Via::ApiKey { id },
        audit: None,
    }))
}

pub fn tenant_inactive() -> ApiError {
    ApiError::forbidden(ProblemCode::TenantInactive, "this tenant is deactivated")
}

/// A plausible email address: one `@`, something on both sides, at most 254 characters.
pub fn validate_email(email: &str) -> ApiResult<()> {
    let email = email.trim();
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty()
                && !d.is_empty()
                && !d.contains('@')
                && !email.contains(char::is_whitespace)
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "email",
            "email must be an address like name@example.com",
        ))
    }
}

/// At least `min` characters and at most 1024 (argon2 input stays bounded).
pub fn validate_password(password: &str, min: usize) -> ApiResult<()> {
    let n = password.chars().count();
    if n < min {
        return Err(ApiError::invalid(
            "password",
            format!("password must be at least {min} characters"),
        ));
    }
    if n > 1024 {
        return Err(ApiError::invalid(
            "password",
            "password must be at most 1024 characters",
        ));
    }
    Ok(())
}
