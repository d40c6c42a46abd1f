//! `JsonBody<T>`: every JSON request body goes through this one extractor, which decides, for
//! every endpoint alike:
//!
//! 1. syntax: a body that is not JSON is a 400 `malformed_json`;
//! 2. shape, against `T`'s own schema — the one in the spec, generated from the type and its
//!    `#[oai(validator(…))]` declarations — walked once, with the path of the first offence in
//!    `field`: an object where the schema has one (a JSON array is not an object), no property the
//!    schema does not list, no `null` where the property is not `nullable`, required properties
//!    present, every string free of NUL bytes (free-form objects such as `metadata` included),
//!    declared lengths, patterns, enum values, formats (uuid, date-time), numeric ranges and item
//!    counts. Count limits are checked before the items are looked at, so the work stays
//!    proportional to what the limits allow;
//! 3. then poem-openapi's `ParseFromJSON` builds `T` (which also runs the same declared
//!    validators, and trims [`Text`](super::text::Text) fields).
//!
//! Errors are 422 `validation_failed` naming the field (`documents[2].title`), never an internal
//! type name.

use std::{
    any::TypeId,
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use poem::{FromRequest, Request, RequestBody, http::StatusCode};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    error::ContentTypeError,
    payload::{ParsePayload, Payload},
    registry::{MetaMediaType, MetaRequest, MetaSchema, MetaSchemaRef, Registry},
    types::{ParseFromJSON, Type},
};
use regex::Regex;
use serde_json::Value;

use super::text;
use crate::error::{ApiError, ApiResult, ProblemCode};

#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<T> std::ops::Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(m) if m.type_() == "application"
            && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json")))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + ParseFromJSON + 'static> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        Ok(Self::parse(&data)?)
    }
}

impl<T: Type + ParseFromJSON + 'static> JsonBody<T> {
    pub fn parse(data: &[u8]) -> ApiResult<Self> {
        let blank = data.iter().all(u8::is_ascii_whitespace);
        if blank && !T::IS_REQUIRED {
            // An optional body left out. A JSON `null` sent as the body is not that: it is a
            // value the schema (an object) refuses, as everywhere else.
            return T::parse_from_json(None)
                .map(Self)
                .map_err(|e| parse_error(e.message()));
        }
        let data: &[u8] = if blank { b"null" } else { data };
        let value: Value = serde_json::from_slice(data).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ProblemCode::MalformedJson,
                format!("the body is not valid JSON: {e}"),
            )
        })?;
        Self::from_value(value)
    }

    /// The rules of step 2 and 3 for a value that came another way (a multipart form's fields).
    pub fn from_value(value: Value) -> ApiResult<Self> {
        let registry = registry::<T>();
        Walker {
            registry: &registry,
        }
        .value(&T::schema_ref(), &value, "body", false)?;
        T::parse_from_json(Some(value))
            .map(Self)
            .map_err(|e| parse_error(e.message()))
    }
}

/// What `ParseFromJSON` says after the walk accepted the value (a declared validator on a
/// trimmed text, say: `field `name` verification failed. minLength(1)`).
fn parse_error(message: &str) -> ApiError {
    let field = message
        .split_once("field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map_or("body", |(f, _)| f);
    let why = message
        .split_once("verification failed. ")
        .map_or("is not valid", |(_, v)| {
            v.split(" (occurred").next().unwrap_or(v)
        });
    ApiError::invalid(field, format!("{field}: {why}"))
}

/// The schemas `T` refers to, registered once per type.
fn registry<T: Type + 'static>() -> Arc<Registry> {
    static CACHE: LazyLock<Mutex<HashMap<TypeId, Arc<Registry>>>> = LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(TypeId::of::<T>())
        .or_insert_with(|| {
            let mut r = Registry::new();
            T::register(&mut r);
            Arc::new(r)
        })
        .clone()
}

/// Declared patterns, compiled once.
fn pattern(p: &str) -> Option<Regex> {
    static CACHE: LazyLock<Mutex<HashMap<String, Option<Regex>>>> = LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(p.to_string())
        .or_insert_with(|| Regex::new(p).ok())
        .clone()
}

