//! Collections.

use tokio_postgres::Row;

use crate::{
    db::TenantTx,
    error::{ApiError, ApiResult, ProblemCode},
    ids::CollectionId,
    repo::Timestamp,
};

#[derive(Debug, Clone)]
pub struct CollectionRow {
    pub id: CollectionId,
    pub name: String,
    pub description: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&Row> for CollectionRow {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get("id"),
            name: r.get("name"),
            description: r.get("description"),
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
        }
    }
}

const COLLECTION_COLUMNS: &str = "id, name, description, created_at, updated_at";

pub async fn create_collection(
    tx: &TenantTx,
    name: &str,
    description: &str,
) -> ApiResult<CollectionRow> {
    let sql = format!(
        "insert into kb_collections (tenant_id, name, description) values ($1, $2, $3)
         returning {COLLECTION_COLUMNS}"
    );
    let row = tx
        .query_one(&sql, &[&tx.tenant_id(), &name, &description])
        .await?;
    Ok(CollectionRow::from(&row))
}

pub async fn list_collections(
    tx: &TenantTx,
    after: Option<CollectionId>,
    limit: i64,
) -> ApiResult<Vec<CollectionRow>> {
    let sql = format!(
        "select {COLLECTION_COLUMNS} from kb_collections
          where tenant_id = $1 and ($2::uuid is null or id > $2) order by id limit $3"
    );
    let rows = tx.query(&sql, &[&tx.tenant_id(), &after, &limit]).await?;
    Ok(rows.iter().map(CollectionRow::from).collect())
}

pub async fn get_collection(tx: &TenantTx, id: CollectionId) -> ApiResult<Option<CollectionRow>> {
    let sql =
        format!("select {COLLECTION_COLUMNS} from kb_collections where tenant_id = $1 and id = $2");
    Ok(tx
        .query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(CollectionRow::from))
}

pub async fn update_collection(
    tx: &TenantTx,
    id: CollectionId,
    name: Option<&str>,
    description: Option<&str>,
) -> ApiResult<Option<CollectionRow>> {
    let sql = format!(
        "update kb_collections set name = coalesce($3, name),
                description = coalesce($4, description), updated_at = now()
          where tenant_id = $1 and id = $2 returning {COLLECTION_COLUMNS}"
    );
    Ok(tx
        .query_opt(&sql, &[&tx.tenant_id(), &id, &name, &description])
        .await?
        .as_ref()
        .map(CollectionRow::from))
}

/// Deletes an empty collection. `Ok(None)`: no such collection.
pub async fn delete_collection(tx: &TenantTx, id: CollectionId) -> ApiResult<Option<()>> {
    let in_use: bool = tx
        .query_one(
            "select exists (select 1 from kb_documents where tenant_id = $1 and collection_id = $2)",
            &[&tx.tenant_id(), &id],
        )
        .await?
        .get(0);
    if in_use {
        return Err(ApiError::conflict(
            ProblemCode::CollectionNotEmpty,
            "the collection still holds documents; move or delete them first",
        ));
    }
    let n = tx
        .execute(
            "delete from kb_collections where tenant_id = $1 and id = $2",
            &[&tx.tenant_id(), &id],
        )
        .await?;
    Ok((n > 0).then_some(()))
}
