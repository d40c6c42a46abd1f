//! Request and response bodies of the document routes.

use poem_openapi::{Multipart, Object, types::multipart::Upload};
use serde_json::Value;

pub use crate::knowledge::{DocumentType, Language};
use crate::{
    api::text::Text,
    ids::{CollectionId, DocumentId, JobId},
    repo::{
        Timestamp,
        knowledge::{DocumentRow, VersionRow},
    },
};

/// A new document.
#[derive(Debug, Object)]
pub struct DocumentIn {
    /// 1–500 characters.
    #[oai(validator(min_length = 1, max_length = 500))]
    pub title: Text,
    /// The text (at most `KB_MAX_DOCUMENT_BYTES`, default 512 KiB; more answers 413).
    #[oai(validator(min_length = 1))]
    pub content: String,
    /// `text/plain` (default), `text/markdown` or `text/html` (reduced to its text), in any
    /// case, parameters (`; charset=utf-8`) ignored.
    #[oai(
        skip_serializing_if_is_none,
        validator(
            max_length = 100,
            pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([Tt][Ee][Xx][Tt]/([Pp][Ll][Aa][Ii][Nn]|[Mm][Aa][Rr][Kk][Dd][Oo][Ww][Nn]|[Hh][Tt][Mm][Ll]))?[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(;[\s\S]*)?$"
        )
    )]
    pub content_type: Option<Text>,
    /// The collection it belongs to.
    #[oai(skip_serializing_if_is_none)]
    pub collection_id: Option<CollectionId>,
    /// Default `other`.
    #[oai(rename = "type", skip_serializing_if_is_none)]
    pub doc_type: Option<DocumentType>,
    /// Free-form category, up to 200 characters (a search filter).
    #[oai(skip_serializing_if_is_none, validator(max_length = 200))]
    pub category: Option<Text>,
    /// The language of the content, which decides how keyword search reads it (`en` and `ru`
    /// are stemmed, `other` is matched word by word). Default: detected from the title and
    /// content (`other` when it is neither English nor Russian, or cannot be told).
    #[oai(skip_serializing_if_is_none)]
    pub language: Option<Language>,
    /// Where the content comes from: an http or https URL, up to 2000 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(
            max_length = 2000,
            pattern = r"^(https?://[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+)?$"
        )
    )]
    pub source_url: Option<Text>,
    /// A JSON object, matched by containment in search filters.
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
}

/// Changes to a document; absent fields stay as they are. New `content` makes a new version.
#[derive(Debug, Object)]
pub struct DocumentPatch {
    /// 1–500 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(min_length = 1, max_length = 500)
    )]
    pub title: Option<Text>,
    /// New content: a new version when it differs from the current one.
    #[oai(skip_serializing_if_is_none, validator(min_length = 1))]
    pub content: Option<String>,
    /// The type of the new `content` (default `text/plain`), as in `DocumentIn`.
    #[oai(
        skip_serializing_if_is_none,
        validator(
            max_length = 100,
            pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([Tt][Ee][Xx][Tt]/([Pp][Ll][Aa][Ii][Nn]|[Mm][Aa][Rr][Kk][Dd][Oo][Ww][Nn]|[Hh][Tt][Mm][Ll]))?[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(;[\s\S]*)?$"
        )
    )]
    pub content_type: Option<Text>,
    /// The document's type.
    #[oai(rename = "type", skip_serializing_if_is_none)]
    pub doc_type: Option<DocumentType>,
    /// Up to 200 characters; an empty string clears it.
    #[oai(skip_serializing_if_is_none, validator(max_length = 200))]
    pub category: Option<Text>,
    /// The content's language (its chunks are re-indexed in it at once). Absent with new
    /// `content`: detected again from the new content; absent otherwise: unchanged.
    #[oai(skip_serializing_if_is_none)]
    pub language: Option<Language>,
    /// An http or https URL, up to 2000 characters; an empty string clears it.
    #[oai(
        skip_serializing_if_is_none,
        validator(
            max_length = 2000,
            pattern = r"^(https?://[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+)?$"
        )
    )]
    pub source_url: Option<Text>,
    /// Moves the document into this collection.
    #[oai(skip_serializing_if_is_none)]
    pub collection_id: Option<CollectionId>,
    /// Replaces the metadata object.
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
    /// Inactive documents are kept but not searched.
    #[oai(skip_serializing_if_is_none)]
    pub is_active: Option<bool>,
}

