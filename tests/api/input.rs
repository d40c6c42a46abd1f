//! Input rules that hold for every operation alike (issue 10): text without NUL bytes, objects
//! only, no unknown fields, no `null` where the spec does not allow it, the declared constraints
//! enforced, limits checked before work, forged cursors and odd header bytes refused. Where it
//! can, a test walks every operation of the committed spec instead of naming a few.

use reqwest::{Method, header::HeaderValue};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::*;

/// Every operation of the spec that takes a JSON body: (method, path with ids filled in, the
/// body schema's top-level properties).
fn json_operations() -> Vec<(Method, String, Value)> {
    let spec: Value = serde_json::from_str(&tenantdesk::openapi::spec_json()).unwrap();
    let schemas = spec["components"]["schemas"].clone();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.get("application/json; charset=utf-8"))
                .map(|m| &m["schema"])
            else {
                continue;
            };
            let name = schema["$ref"]
                .as_str()
                .unwrap()
                .trim_start_matches("#/components/schemas/");
            let path = path
                .replace("{version}", "1")
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        Uuid::new_v4().to_string()
                    } else {
                        seg.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let mut props = schemas[name]["properties"].clone();
            // Resolve each property's kind: `string` (enums included), `any` (free-form JSON).
            for prop in props.as_object_mut().unwrap().values_mut() {
                let target = prop["$ref"]
                    .as_str()
                    .or(prop["allOf"][0]["$ref"].as_str())
                    .map(|r| &schemas[r.trim_start_matches("#/components/schemas/")]);
                let ty = match (prop["type"].as_str(), target) {
                    (Some(t), _) => t,
                    (None, Some(t)) => t["type"].as_str().unwrap_or("object"),
                    (None, None) => "any",
                };
                prop["kind"] = ty.into();
            }
            ops.push((method.to_uppercase().parse().unwrap(), path, props));
        }
    }
    assert!(ops.len() >= 20, "the spec lists {} JSON bodies", ops.len());
    ops
}

/// A superadmin acting inside a fresh tenant passes every authentication check (tenant and
/// platform routes alike), so each request reaches its body.
async fn caller(app: &TestApp) -> Cred {
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    Cred::Acting(root.token, t.id)
}

#[tokio::test]
async fn a_nul_byte_in_any_string_of_any_json_body_is_a_422_naming_the_field() {
    let app = spawn().await;
    let cred = caller(&app).await;
    let mut checked = 0;
    for (method, path, props) in json_operations() {
        for (name, schema) in props.as_object().unwrap() {
            // Strings, and free-form objects (`metadata`), whose strings count too.
            let (body, field) = if schema["kind"] == "string" {
                (json!({ name: "before\u{0}after" }), name.clone())
            } else if schema["kind"] == "any" {
                (
                    json!({ name: {"note": "before\u{0}after"} }),
                    format!("{name}.note"),
                )
            } else {
                continue;
            };
            let r = app
                .send(app.req(method.clone(), &path, cred.clone()).json(&body))
                .await;
            r.problem(422, "validation_failed");
            assert_eq!(
                r.body["field"],
                field.as_str(),
                "{method} {path}: {}",
                r.text
            );
            checked += 1;
        }
    }
    // Both unauthenticated login routes are among them.
    assert!(checked >= 50, "only {checked} fields checked");
    for path in ["/v1/auth/token", "/v1/auth/superadmin/token"] {
        let r = app
            .post(
                path,
                Cred::None,
                json!({"email": "a\u{0}@b.test", "password": "x"}),
            )
            .await;
        r.problem_field(422, "email");
    }
}

#[tokio::test]
async fn a_nul_byte_in_a_query_parameter_or_multipart_text_is_a_422_naming_it() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let spec: Value = serde_json::from_str(&tenantdesk::openapi::spec_json()).unwrap();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(params) = item["get"]["parameters"].as_array() else {
            continue;
        };
        if path.contains('{') {
            continue;
        }
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap();
            let r = app.get(&format!("{path}?{name}=a%00b"), tok).await;
            r.problem_field(422, name);
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");

    // A multipart text field, and the uploaded text itself.
    for (title, content, field) in [
        ("a\u{0}b", "fine text".to_string(), "title"),
        ("Fine", "text with a \u{0} byte".to_string(), "file"),
    ] {
        let form = reqwest::multipart::Form::new().text("title", title).part(
            "file",
            reqwest::multipart::Part::text(content)
                .file_name("a.txt")
                .mime_str("text/plain")
                .unwrap(),
        );
        let r = app
            .send(
                app.req(Method::POST, "/v1/documents/upload", tok)
                    .multipart(form),
            )
            .await;
        r.problem_field(422, field);
    }
}

