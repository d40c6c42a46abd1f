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
use tokio_postgres::{Row, SimpleQueryRow, row::RowIndex, types::FromSql};

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

/// A result row whose columns can be read: a binary [`Row`] (the extended protocol's, through
/// `FromSql`) or a text [`SimpleQueryRow`] (`Tx::query_text`'s, through [`FromText`]), so one
/// reader of a row type serves both.
pub(crate) trait Cells {
    fn cell<T: Cell>(&self, at: usize, name: &str) -> ApiResult<T>;
    /// The result's column names, in order.
    fn names(&self) -> Vec<&str>;
}

/// A value either kind of row gives.
pub(crate) trait Cell: FromText + for<'a> FromSql<'a> {}

impl<T: FromText + for<'a> FromSql<'a>> Cell for T {}

impl Cells for Row {
    fn cell<T: Cell>(&self, at: usize, name: &str) -> ApiResult<T> {
        column_at(self, at, name)
    }
    fn names(&self) -> Vec<&str> {
        self.columns().iter().map(|c| c.name()).collect()
    }
}

impl Cells for SimpleQueryRow {
    fn cell<T: Cell>(&self, at: usize, name: &str) -> ApiResult<T> {
        T::from_text(self.get(at))
            .map_err(|e| ApiError::internal(anyhow::anyhow!("reading column {name} as text: {e}")))
    }
    fn names(&self) -> Vec<&str> {
        self.columns().iter().map(|c| c.name()).collect()
    }
}

/// A column value read from its text (a simple-protocol row); `None` is NULL. Types PostgreSQL
/// writes plainly (numbers, UUIDs, text, enum values) are parsed from that text; the others
/// (arrays, `jsonb`, timestamps, whose text form depends on settings such as `DateStyle`) are
/// selected as JSON (`to_json(…)`) and read from it.
pub(crate) trait FromText: Sized {
    fn from_text(text: Option<&str>) -> Result<Self, String>;
}

/// A non-NULL value's reading from its text.
pub(crate) trait TextValue: Sized {
    fn parse_text(text: &str) -> Option<Self>;
}

impl<T: TextValue> FromText for T {
    fn from_text(text: Option<&str>) -> Result<Self, String> {
        let text = text.ok_or("NULL where a value is required")?;
        T::parse_text(text).ok_or_else(|| format!("unreadable value {text:?}"))
    }
}

impl<T: TextValue> FromText for Option<T> {
    fn from_text(text: Option<&str>) -> Result<Self, String> {
        text.map(|t| T::from_text(Some(t))).transpose()
    }
}

/// Types read from PostgreSQL's own text by their `FromStr` (an enum's refuses unknown values),
/// and types selected as JSON, read by serde.
macro_rules! text_values {
    (from_str: $($t:ty),*; json: $($j:ty),*) => {
        $(impl TextValue for $t {
            fn parse_text(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        })*
        $(impl TextValue for $j {
            fn parse_text(text: &str) -> Option<Self> {
                serde_json::from_str(text).ok()
            }
        })*
    };
}

text_values!(
    from_str: i16, i32, i64, String, crate::ids::TicketId, crate::ids::UserId,
        crate::tickets::TicketStatus, crate::tickets::TicketPriority, crate::tickets::TicketSource,
        crate::knowledge::Language;
    json: Vec<String>, serde_json::Value
);

/// A timestamp's JSON (`to_json(…)`: a string in RFC 3339, whatever `DateStyle` says), read
/// without a JSON parser: it has no escapes.
impl TextValue for Timestamp {
    fn parse_text(text: &str) -> Option<Self> {
        let inner = text.strip_prefix('"')?.strip_suffix('"')?;
        DateTime::parse_from_rfc3339(inner)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
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

    /// The statement with its values written in, if every one has a literal
    /// ([`crate::db::statement::inline`]).
    pub fn inline(&self) -> Option<String> {
        crate::db::statement::inline(&self.text, &self.params())
    }

    pub fn params(&self) -> Vec<&dyn Param> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &dyn Param)
            .collect()
    }
}
