//! The tenant boundary, against the real database: through the repository layer (TenantTx), and
//! through raw SQL as the service's login role.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use tenantdesk::{
    db::{self, Db, Role, Scope, TenantTx},
    error::{ApiResult, ProblemCode},
    repo::users,
};
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::support::*;

mod matrix;

fn scope(t: &TestTenant) -> Scope {
    Scope::user(t.id.into(), t.admin.id.into(), Role::Admin)
}

#[tokio::test]
async fn through_the_repo_a_tenant_never_sees_nor_writes_another() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let (a, b) = (app.tenant_by(&root).await, app.tenant_by(&root).await);
    let db = &app.state.db;

    let seen = db
        .tenant(&scope(&a), async |tx| users::list(tx, None, 100).await)
        .await
        .unwrap();
    assert_eq!(
        seen.iter().map(|u| u.id.uuid()).collect::<Vec<_>>(),
        [a.admin.id]
    );

    let b_admin = b.admin.id.into();
    let got = db
        .tenant(&scope(&a), async |tx| users::get(tx, b_admin).await)
        .await
        .unwrap();
    assert!(got.is_none(), "A read B's user by id");

    let patch = users::UserPatch {
        full_name: Some("hijacked"),
        role: None,
        is_active: Some(false),
    };
    let updated = db
        .tenant(&scope(&a), async |tx| {
            users::update(tx, b_admin, &patch).await
        })
        .await
        .unwrap();
    assert!(updated.is_none(), "A updated B's user");

    // Even a hand-written statement naming B's tenant cannot write there.
    let err = db
        .tenant(&scope(&a), async |tx| {
            tx.execute(
                "insert into users (tenant_id, email, role) values ($1, 'x@evil.test', 'admin')",
                &[&b.id],
            )
            .await
        })
        .await
        .unwrap_err();
    assert!(err.status.is_client_error() || err.status.is_server_error());
    let changed = db
        .tenant(&scope(&a), async |tx| {
            tx.execute(
                "update users set full_name = 'hijacked' where tenant_id = $1",
                &[&b.id],
            )
            .await
        })
        .await
        .unwrap();
    assert_eq!(changed, 0);

    // B is untouched.
    let b_users = db
        .tenant(&scope(&b), async |tx| users::list(tx, None, 100).await)
        .await
        .unwrap();
    assert_eq!(b_users.len(), 1);
    assert_eq!(b_users[0].full_name, "Ada Admin");
    assert!(b_users[0].is_active);
}

/// Opens `BEGIN; SET LOCAL ROLE tenantdesk_tenant; app.tenant_id = tenant` on a raw connection of
/// the login role, exactly what the service does, but without any of its code.
async fn raw_tenant_tx(c: &AppConn, tenant: Option<Uuid>) {
    c.batch_execute("begin; set local role tenantdesk_tenant")
        .await
        .unwrap();
    if let Some(t) = tenant {
        c.execute(
            "select set_config('app.tenant_id', $1, true)",
            &[&t.to_string()],
        )
        .await
        .unwrap();
    }
}

fn sqlstate(e: &tokio_postgres::Error) -> SqlState {
    e.code()
        .cloned()
        .unwrap_or_else(|| panic!("not a database error: {e}"))
}

#[tokio::test]
async fn through_raw_sql_as_the_login_role_a_tenant_never_sees_nor_writes_another() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let (a, b) = (app.tenant_by(&root).await, app.tenant_by(&root).await);
    let c = app_conn().await;

    raw_tenant_tx(&c, Some(a.id)).await;
    let all: Vec<Uuid> = c
        .query("select tenant_id from users", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(all, [a.id]);
    let n: i64 = c
        .query_one("select count(*) from users where tenant_id = $1", &[&b.id])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    let tenants: i64 = c
        .query_one("select count(*) from tenants", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(tenants, 1, "a tenant sees only its own tenant row");
    let n = c
        .execute(
            "update users set full_name = 'x' where tenant_id = $1",
            &[&b.id],
        )
        .await
        .unwrap();
    assert_eq!(n, 0);
    let n = c
        .execute("delete from users where tenant_id = $1", &[&b.id])
        .await;
    assert!(n.is_err() || n.unwrap() == 0);
    c.batch_execute("rollback").await.unwrap();

    raw_tenant_tx(&c, Some(a.id)).await;
    let err = c
        .execute(
            "insert into users (tenant_id, email, role) values ($1, 'x@evil.test', 'admin')",
            &[&b.id],
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), SqlState::INSUFFICIENT_PRIVILEGE, "{err}");
    c.batch_execute("rollback").await.unwrap();

    // Moving one's own row into another tenant is refused too.
    raw_tenant_tx(&c, Some(a.id)).await;
    let err = c
        .execute(
            "update users set tenant_id = $1 where id = $2",
            &[&b.id, &a.admin.id],
        )
        .await
        .unwrap_err();
    assert!(
        [
            SqlState::INSUFFICIENT_PRIVILEGE,
            SqlState::FOREIGN_KEY_VIOLATION
        ]
        .contains(&sqlstate(&err)),
        "{err}"
    );
    c.batch_execute("rollback").await.unwrap();
}

