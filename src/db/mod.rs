//! Connections: the service's pool (login role), the migration connection (owner role), and the
//! mapping of database errors to API errors.

pub mod migrate;
pub mod statement;
pub mod tenant;

use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use poem::http::StatusCode;
use tokio_postgres::{NoTls, error::SqlState};

use crate::error::ApiError;

pub use tenant::{Db, PlatformTx, Role, Scope, TenantTx};

pub fn pool(url: &str, size: usize, wait: Duration) -> anyhow::Result<Pool> {
    let mut pg: tokio_postgres::Config = url.parse().context("DATABASE_URL is not a valid URL")?;
    if pg.get_application_name().is_none() {
        pg.application_name("tenantdesk");
    }
    pg.connect_timeout(Duration::from_secs(5));
    // Fast recycling: nothing session-level is ever set (tenant settings are transaction-local),
    // and a connection whose transaction was abandoned is detached by `TenantTx`'s Drop.
    let mgr = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(mgr)
        .max_size(size)
        .wait_timeout(Some(wait))
        .create_timeout(Some(Duration::from_secs(5)))
        .runtime(Runtime::Tokio1)
        .build()
        .context("building the connection pool")
}

/// A single connection outside the pool (migrations, bootstrap commands).
pub async fn connect(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(url, NoTls)
        .await
        .context("connecting to PostgreSQL")?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::warn!(error = %e, "database connection closed");
        }
    });
    Ok(client)
}

/// Constraint name → (status, code, detail, field). Unique and check constraints that a client
/// can trip are named here so they become a 409/422 that says what was wrong.
const CONSTRAINTS: &[(&str, StatusCode, &str, &str, &str)] = &[
    (
        "tenants_slug_key",
        StatusCode::CONFLICT,
        "slug_taken",
        "a tenant with this slug already exists",
        "slug",
    ),
    (
        "users_email_key",
        StatusCode::CONFLICT,
        "email_taken",
        "a user with this email already exists in this tenant",
        "email",
    ),
    (
        "superadmins_email_key",
        StatusCode::CONFLICT,
        "email_taken",
        "a superadmin with this email already exists",
        "email",
    ),
    (
        "kb_collections_name_key",
        StatusCode::CONFLICT,
        "name_taken",
        "a collection with this name already exists",
        "name",
    ),
    (
        "kb_documents_collection_fkey",
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "no such collection",
        "collection_id",
    ),
    (
        "api_keys_name_key",
        StatusCode::CONFLICT,
        "name_taken",
        "an API key with this name already exists",
        "name",
    ),
    (
        "ticket_external_refs_key",
        StatusCode::CONFLICT,
        "external_ref_exists",
        "this tenant already links that record (system and external_id) to a ticket",
        "external_id",
    ),
];

pub fn map_db_error(err: tokio_postgres::Error) -> ApiError {
    let Some(db) = err.as_db_error() else {
        return ApiError::unavailable(err);
    };
    let state = db.code().clone();
    if let Some(name) = db.constraint()
        && let Some((_, status, code, detail, field)) =
            CONSTRAINTS.iter().find(|(n, ..)| *n == name)
    {
        return ApiError::new(*status, code, *detail).with_field(*field);
    }
    match state {
        s if s == SqlState::UNIQUE_VIOLATION => {
            ApiError::conflict("conflict", "the resource conflicts with an existing one")
        }
        s if s == SqlState::CHECK_VIOLATION || s == SqlState::NOT_NULL_VIOLATION => {
            let field = db
                .column()
                .or(db.constraint())
                .unwrap_or("body")
                .to_string();
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                format!("invalid value ({})", db.message()),
            )
            .with_field(field)
        }
        // A reference to a row the tenant cannot see looks like a missing row.
        s if s == SqlState::FOREIGN_KEY_VIOLATION => ApiError::not_found("referenced resource"),
        s if s == SqlState::T_R_SERIALIZATION_FAILURE || s == SqlState::T_R_DEADLOCK_DETECTED => {
            ApiError::conflict("retry", "concurrent update; retry the request")
        }
        _ => ApiError::internal(err),
    }
}