#[tokio::test]
async fn every_json_body_refuses_arrays_unknown_fields_and_undeclared_nulls() {
    let app = spawn().await;
    let cred = caller(&app).await;
    for (method, path, props) in json_operations() {
        let send = |body: Value| app.send(app.req(method.clone(), &path, cred.clone()).json(&body));
        let r = send(json!(["renamed", "desc"])).await;
        r.problem_field(422, "body");
        // A JSON `null` is not an object, even where the body may be left out.
        send(Value::Null).await.problem_field(422, "body");
        for internal in ["struct", "Vec<", "elements", "TicketIn", "In`"] {
            assert!(
                !r.body["detail"].as_str().unwrap().contains(internal),
                "{method} {path}: {}",
                r.text
            );
        }
        send(json!({"no_such_field": 1}))
            .await
            .problem_field(422, "no_such_field");
        // `null` only where the spec says `nullable`.
        for (name, schema) in props.as_object().unwrap() {
            if schema["nullable"] != true {
                let r = send(json!({ name: null })).await;
                r.problem_field(422, name);
            }
        }
    }
}

#[tokio::test]
async fn the_issue_examples_answer_422_and_change_nothing() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let u = app.user(&t, "agent").await;
    let path = format!("/v1/users/{}", u.id);
    app.patch(&path, tok, json!({"is_activ": false}))
        .await
        .problem_field(422, "is_activ");
    app.patch(&path, tok, json!({"full_name": null}))
        .await
        .problem_field(422, "full_name");
    let user = app.get(&path, tok).await;
    assert_eq!(user.ok(200)["is_active"], true);
    assert_eq!(user.body["full_name"], "A agent");

    let c = app
        .post("/v1/collections", tok, json!({"name": "Guides"}))
        .await;
    let id = c.ok(201)["id"].as_str().unwrap().to_string();
    let r = app
        .patch(
            &format!("/v1/collections/{id}"),
            tok,
            json!(["renamed", "desc"]),
        )
        .await;
    r.problem_field(422, "body");
    assert_eq!(
        app.get(&format!("/v1/collections/{id}"), tok).await.ok(200)["name"],
        "Guides"
    );
}

#[tokio::test]
async fn declared_constraints_are_in_the_spec_and_enforced_naming_the_field() {
    let spec: Value = serde_json::from_str(&tenantdesk::openapi::spec_json()).unwrap();
    let s = &spec["components"]["schemas"];
    assert_eq!(s["TicketIn"]["properties"]["title"]["maxLength"], 300);
    assert_eq!(s["TicketIn"]["properties"]["tags"]["maxItems"], 50);
    assert!(s["TenantIn"]["properties"]["slug"]["pattern"].is_string());
    assert!(s["UserIn"]["properties"]["email"]["pattern"].is_string());
    assert_eq!(s["SearchIn"]["properties"]["top_k"]["maximum"], 100.0);
    assert_eq!(s["BulkIn"]["properties"]["documents"]["maxItems"], 100);
    assert!(s["ExternalRefIn"]["properties"]["url"]["pattern"].is_string());

    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    let tok = &t.admin.token;
    let ticket = app
        .post("/v1/tickets", tok, json!({"title": "Printer"}))
        .await;
    let tid = ticket.ok(201)["id"].as_str().unwrap().to_string();
    let long = "x".repeat(301);
    for (path, body, field) in [
        ("/v1/tickets".to_string(), json!({"title": long}), "title"),
        ("/v1/tickets".to_string(), json!({"title": "   "}), "title"),
        (
            "/v1/tickets".to_string(),
            json!({"title": "t", "priority": "whenever"}),
            "priority",
        ),
        (
            "/v1/users".to_string(),
            json!({"email": "not-an-address", "role": "agent", "password": PASSWORD}),
            "email",
        ),
        (
            "/v1/search".to_string(),
            json!({"query": "x", "top_k": 0}),
            "top_k",
        ),
        (
            "/v1/search".to_string(),
            json!({"query": "x", "filters": {"category": "c".repeat(201)}}),
            "filters.category",
        ),
        (
            "/v1/documents/bulk".to_string(),
            json!({"documents": [
                {"title": "ok", "content": "text"},
                {"title": "t".repeat(501), "content": "text"}
            ]}),
            "documents[1].title",
        ),
        (
            "/v1/documents/bulk".to_string(),
            json!({"documents": []}),
            "documents",
        ),
        (
            format!("/v1/tickets/{tid}/external-refs"),
            json!({"system": "jira", "external_id": "J-1", "url": "ftp://example.com/x"}),
            "url",
        ),
        (
            format!("/v1/tickets/{tid}/external-refs"),
            json!({"system": "Not A System", "external_id": "J-1"}),
            "system",
        ),
    ] {
        let r = app.post(&path, tok, body).await;
        r.problem(422, "validation_failed");
        assert_eq!(r.body["field"], field, "{path}: {}", r.text);
    }
    app.post(
        "/v1/tenants",
        &root.token,
        json!({"name": "X", "slug": "Not A Slug"}),
    )
    .await
    .problem_field(422, "slug");
    // Text is trimmed once, in its type.
    let r = app
        .post("/v1/tickets", tok, json!({"title": "  Printer on fire  "}))
        .await;
    assert_eq!(r.ok(201)["title"], "Printer on fire");
}

