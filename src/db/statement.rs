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
}

impl<T: SqlType + ToSql + Sync> Param for T {
    fn param_type(&self) -> Type {
        T::sql_type()
    }
    fn as_to_sql(&self) -> &(dyn ToSql + Sync) {
        self
    }
}

macro_rules! sql_types {
    ($($rust:ty => $sql:ident $(, $array:ident)?;)*) => {$(
        impl SqlType for $rust {
            fn sql_type() -> Type {
                Type::$sql
            }
        }
        $(impl SqlArrayType for $rust {
            fn sql_array_type() -> Type {
                Type::$array
            }
        })?
    )*};
}

sql_types! {
    bool => BOOL;
    i16 => INT2, INT2_ARRAY;
    i32 => INT4, INT4_ARRAY;
    i64 => INT8, INT8_ARRAY;
    f32 => FLOAT4;
    f64 => FLOAT8;
    str => TEXT, TEXT_ARRAY;
    String => TEXT, TEXT_ARRAY;
    [u8] => BYTEA;
    Vec<u8> => BYTEA, BYTEA_ARRAY;
    Uuid => UUID, UUID_ARRAY;
    DateTime<Utc> => TIMESTAMPTZ, TIMESTAMPTZ_ARRAY;
    serde_json::Value => JSONB;
}

impl<T: SqlType + ?Sized> SqlType for &T {
    fn sql_type() -> Type {
        T::sql_type()
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
}

impl<T: SqlArrayType> SqlType for [T] {
    fn sql_type() -> Type {
        T::sql_array_type()
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

type Typed<'a> = Vec<(&'a (dyn ToSql + Sync), Type)>;

fn typed<'a>(params: &'a [&'a dyn Param]) -> Typed<'a> {
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
