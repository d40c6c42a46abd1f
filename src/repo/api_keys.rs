use tokio_postgres::Row;
use uuid::Uuid;

use super::Timestamp;
use crate::{
    db::{TenantTx, statement},
    error::ApiResult,
};

#[derive(Debug, Clone)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scope: String,
    pub created_by: Option<Uuid>,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl From<&Row> for ApiKeyRow {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get("id"),
            name: r.get("name"),
            prefix: r.get("prefix"),
            scope: r.get("scope"),
            created_by: r.get("created_by"),
            expires_at: r.get("expires_at"),
            last_used_at: r.get("last_used_at"),
            revoked_at: r.get("revoked_at"),
            created_at: r.get("created_at"),
        }
    }
}

const COLUMNS: &str =
    "id, name, prefix, scope, created_by, expires_at, last_used_at, revoked_at, created_at";

pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub hash: &'a [u8],
    pub scope: &'a str,
    pub created_by: Option<Uuid>,
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
    Ok(ApiKeyRow::from(&row))
}

pub async fn list(tx: &TenantTx, after: Option<Uuid>, limit: i64) -> ApiResult<Vec<ApiKeyRow>> {
    let sql = format!(
        "select {COLUMNS} from api_keys where tenant_id = $1 and ($2::uuid is null or id > $2)
         order by id limit $3"
    );
    let rows = tx.query(&sql, &[&tx.tenant_id(), &after, &limit]).await?;
    Ok(rows.iter().map(ApiKeyRow::from).collect())
}

pub async fn get(tx: &TenantTx, id: Uuid) -> ApiResult<Option<ApiKeyRow>> {
    let sql = format!("select {COLUMNS} from api_keys where tenant_id = $1 and id = $2");
    Ok(tx
        .query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(ApiKeyRow::from))
}

pub async fn revoke(tx: &TenantTx, id: Uuid) -> ApiResult<Option<ApiKeyRow>> {
    let sql = format!(
        "update api_keys set revoked_at = coalesce(revoked_at, now())
          where tenant_id = $1 and id = $2 returning {COLUMNS}"
    );
    Ok(tx
        .query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(ApiKeyRow::from))
}

/// What authenticating a key needs, looked up by its public prefix before the caller is known
/// (SECURITY DEFINER).
pub struct KeyForAuth {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub key_hash: Vec<u8>,
    pub scope: String,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub tenant_active: bool,
}

pub async fn for_auth(
    pool: &deadpool_postgres::Pool,
    prefix: &str,
) -> ApiResult<Option<KeyForAuth>> {
    let conn = pool.get().await?;
    let sql =
        "select tenant_id, id, key_hash, scope, expires_at, revoked_at, last_used_at, tenant_active
                 from auth_api_key($1)";
    Ok(statement::query_opt(&conn, sql, &[&prefix])
        .await?
        .map(|r| KeyForAuth {
            tenant_id: r.get(0),
            id: r.get(1),
            key_hash: r.get(2),
            scope: r.get(3),
            expires_at: r.get(4),
            revoked_at: r.get(5),
            last_used_at: r.get(6),
            tenant_active: r.get(7),
        }))
}

pub async fn touch(pool: &deadpool_postgres::Pool, tenant_id: Uuid, id: Uuid) -> ApiResult<()> {
    let conn = pool.get().await?;
    let sql = "select auth_touch_api_key($1, $2)";
    statement::execute(&conn, sql, &[&tenant_id, &id]).await?;
    Ok(())
}
