//! Integration tests: the real service over real HTTP against the real PostgreSQL that
//! `make test` starts. One binary, so the crate compiles once; modules by capability.

mod support;

mod assistant;
mod catalog;
mod connections;
mod contract;
mod http_shell;
mod identity;
mod input;
mod isolation;
mod knowledge;
mod migrations;
mod protocol;
mod sdk;
mod spec;
mod tickets;
mod usage;
