//! The migration runner, each behaviour against a scratch database of its own.

use tenantdesk::db::migrate::{self, Migration};

use crate::support::*;

fn m(file: &str, sql: &str) -> Migration {
    Migration::new(file, sql).unwrap()
}

async fn applied(db: &ScratchDb) -> Vec<(i64, String, String)> {
    db.owner()
        .await
        .query(
            "select version, name, checksum from schema_migrations order by version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

async fn table_exists(db: &ScratchDb, name: &str) -> bool {
    db.owner()
        .await
        .query_one("select to_regclass($1) is not null", &[&name])
        .await
        .unwrap()
        .get(0)
}

#[test]
fn file_names_must_be_numbered() {
    assert!(Migration::new("0001_init.sql", "").is_ok());
    for bad in ["init.sql", "0001.sql", "_x.sql", "0001_x.txt", "00a1_x.sql"] {
        assert!(Migration::new(bad, "").is_err(), "{bad} accepted");
    }
    let embedded = migrate::embedded();
    assert!(embedded.len() >= 2);
    assert!(embedded.windows(2).all(|w| w[0].version < w[1].version));
}

#[tokio::test]
async fn applies_each_file_once_in_order_with_checksums() {
    let db = ScratchDb::new();
    // The second depends on the first: only the right order works.
    let list = [
        m("0001_a.sql", "create table a (id int primary key)"),
        m("0002_b.sql", "create table b (a_id int references a (id))"),
    ];
    let mut c = db.owner().await;
    let report = migrate::run(&mut c, &list).await.unwrap();
    assert_eq!(report.applied, ["0001_a", "0002_b"]);
    assert_eq!(report.already, 0);
    let rows = applied(&db).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], (1, "0001_a".into(), list[0].checksum()));
    assert_eq!(rows[1], (2, "0002_b".into(), list[1].checksum()));

    // Again: nothing to do (a second `create table a` would fail if it ran).
    let report = migrate::run(&mut c, &list).await.unwrap();
    assert!(report.applied.is_empty());
    assert_eq!(report.already, 2);

    // A new file later is applied alone.
    let more = [
        list[0].clone(),
        list[1].clone(),
        m("0003_c.sql", "create table c ()"),
    ];
    let report = migrate::run(&mut c, &more).await.unwrap();
    assert_eq!(report.applied, ["0003_c"]);
    assert_eq!(migrate::pending(&c, &more).await.unwrap(), 0);
}

#[tokio::test]
async fn versions_out_of_order_are_refused() {
    let db = ScratchDb::new();
    let list = [
        m("0002_b.sql", "create table b ()"),
        m("0001_a.sql", "create table a ()"),
    ];
    let err = migrate::run(&mut db.owner().await, &list)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("increasing"), "{err:#}");
    assert!(!table_exists(&db, "b").await);
}

#[tokio::test]
async fn a_failing_migration_is_rolled_back_and_stops_the_run() {
    let db = ScratchDb::new();
    let mut c = db.owner().await;
    let broken = [
        m("0001_a.sql", "create table a ()"),
        m("0002_b.sql", "create table b (); select 1/0;"),
        m("0003_c.sql", "create table c ()"),
    ];
    let err = migrate::run(&mut c, &broken).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("migration 0002_b failed"),
        "{err:#}"
    );
    assert!(table_exists(&db, "a").await);
    assert!(!table_exists(&db, "b").await, "half of 0002 was kept");
    assert!(!table_exists(&db, "c").await, "ran past a failure");
    assert_eq!(applied(&db).await.len(), 1);

    // Fixed, the run continues where it stopped.
    let fixed = [
        broken[0].clone(),
        m("0002_b.sql", "create table b ()"),
        broken[2].clone(),
    ];
    let report = migrate::run(&mut c, &fixed).await.unwrap();
    assert_eq!(report.applied, ["0002_b", "0003_c"]);
}

#[tokio::test]
async fn a_changed_applied_file_stops_the_run_with_a_clear_message() {
    let db = ScratchDb::new();
    let mut c = db.owner().await;
    migrate::run(&mut c, &[m("0001_a.sql", "create table a ()")])
        .await
        .unwrap();
    let changed = [
        m("0001_a.sql", "create table a (x int)"),
        m("0002_b.sql", "create table b ()"),
    ];
    let err = migrate::run(&mut c, &changed)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("migration 0001_a was changed after it was applied"),
        "{err}"
    );
    assert!(
        !table_exists(&db, "b").await,
        "later migrations ran after a checksum mismatch"
    );
    assert!(migrate::pending(&c, &changed).await.is_err());
}

#[tokio::test]
async fn the_service_refuses_to_start_on_a_changed_migration() {
    let db = ScratchDb::new();
    let mut c = db.owner().await;
    migrate::run(&mut c, &migrate::embedded()).await.unwrap();
    c.execute(
        "update schema_migrations set checksum = 'tampered' where version = 1",
        &[],
    )
    .await
    .unwrap();
    let mut cfg = config();
    cfg.database_url = db.app_url.clone().into();
    cfg.migration_database_url = db.owner_url.clone().into();
    let err = match tenantdesk::app::Application::build(cfg).await {
        Ok(_) => panic!("started on a changed migration"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("was changed after it was applied"), "{err}");
    assert!(err.contains("0001_tenants_users"), "{err}");
}

#[tokio::test]
async fn instances_starting_together_apply_each_migration_once() {
    let db = ScratchDb::new();
    // A slow first migration keeps the lock held while the others arrive.
    // A slow migration is what is tested: the sleep is the statement's.
    let mut list = vec![m("0000_slow.sql", "select pg_sleep(0.5)")];
    list.extend(migrate::embedded());
    let runs = (0..4).map(|_| {
        let list = list.clone();
        let url = db.owner_url.clone();
        tokio::spawn(async move {
            let mut c = tenantdesk::db::connect(&url).await.unwrap();
            migrate::run(&mut c, &list).await
        })
    });
    let reports: Vec<_> = futures_util::future::join_all(runs)
        .await
        .into_iter()
        .map(|r| r.unwrap().expect("every instance starts"))
        .collect();
    let total: usize = reports.iter().map(|r| r.applied.len()).sum();
    assert_eq!(total, list.len(), "{reports:?}");
    assert_eq!(
        reports
            .iter()
            .filter(|r| r.applied.len() == list.len())
            .count(),
        1
    );
    assert!(
        reports
            .iter()
            .filter(|r| r.applied.is_empty())
            .all(|r| r.already == list.len())
    );
    assert_eq!(applied(&db).await.len(), list.len());
}

#[tokio::test]
async fn the_migrate_command_applies_the_embedded_migrations() {
    let db = ScratchDb::new();
    // Twice: the second run finds nothing to do.
    for _ in 0..2 {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenantdesk"))
            .arg("migrate")
            // Applying migrations signs no token and seals no key: it runs without either.
            .env_remove("JWT_KEYS")
            .env_remove("SETTINGS_ENCRYPTION_KEYS")
            .env("DATABASE_URL", &db.app_url)
            .env("MIGRATION_DATABASE_URL", &db.owner_url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(applied(&db).await.len(), migrate::embedded().len());
    }
}
