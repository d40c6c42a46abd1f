//! The rules for text input, each decided here once:
//!
//! - no NUL byte in any text a client sends (PostgreSQL cannot store one, so it would otherwise
//!   fail deep inside a query): [`check`], applied to every string of every JSON body by the body
//!   extractor, to every query parameter and every header the API reads by [`check_request`]
//!   (run by the HTTP layer before routing), and to multipart text fields and uploaded text;
//! - surrounding whitespace is trimmed once, when a [`Text`] is parsed, and its declared lengths
//!   and patterns apply to the trimmed value (other strings, passwords say, are taken as sent);
//!   a required text (`minLength` ≥ 1) may not be blank.

use std::borrow::Cow;

use poem::Request;
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// 422 naming `field` when `value` holds a NUL byte.
pub fn check(field: &str, value: &str) -> ApiResult<()> {
    if value.contains('\0') {
        return Err(ApiError::invalid(
            field,
            format!("{field} must not contain a NUL character (\\u0000)"),
        ));
    }
    Ok(())
}

/// The request headers the API reads. Each must be visible ASCII (and spaces): anything else is
/// a 422 naming the header, never a value silently dropped.
/// Spelled as the spec and the errors name them (look-ups ignore case).
const READ_HEADERS: &[&str] = &[
    "Authorization",
    "X-API-Key",
    "X-Tenant-Id",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "Content-Type",
];

/// The query and the headers of a request, before any handler sees them.
pub fn check_request(req: &Request) -> ApiResult<()> {
    if let Some(query) = req.uri().query() {
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            check("query parameter", &name)?;
            check(&name, &value)?;
        }
    }
    for name in READ_HEADERS {
        for value in req.headers().get_all(*name) {
            if !value
                .as_bytes()
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | 0x21..=0x7e))
            {
                return Err(ApiError::invalid(
                    name,
                    format!("the {name} header must be printable ASCII"),
                ));
            }
        }
    }
    Ok(())
}

pub(crate) const TEXT_TYPENAME: &str = "tenantdesk::api::text::Text";

/// Text input, trimmed of surrounding whitespace when parsed (the one place where input text is
/// normalised). In the spec it is a plain string; its lengths and patterns are declared with
/// `#[oai(validator(…))]` on the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.trim().to_string())
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Type for Text {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            // Not in the spec (serde skips it): tells the body extractor to check lengths and
            // patterns on the trimmed value, as this type will hold it.
            rust_typename: Some(TEXT_TYPENAME),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl ParseFromJSON for Text {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Text::from(s.as_str())),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ParseFromParameter for Text {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Ok(Text::from(value))
    }
}

impl ToJSON for Text {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

/// One `tag` of the ticket list's query (`GET /v1/tickets?tag=…`): trimmed text of at most
/// [`MAX_TAG_CHARS`] characters, a limit the spec states as the items' `maxLength` (poem-openapi
/// would check a parameter's `max_length` validator against the whole array, not each item, so
/// the item type carries it). Empty is allowed: an empty `tag=` is a left-out filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagFilter(Text);

/// The longest tag, in characters (a ticket's tags and the list's `tag` filter).
pub const MAX_TAG_CHARS: usize = 50;

impl TagFilter {
    pub fn into_text(self) -> Text {
        self.0
    }
}

impl Type for TagFilter {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string(tag)".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            max_length: Some(MAX_TAG_CHARS),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromParameter for TagFilter {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        let t = Text::from(value);
        if t.chars().nth(MAX_TAG_CHARS).is_some() {
            return Err(ParseError::custom(format!(
                "each tag must be at most {MAX_TAG_CHARS} characters"
            )));
        }
        Ok(TagFilter(t))
    }
}

impl ToJSON for TagFilter {
    fn to_json(&self) -> Option<Value> {
        self.0.to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_once_when_parsed() {
        let t = Text::parse_from_json(Some(Value::String("  Ada \n".into()))).unwrap();
        assert_eq!(t.as_str(), "Ada");
        assert!(Text::parse_from_json(Some(Value::from(3))).is_err());
    }

    #[test]
    fn a_nul_byte_is_refused_naming_the_field() {
        let e = check("title", "a\0b").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("title"));
        assert!(check("title", "ab").is_ok());
    }

    #[test]
    fn a_tag_filter_is_at_most_fifty_characters_after_trimming() {
        let fifty = "é".repeat(MAX_TAG_CHARS);
        let ok = TagFilter::parse_from_parameter(&format!("  {fifty} ")).unwrap();
        assert_eq!(ok.into_text().as_str(), fifty);
        assert!(TagFilter::parse_from_parameter(&format!("{fifty}a")).is_err());
        assert_eq!(
            TagFilter::parse_from_parameter("")
                .unwrap()
                .into_text()
                .as_str(),
            ""
        );
    }
}
