//! `SerdeJson<T>`: a JSON response written straight to bytes by serde.
//!
//! poem-openapi's `Json<T>` serializes through `ToJSON`, which first builds a `serde_json::Value`
//! tree (a `BTreeMap` with an allocated key and value for every field) and then writes it out:
//! about 4 µs per ticket of a list page on the bench machine (bench/README.md, "Where the time
//! goes"). `SerdeJson<T>` writes `T` in one pass with its `serde::Serialize` impl, and takes its
//! schema and response description from the same poem-openapi type, so the spec is unchanged.
//!
//! The bytes must stay exactly those `Json<T>` wrote, which a hand-written `Serialize` impl keeps
//! with the helpers here:
//! - object keys in alphabetical order: serde_json (without `preserve_order`) keeps a `Value`
//!   object in a `BTreeMap`, so that is the order `Json<T>` wrote, whatever the declaration order
//!   (which the spec's property order follows, so the struct cannot simply be reordered);
//! - a `None` field marked `skip_serializing_if_is_none` left out, otherwise `null`;
//! - timestamps as poem-openapi writes them, `to_rfc3339()` (`+00:00`; chrono's own serde impl
//!   writes `Z`): [`Rfc3339`];
//! - enums as their API text, which is their strum text (a test in `api` checks the two agree):
//!   [`text`].
//!
//! Every type sent this way proves it in a test with [`assert_same_json`].

use poem::{IntoResponse, Response, http::header};
use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::Type,
};
use serde::{Serialize, Serializer};

use crate::{error::ApiError, repo::Timestamp};

/// A JSON response body serialized by serde; documented in the spec as `Json<T>` would be.
#[derive(Debug)]
pub struct SerdeJson<T>(pub T);

/// The content type poem-openapi's `Json` answers with.
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl<T: Type> Payload for SerdeJson<T> {
    const CONTENT_TYPE: &'static str = CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// A first guess at the body's size, so a list page grows its buffer once or twice instead of
/// from serde_json's default 128 bytes.
const INITIAL_CAPACITY: usize = 16 * 1024;

impl<T: Serialize + Send> IntoResponse for SerdeJson<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(INITIAL_CAPACITY);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => Response::builder()
                .header(header::CONTENT_TYPE, CONTENT_TYPE)
                .body(body),
            // Not reachable for the types sent this way (no maps with non-string keys, no
            // failing `Serialize` impls); answered as every other internal error.
            Err(e) => poem::Error::from(ApiError::internal(e)).into_response(),
        }
    }
}

impl<T: Type + Serialize + Send> ApiResponse for SerdeJson<T> {
    /// The same description as poem-openapi's `Json<T>`.
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// A timestamp as poem-openapi's `ToJSON` writes it (`DateTime::to_rfc3339`: seconds, then
/// milli-, micro- or nanoseconds as needed, and `+00:00`), written from a stack buffer.
pub struct Rfc3339<'a>(pub &'a Timestamp);

impl Serialize for Rfc3339<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0; RFC3339_MAX];
        match write_rfc3339(self.0, &mut buf) {
            Some(text) => s.serialize_str(text),
            // Years before 0 or after 9999, which no column holds: chrono's own writer.
            None => s.serialize_str(&self.0.to_rfc3339()),
        }
    }
}

/// `2026-12-02T04:18:55.123456789+00:00`
const RFC3339_MAX: usize = 35;

/// What chrono's `write_rfc3339` writes with `SecondsFormat::AutoSi` and a `+00:00` offset, for
/// the years 0–9999 (`None` otherwise). A leap second is written as second 60, as chrono does.
fn write_rfc3339<'b>(t: &Timestamp, buf: &'b mut [u8; RFC3339_MAX]) -> Option<&'b str> {
    use chrono::{Datelike, Timelike};
    let dt = t.naive_utc();
    let year = dt.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    let (mut sec, mut nano) = (dt.second(), dt.nanosecond());
    if nano >= 1_000_000_000 {
        sec += 1;
        nano -= 1_000_000_000;
    }
    let mut w = Digits {
        buf: &mut *buf,
        n: 0,
    };
    w.num(year as u32, 4)
        .byte(b'-')
        .num(dt.month(), 2)
        .byte(b'-')
        .num(dt.day(), 2);
    w.byte(b'T')
        .num(dt.hour(), 2)
        .byte(b':')
        .num(dt.minute(), 2)
        .byte(b':')
        .num(sec, 2);
    if nano != 0 {
        let (value, width) = if nano.is_multiple_of(1_000_000) {
            (nano / 1_000_000, 3)
        } else if nano.is_multiple_of(1_000) {
            (nano / 1_000, 6)
        } else {
            (nano, 9)
        };
        w.byte(b'.').num(value, width);
    }
    for &c in b"+00:00" {
        w.byte(c);
    }
    let n = w.n;
    std::str::from_utf8(&buf[..n]).ok()
}

