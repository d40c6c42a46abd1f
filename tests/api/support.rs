//! Test harness: a real service on a real port against the real (embedded) PostgreSQL that
//! `make test` starts. Each test makes its own tenants with random slugs, so tests run in
//! parallel on one database without seeing each other.
//!
//! Environment (printed by `deploy/embedded-pg.sh env test PORT`): `DATABASE_URL`,
//! `MIGRATION_DATABASE_URL`, and for tests that need a scratch database `TENANTDESK_PG_BIN`,
//! `TENANTDESK_PG_SOCKET`, `TENANTDESK_PG_PORT`.

#![allow(dead_code)]

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    process::Command,
};

use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::{Value, json};
use tenantdesk::{
    app::{AppState, Application},
    config::Config,
    db::statement::{self, Param},
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
    let mut config = config();
    f(&mut config);
    let app = Application::build(config.clone())
        .await
        .expect("service starts");
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
        shutdown: Some(tx),
        server: Some(server),
    }
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

    /// A new superadmin (made as `tenantdesk create-superadmin` does) and its access token.
    pub async fn superadmin(&self) -> Superadmin {
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

    /// A new tenant with one admin, logged in.
    pub async fn tenant(&self) -> TestTenant {
        let root = self.superadmin().await;
        self.tenant_by(&root).await
    }

    pub async fn tenant_by(&self, root: &Superadmin) -> TestTenant {
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

    /// A user with `role` in `tenant`, created by its admin and logged in.
    pub async fn user(&self, tenant: &TestTenant, role: &str) -> TestUser {
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

    /// Stops accepting connections and waits for in-flight requests.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.take().unwrap().await.unwrap()
    }
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
