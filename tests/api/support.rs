//! Test harness: a real service on a real port against the real (embedded) PostgreSQL that
//! `make test` starts. Each test makes its own tenants with random slugs, so tests run in
//! parallel on one database without seeing each other.
//!
//! What is expensive happens once per test process (nextest runs each test in a process of its
//! own; a test that starts several services shares them): the migrations, checked and applied
//! once; the built-in embedding model, loaded once and only when a test first embeds something;
//! the argon2 hash of [`PASSWORD`], computed once. Fixtures (tenants, users, superadmins, API
//! keys) are written straight to the database with that hash and carry access tokens signed
//! with the service's own keys, so a fixture costs one round trip and no argon2. Tests about
//! login, user or tenant creation use the `*_over_http` fixtures, which go through the API as a
//! client would. [`eventually`] polls with a deadline where a test waits for something.
//!
//! Environment (printed by `deploy/embedded-pg.sh env test PORT`): `DATABASE_URL`,
//! `MIGRATION_DATABASE_URL`, and for tests that need a scratch database `TENANTDESK_PG_BIN`,
//! `TENANTDESK_PG_SOCKET`, `TENANTDESK_PG_PORT`.

#![allow(dead_code)]

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    process::Command,
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use futures_util::future::BoxFuture;
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::{Value, json};
use tenantdesk::{
    app::{AppState, Application},
    auth::secrets,
    config::{Config, EmbeddingConfig, EmbeddingProvider},
    db::statement::{self, Param},
    embeddings::{Embedder, TextKind, builtin},
};
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery staple";

/// The signing key of tests that run the real binary (the service has no built-in key).
pub const TEST_JWT_KEYS: &str = "test:tenantdesk-test-signing-key-0123456789abcdef";

/// The settings sealing key of tests that run the real binary (no built-in key either).
pub const TEST_SETTINGS_ENCRYPTION_KEYS: &str = "test:dGVuYW50ZGVzay10ZXN0LXNlYWxpbmcta2V5LTAxMjM=";

