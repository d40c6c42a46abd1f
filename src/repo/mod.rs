//! SQL only. Every function takes the tenant transaction (or, for platform work, the platform
//! transaction): no tenant query can run without the tenant setting.

pub mod api_keys;
pub mod audit;
pub mod idempotency;
pub mod knowledge;
pub mod search;
pub mod superadmins;
pub mod tenants;
pub mod tickets;
pub mod tokens;
pub mod users;

use chrono::{DateTime, Utc};
use tokio_postgres::{Row, types::FromSql};

use crate::error::{ApiError, ApiResult};

pub type Timestamp = DateTime<Utc>;

/// Reads a column the Rust type may refuse (an enum's text): an unknown value is an error whose
/// log names the column and the value (a 500 to the client), never a default.
pub(crate) fn column<'a, T: FromSql<'a>>(r: &'a Row, name: &str) -> ApiResult<T> {
    r.try_get(name).map_err(|e| {
        ApiError::internal(anyhow::Error::new(e).context(format!("reading column {name}")))
    })
}
