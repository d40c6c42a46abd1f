//! The tuple of all APIs and the generated spec.
//!
//! poem-openapi writes the spec from the types; [`spec_json`] then reshapes, in this one place,
//! what client generators read badly (see the README's "Client SDKs"): errors declared once,
//! field docs without `allOf` wrappers, a named multipart body.

use poem_openapi::OpenApiService;
use serde_json::{Map, Value, json};

use crate::{api, error::PROBLEM_JSON};

pub type Apis = (
    api::health::HealthApi,
    api::auth::AuthApi,
    api::me::MeApi,
    api::users::UsersApi,
    api::api_keys::ApiKeysApi,
    api::audit::AuditApi,
    api::tenants::TenantsApi,
    api::tickets::TicketsApi,
    api::tickets::transitions::TicketTransitionsApi,
    api::tickets::messages::TicketMessagesApi,
    api::tickets::external_refs::TicketExternalRefsApi,
    api::collections::CollectionsApi,
    api::documents::DocumentsApi,
    api::ingestion::IngestionApi,
    api::search::SearchApi,
    // poem-openapi joins at most 16 APIs per tuple: the later ones (the assistant's, usage and
    // analytics) are one entry.
    (
        api::ask::AskApi,
        api::query_logs::QueryLogsApi,
        api::settings::SettingsApi,
        api::tickets::assist::TicketAssistApi,
        api::usage::UsageApi,
        api::analytics::AnalyticsApi,
    ),
);

pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            api::health::HealthApi,
            api::auth::AuthApi,
            api::me::MeApi,
            api::users::UsersApi,
            api::api_keys::ApiKeysApi,
            api::audit::AuditApi,
            api::tenants::TenantsApi,
            api::tickets::TicketsApi,
            api::tickets::transitions::TicketTransitionsApi,
            api::tickets::messages::TicketMessagesApi,
            api::tickets::external_refs::TicketExternalRefsApi,
            api::collections::CollectionsApi,
            api::documents::DocumentsApi,
            api::ingestion::IngestionApi,
            api::search::SearchApi,
            (
                api::ask::AskApi,
                api::query_logs::QueryLogsApi,
                api::settings::SettingsApi,
                api::tickets::assist::TicketAssistApi,
                api::usage::UsageApi,
                api::analytics::AnalyticsApi,
            ),
        ),
        "tenantdesk",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Multi-tenant support-and-knowledge backend. Every error is an RFC 9457 \
             `application/problem+json` document with a stable `code`. Tenants are isolated by \
             PostgreSQL row-level security; another tenant's ids answer 404.",
    )
}

/// The spec as committed in `openapi/openapi.json` and served at `/openapi.json` and `/docs`.
pub fn spec_json() -> String {
    let spec = service().spec();
    let Ok(mut doc) = serde_json::from_str::<Value>(&spec) else {
        return spec;
    };
    declare_415(&mut doc);
    shared_error_responses(&mut doc);
    with_rate_limit_headers(&mut doc);
    unwrap_ref_docs(&mut doc);
    name_multipart_bodies(&mut doc);
    close_request_bodies(&mut doc);
    metadata_is_an_object(&mut doc);
    rename_pages(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or(spec)
}

/// Every operation of the spec: (path, method, operation object).
fn operations(doc: &mut Value) -> impl Iterator<Item = (String, String, &mut Map<String, Value>)> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .filter_map(|(path, item)| Some((path.clone(), item.as_object_mut()?)))
        .flat_map(|(path, item)| {
            item.iter_mut().filter_map(move |(method, op)| {
                Some((path.clone(), method.clone(), op.as_object_mut()?))
            })
        })
}

/// Every authenticated answer carries the rate-limit fields ([`crate::usage`]); the spec says so
/// on every response of every operation that takes credentials, and on the shared error
/// responses (`components/responses`, see [`shared_error_responses`]), where the fields are
/// optional like everywhere: an answer to a request without credentials has none.
fn with_rate_limit_headers(doc: &mut Value) {
    let header = |description: &str, example: &str| {
        json!({
            "description": description,
            "required": false,
            "schema": {"type": "string", "example": example}
        })
    };
    let policy = header(
        "The rate limits that apply to this caller (draft-ietf-httpapi-ratelimit-headers-09, a \
         structured-field list): `tenant` (all of the tenant's callers) and `key` (this API key) \
         or `user` (this user); `q` requests per `w`=60 seconds, `burst` at once.",
        "\"key\";q=6000;w=60;burst=500, \"tenant\";q=60000;w=60;burst=2000",
    );
    let state = header(
        "What is left of each limit now: `r` requests (approximate across instances), `t` \
         seconds until the budget is full again. On a 429 `rate_limited`, `r=0` for the limit \
         that refused.",
        "\"key\";r=499;t=1, \"tenant\";r=1999;t=1",
    );
    let add = |response: &mut Value| {
        if response.get("$ref").is_some() {
            return;
        }
        if let Some(headers) = response
            .as_object_mut()
            .map(|r| r.entry("headers").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        {
            headers.insert("RateLimit-Policy".into(), policy.clone());
            headers.insert("RateLimit".into(), state.clone());
        }
    };
    for (_, _, op) in operations(doc) {
        if op
            .get("security")
            .and_then(Value::as_array)
            .is_none_or(|s| s.is_empty())
        {
            continue;
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            responses.values_mut().for_each(add);
        }
    }
    if let Some(shared) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        shared.values_mut().for_each(add);
    }
}

