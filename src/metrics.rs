//! Prometheus metrics (`metrics` + `metrics-exporter-prometheus`), served at `/metrics` on their
//! own address (`METRICS_ADDR`), never on the API's, and behind a bearer token when
//! `METRICS_TOKEN` is set. Labels are route templates, methods, status codes and fixed names:
//! never a tenant, user or key id (unbounded, and not for the operator's dashboards).
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `http_requests_total` | counter | `method`, `route`, `status` |
//! | `http_request_duration_seconds` | histogram | `method`, `route` |
//! | `db_pool_connections`, `db_pool_idle`, `db_pool_waiting` | gauge | |
//! | `db_pool_wait_seconds` | histogram | |
//! | `db_transaction_duration_seconds` | histogram | `outcome` |
//! | `ingestion_queue_due`, `ingestion_queue_oldest_due_seconds` | gauge | |
//! | `embedder_request_duration_seconds` | histogram | |
//! | `embedder_errors_total` | counter | |
//! | `rate_limit_rejections_total` | counter | `scope` |
//! | `usage_log_dropped_total`, `usage_log_written_total` | counter | |

use std::{sync::OnceLock, time::Instant};

use futures_util::future::BoxFuture;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use poem::{Endpoint, EndpointExt, Request, Response, Route, endpoint::make, http::StatusCode};
use secrecy::{ExposeSecret, SecretString};

use crate::{
    db::{Db, unscoped},
    embeddings::{Embedder, PassageLimit, TextKind},
};

/// Latency buckets (seconds), for every histogram.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process-wide recorder (installed once; every app in a test process shares it).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .expect("non-empty buckets")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        describe();
        handle
    })
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "http_requests_total",
        "Requests answered, by route template, method and status."
    );
    describe_histogram!(
        "http_request_duration_seconds",
        Unit::Seconds,
        "Time to the response head."
    );
    describe_gauge!("db_pool_connections", "Open pooled database connections.");
    describe_gauge!("db_pool_idle", "Pooled connections not in use.");
    describe_gauge!(
        "db_pool_waiting",
        "Requests waiting for a pooled connection."
    );
    describe_histogram!(
        "db_pool_wait_seconds",
        Unit::Seconds,
        "Time waiting for a pooled connection."
    );
    describe_histogram!(
        "db_transaction_duration_seconds",
        Unit::Seconds,
        "BEGIN to COMMIT/ROLLBACK."
    );
    describe_gauge!(
        "ingestion_queue_due",
        "Ingestion jobs due (pending, or running past their lease)."
    );
    describe_gauge!(
        "ingestion_queue_oldest_due_seconds",
        "Age of the oldest due ingestion job."
    );
    describe_histogram!(
        "embedder_request_duration_seconds",
        Unit::Seconds,
        "One embedding batch."
    );
    describe_counter!("embedder_errors_total", "Embedding batches that failed.");
    describe_counter!(
        "rate_limit_rejections_total",
        "Requests refused with 429 rate_limited."
    );
    describe_counter!(
        "usage_log_dropped_total",
        "Usage rows dropped (queue full or write failed)."
    );
    describe_counter!("usage_log_written_total", "Usage rows written.");
}

/// The `/metrics` endpoint: the pool and queue gauges read at scrape time, then everything.
pub fn endpoint(db: Db, token: Option<SecretString>) -> impl Endpoint<Output = Response> {
    let handle = handle();
    Route::new()
        .at(
            "/metrics",
            make(move |req: Request| {
                let db = db.clone();
                let token = token.clone();
                async move {
                    if !authorized(&req, token.as_ref()) {
                        return Ok::<_, poem::Error>(
                            Response::builder()
                                .status(StatusCode::UNAUTHORIZED)
                                .header("www-authenticate", "Bearer")
                                .finish(),
                        );
                    }
                    scrape_gauges(&db).await;
                    handle.run_upkeep();
                    Ok(Response::builder()
                        .content_type("text/plain; version=0.0.4")
                        .body(handle.render()))
                }
            }),
        )
        .map_to_response()
}

fn authorized(req: &Request, token: Option<&SecretString>) -> bool {
    let Some(token) = token else { return true };
    let given = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    crate::auth::secrets::same_hash(
        &crate::auth::secrets::sha256(given),
        &crate::auth::secrets::sha256(token.expose_secret()),
    )
}

async fn scrape_gauges(db: &Db) {
    let s = db.pool_status();
    metrics::gauge!("db_pool_connections").set(s.size as f64);
    metrics::gauge!("db_pool_idle").set(s.available as f64);
    metrics::gauge!("db_pool_waiting").set(s.waiting as f64);
    let stats = unscoped::ingestion_queue_stats(db);
    match tokio::time::timeout(std::time::Duration::from_secs(2), stats).await {
        Ok(Ok((due, oldest))) => {
            metrics::gauge!("ingestion_queue_due").set(due as f64);
            metrics::gauge!("ingestion_queue_oldest_due_seconds").set(oldest);
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: ingestion queue not read"),
        Err(_) => tracing::warn!("metrics: ingestion queue not read within 2 s"),
    }
}

/// Records the time and failures of every embedding batch.
pub struct MeteredEmbedder(pub std::sync::Arc<dyn Embedder>);

impl Embedder for MeteredEmbedder {
    fn model(&self) -> &str {
        self.0.model()
    }

    fn dims(&self) -> usize {
        self.0.dims()
    }

    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        kind: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        Box::pin(async move {
            let started = Instant::now();
            let out = self.0.embed(texts, kind).await;
            metrics::histogram!("embedder_request_duration_seconds")
                .record(started.elapsed().as_secs_f64());
            if out.is_err() {
                metrics::counter!("embedder_errors_total").increment(1);
            }
            out
        })
    }

    fn passage_limit(&self) -> Option<std::sync::Arc<dyn PassageLimit>> {
        self.0.passage_limit()
    }
}

/// The label of a request method: the standard ones by name, anything else `other` (a client
/// must not be able to mint label values).
pub fn method_label(m: &poem::http::Method) -> &'static str {
    use poem::http::Method;
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts and times one answered request.
pub fn record_request(method: &'static str, route: &'static str, status: u16, secs: f64) {
    metrics::counter!("http_requests_total", "method" => method, "route" => route, "status" => status.to_string())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(secs);
}
