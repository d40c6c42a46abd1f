//! tenantdesk: a multi-tenant support-and-knowledge backend.

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod embeddings;
pub mod error;
pub mod http;
pub mod ingestion;
pub mod knowledge;
pub mod openapi;
pub mod repo;
pub mod server;
pub mod telemetry;
pub mod tickets;
