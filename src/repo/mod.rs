//! SQL only. Every function takes the tenant transaction (or, for platform work, the platform
//! transaction): no tenant query can run without the tenant setting.

pub mod api_keys;
pub mod assistant_runs;
pub mod audit;
pub mod idempotency;
pub mod knowledge;
pub mod query_logs;
pub mod search;
pub mod settings;
pub mod superadmins;
pub mod tenants;
pub mod tickets;
pub mod tokens;
pub mod users;

use chrono::{DateTime, Utc};
use tokio_postgres::types::ToSql;

pub type Timestamp = DateTime<Utc>;

/// A statement assembled from the filters that are set, so each combination gets its own plan:
/// `bind` appends a clause whose `?` becomes the next parameter.
pub struct Sql {
    pub text: String,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Sql {
    /// Starts with `text`, whose `$1` is `first`.
    pub fn new(text: String, first: impl ToSql + Sync + Send + 'static) -> Self {
        Self {
            text,
            params: vec![Box::new(first)],
        }
    }

    pub fn bind(&mut self, clause: &str, v: impl ToSql + Sync + Send + 'static) {
        self.params.push(Box::new(v));
        self.text
            .push_str(&clause.replace('?', &format!("${}", self.params.len())));
    }

    pub fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}
