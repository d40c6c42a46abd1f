//! Issue 13: contract fuzzing. schemathesis (pinned in openapi/clients/python/
//! requirements-tools.txt, installed by `make sdk-tools` into .local/sdk/venv) sends the running
//! service what the committed spec allows and what it forbids, with every check and the
//! stateful phase, once as a tenant admin and once as a superadmin acting inside a tenant. Its
//! settings and the reason for each are in tests/contract/schemathesis.toml and hooks.py.
//!
//! Bounded in time: `CONTRACT_SECONDS` per run (default 150). One worker: with two, hypothesis
//! (Python 3.11) sometimes fails inside its own lambda-source introspection ("AST constructor
//! recursion depth mismatch"), a tool error, not a finding.

use serde_json::json;

use crate::support::*;

async fn schemathesis(who: &str, login_path: &str, login: serde_json::Value, headers: &[String]) {
    let root = checkout();
    let st = root.join(".local/sdk/venv/bin/schemathesis");
    assert!(
        st.exists(),
        "schemathesis is not installed: run `make sdk-tools` (make test does)"
    );
    // Fuzzing the login routes with the run's own account must not lock it out: the throttle
    // has its own tests (identity::login).
    let app = spawn_with(|c| {
        c.auth.login_max_failures = i64::from(i32::MAX);
        c.auth.login_max_failures_per_address = i64::from(i32::MAX);
    })
    .await;
    let seconds = std::env::var("CONTRACT_SECONDS").unwrap_or_else(|_| "150".into());
    let report = root.join(format!("target/contract-{who}.log"));
    let mut cmd = tokio::process::Command::new(&st);
    cmd.arg("--config-file")
        .arg(root.join("tests/contract/schemathesis.toml"))
        .arg("run")
        .arg(root.join("openapi/openapi.json"))
        .args(["--url", &app.base, "--checks", "all", "--workers", "1"])
        .args(["--max-examples", "25", "--max-time", &seconds, "--no-color"])
        .args(["--seed", "13"])
        .env("TD_BASE_URL", &app.base)
        .env("TD_LOGIN_PATH", login_path)
        .env("TD_LOGIN_BODY", login.to_string())
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", root.join("tests/contract"))
        .kill_on_drop(true);
    for h in headers {
        cmd.args(["--header", h]);
    }
    let out = cmd.output().await.expect("schemathesis starts");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::write(&report, &text);
    let tail: Vec<&str> = text.lines().rev().take(120).collect();
    assert!(
        out.status.success(),
        "schemathesis ({who}) found problems (whole output in {}):\n{}",
        report.display(),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_wrong_as_a_tenant_admin() {
    let app = spawn().await;
    let t = app.tenant().await;
    schemathesis(
        "admin",
        "/v1/auth/token",
        json!({"tenant": t.slug, "email": t.admin.email, "password": PASSWORD}),
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_wrong_as_a_superadmin_acting_in_a_tenant() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    schemathesis(
        "superadmin",
        "/v1/auth/superadmin/token",
        json!({"email": root.email, "password": PASSWORD}),
        &[format!("X-Tenant-Id: {}", t.id)],
    )
    .await;
}
