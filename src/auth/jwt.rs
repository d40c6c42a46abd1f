//! Access tokens: HS256 JWTs with `sub, tenant, role, iat, exp, jti, iss, aud`. The header's
//! `kid` picks the verification key, so keys rotate without logging anybody out (see
//! `JWT_KEYS` in the README).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{config::AuthConfig, error::ApiError, ids::TenantId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user's id, or the superadmin's.
    pub sub: Uuid,
    /// The user's tenant; absent for a superadmin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<TenantId>,
    /// `user`, `agent`, `admin` or `superadmin`.
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
    /// The user's session version when issued; a token whose version is no longer current is
    /// refused (all sessions ended). Always 0 for superadmins.
    #[serde(default)]
    pub ver: i32,
    pub iss: String,
    pub aud: String,
}

pub struct Keys {
    signing: (String, EncodingKey),
    verifying: Vec<(String, DecodingKey)>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: i64,
}

impl Keys {
    /// Fails when `JWT_KEYS` is not set: there is no built-in key.
    pub fn new(cfg: &AuthConfig) -> anyhow::Result<Self> {
        let keys = cfg.signing_keys()?;
        let secret = |k: &crate::config::JwtKey| k.secret.expose_secret().as_bytes().to_vec();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&cfg.jwt_issuer]);
        validation.set_audience(&[&cfg.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Ok(Self {
            signing: (
                keys[0].kid.clone(),
                EncodingKey::from_secret(&secret(&keys[0])),
            ),
            verifying: keys
                .iter()
                .map(|k| (k.kid.clone(), DecodingKey::from_secret(&secret(k))))
                .collect(),
            validation,
            issuer: cfg.jwt_issuer.clone(),
            audience: cfg.jwt_audience.clone(),
            ttl: cfg.access_ttl.as_secs() as i64,
        })
    }

    /// Issues an access token; returns it with its claims.
    pub fn issue(
        &self,
        sub: Uuid,
        tenant: Option<TenantId>,
        role: &str,
        ver: i32,
    ) -> Result<(String, Claims), ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub,
            tenant,
            role: role.to_string(),
            iat: now,
            exp: now + self.ttl,
            jti: Uuid::new_v4(),
            ver,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing.0.clone());
        let token =
            jsonwebtoken::encode(&header, &claims, &self.signing.1).map_err(ApiError::internal)?;
        Ok((token, claims))
    }

    /// Verifies signature, algorithm, expiry, issuer and audience. Anything wrong is a 401 whose
    /// detail says which check failed (never which key would have worked).
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| ApiError::unauthorized("malformed access token"))?;
        if header.alg != Algorithm::HS256 {
            return Err(ApiError::unauthorized("unsupported token algorithm"));
        }
        let key = match &header.kid {
            Some(kid) => self
                .verifying
                .iter()
                .find(|(k, _)| k == kid)
                .map(|(_, key)| key),
            None => None,
        }
        .ok_or_else(|| ApiError::unauthorized("unknown signing key"))?;
        jsonwebtoken::decode::<Claims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| {
                ApiError::unauthorized(match e.kind() {
                    ErrorKind::ExpiredSignature => "access token expired",
                    ErrorKind::InvalidIssuer => "wrong token issuer",
                    ErrorKind::InvalidAudience => "wrong token audience",
                    ErrorKind::InvalidSignature => "invalid token signature",
                    _ => "invalid access token",
                })
            })
    }
}
