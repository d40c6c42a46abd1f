//! How every statement of the service reaches PostgreSQL: as an *unnamed* statement, with its
//! parameter types stated by the client, in one round trip (Parse, Bind, Describe, Execute, Sync
//! in one message; tokio-postgres's `query_typed`).
//!
//! Named prepared statements (`prepare_cached`) live on one server connection. Behind a pooler in
//! transaction mode (PgBouncer before 1.21, or 1.21+ without `max_prepared_statements`) the next
//! transaction of the same client connection may run on another server connection, where the
//! statement does not exist, and a statement prepared outside a transaction is gone before it is
//! executed. An unnamed statement never outlives its own round trip, so it works on whichever
//! server connection runs it. It is also planned with its actual parameters every time (a custom
//! plan), which is what the tenant-sized queries want anyway.
//!
//! The parameter types come from the Rust values through [`Param`]. Result columns must be
//! built-in PostgreSQL types (cast anything else, such as `vector`, to text): tokio-postgres looks
//! a non-built-in type up with a named statement of its own, which a pooler breaks the same way.
//!
//! One exception, for speed: a read's statement whose every value is typed — numbers, booleans,
//! UUIDs, timestamps, the API's enum values; never text a client chose — can be written out with
//! its values as literals ([`inline`], through [`literal`]'s fixed alphabet) and sent in the
//! simple protocol together with the read's opening and COMMIT, as one query string
//! (`Tx::query_text`): one answer instead of three, and no unnamed-statement bookkeeping in
//! PostgreSQL. The ticket list does this when it has no search text (bench/README.md, "One query
//! string"). Such a statement is just as pooler-safe: a simple query is its own round trip.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use tokio_postgres::{
    Client, Error, Row,
    types::{Kind, ToSql, Type},
};
use uuid::Uuid;

/// The PostgreSQL type a Rust type is sent as (the statement's declared parameter type).
pub trait SqlType {
    fn sql_type() -> Type;

    /// This value as an SQL literal of its type (`'…'::uuid`), for a statement sent as text
    /// ([`inline`]); `None` where a value has none. Only numbers, booleans, UUIDs, timestamps and
    /// the API's enum values have one, and only through [`literal`], which refuses any text
    /// outside a fixed alphabet: text a client chose is never written into a statement.
    fn sql_literal(&self) -> Option<String> {
        None
    }
}

/// `'text'::type`, if `text` is made only of ASCII letters, digits and `_ - + : .` (what numbers,
/// booleans, UUIDs, RFC 3339 timestamps and enum values are written with): no quote, backslash,
/// `$`, space or semicolon can reach the statement, whatever the value.
pub fn literal(text: &str, ty: &Type) -> Option<String> {
    let safe = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b':' | b'.'));
    safe.then(|| format!("'{text}'::{}", ty.name()))
}

/// `sql` with each `$n` replaced by the literal of parameter `n`, for sending it in the simple
/// protocol (one round trip with the transaction around it, see `Tx::query_text`); `None` unless
/// every parameter has a literal ([`SqlType::sql_literal`]). `$` appears in the service's
/// statements only as a parameter mark, and no literal contains one.
pub fn inline(sql: &str, params: &[&dyn Param]) -> Option<String> {
    let mut out = String::with_capacity(sql.len() + 48 * params.len());
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let n: usize = rest[at + 1..at + 1 + digits].parse().ok()?;
        out.push_str(&params.get(n.checked_sub(1)?)?.literal()?);
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    Some(out)
}

/// Element types that are also sent as arrays (`Vec<T>`, `&[T]`).
pub trait SqlArrayType: SqlType {
    fn sql_array_type() -> Type;
}

/// A statement parameter: a value that knows its PostgreSQL type. `&[&a, &b]` coerces to
/// `&[&dyn Param]` for any values whose types implement [`SqlType`].
pub trait Param: ToSql + Sync {
    fn param_type(&self) -> Type;
    fn as_to_sql(&self) -> &(dyn ToSql + Sync);
    /// See [`SqlType::sql_literal`].
    fn literal(&self) -> Option<String>;
}

impl<T: SqlType + ToSql + Sync> Param for T {
    fn param_type(&self) -> Type {
        T::sql_type()
    }
    fn as_to_sql(&self) -> &(dyn ToSql + Sync) {
        self
    }
    fn literal(&self) -> Option<String> {
        self.sql_literal()
    }
}

