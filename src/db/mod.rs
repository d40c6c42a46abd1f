//! Connections: the service's pool (login role), the migration connection (owner role), and the
//! mapping of database errors to API errors.

pub mod migrate;
pub mod statement;
pub mod tenant;
pub mod unscoped;

use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use poem::http::StatusCode;
use tokio_postgres::{NoTls, error::SqlState};

use crate::error::{ApiError, ProblemCode};

pub use tenant::{Db, PlatformTx, Role, Scope, TenantTx};

/// The database text of enums kept in `text` columns (each with a CHECK listing its values).
/// The text is strum's (`#[strum(serialize_all = …)]`, the same rule as the enum's
/// `#[oai(rename_all = …)]`), derived once: `as_str`, `parse`, `ToSql` and `FromSql` all use it.
/// A value the enum does not know is an error naming the type and the value, never a default:
/// a row with an unknown role or scope cannot quietly become some access.
///
/// Two forms: `text_enum!(A, B)` for enums that derive the rest themselves, and the declaration
/// `text_enum! { "snake_case": /// docs \n pub enum A { … } … }`, which also derives what every
/// such enum has (`Debug, Clone, Copy, PartialEq, Eq`, poem-openapi's `Enum` and strum's) with
/// the one text rule for the API (`#[oai(rename_all)]`) and the database (`#[strum]`). Doc
/// comments pass through to the spec; more attributes (a serde derive) go after the docs.
macro_rules! text_enum {
    () => {};
    ($case:tt: $(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* } $($rest:tt)*) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            poem_openapi::Enum,
            strum::EnumString,
            strum::IntoStaticStr,
            strum::VariantArray,
        )]
        #[oai(rename_all = $case)]
        #[strum(serialize_all = $case)]
        $(#[$meta])*
        $vis enum $name { $($body)* }

        $crate::db::text_enum!($name);
        $crate::db::text_enum!($case: $($rest)*);
    };
    ($case:tt:) => {};
    ($($t:ty),* $(,)?) => {$(
        impl $t {
            /// The text stored in the database and shown in the API.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// `None` for text that is not one of the values.
            pub fn parse(s: &str) -> Option<Self> {
                s.parse().ok()
            }
        }

        impl<'a> postgres_types::FromSql<'a> for $t {
            fn from_sql(
                ty: &postgres_types::Type,
                raw: &'a [u8],
            ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
                let s = <&str as postgres_types::FromSql>::from_sql(ty, raw)?;
                s.parse::<$t>().map_err(|_| {
                    format!("unknown {} value {s:?} in the database", stringify!($t)).into()
                })
            }

            fn accepts(ty: &postgres_types::Type) -> bool {
                <&str as postgres_types::FromSql>::accepts(ty)
            }
        }

        impl postgres_types::ToSql for $t {
            fn to_sql(
                &self,
                ty: &postgres_types::Type,
                out: &mut bytes::BytesMut,
            ) -> Result<postgres_types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
                <&str as postgres_types::ToSql>::to_sql(&self.as_str(), ty, out)
            }

            fn accepts(ty: &postgres_types::Type) -> bool {
                <&str as postgres_types::ToSql>::accepts(ty)
            }

            postgres_types::to_sql_checked!();
        }

        impl $crate::db::statement::SqlType for $t {
            fn sql_type() -> postgres_types::Type {
                postgres_types::Type::TEXT
            }
            fn sql_literal(&self) -> Option<String> {
                $crate::db::statement::literal(self.as_str(), &postgres_types::Type::TEXT)
            }
        }

        impl $crate::db::statement::SqlArrayType for $t {
            fn sql_array_type() -> postgres_types::Type {
                postgres_types::Type::TEXT_ARRAY
            }
        }
    )*};
}
pub(crate) use text_enum;

/// A new pool of the login role at `url`. The service's own is made by [`Db::connect`] and
/// stays inside `Db`; tests make their own to look at physical connections. Public for the
/// integration tests only: no code outside `db` opens a pool or a connection of its own (the
/// test `outside_db_no_code_opens_a_connection_of_its_own` fails when some does).
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

