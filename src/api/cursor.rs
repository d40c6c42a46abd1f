//! The `cursor` query parameter of every list, and its one rule: absent or empty
//! (`?cursor=`) is the first page; anything else must be a `next_cursor` this API returned.
//!
//! Every list encodes its position the same way ([`Cursor::after`], [`Cursor::key`]): a version
//! tag and the JSON of the list's key (an id, or a ticket list's sort key and id).
//!
//! The rule lives in the parameter's type, so no list can decide otherwise, and the spec
//! carries it (the pattern, the length and the description come from [`Cursor`]'s schema).

use std::borrow::Cow;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseError, ParseFromParameter, ParseResult, Type},
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{api::DEFAULT_LIMIT, error::ApiError};

/// Cursors are URL-safe base64 without padding, of a version tag and the position.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]*$";

/// Longer than any cursor this API makes (a ticket list's is under 100 characters).
pub const CURSOR_MAX_LENGTH: usize = 256;

const NOT_OURS: &str = "cursor is not one this API returned";

/// The version tag every cursor starts with (before base64).
const VERSION: &str = "v2:";

/// A list's position: `None` for the first page, or a token a previous page returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor(Option<String>);

impl Cursor {
    /// The token to continue after, or `None` for the first page.
    pub fn token(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The 422 for a cursor the API did not make (or made for another list).
    pub fn invalid() -> ApiError {
        ApiError::invalid("cursor", NOT_OURS)
    }

    /// The cursor continuing after the row whose position is `key` (an id, or a sort key and
    /// an id): `v2:` and the key's JSON, in URL-safe base64.
    pub fn after<K: Serialize>(key: &K) -> String {
        let json = serde_json::to_string(key).expect("a cursor key serializes");
        URL_SAFE_NO_PAD.encode(format!("{VERSION}{json}"))
    }

    /// The position this cursor continues after, or `None` for the first page. A cursor made
    /// for another list (another key type) or not made here is a 422 naming `cursor`.
    pub fn key<K: DeserializeOwned>(&self) -> Result<Option<K>, ApiError> {
        let Some(c) = self.token() else {
            return Ok(None);
        };
        URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| serde_json::from_str(s.strip_prefix(VERSION)?).ok())
            .map(Some)
            .ok_or_else(Self::invalid)
    }

    fn parse(value: &str) -> Result<Self, &'static str> {
        if str::is_empty(value) {
            return Ok(Self(None));
        }
        let ours = value.len() <= CURSOR_MAX_LENGTH
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ours {
            Ok(Self(Some(value.to_string())))
        } else {
            Err(NOT_OURS)
        }
    }
}

impl Cursor {
    fn schema() -> MetaSchema {
        MetaSchema {
            description: Some(
                "A `next_cursor` of the previous page; absent or empty for the first page.",
            ),
            pattern: Some(CURSOR_PATTERN.to_string()),
            max_length: Some(CURSOR_MAX_LENGTH),
            ..MetaSchema::new("string")
        }
    }
}

/// The poem-openapi impls of a list's single-valued, optional query parameter (`cursor`,
/// `limit`): its schema from `$ty::schema()`, its value from `$ty::parse`, `$absent` when the
/// parameter is left out, and a repeated parameter counted once (the first), as for every
/// single-valued parameter.
macro_rules! list_parameter {
    ($ty:ty, $name:literal, $absent:expr) => {
        impl Type for $ty {
            const IS_REQUIRED: bool = false;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                $name.into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(<$ty>::schema()))
            }

            fn register(_: &mut Registry) {}

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(std::iter::once(self))
            }
        }

        impl ParseFromParameter for $ty {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                <$ty>::parse(value).map_err(ParseError::custom)
            }

            fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
                iter: I,
            ) -> ParseResult<Self> {
                match iter.into_iter().next() {
                    Some(v) => Self::parse_from_parameter(v.as_ref()),
                    None => Ok($absent),
                }
            }
        }
    };
}

list_parameter!(Cursor, "string(cursor)", Cursor(None));
list_parameter!(Limit, "integer(limit)", Limit(DEFAULT_LIMIT));

/// The most items a page holds.
pub const MAX_LIMIT: i64 = 100;

/// A list's `limit` query parameter: the page size, 1–[`MAX_LIMIT`], [`DEFAULT_LIMIT`] when
/// absent. The rule lives in the type, as the cursor's does, so every list declares the same
/// schema (`default`, `minimum`, `maximum`) and answers a bad value with the same 422 naming
/// `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(i64);

impl Limit {
    /// The page size.
    pub fn get(self) -> i64 {
        self.0
    }

    fn parse(value: &str) -> Result<Self, String> {
        match value.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(Self(n)),
            _ => Err(format!(
                "limit must be a whole number from 1 to {MAX_LIMIT}"
            )),
        }
    }

    fn schema() -> MetaSchema {
        MetaSchema {
            format: Some("int64"),
            default: Some(DEFAULT_LIMIT.into()),
            minimum: Some(1.0),
            maximum: Some(MAX_LIMIT as f64),
            ..MetaSchema::new("integer")
        }
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn an_absent_or_empty_cursor_is_the_first_page() {
        let none: [&str; 0] = [];
        assert_eq!(Cursor::parse_from_parameters(none).unwrap().token(), None);
        assert_eq!(Cursor::parse_from_parameters([""]).unwrap().token(), None);
        assert_eq!(
            Cursor::parse_from_parameter("")
                .unwrap()
                .key::<Uuid>()
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_cursor_made_for_a_row_continues_after_it() {
        let id = Uuid::new_v4();
        let c = Cursor::parse_from_parameter(&Cursor::after(&id)).unwrap();
        assert_eq!(c.key::<Uuid>().unwrap(), Some(id));
        let pair = (7_i64, id);
        let c = Cursor::parse_from_parameter(&Cursor::after(&pair)).unwrap();
        assert_eq!(c.key::<(i64, Uuid)>().unwrap(), Some(pair));
    }

    #[test]
    fn a_cursor_outside_the_alphabet_or_too_long_is_refused_before_decoding() {
        for bad in ["a b", "a=", "a/b", "é", &"a".repeat(CURSOR_MAX_LENGTH + 1)] {
            assert!(Cursor::parse_from_parameter(bad).is_err(), "{bad}");
        }
        let forged = Cursor::parse_from_parameter("bm90LWEtY3Vyc29y").unwrap();
        assert_eq!(
            forged.key::<Uuid>().unwrap_err().field.as_deref(),
            Some("cursor")
        );
    }

    #[test]
    fn a_cursor_of_another_list_is_refused() {
        let by_id = Cursor::parse_from_parameter(&Cursor::after(&Uuid::nil())).unwrap();
        let err = by_id.key::<(i64, Uuid)>().unwrap_err();
        assert_eq!(err.field.as_deref(), Some("cursor"));
        let by_pair = Cursor::parse_from_parameter(&Cursor::after(&(1, Uuid::nil()))).unwrap();
        assert!(by_pair.key::<Uuid>().is_err());
    }

    #[test]
    fn a_limit_is_a_whole_number_from_one_to_a_hundred_and_twenty_when_absent() {
        let none: [&str; 0] = [];
        assert_eq!(Limit::parse_from_parameters(none).unwrap().get(), 20);
        assert_eq!(Limit::parse_from_parameter("1").unwrap().get(), 1);
        assert_eq!(Limit::parse_from_parameter("100").unwrap().get(), 100);
        for bad in ["0", "101", "-1", "ten", "", "1.5", "99999999999999999999"] {
            assert!(Limit::parse_from_parameter(bad).is_err(), "{bad}");
        }
    }
}
