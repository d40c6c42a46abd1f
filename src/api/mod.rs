//! HTTP only: DTOs, validation, status codes. One OpenApi struct per resource.

pub mod health;

use poem_openapi::Tags;

#[derive(Tags)]
pub enum Tag {
    /// Liveness and readiness probes.
    Health,
}
