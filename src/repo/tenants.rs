use tokio_postgres::Row;

use super::Timestamp;
use crate::{
    db::{PlatformTx, TenantTx},
    error::ApiResult,
    ids::TenantId,
};

#[derive(Debug, Clone)]
pub struct TenantRow {
    pub id: TenantId,
    pub name: String,
    pub slug: String,
    pub is_active: bool,
    pub deactivated_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Present in platform listings.
    pub user_count: Option<i64>,
}

impl From<&Row> for TenantRow {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get("id"),
            name: r.get("name"),
            slug: r.get("slug"),
            is_active: r.get("is_active"),
            deactivated_at: r.get("deactivated_at"),
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
            user_count: r.try_get("user_count").ok(),
        }
    }
}

const COLUMNS: &str =
    "t.id, t.name, t.slug, t.is_active, t.deactivated_at, t.created_at, t.updated_at,
    (select count(*) from users u where u.tenant_id = t.id) as user_count";

pub async fn create(tx: &PlatformTx, name: &str, slug: &str) -> ApiResult<TenantRow> {
    let row = tx
        .query_one(
            "insert into tenants (name, slug) values ($1, $2)
             returning id, name, slug, is_active, deactivated_at, created_at, updated_at, 0::bigint as user_count",
            &[&name, &slug],
        )
        .await?;
    Ok(TenantRow::from(&row))
}

pub async fn list(
    tx: &PlatformTx,
    after: Option<TenantId>,
    limit: i64,
) -> ApiResult<Vec<TenantRow>> {
    let sql = format!(
        "select {COLUMNS} from tenants t where ($1::uuid is null or t.id > $1) order by t.id limit $2"
    );
    let rows = tx.query(&sql, &[&after, &limit]).await?;
    Ok(rows.iter().map(TenantRow::from).collect())
}

pub async fn get(tx: &PlatformTx, id: TenantId) -> ApiResult<Option<TenantRow>> {
    let sql = format!("select {COLUMNS} from tenants t where t.id = $1");
    Ok(tx
        .query_opt(&sql, &[&id])
        .await?
        .as_ref()
        .map(TenantRow::from))
}

pub async fn update(
    tx: &PlatformTx,
    id: TenantId,
    name: Option<&str>,
    slug: Option<&str>,
) -> ApiResult<Option<TenantRow>> {
    let sql = format!(
        "with t as (update tenants set name = coalesce($2, name), slug = coalesce($3, slug), updated_at = now()
                     where id = $1 returning *)
         select {COLUMNS} from t"
    );
    Ok(tx
        .query_opt(&sql, &[&id, &name, &slug])
        .await?
        .as_ref()
        .map(TenantRow::from))
}

pub async fn set_active(
    tx: &PlatformTx,
    id: TenantId,
    active: bool,
) -> ApiResult<Option<TenantRow>> {
    let sql = format!(
        "with t as (update tenants set is_active = $2, updated_at = now(),
                        deactivated_at = case when $2 then null else coalesce(deactivated_at, now()) end
                     where id = $1 returning *)
         select {COLUMNS} from t"
    );
    Ok(tx
        .query_opt(&sql, &[&id, &active])
        .await?
        .as_ref()
        .map(TenantRow::from))
}

/// The caller's own tenant.
pub async fn current(tx: &TenantTx) -> ApiResult<Option<TenantRow>> {
    let sql = format!("select {COLUMNS} from tenants t where t.id = $1");
    Ok(tx
        .query_opt(&sql, &[&tx.tenant_id()])
        .await?
        .as_ref()
        .map(TenantRow::from))
}