macro_rules! sql_types {
    ($($rust:ty => $sql:ident $(, $array:ident)? $({ $text:expr })?;)*) => {$(
        impl SqlType for $rust {
            fn sql_type() -> Type {
                Type::$sql
            }
            $(fn sql_literal(&self) -> Option<String> {
                literal(&($text)(self)?, &Type::$sql)
            })?
        }
        $(impl SqlArrayType for $rust {
            fn sql_array_type() -> Type {
                Type::$array
            }
        })?
    )*};
}

sql_types! {
    bool => BOOL { |v: &bool| Some(v.to_string()) };
    i16 => INT2, INT2_ARRAY { |v: &i16| Some(v.to_string()) };
    i32 => INT4, INT4_ARRAY { |v: &i32| Some(v.to_string()) };
    i64 => INT8, INT8_ARRAY { |v: &i64| Some(v.to_string()) };
    f32 => FLOAT4;
    f64 => FLOAT8;
    str => TEXT, TEXT_ARRAY;
    String => TEXT, TEXT_ARRAY;
    [u8] => BYTEA;
    Vec<u8> => BYTEA, BYTEA_ARRAY;
    Uuid => UUID, UUID_ARRAY { |v: &Uuid| Some(v.to_string()) };
    DateTime<Utc> => TIMESTAMPTZ, TIMESTAMPTZ_ARRAY { timestamp_text };
    serde_json::Value => JSONB;
}