/// The configuration `make test` provides, listening on a free port.
pub fn config() -> Config {
    // Logs are captured per test and shown when it fails.
    tenantdesk::telemetry::init(false);
    let mut c = Config::from_env().expect("test configuration");
    // `make test` sets JWT_KEYS and SETTINGS_ENCRYPTION_KEYS; a focused `cargo nextest run`
    // may not.
    if c.auth.jwt_keys.is_empty() {
        c.auth.jwt_keys = tenantdesk::config::parse_jwt_keys(TEST_JWT_KEYS).unwrap();
    }
    if c.assistant.sealing_keys.is_empty() {
        c.assistant.sealing_keys =
            tenantdesk::config::parse_sealing_keys(TEST_SETTINGS_ENCRYPTION_KEYS).unwrap();
    }
    assert!(
        std::env::var("DATABASE_URL").is_ok(),
        "run the tests with `make test` (it starts the test PostgreSQL and sets DATABASE_URL)"
    );
    c.bind_addr = "127.0.0.1:0".parse().unwrap();
    c.pool_size = 4;
    // Tests that need ingestion run a worker for their own tenant (`knowledge::drain`, or
    // `worker_tenant` for the one inside `serve`), so one test's worker never takes another
    // test's jobs.
    c.kb.worker_enabled = false;
    // Fake answer providers listen on loopback; retries wait little.
    c.assistant.allow_private_urls = true;
    c.assistant.backoff = std::time::Duration::from_millis(20);
    c.assistant.timeout = std::time::Duration::from_secs(5);
    // Every app serves its metrics on a port of its own; usage rows reach the table quickly.
    c.usage.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
    c.usage.flush = std::time::Duration::from_millis(50);
    // Every test connects from 127.0.0.1 and failed logins are counted in the shared database
    // for the login window (15 minutes), across tests and runs: with the default limit (20) the
    // suite's own wrong-password tests made later ones 429. The address throttle's test sets
    // its own limit (identity::login), and the account limit stays as configured.
    c.auth.login_max_failures_per_address = i64::from(i32::MAX);
    c
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// Where `/metrics` is served.
    pub metrics_addr: Option<SocketAddr>,
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub config: Config,
    /// The fixture builder's connection (the login role), opened on first use.
    fixtures: tokio::sync::OnceCell<tokio_postgres::Client>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// A client bound to a random loopback address, so per-address login throttling in one test
/// never affects another.
pub fn client() -> reqwest::Client {
    let ip = Ipv4Addr::new(127, rand_u8(), rand_u8(), rand_u8().max(2));
    reqwest::Client::builder()
        .local_address(IpAddr::V4(ip))
        .build()
        .unwrap()
}

fn rand_u8() -> u8 {
    Uuid::new_v4().as_bytes()[0]
}

pub async fn spawn_with(f: impl FnOnce(&mut Config)) -> TestApp {
    let config = {
        let mut c = config();
        f(&mut c);
        c
    };
    let mut build = config.clone();
    // The test database is migrated once per process; a service built after that has nothing to
    // apply, so it skips the step (and is as ready as one that ran it). A scratch database, or a
    // test that turns migrations off, goes through the service's own path.
    let migrated_once = build.migrate_on_start
        && build.migration_database_url.expose() == self::config().migration_database_url.expose()
        && {
            migrate_test_database_once().await;
            true
        };
    if migrated_once {
        build.migrate_on_start = false;
    }
    let app = Application::build_with_embedder(build, shared_model(&config.embedding))
        .await
        .expect("service starts");
    if migrated_once {
        app.state
            .migrations_current
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let addr = app.addr();
    let metrics_addr = app.metrics_addr();
    let state = app.state.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    TestApp {
        addr,
        metrics_addr,
        base: format!("http://{addr}"),
        client: client(),
        state,
        config,
        fixtures: tokio::sync::OnceCell::new(),
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// Applies the migrations to the test database once per process: a read of `schema_migrations`
/// when it is current (every process after the first of the run), the service's migration
/// runner when it is not.
pub async fn migrate_test_database_once() {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(async || {
        let c = config();
        let mut owner = tenantdesk::db::connect(&c.migration_database_url)
            .await
            .expect("connecting with MIGRATION_DATABASE_URL");
        let embedded = tenantdesk::db::migrate::embedded();
        // Before the first run of a fresh database the table does not exist: that is pending.
        let current = matches!(
            tenantdesk::db::migrate::pending(&owner, &embedded).await,
            Ok(0)
        );
        if !current {
            tenantdesk::db::migrate::run(&mut owner, &embedded)
                .await
                .expect("migrations apply");
        }
    })
    .await;
}

/// The built-in model of the test configuration, shared by every service the process starts
/// (`None` for any other embedding configuration: that service loads its own). all-MiniLM-L6-v2,
/// the default, is loaded once per process on its first use ([`LazyModel`]): most tests never
/// embed anything. Another built-in model is loaded once, when the first service starts.
fn shared_model(c: &EmbeddingConfig) -> Option<Arc<dyn Embedder>> {
    static SHARED: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    let default = config().embedding;
    let same = matches!(
        (&c.provider, &default.provider),
        (EmbeddingProvider::Builtin, EmbeddingProvider::Builtin)
    ) && (&c.model, &c.model_dir, &c.e5_dir, c.threads)
        == (
            &default.model,
            &default.model_dir,
            &default.e5_dir,
            default.threads,
        );
    same.then(|| {
        SHARED
            .get_or_init(|| match c.model == builtin::MODEL_NAME {
                true => Arc::new(LazyModel::new(c.clone())),
                false => tenantdesk::embeddings::from_config(c).expect("the model loads"),
            })
            .clone()
    })
}

/// all-MiniLM-L6-v2, loaded (off the runtime's threads) when something is first embedded. Its
/// name and size come from the configuration and the model's `config.json`; it has no passage
/// limit of its own (the chunker's tokenizer is the model's), so a service builds without
/// loading it.
pub struct LazyModel {
    config: EmbeddingConfig,
    dims: usize,
    loaded: tokio::sync::OnceCell<Arc<dyn Embedder>>,
}

impl LazyModel {
    fn new(config: EmbeddingConfig) -> Self {
        let path = std::path::Path::new(&config.model_dir).join("config.json");
        let model: Value = serde_json::from_slice(
            &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap();
        Self {
            dims: model["hidden_size"].as_u64().expect("hidden_size") as usize,
            config,
            loaded: tokio::sync::OnceCell::new(),
        }
    }
}

impl Embedder for LazyModel {
    fn model(&self) -> &str {
        builtin::MODEL_NAME
    }

    fn dims(&self) -> usize {
        self.dims
    }

    fn embed<'a>(
        &'a self,
        texts: &'a [String],
        kind: TextKind,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Vec<f32>>>> {
        Box::pin(async move {
            let model = self
                .loaded
                .get_or_try_init(async || {
                    let c = self.config.clone();
                    tokio::task::spawn_blocking(move || tenantdesk::embeddings::from_config(&c))
                        .await?
                })
                .await?;
            assert_eq!(model.dims(), self.dims, "the model's size");
            assert!(
                model.passage_limit().is_none(),
                "a passage limit of its own"
            );
            model.embed(texts, kind).await
        })
    }
}

/// Polls `probe` until it answers `Ok`, every 20 ms (then less often) for up to `within`, and
/// returns what it answered. On timeout, fails the test naming `what` and the last `Err` the
/// probe answered (what it saw instead). For waiting on something another task or process
/// does; never a fixed sleep.
pub async fn eventually<T, E: std::fmt::Display>(
    what: &str,
    within: Duration,
    mut probe: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    let deadline = Instant::now() + within;
    let mut pause = Duration::from_millis(20);
    loop {
        match probe().await {
            Ok(v) => return v,
            Err(seen) if Instant::now() >= deadline => {
                panic!("not within {within:?}: {what}; last seen: {seen}")
            }
            Err(_) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 3 / 2).min(Duration::from_millis(200));
            }
        }
    }
}

/// [`eventually`] for a test without a runtime (a plain `#[test]` driving a process).
#[track_caller]
pub fn eventually_blocking(what: &str, within: Duration, mut cond: impl FnMut() -> bool) {
    let caller = std::panic::Location::caller();
    let deadline = Instant::now() + within;
    let mut pause = Duration::from_millis(20);
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "{caller}: not within {within:?}: {what}"
        );
        std::thread::sleep(pause);
        pause = (pause * 3 / 2).min(Duration::from_millis(200));
    }
}

/// [`eventually`] for a plain condition that has nothing to report.
pub async fn eventually_true(what: &str, within: Duration, mut cond: impl AsyncFnMut() -> bool) {
    eventually(what, within, async || {
        if cond().await { Ok(()) } else { Err("false") }
    })
    .await
}

/// A response with its body parsed as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    pub async fn from(r: reqwest::Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            text,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, and returns the body.
    #[track_caller]
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        &self.body
    }

    /// Asserts a problem+json response with this status and `code`.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "not problem+json: {}",
            self.text
        );
        assert_eq!(
            self.body["code"], code,
            "unexpected code; body: {}",
            self.text
        );
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["title"].is_string() && self.body["type"].is_string(),
            "{}",
            self.text
        );
        &self.body
    }

    /// Asserts a 4xx problem naming `field`.
    #[track_caller]
    pub fn problem_field(&self, status: u16, field: &str) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(
            self.body["field"], field,
            "unexpected field; body: {}",
            self.text
        );
        &self.body
    }
}

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Cred {
    None,
    Bearer(String),
    ApiKey(String),
    /// A superadmin token acting inside a tenant via `X-Tenant-Id`.
    Acting(String, Uuid),
}

