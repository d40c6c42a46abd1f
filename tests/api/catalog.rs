//! Rules every table must follow, read from the catalog after all migrations, so a table added
//! later is checked without anyone remembering to add it here.

use crate::support::*;

/// The first column of every row, as text.
async fn names(c: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    c.query(sql, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn migrated_owner() -> tokio_postgres::Client {
    tenantdesk::app::migrate(&config()).await.unwrap();
    owner_conn().await
}

#[tokio::test]
async fn every_tenant_table_has_forced_rls_and_tenant_id_leading_its_keys() {
    let c = migrated_owner().await;
    let tables: Vec<(String, bool, bool, i64)> = c
        .query(
            "select c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                    (select count(*) from pg_policy p where p.polrelid = c.oid)
               from pg_class c
               join pg_namespace n on n.oid = c.relnamespace
               join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
              where n.nspname = 'public' and c.relkind in ('r', 'p')
              order by 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert!(tables.iter().any(|t| t.0 == "users"), "{tables:?}");
    for (name, enabled, forced, policies) in &tables {
        assert!(enabled, "{name}: row level security is not enabled");
        assert!(forced, "{name}: row level security is not forced");
        assert!(*policies > 0, "{name}: no policies");
    }

    // tenant_id is the first column of the primary key of every tenant table.
    let bad_pks: Vec<String> = names(
        &c,
        "select c.relname::text
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
            left join pg_constraint k on k.conrelid = c.oid and k.contype = 'p'
           where n.nspname = 'public' and c.relkind in ('r', 'p')
             and (k.oid is null or k.conkey[1] <> a.attnum)",
    )
    .await;
    assert!(
        bad_pks.is_empty(),
        "tenant_id does not lead the primary key of {bad_pks:?}"
    );

    // Every foreign key from a tenant table to another tenant table starts with tenant_id on
    // both sides, so a row can never point into another tenant.
    let bad_fks: Vec<String> = names(
        &c,
        "select k.conname::text
            from pg_constraint k
            join pg_attribute sa on sa.attrelid = k.conrelid and sa.attname = 'tenant_id'
            join pg_attribute ta on ta.attrelid = k.confrelid and ta.attname = 'tenant_id'
           where k.contype = 'f'
             and (k.conkey[1] <> sa.attnum or k.confkey[1] <> ta.attnum)",
    )
    .await;
    assert!(
        bad_fks.is_empty(),
        "foreign keys not led by tenant_id: {bad_fks:?}"
    );

    // And every tenant table's tenant_id references tenants.
    let unanchored: Vec<String> = names(
        &c,
        "select c.relname::text
            from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id'
           where n.nspname = 'public' and c.relkind in ('r', 'p')
             and not exists (select 1 from pg_constraint k
                              where k.conrelid = c.oid and k.contype = 'f' and k.conkey[1] = a.attnum)",
    )
    .await;
    assert!(
        unanchored.is_empty(),
        "tenant_id without a foreign key in {unanchored:?}"
    );
}

#[tokio::test]
async fn every_table_has_forced_rls_except_the_migration_ledger() {
    let c = migrated_owner().await;
    let open: Vec<String> = names(
        &c,
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p')
             and c.relname <> 'schema_migrations'
             and not (c.relrowsecurity and c.relforcerowsecurity)",
    )
    .await;
    assert!(open.is_empty(), "tables without forced RLS: {open:?}");
}

#[tokio::test]
async fn the_login_role_owns_nothing_and_bypasses_nothing() {
    let c = migrated_owner().await;
    let app_user: String = {
        let url: tokio_postgres::Config = config().database_url.parse().unwrap();
        url.get_user().unwrap().to_string()
    };
    let row = c
        .query_one(
            "select r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                    (select count(*) from pg_class where relowner = r.oid)
                  + (select count(*) from pg_proc where proowner = r.oid)
                  + (select count(*) from pg_namespace where nspowner = r.oid)
                  + (select count(*) from pg_type where typowner = r.oid)
                  + (select count(*) from pg_database where datdba = r.oid),
                    (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                      where n.nspname = 'public' and c.relkind in ('r', 'p')
                        and c.relname <> 'schema_migrations'
                        and (has_table_privilege(r.oid, c.oid, 'select') or has_table_privilege(r.oid, c.oid, 'insert')
                          or has_table_privilege(r.oid, c.oid, 'update') or has_table_privilege(r.oid, c.oid, 'delete')))
               from pg_roles r where r.rolname = $1",
            &[&app_user],
        )
        .await
        .unwrap();
    assert!(!row.get::<_, bool>(0), "{app_user} is a superuser");
    assert!(!row.get::<_, bool>(1), "{app_user} has BYPASSRLS");
    assert!(!row.get::<_, bool>(2) && !row.get::<_, bool>(3));
    assert_eq!(row.get::<_, i64>(4), 0, "{app_user} owns objects");
    assert_eq!(
        row.get::<_, i64>(5),
        0,
        "{app_user} has table privileges of its own"
    );

    // The roles it switches to bypass nothing either, and the owner of the tables is not it.
    let bypass: i64 = c
        .query_one(
            "select count(*) from pg_roles
              where rolname in ('tenantdesk_tenant', 'tenantdesk_platform', 'tenantdesk_owner')
                and (rolsuper or rolbypassrls)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(bypass, 0);
    let owner: String = c
        .query_one(
            "select tableowner::text from pg_tables where tablename = 'users'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_ne!(owner, app_user);
}

/// A SECURITY DEFINER function reads past row-level security, so one that a tenant's transaction
/// may call must take its tenant from `app.tenant_id` (as the policies do), never from an
/// argument: none of them takes a uuid, so no caller can name another tenant (or its rows).
#[tokio::test]
async fn no_definer_function_the_tenant_role_may_call_takes_a_uuid() {
    let c = migrated_owner().await;
    let callable: Vec<String> = names(
        &c,
        "select p.oid::regprocedure::text from pg_proc p
           join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and p.prosecdef
            and has_function_privilege('tenantdesk_tenant', p.oid, 'execute')
          order by 1",
    )
    .await;
    assert!(
        callable
            .iter()
            .any(|f| f.starts_with("ticket_search_candidates(")),
        "{callable:?}"
    );
    let with_uuid: Vec<&String> = callable.iter().filter(|f| f.contains("uuid")).collect();
    assert!(with_uuid.is_empty(), "{with_uuid:?}");
}
