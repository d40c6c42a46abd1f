//! Refresh tokens, revoked access tokens, and login throttling.

use uuid::Uuid;

use super::Timestamp;
use crate::{db::TenantTx, error::ApiResult, ids::UserId};

pub struct RefreshRow {
    pub id: Uuid,
    pub user_id: UserId,
    pub family_id: Uuid,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

pub async fn insert_refresh(
    tx: &TenantTx,
    user_id: UserId,
    family_id: Uuid,
    hash: &[u8],
    expires_at: Timestamp,
) -> ApiResult<()> {
    tx.execute(
        "insert into refresh_tokens (tenant_id, user_id, family_id, token_hash, expires_at)
         values ($1, $2, $3, $4, $5)",
        &[&tx.tenant_id(), &user_id, &family_id, &hash, &expires_at],
    )
    .await?;
    Ok(())
}

/// Finds a refresh token by hash and locks it, so two refreshes with the same token cannot both
/// succeed.
pub async fn find_refresh_for_update(tx: &TenantTx, hash: &[u8]) -> ApiResult<Option<RefreshRow>> {
    Ok(tx
        .query_opt(
            "select id, user_id, family_id, expires_at, used_at, revoked_at from refresh_tokens
              where tenant_id = $1 and token_hash = $2 for update",
            &[&tx.tenant_id(), &hash],
        )
        .await?
        .map(|r| RefreshRow {
            id: r.get(0),
            user_id: r.get(1),
            family_id: r.get(2),
            expires_at: r.get(3),
            used_at: r.get(4),
            revoked_at: r.get(5),
        }))
}

pub async fn mark_used(tx: &TenantTx, id: Uuid) -> ApiResult<()> {
    tx.execute(
        "update refresh_tokens set used_at = now() where tenant_id = $1 and id = $2",
        &[&tx.tenant_id(), &id],
    )
    .await?;
    Ok(())
}

pub async fn revoke_family(tx: &TenantTx, family_id: Uuid) -> ApiResult<u64> {
    tx.execute(
        "update refresh_tokens set revoked_at = coalesce(revoked_at, now())
          where tenant_id = $1 and family_id = $2",
        &[&tx.tenant_id(), &family_id],
    )
    .await
}

/// Ends every session of a user: their refresh tokens, and their access tokens (whose `ver`
/// no longer matches `users.session_version`, which the tenant transaction checks).
pub async fn revoke_user(tx: &TenantTx, user_id: UserId) -> ApiResult<u64> {
    tx.execute(
        "update users set session_version = session_version + 1 where tenant_id = $1 and id = $2",
        &[&tx.tenant_id(), &user_id],
    )
    .await?;
    tx.execute(
        "update refresh_tokens set revoked_at = coalesce(revoked_at, now())
          where tenant_id = $1 and user_id = $2 and revoked_at is null",
        &[&tx.tenant_id(), &user_id],
    )
    .await
}

/// Revokes one access token until it expires.
pub async fn revoke_access(tx: &TenantTx, jti: Uuid, expires_at: Timestamp) -> ApiResult<()> {
    tx.execute(
        "insert into revoked_tokens (tenant_id, jti, expires_at) values ($1, $2, $3)
         on conflict do nothing",
        &[&tx.tenant_id(), &jti, &expires_at],
    )
    .await?;
    tx.execute(
        "delete from revoked_tokens where tenant_id = $1 and expires_at < now()",
        &[&tx.tenant_id()],
    )
    .await?;
    Ok(())
}