impl From<&str> for Cred {
    fn from(t: &str) -> Self {
        Cred::Bearer(t.to_string())
    }
}

impl From<&String> for Cred {
    fn from(t: &String) -> Self {
        Cred::Bearer(t.clone())
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn req(
        &self,
        method: Method,
        path: &str,
        cred: impl Into<Cred>,
    ) -> reqwest::RequestBuilder {
        let b = self.client.request(method, self.url(path));
        match cred.into() {
            Cred::None => b,
            Cred::Bearer(t) => b.bearer_auth(t),
            Cred::ApiKey(k) => b.header("X-API-Key", k),
            Cred::Acting(t, tenant) => b.bearer_auth(t).header("X-Tenant-Id", tenant.to_string()),
        }
    }

    pub async fn send(&self, b: reqwest::RequestBuilder) -> Resp {
        Resp::from(b.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, cred: impl Into<Cred>) -> Resp {
        self.send(self.req(Method::GET, path, cred)).await
    }

    pub async fn delete(&self, path: &str, cred: impl Into<Cred>) -> Resp {
        self.send(self.req(Method::DELETE, path, cred)).await
    }

    pub async fn post(&self, path: &str, cred: impl Into<Cred>, body: Value) -> Resp {
        self.send(self.req(Method::POST, path, cred).json(&body))
            .await
    }

    pub async fn patch(&self, path: &str, cred: impl Into<Cred>, body: Value) -> Resp {
        self.send(self.req(Method::PATCH, path, cred).json(&body))
            .await
    }

    /// A new superadmin, made as `tenantdesk create-superadmin` does (argon2 included), logged
    /// in over HTTP.
    pub async fn superadmin_over_http(&self) -> Superadmin {
        let email = format!("root-{}@platform.test", Uuid::new_v4().simple());
        let id = tenantdesk::auth::bootstrap::create_superadmin(
            &self.config,
            &email,
            "Platform Root",
            PASSWORD.into(),
        )
        .await
        .expect("create superadmin");
        let r = self
            .post(
                "/v1/auth/superadmin/token",
                Cred::None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        let token = r.ok(200)["access_token"].as_str().unwrap().to_string();
        Superadmin {
            id: id.into(),
            email,
            token,
        }
    }

    /// A new tenant with one admin, made by a new superadmin through the API, and logged in.
    pub async fn tenant_over_http(&self) -> TestTenant {
        let root = self.superadmin_over_http().await;
        self.tenant_by_over_http(&root).await
    }

    /// A new tenant made by `root` through the API (`POST /v1/tenants`, `POST /v1/users`), its
    /// admin logged in (`POST /v1/auth/token`).
    pub async fn tenant_by_over_http(&self, root: &Superadmin) -> TestTenant {
        let slug = format!("t-{}", &Uuid::new_v4().simple().to_string()[..12]);
        let r = self
            .post(
                "/v1/tenants",
                &root.token,
                json!({"name": format!("Tenant {slug}"), "slug": slug}),
            )
            .await;
        let id: Uuid = r.ok(201)["id"].as_str().unwrap().parse().unwrap();
        let email = format!("admin@{slug}.test");
        let r = self
            .post(
                "/v1/users",
                Cred::Acting(root.token.clone(), id),
                json!({"email": email, "full_name": "Ada Admin", "role": "admin", "password": PASSWORD}),
            )
            .await;
        let admin_id: Uuid = r.ok(201)["id"].as_str().unwrap().parse().unwrap();
        let login = self.login(&slug, &email, PASSWORD).await;
        let body = login.ok(200);
        TestTenant {
            id,
            slug,
            admin: TestUser {
                id: admin_id,
                email,
                token: body["access_token"].as_str().unwrap().into(),
                refresh: body["refresh_token"].as_str().unwrap().into(),
            },
        }
    }

    pub async fn login(&self, slug: &str, email: &str, password: &str) -> Resp {
        self.post(
            "/v1/auth/token",
            Cred::None,
            json!({"tenant": slug, "email": email, "password": password}),
        )
        .await
    }

    /// A user with `role` in `tenant`, created by its admin through the API and logged in.
    pub async fn user_over_http(&self, tenant: &TestTenant, role: &str) -> TestUser {
        let email = format!(
            "{role}-{}@{}.test",
            &Uuid::new_v4().simple().to_string()[..8],
            tenant.slug
        );
        let r = self
            .post(
                "/v1/users",
                &tenant.admin.token,
                json!({"email": email, "full_name": format!("A {role}"), "role": role, "password": PASSWORD}),
            )
            .await;
        let id: Uuid = r.ok(201)["id"].as_str().unwrap().parse().unwrap();
        let login = self.login(&tenant.slug, &email, PASSWORD).await;
        let body = login.ok(200);
        TestUser {
            id,
            email,
            token: body["access_token"].as_str().unwrap().into(),
            refresh: body["refresh_token"].as_str().unwrap().into(),
        }
    }

    /// Runs fixture statements (one simple-query message, so one round trip and no prepared
    /// statement, through PgBouncer too) on this service's database as its login role.
    async fn fixture_sql(&self, sql: &str) {
        let c = self
            .fixtures
            .get_or_init(async || {
                tenantdesk::db::connect(&self.config.database_url)
                    .await
                    .expect("the fixture connection")
            })
            .await;
        c.simple_query(sql)
            .await
            .unwrap_or_else(|e| panic!("fixture statements failed: {e:?}\n{sql}"));
    }

    /// A new superadmin, written straight to the database, with an access token signed by the
    /// service's keys. Its password is [`PASSWORD`], so it can also log in.
    pub async fn superadmin(&self) -> Superadmin {
        let id = Uuid::now_v7();
        let email = format!("root-{}@platform.test", Uuid::new_v4().simple());
        let hash = password_hash().await;
        self.fixture_sql(&format!(
            "BEGIN; {}; INSERT INTO superadmins (id, email, full_name, password_hash) \
             VALUES ('{id}', {}, 'Platform Root', {}); COMMIT",
            as_platform(),
            lit(&email),
            lit(hash)
        ))
        .await;
        let (token, _) = self.state.keys.issue(id, None, "superadmin", 0).unwrap();
        Superadmin { id, email, token }
    }

    /// A new tenant with one admin (`admin@<slug>.test`, "Ada Admin"), written straight to the
    /// database; the admin holds an access token signed by the service's keys and a refresh
    /// token, as after a login.
    pub async fn tenant(&self) -> TestTenant {
        let id = Uuid::now_v7();
        let slug = format!("t-{}", &Uuid::new_v4().simple().to_string()[..12]);
        let email = format!("admin@{slug}.test");
        let (admin, insert_admin) = self.new_user(id, &email, "Ada Admin", "admin").await;
        self.fixture_sql(&format!(
            "BEGIN; {}; INSERT INTO tenants (id, name, slug) VALUES ('{id}', {}, {}); {insert_admin}; COMMIT",
            as_platform(),
            lit(&format!("Tenant {slug}")),
            lit(&slug),
        ))
        .await;
        TestTenant { id, slug, admin }
    }

    /// The same as [`TestApp::tenant`]: what `root` would have made over HTTP, made in the
    /// database (`root` only says who stands behind it in the test).
    pub async fn tenant_by(&self, _root: &Superadmin) -> TestTenant {
        self.tenant().await
    }

    /// A user with `role` in `tenant` (`<role>-<random>@<slug>.test`, "A <role>"), written
    /// straight to the database, with an access token and a refresh token as after a login.
    pub async fn user(&self, tenant: &TestTenant, role: &str) -> TestUser {
        let email = format!(
            "{role}-{}@{}.test",
            &Uuid::new_v4().simple().to_string()[..8],
            tenant.slug
        );
        let (user, insert) = self
            .new_user(tenant.id, &email, &format!("A {role}"), role)
            .await;
        self.fixture_sql(&format!("BEGIN; {insert}; COMMIT")).await;
        user
    }

    /// A user's row and refresh token as statements (in a tenant transaction of `tenant`), and
    /// the user with the tokens a login would have given.
    async fn new_user(
        &self,
        tenant: Uuid,
        email: &str,
        full_name: &str,
        role: &str,
    ) -> (TestUser, String) {
        let id = Uuid::now_v7();
        let hash = password_hash().await;
        let refresh = secrets::random_token(32);
        let sql = format!(
            "{}; INSERT INTO users (tenant_id, id, email, full_name, role, password_hash) \
             VALUES ('{tenant}', '{id}', {}, {}, {}, {}); \
             INSERT INTO refresh_tokens (tenant_id, user_id, family_id, token_hash, expires_at) \
             VALUES ('{tenant}', '{id}', '{}', '\\x{}', now() + interval '{} seconds')",
            as_tenant(tenant, role),
            lit(email),
            lit(full_name),
            lit(role),
            lit(hash),
            Uuid::new_v4(),
            hex::encode(secrets::sha256(&refresh)),
            self.config.auth.refresh_ttl.as_secs(),
        );
        let (token, _) = self
            .state
            .keys
            .issue(id, Some(tenant.into()), role, 0)
            .unwrap();
        let user = TestUser {
            id,
            email: email.to_string(),
            token,
            refresh,
        };
        (user, sql)
    }

    /// An API key of `tenant` with `scope` (`read_only`, `read_write`, `admin`), made by its
    /// admin and written straight to the database as `POST /v1/api-keys` writes one (the
    /// public prefix, the sha256 of the whole key): its id and the key.
    pub async fn api_key(&self, tenant: &TestTenant, scope: &str) -> (Uuid, String) {
        let id = Uuid::now_v7();
        let prefix = hex::encode(&Uuid::new_v4().as_bytes()[..6]);
        let key = format!(
            "{}{prefix}_{}",
            tenantdesk::auth::API_KEY_PREFIX,
            secrets::random_token(32)
        );
        self.fixture_sql(&format!(
            "BEGIN; {}; INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash, scope, created_by) \
             VALUES ('{}', '{id}', {}, '{prefix}', '\\x{}', {}, '{}'); COMMIT",
            as_tenant(tenant.id, "admin"),
            tenant.id,
            lit(&format!("key-{}", &id.simple().to_string()[..8])),
            hex::encode(secrets::sha256(&key)),
            lit(scope),
            tenant.admin.id,
        ))
        .await;
        (id, key)
    }

    /// Stops accepting connections and waits for in-flight requests.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.take().unwrap().await.unwrap()
    }
}

/// The argon2 hash of [`PASSWORD`], by the service's own hashing, computed once per process.
pub async fn password_hash() -> &'static str {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_init(async || secrets::hash_password(PASSWORD.into()).await.unwrap())
        .await
}

/// A tenant slug no tenant has, new each time: a failed login to it counts against an account
/// of its own, not one that every run's tests share (`LOGIN_MAX_FAILURES` per account).
pub fn unknown_tenant() -> String {
    format!("nope-{}", Uuid::new_v4().simple())
}

/// A SQL string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The start of a platform transaction, as the service opens one (`db::tenant`).
fn as_platform() -> &'static str {
    "SELECT set_config('role', 'tenantdesk_platform', true), set_config('app.tenant_id', '', true), \
     set_config('app.user_id', '', true), set_config('app.role', 'superadmin', true)"
}

