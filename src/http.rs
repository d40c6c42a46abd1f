//! The outermost HTTP layer: request id, request span and access log, body size limit, panic
//! guard, `Allow` on 405, and the rule that every error leaves as problem+json.

use std::{
    collections::BTreeMap,
    panic::AssertUnwindSafe,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Instant,
};

use futures_util::FutureExt;
use http_body::Body as _;
use http_body_util::{BodyExt, LengthLimitError, Limited, combinators::BoxBody};
use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    error::ResponseError,
    http::{HeaderValue, Method, StatusCode, header},
};
use poem_openapi::{OpenApi, registry::MetaApi};
use tracing::Instrument;

use crate::{
    error::{ApiError, ProblemCode},
    telemetry,
    usage::{Meter, Record, UsageLog},
};

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
    wrap_metered(ep, max_body, None)
}

/// [`wrap`], and for every request: the metrics, the rate-limit headers and (for a tenant's
/// authenticated request) a usage log row ([`crate::usage`]).
pub fn wrap_metered<E: Endpoint + 'static>(
    ep: E,
    max_body: usize,
    usage: Option<UsageLog>,
) -> impl Endpoint<Output = Response> {
    let ep = Arc::new(ep);
    poem::endpoint::make(move |req: Request| {
        let ep = ep.clone();
        let usage = usage.clone();
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
            let path = req.uri().path().to_string();
            let method = req.method().clone();
            let meter = Arc::new(Meter::default());
            let fut = async move {
                let mut req = req;
                req.extensions_mut().insert(meter.clone());
                let request_bytes = Arc::new(AtomicU64::new(0));
                let checked = crate::api::text::check_request(&req)
                    .and_then(|()| limit_body(&mut req, max_body, request_bytes.clone()));
                let resp = match checked {
                    Ok(exceeded) => match AssertUnwindSafe(ep.call(req)).catch_unwind().await {
                        // However the reader reported the failed body, the answer is 413.
                        _ if exceeded.load(Ordering::Relaxed) => too_large(max_body).as_response(),
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
                if resp.status() == StatusCode::METHOD_NOT_ALLOWED
                    && let Some(allow) = api_methods().allowed(&path)
                {
                    resp.headers_mut().insert(header::ALLOW, allow);
                }
                let latency = started.elapsed();
                tracing::info!(
                    status = resp.status().as_u16(),
                    latency_ms = latency.as_secs_f64() * 1000.0,
                    "request finished"
                );
                let request_id = telemetry::current_request_id().unwrap_or_default();
                if let Ok(v) = HeaderValue::from_str(&request_id) {
                    resp.headers_mut().insert(REQUEST_ID_HEADER, v);
                }
                let metered = meter.take();
                crate::usage::rate_limit_headers(&mut resp, &metered.limits);
                let route = api_methods().template(&path).unwrap_or("unmatched");
                let method_label = crate::metrics::method_label(&method);
                crate::metrics::record_request(
                    method_label,
                    route,
                    resp.status().as_u16(),
                    latency.as_secs_f64(),
                );
                if let (Some(log), Some(tenant_id)) = (&usage, metered.tenant_id) {
                    log.record(Record {
                        tenant_id,
                        at: chrono::Utc::now(),
                        request_id,
                        api_key_id: metered.api_key_id,
                        user_id: metered.user_id,
                        method: method_label.to_string(),
                        route,
                        status: resp.status().as_u16(),
                        latency_us: latency.as_micros().min(i32::MAX as u128) as i32,
                        request_bytes: request_bytes.load(Ordering::Relaxed) as i64,
                        response_bytes: response_bytes(&mut resp),
                    });
                }
                resp
            };
            Ok::<_, poem::Error>(telemetry::with_request(id, client_ip, fut.instrument(span)).await)
        }
    })
}

fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ProblemCode::PayloadTooLarge,
        format!("the request body is larger than {max} bytes"),
    )
}

