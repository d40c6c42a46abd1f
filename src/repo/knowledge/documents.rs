//! Documents and their versions.

use serde_json::Value;
use tokio_postgres::Row;

use crate::{
    db::TenantTx,
    error::{ApiError, ApiResult},
    ids::{CollectionId, DocumentId},
    knowledge::{DocumentType, Language},
    repo::{Timestamp, column},
};

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: DocumentId,
    pub collection_id: Option<CollectionId>,
    pub title: String,
    pub doc_type: DocumentType,
    pub category: Option<String>,
    pub language: Language,
    pub source_url: Option<String>,
    pub metadata: Value,
    pub is_active: bool,
    pub deleted_at: Option<Timestamp>,
    pub current_version: i32,
    pub content_hash: Vec<u8>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl TryFrom<&Row> for DocumentRow {
    type Error = ApiError;

    fn try_from(r: &Row) -> ApiResult<Self> {
        Ok(Self {
            id: r.get("id"),
            collection_id: r.get("collection_id"),
            title: r.get("title"),
            doc_type: column(r, "doc_type")?,
            category: r.get("category"),
            language: column(r, "language")?,
            source_url: r.get("source_url"),
            metadata: r.get("metadata"),
            is_active: r.get("is_active"),
            deleted_at: r.get("deleted_at"),
            current_version: r.get("current_version"),
            content_hash: r.get("content_hash"),
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
        })
    }
}

/// Documents joined with their current version's hash.
const DOCUMENT_SELECT: &str = "select d.id, d.collection_id, d.title, d.doc_type, d.category,
        d.language, d.source_url, d.metadata, d.is_active, d.deleted_at, d.current_version, v.content_hash,
        d.created_at, d.updated_at
   from kb_documents d
   join kb_document_versions v
     on v.tenant_id = d.tenant_id and v.document_id = d.id and v.version = d.current_version";

pub struct NewDocument<'a> {
    pub collection_id: Option<CollectionId>,
    pub title: &'a str,
    pub doc_type: DocumentType,
    pub category: Option<&'a str>,
    pub language: Language,
    pub source_url: Option<&'a str>,
    pub metadata: &'a Value,
}

/// A version's content: what was sent, as what, and the normalized text that is chunked.
pub struct Content<'a> {
    pub content_type: &'a str,
    pub raw: &'a str,
    pub text: &'a str,
    pub hash: &'a [u8],
}

/// Serialises writers of the same content in one tenant, so two identical uploads at once still
/// make one document.
async fn lock_hash(tx: &TenantTx, hash: &[u8]) -> ApiResult<()> {
    tx.execute(
        "select pg_advisory_xact_lock(hashtextextended($1::text || encode($2, 'hex'), 6))",
        &[&tx.tenant_id().to_string(), &hash],
    )
    .await?;
    Ok(())
}

/// The live (not deleted) document whose current content has this hash.
pub async fn find_by_hash(tx: &TenantTx, hash: &[u8]) -> ApiResult<Option<DocumentRow>> {
    let sql = format!(
        "{DOCUMENT_SELECT} where d.tenant_id = $1 and v.content_hash = $2 and v.valid_to is null
            and d.deleted_at is null order by d.id limit 1"
    );
    tx.query_opt(&sql, &[&tx.tenant_id(), &hash])
        .await?
        .as_ref()
        .map(DocumentRow::try_from)
        .transpose()
}

/// Creates a document with version 1 and queues its ingestion, unless a live document already
/// has the same content: then that one is returned and `false`.
pub async fn create_document(
    tx: &TenantTx,
    d: &NewDocument<'_>,
    c: &Content<'_>,
) -> ApiResult<(DocumentRow, bool)> {
    lock_hash(tx, c.hash).await?;
    if let Some(existing) = find_by_hash(tx, c.hash).await? {
        return Ok((existing, false));
    }
    let id: DocumentId = tx
        .query_one(
            "insert into kb_documents (tenant_id, collection_id, title, doc_type, category,
                    source_url, metadata, created_by, language)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
            &[
                &tx.tenant_id(),
                &d.collection_id,
                &d.title,
                &d.doc_type,
                &d.category,
                &d.source_url,
                &d.metadata,
                &tx.user_id(),
                &d.language,
            ],
        )
        .await?
        .get(0);
    insert_version(tx, id, 1, c).await?;
    let doc = get_document(tx, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("document vanished inside its transaction"))
    })?;
    Ok((doc, true))
}

