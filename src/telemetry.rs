//! Logging: text or JSON lines, and the request id carried by every line logged while a request
//! is handled (it is a field of the request's span).

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// What every log line and audit entry of a request carries.
#[derive(Clone, Debug)]
struct RequestInfo {
    id: String,
    client_ip: Option<String>,
}

tokio::task_local! {
    static REQUEST: RequestInfo;
}

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tokio_postgres=warn,poem=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    // A second init (tests start many apps in one process) keeps the first subscriber.
    let _ = if json {
        registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init()
    } else {
        // Colour codes only for a person at a terminal, never into a file or a log collector.
        let ansi = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        registry.with(fmt::layer().with_ansi(ansi)).try_init()
    };
}

/// Runs `fut` as the handling of the request `id` from `client_ip`.
pub async fn with_request<F: Future>(id: String, client_ip: Option<String>, fut: F) -> F::Output {
    REQUEST.scope(RequestInfo { id, client_ip }, fut).await
}

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST.try_with(|r| r.id.clone()).ok()
}

/// The client address of the request being handled on this task, if any.
pub fn current_client_ip() -> Option<String> {
    REQUEST.try_with(|r| r.client_ip.clone()).ok().flatten()
}
