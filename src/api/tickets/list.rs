//! Listing tickets: sort columns, the keyset cursor, and the multi-value filters.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::DateTime;
use std::borrow::Cow;

use poem_openapi::{
    Enum,
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseFromParameter, ParseResult, ToJSON, Type},
};
use uuid::Uuid;

use super::TicketOut;
use crate::{
    api::cursor::Cursor,
    error::{ApiError, ApiResult},
    ids::TicketId,
    repo::tickets::{After, SortKey, TicketRow},
};

/// The column a ticket list is sorted by (ties broken by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TicketSort {
    Created,
    Updated,
    Priority,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    Desc,
}

pub(super) fn default_sort() -> TicketSort {
    TicketSort::Created
}

pub(super) fn default_order() -> SortOrder {
    SortOrder::Desc
}

impl TicketSort {
    pub(super) fn key(self) -> SortKey {
        match self {
            TicketSort::Created => SortKey::Created,
            TicketSort::Updated => SortKey::Updated,
            TicketSort::Priority => SortKey::Priority,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            TicketSort::Created => "created",
            TicketSort::Updated => "updated",
            TicketSort::Priority => "priority",
        }
    }
}

/// A list cursor: `t1:<sort>:<order>:<key>:<id>` in base64url, where key is the sort column's
/// value (microseconds since the epoch, or the priority rank) of the page's last row.
pub(super) fn encode_list_cursor(sort: TicketSort, desc: bool, t: &TicketRow) -> String {
    let key = match sort {
        TicketSort::Created => t.created_at.timestamp_micros(),
        TicketSort::Updated => t.updated_at.timestamp_micros(),
        TicketSort::Priority => i64::from(t.priority_rank),
    };
    let order = if desc { "desc" } else { "asc" };
    URL_SAFE_NO_PAD.encode(format!("t1:{}:{order}:{key}:{}", sort.name(), t.id))
}

pub(super) fn decode_list_cursor(
    cursor: &Cursor,
    sort: TicketSort,
    desc: bool,
) -> ApiResult<Option<After>> {
    let Some(c) = cursor.token() else {
        return Ok(None);
    };
    let bad = Cursor::invalid;
    let text = URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let parts: Vec<&str> = text.split(':').collect();
    let [tag, s, o, key, id] = parts[..] else {
        return Err(bad());
    };
    if tag != "t1" {
        return Err(bad());
    }
    let order = if desc { "desc" } else { "asc" };
    if s != sort.name() || o != order {
        return Err(ApiError::invalid(
            "cursor",
            "this cursor belongs to a list with another sort or order; keep them while paging",
        ));
    }
    let key: i64 = key.parse().map_err(|_| bad())?;
    let id = TicketId::from(Uuid::parse_str(id).map_err(|_| bad())?);
    // Decoded into values already known to be in range, so a forged cursor is a 422 here and
    // never an error from the database (`timestamp out of range`).
    Ok(Some(match sort {
        TicketSort::Priority => After::Rank(
            i16::try_from(key)
                .ok()
                .filter(|r| PRIORITY_RANKS.contains(r))
                .ok_or_else(bad)?,
            id,
        ),
        _ => After::Time(
            Some(key)
                .filter(|k| TIMESTAMP_MICROS.contains(k))
                .and_then(DateTime::from_timestamp_micros)
                .ok_or_else(bad)?,
            id,
        ),
    }))
}

/// `tickets.priority_rank` (low 1 … urgent 4).
const PRIORITY_RANKS: std::ops::RangeInclusive<i16> = 1..=4;

/// What PostgreSQL's `timestamptz` holds, in microseconds since the Unix epoch: from 4713 BC
/// (its lower bound, -210866803200000000) up to the end of year 9999, far beyond any row's
/// `created_at` or `updated_at`.
const TIMESTAMP_MICROS: std::ops::RangeInclusive<i64> =
    -210_866_803_200_000_000..=253_402_300_799_999_999;