#[tokio::test]
async fn the_tag_count_is_checked_before_any_tag_is_looked_at() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    // The first tag is itself invalid: a check of the items (or their de-duplication) before
    // the count would report it; the count comes first.
    let mut tags: Vec<String> = (0..51).map(|i| format!("tag-{i}")).collect();
    tags[0] = "x".repeat(60);
    let r = app
        .post("/v1/tickets", tok, json!({"title": "t", "tags": tags}))
        .await;
    r.problem_field(422, "tags");
    assert!(
        r.body["detail"].as_str().unwrap().contains("at most 50"),
        "{}",
        r.text
    );
    // The same order for the list filter.
    let query: String = (0..51).map(|i| format!("tag=t{i}&")).collect();
    app.get(&format!("/v1/tickets?{query}"), tok)
        .await
        .problem_field(422, "tag");
    // Repeats count once.
    let r = app
        .post(
            "/v1/tickets",
            tok,
            json!({"title": "t", "tags": ["vip", " vip ", "eu", "vip"]}),
        )
        .await;
    assert_eq!(r.ok(201)["tags"], json!(["vip", "eu"]));
}

#[tokio::test]
async fn a_forged_list_cursor_is_a_422_never_a_500() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    let id = Uuid::new_v4();
    // Well-formed cursors (`v2:` and the key's JSON, as `Cursor::after` writes them) whose
    // values the database could not take: the sort value is checked before any SQL runs.
    let cursor = |sort: &str, key: i64| {
        URL_SAFE_NO_PAD.encode(format!("v2:{}", json!([sort, "desc", key, id])))
    };
    for (sort, key) in [
        // 4714 BC: before PostgreSQL's first timestamp.
        ("created", -210_900_000_000_000_000),
        ("updated", i64::MIN),
        ("created", i64::MAX),
        ("priority", 9),
        ("priority", 0),
        ("priority", i64::from(i16::MAX) + 1),
    ] {
        app.get(
            &format!("/v1/tickets?sort={sort}&cursor={}", cursor(sort, key)),
            tok,
        )
        .await
        .problem_field(422, "cursor");
    }
    // The same form with values in range is a cursor the list continues from (here: after a
    // ticket that does not exist, so the page is the tenant's tickets before that moment).
    app.post("/v1/tickets", tok, json!({"title": "t"}))
        .await
        .ok(201);
    let now = chrono::Utc::now().timestamp_micros() + 1_000_000;
    let r = app
        .get(
            &format!("/v1/tickets?cursor={}", cursor("created", now)),
            tok,
        )
        .await;
    assert_eq!(
        r.ok(200)["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text
    );
    for rank in 1..=4 {
        let path = format!(
            "/v1/tickets?sort=priority&cursor={}",
            cursor("priority", rank)
        );
        app.get(&path, tok).await.ok(200);
    }
}

