//! `tenantdesk create-superadmin`: the first superadmin is made from the command line.

use crate::{app, config::Config, db::Db, ids::SuperadminId, repo};

pub async fn create_superadmin(
    config: &Config,
    email: &str,
    name: &str,
    password: String,
) -> anyhow::Result<SuperadminId> {
    super::validate_email(email).map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    super::validate_password(&password, config.auth.password_min_len)
        .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
    if config.migrate_on_start {
        app::migrate(config).await?;
    }
    let db = Db::connect(&config.database_url, 1, config.pool_timeout).await?;
    let hash = super::secrets::hash_password(password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The command line is the one place a platform transaction is opened without a superadmin
    // token: whoever can run it already holds the database credentials.
    let access = super::PlatformAccess {
        superadmin_id: None,
    };
    db.platform(&access, async |tx| {
        repo::superadmins::create(tx, email.trim(), name.trim(), &hash).await
    })
    .await
    .map_err(|e| anyhow::anyhow!("{}", e.detail))
}
