//! The cross-tenant matrix, generated from the committed spec (`openapi/openapi.json`): every
//! operation with an id in its path, called by tenant A (its admin's token, and an admin API
//! key) on tenant B's real resource, answers 404 problem+json with code `not_found` (403
//! `superadmin_only` on the platform's `/v1/tenants/{id}` operations), and B's resources read
//! the same afterwards. An operation added to the spec is covered without anyone
//! remembering to; one whose resource or request body has no recipe here fails this test by
//! name. The hand-written tests beside this one check more per resource (lists, search, SQL).

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

/// The resources of B that a path id can name, by the path's first segment after `/v1/`.
/// `tenants` are the platform's: a tenant's admin gets 403 `superadmin_only` there, whatever
/// the id.
const RESOURCES: &[(&str, &str)] = &[
    ("api-keys", "an API key of B (written to the database)"),
    ("collections", "a collection of B"),
    ("documents", "a document of B"),
    ("ingestion-jobs", "the ingestion job of B's document"),
    ("query-logs", "the query log row of a question B asked"),
    ("tickets", "a ticket of B"),
    ("users", "an agent of B (written to the database)"),
    (
        "tenants",
        "B itself (platform operations: 403 for a tenant admin)",
    ),
];

/// A body the operation accepts, so that A's call gets past validation to the look-up that
/// must not find B's resource. Keyed by operation id.
fn body_of(operation_id: &str) -> Option<Value> {
    Some(match operation_id {
        "update_collection" => json!({"name": "pwned"}),
        "update_document" => json!({"title": "pwned"}),
        "put_document_chunks" => {
            json!({"model": "m", "chunks": [{"content": "pwned", "embedding": [1.0]}]})
        }
        "create_query_log_feedback" => json!({"helpful": false, "comment": "pwned"}),
        "update_tenant" => json!({"name": "pwned"}),
        "set_tenant_plan" => json!({"requests_per_minute": 1}),
        "update_ticket" => json!({"title": "pwned"}),
        "assist_ticket" => json!({}),
        "create_ticket_external_ref" => json!({"system": "jira", "external_id": "PWNED-1"}),
        "create_ticket_message" => json!({"content": "pwned"}),
        "transition_ticket" => json!({"to": "closed"}),
        "update_user" => json!({"full_name": "Pwned", "role": "admin", "is_active": false}),
        _ => return None,
    })
}

/// B's resources, by placeholder name, for the first segment of a path.
struct B {
    tenant: TestTenant,
    ids: BTreeMap<&'static str, String>,
    external_ref: String,
}

impl B {
    async fn new(app: &TestApp) -> B {
        let tenant = app.tenant().await;
        let tok = &tenant.admin.token;
        let id = |r: &Resp, field: &str| -> String {
            r.ok(201)[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field}: {}", r.text))
                .to_string()
        };
        let agent = app.user(&tenant, "agent").await;
        let (key, _) = app.api_key(&tenant, "read_write").await;
        let collection = app
            .post("/v1/collections", tok, json!({"name": "B's collection"}))
            .await;
        let document = app
            .post(
                "/v1/documents",
                tok,
                json!({"title": "B's document", "content": "Only for B."}),
            )
            .await;
        let ticket = app
            .post("/v1/tickets", tok, json!({"title": "B's ticket"}))
            .await;
        let ticket_id = id(&ticket, "id");
        let external_ref = app
            .post(
                &format!("/v1/tickets/{ticket_id}/external-refs"),
                tok,
                json!({"system": "jira", "external_id": "B-1"}),
            )
            .await;
        let asked = app
            .post("/v1/ask", tok, json!({"question": "How do refunds work?"}))
            .await;
        let log_id = asked.ok(200)["log_id"].as_str().unwrap().to_string();
        let ids = BTreeMap::from([
            ("api-keys", key.to_string()),
            ("collections", id(&collection, "id")),
            ("documents", id(&document, "id")),
            ("ingestion-jobs", id(&document, "job_id")),
            ("query-logs", log_id),
            ("tickets", ticket_id),
            ("users", agent.id.to_string()),
            ("tenants", tenant.id.to_string()),
        ]);
        B {
            external_ref: id(&external_ref, "id"),
            tenant,
            ids,
        }
    }

