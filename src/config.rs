//! Configuration from environment variables. Every variable has a default that works with the
//! embedded PostgreSQL that `make run` starts; the README lists them all.

use std::{net::SocketAddr, time::Duration};

use anyhow::{Context, bail};

#[derive(Clone, Debug)]
pub struct Config {
    /// Where the HTTP server listens (`BIND_ADDR`).
    pub bind_addr: SocketAddr,
    /// The service's login role (`DATABASE_URL`): not the owner, no BYPASSRLS.
    pub database_url: String,
    /// The schema owner's connection, used only to apply migrations (`MIGRATION_DATABASE_URL`).
    pub migration_database_url: String,
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
    pub auth: AuthConfig,
}

#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Signing keys as `kid:secret` pairs separated by commas (`JWT_KEYS`). The first signs;
    /// all verify, so a new key is rotated in by putting it first and dropping the old one once
    /// the access-token lifetime has passed.
    pub jwt_keys: Vec<(String, Vec<u8>)>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Failed logins per account or per client address within the window before 429.
    pub login_max_failures: i64,
    pub login_window: Duration,
    pub password_min_len: usize,
}

const DEV_JWT_KEY: &str = "dev:tenantdesk-development-signing-key-change-me-0123456789";

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
        );
        let migration_database_url = var(
            "MIGRATION_DATABASE_URL",
            "postgres://tenantdesk_owner:tenantdesk_owner@127.0.0.1:5433/tenantdesk",
        );
        let log_format = var("LOG_FORMAT", "text");
        if !matches!(log_format.as_str(), "text" | "json") {
            bail!("LOG_FORMAT must be text or json, not {log_format:?}");
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
            auth: AuthConfig::from_env()?,
        })
    }
}

impl AuthConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        let raw = var("JWT_KEYS", DEV_JWT_KEY);
        let mut jwt_keys = Vec::new();
        for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kid, secret) = pair
                .split_once(':')
                .context("JWT_KEYS entries are kid:secret")?;
            if secret.len() < 32 {
                bail!("JWT_KEYS: the secret for {kid:?} must be at least 32 bytes");
            }
            jwt_keys.push((kid.to_string(), secret.as_bytes().to_vec()));
        }
        if jwt_keys.is_empty() {
            bail!("JWT_KEYS needs at least one kid:secret pair");
        }
        Ok(Self {
            jwt_keys,
            jwt_issuer: var("JWT_ISSUER", "tenantdesk"),
            jwt_audience: var("JWT_AUDIENCE", "tenantdesk-api"),
            access_ttl: Duration::from_secs(parse("ACCESS_TOKEN_TTL_SECS", "900")?),
            refresh_ttl: Duration::from_secs(parse("REFRESH_TOKEN_TTL_SECS", "2592000")?),
            login_max_failures: parse("LOGIN_MAX_FAILURES", "5")?,
            login_window: Duration::from_secs(parse("LOGIN_WINDOW_SECS", "900")?),
            password_min_len: parse("PASSWORD_MIN_LENGTH", "12")?,
        })
    }
}
