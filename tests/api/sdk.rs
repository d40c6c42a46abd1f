//! Issue 13: the client SDKs under openapi/clients, generated from the committed spec, and the
//! same scenario run by each of them against the live service over HTTP.
//!
//! The generators and runtimes are installed by the repo (`make sdk-tools`, which `make test`
//! runs): node_modules under openapi/clients/typescript, a Python venv in .local/sdk.

use std::{
    path::{Path, PathBuf},
    process::Output,
    time::Duration,
};

use serde_json::Value;
use tenantdesk_client::{ApiError, Auth, DocumentUpload, all_pages, connect, types};
use uuid::Uuid;

use crate::support::*;

fn root() -> PathBuf {
    checkout()
}

fn clients() -> PathBuf {
    root().join("openapi/clients")
}

fn venv_python() -> PathBuf {
    let python = root().join(".local/sdk/venv/bin/python");
    assert!(
        python.exists(),
        "the SDK tools are not installed: run `make sdk-tools` (make test does)"
    );
    python
}

/// Runs `cmd`; the whole output goes into the failure message.
async fn run(cmd: &mut tokio::process::Command, what: &str) -> Output {
    let out = cmd
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test]
async fn committed_sdks_are_what_the_committed_spec_generates() {
    let out = tokio::process::Command::new(clients().join("sdk.sh"))
        .arg("check")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "a committed SDK differs from what openapi/openapi.json generates; regenerate them with \
         `make sdk` and commit:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_sdk_carries_the_spec_version() {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("openapi/openapi.json")).unwrap(),
    )
    .unwrap();
    let version = spec["info"]["version"].as_str().unwrap();
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(clients().join("typescript/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(package["version"], version, "typescript/package.json");
    let line = |path: &Path| {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .find(|l| l.starts_with("version = "))
            .map(|l| {
                l.trim_start_matches("version = ")
                    .trim_matches('"')
                    .to_string()
            })
            .unwrap()
    };
    assert_eq!(line(&clients().join("python/pyproject.toml")), version);
    assert_eq!(line(&clients().join("rust/Cargo.toml")), version);
}

/// A service for one scenario, a superadmin it can log in as, and the slug of the tenant the
/// scenario will create; an ingestion worker takes that tenant's jobs (only its) once it exists.
struct Stage {
    app: TestApp,
    root: Superadmin,
    slug: String,
    worker: tokio::task::JoinHandle<()>,
}

async fn stage() -> Stage {
    // The scenario processes log in from 127.0.0.1, the address the contract run's fuzzed
    // logins also fail from: the per-address throttle (tested in identity::login) is off here.
    let app = spawn_with(|c| c.auth.login_max_failures_per_address = i64::from(i32::MAX)).await;
    let root = app.superadmin().await;
    let slug = format!("sdk-{}", &Uuid::new_v4().simple().to_string()[..10]);
    let mut w = app.state.worker();
    let find = slug.clone();
    let worker = tokio::spawn(async move {
        let db = owner_conn().await;
        loop {
            if w.tenant.is_none() {
                w.tenant = db
                    .query_typed(
                        "select id from tenants where slug = $1",
                        &[(&find, tokio_postgres::types::Type::TEXT)],
                    )
                    .await
                    .ok()
                    .and_then(|rows| rows.first().map(|r| r.get::<_, Uuid>(0).into()));
            }
            if w.tenant.is_some() {
                let _ = w.run_once().await;
            }
            // A worker's idle poll (as `WORKER_POLL_MS` in the service), not a wait for a result.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Stage {
        app,
        root,
        slug,
        worker,
    }
}

impl Stage {
    fn env<'c>(&self, cmd: &'c mut tokio::process::Command) -> &'c mut tokio::process::Command {
        cmd.env("TD_BASE_URL", &self.app.base)
            .env("TD_ROOT_EMAIL", &self.root.email)
            .env("TD_ROOT_PASSWORD", PASSWORD)
            .env("TD_SLUG", &self.slug)
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        self.worker.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_typescript_sdk_type_checks_and_runs_the_scenario() {
    let dir = clients().join("typescript");
    assert!(
        dir.join("node_modules/.bin/tsc").exists(),
        "the SDK tools are not installed: run `make sdk-tools` (make test does)"
    );
    // Strict type-checking of the generated client, the wrapper and the scenario, then its
    // JavaScript.
    run(
        tokio::process::Command::new(dir.join("node_modules/.bin/tsc"))
            .args(["-p", "tsconfig.json"])
            .current_dir(&dir),
        "tsc",
    )
    .await;
    let s = stage().await;
    let out = run(
        s.env(&mut tokio::process::Command::new("node"))
            .arg("dist/test/scenario.js")
            .current_dir(&dir),
        "the TypeScript scenario",
    )
    .await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("typescript scenario: passed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_type_checks_and_runs_the_scenario() {
    let dir = clients().join("python");
    let python = venv_python();
    run(
        tokio::process::Command::new(&python)
            .args(["-m", "mypy", "--strict", "tenantdesk", "tests/scenario.py"])
            .current_dir(&dir),
        "mypy",
    )
    .await;
    let s = stage().await;
    let out = run(
        s.env(&mut tokio::process::Command::new(&python))
            .arg("tests/scenario.py")
            .env("PYTHONPATH", &dir)
            .current_dir(&dir),
        "the Python scenario",
    )
    .await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("python scenario: passed"));
}

/// The problem of a failed call, which must be one.
fn problem(r: Result<impl std::fmt::Debug, ApiError>) -> types::Problem {
    match r {
        Err(ApiError::Problem(p)) => *p,
        other => panic!("expected a problem, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_runs_the_scenario() {
    let s = stage().await;
    let (base, slug) = (s.app.base.as_str(), s.slug.as_str());
    let password = "a long password for the sdk scenario";
    let anon = connect(base, Auth::None).unwrap();

    // A superadmin creates a tenant and its admin (acting inside it with X-Tenant-Id).
    let root = anon
        .login_superadmin()
        .body(
            types::SuperadminTokenIn::builder()
                .email(s.root.email.as_str())
                .password(PASSWORD),
        )
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let platform = connect(base, Auth::Bearer(root.access_token.clone())).unwrap();
    let acting_in = |tenant: Uuid| {
        connect(
            base,
            Auth::Acting {
                token: root.access_token.clone(),
                tenant,
            },
        )
        .unwrap()
    };
    let tenant = platform
        .create_tenant()
        .body(
            types::TenantIn::builder()
                .name(format!("SDK {slug}"))
                .slug(slug),
        )
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let acting = acting_in(tenant.id);
    let user_in = |email: String, role: types::UserRole| {
        types::UserIn::builder()
            .email(email)
            .role(role)
            .password(password)
    };
    acting
        .create_user()
        .body(user_in(
            format!("admin@{slug}.test"),
            types::UserRole::Admin,
        ))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();

    // The admin logs in and refreshes.
    let login = |email: String| {
        types::TokenIn::builder()
            .tenant(slug)
            .email(email)
            .password(password)
    };
    let first = anon
        .login()
        .body(login(format!("admin@{slug}.test")))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let tokens = anon
        .refresh_token()
        .body(types::RefreshIn::builder().refresh_token(first.refresh_token.unwrap()))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let admin = connect(base, Auth::Bearer(tokens.access_token)).unwrap();

    // An agent, a user and an API key; the key authenticates with X-API-Key.
    admin
        .create_user()
        .body(user_in(
            format!("agent@{slug}.test"),
            types::UserRole::Agent,
        ))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    let customer = admin
        .create_user()
        .body(user_in(format!("user@{slug}.test"), types::UserRole::User))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let key = admin
        .create_api_key()
        .body(
            types::ApiKeyIn::builder()
                .name("sdk")
                .scope(types::ApiKeyScope::ReadWrite),
        )
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let via_key = connect(base, Auth::ApiKey(key.key)).unwrap();
    let users = via_key
        .list_users()
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    assert_eq!(users.items.len(), 3);

    // Tickets: created with an Idempotency-Key, replayed.
    let ticket_in = types::TicketIn::builder()
        .title("Printer on fire")
        .priority(types::TicketPriority::Urgent);
    let idem = format!("sdk-{slug}");
    let ticket = admin
        .create_ticket()
        .idempotency_key(idem.as_str())
        .body(ticket_in.clone())
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let replay = admin
        .create_ticket()
        .idempotency_key(idem.as_str())
        .body(ticket_in)
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    assert_eq!(replay.headers().get("idempotent-replayed").unwrap(), "true");
    assert_eq!(replay.into_inner().id, ticket.id);

    // Listed to the end through every cursor page.
    for i in 0..4 {
        admin
            .create_ticket()
            .body(types::TicketIn::builder().title(format!("Ticket {i}")))
            .send()
            .await
            .map_err(ApiError::from)
            .unwrap();
    }
    let pages = std::sync::atomic::AtomicUsize::new(0);
    let all = all_pages(|cursor| {
        pages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let req = admin
            .list_tickets()
            .limit(std::num::NonZeroU64::new(2).unwrap())
            .status(vec![types::TicketStatus::Open]);
        async move {
            let req = match cursor {
                Some(c) => req.cursor(c),
                None => req,
            };
            let page = req.send().await?.into_inner();
            Ok((page.items, page.next_cursor))
        }
    })
    .await
    .unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(pages.into_inner(), 3);

    // A forbidden transition: a typed problem carrying `code` and `allowed`.
    let bad = problem(
        admin
            .transition_ticket()
            .id(ticket.id)
            .body(types::TransitionIn::builder().to(types::TicketStatus::Reopened))
            .send()
            .await
            .map_err(ApiError::from),
    );
    assert_eq!(bad.status, 409);
    assert_eq!(bad.code, types::ProblemCode::InvalidTransition);
    assert!(bad.allowed.contains(&"in_progress".to_string()), "{bad:?}");

    // If-Match with a stale ETag: a typed 412.
    let got = admin
        .get_ticket()
        .id(ticket.id)
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    let etag = got.headers()["etag"].to_str().unwrap().to_string();
    admin
        .transition_ticket()
        .id(ticket.id)
        .if_match(&etag)
        .body(types::TransitionIn::builder().to(types::TicketStatus::InProgress))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    let stale = problem(
        admin
            .update_ticket()
            .id(ticket.id)
            .if_match(&etag)
            .body(
                types::TicketPatch::builder().title(Some("Printer still on fire".parse().unwrap())),
            )
            .send()
            .await
            .map_err(ApiError::from),
    );
    assert_eq!(stale.status, 412);
    assert_eq!(stale.code, types::ProblemCode::PreconditionFailed);

    // Messages: an internal note the user cannot see.
    let mine = anon
        .login()
        .body(login(format!("user@{slug}.test")))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let user = connect(base, Auth::Bearer(mine.access_token)).unwrap();
    let own = user
        .create_ticket()
        .body(types::TicketIn::builder().title("My laptop"))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    assert_eq!(own.creator_id, Some(customer.id));
    for (content, internal) in [("Customer is a VIP", true), ("We are on it", false)] {
        admin
            .create_ticket_message()
            .id(own.id)
            .body(
                types::MessageIn::builder()
                    .content(content)
                    .is_internal(internal),
            )
            .send()
            .await
            .map_err(ApiError::from)
            .unwrap();
    }
    let by_admin = admin
        .list_ticket_messages()
        .id(own.id)
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    assert_eq!(by_admin.items.len(), 2);
    let by_user = user
        .list_ticket_messages()
        .id(own.id)
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    let seen: Vec<&str> = by_user.items.iter().map(|m| m.content.as_str()).collect();
    assert_eq!(seen, ["We are on it"]);

    // A multipart upload, its ingestion job, hybrid search finding it.
    let doc = tenantdesk_client::upload_document(
        &admin,
        DocumentUpload {
            file_name: "flux.txt".into(),
            mime: Some("text/plain".into()),
            content: b"Resetting the flux capacitor: hold the red button for ten seconds, then release it."
                .to_vec(),
            title: Some("Flux capacitor reset".into()),
            doc_type: Some(types::DocumentType::Guide),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let job_id = doc.job_id.expect("a job");
    eventually(
        "the ingestion job completes",
        Duration::from_secs(120),
        async || {
            let job = admin
                .get_ingestion_job()
                .id(job_id)
                .send()
                .await
                .map_err(ApiError::from)
                .unwrap()
                .into_inner();
            assert_ne!(job.status, types::JobStatus::Failed, "{job:?}");
            if job.status == types::JobStatus::Completed {
                Ok(())
            } else {
                Err(format!("{job:?}"))
            }
        },
    )
    .await;
    let found = admin
        .search()
        .body(
            types::SearchIn::builder()
                .query(Some("how do I reset the flux capacitor".parse().unwrap()))
                .mode(types::SearchMode::Hybrid),
        )
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    assert_eq!(found.results.first().map(|h| h.document_id), Some(doc.id));

    // The assistant (the built-in responder) answers from that document, citing it.
    let answer = user
        .ask()
        .body(types::AskIn::builder().question("How do I reset the flux capacitor?"))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    assert_eq!(answer.provider, types::ProviderKind::Builtin);
    assert_eq!(answer.sources.first().map(|s| s.document_id), Some(doc.id));
    assert!(answer.answer.contains("red button"), "{answer:?}");

    // A write past the tenant's plan: a typed 403 naming the quota.
    platform
        .set_tenant_plan()
        .id(tenant.id)
        .body(types::PlanIn::builder().max_api_keys(Some(1)))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    let over = problem(
        admin
            .create_api_key()
            .body(
                types::ApiKeyIn::builder()
                    .name("second")
                    .scope(types::ApiKeyScope::ReadOnly),
            )
            .send()
            .await
            .map_err(ApiError::from),
    );
    assert_eq!(over.status, 403);
    assert_eq!(over.code, types::ProblemCode::QuotaExceeded);
    assert_eq!(over.quota.as_deref(), Some("max_api_keys"));

    // Another tenant's id: a typed 404.
    let other = platform
        .create_tenant()
        .body(
            types::TenantIn::builder()
                .name(format!("SDK other {slug}"))
                .slug(format!("{slug}-o")),
        )
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    acting_in(other.id)
        .create_user()
        .body(user_in(
            format!("admin@{slug}-o.test"),
            types::UserRole::Admin,
        ))
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap();
    let stranger = anon
        .login()
        .body(
            types::TokenIn::builder()
                .tenant(format!("{slug}-o"))
                .email(format!("admin@{slug}-o.test"))
                .password(password),
        )
        .send()
        .await
        .map_err(ApiError::from)
        .unwrap()
        .into_inner();
    let missing = problem(
        connect(base, Auth::Bearer(stranger.access_token))
            .unwrap()
            .get_ticket()
            .id(ticket.id)
            .send()
            .await
            .map_err(ApiError::from),
    );
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code, types::ProblemCode::NotFound);
}
