//! Builds the service: pool, routes, middleware, listener. Tests call [`Application::build`]
//! with port 0 and talk to the returned address over real HTTP.

use std::{
    net::SocketAddr,
    sync::{Arc, atomic::AtomicBool},
};

use anyhow::Context;
use poem::{EndpointExt, Route, endpoint::make_sync};
use tokio_util::sync::CancellationToken;

use crate::{
    auth::jwt::Keys,
    config::Config,
    db::{self, Db, migrate},
    embeddings::{self, Chunker, Embedder},
    http,
    ingestion::Worker,
    openapi,
    server::Server,
};

/// Shared by every handler (poem `Data`).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: Arc<Keys>,
    pub config: Arc<Config>,
    pub embedder: Arc<dyn Embedder>,
    pub chunker: Arc<Chunker>,
    /// The database had every migration this binary knows at the last look (readiness answers
    /// from it while the pool is busy).
    pub migrations_current: Arc<AtomicBool>,
}

impl AppState {
    /// Migrations (when `MIGRATE_ON_START`), the pool, the models: everything but the listener.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        // Secrets first: refuse to start without them before touching anything.
        let keys = Keys::new(&config.auth)?;
        if config.migrate_on_start {
            migrate(config).await?;
        }
        let pool = db::pool(&config.database_url, config.pool_size, config.pool_timeout)?;
        // Fail fast on a wrong URL or password instead of on the first request.
        drop(pool.get().await.context("connecting with DATABASE_URL")?);
        crate::auth::secrets::warm_up();
        let embedder = embeddings::from_config(&config.embedding)?;
        let chunker = Chunker::load(
            std::path::Path::new(&config.embedding.model_dir),
            config.kb.chunk_tokens,
            config.kb.chunk_overlap,
        )?;
        Ok(AppState {
            db: Db::new(pool),
            keys: Arc::new(keys),
            config: Arc::new(config.clone()),
            embedder,
            chunker: Arc::new(chunker),
            migrations_current: Arc::new(AtomicBool::new(config.migrate_on_start)),
        })
    }

    /// An ingestion worker over this state's pool and models (for one tenant's jobs only when
    /// `WORKER_TENANT_ID` is set).
    pub fn worker(&self) -> Worker {
        let mut w = Worker::new(
            self.db.clone(),
            self.embedder.clone(),
            self.chunker.clone(),
            self.config.kb.worker_lease,
            self.config.kb.worker_poll,
        );
        w.tenant = self.config.kb.worker_tenant;
        w
    }
}

pub struct Application {
    addr: SocketAddr,
    server: Server,
    grace: std::time::Duration,
    pub state: AppState,
}

/// Applies pending migrations over the owner's connection.
pub async fn migrate(config: &Config) -> anyhow::Result<migrate::Report> {
    let mut client = db::connect(&config.migration_database_url)
        .await
        .context("connecting with MIGRATION_DATABASE_URL")?;
    migrate::run(&mut client, &migrate::embedded()).await
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let state = AppState::build(&config).await?;
        let listener = tokio::net::TcpListener::bind(config.bind_addr)
            .await
            .with_context(|| format!("binding {}", config.bind_addr))?;
        let addr = listener.local_addr().context("listener has no address")?;
        let server = Server::new(
            listener,
            routes(state.clone(), config.max_body_bytes).boxed(),
            config.http,
            config.pool_size,
        );
        Ok(Self {
            addr,
            server,
            grace: config.shutdown_grace,
            state,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The cap on open connections in force (`MAX_CONNECTIONS`, kept under the open-file limit).
    pub fn max_connections(&self) -> usize {
        self.server.max_connections()
    }

    /// Serves (and, when `WORKER_ENABLED`, runs an ingestion worker) until `shutdown` resolves.
    /// Then everything stops within the grace period: the listener closes, idle connections
    /// close at once, requests in flight may finish, and the worker stops at once, leaving a
    /// job it was in the middle of to its lease.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> std::io::Result<()> {
        let stop = CancellationToken::new();
        let mut worker = self
            .state
            .config
            .kb
            .worker_enabled
            .then(|| tokio::spawn(self.state.worker().run(stop.clone().cancelled_owned())));
        let mut serving = tokio::spawn(self.server.run(stop.clone(), self.grace));
        tokio::select! {
            _ = shutdown => {}
            // Only a panic ends the server before it is told to stop.
            res = &mut serving => return res.map_err(std::io::Error::other)?,
        }
        stop.cancel();
        let deadline = tokio::time::Instant::now() + self.grace;
        if let Some(w) = worker.as_mut()
            && tokio::time::timeout_at(deadline, &mut *w).await.is_err()
        {
            tracing::warn!("the ingestion worker did not stop within the grace period");
            w.abort();
        }
        serving.await.map_err(std::io::Error::other)?
    }
}

pub fn routes(state: AppState, max_body: usize) -> impl poem::Endpoint<Output = poem::Response> {
    let api = openapi::service();
    let ui = openapi::swagger_ui_html();
    let spec = openapi::spec_json();
    let app = Route::new()
        .nest("/", api)
        .at("/docs", make_sync(move |_| poem::web::Html(ui.clone())))
        // The same page under the spelling with a slash, by a redirect: Swagger UI fetches the
        // spec by a relative URL, which a page served at `/docs/` would resolve wrongly.
        .at(
            "/docs/",
            make_sync(|_| poem::web::Redirect::permanent("/docs")),
        )
        .at(
            "/openapi.json",
            make_sync(move |_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            }),
        )
        .data(state);
    http::wrap(app, max_body)
}