#[tokio::test]
async fn with_no_tenant_set_nothing_is_visible_or_writable() {
    let app = spawn().await;
    let t = app.tenant().await;
    let c = app_conn().await;

    // The tenant role with no app.tenant_id: zero rows, inserts refused.
    raw_tenant_tx(&c, None).await;
    let n: i64 = c
        .query_one("select count(*) from users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    let n: i64 = c
        .query_one("select count(*) from tenants", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    let err = c
        .execute(
            "insert into users (tenant_id, email, role) values ($1, 'x@y.test', 'user')",
            &[&t.id],
        )
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), SqlState::INSUFFICIENT_PRIVILEGE, "{err}");
    c.batch_execute("rollback").await.unwrap();

    // An emptied setting (what a pooled connection holds after a transaction) is the same.
    raw_tenant_tx(&c, None).await;
    c.batch_execute("select set_config('app.tenant_id', '', true)")
        .await
        .unwrap();
    let n: i64 = c
        .query_one("select count(*) from users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
    c.batch_execute("rollback").await.unwrap();

    // The login role itself has no table privileges at all.
    for sql in [
        "select count(*) from users",
        "select count(*) from tenants",
        "insert into users (tenant_id, email, role) values (gen_random_uuid(), 'x@y.test', 'user')",
    ] {
        let err = c.execute(sql, &[]).await.unwrap_err();
        assert_eq!(
            sqlstate(&err),
            SqlState::INSUFFICIENT_PRIVILEGE,
            "{sql}: {err}"
        );
    }
}

/// Keyword search matches through `kb_chunks_matching`, a SECURITY DEFINER function that reads
/// `kb_chunks` past RLS so the full-text index can be used (sql/0005). As the login role in a
/// raw tenant transaction: it returns exactly the tenant's own matching chunks, never another
/// tenant's with the same word, and nothing with no tenant set or an emptied one, or for a query
/// of stop words.
#[tokio::test]
async fn the_keyword_match_function_returns_only_the_current_tenants_chunks() {
    use crate::knowledge::{doc, drain};
    let app = spawn().await;
    let root = app.superadmin().await;
    let (a, b) = (app.tenant_by(&root).await, app.tenant_by(&root).await);
    let word = format!("quokka{}", &Uuid::new_v4().simple().to_string()[..8]);
    let text = format!("How to feed the {word} in winter.");
    let a_doc = doc(&app, &a.admin.token, "A", &text).await;
    for i in 0..3 {
        doc(&app, &b.admin.token, "B", &format!("{text} Part {i}.")).await;
    }
    drain(&app, &a).await;
    drain(&app, &b).await;

    let c = app_conn().await;
    let matching = async |tenant: Option<Uuid>, setting: Option<&str>, query: &str| {
        raw_tenant_tx(&c, tenant).await;
        if let Some(v) = setting {
            c.execute("select set_config('app.tenant_id', $1, true)", &[&v])
                .await
                .unwrap();
        }
        let rows: Vec<(Uuid, Uuid)> = c
            .query(
                "select m.tenant_id, m.document_id
               from kb_chunks_matching(websearch_to_tsquery('english', $1)) m",
                &[&query],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        c.batch_execute("rollback").await.unwrap();
        rows
    };
    assert_eq!(matching(Some(a.id), None, &word).await, [(a.id, a_doc)]);
    let of_b = matching(Some(b.id), None, &word).await;
    assert_eq!(of_b.len(), 3);
    assert!(of_b.iter().all(|(t, _)| *t == b.id), "{of_b:?}");
    assert_eq!(matching(None, None, &word).await, []);
    assert_eq!(matching(None, Some(""), &word).await, []);
    // A query of stop words only is empty and matches nothing (not every chunk of the tenant).
    assert_eq!(matching(Some(a.id), None, "the and of").await, []);
}

/// Ticket search and tag filters read their candidates through `ticket_search_candidates`, a
/// SECURITY DEFINER function that reads `tickets` and `ticket_messages` past RLS (sql/0040). As the
/// login role in a raw tenant transaction: it returns exactly the current tenant's matching
/// tickets, and no argument reaches another tenant's — neither a query naming that tenant's index
/// lexeme nor tags spelled as its index keys; nothing without a tenant, NULL (walk the list) for a
/// `user` and above the cap, nothing for a query of stop words.
#[tokio::test]
async fn the_ticket_search_function_returns_only_the_current_tenants_tickets() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let (a, b) = (app.tenant_by(&root).await, app.tenant_by(&root).await);
    // Digits make it a word that no dictionary changes, so it is also its own tsquery.
    let word = format!("numbat{}", Uuid::new_v4().as_u128() % 1_000_000_000);
    let ticket = async |t: &TestTenant, title: &str| -> Uuid {
        let body = serde_json::json!({"title": title, "tags": ["tagged"]});
        let v = app.post("/v1/tickets", &t.admin.token, body).await;
        v.ok(201)["id"].as_str().unwrap().parse().unwrap()
    };
    let a_ticket = ticket(&a, &format!("The {word} escaped")).await;
    let mut b_tickets = Vec::new();
    for i in 0..3 {
        b_tickets.push(ticket(&b, &format!("The {word} escaped {i}")).await);
    }
    b_tickets.sort();

    let c = app_conn().await;
    // The function's answer, sorted, in a transaction with these settings (None: not set).
    let candidates = async |tenant: Option<String>,
                            role: &str,
                            query: Option<&str>,
                            tags: Option<Vec<String>>,
                            cap: i32|
           -> Option<Vec<Uuid>> {
        c.batch_execute("begin; set local role tenantdesk_tenant")
            .await
            .unwrap();
        c.execute(
            "select set_config('app.tenant_id', $1, true) where $1 is not null",
            &[&tenant],
        )
        .await
        .unwrap();
        c.execute("select set_config('app.role', $1, true)", &[&role])
            .await
            .unwrap();
        let ids: Option<Vec<Uuid>> = c
            .query_one(
                "select ticket_search_candidates($1::text::tsquery, $2, $3)",
                &[&query, &tags, &cap],
            )
            .await
            .unwrap()
            .get(0);
        c.batch_execute("rollback").await.unwrap();
        ids.map(|mut v| {
            v.sort();
            v
        })
    };
    let (ta, tb) = (Some(a.id.to_string()), Some(b.id.to_string()));
    let w = Some(word.as_str());
    let tag = |t: &str| Some(vec![t.to_string()]);
    assert_eq!(
        candidates(ta.clone(), "agent", w, None, 10).await,
        Some(vec![a_ticket])
    );
    assert_eq!(
        candidates(tb.clone(), "admin", w, None, 10).await,
        Some(b_tickets.clone())
    );
    assert_eq!(
        candidates(ta.clone(), "agent", None, tag("tagged"), 10).await,
        Some(vec![a_ticket])
    );
    assert_eq!(
        candidates(tb.clone(), "agent", w, tag("tagged"), 10).await,
        Some(b_tickets.clone())
    );
    // No argument names a tenant: B's index lexeme in the query, or tags spelled as B's index
    // keys, find nothing of B's from A's transaction.
    let b_lexeme = format!("'tenant {}'", b.id);
    for q in [
        b_lexeme.clone(),
        format!("{b_lexeme} | {word}"),
        format!("!{b_lexeme}"),
    ] {
        let got = candidates(ta.clone(), "agent", Some(&q), None, 10).await;
        assert!(
            got.as_ref()
                .is_some_and(|ids| ids.iter().all(|id| *id == a_ticket)),
            "{q}: {got:?}"
        );
    }
    let b_key = format!("{}:tagged", b.id);
    assert_eq!(
        candidates(ta.clone(), "agent", None, tag(&b_key), 10).await,
        Some(vec![])
    );
    // No tenant, an emptied one, a `user`, no role: no ids at all.
    assert_eq!(candidates(None, "agent", w, None, 10).await, None);
    assert_eq!(
        candidates(Some(String::new()), "agent", w, None, 10).await,
        None
    );
    assert_eq!(candidates(ta.clone(), "user", w, None, 10).await, None);
    assert_eq!(candidates(ta.clone(), "", w, None, 10).await, None);
    // Above the cap: NULL, so the list walks instead; stop words only: nothing matches.
    assert_eq!(candidates(tb.clone(), "agent", w, None, 2).await, None);
    assert_eq!(
        candidates(tb.clone(), "agent", None, tag("tagged"), 2).await,
        None
    );
    assert_eq!(
        candidates(tb.clone(), "agent", w, tag("tagged"), 3).await,
        Some(b_tickets)
    );
    // (What websearch_to_tsquery makes of "the and of": an empty query.)
    assert_eq!(
        candidates(ta, "agent", Some(""), None, 10).await,
        Some(vec![])
    );
}

async fn tenant_ids_of_users(tx: &mut TenantTx) -> ApiResult<Vec<Uuid>> {
    let rows = tx.query("select tenant_id from users", &[]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// [`tenant_ids_of_users`] in the simple protocol: the read's opening, the statement and COMMIT
/// in one query string (`Tx::query_text`).
async fn tenant_ids_of_users_as_text(tx: &mut TenantTx) -> ApiResult<Vec<Uuid>> {
    let rows = tx.query_text("select tenant_id from users").await?;
    Ok(rows
        .iter()
        .map(|r| r.get(0).unwrap().parse().unwrap())
        .collect())
}

async fn backend_setting_and_users(tx: &mut TenantTx) -> ApiResult<(i32, String, Vec<Uuid>)> {
    let r = tx
        .query_one(
            "select pg_backend_pid(), current_setting('app.tenant_id'),
                    array(select tenant_id from users)",
            &[],
        )
        .await?;
    Ok((r.get(0), r.get(1), r.get(2)))
}

/// One pooled connection, two tenants, 10,000 alternations: every transaction sees exactly its
/// own tenant's rows, and nothing is left on the connection between transactions.
#[tokio::test]
async fn a_single_pooled_connection_alternating_tenants_never_leaks() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let (a, b) = (app.tenant_by(&root).await, app.tenant_by(&root).await);
    app.user(&b, "agent").await;
    let pool = db::pool(&config().database_url, 1, Duration::from_secs(5)).unwrap();
    let db = Db::new(pool.clone());
    let (sa, sb) = (scope(&a), scope(&b));

    for i in 0..10_000 {
        let (s, expected_rows) = if i % 2 == 0 { (&sa, 1) } else { (&sb, 2) };
        // A third of the iterations as a read transaction, whose opening goes out with its
        // statement, and a third as a read whose statement is in the same query string.
        let rows = match i % 6 {
            0 | 1 => db.tenant(s, tenant_ids_of_users).await,
            2 | 3 => db.tenant_read(s, tenant_ids_of_users).await,
            _ => db.tenant_read(s, tenant_ids_of_users_as_text).await,
        }
        .unwrap();
        assert_eq!(rows.len(), expected_rows, "iteration {i}");
        assert!(
            rows.iter().all(|t| *t == s.tenant_id().uuid()),
            "iteration {i}: saw {rows:?}"
        );

        if i % 1000 == 999 {
            assert_bare_between_transactions(&pool).await;
        }
    }
    // Still one physical connection all along.
    assert_eq!(pool.status().size, 1);
}

/// A read transaction (`Db::tenant_read`) sends BEGIN, the scope and the caller's check together
/// with its first statement. Its rows reach the caller only when the check passed: a user of
/// another tenant, a user whose role changed and a deactivated user get the check's error,
/// whether the read ran statements or none, and the connection is left bare each time. It cannot
/// write.
#[tokio::test]
async fn a_read_transaction_hands_out_rows_only_to_a_caller_its_check_lets_in() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let (a, b) = (app.tenant_by(&root).await, app.tenant_by(&root).await);
    let agent = app.user(&a, "agent").await;
    let pool = db::pool(&config().database_url, 1, Duration::from_secs(5)).unwrap();
    let db = Db::new(pool.clone());
    let users_seen = async |s: &Scope| {
        db.tenant_read(s, async |tx| {
            let rows = tx.query("select tenant_id from users", &[]).await?;
            Ok(rows.iter().map(|r| r.get(0)).collect::<Vec<Uuid>>())
        })
        .await
    };
    let users_seen_as_text = async |s: &Scope| db.tenant_read(s, tenant_ids_of_users_as_text).await;
    let no_statement = async |s: &Scope| db.tenant_read(s, async |_| Ok(())).await;

    assert_eq!(users_seen(&scope(&a)).await.unwrap(), [a.id; 2]);
    assert_eq!(users_seen(&scope(&b)).await.unwrap(), [b.id]);
    assert_eq!(users_seen_as_text(&scope(&a)).await.unwrap(), [a.id; 2]);
    assert_eq!(users_seen_as_text(&scope(&b)).await.unwrap(), [b.id]);
    no_statement(&scope(&a)).await.unwrap();
    assert_bare_between_transactions(&pool).await;

    let (a_id, agent_id) = (a.id.into(), agent.id.into());
    let refused = [
        (
            Scope::user(a_id, b.admin.id.into(), Role::Admin),
            401,
            ProblemCode::Unauthorized,
        ),
        (
            Scope::user(a_id, agent_id, Role::Admin),
            401,
            ProblemCode::Unauthorized,
        ),
    ];
    for (s, status, code) in &refused {
        for e in [
            users_seen(s).await.unwrap_err(),
            users_seen_as_text(s).await.unwrap_err(),
            no_statement(s).await.unwrap_err(),
        ] {
            assert_eq!(
                (e.status.as_u16(), e.code),
                (*status, *code),
                "{s:?}: {e:?}"
            );
        }
        assert_bare_between_transactions(&pool).await;
    }
    app.post(
        &format!("/v1/users/{}/deactivate", agent.id),
        &a.admin.token,
        serde_json::json!({}),
    )
    .await
    .ok(200);
    let s = Scope::user(a_id, agent_id, Role::Agent);
    // A read that ignores its first refusal gets no rows from the next statement either, and
    // ends refused; the same when the first statement went in one query string (it ran, its
    // rows are not handed out).
    fn inactive<T>(r: &ApiResult<T>) -> bool {
        matches!(r, Err(e) if e.code == ProblemCode::UserInactive)
    }
    for as_text in [false, true] {
        let ended = db
            .tenant_read(&s, async |tx| {
                let first = if as_text {
                    tx.query_text("select tenant_id from users")
                        .await
                        .map(|r| r.len())
                } else {
                    tx.query("select tenant_id from users", &[])
                        .await
                        .map(|r| r.len())
                };
                assert!(
                    inactive(&first),
                    "first statement (as text: {as_text}): {first:?}"
                );
                let second = tx.query("select tenant_id from users", &[]).await;
                assert!(inactive(&second), "second statement: {second:?}");
                Ok(())
            })
            .await;
        assert!(inactive(&ended), "as text: {as_text}: {ended:?}");
    }
    for e in [
        users_seen(&s).await.unwrap_err(),
        users_seen_as_text(&s).await.unwrap_err(),
        no_statement(&s).await.unwrap_err(),
    ] {
        assert_eq!(
            (e.status.as_u16(), e.code),
            (403, ProblemCode::UserInactive),
            "{e:?}"
        );
    }
    assert_bare_between_transactions(&pool).await;

    // A statement that fails in the query string leaves PostgreSQL's transaction failed, with
    // COMMIT skipped: it is rolled back, the error is the statement's, and the connection is
    // bare again; a later statement of the same read runs (and is checked) normally.
    let after_failure = db
        .tenant_read(&scope(&a), async |tx| {
            let failed = tx.query_text("select 1 / 0 from users").await.unwrap_err();
            assert_eq!(failed.status.as_u16(), 500, "{failed:?}");
            tx.query_text("select tenant_id from users").await
        })
        .await
        .unwrap();
    assert_eq!(after_failure.len(), 2);
    assert_bare_between_transactions(&pool).await;
    // Its answer is read by position, so a second statement in the string is refused before
    // anything is sent (it would put its rows where the check's row is expected).
    let two = db
        .tenant_read(&scope(&b), async |tx| {
            tx.query_text("select true, true, false, 'admin'; select tenant_id from users")
                .await
        })
        .await
        .unwrap_err();
    assert_eq!(two.status.as_u16(), 500, "{two:?}");
    assert_bare_between_transactions(&pool).await;

    // Read-only: a write fails and leaves nothing.
    let before = users_seen(&scope(&a)).await.unwrap().len();
    db.tenant_read(&scope(&a), async |tx| {
        tx.execute(
            "update users set full_name = 'written in a read' where tenant_id = $1",
            &[&a.id],
        )
        .await
    })
    .await
    .unwrap_err();
    db.tenant_read(&scope(&a), async |tx| {
        tx.query_text("update users set full_name = 'written in a read' returning id")
            .await
    })
    .await
    .unwrap_err();
    let names = db
        .tenant(&scope(&a), async |tx| {
            let rows = tx.query("select full_name from users", &[]).await?;
            Ok(rows.iter().map(|r| r.get(0)).collect::<Vec<String>>())
        })
        .await
        .unwrap();
    assert_eq!(names.len(), before);
    assert!(!names.iter().any(|n| n == "written in a read"), "{names:?}");
    assert_bare_between_transactions(&pool).await;
}

/// A value written into a statement as a literal (`Tx::query_text`) is, to PostgreSQL, the value
/// sent as a typed parameter: for every type that has a literal, at the edges of its range.
#[tokio::test]
async fn a_literal_reads_back_as_the_parameter_it_replaces() {
    use chrono::{DateTime, TimeDelta, Utc};
    use tenantdesk::{
        db::statement::Param,
        ids::TicketId,
        tickets::{TicketPriority, TicketStatus},
    };
    let app = spawn().await;
    let root = app.superadmin().await;
    let a = app.tenant_by(&root).await;
    let db = Db::new(db::pool(&config().database_url, 1, Duration::from_secs(5)).unwrap());
    let at = |micros: i64| DateTime::<Utc>::from_timestamp_micros(micros).unwrap();
    let values: Vec<Box<dyn Param + Send>> = vec![
        Box::new(i64::MIN),
        Box::new(i64::MAX),
        Box::new(i32::MIN),
        Box::new(i16::MAX),
        Box::new(false),
        Box::new(Uuid::nil()),
        Box::new(Uuid::max()),
        Box::new(TicketId::from(Uuid::now_v7())),
        Box::new(at(-62_135_596_800_000_000)), // 0001-01-01
        Box::new(at(253_402_300_799_999_999)), // 9999-12-31 23:59:59.999999
        Box::new(at(1_764_649_135_000_001) + TimeDelta::nanoseconds(999)),
        // Before 2000 the parameter's microseconds are truncated toward zero: upwards.
        Box::new(at(946_684_799_999_999) + TimeDelta::nanoseconds(500)),
        Box::new(at(-1) + TimeDelta::nanoseconds(1)),
        Box::new(TicketStatus::PendingCustomer),
        Box::new(vec![TicketPriority::Urgent, TicketPriority::Low]),
        Box::new(Vec::<TicketId>::new()),
        Box::new(None::<TicketId>),
        Box::new(Some(7i32)),
    ];
    db.tenant_read(&scope(&a), async |tx| {
        for v in &values {
            let lit = v.literal().expect("a typed value has a literal");
            let same: bool = tx
                .query_one(
                    &format!("select ({lit}) is not distinct from $1"),
                    &[v.as_ref() as &dyn Param],
                )
                .await?
                .get(0);
            assert!(same, "{lit}");
            let text = tx.query_text(&format!("select ({lit})::text")).await?;
            let bin = tx
                .query_one("select ($1)::text", &[v.as_ref() as &dyn Param])
                .await?;
            assert_eq!(text[0].get(0), bin.get::<_, Option<&str>>(0), "{lit}");
        }
        Ok(())
    })
    .await
    .unwrap();
}

/// `set_local` in a read holds for every later statement of the read (each its own transaction),
/// in either protocol, and for nothing after it; a value outside the literal alphabet is refused.
#[tokio::test]
async fn a_reads_local_settings_reach_its_later_statements_and_nothing_else() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let a = app.tenant_by(&root).await;
    let pool = db::pool(&config().database_url, 1, Duration::from_secs(5)).unwrap();
    let db = Db::new(pool.clone());
    let setting =
        "select current_setting('hnsw.ef_search', true), current_setting('plan_cache_mode')";
    let seen = db
        .tenant_read(&scope(&a), async |tx| {
            tx.set_local(&[
                ("hnsw.ef_search", "77"),
                ("plan_cache_mode", "force_custom_plan"),
            ])
            .await?;
            let bin = tx.query_one(setting, &[]).await?;
            let text = tx.query_text(setting).await?;
            Ok((
                (bin.get::<_, String>(0), bin.get::<_, String>(1)),
                (
                    text[0].get(0).map(str::to_string),
                    text[0].get(1).map(str::to_string),
                ),
            ))
        })
        .await
        .unwrap();
    assert_eq!(seen.0, ("77".to_string(), "force_custom_plan".to_string()));
    assert_eq!(
        seen.1,
        (
            Some("77".to_string()),
            Some("force_custom_plan".to_string())
        )
    );
    let refused = db
        .tenant_read(&scope(&a), async |tx| {
            tx.set_local(&[("hnsw.ef_search", "1'; select 1")]).await
        })
        .await
        .unwrap_err();
    assert_eq!(refused.status.as_u16(), 500, "{refused:?}");
    let conn = pool.get().await.unwrap();
    let after = conn.query_typed_one(setting, &[]).await.unwrap();
    assert_ne!(after.get::<_, Option<String>>(0).as_deref(), Some("77"));
    assert_ne!(after.get::<_, String>(1), "force_custom_plan");
}

