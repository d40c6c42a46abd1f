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
