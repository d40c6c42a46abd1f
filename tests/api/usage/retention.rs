//! Retention: the maintenance job drops exactly what is older than each setting, with a clock the
//! test sets, and only one instance runs it at a time.

use chrono::{DateTime, Duration, Utc};
use tenantdesk::usage::retention;
use uuid::Uuid;

use crate::support::*;

/// A usage row of `tenant` at `at`, labelled by its request id, written as the service writes.
async fn usage_row(tenant: Uuid, at: DateTime<Utc>, label: &str) {
    // An unnamed statement, as the service sends: this test also runs through PgBouncer, where a
    // named one outside a transaction can meet its name on a shared server connection.
    let conn = app_conn().await;
    tenantdesk::db::statement::execute(
        &conn,
        "select usage_log_append(array[$1::uuid], array[$2::timestamptz], array[$3::text],
                array[null::uuid], array[null::uuid], array['GET'], array['/v1/me'],
                array[200], array[1], array[0::int8], array[0::int8])",
        &[&tenant, &at, &label],
    )
    .await
    .unwrap();
}

fn partition(at: DateTime<Utc>) -> String {
    format!("usage_log_p{}", at.format("%Y%m%d"))
}

#[tokio::test]
async fn retention_drops_exactly_the_usage_and_audit_rows_older_than_their_settings() {
    let app = spawn().await;
    let t = app.tenant().await;
    let now = Utc::now();
    let c = app.config.usage.clone();
    let usage_cutoff = now - Duration::days(c.usage_retention_days.into());
    let audit_cutoff = now - Duration::days(c.audit_retention_days.into());
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
    let owner = owner_conn().await;
    for (at, label) in [
        (audit_cutoff - minute, "old enough"),
        (audit_cutoff + minute, "not yet"),
    ] {
        owner
            .execute(
                "insert into audit_log (tenant_id, action, target, created_at)
                 values ($1, $2, 'retention test', $3)",
                &[&t.id, &label, &at],
            )
            .await
            .unwrap();
    }

    let report = retention::run(app.state.db.pool(), &c, now).await.unwrap();
    assert!(
        report.purged.iter().any(|(t, ..)| *t == "usage_log"),
        "{report:?}"
    );

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
    let audit: Vec<String> = owner
        .query(
            "select action from audit_log where tenant_id = $1 and target = 'retention test'",
            &[&t.id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(audit, ["not yet"]);
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
    let pool = app.state.db.pool().clone();
    let job = format!("test-{}", Uuid::new_v4().simple());
    let now = Utc::now();
    let mut claims = Vec::new();
    for i in 0..6 {
        let (pool, job) = (pool.clone(), job.clone());
        claims.push(tokio::spawn(async move {
            retention::claim(&pool, &job, &format!("instance-{i}"), now)
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
    retention::done(&pool, &job, &holder, now + Duration::hours(1))
        .await
        .unwrap();
    assert!(
        !retention::claim(&pool, &job, "other", now + Duration::minutes(59))
            .await
            .unwrap()
    );
    assert!(
        retention::claim(&pool, &job, "other", now + Duration::minutes(61))
            .await
            .unwrap()
    );
    // A lease nobody gives back runs out (600 s) and another instance takes the job over.
    assert!(
        !retention::claim(&pool, &job, "third", now + Duration::minutes(62))
            .await
            .unwrap()
    );
    assert!(
        retention::claim(&pool, &job, "third", now + Duration::minutes(72))
            .await
            .unwrap()
    );
}
