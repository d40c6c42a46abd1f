//! Input types that carry their own limits: the JSON body extractor (`JsonBody`, serde) enforces
//! them while parsing, naming the field, and the spec shows them as `minLength`/`maxLength`/
//! `minimum`/`maximum`, from the same declaration.
//!
//! - [`Text<MIN, MAX>`]: trimmed; `MIN..=MAX` characters; no NUL (PostgreSQL text cannot hold it).
//! - [`Int<MIN, MAX>`]: an integer in `MIN..=MAX`.
//! - [`Fraction`]: a finite number in `0..=1` (scores, thresholds).

use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use serde::{Deserialize, Deserializer, de::Error as _};
use serde_json::Value;

/// Trimmed text of `MIN..=MAX` characters without NUL bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> Text<MIN, MAX> {
    /// The rule, in one place: the error text names what is wrong, the extractor the field.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        if t.contains('\0') {
            return Err("must not contain NUL (\\u0000) characters".into());
        }
        let n = t.chars().count();
        if n < MIN {
            return Err(if MIN == 1 {
                "must not be empty".into()
            } else {
                format!("must be at least {MIN} characters")
            });
        }
        if n > MAX {
            return Err(format!("must be at most {MAX} characters"));
        }
        Ok(Self(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<'de, const MIN: usize, const MAX: usize> Deserialize<'de> for Text<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(D::Error::custom)
    }
}

/// An integer in `MIN..=MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int<const MIN: i64, const MAX: i64>(pub i64);

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        if (MIN..=MAX).contains(&v) {
            Ok(Self(v))
        } else {
            Err(D::Error::custom(format!("must be {MIN}–{MAX}")))
        }
    }
}

/// A number in `0..=1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fraction(pub f64);

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if (0.0..=1.0).contains(&v) {
            Ok(Self(v))
        } else {
            Err(D::Error::custom("must be a number from 0 to 1"))
        }
    }
}

/// poem-openapi's side of the three types: a schema with the limits, JSON in and out.
macro_rules! openapi_scalar {
    ($ty:ty, [$($gen:tt)*], $name:expr, $schema:expr, $to_json:expr) => {
        impl<$($gen)*> Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                $name.into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new($schema))
            }

            fn as_raw_value(&self) -> Option<&Self> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl<$($gen)*> ParseFromJSON for $ty {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                let value = value.unwrap_or_default();
                serde_json::from_value(value).map_err(|e| ParseError::custom(e.to_string()))
            }
        }

        impl<$($gen)*> ToJSON for $ty {
            fn to_json(&self) -> Option<Value> {
                #[allow(clippy::redundant_closure_call)]
                Some(($to_json)(self))
            }
        }
    };
}

openapi_scalar!(
    Text<MIN, MAX>,
    [const MIN: usize, const MAX: usize],
    "string",
    MetaSchema {
        min_length: (MIN > 0).then_some(MIN),
        max_length: Some(MAX),
        ..MetaSchema::new("string")
    },
    |t: &Text<MIN, MAX>| Value::String(t.0.clone())
);

openapi_scalar!(
    Int<MIN, MAX>,
    [const MIN: i64, const MAX: i64],
    "integer_int64",
    MetaSchema {
        minimum: Some(MIN as f64),
        maximum: Some(MAX as f64),
        ..MetaSchema::new_with_format("integer", "int64")
    },
    |i: &Int<MIN, MAX>| Value::from(i.0)
);

openapi_scalar!(
    Fraction,
    [],
    "number_double",
    MetaSchema {
        minimum: Some(0.0),
        maximum: Some(1.0),
        ..MetaSchema::new_with_format("number", "double")
    },
    |f: &Fraction| Value::from(f.0)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_free_of_nul() {
        assert_eq!(Text::<1, 5>::parse("  abc ").unwrap().as_str(), "abc");
        assert_eq!(Text::<1, 5>::parse("   ").unwrap_err(), "must not be empty");
        assert!(
            Text::<1, 5>::parse("abcdef")
                .unwrap_err()
                .contains("at most 5")
        );
        // Characters, not bytes.
        assert!(Text::<1, 5>::parse("привет").is_err());
        assert!(Text::<1, 6>::parse("привет").is_ok());
        assert!(Text::<0, 9>::parse("a\0b").unwrap_err().contains("NUL"));
        let e = serde_json::from_value::<Text<1, 3>>(serde_json::json!(12)).unwrap_err();
        assert!(e.to_string().contains("expected a string"), "{e}");
    }

    #[test]
    fn numbers_are_checked_against_their_range() {
        assert_eq!(
            serde_json::from_value::<Int<1, 20>>(serde_json::json!(20)).unwrap(),
            Int(20)
        );
        assert!(serde_json::from_value::<Int<1, 20>>(serde_json::json!(0)).is_err());
        assert!(serde_json::from_value::<Int<1, 20>>(serde_json::json!(2.5)).is_err());
        assert!(serde_json::from_value::<Fraction>(serde_json::json!(1.01)).is_err());
        assert!(serde_json::from_value::<Fraction>(serde_json::json!("0.5")).is_err());
        assert_eq!(
            serde_json::from_value::<Fraction>(serde_json::json!(0)).unwrap(),
            Fraction(0.0)
        );
    }
}
