//! Liveness and readiness.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use crate::{api::Tag, app::AppState, db::migrate};

pub struct HealthApi;

/// Health of the service.
#[derive(Debug, Object)]
pub struct HealthOut {
    /// `ok` when healthy; otherwise what is wrong.
    pub status: String,
    /// Migrations compiled into this binary that the database has not applied.
    #[oai(skip_serializing_if_is_none)]
    pub pending_migrations: Option<u64>,
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// The database is reachable and every migration is applied.
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
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        let not_ready = |status: String| {
            ReadyResponse::NotReady(Json(HealthOut {
                status,
                pending_migrations: None,
            }))
        };
        let conn = match state.db.pool().get().await {
            Ok(c) => c,
            Err(e) => return not_ready(format!("database unreachable: {e}")),
        };
        match migrate::pending(&conn, &migrate::embedded()).await {
            Ok(0) => ReadyResponse::Ready(Json(HealthOut {
                status: "ok".into(),
                pending_migrations: Some(0),
            })),
            Ok(n) => ReadyResponse::NotReady(Json(HealthOut {
                status: "migrations pending".into(),
                pending_migrations: Some(n as u64),
            })),
            Err(e) => not_ready(format!("migrations: {e}")),
        }
    }
}