/// A timestamp as its binary parameter sends it — whole microseconds since 2000-01-01,
/// truncated toward zero (tokio-postgres) — in UTC, for the years 1–9999 (others have no
/// literal and go as parameters).
fn timestamp_text(t: &DateTime<Utc>) -> Option<String> {
    use chrono::{Datelike, SecondsFormat, TimeDelta};
    let base = DateTime::<Utc>::from_timestamp(946_684_800, 0)?;
    let micros = t.signed_duration_since(base).num_microseconds()?;
    let t = base.checked_add_signed(TimeDelta::microseconds(micros))?;
    (1..=9999)
        .contains(&t.year())
        .then(|| t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

impl<T: SqlType + ?Sized> SqlType for &T {
    fn sql_type() -> Type {
        T::sql_type()
    }
    fn sql_literal(&self) -> Option<String> {
        (**self).sql_literal()
    }
}

impl<T: SqlArrayType + ?Sized> SqlArrayType for &T {
    fn sql_array_type() -> Type {
        T::sql_array_type()
    }
}

impl<T: SqlType> SqlType for Option<T> {
    fn sql_type() -> Type {
        T::sql_type()
    }
    fn sql_literal(&self) -> Option<String> {
        match self {
            Some(v) => v.sql_literal(),
            None => Some(format!("NULL::{}", T::sql_type().name())),
        }
    }
}

/// Arrays with NULL elements (`Vec<Option<Uuid>>`).
impl<T: SqlArrayType> SqlArrayType for Option<T> {
    fn sql_array_type() -> Type {
        T::sql_array_type()
    }
}

impl<T: SqlArrayType> SqlType for Vec<T> {
    fn sql_type() -> Type {
        T::sql_array_type()
    }
    fn sql_literal(&self) -> Option<String> {
        self.as_slice().sql_literal()
    }
}

impl<T: SqlArrayType> SqlType for [T] {
    fn sql_type() -> Type {
        T::sql_array_type()
    }
    /// `ARRAY[…]::type[]` of the elements' literals.
    fn sql_literal(&self) -> Option<String> {
        let items = self
            .iter()
            .map(SqlType::sql_literal)
            .collect::<Option<Vec<_>>>()?;
        Some(format!(
            "ARRAY[{}]::{}[]",
            items.join(", "),
            T::sql_type().name()
        ))
    }
}

/// pgvector's `vector` has no fixed OID (it belongs to the extension), so it is declared as
/// OID 0, "unspecified": PostgreSQL takes the type from the statement (`$2::vector(384)`, or the
/// `vector` column it is inserted into), exactly as it does for a prepared statement. The name is
/// what pgvector's encoder checks.
static VECTOR: LazyLock<Type> =
    LazyLock::new(|| Type::new("vector".into(), 0, Kind::Simple, "public".into()));

impl SqlType for pgvector::Vector {
    fn sql_type() -> Type {
        VECTOR.clone()
    }
}

/// Parameters with their declared types, as tokio-postgres's `*_typed` methods take them.
pub type Typed<'a> = Vec<(&'a (dyn ToSql + Sync), Type)>;

/// `params` with their declared types (for a `*_typed` call on something other than a
/// [`Client`], such as a `tokio_postgres::Transaction`).
pub fn typed<'a>(params: &'a [&'a dyn Param]) -> Typed<'a> {
    params
        .iter()
        .map(|p| (p.as_to_sql(), p.param_type()))
        .collect()
}

/// All rows of `sql`.
pub async fn query(client: &Client, sql: &str, params: &[&dyn Param]) -> Result<Vec<Row>, Error> {
    client.query_typed(sql, &typed(params)).await
}

/// At most one row (more is an error).
pub async fn query_opt(
    client: &Client,
    sql: &str,
    params: &[&dyn Param],
) -> Result<Option<Row>, Error> {
    client.query_typed_opt(sql, &typed(params)).await
}

/// Exactly one row.
pub async fn query_one(client: &Client, sql: &str, params: &[&dyn Param]) -> Result<Row, Error> {
    client.query_typed_one(sql, &typed(params)).await
}

/// The number of rows the statement changed.
pub async fn execute(client: &Client, sql: &str, params: &[&dyn Param]) -> Result<u64, Error> {
    client.execute_typed(sql, &typed(params)).await
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::{ids::TicketId, tickets::TicketStatus};

    #[test]
    fn typed_values_are_written_as_literals_of_their_type() {
        let id = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00ff);
        let at = Utc.timestamp_micros(1_764_649_135_123_456).unwrap();
        let sql = "select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11";
        let params: [&dyn Param; 11] = [
            &TicketId::from(id),
            &-7i64,
            &3i16,
            &true,
            &at,
            &TicketStatus::InProgress,
            &vec![TicketStatus::Open, TicketStatus::Closed],
            &Vec::<TicketId>::new(),
            &None::<TicketId>,
            &Some(12i32),
            &(at + chrono::TimeDelta::nanoseconds(999)),
        ];
        assert_eq!(
            inline(sql, &params).unwrap(),
            "select '01930000-0000-7000-8000-0000000000ff'::uuid, '-7'::int8, '3'::int2, \
             'true'::bool, '2025-12-02T04:18:55.123456Z'::timestamptz, 'in_progress'::text, \
             ARRAY['open'::text, 'closed'::text]::text[], ARRAY[]::uuid[], NULL::uuid, \
             '12'::int4, '2025-12-02T04:18:55.123456Z'::timestamptz"
        );
    }

    #[test]
    fn a_statement_with_text_or_an_unwritable_value_is_not_inlined() {
        let sql = "select $1, $2";
        assert_eq!(inline(sql, &[&1i64, &"a'b"]), None);
        assert_eq!(inline(sql, &[&1i64, &String::from("plain")]), None);
        assert_eq!(inline(sql, &[&1i64, &vec![String::from("x")]]), None);
        assert_eq!(inline(sql, &[&1i64, &serde_json::json!({})]), None);
        assert_eq!(inline(sql, &[&1i64, &1.5f64]), None);
        // Years a literal cannot carry unchanged.
        let far = DateTime::<Utc>::MAX_UTC;
        assert_eq!(inline(sql, &[&1i64, &far]), None);
        // A mark without a parameter, or `$` not followed by a number.
        assert_eq!(inline("select $3", &[&1i64]), None);
        assert_eq!(inline("select $0", &[&1i64]), None);
        assert_eq!(inline("select $x", &[&1i64]), None);
    }

    #[test]
    fn the_tenth_parameter_is_not_the_first_followed_by_a_zero() {
        let params: Vec<i64> = (1..=10).collect();
        let refs: Vec<&dyn Param> = params.iter().map(|p| p as &dyn Param).collect();
        assert_eq!(
            inline("select $10, $1", &refs).unwrap(),
            "select '10'::int8, '1'::int8"
        );
    }

    #[test]
    fn a_literal_is_made_only_of_its_alphabet() {
        assert_eq!(
            literal("abc_09-+:.", &Type::TEXT).as_deref(),
            Some("'abc_09-+:.'::text")
        );
        for bad in [
            "", "a'b", "a\\b", "a b", "a;b", "$1", "a\"b", "é", "a\0b", "a\nb", "(a)",
        ] {
            assert_eq!(literal(bad, &Type::TEXT), None, "{bad:?}");
        }
    }
}
