//! Knowledge-base values kept in the database as text: a document's type and an ingestion job's
//! status (their text is derived once, see `db::text_enum!`).

use poem_openapi::Enum;

/// What kind of text a document is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Enum,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[oai(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum DocumentType {
    /// How to do something.
    Guide,
    /// Reference of an API.
    Api,
    /// Questions and answers.
    Faq,
    /// Rules the company keeps.
    Policy,
    /// Anything else (the default).
    Other,
}

/// Where an ingestion job is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Enum,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[oai(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker (new, or to be retried at `next_attempt_at`).
    Pending,
    /// Held by a worker until `locked_until`; a worker that dies lets it expire and another
    /// takes over.
    Running,
    /// Every document is indexed.
    Completed,
    /// Out of attempts; see `error_log`.
    Failed,
}

crate::db::text_enum!(DocumentType, JobStatus);