/// poem-openapi lists the error responses of an operation from its return type, which knows
/// nothing of its body; every operation that takes a body also answers 415 to a body of another
/// media type (`JsonBody` and multipart check it), so the spec says so.
fn declare_415(doc: &mut Value) {
    let problem = json!({
        "description": "The body's media type is not one this operation takes.",
        "content": { PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}} }
    });
    for (_, _, op) in operations(doc) {
        if op.contains_key("requestBody")
            && let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut)
        {
            responses.insert("415".into(), problem.clone());
        }
    }
}

/// The name under `components/responses` of the problem answered with `status`.
fn error_response_name(status: &str) -> Option<&'static str> {
    Some(match status {
        "400" => "BadRequest",
        "401" => "Unauthorized",
        "403" => "Forbidden",
        "404" => "NotFound",
        "409" => "Conflict",
        "412" => "PreconditionFailed",
        "413" => "PayloadTooLarge",
        "415" => "UnsupportedMediaType",
        "422" => "ValidationFailed",
        "429" => "TooManyRequests",
        "500" => "InternalError",
        "503" => "ServiceUnavailable",
        _ => return None,
    })
}

/// poem-openapi repeats every error response inline in every operation. They are the same
/// problem documents everywhere (`ApiError::meta`), so they are declared once under
/// `components/responses` and referred to. Each also lists `application/json` with the same
/// schema: the body is always sent as `application/problem+json`, but some generators
/// (progenitor) type only `application/json` bodies and would otherwise leave errors as bytes.
fn shared_error_responses(doc: &mut Value) {
    let mut shared = Map::new();
    for (_, _, op) in operations(doc) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for (status, response) in responses.iter_mut() {
            let Some(name) = error_response_name(status) else {
                continue;
            };
            let Some(problem) = response.pointer(&format!("/content/{}", escape(PROBLEM_JSON)))
            else {
                continue;
            };
            let problem = problem.clone();
            let declared = shared.entry(name).or_insert_with(|| {
                let mut r = response.clone();
                r["content"]["application/json"] = problem;
                r
            });
            // Only the same answer is shared; an operation's own description stays inline.
            if declared["description"] == response["description"] {
                *response = json!({ "$ref": format!("#/components/responses/{name}") });
            }
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        components.insert("responses".into(), Value::Object(shared));
    }
}

/// A JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// poem-openapi wraps a `$ref` that carries a field's doc comment or default as
/// `{description, allOf: [{$ref}, {description}]}`. Generators read that as an intersection type
/// (`TicketPriority & unknown`), and openapi-python-client drops the whole schema ("Cannot take
/// allOf a non-object"). The wrapper becomes the reference itself with the description and
/// default beside it, which every generator reads as the referenced type. A nullable reference
/// (a PATCH field where `null` clears a value) keeps `allOf` around the reference alone, with
/// `nullable: true` beside it: OpenAPI 3.0 ignores every sibling of a `$ref`, so this is the
/// one way to say it, and all three generators read it as "the type, or null".
fn unwrap_ref_docs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(parts)) = map.get("allOf")
                && let Some(reference) = parts.first().and_then(|p| p.get("$ref")).cloned()
                && parts.iter().skip(1).all(only_annotations)
            {
                let extra: Vec<(String, Value)> = parts
                    .iter()
                    .skip(1)
                    .filter_map(Value::as_object)
                    .flat_map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())))
                    .collect();
                map.remove("allOf");
                for (k, v) in extra {
                    map.entry(k).or_insert(v);
                }
                if map.get("nullable") == Some(&Value::Bool(true)) {
                    map.insert("allOf".into(), json!([{ "$ref": reference }]));
                } else {
                    map.remove("nullable");
                    map.insert("$ref".into(), reference);
                }
            }
            map.values_mut().for_each(unwrap_ref_docs);
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_ref_docs),
        _ => {}
    }
}

/// A schema that only annotates (what poem-openapi puts beside a wrapped `$ref`).
fn only_annotations(part: &Value) -> bool {
    part.as_object().is_some_and(|p| {
        p.keys()
            .all(|k| matches!(k.as_str(), "description" | "default" | "title" | "nullable"))
    })
}