/// Between transactions a connection (through PgBouncer: whichever server connection runs the
/// statement) is the bare login role with nothing set.
async fn assert_bare_between_transactions(pool: &deadpool_postgres::Pool) {
    let conn = pool.get().await.unwrap();
    let row = conn
        .query_typed_one(
            "select current_user::text, coalesce(current_setting('app.tenant_id', true), ''),
                    coalesce(current_setting('app.user_id', true), ''), current_setting('role')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "tenantdesk_app");
    assert_eq!(row.get::<_, String>(1), "");
    assert_eq!(row.get::<_, String>(2), "");
    assert_eq!(row.get::<_, String>(3), "none");
    let err = conn
        .query_typed("select 1 from users", &[])
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), SqlState::INSUFFICIENT_PRIVILEGE);
}

/// Server connections of the PgBouncer the suite runs through, if it does (`make test`'s pooler
/// part sets it; fewer than the client connections below).
fn pooler_server_connections() -> Option<usize> {
    std::env::var("TENANTDESK_PGBOUNCER_POOL")
        .ok()
        .map(|n| n.parse().expect("TENANTDESK_PGBOUNCER_POOL is a number"))
}

/// Eight tenants on eight client connections at once. Through PgBouncer in transaction mode with
/// fewer server connections than that, transactions of different tenants take turns on the same
/// server connection (checked by backend pid); every one of them still sees exactly its own
/// tenant's rows and settings, and a statement between them finds nothing left behind.
#[tokio::test]
async fn concurrent_tenants_sharing_server_connections_see_only_their_own_rows() {
    const CLIENTS: usize = 8;
    const ROUNDS: usize = 40;
    let app = spawn().await;
    let root = app.superadmin().await;
    let mut tenants = Vec::new();
    for _ in 0..CLIENTS {
        tenants.push(app.tenant_by(&root).await);
    }
    let pool = db::pool(&config().database_url, CLIENTS, Duration::from_secs(30)).unwrap();
    let db = Db::new(pool.clone());

    let runs = tenants.iter().map(|t| {
        let (db, pool, s) = (db.clone(), pool.clone(), scope(t));
        tokio::spawn(async move {
            let mut pids = Vec::new();
            for i in 0..ROUNDS {
                // Read transactions (opening pipelined with the statement) every other round.
                let (pid, setting, rows) = if i % 2 == 0 {
                    db.tenant(&s, backend_setting_and_users).await
                } else {
                    db.tenant_read(&s, backend_setting_and_users).await
                }
                .unwrap();
                assert_eq!(setting, s.tenant_id().to_string(), "round {i}");
                assert_eq!(rows, [s.tenant_id().uuid()], "round {i}: saw {rows:?}");
                pids.push(pid);
                assert_bare_between_transactions(&pool).await;
            }
            (s.tenant_id().uuid(), pids)
        })
    });
    let mut tenants_of_backend: HashMap<i32, HashSet<Uuid>> = HashMap::new();
    for run in futures_util::future::join_all(runs).await {
        let (tenant, pids) = run.expect("no task panicked");
        for pid in pids {
            tenants_of_backend.entry(pid).or_default().insert(tenant);
        }
    }
    if let Some(servers) = pooler_server_connections() {
        assert!(
            servers < CLIENTS,
            "the pool must be smaller than the clients"
        );
        assert!(
            tenants_of_backend.len() < CLIENTS,
            "{} server connections for {CLIENTS} clients: not pooled?",
            tenants_of_backend.len()
        );
        assert!(
            tenants_of_backend.values().any(|t| t.len() > 1),
            "no server connection ran transactions of two tenants: {tenants_of_backend:?}"
        );
    }
}

