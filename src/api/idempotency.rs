//! `Idempotency-Key` on creating requests: the same key with the same request replays the first
//! response; the same key with a different request (another body, operation or caller) is a 422.
//! Keys are per tenant and kept 24 hours. Only successful responses are stored: a request that
//! failed may be retried with the same key.

use poem::http::StatusCode;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sha2::{Digest, Sha256};

use crate::{
    auth::{Principal, Via},
    db::TenantTx,
    error::{ApiError, ApiResult, ProblemCode},
    repo::idempotency::{self, Claim},
};

pub const HEADER: &str = "Idempotency-Key";

/// A validated key and the hash of the request it belongs to.
pub struct IdempotencyKey {
    key: String,
    hash: Vec<u8>,
}

impl IdempotencyKey {
    /// `None` when the request carried no key. `operation` names the endpoint (method, path
    /// with ids); `body` is the parsed body, so formatting and key order do not matter.
    pub fn from_header(
        raw: Option<&str>,
        p: &Principal,
        operation: &str,
        body: &impl ToJSON,
    ) -> ApiResult<Option<Self>> {
        let Some(key) = raw else { return Ok(None) };
        let key = key.trim();
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::invalid(
                HEADER,
                "Idempotency-Key must be 1–255 printable ASCII characters",
            ));
        }
        let caller = match p.via {
            Via::Jwt { .. } => format!(
                "user:{}",
                p.user_id.map(uuid::Uuid::from).unwrap_or_default()
            ),
            Via::ApiKey { id } => format!("api_key:{id}"),
            Via::Superadmin { id } => format!("superadmin:{id}"),
        };
        let body = body.to_json().map(|v| v.to_string()).unwrap_or_default();
        let mut h = Sha256::new();
        for part in [caller.as_str(), operation, body.as_str()] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        Ok(Some(Self {
            key: key.to_string(),
            hash: h.finalize().to_vec(),
        }))
    }
}

/// Runs `work` once per key inside the caller's transaction. Returns the output and whether it
/// is a replay of an earlier response.
pub async fn once<T: ToJSON + ParseFromJSON>(
    tx: &TenantTx,
    key: Option<&IdempotencyKey>,
    status: u16,
    work: impl AsyncFnOnce(&TenantTx) -> ApiResult<T>,
) -> ApiResult<(T, bool)> {
    let Some(k) = key else {
        return Ok((work(tx).await?, false));
    };
    match idempotency::claim(tx, &k.key, &k.hash).await? {
        Claim::Replay { body, .. } => {
            let value = serde_json::from_str(&body).map_err(ApiError::internal)?;
            let out = T::parse_from_json(Some(value)).map_err(|e| {
                ApiError::internal(anyhow::anyhow!("stored response: {}", e.into_message()))
            })?;
            Ok((out, true))
        }
        Claim::Mismatch => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::IdempotencyKeyReused,
            "this Idempotency-Key was already used for a different request",
        )
        .with_field(HEADER)),
        Claim::New => {
            let out = work(tx).await?;
            let body = out.to_json().map(|v| v.to_string()).unwrap_or_default();
            idempotency::complete(tx, &k.key, status, &body).await?;
            Ok((out, false))
        }
    }
}