/// Writes ASCII into the timestamp's buffer.
struct Digits<'b> {
    buf: &'b mut [u8; RFC3339_MAX],
    n: usize,
}

impl Digits<'_> {
    fn byte(&mut self, c: u8) -> &mut Self {
        self.buf[self.n] = c;
        self.n += 1;
        self
    }

    /// `value` in `width` digits, zero-padded.
    fn num(&mut self, mut value: u32, width: usize) -> &mut Self {
        for i in (0..width).rev() {
            self.buf[self.n + i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.n += width;
        self
    }
}

/// An optional timestamp; `None` as `null` (fields that leave it out skip it before).
pub struct OptRfc3339<'a>(pub &'a Option<Timestamp>);

impl Serialize for OptRfc3339<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(t) => Rfc3339(t).serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// An enum as its text (strum's, which is also its API text).
pub fn text<T: Copy + Into<&'static str>>(value: T) -> &'static str {
    value.into()
}

/// Asserts that `SerdeJson` answers with exactly the body and content type poem-openapi's
/// `Json` gives for the value `make` builds (called twice: the values need not be `Clone`).
#[cfg(test)]
pub(crate) fn assert_same_json<T>(make: impl Fn() -> T)
where
    T: Type + Serialize + poem_openapi::types::ToJSON + Send,
{
    fn parts(r: Response) -> (Option<String>, Vec<u8>) {
        let ct = r
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let body = rt.block_on(r.into_body().into_vec()).unwrap();
        (ct, body)
    }
    let (old_ct, old) = parts(poem_openapi::payload::Json(make()).into_response());
    let (new_ct, new) = parts(SerdeJson(make()).into_response());
    assert_eq!(new_ct, old_ct, "content type");
    assert_eq!(
        String::from_utf8_lossy(&new),
        String::from_utf8_lossy(&old),
        "serde's bytes differ from poem-openapi's ToJSON"
    );
    assert_eq!(new, old);
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;

    /// Every precision `to_rfc3339` distinguishes (whole seconds, milli-, micro-, nanoseconds),
    /// years before 1000 and after 9999, and a leap second.
    #[test]
    fn timestamps_are_written_as_to_rfc3339() {
        let mut times: Vec<Timestamp> = vec![
            Utc.with_ymd_and_hms(2026, 12, 2, 4, 18, 55).unwrap(),
            DateTime::from_timestamp_micros(1_764_649_135_123_000).unwrap(),
            DateTime::from_timestamp_micros(1_764_649_135_123_456).unwrap(),
            DateTime::from_timestamp_micros(1_764_649_135_000_001).unwrap(),
            DateTime::from_timestamp(1_764_649_135, 123_456_789).unwrap(),
            DateTime::from_timestamp(1_764_649_139, 1_000_000_500).unwrap(),
            DateTime::from_timestamp_micros(-210_866_803_200_000_000).unwrap(),
            DateTime::from_timestamp_micros(253_402_300_799_999_999).unwrap(),
            Utc.with_ymd_and_hms(999, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            DateTime::from_timestamp(1_764_649_139, 1_999_999_999).unwrap(),
            DateTime::from_timestamp(1_764_649_139, 1_500_000_000).unwrap(),
        ];
        times
            .extend((0..1000).map(|i| DateTime::from_timestamp_micros(i * 7_919_333_777).unwrap()));
        for t in &times {
            let ours = serde_json::to_string(&Rfc3339(t)).unwrap();
            assert_eq!(ours, format!("\"{}\"", t.to_rfc3339()), "{t:?}");
            let opt = serde_json::to_string(&OptRfc3339(&Some(*t))).unwrap();
            assert_eq!(opt, ours);
        }
        assert_eq!(serde_json::to_string(&OptRfc3339(&None)).unwrap(), "null");
    }
}
