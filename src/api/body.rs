//! `JsonBody<T>`: a JSON request body whose errors name the field. poem-openapi's own `Json`
//! reports a missing or mistyped property without saying which; this parses with serde and
//! `serde_path_to_error`, so a 422 says `field: "role"` (or `items[2].name`). The schema in the
//! spec is still `T`'s.

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::{
    impl_apirequest_for_payload,
    payload::{ParsePayload, Payload},
    registry::{MetaSchemaRef, Registry},
    types::Type,
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

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

impl<T: Type + DeserializeOwned> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = Vec::<u8>::from_request(request, body).await?;
        let data: &[u8] = if data.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &data
        };
        let de = &mut serde_json::Deserializer::from_slice(data);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(Self(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let err = if inner.is_syntax() || inner.is_eof() {
                    ApiError::new(
                        poem::http::StatusCode::BAD_REQUEST,
                        "malformed_json",
                        format!("the body is not valid JSON: {inner}"),
                    )
                } else {
                    let msg = inner.to_string();
                    let field = if msg.starts_with("unknown field `") && path != "." {
                        // The path already ends in the unknown property.
                        path
                    } else {
                        missing_field(&msg)
                            .map(|f| {
                                if path == "." {
                                    f
                                } else {
                                    format!("{path}.{f}")
                                }
                            })
                            .unwrap_or_else(|| if path == "." { "body".into() } else { path })
                    };
                    ApiError::invalid(&field, format!("{field}: {inner}"))
                };
                Err(err.into())
            }
        }
    }
}

/// serde reports a missing (or, with `deny_unknown_fields`, an unknown) property at its parent's
/// path with the name in the message.
fn missing_field(msg: &str) -> Option<String> {
    let rest = msg
        .strip_prefix("missing field `")
        .or_else(|| msg.strip_prefix("unknown field `"))?;
    rest.split_once('`').map(|(f, _)| f.to_string())
}

impl_apirequest_for_payload!(JsonBody<T>, T: Type + DeserializeOwned + Send);
