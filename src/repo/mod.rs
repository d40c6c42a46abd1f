//! SQL only. Every function takes the tenant transaction (or, for platform work, the platform
//! transaction): no tenant query can run without the tenant setting.

pub mod analytics;
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
pub mod usage;
pub mod users;

use chrono::{DateTime, Utc};
use tokio_postgres::{Row, row::RowIndex, types::FromSql};

use crate::{
    db::statement::Param,
    error::{ApiError, ApiResult},
};

pub type Timestamp = DateTime<Utc>;

/// Reads a column the Rust type may refuse (an enum's text): an unknown value is an error whose
/// log names the column and the value (a 500 to the client), never a default.
/// `at` is the column's name or index.
pub(crate) fn column<'a, T: FromSql<'a>>(
    r: &'a Row,
    at: impl RowIndex + std::fmt::Display + Copy,
) -> ApiResult<T> {
    column_at(r, at, at)
}

/// [`column`] by position (found once per result), naming the column by `name` in the error.
pub(crate) fn column_at<'a, T: FromSql<'a>>(
    r: &'a Row,
    at: impl RowIndex + std::fmt::Display,
    name: impl std::fmt::Display,
) -> ApiResult<T> {
    // The name is formatted only for an error: this runs for every column of every row.
    r.try_get(at).map_err(|e| {
        ApiError::internal(anyhow::Error::new(e).context(format!("reading column {name}")))
    })
}

/// A statement assembled from the filters that are set, so each combination gets its own plan:
/// `bind` appends a clause whose `?` becomes the next parameter (typed, as every statement is).
pub struct Sql {
    pub text: String,
    params: Vec<Box<dyn Param + Send>>,
}

impl Sql {
    /// Starts with `text`, whose `$1` is `first`.
    pub fn new(text: String, first: impl Param + Send + 'static) -> Self {
        Self {
            text,
            params: vec![Box::new(first)],
        }
    }

    pub fn bind(&mut self, clause: &str, v: impl Param + Send + 'static) {
        let clause = self.clause(clause, v);
        self.text.push_str(&clause);
    }

    /// Binds `v` and returns `clause` with its `?` numbered, for statements assembled from
    /// several parts that share one parameter list.
    pub fn clause(&mut self, clause: &str, v: impl Param + Send + 'static) -> String {
        self.params.push(Box::new(v));
        clause.replace('?', &format!("${}", self.params.len()))
    }

    pub fn params(&self) -> Vec<&dyn Param> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &dyn Param)
            .collect()
    }
}
