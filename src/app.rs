//! Builds the service: pool, routes, middleware, listener. Tests call [`Application::build`]
//! with port 0 and talk to the returned address over real HTTP.

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context;
use poem::{
    EndpointExt, Route, Server,
    endpoint::make_sync,
    listener::{Acceptor, AcceptorExt, Listener, TcpListener},
};

use crate::{
    assistant::Assistant,
    auth::jwt::Keys,
    config::Config,
    db::{self, Db, migrate},
    embeddings::{self, Chunker, Embedder},
    http,
    ingestion::Worker,
    openapi,
};

/// Shared by every handler (poem `Data`).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: Arc<Keys>,
    pub config: Arc<Config>,
    pub embedder: Arc<dyn Embedder>,
    pub chunker: Arc<Chunker>,
    pub assistant: Arc<Assistant>,
}

impl AppState {
    /// Migrations (when `MIGRATE_ON_START`), the pool, the models: everything but the listener.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
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
        let db = Db::new(pool);
        let chunker = Arc::new(chunker);
        let assistant = Assistant::new(
            db.clone(),
            embedder.clone(),
            chunker.clone(),
            config.assistant.clone(),
            config.kb.hnsw,
        )?;
        Ok(AppState {
            db,
            keys: Arc::new(Keys::new(&config.auth)),
            config: Arc::new(config.clone()),
            embedder,
            chunker,
            assistant: Arc::new(assistant),
        })
    }

    /// A worker over this state's pool, models and assistant (for one tenant's jobs only when
    /// `WORKER_TENANT_ID` is set).
    pub fn worker(&self) -> Worker {
        let mut w = Worker::new(
            self.db.clone(),
            self.embedder.clone(),
            self.chunker.clone(),
            self.assistant.clone(),
            self.config.kb.worker_lease,
            self.config.kb.worker_poll,
        );
        w.tenant = self.config.kb.worker_tenant;
        w
    }
}

pub struct Application {
    addr: SocketAddr,
    acceptor: poem::listener::BoxAcceptor,
    routes: poem::endpoint::BoxEndpoint<'static, poem::Response>,
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
        let acceptor = TcpListener::bind(config.bind_addr)
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", config.bind_addr))?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("listener has no address")?;
        Ok(Self {
            addr,
            acceptor: acceptor.boxed(),
            routes: routes(state.clone(), config.max_body_bytes).boxed(),
            grace: config.shutdown_grace,
            state,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves (and, when `WORKER_ENABLED`, runs an ingestion worker) until `shutdown` resolves,
    /// then lets in-flight requests finish (up to the grace period).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let worker = self.state.config.kb.worker_enabled.then(|| {
            let mut rx = stop_rx.clone();
            tokio::spawn(self.state.worker().run(async move {
                let _ = rx.wait_for(|s| *s).await;
            }))
        });
        let result = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(self.routes, shutdown, Some(self.grace))
            .await;
        let _ = stop_tx.send(true);
        if let Some(w) = worker {
            let _ = w.await;
        }
        result
    }
}

pub fn routes(state: AppState, max_body: usize) -> impl poem::Endpoint<Output = poem::Response> {
    let api = openapi::service();
    let ui = api.swagger_ui();
    let spec = api.spec();
    let app = Route::new()
        .nest("/", api)
        .nest("/docs", ui)
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