/// The body limit, for every protocol and transfer encoding: a declared length over the limit
/// is refused before reading; any other body is counted as it streams and fails as soon as it
/// passes the limit, nothing past it read (the flag tells the caller that the answer is 413).
fn limit_body(
    req: &mut Request,
    max: usize,
    counted: Arc<AtomicU64>,
) -> Result<Arc<AtomicBool>, ApiError> {
    if let Some(len) = req.headers().get(header::CONTENT_LENGTH) {
        let len: u64 = len
            .to_str()
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ProblemCode::BadRequest,
                    "invalid Content-Length",
                )
                .with_field("Content-Length")
            })?;
        if len > max as u64 {
            return Err(too_large(max));
        }
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let flag = exceeded.clone();
    let body: BoxBody<_, _> = req.take_body().into();
    let limited = Limited::new(body, max)
        .map_frame(move |f| {
            if let Some(data) = f.data_ref() {
                counted.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
            f
        })
        .map_err(move |e| {
            if e.is::<LengthLimitError>() {
                flag.store(true, Ordering::Relaxed);
            }
            std::io::Error::other(e)
        });
    req.set_body(Body::from(BoxBody::new(limited)));
    Ok(exceeded)
}

/// The response body's size when known before it is sent (every JSON answer); a streamed body
/// counts what its size hint promises at least.
fn response_bytes(resp: &mut Response) -> i64 {
    let body: BoxBody<_, _> = resp.take_body().into();
    let hint = body.size_hint();
    let n = hint.exact().unwrap_or(hint.lower());
    resp.set_body(Body::from(body));
    n.min(i64::MAX as u64) as i64
}

/// The methods each route of the API answers, for the `Allow` header that RFC 9110 requires on
/// a 405. poem's router knows them but does not say; the API's metadata does.
/// Also the route templates, the usage log's and the metrics' label for a path.
pub struct RouteMethods(Vec<(Vec<Option<String>>, HeaderValue, String)>);

impl RouteMethods {
    pub fn from_meta(apis: Vec<MetaApi>) -> Self {
        let mut by_path: BTreeMap<String, Vec<Method>> = BTreeMap::new();
        for path in apis.into_iter().flat_map(|a| a.paths) {
            let methods = by_path.entry(path.path).or_default();
            methods.extend(path.operations.into_iter().map(|o| o.method));
        }
        let routes = by_path
            .into_iter()
            .map(|(path, mut methods)| {
                // poem answers HEAD wherever there is a GET.
                if methods.contains(&Method::GET) {
                    methods.push(Method::HEAD);
                }
                let mut names: Vec<&str> = methods.iter().map(Method::as_str).collect();
                names.sort_unstable();
                names.dedup();
                let template = path
                    .split('/')
                    .map(|seg| (!seg.starts_with('{')).then(|| seg.to_string()))
                    .collect();
                let allow = HeaderValue::from_str(&names.join(", ")).expect("method names");
                (template, allow, path)
            })
            .collect();
        Self(routes)
    }

    /// The `Allow` value for `path`: of the templates it matches, the one the router prefers
    /// (a literal segment before a parameter, from the left).
    pub fn allowed(&self, path: &str) -> Option<HeaderValue> {
        self.matching(path).map(|(_, allow, _)| allow.clone())
    }

    /// The route template `path` answers to (`/v1/tickets/{id}`), the way [`Self::allowed`]
    /// picks it.
    pub fn template(&self, path: &str) -> Option<&str> {
        self.matching(path).map(|(_, _, t)| t.as_str())
    }

    fn matching(&self, path: &str) -> Option<&(Vec<Option<String>>, HeaderValue, String)> {
        let segments = path.split('/').count();
        self.0
            .iter()
            .filter(|(t, ..)| {
                t.len() == segments
                    && t.iter().zip(path.split('/')).all(|(t, s)| match t {
                        Some(lit) => lit == s,
                        None => !s.is_empty(),
                    })
            })
            // Literal segments win from the left: compare the templates' literal flags in order.
            .max_by(|(a, ..), (b, ..)| {
                a.iter()
                    .map(Option::is_some)
                    .cmp(b.iter().map(Option::is_some))
            })
    }
}

pub fn api_methods() -> &'static RouteMethods {
    static METHODS: OnceLock<RouteMethods> = OnceLock::new();
    METHODS.get_or_init(|| RouteMethods::from_meta(crate::openapi::Apis::meta()))
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
