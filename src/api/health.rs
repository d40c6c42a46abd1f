//! Liveness and readiness.

use std::{sync::atomic::Ordering, time::Duration};

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use crate::{
    api::Tag,
    app::AppState,
    db::unscoped::{self, Migrations},
};

pub struct HealthApi;

/// How long readiness waits for a pooled connection before it calls the pool busy: well under
/// an orchestrator's probe timeout (Kubernetes: 1 s).
const READY_POOL_WAIT: Duration = Duration::from_millis(250);

/// Health of the service.
#[derive(Debug, Object)]
pub struct HealthOut {
    /// `ok` when healthy; `busy` when ready but every pooled connection is in use; otherwise
    /// what is wrong (`database unreachable`, `migrations pending`, `migrations changed`, or
    /// `migrations unknown` when the pool has been busy since start), never an internal error
    /// text.
    pub status: String,
    /// Migrations compiled into this binary that the database has not applied.
    #[oai(skip_serializing_if_is_none)]
    pub pending_migrations: Option<u64>,
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// The database is reachable (or every pooled connection is busy serving requests) and
    /// every migration is applied.
    #[oai(status = 200)]
    Ready(Json<HealthOut>),
    /// Not ready: the database is unreachable or migrations are pending or changed.
    #[oai(status = 503)]
    NotReady(Json<HealthOut>),
}

#[OpenApi(tag = "Tag::Health")]
impl HealthApi {
    /// Liveness: the process is up and serving HTTP. Touches nothing else.
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Json<HealthOut> {
        Json(HealthOut {
            status: "ok".into(),
            pending_migrations: None,
        })
    }

    /// Readiness: the database answers and its migrations match this binary's.
    ///
    /// A busy pool (every connection in use) is ready: the instance is working, and pulling it
    /// out of rotation would not help. 503 only when the database is unreachable or migrations
    /// are pending; the status never carries the database's error text.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        let answer = |ready: bool, status: &str, pending: Option<u64>| {
            let out = Json(HealthOut {
                status: status.into(),
                pending_migrations: pending,
            });
            if ready {
                ReadyResponse::Ready(out)
            } else {
                ReadyResponse::NotReady(out)
            }
        };
        let checked = match unscoped::pending_migrations(&state.db, READY_POOL_WAIT).await {
            Migrations::Checked(checked) => checked,
            Migrations::Busy => {
                return if state.migrations_current.load(Ordering::Relaxed) {
                    answer(true, "busy", Some(0))
                } else {
                    answer(false, "migrations unknown", None)
                };
            }
            Migrations::Unreachable(e) => {
                tracing::warn!(error = %e, "readiness: database unreachable");
                return answer(false, "database unreachable", None);
            }
        };
        match checked {
            Ok(n) => {
                state.migrations_current.store(n == 0, Ordering::Relaxed);
                match n {
                    0 => answer(true, "ok", Some(0)),
                    n => answer(false, "migrations pending", Some(n as u64)),
                }
            }
            Err(e) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "readiness: checking migrations failed"
                );
                state.migrations_current.store(false, Ordering::Relaxed);
                let status = if e.downcast_ref::<tokio_postgres::Error>().is_some() {
                    "database unreachable"
                } else {
                    "migrations changed"
                };
                answer(false, status, None)
            }
        }
    }
}
