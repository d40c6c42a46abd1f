use uuid::Uuid;

use crate::{
    db::{PlatformTx, statement},
    error::ApiResult,
};

pub async fn create(
    tx: &PlatformTx,
    email: &str,
    full_name: &str,
    password_hash: &str,
) -> ApiResult<Uuid> {
    Ok(tx
        .query_one(
            "insert into superadmins (email, full_name, password_hash) values ($1, $2, $3) returning id",
            &[&email, &full_name, &password_hash],
        )
        .await?
        .get(0))
}

/// Superadmin login look-up (SECURITY DEFINER): id, password hash, active.
pub async fn for_login(
    pool: &deadpool_postgres::Pool,
    email: &str,
) -> ApiResult<Option<(Uuid, String, bool)>> {
    let conn = pool.get().await?;
    let sql = "select id, password_hash, is_active from auth_superadmin_by_email($1)";
    Ok(statement::query_opt(&conn, sql, &[&email])
        .await?
        .map(|r| (r.get(0), r.get(1), r.get(2))))
}

pub async fn touch_login(pool: &deadpool_postgres::Pool, id: Uuid) -> ApiResult<()> {
    let conn = pool.get().await?;
    statement::execute(&conn, "select auth_superadmin_login($1)", &[&id]).await?;
    Ok(())
}
