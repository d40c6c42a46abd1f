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
    // poem-openapi joins at most 16 APIs per tuple: the assistant's are one entry.
    (
        api::ask::AskApi,
        api::query_logs::QueryLogsApi,
        api::settings::SettingsApi,
        api::tickets::assist::TicketAssistApi,
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

/// The spec as committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    service().spec()
}
