//! The tuple of all APIs and the generated spec.

use poem_openapi::OpenApiService;

use crate::api;

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
    .server("/")
}

/// The spec as committed in `openapi/openapi.json` and served at `/openapi.json` and `/docs`.
pub fn spec_json() -> String {
    with_415(&service().spec())
}

/// Every authenticated answer carries the rate-limit fields ([`crate::usage`]); the spec says so
/// on every response of every operation that takes credentials.
fn with_rate_limit_headers(doc: &mut serde_json::Value) {
    let header = |description: &str, example: &str| {
        serde_json::json!({
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
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(|p| p.as_object_mut())
        .flat_map(|p| p.values_mut())
    {
        if op
            .get("security")
            .and_then(|s| s.as_array())
            .is_none_or(|s| s.is_empty())
        {
            continue;
        }
        let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else {
            continue;
        };
        for resp in responses.values_mut().filter_map(|r| r.as_object_mut()) {
            let headers = resp
                .entry("headers")
                .or_insert_with(|| serde_json::json!({}));
            if let Some(h) = headers.as_object_mut() {
                h.insert("RateLimit-Policy".into(), policy.clone());
                h.insert("RateLimit".into(), state.clone());
            }
        }
    }
}

/// poem-openapi lists the error responses of an operation from its return type, which knows
/// nothing of its body; every operation that takes a body also answers 415 to a body of another
/// media type (`JsonBody` and multipart check it), so the spec says so.
fn with_415(spec: &str) -> String {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(spec) else {
        return spec.to_string();
    };
    let problem = serde_json::json!({
        "description": "The body's media type is not one this operation takes.",
        "content": {
            crate::error::PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    });
    with_rate_limit_headers(&mut doc);
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for op in paths
            .values_mut()
            .filter_map(|p| p.as_object_mut())
            .flat_map(|p| p.values_mut())
        {
            if op.get("requestBody").is_some()
                && let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut())
            {
                responses.insert("415".into(), problem.clone());
            }
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| spec.to_string())
}

/// The Swagger UI page, showing [`spec_json`].
pub fn swagger_ui_html() -> String {
    let api = service();
    api.swagger_ui_html().replace(&api.spec(), &spec_json())
}
