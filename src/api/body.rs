//! `JsonBody<T>`: a JSON request body whose errors name the field. poem-openapi's own `Json`
//! reports a missing or mistyped property without saying which; this parses with serde and
//! `serde_path_to_error`, so a 422 says `field: "role"` (or `items[2].name`). The schema in the
//! spec is still `T`'s.

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    error::ContentTypeError,
    payload::{ParsePayload, Payload},
    registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry},
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
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        Self::parse(&data)
    }
}

impl<T: Type + DeserializeOwned> JsonBody<T> {
    fn parse(data: &[u8]) -> poem::Result<Self> {
        let data: &[u8] = if data.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            data
        };
        // Syntax first, then shape. Parsing straight into `T` lets serde_json call some type
        // errors syntax errors (a number where an enum is expected: "expected value"), and it
        // never sees trailing garbage after the first value.
        let value: serde_json::Value = serde_json::from_slice(data).map_err(|e| {
            ApiError::new(
                poem::http::StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not valid JSON: {e}"),
            )
        })?;
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(v) => Ok(Self(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
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
                Err(ApiError::invalid(&field, format!("{field}: {inner}")).into())
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

/// What poem-openapi's `impl_apirequest_for_payload!` generates, except that an optional body
/// may be left out without a `Content-Type` (a bare `POST /v1/auth/logout`): the macro answers
/// 415 to that even though the spec says the body is not required.
impl<'a, T: Type + DeserializeOwned + Send> ApiExtractor<'a> for JsonBody<T> {
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
                Self::parse(&data)
            }
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}
