//! API keys of the caller's tenant (admins). The key itself is shown once, at creation; only
//! its sha256 is stored.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use rand::RngCore;

use crate::{
    api::body::JsonBody,
    api::{
        Tag,
        cursor::{Cursor, Limit},
        text::Text,
    },
    app::AppState,
    auth::{API_KEY_PREFIX, Admin, ApiKeyScope, Tenant, secrets},
    error::{ApiError, ApiResult},
    ids::{ApiKeyId, UserId},
    repo::{self, Timestamp, api_keys::ApiKeyRow},
};

pub struct ApiKeysApi;

/// A new API key.
#[derive(Debug, Object)]
pub struct ApiKeyIn {
    /// Unique among the tenant's active keys, 1–100 characters.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Text,
    /// What the key may do.
    pub scope: ApiKeyScope,
    /// When the key stops working; must be in the future. Absent: never.
    #[oai(skip_serializing_if_is_none)]
    pub expires_at: Option<Timestamp>,
}

/// An API key (never the secret).
#[derive(Debug, Object)]
pub struct ApiKeyOut {
    pub id: ApiKeyId,
    pub name: String,
    /// The public part of the key (`tdk_<prefix>_…`), to recognise it.
    pub prefix: String,
    pub scope: ApiKeyScope,
    /// The user who created it.
    #[oai(skip_serializing_if_is_none)]
    pub created_by: Option<UserId>,
    #[oai(skip_serializing_if_is_none)]
    pub expires_at: Option<Timestamp>,
    /// Updated at most once a minute.
    #[oai(skip_serializing_if_is_none)]
    pub last_used_at: Option<Timestamp>,
    #[oai(skip_serializing_if_is_none)]
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl From<ApiKeyRow> for ApiKeyOut {
    fn from(k: ApiKeyRow) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scope: k.scope,
            created_by: k.created_by,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
            created_at: k.created_at,
        }
    }
}

/// A freshly created key: the only time `key` is shown.
#[derive(Debug, Object)]
pub struct ApiKeyCreated {
    /// The secret key. Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. It cannot
    /// be shown again.
    pub key: String,
    #[oai(flatten)]
    pub api_key: ApiKeyOut,
}

/// One page of API keys, oldest first.
pub type ApiKeyPage = crate::api::Page<ApiKeyOut>;

#[derive(ApiResponse)]
pub enum CreatedApiKey {
    /// Created.
    #[oai(status = 201)]
    Created(Json<ApiKeyCreated>),
}

#[derive(ApiResponse)]
pub enum Revoked {
    /// Revoked (also when it already was).
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/v1/api-keys", tag = "Tag::ApiKeys")]
impl ApiKeysApi {
    /// Create an API key (admins). The response carries the key once.
    #[oai(path = "/", method = "post", operation_id = "create_api_key")]
    async fn create(
        &self,
        state: Data<&AppState>,
        p: Tenant<Admin>,
        body: JsonBody<ApiKeyIn>,
    ) -> ApiResult<CreatedApiKey> {
        if body.expires_at.is_some_and(|e| e <= chrono::Utc::now()) {
            return Err(ApiError::invalid(
                "expires_at",
                "expires_at must be in the future",
            ));
        }
        let mut raw = [0u8; 6];
        rand::rng().fill_bytes(&mut raw);
        let prefix = hex::encode(raw);
        let key = format!("{API_KEY_PREFIX}{prefix}_{}", secrets::random_token(32));
        let hash = secrets::sha256(&key);
        let new = repo::api_keys::NewApiKey {
            name: &body.name,
            prefix: &prefix,
            hash: &hash,
            scope: body.scope,
            created_by: p.user_id,
            expires_at: body.expires_at,
        };
        let row = p
            .tx(async |tx| {
                let adding = repo::usage::Adding {
                    api_keys: 1,
                    ..Default::default()
                };
                repo::usage::require_quota(tx, &state.config.usage.quotas, adding).await?;
                let row = repo::api_keys::create(tx, &new).await?;
                repo::audit::record(tx, "api_key.create", &format!("api_key:{}", row.id)).await?;
                Ok(row)
            })
            .await?;
        Ok(CreatedApiKey::Created(Json(ApiKeyCreated {
            key,
            api_key: row.into(),
        })))
    }

    /// List the tenant's API keys, revoked ones included (admins).
    #[oai(path = "/", method = "get", operation_id = "list_api_keys")]
    async fn list(
        &self,
        p: Tenant<Admin>,
        /// Opaque cursor from `next_cursor` of the previous page.
        cursor: Query<Cursor>,
        /// Page size, 1–100.
        limit: Query<Limit>,
    ) -> ApiResult<Json<ApiKeyPage>> {
        p.page(
            &cursor,
            limit.0.get(),
            async |tx, after, n| repo::api_keys::list(tx, after, n).await,
            |r| r.id,
        )
        .await
    }

    /// Get one API key (admins).
    #[oai(path = "/:id", method = "get", operation_id = "get_api_key")]
    async fn get(&self, p: Tenant<Admin>, id: Path<ApiKeyId>) -> ApiResult<Json<ApiKeyOut>> {
        let row = p
            .read(async |tx| repo::api_keys::get(tx, id.0).await)
            .await?;
        row.map(|k| Json(k.into()))
            .ok_or_else(|| ApiError::not_found("API key"))
    }

    /// Revoke an API key (admins). It stops working at once.
    #[oai(path = "/:id", method = "delete", operation_id = "revoke_api_key")]
    async fn revoke(&self, p: Tenant<Admin>, id: Path<ApiKeyId>) -> ApiResult<Revoked> {
        p.tx(async |tx| {
            let row = repo::api_keys::revoke(tx, id.0)
                .await?
                .ok_or_else(|| ApiError::not_found("API key"))?;
            repo::audit::record(tx, "api_key.revoke", &format!("api_key:{}", id.0)).await?;
            Ok(row)
        })
        .await?;
        Ok(Revoked::Done)
    }
}
