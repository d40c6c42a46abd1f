use tokio_postgres::Row;

use super::Timestamp;
use super::column;
use crate::{
    db::{PlatformTx, Role, TenantTx},
    error::{ApiError, ApiResult},
    ids::{TenantId, UserId},
};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub tenant_id: TenantId,
    pub id: UserId,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub is_active: bool,
    /// The session version access tokens must carry (see `tokens::revoke_user`).
    pub session_version: i32,
    pub last_login_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl TryFrom<&Row> for UserRow {
    type Error = ApiError;

    fn try_from(r: &Row) -> ApiResult<Self> {
        Ok(Self {
            tenant_id: r.get("tenant_id"),
            id: r.get("id"),
            email: r.get("email"),
            full_name: r.get("full_name"),
            role: column(r, "role")?,
            is_active: r.get("is_active"),
            session_version: r.get("session_version"),
            last_login_at: r.get("last_login_at"),
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
        })
    }
}

const COLUMNS: &str = "tenant_id, id, email, full_name, role, is_active, session_version, last_login_at, created_at, updated_at";

pub struct NewUser<'a> {
    pub email: &'a str,
    pub full_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

pub async fn create(tx: &TenantTx, u: &NewUser<'_>) -> ApiResult<UserRow> {
    let sql = format!(
        "insert into users (tenant_id, email, full_name, role, password_hash)
         values ($1, $2, $3, $4, $5) returning {COLUMNS}"
    );
    let row = tx
        .query_one(
            &sql,
            &[
                &tx.tenant_id(),
                &u.email,
                &u.full_name,
                &u.role,
                &u.password_hash,
            ],
        )
        .await?;
    UserRow::try_from(&row)
}

pub async fn list(tx: &TenantTx, after: Option<UserId>, limit: i64) -> ApiResult<Vec<UserRow>> {
    let sql = format!(
        "select {COLUMNS} from users where tenant_id = $1 and ($2::uuid is null or id > $2)
         order by id limit $3"
    );
    let rows = tx.query(&sql, &[&tx.tenant_id(), &after, &limit]).await?;
    rows.iter().map(UserRow::try_from).collect()
}

pub async fn get(tx: &TenantTx, id: UserId) -> ApiResult<Option<UserRow>> {
    let sql = format!("select {COLUMNS} from users where tenant_id = $1 and id = $2");
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(UserRow::try_from)
        .transpose()
}

#[derive(Default)]
pub struct UserPatch<'a> {
    pub full_name: Option<&'a str>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

pub async fn update(tx: &TenantTx, id: UserId, p: &UserPatch<'_>) -> ApiResult<Option<UserRow>> {
    let sql = format!(
        "update users set full_name = coalesce($3, full_name), role = coalesce($4, role),
                is_active = coalesce($5, is_active), updated_at = now()
          where tenant_id = $1 and id = $2 returning {COLUMNS}"
    );
    tx.query_opt(
        &sql,
        &[&tx.tenant_id(), &id, &p.full_name, &p.role, &p.is_active],
    )
    .await?
    .as_ref()
    .map(UserRow::try_from)
    .transpose()
}

/// The user and password hash for a login.
pub async fn by_email_for_login(
    tx: &TenantTx,
    email: &str,
) -> ApiResult<Option<(UserRow, Option<String>)>> {
    let sql = format!(
        "select {COLUMNS}, password_hash from users where tenant_id = $1 and lower(email) = lower($2)"
    );
    tx.query_opt(&sql, &[&tx.tenant_id(), &email])
        .await?
        .map(|r| ApiResult::Ok((UserRow::try_from(&r)?, r.get("password_hash"))))
        .transpose()
}

pub async fn password_hash(tx: &TenantTx, id: UserId) -> ApiResult<Option<String>> {
    Ok(tx
        .query_opt(
            "select password_hash from users where tenant_id = $1 and id = $2",
            &[&tx.tenant_id(), &id],
        )
        .await?
        .and_then(|r| r.get(0)))
}

pub async fn set_password(tx: &TenantTx, id: UserId, hash: &str) -> ApiResult<()> {
    tx.execute(
        "update users set password_hash = $3, updated_at = now() where tenant_id = $1 and id = $2",
        &[&tx.tenant_id(), &id, &hash],
    )
    .await?;
    Ok(())
}

pub async fn touch_login(tx: &TenantTx, id: UserId) -> ApiResult<()> {
    tx.execute(
        "update users set last_login_at = now() where tenant_id = $1 and id = $2",
        &[&tx.tenant_id(), &id],
    )
    .await?;
    Ok(())
}

/// Any tenant's users, for superadmins.
pub async fn list_in_tenant(
    tx: &PlatformTx,
    tenant: TenantId,
    after: Option<UserId>,
    limit: i64,
) -> ApiResult<Vec<UserRow>> {
    let sql = format!(
        "select {COLUMNS} from users where tenant_id = $1 and ($2::uuid is null or id > $2)
         order by id limit $3"
    );
    let rows = tx.query(&sql, &[&tenant, &after, &limit]).await?;
    rows.iter().map(UserRow::try_from).collect()
}