async fn insert_version(
    tx: &TenantTx,
    id: DocumentId,
    version: i32,
    c: &Content<'_>,
) -> ApiResult<()> {
    tx.execute(
        "insert into kb_document_versions (tenant_id, document_id, version, content_type,
                raw_content, content, content_hash, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &tx.tenant_id(),
            &id,
            &version,
            &c.content_type,
            &c.raw,
            &c.text,
            &c.hash,
            &tx.user_id(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn get_document(tx: &TenantTx, id: DocumentId) -> ApiResult<Option<DocumentRow>> {
    let sql = format!("{DOCUMENT_SELECT} where d.tenant_id = $1 and d.id = $2");
    tx.query_opt(&sql, &[&tx.tenant_id(), &id])
        .await?
        .as_ref()
        .map(DocumentRow::try_from)
        .transpose()
}

pub struct DocumentFilter {
    pub collection_id: Option<CollectionId>,
    pub deleted: bool,
}

pub async fn list_documents(
    tx: &TenantTx,
    f: &DocumentFilter,
    after: Option<DocumentId>,
    limit: i64,
) -> ApiResult<Vec<DocumentRow>> {
    let sql = format!(
        "{DOCUMENT_SELECT} where d.tenant_id = $1 and ($2::uuid is null or d.id > $2)
            and ($3::uuid is null or d.collection_id = $3) and (d.deleted_at is not null) = $4
          order by d.id limit $5"
    );
    let rows = tx
        .query(
            &sql,
            &[
                &tx.tenant_id(),
                &after,
                &f.collection_id,
                &f.deleted,
                &limit,
            ],
        )
        .await?;
    rows.iter().map(DocumentRow::try_from).collect()
}

#[derive(Default)]
pub struct DocumentPatch<'a> {
    /// `Some(None)` moves the document out of any collection.
    pub collection_id: Option<Option<CollectionId>>,
    pub title: Option<&'a str>,
    pub doc_type: Option<DocumentType>,
    pub category: Option<Option<&'a str>>,
    pub language: Option<Language>,
    pub source_url: Option<Option<&'a str>>,
    pub metadata: Option<&'a Value>,
    pub is_active: Option<bool>,
}

/// Changes a live document's attributes and, when `content` differs from the current version,
/// adds a version (the old one is kept, its `valid_to` set). Returns the document and whether a
/// version was added. `Ok(None)`: no such live document.
pub async fn update_document(
    tx: &TenantTx,
    id: DocumentId,
    p: &DocumentPatch<'_>,
    content: Option<&Content<'_>>,
) -> ApiResult<Option<(DocumentRow, bool)>> {
    let Some(current) = tx
        .query_opt(
            "select current_version from kb_documents
              where tenant_id = $1 and id = $2 and deleted_at is null for update",
            &[&tx.tenant_id(), &id],
        )
        .await?
    else {
        return Ok(None);
    };
    let version: i32 = current.get(0);
    let mut new_version = false;
    if let Some(c) = content {
        let same: bool = tx
            .query_one(
                "select content_hash = $4 from kb_document_versions
                  where tenant_id = $1 and document_id = $2 and version = $3",
                &[&tx.tenant_id(), &id, &version, &c.hash],
            )
            .await?
            .get(0);
        if !same {
            tx.execute(
                "update kb_document_versions set valid_to = now()
                  where tenant_id = $1 and document_id = $2 and version = $3",
                &[&tx.tenant_id(), &id, &version],
            )
            .await?;
            insert_version(tx, id, version + 1, c).await?;
            new_version = true;
        }
    }
    let (set_collection, collection) = split(p.collection_id);
    let (set_category, category) = split(p.category);
    let (set_url, url) = split(p.source_url);
    tx.execute(
        "update kb_documents set
                collection_id = case when $3 then $4 else collection_id end,
                title = coalesce($5, title), doc_type = coalesce($6, doc_type),
                category = case when $7 then $8 else category end,
                source_url = case when $9 then $10 else source_url end,
                metadata = coalesce($11, metadata), is_active = coalesce($12, is_active),
                current_version = current_version + $13::int,
                language = coalesce($14, language), updated_at = now()
          where tenant_id = $1 and id = $2",
        &[
            &tx.tenant_id(),
            &id,
            &set_collection,
            &collection,
            &p.title,
            &p.doc_type,
            &set_category,
            &category,
            &set_url,
            &url,
            &p.metadata,
            &p.is_active,
            &i32::from(new_version),
            &p.language,
        ],
    )
    .await?;
    if let Some(language) = p.language {
        // The chunks (of every version and model) are indexed in the document's language; their
        // tsvectors are generated from it, and the statistics follow through their trigger.
        tx.execute(
            "update kb_chunks set language = $3
              where tenant_id = $1 and document_id = $2 and language <> $3",
            &[&tx.tenant_id(), &id, &language],
        )
        .await?;
    }
    Ok(get_document(tx, id).await?.map(|d| (d, new_version)))
}

fn split<T>(v: Option<Option<T>>) -> (bool, Option<T>) {
    match v {
        Some(inner) => (true, inner),
        None => (false, None),
    }
}

/// Soft delete (`deleted = true`) or restore. `Ok(None)`: no such document in that state.
pub async fn set_deleted(tx: &TenantTx, id: DocumentId, deleted: bool) -> ApiResult<Option<()>> {
    let n = tx
        .execute(
            "update kb_documents
                set deleted_at = case when $3 then now() end, updated_at = now()
              where tenant_id = $1 and id = $2 and (deleted_at is null) = $3",
            &[&tx.tenant_id(), &id, &deleted],
        )
        .await?;
    Ok((n > 0).then_some(()))
}

/// Removes a document with every version and chunk.
pub async fn hard_delete(tx: &TenantTx, id: DocumentId) -> ApiResult<Option<()>> {
    let n = tx
        .execute(
            "delete from kb_documents where tenant_id = $1 and id = $2",
            &[&tx.tenant_id(), &id],
        )
        .await?;
    Ok((n > 0).then_some(()))
}

#[derive(Debug, Clone)]
pub struct VersionRow {
    pub version: i32,
    pub content_type: String,
    pub raw_content: Option<String>,
    pub content: Option<String>,
    pub content_hash: Vec<u8>,
    pub valid_from: Timestamp,
    pub valid_to: Option<Timestamp>,
}

impl From<&Row> for VersionRow {
    fn from(r: &Row) -> Self {
        Self {
            version: r.get("version"),
            content_type: r.get("content_type"),
            raw_content: r.get("raw_content"),
            content: r.get("content"),
            content_hash: r.get("content_hash"),
            valid_from: r.get("valid_from"),
            valid_to: r.get("valid_to"),
        }
    }
}

/// Versions newest first, without their content.
pub async fn list_versions(tx: &TenantTx, id: DocumentId) -> ApiResult<Vec<VersionRow>> {
    let rows = tx
        .query(
            "select version, content_type, null::text as raw_content, null::text as content,
                    content_hash, valid_from, valid_to
               from kb_document_versions where tenant_id = $1 and document_id = $2
              order by version desc",
            &[&tx.tenant_id(), &id],
        )
        .await?;
    Ok(rows.iter().map(VersionRow::from).collect())
}

pub async fn get_version(
    tx: &TenantTx,
    id: DocumentId,
    version: i32,
) -> ApiResult<Option<VersionRow>> {
    Ok(tx
        .query_opt(
            "select version, content_type, raw_content, content, content_hash, valid_from, valid_to
               from kb_document_versions
              where tenant_id = $1 and document_id = $2 and version = $3",
            &[&tx.tenant_id(), &id, &version],
        )
        .await?
        .as_ref()
        .map(VersionRow::from))
}
