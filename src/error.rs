//! One error type for the whole API, rendered as RFC 9457 `application/problem+json` with a
//! stable machine-readable `code`. 5xx are logged with the request id and returned without
//! internals.

use poem::{
    Response,
    error::ResponseError,
    http::{HeaderValue, StatusCode, header},
};
use poem_openapi::{
    ApiResponse, Enum, Object,
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
};
use serde::Serialize;

use crate::telemetry;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// `Retry-After` (seconds) on a 503: the database is unreachable or every pooled connection
/// stayed busy for `DB_POOL_TIMEOUT_MS`.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

/// An RFC 9457 problem document. Every error this API returns has this shape.
#[derive(Debug, Clone, Serialize, Object)]
pub struct Problem {
    /// A URI naming the problem type (`urn:tenantdesk:problem:<code>`).
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// Short human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence.
    pub detail: String,
    /// Stable machine-readable error code; new codes may be added in later versions.
    pub code: ProblemCode,
    /// The request field (body property, query or path parameter, header) that was wrong.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request id (also in the `X-Request-Id` response header).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Values the request may use instead, where the error has such a list.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The plan quota a write would exceed (`quota_exceeded`): `max_documents`, `max_chunks`,
    /// `max_storage_bytes` or `max_api_keys`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
}

/// The stable machine-readable `code` of a problem: the one list of every code the service can
/// answer with (an `ApiError` carries one of these, nothing else).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum, strum::IntoStaticStr, strum::VariantArray,
)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ProblemCode {
    /// The request is not valid HTTP, or a header or part of it is malformed.
    BadRequest,
    /// The body is not valid JSON, or not a JSON object.
    MalformedJson,
    /// The multipart body cannot be parsed.
    MalformedMultipart,
    /// A field, parameter or header has a wrong value; `field` names it.
    ValidationFailed,
    /// Missing, malformed, expired or revoked credentials.
    Unauthorized,
    /// Wrong tenant, email or password.
    InvalidCredentials,
    /// A refresh token was presented twice; its whole session is revoked.
    RefreshTokenReused,
    /// The caller's role is below the operation's.
    Forbidden,
    /// The operation needs a user's access token (not an API key or a superadmin's token).
    UserOnly,
    /// The operation is for platform superadmins.
    SuperadminOnly,
    /// A superadmin must name the tenant in `X-Tenant-Id`.
    TenantRequired,
    /// The API key is read-only.
    ReadOnlyKey,
    /// The tenant is deactivated.
    TenantInactive,
    /// The user is deactivated.
    UserInactive,
    /// No such resource in the caller's tenant (or no such route).
    NotFound,
    /// The route does not take this method (`Allow` lists the ones it takes).
    MethodNotAllowed,
    /// The resource conflicts with an existing one.
    Conflict,
    /// A concurrent update won; retry the request.
    Retry,
    /// The tenant slug is taken.
    SlugTaken,
    /// The email address is taken.
    EmailTaken,
    /// The name is taken.
    NameTaken,
    /// The external record is already linked to a ticket.
    ExternalRefExists,
    /// An admin may not deactivate or demote themself.
    CannotChangeSelf,
    /// The collection still holds documents.
    CollectionNotEmpty,
    /// The ticket cannot move to that status; `allowed` lists where it can.
    InvalidTransition,
    /// The `Idempotency-Key` was already used for a different request.
    IdempotencyKeyReused,
    /// `If-Match` does not match the current `ETag`.
    PreconditionFailed,
    /// The body or the content is larger than the limit.
    PayloadTooLarge,
    /// The request target is too long.
    UriTooLong,
    /// The body's media type is not one the operation takes.
    UnsupportedMediaType,
    /// Too many attempts; see `Retry-After`.
    TooManyRequests,
    /// A rate limit of the caller or its tenant is used up; see `Retry-After` and `RateLimit`.
    RateLimited,
    /// The write would take the tenant past a quota of its plan; `quota` names it.
    QuotaExceeded,
    /// The request head has too many or too large header fields.
    HeadersTooLarge,
    /// Internal error; details are logged under the request id.
    Internal,
    /// The database is unreachable or busy; see `Retry-After`.
    Unavailable,
    /// The assistant's answer provider (a model server) did not answer; try again later.
    ProviderUnavailable,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{status} {code}: {detail}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ProblemCode,
    pub detail: String,
    pub field: Option<String>,
    pub allowed: Option<Box<[String]>>,
    /// Seconds (`Retry-After`); u32 keeps the error small enough to return by value.
    pub retry_after: Option<u32>,
    pub quota: Option<&'static str>,
    #[source]
    pub source: Option<anyhow::Error>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            field: None,
            allowed: None,
            retry_after: None,
            quota: None,
            source: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_allowed(mut self, allowed: Vec<String>) -> Self {
        self.allowed = Some(allowed.into());
        self
    }

    /// 404 for anything the caller may not see: another tenant's id looks exactly like a
    /// missing one.
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ProblemCode::NotFound,
            format!("{what} not found"),
        )
    }

    /// 422 naming the field that is wrong.
    pub fn invalid(field: &str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::ValidationFailed,
            detail,
        )
        .with_field(field)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ProblemCode::Unauthorized, detail)
    }

    pub fn forbidden(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    pub fn conflict(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn too_many(retry_after: u64, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemCode::TooManyRequests,
            detail,
        );
        e.retry_after = Some(retry_after.clamp(1, u64::from(u32::MAX)) as u32);
        e
    }

    /// 429 `rate_limited`: a rate limit of the caller or its tenant is used up.
    pub fn rate_limited(retry_after: u64, detail: impl Into<String>) -> Self {
        let mut e = Self::too_many(retry_after, detail);
        e.code = ProblemCode::RateLimited;
        e
    }

    /// 403 `quota_exceeded`: the write would take the tenant past a quota of its plan. 403, not
    /// 429: waiting does not help, only deleting or a larger plan does.
    pub fn quota_exceeded(quota: &'static str, detail: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::FORBIDDEN, ProblemCode::QuotaExceeded, detail);
        e.quota = Some(quota);
        e
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemCode::Internal,
            "internal server error",
        );
        e.source = Some(err.into());
        e
    }

    pub fn unavailable(err: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::Unavailable,
            "the service is temporarily unavailable",
        );
        e.source = Some(err.into());
        e.retry_after = Some(UNAVAILABLE_RETRY_AFTER_SECS as u32);
        e
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:tenantdesk:problem:{}", self.code),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            field: self.field.clone(),
            request_id: telemetry::current_request_id(),
            allowed: self.allowed.as_deref().map(<[String]>::to_vec),
            quota: self.quota.map(str::to_string),
        }
    }
}

