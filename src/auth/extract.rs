//! [`Tenant`]: the extractor of nearly every handler, [`Platform`] for superadmin routes, and
//! [`AdminOrPlatform`] for reports either may read. It authenticates exactly as [`Auth`] does
//! (the same two security schemes in the spec), resolves the caller inside its tenant, checks
//! the role the type names, and opens the caller's tenant transaction ([`Tenant::tx`]).
//!
//! The order of a request's checks follows from it: authentication (401), then the role (403),
//! then the input (422) — the extractor runs before the parameters and the body are judged, so a
//! caller without the role learns nothing about validation.

use std::{marker::PhantomData, ops::Deref};

use poem::{Request, RequestBody};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions, registry::Registry};

use super::{Auth, Caller, PlatformAccess, Principal, state};
use crate::{
    db::{Db, PlatformTx, Role, TenantTx},
    error::ApiResult,
    ids::SuperadminId,
};

/// The least role a [`Tenant`] extractor admits.
pub trait MinRole: Send + Sync + 'static {
    const ROLE: Role;
}

/// Any caller of the tenant (user, agent, admin, API key, acting superadmin).
pub struct AnyRole;
/// Agents and admins (and API keys, which act as one of them).
pub struct Agent;
/// Admins.
pub struct Admin;

impl MinRole for AnyRole {
    const ROLE: Role = Role::User;
}
impl MinRole for Agent {
    const ROLE: Role = Role::Agent;
}
impl MinRole for Admin {
    const ROLE: Role = Role::Admin;
}

/// An authenticated caller inside its tenant with at least the role `R`.
pub struct Tenant<R: MinRole = AnyRole> {
    principal: Principal,
    db: Db,
    _role: PhantomData<R>,
}

impl<R: MinRole> Tenant<R> {
    /// Runs `f` in this caller's tenant transaction.
    pub async fn tx<T>(&self, f: impl AsyncFnOnce(&mut TenantTx) -> ApiResult<T>) -> ApiResult<T> {
        self.db.tenant(&self.principal.scope(), f).await
    }

    /// Runs `f`, which only reads, in this caller's read-only tenant transaction, one round trip
    /// shorter than [`Tenant::tx`] (see [`Db::tenant_read`] for what `f` may do).
    pub async fn read<T>(
        &self,
        f: impl AsyncFnOnce(&mut TenantTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.db.tenant_read(&self.principal.scope(), f).await
    }

    pub fn principal(&self) -> &Principal {
        &self.principal
    }
}

impl<R: MinRole> Deref for Tenant<R> {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<R: MinRole> Tenant<R> {
    fn from_auth(auth: Auth, db: Db) -> ApiResult<Self> {
        let principal = auth.principal()?.clone();
        principal.require(R::ROLE)?;
        Ok(Self {
            principal,
            db,
            _role: PhantomData,
        })
    }
}

/// A platform superadmin (routes outside any tenant): authenticated as [`Auth`] does, 403 for
/// anyone else, and the platform transaction ([`Platform::tx`]).
pub struct Platform {
    access: PlatformAccess,
    db: Db,
}

impl Platform {
    /// Runs `f` in a platform transaction.
    pub async fn tx<T>(
        &self,
        f: impl AsyncFnOnce(&mut PlatformTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.db.platform(&self.access, f).await
    }

    /// Runs `f`, which only reads, in a read-only platform transaction, one round trip shorter
    /// than [`Platform::tx`] (see [`Db::platform_read`]).
    pub async fn read<T>(
        &self,
        f: impl AsyncFnOnce(&mut PlatformTx) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.db.platform_read(&self.access, f).await
    }

    pub fn superadmin_id(&self) -> Option<SuperadminId> {
        self.access.superadmin_id()
    }
}

impl Platform {
    fn from_auth(auth: Auth, db: Db) -> ApiResult<Self> {
        Ok(Self {
            access: auth.platform()?,
            db,
        })
    }
}

/// The `ApiExtractor` of a type made from [`Auth`] by its `from_auth`: the same two security
/// schemes in the spec, the same authentication, then the type's own check.
macro_rules! from_auth {
    ([$($g:tt)*] $ty:ty) => {
        impl<'a, $($g)*> ApiExtractor<'a> for $ty {
            const TYPES: &'static [ApiExtractorType] = Auth::TYPES;
            type ParamType = ();
            type ParamRawType = ();

            fn register(registry: &mut Registry) {
                Auth::register(registry);
            }

            fn security_schemes() -> Vec<&'static str> {
                Auth::security_schemes()
            }

            async fn from_request(
                req: &'a Request,
                body: &mut RequestBody,
                opts: ExtractParamOptions<()>,
            ) -> poem::Result<Self> {
                let auth = Auth::from_request(req, body, opts).await?;
                Ok(Self::from_auth(auth, state(req)?.db.clone())?)
            }
        }
    };
}

/// A tenant admin (or a superadmin acting in a tenant with `X-Tenant-Id`), or a superadmin
/// without one, on the whole platform: the callers of reports that cover either.
pub enum AdminOrPlatform {
    Tenant(Tenant<Admin>),
    Platform(Platform),
}

impl AdminOrPlatform {
    fn from_auth(auth: Auth, db: Db) -> ApiResult<Self> {
        match auth.caller() {
            Caller::Superadmin {
                acting_in: None, ..
            } => Platform::from_auth(auth, db).map(Self::Platform),
            _ => Tenant::from_auth(auth, db).map(Self::Tenant),
        }
    }
}

from_auth!([R: MinRole] Tenant<R>);
from_auth!([] Platform);
from_auth!([] AdminOrPlatform);
