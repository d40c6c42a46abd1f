//! Stored responses for requests sent with an `Idempotency-Key`, per tenant, for 24 hours.
//!
//! The key is claimed by inserting its row in the same transaction that does the work, and the
//! response is written before COMMIT. A concurrent request with the same key waits on that row
//! and then replays what the first one stored; if the first one fails (ROLLBACK), the row goes
//! with it and the second one does the work.
//!
//! A key older than 24 hours counts as unused. Each claim also deletes up to 100 expired keys of
//! the tenant (skipping rows other transactions hold), so the table does not grow without bound.

use crate::{db::TenantTx, error::ApiResult};

pub enum Claim {
    /// The key is ours: do the work, then [`complete`].
    New,
    /// The same request was answered before.
    Replay { status: u16, body: String },
    /// The key was used for a different request.
    Mismatch,
}

pub async fn claim(tx: &TenantTx, key: &str, request_hash: &[u8]) -> ApiResult<Claim> {
    let claimed = tx
        .query_opt(
            "with purge as (
                 delete from idempotency_keys where (tenant_id, key) in (
                     select tenant_id, key from idempotency_keys
                      where tenant_id = $1 and created_at < now() - interval '24 hours' and key <> $2
                      limit 100 for update skip locked))
             insert into idempotency_keys (tenant_id, key, request_hash) values ($1, $2, $3)
             on conflict (tenant_id, key) do update
                set request_hash = excluded.request_hash, response_status = null,
                    response_body = null, created_at = now()
              where idempotency_keys.created_at < now() - interval '24 hours'
             returning 1",
            &[&tx.tenant_id(), &key, &request_hash],
        )
        .await?;
    if claimed.is_some() {
        return Ok(Claim::New);
    }
    let row = tx
        .query_one(
            "select request_hash, response_status, response_body from idempotency_keys
              where tenant_id = $1 and key = $2",
            &[&tx.tenant_id(), &key],
        )
        .await?;
    let hash: Vec<u8> = row.get(0);
    let status: Option<i16> = row.get(1);
    let body: Option<String> = row.get(2);
    Ok(match (hash == request_hash, status, body) {
        (true, Some(status), Some(body)) => Claim::Replay {
            status: status as u16,
            body,
        },
        _ => Claim::Mismatch,
    })
}

pub async fn complete(tx: &TenantTx, key: &str, status: u16, body: &str) -> ApiResult<()> {
    tx.execute(
        "update idempotency_keys set response_status = $3, response_body = $4
          where tenant_id = $1 and key = $2",
        &[&tx.tenant_id(), &key, &(status as i16), &body],
    )
    .await?;
    Ok(())
}