#[tokio::test]
async fn an_idempotency_key_with_non_ascii_bytes_is_a_422_naming_the_header() {
    let app = spawn().await;
    let t = app.tenant().await;
    let tok = &t.admin.token;
    for raw in [&b"caf\xc3\xa9-1"[..], b"key\x7f", b"tab\x01"] {
        let Ok(value) = HeaderValue::from_bytes(raw) else {
            continue;
        };
        let r = app
            .send(
                app.req(Method::POST, "/v1/tickets", tok)
                    .header("Idempotency-Key", value)
                    .json(&json!({"title": "retry me"})),
            )
            .await;
        r.problem_field(422, "Idempotency-Key");
    }
    // Nothing was created.
    let list = app.get("/v1/tickets", tok).await;
    assert_eq!(list.ok(200)["items"], json!([]));
    // The same rule for every other header the API reads.
    for header in ["If-Match", "If-None-Match", "X-Tenant-Id", "X-API-Key"] {
        let r = app
            .send(
                app.req(Method::GET, "/v1/tickets", tok)
                    .header(header, HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()),
            )
            .await;
        r.problem_field(422, header);
    }
}

/// Enum text read from the database goes through one conversion per type: a value the enum
/// does not know is an error naming it (the request then fails as a logged 500), never a default
/// and never another access level.
#[tokio::test]
async fn an_unknown_enum_value_from_the_database_is_an_error_not_a_default() {
    use tenantdesk::{
        auth::ApiKeyScope,
        db::Role,
        knowledge::{DocumentType, JobStatus, Language},
        tickets::{MessageRole, TicketPriority, TicketSource, TicketStatus},
    };
    let db = app_conn().await;
    let row = db
        .query_one(
            "select 'superuser'::text, 'everything'::text, 'admin'::text, 'read_only'::text",
            &[],
        )
        .await
        .unwrap();
    let err = row.try_get::<_, Role>(0).unwrap_err();
    assert!(
        format!("{err:#} {:?}", std::error::Error::source(&err)).contains("superuser"),
        "{err:?}"
    );
    assert!(row.try_get::<_, ApiKeyScope>(1).is_err());
    assert_eq!(row.try_get::<_, Role>(2).unwrap(), Role::Admin);
    assert_eq!(
        row.try_get::<_, ApiKeyScope>(3).unwrap(),
        ApiKeyScope::ReadOnly
    );
    for bad in ["", "Open", "pending ", "deleted"] {
        let r = db.query_one("select $1::text", &[&bad]).await.unwrap();
        assert!(r.try_get::<_, TicketStatus>(0).is_err(), "{bad:?}");
        assert!(r.try_get::<_, TicketPriority>(0).is_err(), "{bad:?}");
        assert!(r.try_get::<_, TicketSource>(0).is_err(), "{bad:?}");
        assert!(r.try_get::<_, MessageRole>(0).is_err(), "{bad:?}");
        assert!(r.try_get::<_, DocumentType>(0).is_err(), "{bad:?}");
        assert!(r.try_get::<_, JobStatus>(0).is_err(), "{bad:?}");
        assert!(r.try_get::<_, Language>(0).is_err(), "{bad:?}");
    }
    // Written and read back through the database, every value keeps its text.
    let r = db
        .query_one(
            "select $1::text, $2::text",
            &[&TicketStatus::PendingCustomer, &ApiKeyScope::ReadWrite],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, &str>(0), "pending_customer");
    assert_eq!(r.get::<_, TicketStatus>(0), TicketStatus::PendingCustomer);
    assert_eq!(r.get::<_, &str>(1), "read_write");
}

/// Every operation that takes a body says in the spec that it answers 415, and does.
#[tokio::test]
async fn every_operation_with_a_body_declares_and_answers_415() {
    let spec: Value = serde_json::from_str(&tenantdesk::openapi::spec_json()).unwrap();
    let mut with_body = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("requestBody").is_some() {
                with_body += 1;
                assert!(
                    op["responses"]["415"].is_object(),
                    "{method} {path} does not declare 415"
                );
            }
        }
    }
    assert!(with_body >= 22, "{with_body}");
    let app = spawn().await;
    let cred = caller(&app).await;
    for (method, path, _) in json_operations() {
        let r = app
            .send(
                app.req(method.clone(), &path, cred.clone())
                    .header("content-type", "text/plain")
                    .body("{}"),
            )
            .await;
        r.problem(415, "unsupported_media_type");
    }
}

