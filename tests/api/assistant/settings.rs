//! Settings: admins read and change them, every change is audited, the API key is write-only
//! and sealed at rest, superadmins set platform defaults and may act in a tenant, bad input is a
//! 422 naming the field and changes nothing.

use serde_json::{Value, json};

use super::{FakeLlm, Reply, settings};
use crate::support::*;

async fn audit_targets(app: &TestApp, t: &TestTenant, action: &str) -> Vec<Value> {
    app.get("/v1/audit-log?limit=100", &t.admin.token)
        .await
        .ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

#[tokio::test]
async fn admins_read_and_change_the_settings_and_every_change_is_audited() {
    let app = spawn().await;
    let t = app.tenant().await;
    let got = app.get("/v1/settings", &t.admin.token).await;
    let s = got.ok(200).clone();
    assert_eq!(s["assistant_mode"], "off");
    assert_eq!(s["provider"], "builtin");
    assert_eq!(s["api_key_set"], false);
    assert_eq!(s["overridden"], json!([]));
    let keywords: Vec<&str> = s["escalation_keywords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(
        keywords.contains(&"refund") && keywords.contains(&"возврат"),
        "{keywords:?}"
    );

    let s = settings(
        &app,
        &t,
        json!({"assistant_mode": "draft", "retrieval_top_k": 3, "escalation_threshold": 0.4,
               "escalation_keywords": [" warranty claim ", "Warranty Claim", "суд"]}),
    )
    .await;
    assert_eq!(s["assistant_mode"], "draft");
    assert_eq!(s["retrieval_top_k"], 3);
    assert_eq!(s["escalation_threshold"], 0.4);
    assert_eq!(s["escalation_keywords"], json!(["warranty claim", "суд"]));
    assert_eq!(
        s["overridden"],
        json!([
            "assistant_mode",
            "escalation_keywords",
            "escalation_threshold",
            "retrieval_top_k"
        ])
    );
    assert_eq!(app.get("/v1/settings", &t.admin.token).await.ok(200), &s);

    // null returns a field to the default; an empty change writes nothing.
    let s = settings(&app, &t, json!({"retrieval_top_k": null})).await;
    assert_eq!(s["retrieval_top_k"], 5);
    assert!(
        !s["overridden"]
            .as_array()
            .unwrap()
            .contains(&json!("retrieval_top_k"))
    );
    settings(&app, &t, json!({})).await;

    let audited = audit_targets(&app, &t, "settings.update").await;
    let targets: Vec<&str> = audited
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        vec![
            "settings:retrieval_top_k",
            "settings:assistant_mode,escalation_keywords,escalation_threshold,retrieval_top_k",
        ]
    );
    assert_eq!(audited[0]["actor_user_id"], t.admin.id.to_string());
}

#[tokio::test]
async fn the_api_key_is_write_only_and_sealed_at_rest() {
    let app = spawn().await;
    let t = app.tenant().await;
    let secret = format!("sk-test-{}", uuid::Uuid::new_v4().simple());
    let r = app
        .patch("/v1/settings", &t.admin.token, json!({"api_key": secret}))
        .await;
    assert_eq!(r.ok(200)["api_key_set"], true);
    assert!(!r.text.contains(&secret));
    let got = app.get("/v1/settings", &t.admin.token).await;
    assert!(!got.text.contains(&secret) && got.body.get("api_key").is_none());
    let audit = app.get("/v1/audit-log", &t.admin.token).await;
    assert!(!audit.text.contains(&secret));

    // In the database: sealed under the development key, nowhere in clear.
    let (sealed, anywhere): (String, i64) = app
        .state
        .db
        .tenant(&crate::knowledge::agent_scope(&t), async |tx| {
            let r = tx
                .query_one(
                    "select api_key_sealed,
                            (select count(*) from tenant_settings s where s::text like '%' || $2 || '%')
                       from tenant_settings where tenant_id = $1",
                    &[&t.id, &secret],
                )
                .await?;
            Ok((r.get(0), r.get(1)))
        })
        .await
        .unwrap();
    assert!(
        sealed.starts_with("dev:") && !sealed.contains(&secret),
        "{sealed}"
    );
    assert_eq!(anywhere, 0);

    // It is what the provider receives.
    let fake = FakeLlm::start(Reply::Stream("Hold the reset button [1].".into())).await;
    settings(&app, &t, fake.settings()).await;
    super::knowledge(&app, &t).await;
    app.post(
        "/v1/ask",
        &t.admin.token,
        json!({"question": "How do I reset the router?"}),
    )
    .await
    .ok(200);
    assert_eq!(
        fake.seen()[0].authorization.as_deref(),
        Some(format!("Bearer {secret}").as_str())
    );

    let s = settings(&app, &t, json!({"api_key": null})).await;
    assert_eq!(s["api_key_set"], false);
}

