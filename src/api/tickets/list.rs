//! Listing tickets: sort columns, the keyset cursor, and the multi-value filters.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::DateTime;
use poem_openapi::Enum;
use uuid::Uuid;

use super::TicketOut;
use crate::{
    error::{ApiError, ApiResult},
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
    cursor: Option<&str>,
    sort: TicketSort,
    desc: bool,
) -> ApiResult<Option<After>> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let bad = || ApiError::invalid("cursor", "cursor is not one this API returned");
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
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    Ok(Some(match sort {
        TicketSort::Priority => After::Rank(i16::try_from(key).map_err(|_| bad())?, id),
        _ => After::Time(DateTime::from_timestamp_micros(key).ok_or_else(bad)?, id),
    }))
}

/// One page of tickets, in the requested order.
pub type TicketPage = crate::api::Page<TicketOut>;

/// Splits repeated and comma-separated values and checks each.
pub(super) fn value_set<T>(
    field: &str,
    raw: &[String],
    parse: impl Fn(&str) -> Option<T>,
    allowed: &[&str],
) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in raw
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        if parse(v).is_none() {
            return Err(
                ApiError::invalid(field, format!("{field}: unknown value {v:?}"))
                    .with_allowed(allowed.iter().map(|s| s.to_string()).collect()),
            );
        }
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    Ok(out)
}