/// The start of a tenant transaction of `tenant` acting with `role` (no user), as the service
/// opens one.
fn as_tenant(tenant: Uuid, role: &str) -> String {
    format!(
        "SELECT set_config('role', 'tenantdesk_tenant', true), set_config('app.tenant_id', '{tenant}', true), \
         set_config('app.user_id', '', true), set_config('app.role', {}, true)",
        lit(role)
    )
}

pub struct Superadmin {
    pub id: Uuid,
    pub email: String,
    pub token: String,
}

pub struct TestTenant {
    pub id: Uuid,
    pub slug: String,
    pub admin: TestUser,
}

pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

/// A connection as the service's login role (`DATABASE_URL`), outside the service.
pub async fn app_conn() -> AppConn {
    AppConn(
        tenantdesk::db::connect(&config().database_url)
            .await
            .unwrap(),
    )
}

/// A connection of the login role that sends only unnamed statements, as the service does
/// (`tenantdesk::db::statement`). Part of the suite runs through PgBouncer in transaction mode,
/// where a named statement (what tokio-postgres's `query(&str, ..)` prepares) stays on the server
/// connection after its transaction, and another client's statement of the same name then fails
/// with "prepared statement s0 already exists". Nothing here prepares one, so no test can.
pub struct AppConn(tokio_postgres::Client);