impl ApiError {
    /// One log line with everything needed to find the cause: the request id, the code, and
    /// for an underlying error its whole source chain and, for a database error, its SQLSTATE,
    /// constraint, table, column, detail and hint. None of it reaches the response.
    fn log(&self) {
        let request_id = telemetry::current_request_id().unwrap_or_default();
        let Some(src) = &self.source else {
            tracing::error!(%request_id, code = self.code.as_str(), detail = %self.detail, "request failed");
            return;
        };
        let chain = format!("{src:#}");
        let db = src
            .chain()
            .find_map(|e| e.downcast_ref::<tokio_postgres::Error>())
            .and_then(tokio_postgres::Error::as_db_error);
        match db {
            Some(db) => tracing::error!(
                %request_id,
                code = self.code.as_str(),
                error = %chain,
                sqlstate = db.code().code(),
                constraint = db.constraint().unwrap_or_default(),
                table = db.table().unwrap_or_default(),
                column = db.column().unwrap_or_default(),
                db_detail = db.detail().unwrap_or_default(),
                db_hint = db.hint().unwrap_or_default(),
                "request failed"
            ),
            None => {
                tracing::error!(%request_id, code = self.code.as_str(), error = %chain, "request failed")
            }
        }
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(err: tokio_postgres::Error) -> Self {
        crate::db::map_db_error(err)
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        ApiError::unavailable(err)
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn as_response(&self) -> Response {
        if self.status.is_server_error() {
            self.log();
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut resp = Response::builder()
            .status(self.status)
            .content_type(PROBLEM_JSON)
            .body(body);
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

/// Every operation lists the error statuses it may answer, each a `Problem`.
impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        const ERRORS: &[(u16, &str)] = &[
            (400, "Malformed request (bad JSON, missing header)."),
            (401, "Missing, malformed, expired or revoked credentials."),
            (
                403,
                "Authenticated but not allowed (role, inactive tenant or user), or a plan quota \
                 would be exceeded (`quota_exceeded`, naming the `quota`).",
            ),
            (404, "No such resource in the caller's tenant."),
            (
                409,
                "Conflict with the current state (duplicate, forbidden transition).",
            ),
            (412, "`If-Match` does not match the current `ETag`."),
            (413, "Request body larger than the configured limit."),
            (422, "Validation failed; `field` names the offending input."),
            (
                429,
                "Too many requests: failed logins, or a rate limit of the caller or its tenant \
                 (`rate_limited`); see `Retry-After` and `RateLimit`.",
            ),
            (
                500,
                "Internal error; details are logged under the request id.",
            ),
            (
                503,
                "Temporarily unavailable (the database is unreachable or busy, or the embedding model \
                 or answer provider is down); see `Retry-After`.",
            ),
        ];
        MetaResponses {
            responses: ERRORS
                .iter()
                .map(|(status, description)| MetaResponse {
                    description,
                    status: Some(*status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: PROBLEM_JSON,
                        schema: Problem::schema_ref(),
                    }],
                    headers: if matches!(status, 429 | 503) {
                        vec![MetaHeader {
                            name: "Retry-After".into(),
                            description: Some("Seconds to wait before trying again.".into()),
                            required: true,
                            deprecated: false,
                            schema: u64::schema_ref(),
                        }]
                    } else {
                        vec![]
                    },
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}

/// Turns any error poem or poem-openapi raises outside our handlers (unknown route, wrong
/// method, unparsable body or parameter, wrong content type, oversized body) into a problem.
pub fn from_poem_error(err: poem::Error) -> ApiError {
    use poem_openapi::error::{
        ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    };
    // Our own error, with its source (the cause a 500 logs) intact.
    let err = match err.downcast::<ApiError>() {
        Ok(e) => return e,
        Err(err) => err,
    };
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return ApiError::invalid(e.name, format!("parameter `{}`: {}", e.name, e.reason));
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        // A malformed id in the path cannot name anything the caller may see.
        let _ = e;
        return ApiError::not_found("resource");
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return payload_error(&e.reason);
    }
    if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            ProblemCode::MalformedMultipart,
            e.reason.clone(),
        );
    }
    if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        return ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemCode::UnsupportedMediaType,
            e.to_string(),
        );
    }
    if err.is::<poem_openapi::error::AuthorizationError>() {
        return ApiError::unauthorized("missing or malformed credentials");
    }
    let status = err.status();
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => (ProblemCode::NotFound, "no such route".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => (
            ProblemCode::MethodNotAllowed,
            "this route does not accept that method".to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            ProblemCode::PayloadTooLarge,
            "the request body is larger than the limit".to_string(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (ProblemCode::UnsupportedMediaType, err.to_string()),
        StatusCode::UNAUTHORIZED => (
            ProblemCode::Unauthorized,
            "missing or malformed credentials".to_string(),
        ),
        s if s.is_server_error() => {
            return ApiError::internal(anyhow::anyhow!("{err}"));
        }
        _ => (ProblemCode::BadRequest, err.to_string()),
    };
    ApiError::new(status, code, detail)
}

/// poem-openapi reports JSON syntax errors with serde's text and schema errors with
/// `failed to parse …(occurred while parsing "X" field "y")`. The first is a 400, the second a 422
/// naming the field.
fn payload_error(reason: &str) -> ApiError {
    if !reason.starts_with("failed to parse") {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            ProblemCode::MalformedJson,
            format!("the body is not valid JSON: {reason}"),
        );
    }
    let field = reason
        .rsplit_once("field \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(f, _)| f.to_string());
    let mut e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ProblemCode::ValidationFailed,
        reason,
    );
    e.field = field;
    e
}
