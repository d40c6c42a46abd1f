//! tenantdesk: a multi-tenant support-and-knowledge backend.

pub mod api;
pub mod app;
pub mod assistant;
pub mod auth;
pub mod config;
pub mod db;
pub mod embeddings;
pub mod error;
pub mod eval;
pub mod http;
pub mod ids;
pub mod ingestion;
pub mod knowledge;
pub mod metrics;
pub mod openapi;
pub mod repo;
pub mod search;
pub mod server;
pub mod telemetry;
pub mod tickets;
pub mod usage;
