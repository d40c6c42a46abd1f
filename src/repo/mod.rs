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

pub type Timestamp = DateTime<Utc>;