/// A document (without its content; see its versions).
#[derive(Debug, Object)]
pub struct DocumentOut {
    pub id: DocumentId,
    /// The collection it belongs to, if any.
    #[oai(skip_serializing_if_is_none)]
    pub collection_id: Option<CollectionId>,
    pub title: String,
    /// The document's type.
    #[oai(rename = "type")]
    pub doc_type: DocumentType,
    #[oai(skip_serializing_if_is_none)]
    pub category: Option<String>,
    /// The language keyword search reads the content in (given, or detected).
    pub language: Language,
    /// Where the content comes from.
    #[oai(skip_serializing_if_is_none)]
    pub source_url: Option<String>,
    /// A JSON object (search filters match it by containment).
    pub metadata: Value,
    /// Inactive documents are kept but not searched.
    pub is_active: bool,
    /// Set while the document is (soft) deleted.
    #[oai(skip_serializing_if_is_none)]
    pub deleted_at: Option<Timestamp>,
    /// The current version number.
    pub version: i32,
    /// sha256 (hex) of the current version's normalized content.
    pub content_sha256: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<DocumentRow> for DocumentOut {
    fn from(d: DocumentRow) -> Self {
        Self {
            id: d.id,
            collection_id: d.collection_id,
            title: d.title,
            doc_type: d.doc_type,
            category: d.category,
            language: d.language,
            source_url: d.source_url,
            metadata: d.metadata,
            is_active: d.is_active,
            deleted_at: d.deleted_at,
            version: d.current_version,
            content_sha256: hex::encode(d.content_hash),
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A document as written: with the ingestion job that indexes it.
#[derive(Debug, Object)]
pub struct DocumentWritten {
    #[oai(flatten)]
    pub document: DocumentOut,
    /// True when a live document already had exactly this content: nothing was stored and this
    /// is that document.
    pub deduplicated: bool,
    /// The job chunking and embedding this version (absent when nothing changed).
    #[oai(skip_serializing_if_is_none)]
    pub job_id: Option<JobId>,
}

/// One page of documents, oldest first.
pub type DocumentPage = crate::api::Page<DocumentOut>;

/// Many documents indexed by one ingestion job.
#[derive(Debug, Object)]
pub struct BulkIn {
    /// 1–100 documents.
    #[oai(validator(min_items = 1, max_items = 100))]
    pub documents: Vec<DocumentIn>,
}

/// The outcome of a bulk create, in the order of the request.
#[derive(Debug, Object)]
pub struct BulkOut {
    pub documents: Vec<DocumentWritten>,
    /// The one job indexing every new document (absent when all were duplicates).
    #[oai(skip_serializing_if_is_none)]
    pub job_id: Option<JobId>,
}

/// A multipart upload of one file.
#[derive(Debug, Multipart)]
#[oai(deny_unknown_fields)]
pub struct DocumentUpload {
    /// The file, UTF-8 text: text/plain, text/markdown or text/html, by its part's content type
    /// (`application/octet-stream` counts as none), else by its extension (.txt or .text, .md or
    /// .markdown, .html or .htm), else text/plain.
    pub file: Upload,
    /// Default: the file name.
    pub title: Option<String>,
    pub collection_id: Option<CollectionId>,
    /// guide, api, faq, policy or other.
    #[oai(rename = "type")]
    pub doc_type: Option<String>,
    pub category: Option<String>,
    /// en, ru or other (default: detected from the file's text).
    pub language: Option<String>,
    pub source_url: Option<String>,
    /// A JSON object, as text.
    pub metadata: Option<String>,
}

/// A version of a document's content.
#[derive(Debug, Object)]
pub struct VersionOut {
    pub version: i32,
    pub content_type: String,
    /// The content as sent (only on `GET …/versions/{version}`).
    #[oai(skip_serializing_if_is_none)]
    pub raw_content: Option<String>,
    /// The normalized text that is chunked and searched (only on `GET …/versions/{version}`).
    #[oai(skip_serializing_if_is_none)]
    pub content: Option<String>,
    /// sha256 (hex) of the normalized content.
    pub content_sha256: String,
    pub valid_from: Timestamp,
    /// When a newer version replaced it; absent for the current version.
    #[oai(skip_serializing_if_is_none)]
    pub valid_to: Option<Timestamp>,
}

impl From<VersionRow> for VersionOut {
    fn from(v: VersionRow) -> Self {
        Self {
            version: v.version,
            content_type: v.content_type,
            raw_content: v.raw_content,
            content: v.content,
            content_sha256: hex::encode(v.content_hash),
            valid_from: v.valid_from,
            valid_to: v.valid_to,
        }
    }
}

/// A document's versions, newest first.
#[derive(Debug, Object)]
pub struct VersionList {
    pub items: Vec<VersionOut>,
}

/// One chunk with its vector.
#[derive(Debug, Object)]
pub struct ChunkIn {
    /// The chunk's text (searched by keyword, returned in results), 1–100,000 characters.
    #[oai(validator(min_length = 1, max_length = 100000))]
    pub content: String,
    /// Its vector (1–4096 numbers, each within the range of a 32-bit float); every vector of a
    /// model has the same dimension.
    #[oai(validator(
        min_items = 1,
        max_items = 4096,
        minimum(value = "-3.4028234663852886e38"),
        maximum(value = "3.4028234663852886e38")
    ))]
    pub embedding: Vec<f32>,
}

/// Chunks with vectors made by the client, replacing the current version's chunks of `model`.
#[derive(Debug, Object)]
pub struct ChunksIn {
    /// The embedding model's name (1–200 characters). Searches compare only vectors of one
    /// model; for the service's own model the dimension must be the service's.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub model: Text,
    /// 1–1000 chunks, in document order.
    #[oai(validator(min_items = 1, max_items = 1000))]
    pub chunks: Vec<ChunkIn>,
}

/// What was stored.
#[derive(Debug, Object)]
pub struct ChunksOut {
    pub document_id: DocumentId,
    pub version: i32,
    pub model: String,
    pub dims: i32,
    pub chunks: i32,
}
