//! `GET /v1/tickets`: sort columns, the multi-value filters, and the handler over the
//! [`plan`](super::plan).

use std::borrow::Cow;

use poem_openapi::{
    Enum,
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseFromParameter, ParseResult, ToJSON, Type},
};
use serde::{Deserialize, Serialize};

use super::{
    TicketOut,
    plan::{ListParams, TicketKey},
};
use crate::{
    api::json::SerdeJson,
    app::AppState,
    auth::Tenant,
    error::{ApiError, ApiResult},
    repo::{self, tickets::SortKey},
};

/// Reads the page the parameters ask for.
pub(super) async fn list(
    state: &AppState,
    p: &Tenant,
    params: ListParams,
) -> ApiResult<SerdeJson<TicketPage>> {
    let (sort, order, limit) = (params.sort, params.order, params.limit);
    let Some(query) = params.plan(p, state.config.ticket_search_candidates)? else {
        return Ok(SerdeJson(TicketPage {
            items: vec![],
            next_cursor: None,
        }));
    };
    let rows = p
        .read(async |tx| repo::tickets::list(tx, &query).await)
        .await?;
    Ok(SerdeJson(TicketPage::of(rows, limit, |t| {
        TicketKey::of(sort, order, t)
    })))
}

/// The column a ticket list is sorted by (ties broken by id).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TicketSort {
    #[default]
    Created,
    Updated,
    Priority,
}

/// Sort direction.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    #[default]
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
}

/// One page of tickets, in the requested order.
pub type TicketPage = crate::api::Page<TicketOut>;

/// A query parameter taking values of the enum `T`, repeated (`status=a&status=b`) or
/// comma-separated (`status=a,b`). The spec shows an array of `T`, so clients see the values;
/// [`EnumList::values`] checks them against the same enum.
#[derive(Debug)]
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

    #[test]
    fn empty_values_of_a_list_parameter_are_skipped() {
        use crate::tickets::TicketStatus;
        let raw = ["open,".to_string(), " ".into(), ",resolved".into()];
        let values: Vec<TicketStatus> = value_set("status", &raw).unwrap();
        assert_eq!(values, [TicketStatus::Open, TicketStatus::Resolved]);
    }
}
