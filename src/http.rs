//! The outermost HTTP layer: request id, request span and access log, body size limit, panic
//! guard, and the rule that every error leaves as problem+json.

use std::{panic::AssertUnwindSafe, sync::Arc, time::Instant};

use futures_util::FutureExt;
use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    error::ResponseError,
    http::{HeaderValue, StatusCode, header},
};
use tracing::Instrument;

use crate::{error::ApiError, telemetry};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Accepts a client's `X-Request-Id` when it is 1–128 printable ASCII characters; otherwise
/// makes one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

pub fn wrap<E: Endpoint + 'static>(ep: E, max_body: usize) -> impl Endpoint<Output = Response> {
    let ep = Arc::new(ep);
    poem::endpoint::make(move |req: Request| {
        let ep = ep.clone();
        async move {
            let id = request_id(&req);
            let client_ip = req
                .remote_addr()
                .as_socket_addr()
                .map(|a| a.ip().to_string());
            let span = tracing::info_span!(
                "request",
                request_id = %id,
                method = %req.method(),
                path = %req.uri().path(),
            );
            let started = Instant::now();
            let fut = async move {
                let checked = crate::api::text::check_request(&req).map(|()| req);
                let resp = match async { limit_body(checked?, max_body).await }.await {
                    Ok(req) => match AssertUnwindSafe(ep.call(req)).catch_unwind().await {
                        Ok(Ok(out)) => out.into_response(),
                        Ok(Err(err)) => crate::error::from_poem_error(err).as_response(),
                        Err(panic) => {
                            let msg = panic
                                .downcast_ref::<&str>()
                                .map(|s| s.to_string())
                                .or_else(|| panic.downcast_ref::<String>().cloned())
                                .unwrap_or_default();
                            ApiError::internal(anyhow::anyhow!("handler panicked: {msg}"))
                                .as_response()
                        }
                    },
                    Err(err) => err.as_response(),
                };
                let mut resp = problem_for_bare_error(resp);
                tracing::info!(
                    status = resp.status().as_u16(),
                    latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "request finished"
                );
                if let Ok(v) =
                    HeaderValue::from_str(&telemetry::current_request_id().unwrap_or_default())
                {
                    resp.headers_mut().insert(REQUEST_ID_HEADER, v);
                }
                resp
            };
            Ok::<_, poem::Error>(telemetry::with_request(id, client_ip, fut.instrument(span)).await)
        }
    })
}

/// A declared length over the limit is refused before reading; a body without a length is read
/// up to the limit and refused past it.
async fn limit_body(mut req: Request, max: usize) -> Result<Request, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {max} bytes"),
        )
    };
    if let Some(len) = req.headers().get(header::CONTENT_LENGTH) {
        let len: u64 = len
            .to_str()
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    "invalid Content-Length",
                )
                .with_field("Content-Length")
            })?;
        if len > max as u64 {
            return Err(too_large());
        }
        return Ok(req);
    }
    if req.headers().contains_key(header::TRANSFER_ENCODING) {
        let body = req.take_body();
        let bytes = body.into_bytes_limit(max).await.map_err(|_| too_large())?;
        req.set_body(Body::from_bytes(bytes));
    }
    Ok(req)
}

/// Responses that poem built itself for an error status, without a body (e.g. a 405 from the
/// router), get a problem body.
fn problem_for_bare_error(resp: Response) -> Response {
    let status = resp.status();
    // A handler's own error response (e.g. readiness's 503 JSON) has a content type; a bare
    // one does not.
    let bare = !resp.headers().contains_key(header::CONTENT_TYPE);
    if (status.is_client_error() || status.is_server_error()) && bare {
        let err = poem::Error::from_status(status);
        return crate::error::from_poem_error(err).as_response();
    }
    resp
}
