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
    assistant::Assistant,
    auth::jwt::Keys,
    config::Config,
    db::{Db, migrate},
    embeddings::{self, Chunker, Embedder},
    http,
    ingestion::Worker,
    openapi,
    server::Server,
    usage::Usage,
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
    /// The database had every migration this binary knows at the last look (readiness answers
    /// from it while the pool is busy).
    pub migrations_current: Arc<AtomicBool>,
    /// Rate limits and the usage log.
    pub usage: Usage,
}

impl AppState {
    /// Migrations (when `MIGRATE_ON_START`), the pool, the models: everything but the listener.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        Self::build_with_embedder(config, None).await
    }

    /// [`AppState::build`] over an embedder already loaded (by [`embeddings::from_config`] for
    /// this configuration), when one is given: a process that starts several services (the
    /// tests) loads the model once.
    pub async fn build_with_embedder(
        config: &Config,
        embedder: Option<Arc<dyn Embedder>>,
    ) -> anyhow::Result<Self> {
        // Secrets first: refuse to start without them before touching anything.
        let keys = Keys::new(&config.auth)?;
        config.assistant.sealing_keys()?;
        if config.migrate_on_start {
            migrate(config).await?;
        }
        // Fails fast on a wrong URL or password instead of on the first request.
        let db = Db::connect(&config.database_url, config.pool_size, config.pool_timeout).await?;
        crate::auth::secrets::warm_up();
        crate::metrics::handle();
        let embedder = match embedder {
            Some(loaded) => loaded,
            None => embeddings::from_config(&config.embedding)?,
        };
        let embedder: Arc<dyn Embedder> = Arc::new(crate::metrics::MeteredEmbedder(embedder));
        let chunker = Chunker::load(
            std::path::Path::new(&config.embedding.model_dir),
            config.kb.chunk_tokens,
            config.kb.chunk_overlap,
        )?
        .with_limit(embedder.passage_limit());
        let usage = Usage::new(db.clone(), &config.usage);
        let chunker = Arc::new(chunker);
        let assistant = Assistant::new(
            db.clone(),
            embedder.clone(),
            chunker.clone(),
            config.assistant.clone(),
            config.kb.hnsw,
        )?;
        Ok(AppState {
            usage,
            db,
            keys: Arc::new(keys),
            config: Arc::new(config.clone()),
            embedder,
            chunker,
            assistant: Arc::new(assistant),
            migrations_current: Arc::new(AtomicBool::new(config.migrate_on_start)),
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
        w.batch_chunks = self.config.kb.worker_batch_chunks;
        w
    }
}

pub struct Application {
    addr: SocketAddr,
    server: Server,
    /// `/metrics` on `METRICS_ADDR`, when set.
    metrics: Option<(SocketAddr, Server)>,
    grace: std::time::Duration,
    pub state: AppState,
}

/// Applies pending migrations over the owner's connection.
pub async fn migrate(config: &Config) -> anyhow::Result<migrate::Report> {
    migrate::apply(&config.migration_database_url).await
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_embedder(config, None).await
    }

    /// [`Application::build`] over an embedder already loaded ([`AppState::build_with_embedder`]).
    pub async fn build_with_embedder(
        config: Config,
        embedder: Option<Arc<dyn Embedder>>,
    ) -> anyhow::Result<Self> {
        let state = AppState::build_with_embedder(&config, embedder).await?;
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
        let metrics = match config.usage.metrics_addr {
            Some(at) => {
                let listener = tokio::net::TcpListener::bind(at)
                    .await
                    .with_context(|| format!("binding METRICS_ADDR {at}"))?;
                let addr = listener.local_addr().context("listener has no address")?;
                let ep =
                    crate::metrics::endpoint(state.db.clone(), config.usage.metrics_token.clone());
                Some((addr, Server::new(listener, ep.boxed(), config.http, 0)))
            }
            None => None,
        };
        Ok(Self {
            addr,
            server,
            metrics,
            grace: config.shutdown_grace,
            state,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where `/metrics` is served (`METRICS_ADDR`), if anywhere.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(a, _)| *a)
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
        // The maintenance job (partitions ahead, retention) runs beside the ingestion worker.
        let maintenance = self.state.config.kb.worker_enabled.then(|| {
            tokio::spawn(crate::usage::retention::schedule(
                self.state.db.clone(),
                self.state.config.usage.clone(),
                stop.clone(),
            ))
        });
        // The usage log writer stops after the server, so requests still in flight are logged.
        let writer_stop = CancellationToken::new();
        let usage_writer =
            tokio::spawn(self.state.usage.log.clone().run_writer(writer_stop.clone()));
        let metrics = self
            .metrics
            .map(|(_, server)| tokio::spawn(server.run(stop.clone(), self.grace)));
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
        let served = serving.await.map_err(std::io::Error::other);
        // The last usage rows are written once no request is left to add one.
        writer_stop.cancel();
        if tokio::time::timeout_at(deadline, usage_writer)
            .await
            .is_err()
        {
            tracing::warn!("the usage log writer did not finish within the grace period");
        }
        if let Some(m) = maintenance {
            m.abort();
        }
        if let Some(m) = metrics {
            m.abort();
        }
        served?
    }
}

pub fn routes(state: AppState, max_body: usize) -> impl poem::Endpoint<Output = poem::Response> {
    let api = openapi::service();
    let ui = openapi::swagger_ui_html();
    let spec = openapi::spec_json();
    let state_usage = state.usage.log.clone();
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
    http::wrap_metered(app, max_body, Some(state_usage))
}
