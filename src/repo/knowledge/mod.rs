//! Knowledge base SQL: collections, documents and their versions, chunks, ingestion jobs.

mod chunks;
mod collections;
mod documents;
mod jobs;

pub use chunks::*;
pub use collections::*;
pub use documents::*;
pub use jobs::*;
