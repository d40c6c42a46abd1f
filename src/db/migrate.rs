//! Migration runner for `sql/NNNN_name.sql`: each file once, in order, in its own transaction,
//! recorded with its sha256; a session advisory lock serialises instances that start together;
//! a file changed after it was applied stops start-up with a message saying which one.

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use tokio_postgres::Client;

/// Arbitrary but fixed key of the advisory lock all runners take.
const LOCK_KEY: i64 = 0x7465_6e61_6e74_6d67; // "tenantmg"

const CREATE_TABLE: &str = "create table if not exists schema_migrations (
    version bigint primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now(),
    execution_ms bigint not null
);
grant select on schema_migrations to tenantdesk_app";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub name: String,
    pub sql: String,
}

impl Migration {
    /// Parses `NNNN_name.sql`.
    pub fn new(file_name: &str, sql: &str) -> anyhow::Result<Self> {
        let stem = file_name
            .strip_suffix(".sql")
            .with_context(|| format!("migration {file_name:?} must end in .sql"))?;
        let (num, rest) = stem
            .split_once('_')
            .filter(|(n, r)| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !r.is_empty()
            })
            .with_context(|| format!("migration {file_name:?} must be named NNNN_name.sql"))?;
        Ok(Self {
            version: num.parse()?,
            name: format!("{num}_{rest}"),
            sql: sql.to_string(),
        })
    }

    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// The migrations compiled into this binary from `sql/`.
pub fn embedded() -> Vec<Migration> {
    const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
    let list = FILES
        .iter()
        .map(|(name, sql)| Migration::new(name, sql))
        .collect::<anyhow::Result<Vec<_>>>()
        .expect("sql/ file names are checked by the build");
    check_order(&list).expect("sql/ versions are unique");
    list
}

fn check_order(list: &[Migration]) -> anyhow::Result<()> {
    for pair in list.windows(2) {
        if pair[0].version >= pair[1].version {
            bail!(
                "migrations {} and {} do not have increasing versions",
                pair[0].name,
                pair[1].name
            );
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub struct Report {
    pub applied: Vec<String>,
    pub already: usize,
}

/// Applies the embedded migrations that are pending at `url` (the schema owner's database), over
/// a connection of its own: what `tenantdesk migrate` and a start with `MIGRATE_ON_START` do.
pub async fn apply(url: &str) -> anyhow::Result<Report> {
    let mut client = super::connect(url)
        .await
        .context("connecting with MIGRATION_DATABASE_URL")?;
    run(&mut client, &embedded()).await
}

/// Applies what is pending, holding the advisory lock for the whole run.
pub async fn run(client: &mut Client, migrations: &[Migration]) -> anyhow::Result<Report> {
    check_order(migrations)?;
    client
        .execute("select pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .context("taking the migration lock")?;
    let result = run_locked(client, migrations).await;
    let unlock = client
        .execute("select pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await;
    let report = result?;
    unlock.context("releasing the migration lock")?;
    Ok(report)
}

async fn run_locked(client: &mut Client, migrations: &[Migration]) -> anyhow::Result<Report> {
    client
        .batch_execute(CREATE_TABLE)
        .await
        .context("creating schema_migrations")?;
    let applied = applied(client).await?;
    verify(&applied, migrations)?;
    let mut report = Report {
        applied: vec![],
        already: applied.len(),
    };
    for m in migrations
        .iter()
        .filter(|m| !applied.iter().any(|(v, ..)| *v == m.version))
    {
        let started = std::time::Instant::now();
        let tx = client.transaction().await?;
        tx.batch_execute(&m.sql)
            .await
            .with_context(|| format!("migration {} failed", m.name))?;
        tx.execute(
            "insert into schema_migrations (version, name, checksum, execution_ms) values ($1, $2, $3, $4)",
            &[&m.version, &m.name, &m.checksum(), &(started.elapsed().as_millis() as i64)],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(migration = %m.name, "applied migration");
        report.applied.push(m.name.clone());
    }
    Ok(report)
}

async fn applied(client: &Client) -> anyhow::Result<Vec<(i64, String, String)>> {
    // Unnamed: `/readyz` runs this on a pooled connection, possibly through PgBouncer.
    Ok(client
        .query_typed(
            "select version, name, checksum from schema_migrations order by version",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// An applied migration whose file changed is an error; one this binary does not know (a newer
/// release ran) is only a warning, so rolling deploys work.
fn verify(applied: &[(i64, String, String)], migrations: &[Migration]) -> anyhow::Result<()> {
    for (version, name, checksum) in applied {
        match migrations.iter().find(|m| m.version == *version) {
            Some(m) if m.checksum() != *checksum => bail!(
                "migration {} was changed after it was applied (recorded sha256 {}, file sha256 {}); \
                 restore the original file and put the change in a new migration",
                m.name,
                checksum,
                m.checksum()
            ),
            Some(_) => {}
            None => {
                tracing::warn!(migration = %name, "database has a migration this binary does not know")
            }
        }
    }
    Ok(())
}

/// Number of embedded migrations not yet applied (for `/readyz`); errors if any applied one
/// was changed.
pub async fn pending(client: &Client, migrations: &[Migration]) -> anyhow::Result<usize> {
    let applied = applied(client).await?;
    verify(&applied, migrations)?;
    Ok(migrations
        .iter()
        .filter(|m| !applied.iter().any(|(v, ..)| *v == m.version))
        .count())
}