/// One page of tickets, in the requested order.
pub type TicketPage = crate::api::Page<TicketOut>;

/// A query parameter taking values of the enum `T`, repeated (`status=a&status=b`) or
/// comma-separated (`status=a,b`). The spec shows an array of `T`, so clients see the values;
/// [`EnumList::values`] checks them against the same enum.
pub struct EnumList<T> {
    raw: Vec<String>,
    _values: std::marker::PhantomData<T>,
}

impl<T> Default for EnumList<T> {
    fn default() -> Self {
        Self {
            raw: Vec::new(),
            _values: std::marker::PhantomData,
        }
    }
}

impl<T: Type> Type for EnumList<T> {
    const IS_REQUIRED: bool = false;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        format!("[{}]", T::name()).into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(T::schema_ref())),
            ..MetaSchema::new("array")
        }))
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl<T: Type> ParseFromParameter for EnumList<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse_from_parameters([value])
    }

    fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
        iter: I,
    ) -> ParseResult<Self> {
        Ok(Self {
            raw: iter.into_iter().map(|v| v.as_ref().to_string()).collect(),
            _values: std::marker::PhantomData,
        })
    }
}

/// For the spec's `default` (an empty list).
impl<T: Type> ToJSON for EnumList<T> {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(self.raw.clone().into())
    }
}

impl<T> EnumList<T>
where
    T: std::str::FromStr + strum::VariantArray + Copy + PartialEq + Into<&'static str>,
{
    /// The distinct values, or a 422 naming `field` with the values it takes.
    pub fn values(&self, field: &str) -> ApiResult<Vec<T>> {
        value_set(field, &self.raw)
    }
}

/// Splits repeated and comma-separated values and checks each against the enum's values.
fn value_set<T>(field: &str, raw: &[String]) -> ApiResult<Vec<T>>
where
    T: std::str::FromStr + strum::VariantArray + Copy + PartialEq + Into<&'static str>,
{
    let mut out: Vec<T> = Vec::new();
    for v in raw
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        // `str::is_empty` by name: `v` is a `&&str`, and poem-openapi's `Type::is_empty`
        // (always false for `&str`) would be picked by method resolution first.
        .filter(|v| !str::is_empty(v))
    {
        let Ok(value) = v.parse::<T>() else {
            return Err(
                ApiError::invalid(field, format!("{field}: unknown value {v:?}")).with_allowed(
                    T::VARIANTS
                        .iter()
                        .map(|&t| Into::<&str>::into(t).to_string())
                        .collect(),
                ),
            );
        };
        // At most as many values as the enum has: this stays small.
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forged(text: &str) -> String {
        URL_SAFE_NO_PAD.encode(text)
    }

    fn cursor(text: &str) -> Cursor {
        Cursor::parse_from_parameter(text).unwrap()
    }

    #[test]
    fn empty_values_of_a_list_parameter_are_skipped() {
        use crate::tickets::TicketStatus;
        let raw = ["open,".to_string(), " ".into(), ",resolved".into()];
        let values: Vec<TicketStatus> = value_set("status", &raw).unwrap();
        assert_eq!(values, [TicketStatus::Open, TicketStatus::Resolved]);
    }

    #[test]
    fn a_forged_cursor_out_of_range_is_refused_before_the_database() {
        let id = Uuid::nil();
        for key in [
            "-210866803200000001",
            "-9223372036854775808",
            "253402300800000000",
        ] {
            let c = forged(&format!("t1:created:desc:{key}:{id}"));
            let e = decode_list_cursor(&cursor(&c), TicketSort::Created, true).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("cursor"), "{key}");
        }
        for rank in ["0", "5", "-1", "40000"] {
            let c = forged(&format!("t1:priority:desc:{rank}:{id}"));
            assert!(decode_list_cursor(&cursor(&c), TicketSort::Priority, true).is_err());
        }
        let ok = forged(&format!("t1:created:desc:0:{id}"));
        assert!(decode_list_cursor(&cursor(&ok), TicketSort::Created, true).is_ok());
    }
}