fn child(path: &str, name: &str) -> String {
    if path == "body" {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

struct Walker<'a> {
    registry: &'a Registry,
}

impl Walker<'_> {
    /// The schema behind a reference, and the inline constraints around it (a field's
    /// validators merged into a referenced type make an `allOf`).
    fn resolve<'s>(&'s self, schema: &'s MetaSchemaRef, out: &mut Vec<&'s MetaSchema>) {
        match schema {
            MetaSchemaRef::Reference(name) => {
                if let Some(s) = self.registry.schemas.get(name) {
                    out.push(s);
                }
            }
            MetaSchemaRef::Inline(s) => {
                out.push(s);
                for part in &s.all_of {
                    self.resolve(part, out);
                }
            }
        }
    }

    /// `nullable`: whether this property may be `null` (only where the spec says so).
    fn value(
        &self,
        schema: &MetaSchemaRef,
        v: &Value,
        path: &str,
        nullable: bool,
    ) -> ApiResult<()> {
        let mut parts = Vec::new();
        self.resolve(schema, &mut parts);
        if v.is_null() {
            if nullable || parts.iter().any(|s| s.nullable) {
                return Ok(());
            }
            return Err(ApiError::invalid(path, format!("{path} must not be null")));
        }
        let ty = parts
            .iter()
            .map(|s| s.ty)
            // `str::is_empty`: poem-openapi's `Type` (in scope) has an `is_empty` for `&str` too.
            .find(|t| !str::is_empty(t))
            // Validators declared on a list's items leave an item schema with no type.
            .unwrap_or(
                if parts.iter().any(|s| {
                    s.max_length.is_some() || s.min_length.is_some() || s.pattern.is_some()
                }) {
                    "string"
                } else {
                    ""
                },
            );
        match ty {
            "object" => self.object(&parts, v, path),
            "array" => self.array(&parts, v, path),
            "string" => string(&parts, v, path),
            "integer" | "number" => number(&parts, v, path, ty == "integer"),
            "boolean" if v.is_boolean() => Ok(()),
            "boolean" => Err(ApiError::invalid(
                path,
                format!("{path} must be true or false"),
            )),
            // Any JSON (`metadata`): only the text rule applies.
            _ => any(v, path),
        }
    }

    fn object(&self, parts: &[&MetaSchema], v: &Value, path: &str) -> ApiResult<()> {
        let Value::Object(obj) = v else {
            return Err(ApiError::invalid(
                path,
                format!("{path} must be a JSON object"),
            ));
        };
        let props: Vec<&(&str, MetaSchemaRef)> =
            parts.iter().flat_map(|s| s.properties.iter()).collect();
        let additional = parts
            .iter()
            .find_map(|s| s.additional_properties.as_deref());
        for (name, value) in obj {
            let at = child(path, name);
            text::check(&at, name)?;
            match props.iter().find(|(n, _)| n == name) {
                Some((_, s)) => self.value(s, value, &at, false)?,
                None => match additional {
                    Some(s) => self.value(s, value, &at, false)?,
                    None => {
                        return Err(ApiError::invalid(&at, format!("unknown field `{name}`")));
                    }
                },
            }
        }
        for name in parts.iter().flat_map(|s| s.required.iter()) {
            if !obj.contains_key(*name) {
                let at = child(path, name);
                return Err(ApiError::invalid(&at, format!("{at} is required")));
            }
        }
        Ok(())
    }

    fn array(&self, parts: &[&MetaSchema], v: &Value, path: &str) -> ApiResult<()> {
        let Value::Array(items) = v else {
            return Err(ApiError::invalid(path, format!("{path} must be an array")));
        };
        // Counts before items: a list over its limit costs nothing more.
        for s in parts {
            if let Some(max) = s.max_items
                && items.len() > max
            {
                return Err(ApiError::invalid(
                    path,
                    format!("{path} must hold at most {max} items"),
                ));
            }
            if let Some(min) = s.min_items
                && items.len() < min
            {
                return Err(ApiError::invalid(
                    path,
                    format!("{path} must hold at least {min} items"),
                ));
            }
        }
        let item = parts.iter().find_map(|s| s.items.as_deref());
        for (i, value) in items.iter().enumerate() {
            let at = format!("{path}[{i}]");
            match item {
                Some(s) => self.value(s, value, &at, false)?,
                None => any(value, &at)?,
            }
        }
        Ok(())
    }
}

fn any(v: &Value, path: &str) -> ApiResult<()> {
    match v {
        Value::String(s) => text::check(path, s),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| any(x, &format!("{path}[{i}]"))),
        Value::Object(obj) => obj.iter().try_for_each(|(k, x)| {
            let at = child(path, k);
            text::check(&at, k)?;
            any(x, &at)
        }),
        _ => Ok(()),
    }
}