/// Any finite JSON number survives PostgreSQL's `jsonb`, which prints numbers in full
/// (`1797…0000`, 309 digits), and the read back (serde_json's `float_roundtrip` parses that
/// exactly; without it this was a 500 found by schemathesis).
#[tokio::test]
async fn metadata_keeps_the_largest_and_smallest_json_numbers() {
    let app = spawn().await;
    let t = app.tenant().await;
    let metadata =
        json!({"max": f64::MAX, "min": f64::MIN_POSITIVE, "neg": -f64::MAX, "tiny": 5e-324});
    let r = app
        .post(
            "/v1/tickets",
            &t.admin.token,
            json!({"title": "numbers", "metadata": metadata}),
        )
        .await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    let r = app
        .patch(
            &format!("/v1/tickets/{id}"),
            &t.admin.token,
            json!({"metadata": metadata}),
        )
        .await;
    assert_eq!(r.ok(200)["metadata"], metadata);
    let r = app.get(&format!("/v1/tickets/{id}"), &t.admin.token).await;
    assert_eq!(r.ok(200)["metadata"], metadata);
}

/// Every list operation of the spec (those with a `cursor` parameter), its path's `{id}` filled
/// with a resource the caller can read: a ticket of the tenant, or the tenant itself under
/// `/v1/tenants` (a superadmin's lists).
fn list_operations(tenant: Uuid, ticket: &str) -> Vec<String> {
    let spec: Value = serde_json::from_str(&tenantdesk::openapi::spec_json()).unwrap();
    let mut lists = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let params = get["parameters"].as_array().cloned().unwrap_or_default();
        if !params.iter().any(|p| p["name"] == "cursor") {
            continue;
        }
        let id = if path.starts_with("/v1/tenants/") {
            tenant.to_string()
        } else {
            ticket.to_string()
        };
        lists.push(path.replace("{id}", &id));
    }
    assert!(
        lists.len() >= 15,
        "the spec lists {} lists: {lists:?}",
        lists.len()
    );
    lists
}

#[tokio::test]
async fn every_list_takes_an_empty_cursor_as_its_first_page_and_refuses_a_forged_one() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let app = spawn().await;
    let root = app.superadmin().await;
    let t = app.tenant_by(&root).await;
    let tok = &t.admin.token;
    let ticket = app.post("/v1/tickets", tok, json!({"title": "t"})).await;
    let ticket = ticket.ok(201)["id"].as_str().unwrap().to_string();
    let forged = URL_SAFE_NO_PAD.encode(format!("v1:{}", "x".repeat(36)));
    // A real cursor of the ticket list (its key: sort, order, time, id) on another list.
    for _ in 0..2 {
        app.post("/v1/tickets", tok, json!({"title": "t"}))
            .await
            .ok(201);
    }
    let tickets = app.get("/v1/tickets?limit=1", tok).await;
    let of_tickets = tickets.ok(200)["next_cursor"].as_str().unwrap().to_string();
    for path in list_operations(t.id, &ticket) {
        let cred = if path.starts_with("/v1/tenants") {
            &root.token
        } else {
            tok
        };
        let first = app.get(&format!("{path}?limit=100"), cred).await;
        let first = first.ok(200).clone();
        for empty in ["cursor=", "cursor"] {
            let r = app.get(&format!("{path}?{empty}&limit=100"), cred).await;
            assert_eq!(r.status, 200, "{path}?{empty}: {}", r.text);
            assert_eq!(r.body["items"], first["items"], "{path}?{empty}");
        }
        app.get(&format!("{path}?cursor={forged}"), cred)
            .await
            .problem_field(422, "cursor");
        if path != "/v1/tickets" {
            app.get(&format!("{path}?cursor={of_tickets}"), cred)
                .await
                .problem_field(422, "cursor");
        }
    }
}