/// poem-openapi inlines a multipart body's schema; a named schema gives clients a named type
/// (`DocumentUpload`) instead of one derived from the operation (`UploadDocumentBody`).
fn name_multipart_bodies(doc: &mut Value) {
    let mut named = Vec::new();
    for (_, _, op) in operations(doc) {
        let Some(name) = MULTIPART_BODIES
            .iter()
            .find(|(id, _)| op.get("operationId").and_then(Value::as_str) == Some(id))
            .map(|(_, name)| name.to_string())
        else {
            continue;
        };
        let Some(schema) = op
            .get_mut("requestBody")
            .and_then(|b| b.pointer_mut("/content/multipart~1form-data/schema"))
        else {
            continue;
        };
        let inline = std::mem::replace(
            schema,
            json!({ "$ref": format!("#/components/schemas/{name}") }),
        );
        named.push((name, inline));
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, mut schema) in named {
            schema["title"] = name.clone().into();
            schemas.insert(name, schema);
        }
    }
}

/// Multipart bodies by operation, and the schema name each is published under (the form's type).
const MULTIPART_BODIES: &[(&str, &str)] = &[("upload_document", "DocumentUpload")];

/// The body extractor (`api::body`) refuses a property a JSON body's schema does not list, at
/// every depth, and so does the multipart form; the spec says so (`additionalProperties: false`)
/// on every object schema a request body reaches. It also refuses a blank string where a
/// length of at least 1 is declared; the spec says so with a pattern (one character that is
/// not Unicode white space, as Rust's `trim` counts it). Response schemas stay open, so that a client of this version keeps
/// working when a later version adds a property.
fn close_request_bodies(doc: &mut Value) {
    let mut todo: Vec<String> = Vec::new();
    for (_, _, op) in operations(doc) {
        if let Some(content) = op
            .get("requestBody")
            .and_then(|b| b.get("content"))
            .and_then(Value::as_object)
        {
            content.values().for_each(|m| collect_refs(m, &mut todo));
        }
    }
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(schema) = schemas.get_mut(&name) else {
            continue;
        };
        collect_refs(schema, &mut todo);
        if schema["type"] == "object" && schema.get("properties").is_some() {
            schema["additionalProperties"] = false.into();
        }
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for prop in props.values_mut() {
                not_blank(prop);
                prop.get_mut("items").map(not_blank);
            }
        }
    }
}

/// A character that is not white space (`char::is_whitespace`).
pub const NOT_BLANK_PATTERN: &str =
    "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

fn not_blank(schema: &mut Value) {
    if schema["type"] == "string"
        && schema["minLength"].as_f64().is_some_and(|n| n >= 1.0)
        && schema.get("pattern").is_none()
    {
        schema["pattern"] = NOT_BLANK_PATTERN.into();
    }
}

/// The schema names `value` refers to.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `metadata` is a `serde_json::Value` in the DTOs, which poem-openapi publishes as "any JSON";
/// every handler takes and keeps only a JSON object there, so the spec says `type: object`.
fn metadata_is_an_object(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for schema in schemas.values_mut() {
        if let Some(metadata) = schema.pointer_mut("/properties/metadata")
            && metadata.get("type").is_none()
            && metadata.get("$ref").is_none()
        {
            metadata["type"] = "object".into();
        }
    }
}

/// poem-openapi names a generic page `Page_TicketOut`; clients would publish `PageTicketOut`.
/// Pages are named after their items instead: `TicketPage`.
fn rename_pages(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let renames: Vec<(String, String)> = schemas
        .keys()
        .filter_map(|name| {
            let item = name.strip_prefix("Page_")?;
            Some((
                name.clone(),
                format!("{}Page", item.trim_end_matches("Out")),
            ))
        })
        .collect();
    for (old, new) in &renames {
        if let Some(mut schema) = schemas.remove(old) {
            schema["title"] = new.clone().into();
            schemas.insert(new.clone(), schema);
        }
    }
    schemas.sort_keys();
    let refs: Vec<(String, String)> = renames
        .into_iter()
        .map(|(old, new)| {
            (
                format!("#/components/schemas/{old}"),
                format!("#/components/schemas/{new}"),
            )
        })
        .collect();
    rewrite_refs(doc, &refs);
}

/// Replaces every `$ref` named in `renames` (old, new).
fn rewrite_refs(value: &mut Value, renames: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some((_, new)) = renames.iter().find(|(old, _)| old == r)
            {
                *r = new.clone();
            }
            map.values_mut().for_each(|v| rewrite_refs(v, renames));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, renames)),
        _ => {}
    }
}

/// The Swagger UI page, showing [`spec_json`].
pub fn swagger_ui_html() -> String {
    let api = service();
    api.swagger_ui_html().replace(&api.spec(), &spec_json())
}
