//! Retention: the maintenance job drops exactly what is older than each setting, with a clock the
//! test sets, and only one instance runs it at a time.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use tenantdesk::usage::retention;
use uuid::Uuid;

use crate::support::*;

/// A usage row of `tenant` at `at`, labelled by its request id, written as the service writes.
async fn usage_row(tenant: Uuid, at: DateTime<Utc>, label: &str) {
    let conn = app_conn().await;
    conn.execute(
        "select usage_log_append(array[$1::uuid], array[$2::timestamptz], array[$3::text],
                array[null::uuid], array[null::uuid], array['GET'], array['/v1/me'],
                array[200], array[1], array[0::int8], array[0::int8])",
        &[&tenant, &at, &label],
    )
    .await
    .unwrap();
}

/// Points `run` at the query log `log`, as the worker records a run's outcome (the tenant role,
/// as an agent).
async fn link_run_to_query_log(t: &TestTenant, run: Uuid, log: Uuid) {
    let conn = app_conn().await;
    conn.batch_execute("begin; set local role tenantdesk_tenant")
        .await
        .unwrap();
    conn.execute(
        "select set_config('app.tenant_id', $1, true), set_config('app.role', 'agent', true)",
        &[&t.id.to_string()],
    )
    .await
    .unwrap();
    let n = conn
        .execute(
            "update assistant_runs set query_log_id = $2 where job_id = $1",
            &[&run, &log],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    conn.batch_execute("commit").await.unwrap();
}

fn partition(at: DateTime<Utc>) -> String {
    format!("usage_log_p{}", at.format("%Y%m%d"))
}

#[tokio::test]
async fn retention_drops_exactly_the_usage_audit_search_and_query_log_rows_older_than_their_settings()
 {
    let app = spawn().await;
    let t = app.tenant().await;
    let now = Utc::now();
    let c = app.config.usage.clone();
    let usage_cutoff = now - Duration::days(c.usage_retention_days.into());
    let minute = Duration::minutes(1);
    let rows = [
        (now - Duration::days(45), "45 days"),
        (usage_cutoff - Duration::days(1), "a day past"),
        (usage_cutoff - minute, "a minute past"),
        (usage_cutoff + minute, "a minute short"),
        (now - Duration::days(1), "yesterday"),
    ];
    for (at, label) in rows {
        usage_row(t.id, at, label).await;
    }
    // Only these rows: the tenant's own requests are in the log too.
    let labels: Vec<String> = rows.iter().map(|(_, l)| l.to_string()).collect();

    // The row-deleted logs: one row a minute past each cutoff, one a minute short of it, each
    // labelled by its text column.
    let owner = owner_conn().await;
    let cutoff = |days: u32| now - Duration::days(days.into());
    let logs = [
        (
            "audit_log",
            "action",
            cutoff(c.audit_retention_days),
            "insert into audit_log (tenant_id, action, target, created_at)
             values ($1, $2, 'retention test', $3) returning null::uuid",
        ),
        (
            "search_log",
            "query",
            cutoff(c.search_retention_days),
            "insert into search_log (tenant_id, mode, query, results, created_at)
             values ($1, 'keyword', $2, 0, $3) returning null::uuid",
        ),
        (
            "assistant_query_logs",
            "question",
            cutoff(c.query_log_retention_days),
            "insert into assistant_query_logs (tenant_id, channel, question, answer, provider,
                    model, retrieval_ms, generation_ms, created_at)
             values ($1, 'ask', $2, 'an answer', 'test', 'test', 1, 1, $3) returning id",
        ),
    ];
    let mut old_query_log = None;
    for (table, _, cutoff, insert) in &logs {
        for (at, label) in [
            (*cutoff - minute, "old enough"),
            (*cutoff + minute, "not yet"),
        ] {
            let id: Option<Uuid> = owner
                .query_one(*insert, &[&t.id, &label, &at])
                .await
                .unwrap()
                .get(0);
            if *table == "assistant_query_logs" && label == "old enough" {
                old_query_log = id;
            }
        }
    }
    // A ticket run whose answer's log is purged keeps its outcome and forgets the log.
    let ticket = app
        .post("/v1/tickets", &t.admin.token, json!({"title": "Retention"}))
        .await
        .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let run = app
        .post(
            &format!("/v1/tickets/{ticket}/assist"),
            &t.admin.token,
            json!({}),
        )
        .await
        .ok(202)["id"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    link_run_to_query_log(&t, run, old_query_log.unwrap()).await;

    let report = retention::run(&app.state.db, &c, now).await.unwrap();
    for (table, ..) in &logs {
        assert!(
            report.purged.iter().any(|(t, _, n)| t == table && *n >= 1),
            "{table}: {report:?}"
        );
    }

    let kept: Vec<String> = owner
        .query(
            "select request_id from usage_log
              where tenant_id = $1 and request_id = any($2) order by at",
            &[&t.id, &labels],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(kept, ["a minute short", "yesterday"]);
    for (table, label, ..) in &logs {
        let left: Vec<String> = owner
            .query(
                &format!("select {label} from {table} where tenant_id = $1 order by created_at"),
                &[&t.id],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        // The audit log also holds the tenant's own creation: only the test's rows count.
        let left: Vec<&str> = left
            .iter()
            .map(String::as_str)
            .filter(|l| ["old enough", "not yet"].contains(l))
            .collect();
        assert_eq!(left, ["not yet"], "{table}");
    }
    let runs = crate::assistant::runs(&app, &t.admin.token, &ticket).await;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["id"], run.to_string());
    assert_eq!(runs[0].get("query_log_id"), None, "{runs:?}");
    // Whole days past the cutoff went as partitions; the one the cutoff cuts through stays,
    // and partitions are ready a week ahead.
    let exists = async |name: String| -> bool {
        owner
            .query_one("select to_regclass($1) is not null", &[&name])
            .await
            .unwrap()
            .get(0)
    };
    assert!(!exists(partition(now - Duration::days(45))).await);
    assert!(!exists(partition(usage_cutoff - Duration::days(1))).await);
    assert!(exists(partition(usage_cutoff)).await);
    assert!(exists(partition(now + Duration::days(7))).await);
}

#[tokio::test]
async fn only_one_instance_holds_a_scheduled_job_and_only_when_it_is_due() {
    let app = spawn().await;
    let db = app.state.db.clone();
    let job = format!("test-{}", Uuid::new_v4().simple());
    let now = Utc::now();
    let mut claims = Vec::new();
    for i in 0..6 {
        let (db, job) = (db.clone(), job.clone());
        claims.push(tokio::spawn(async move {
            retention::claim(&db, &job, &format!("instance-{i}"), now)
                .await
                .unwrap()
        }));
    }
    let mut won = Vec::new();
    for (i, c) in claims.into_iter().enumerate() {
        if c.await.unwrap() {
            won.push(i);
        }
    }
    assert_eq!(won.len(), 1, "{won:?} hold the job");
    let holder = format!("instance-{}", won[0]);
    // Done, and due again in an hour: not before.
    retention::done(&db, &job, &holder, now + Duration::hours(1))
        .await
        .unwrap();
    assert!(
        !retention::claim(&db, &job, "other", now + Duration::minutes(59))
            .await
            .unwrap()
    );
    assert!(
        retention::claim(&db, &job, "other", now + Duration::minutes(61))
            .await
            .unwrap()
    );
    // A lease nobody gives back runs out (600 s) and another instance takes the job over.
    assert!(
        !retention::claim(&db, &job, "third", now + Duration::minutes(62))
            .await
            .unwrap()
    );
    assert!(
        retention::claim(&db, &job, "third", now + Duration::minutes(72))
            .await
            .unwrap()
    );
}