/// A transaction of an [`AppConn`] (rolled back when dropped uncommitted).
pub struct AppTx<'a>(tokio_postgres::Transaction<'a>);

/// The statement methods of [`AppConn`] and [`AppTx`]: tokio-postgres's names, unnamed
/// statements with the parameter types stated by the client (`db::statement::Param`).
macro_rules! unnamed_statements {
    ($t:ty) => {
        impl $t {
            pub async fn query(
                &self,
                sql: &str,
                params: &[&dyn Param],
            ) -> Result<Vec<tokio_postgres::Row>, tokio_postgres::Error> {
                self.0.query_typed(sql, &statement::typed(params)).await
            }
            pub async fn query_one(
                &self,
                sql: &str,
                params: &[&dyn Param],
            ) -> Result<tokio_postgres::Row, tokio_postgres::Error> {
                self.0.query_typed_one(sql, &statement::typed(params)).await
            }
            pub async fn query_opt(
                &self,
                sql: &str,
                params: &[&dyn Param],
            ) -> Result<Option<tokio_postgres::Row>, tokio_postgres::Error> {
                self.0.query_typed_opt(sql, &statement::typed(params)).await
            }
            pub async fn execute(
                &self,
                sql: &str,
                params: &[&dyn Param],
            ) -> Result<u64, tokio_postgres::Error> {
                self.0.execute_typed(sql, &statement::typed(params)).await
            }
            /// Statements without parameters, in the simple query protocol (no statement kept).
            pub async fn batch_execute(&self, sql: &str) -> Result<(), tokio_postgres::Error> {
                self.0.batch_execute(sql).await
            }
        }
    };
}
unnamed_statements!(AppConn);
unnamed_statements!(AppTx<'_>);

impl AppConn {
    pub async fn transaction(&mut self) -> Result<AppTx<'_>, tokio_postgres::Error> {
        Ok(AppTx(self.0.transaction().await?))
    }
}