fn string(parts: &[&MetaSchema], v: &Value, path: &str) -> ApiResult<()> {
    let Value::String(s) = v else {
        return Err(ApiError::invalid(path, format!("{path} must be a string")));
    };
    text::check(path, s)?;
    let raw = s.as_str();
    // A `Text` will hold the trimmed value: its declared minimum length and patterns apply to
    // that; the maximum to the value as sent, as the spec's `maxLength` says.
    let s = if parts
        .iter()
        .any(|p| p.rust_typename == Some(text::TEXT_TYPENAME))
    {
        s.trim()
    } else {
        s.as_str()
    };
    let invalid = |why: String| Err(ApiError::invalid(path, format!("{path} {why}")));
    let enum_items: Vec<&str> = parts
        .iter()
        .flat_map(|p| p.enum_items.iter().filter_map(Value::as_str))
        .collect();
    if !enum_items.is_empty() && !enum_items.contains(&s) {
        return Err(ApiError::invalid(
            path,
            format!("{path} must be one of {}", enum_items.join(", ")),
        )
        .with_allowed(enum_items.iter().map(|v| v.to_string()).collect()));
    }
    for p in parts {
        // Lengths count characters, as JSON Schema does; a max is checked without counting past it.
        if let Some(max) = p.max_length
            && raw.chars().nth(max).is_some()
        {
            return invalid(format!("must be at most {max} characters"));
        }
        if let Some(min) = p.min_length {
            if s.chars().take(min).count() < min {
                return invalid(format!("must be at least {min} characters"));
            }
            if min > 0 && s.trim().is_empty() {
                return invalid("must not be blank".into());
            }
        }
        if let Some(pat) = &p.pattern
            && pattern(pat).is_some_and(|re| !re.is_match(s))
        {
            return invalid(format!("must match the pattern {pat}"));
        }
        match p.format {
            Some("uuid") if uuid::Uuid::parse_str(s).is_err() => {
                return invalid("must be a UUID".into());
            }
            Some("date-time") if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                return invalid("must be an RFC 3339 date-time".into());
            }
            _ => {}
        }
    }
    Ok(())
}

fn number(parts: &[&MetaSchema], v: &Value, path: &str, integer: bool) -> ApiResult<()> {
    let Some(n) = v.as_f64() else {
        return Err(ApiError::invalid(path, format!("{path} must be a number")));
    };
    if integer && !(v.is_i64() || v.is_u64()) {
        return Err(ApiError::invalid(
            path,
            format!("{path} must be an integer"),
        ));
    }
    for p in parts {
        if let Some(min) = p.minimum
            && n < min
        {
            return Err(ApiError::invalid(
                path,
                format!("{path} must be at least {min}"),
            ));
        }
        if let Some(max) = p.maximum
            && n > max
        {
            return Err(ApiError::invalid(
                path,
                format!("{path} must be at most {max}"),
            ));
        }
    }
    Ok(())
}

/// What poem-openapi's `impl_apirequest_for_payload!` generates, except that an optional body
/// may be left out without a `Content-Type` (a bare `POST /v1/auth/logout`): the macro answers
/// 415 to that even though the spec says the body is not required.
impl<'a, T: Type + ParseFromJSON + Send + 'static> ApiExtractor<'a> for JsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: <Self as ParsePayload>::IS_REQUIRED,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(ct) if Self::check_content_type(ct) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(ct) => Err(ContentTypeError::NotSupported {
                content_type: ct.to_string(),
            }
            .into()),
            None if !<Self as ParsePayload>::IS_REQUIRED => {
                let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
                if !data.iter().all(u8::is_ascii_whitespace) {
                    return Err(ContentTypeError::ExpectContentType.into());
                }
                Ok(Self::parse(&data)?)
            }
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::users::UserIn;

    fn field_of<T: Type + ParseFromJSON + 'static>(v: Value) -> Option<String> {
        JsonBody::<T>::from_value(v).err().and_then(|e| e.field)
    }

    #[test]
    fn the_walk_names_the_offending_path() {
        let ok = json!({"email": "a@b.test", "role": "user", "password": "a long enough password"});
        JsonBody::<UserIn>::from_value(ok).unwrap();
        for (body, field) in [
            (
                json!({"email": "a@b.test", "role": "boss", "password": "a long enough password"}),
                "role",
            ),
            (json!({"email": "a@b.test", "role": "user"}), "password"),
            (
                json!({"email": "a@b.test", "role": "user", "password": "a long enough password", "x": 1}),
                "x",
            ),
            (json!([1]), "body"),
        ] {
            assert_eq!(
                field_of::<UserIn>(body.clone()).as_deref(),
                Some(field),
                "{body}"
            );
        }
    }
}