/// A transaction abandoned half-way (its future dropped, as when a client disconnects) never
/// hands its open transaction and tenant to the next checkout.
#[tokio::test]
async fn an_abandoned_transaction_does_not_reach_the_next_request() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let (a, b) = (app.tenant_by(&root).await, app.tenant_by(&root).await);
    let pool = db::pool(&config().database_url, 1, Duration::from_secs(5)).unwrap();
    let db = Db::new(pool);

    let tx = db.begin_tenant(&scope(&a)).await.unwrap();
    let n = tx.query("select 1 from users", &[]).await.unwrap().len();
    assert_eq!(n, 1);
    drop(tx); // no COMMIT, no ROLLBACK

    let rows: Vec<Uuid> = db
        .tenant(&scope(&b), async |tx| {
            Ok(tx
                .query("select tenant_id from users", &[])
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
        .await
        .unwrap();
    assert_eq!(rows, [b.id]);
}

/// BM25 keyword search scores through `kb_chunks_bm25` (sql/0050), a SECURITY DEFINER function
/// reading chunks and term statistics past RLS. As the login role in a raw tenant transaction:
/// the ids it returns are the tenant's own chunks (any word or strict), each readable under the
/// tenant's RLS, and none with no tenant set or an emptied one.
#[tokio::test]
async fn the_bm25_function_returns_only_the_current_tenants_chunks() {
    use crate::knowledge::{doc, drain};
    let app = spawn().await;
    let root = app.superadmin().await;
    let (a, b) = (app.tenant_by(&root).await, app.tenant_by(&root).await);
    let word = format!("wallaby{}", &Uuid::new_v4().simple().to_string()[..8]);
    let text = format!("How to feed the {word} in winter.");
    doc(&app, &a.admin.token, "A", &text).await;
    for i in 0..3 {
        doc(&app, &b.admin.token, "B", &format!("{text} Part {i}.")).await;
    }
    drain(&app, &a).await;
    drain(&app, &b).await;

    let c = app_conn().await;
    // (ids returned, of those the ones this transaction's RLS lets it read)
    let scored = async |tenant: Option<Uuid>, setting: Option<&str>, query: &str, strict: bool| {
        raw_tenant_tx(&c, tenant).await;
        if let Some(v) = setting {
            c.execute("select set_config('app.tenant_id', $1, true)", &[&v])
                .await
                .unwrap();
        }
        let r = c
            .query_one(
                "select count(*), count(c.id) from kb_chunks_bm25($1, $2, 100) m
               left join kb_chunks c on c.id = m.id",
                &[&query, &strict],
            )
            .await
            .unwrap();
        c.batch_execute("rollback").await.unwrap();
        (r.get::<_, i64>(0), r.get::<_, i64>(1))
    };
    let question = format!("what does a {word} eat?");
    assert_eq!(scored(Some(a.id), None, &question, false).await, (1, 1));
    assert_eq!(scored(Some(b.id), None, &question, false).await, (3, 3));
    let strict = format!("\"feed the {word}\"");
    assert_eq!(scored(Some(a.id), None, &strict, true).await, (1, 1));
    assert_eq!(scored(None, None, &question, false).await, (0, 0));
    assert_eq!(scored(None, Some(""), &question, false).await, (0, 0));
}