#[tokio::test]
async fn only_admins_and_superadmins_acting_in_the_tenant_change_settings() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    let other = app.tenant_by(&root).await;
    let agent = app.user(&t, "agent").await;
    let user = app.user(&t, "user").await;
    for tok in [&agent.token, &user.token] {
        app.get("/v1/settings", tok).await.problem(403, "forbidden");
        app.patch("/v1/settings", tok, json!({"assistant_mode": "reply"}))
            .await
            .problem(403, "forbidden");
    }
    let key = app
        .post(
            "/v1/api-keys",
            &t.admin.token,
            json!({"name": "ro", "scope": "read_only"}),
        )
        .await
        .ok(201)["key"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(
        "/v1/settings",
        Cred::ApiKey(key.clone()),
        json!({"assistant_mode": "reply"}),
    )
    .await
    .problem(403, "read_only_key");
    // Tenants cannot touch the platform defaults.
    app.get("/v1/settings/defaults", &t.admin.token)
        .await
        .problem(403, "superadmin_only");

    // A superadmin acting in the tenant changes its settings, audited as such.
    let acting = Cred::Acting(root.token.clone(), t.id);
    let r = app
        .patch("/v1/settings", acting, json!({"assistant_mode": "reply"}))
        .await;
    assert_eq!(r.ok(200)["assistant_mode"], "reply");
    let entries = audit_targets(&app, &t, "settings.update").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor_superadmin_id"], root.id.to_string());
    // A superadmin without a tenant gets the tenant-required answer.
    app.get("/v1/settings", &root.token)
        .await
        .problem(403, "tenant_required");

    // The other tenant's settings did not move.
    let o = app.get("/v1/settings", &other.admin.token).await;
    assert_eq!(o.ok(200)["assistant_mode"], "off");
    assert_eq!(o.body["overridden"], json!([]));
    assert!(
        audit_targets(&app, &other, "settings.update")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn bad_settings_are_422_naming_the_field_and_change_nothing() {
    let app = spawn_with(|c| c.assistant.allow_private_urls = false).await;
    let t = app.tenant().await;
    let before = app
        .get("/v1/settings", &t.admin.token)
        .await
        .ok(200)
        .clone();
    let many: Vec<String> = (0..101).map(|i| format!("word{i}")).collect();
    for (body, field) in [
        (json!({"assistant_mode": "auto"}), "assistant_mode"),
        (json!({"assistant_mode": 3}), "assistant_mode"),
        (json!({"retrieval_top_k": 0}), "retrieval_top_k"),
        (json!({"retrieval_top_k": 21}), "retrieval_top_k"),
        (json!({"retrieval_top_k": "5"}), "retrieval_top_k"),
        (json!({"escalation_threshold": 1.5}), "escalation_threshold"),
        (json!({"retrieval_min_score": -0.1}), "retrieval_min_score"),
        (json!({"provider": "anthropic"}), "provider"),
        (json!({"base_url": "ftp://x.example"}), "base_url"),
        (json!({"base_url": "http://127.0.0.1:11434"}), "base_url"),
        (
            json!({"base_url": "http://169.254.169.254/latest"}),
            "base_url",
        ),
        (
            json!({"base_url": "https://user:pw@llm.example"}),
            "base_url",
        ),
        (json!({"model": ""}), "model"),
        (json!({"model": "m\u{0}"}), "model"),
        (json!({"system_prompt": "x".repeat(8001)}), "system_prompt"),
        (json!({"api_key": "   "}), "api_key"),
        (json!({"escalation_keywords": many}), "escalation_keywords"),
        (
            json!({"escalation_keywords": ["ok", "!!!"]}),
            "escalation_keywords[1]",
        ),
        (
            json!({"escalation_keywords": ["a\u{0}b"]}),
            "escalation_keywords[0]",
        ),
        (
            json!({"escalation_keywords": "refund"}),
            "escalation_keywords",
        ),
        (json!({"assistant_mode": "draft", "mode": "reply"}), "mode"),
        (json!("draft"), "body"),
    ] {
        let r = app
            .patch("/v1/settings", &t.admin.token, body.clone())
            .await;
        r.problem_field(422, field);
        assert_eq!(r.body["code"], "validation_failed", "{body}");
    }
    let r = app
        .send(
            app.req(reqwest::Method::PATCH, "/v1/settings", &t.admin.token)
                .header("content-type", "application/json")
                .body("{\"assistant_mode\": "),
        )
        .await;
    r.problem(400, "malformed_json");
    assert_eq!(
        app.get("/v1/settings", &t.admin.token).await.ok(200),
        &before
    );
    assert!(audit_targets(&app, &t, "settings.update").await.is_empty());
}

/// The platform defaults are one row shared by every test running at the same time, so this is
/// the only test that changes them, only fields no other test relies on, and it puts them back.
#[tokio::test]
async fn platform_defaults_are_inherited_and_their_key_never_reaches_a_tenants_own_server() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    let own = app.tenant_by(&root).await;
    super::knowledge(&app, &t).await;
    super::knowledge(&app, &own).await;
    let platform = FakeLlm::start(Reply::Stream("Platform answer [1].".into())).await;
    let theirs = FakeLlm::start(Reply::Stream("Own answer [1].".into())).await;
    let key = format!("sk-platform-{}", uuid::Uuid::new_v4().simple());

    let r = app
        .patch(
            "/v1/settings/defaults",
            &root.token,
            json!({"base_url": platform.url, "api_key": key, "system_prompt": "Platform prompt."}),
        )
        .await;
    let d = r.ok(200).clone();
    assert_eq!(d["api_key_set"], true);
    assert!(!r.text.contains(&key));
    assert_eq!(
        d["overridden"],
        json!(["base_url", "system_prompt", "api_key"])
    );
    let result = async {
        // A tenant that sets only the provider inherits the platform's server and key.
        let s = settings(
            &app,
            &t,
            json!({"provider": "openai", "model": "fake-model"}),
        )
        .await;
        assert_eq!(s["base_url"], platform.url);
        assert_eq!(s["system_prompt"], "Platform prompt.");
        assert_eq!(s["api_key_set"], true);
        assert_eq!(s["overridden"], json!(["provider", "model"]));
        let a = app
            .post(
                "/v1/ask",
                &t.admin.token,
                json!({"question": "How do I reset the router?"}),
            )
            .await;
        assert_eq!(a.ok(200)["answer"], "Platform answer [1].");
        let seen = platform.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].authorization, Some(format!("Bearer {key}")));
        assert_eq!(seen[0].body["messages"][0]["content"], "Platform prompt.");

        // A tenant with its own server gets no platform key…
        let s = settings(&app, &own, theirs.settings()).await;
        assert_eq!(s["api_key_set"], false);
        app.post(
            "/v1/ask",
            &own.admin.token,
            json!({"question": "How do I reset the router?"}),
        )
        .await
        .ok(200);
        assert_eq!(theirs.seen()[0].authorization, None);
        // … only its own.
        settings(&app, &own, json!({"api_key": "sk-own"})).await;
        app.post(
            "/v1/ask",
            &own.admin.token,
            json!({"question": "How do I reset the router?"}),
        )
        .await
        .ok(200);
        assert_eq!(
            theirs.seen()[1].authorization.as_deref(),
            Some("Bearer sk-own")
        );
        assert_eq!(platform.seen().len(), 1);

        // The change is in the platform's own audit log, without the key.
        let mut c = app_conn().await;
        let tx = c.transaction().await.unwrap();
        tx.execute("set local role tenantdesk_platform", &[])
            .await
            .unwrap();
        let rows = tx
            .query(
                "select target from platform_audit_log where actor_superadmin_id = $1",
                &[&root.id],
            )
            .await
            .unwrap();
        let targets: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(targets, vec!["settings:base_url,system_prompt,api_key"]);
        // Tenants, and bad input, cannot change the defaults.
        app.patch(
            "/v1/settings/defaults",
            &t.admin.token,
            json!({"model": "x"}),
        )
        .await
        .problem(403, "superadmin_only");
        app.patch(
            "/v1/settings/defaults",
            &root.token,
            json!({"retrieval_top_k": 99}),
        )
        .await
        .problem_field(422, "retrieval_top_k");
    };
    // Put the defaults back even when an assertion failed.
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(result)).await;
    let d = app
        .patch(
            "/v1/settings/defaults",
            &root.token,
            json!({"base_url": null, "api_key": null, "system_prompt": null}),
        )
        .await;
    assert_eq!(d.ok(200)["overridden"], json!([]));
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