impl AppTx<'_> {
    pub async fn commit(self) -> Result<(), tokio_postgres::Error> {
        self.0.commit().await
    }
    pub async fn rollback(self) -> Result<(), tokio_postgres::Error> {
        self.0.rollback().await
    }
}

/// A connection as the schema owner.
pub async fn owner_conn() -> tokio_postgres::Client {
    tenantdesk::db::connect(&config().migration_database_url)
        .await
        .unwrap()
}

/// A fresh, empty database bootstrapped exactly as the real one (roles, extension, grants) by
/// `deploy/bootstrap.sql`; dropped when the value is dropped. For migration-runner tests.
pub struct ScratchDb {
    pub name: String,
    pub owner_url: String,
    pub app_url: String,
}

fn psql(args: &[&str]) {
    let bin = std::env::var("TENANTDESK_PG_BIN").expect("TENANTDESK_PG_BIN (set by make test)");
    let sock = std::env::var("TENANTDESK_PG_SOCKET").expect("TENANTDESK_PG_SOCKET");
    let port = std::env::var("TENANTDESK_PG_PORT").expect("TENANTDESK_PG_PORT");
    let out = Command::new(PathBuf::from(bin).join("psql"))
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            &sock,
            "-p",
            &port,
            "-U",
            "postgres",
        ])
        .args(args)
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl ScratchDb {
    pub fn new() -> Self {
        let name = format!("td_scratch_{}", Uuid::new_v4().simple());
        let bootstrap = checkout().join("deploy/bootstrap.sql");
        let bootstrap = bootstrap.to_str().expect("a UTF-8 checkout path");
        psql(&[
            "-d",
            "postgres",
            "-v",
            &format!("db={name}"),
            "-v",
            "owner_password=unused",
            "-v",
            "app_password=unused",
            "-f",
            bootstrap,
        ]);
        let swap = |url: &str| {
            let (base, _) = url.rsplit_once('/').unwrap();
            format!("{base}/{name}")
        };
        let c = config();
        Self {
            owner_url: swap(&c.migration_database_url),
            app_url: swap(&c.database_url),
            name,
        }
    }

    pub async fn owner(&self) -> tokio_postgres::Client {
        tenantdesk::db::connect(&self.owner_url).await.unwrap()
    }

    /// Refuses new connections to this database and ends its sessions: to the service, a
    /// database server that is down.
    pub fn take_offline(&self) {
        psql(&[
            "-d",
            "postgres",
            "-c",
            &format!("alter database {} allow_connections false", self.name),
            "-c",
            &format!(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = '{}'",
                self.name
            ),
        ]);
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        psql(&[
            "-d",
            "postgres",
            "-c",
            &format!("drop database if exists {} with (force)", self.name),
        ]);
    }
}

/// The checkout the tests run in: `CARGO_MANIFEST_DIR` as cargo and nextest set it when running
/// a test (nextest remaps it when it runs an archive in another checkout, say as another user),
/// else where the test was compiled.
pub fn checkout() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
}
