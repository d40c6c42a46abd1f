use tokio_postgres::Row;

use super::{Timestamp, column};
use crate::{
    auth::ApiKeyScope,
    db::TenantTx,
    error::{ApiError, ApiResult},
    ids::{ApiKeyId, UserId},
};

#[derive(Debug, Clone)]
pub struct ApiKeyRow {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub scope: ApiKeyScope,
    pub created_by: Option<UserId>,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl TryFrom<&Row> for ApiKeyRow {
    type Error = ApiError;

    fn try_from(r: &Row) -> ApiResult<Self> {
        Ok(Self {
            id: r.get("id"),
            name: r.get("name"),
            prefix: r.get("prefix"),
            scope: column(r, "scope")?,
            created_by: r.get("created_by"),
            expires_at: r.get("expires_at"),
            last_used_at: r.get("last_used_at"),
            revoked_at: r.get("revoked_at"),
            created_at: r.get("created_at"),
        })
    }
}

const COLUMNS: &str =
    "id, name, prefix, scope, created_by, expires_at, last_used_at, revoked_at, created_at";

pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: &'a [u8],
    pub scope: ApiKeyScope,
    pub created_by: Option<UserId>,
    pub expires_at: Option<Timestamp>,
}

pub async fn create(tx: &TenantTx, k: &NewApiKey<'_>) -> ApiResult<ApiKeyRow> {
    let sql = format!(
        "insert into api_keys (tenant_id, name, prefix, key_hash, scope, created_by, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
    );
    let row = tx
        .query_one(
            &sql,
            &[
                &tx.tenant_id(),
                &k.name,
                &k.prefix,
                &k.hash,
                &k.scope,
                &k.created_by,
                &k.expires_at,
            ],
        )
        .await?;
    ApiKeyRow::try_from(&row)
}

pub async fn list(tx: &TenantTx, after: Option<ApiKeyId>, limit: i64) -> ApiResult<Vec<ApiKeyRow>> {
    let sql = format!(
        "select {COLUMNS} from api_keys where tenant_id = $1 and ($2::uuid is null or id > $2)
         order by id limit $3"
    );
    let rows = tx.query(&sql, &[&tx.tenant_id(), &after, &limit]).await?;
    rows.iter().map(ApiKeyRow::try_from).collect()
}

pub async fn get(tx: &TenantTx, id: ApiKeyId) -> ApiResult<Option<ApiKeyRow>> {
    let sql = format!("select {COLUMNS} from api_keys where tenant_id = $1 and id = $2");
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(ApiKeyRow::try_from)
        .transpose()
}

pub async fn revoke(tx: &TenantTx, id: ApiKeyId) -> ApiResult<Option<ApiKeyRow>> {
    let sql = format!(
        "update api_keys set revoked_at = coalesce(revoked_at, now())
          where tenant_id = $1 and id = $2 returning {COLUMNS}"
    );
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(ApiKeyRow::try_from)
        .transpose()
}
