use crate::{db::PlatformTx, error::ApiResult, ids::SuperadminId};

pub async fn create(
    tx: &PlatformTx,
    email: &str,
    full_name: &str,
    password_hash: &str,
) -> ApiResult<SuperadminId> {
    Ok(tx
        .query_one(
            "insert into superadmins (email, full_name, password_hash) values ($1, $2, $3) returning id",
            &[&email, &full_name, &password_hash],
        )
        .await?
        .get(0))
}