    /// The path with B's ids in place of its placeholders.
    fn path(&self, template: &str) -> Result<String, String> {
        let segment = template
            .strip_prefix("/v1/")
            .and_then(|p| p.split('/').next())
            .unwrap_or_default();
        let id = self.ids.get(segment).ok_or_else(|| {
            format!("no fixture recipe for resources under /v1/{segment}/ (isolation::matrix)")
        })?;
        let mut path = template.replace("{id}", id);
        path = path.replace("{ref_id}", &self.external_ref);
        path = path.replace("{version}", "1");
        match path.contains('{') {
            true => Err(format!("no fixture recipe for a placeholder of {template}")),
            false => Ok(path),
        }
    }
}

/// Every operation of the committed spec with a placeholder in its path: (method, path template,
/// operation id, whether it takes a request body).
fn operations_with_ids() -> Vec<(Method, String, String, bool)> {
    let text = std::fs::read_to_string(checkout().join("openapi/openapi.json")).unwrap();
    let spec: Value = serde_json::from_str(&text).unwrap();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            ops.push((method, path.clone(), id, op.get("requestBody").is_some()));
        }
    }
    ops
}

/// What B's admin (and, for B itself, a superadmin) reads of B's resources: every GET of the
/// matrix, and the query log.
async fn snapshot(app: &TestApp, b: &B, root: &Superadmin) -> BTreeMap<String, (u16, Value)> {
    let mut seen = BTreeMap::new();
    let mut paths = vec!["/v1/query-logs".to_string()];
    for (method, template, ..) in operations_with_ids() {
        // (B's usage counts B's own reads, these among them.)
        if method == Method::GET
            && !template.ends_with("/usage")
            && let Ok(p) = b.path(&template)
        {
            paths.push(p);
        }
    }
    for p in paths {
        let cred: Cred = match p.starts_with("/v1/tenants/") {
            true => (&root.token).into(),
            false => (&b.tenant.admin.token).into(),
        };
        let r = app.get(&p, cred).await;
        seen.insert(p, (r.status.as_u16(), r.body));
    }
    seen
}

#[tokio::test]
async fn every_operation_with_an_id_answers_404_to_another_tenant_and_changes_nothing() {
    let app = spawn().await;
    let root = app.superadmin().await;
    let a = app.tenant().await;
    let (_, a_key) = app.api_key(&a, "admin").await;
    let b = B::new(&app).await;
    let before = snapshot(&app, &b, &root).await;
    assert!(
        before.values().all(|(status, _)| *status == 200),
        "B reads its own resources: {before:?}"
    );

    let ops = operations_with_ids();
    assert!(ops.len() >= 30, "the spec's operations with ids: {ops:?}");
    let mut wrong = Vec::new();
    for (method, template, op_id, has_body) in &ops {
        let name = format!("{method} {template} ({op_id})");
        let path = match b.path(template) {
            Ok(p) => p,
            Err(e) => {
                wrong.push(format!("{name}: {e}"));
                continue;
            }
        };
        let body = match (*has_body, body_of(op_id)) {
            (true, None) => {
                wrong.push(format!(
                    "{name}: no request body recipe (isolation::matrix::body_of)"
                ));
                continue;
            }
            (_, Some(body)) => Some(body),
            (false, None) if *method == Method::POST => Some(json!({})),
            (false, None) => None,
        };
        let (status, code) = match template.starts_with("/v1/tenants/") {
            true => (403, "superadmin_only"),
            false => (404, "not_found"),
        };
        for cred in [Cred::from(&a.admin.token), Cred::ApiKey(a_key.clone())] {
            let mut req = app.req(method.clone(), &path, cred.clone());
            if let Some(body) = &body {
                req = req.json(body);
            }
            let r = app.send(req).await;
            let problem = r.header("content-type") == Some("application/problem+json");
            if r.status.as_u16() != status || !problem || r.body["code"] != code {
                let who = match cred {
                    Cred::ApiKey(_) => "A's admin key",
                    _ => "A's admin",
                };
                wrong.push(format!(
                    "{name} as {who}: {} {}",
                    r.status,
                    r.text.chars().take(300).collect::<String>()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} operations with ids are not a tenant boundary:\n{}",
        wrong.len(),
        ops.len(),
        wrong.join("\n")
    );
    let after = snapshot(&app, &b, &root).await;
    for (path, seen) in &before {
        assert_eq!(&after[path], seen, "{path} changed");
    }
}

/// The recipes name only resources the spec has, so a renamed or removed one is noticed too.
#[test]
fn every_recipe_names_a_resource_of_the_spec() {
    let ops = operations_with_ids();
    for (segment, what) in RESOURCES {
        let prefix = format!("/v1/{segment}/");
        assert!(
            ops.iter().any(|(_, p, ..)| p.starts_with(&prefix)),
            "{segment} ({what}) has no operation with an id in the spec"
        );
    }
}