/// A single connection outside the pool: the migration runner's ([`migrate::apply`]). Public for
/// the integration tests only, as [`pool`].
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
const CONSTRAINTS: &[(&str, StatusCode, ProblemCode, &str, &str)] = &[
    (
        "tenants_slug_key",
        StatusCode::CONFLICT,
        ProblemCode::SlugTaken,
        "a tenant with this slug already exists",
        "slug",
    ),
    (
        "users_email_key",
        StatusCode::CONFLICT,
        ProblemCode::EmailTaken,
        "a user with this email already exists in this tenant",
        "email",
    ),
    (
        "superadmins_email_key",
        StatusCode::CONFLICT,
        ProblemCode::EmailTaken,
        "a superadmin with this email already exists",
        "email",
    ),
    (
        "kb_collections_name_key",
        StatusCode::CONFLICT,
        ProblemCode::NameTaken,
        "a collection with this name already exists",
        "name",
    ),
    (
        "kb_documents_collection_fkey",
        StatusCode::UNPROCESSABLE_ENTITY,
        ProblemCode::ValidationFailed,
        "no such collection",
        "collection_id",
    ),
    (
        "api_keys_name_key",
        StatusCode::CONFLICT,
        ProblemCode::NameTaken,
        "an API key with this name already exists",
        "name",
    ),
    (
        "ticket_external_refs_key",
        StatusCode::CONFLICT,
        ProblemCode::ExternalRefExists,
        "this tenant already links that record (system and external_id) to a ticket",
        "external_id",
    ),
];

pub fn map_db_error(err: tokio_postgres::Error) -> ApiError {
    let Some(db) = err.as_db_error() else {
        return ApiError::unavailable(err);
    };
    let state = db.code().clone();
    // The connection is gone or the server is going away (class 08, 57P01–57P05): the database
    // is unavailable, not the request wrong.
    if state.code().starts_with("08") || state.code().starts_with("57P") {
        return ApiError::unavailable(err);
    }
    if let Some(name) = db.constraint()
        && let Some((_, status, code, detail, field)) =
            CONSTRAINTS.iter().find(|(n, ..)| *n == name)
    {
        return ApiError::new(*status, *code, *detail).with_field(*field);
    }
    match state {
        s if s == SqlState::UNIQUE_VIOLATION => ApiError::conflict(
            ProblemCode::Conflict,
            "the resource conflicts with an existing one",
        ),
        s if s == SqlState::CHECK_VIOLATION || s == SqlState::NOT_NULL_VIOLATION => {
            let field = db
                .column()
                .or(db.constraint())
                .unwrap_or("body")
                .to_string();
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ProblemCode::ValidationFailed,
                format!("invalid value ({})", db.message()),
            )
            .with_field(field)
        }
        // A reference to a row the tenant cannot see looks like a missing row.
        s if s == SqlState::FOREIGN_KEY_VIOLATION => ApiError::not_found("referenced resource"),
        s if s == SqlState::T_R_SERIALIZATION_FAILURE || s == SqlState::T_R_DEADLOCK_DETECTED => {
            ApiError::conflict(ProblemCode::Retry, "concurrent update; retry the request")
        }
        _ => ApiError::internal(err),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// The compiler keeps the service's pool inside `db`, but [`super::connect`] and
    /// [`super::pool`] must be public for the integration tests, so a handler could still open a
    /// connection of its own from a URL. This keeps every such call, and every other way to make
    /// a connection or a pool, inside `src/db/`: a statement outside it runs in a `TenantTx`, a
    /// `PlatformTx` or one of `db::unscoped`'s functions.
    #[test]
    fn outside_db_no_code_opens_a_connection_of_its_own() {
        const OPENERS: [&str; 8] = [
            "db::connect",
            "db::pool",
            "tokio_postgres::connect",
            "tokio_postgres::Config",
            "NoTls",
            "deadpool_postgres::Manager",
            "deadpool_postgres::Pool",
            "Pool::builder",
        ];
        fn files(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let db = src.join("db");
        let mut all = Vec::new();
        files(&src, &mut all);
        assert!(all.len() > 50, "the scan found only {} files", all.len());
        let mut found = Vec::new();
        for path in all.iter().filter(|p| !p.starts_with(&db)) {
            let text = std::fs::read_to_string(path).unwrap();
            // `use crate::db::{…}` lists as well as paths: the names imported from `db`.
            let imports_opener = text.split("db::{").skip(1).any(|rest| {
                let list = rest.split('}').next().unwrap_or_default();
                list.split(',')
                    .any(|name| matches!(name.trim(), "connect" | "pool"))
            });
            // A whole name: `deadpool_postgres::PoolError` is not `deadpool_postgres::Pool`.
            let mentions = |name: &str| {
                text.match_indices(name).any(|(at, _)| {
                    !text[at + name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            };
            for opener in OPENERS.iter().filter(|o| mentions(o)) {
                found.push(format!("{}: {opener}", path.display()));
            }
            if imports_opener {
                found.push(format!(
                    "{}: imports connect or pool from db",
                    path.display()
                ));
            }
        }
        assert!(
            found.is_empty(),
            "code outside src/db/ opens a database connection or pool of its own: {found:#?}"
        );
    }
}
