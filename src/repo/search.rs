//! Knowledge-base search SQL: nearest chunks by cosine distance (HNSW), and keyword matches
//! (full-text, `websearch_to_tsquery`). Both only see the current version of live, active
//! documents, in the caller's tenant, of one embedding model.

use serde_json::Value;
use uuid::Uuid;

use crate::{config::HnswSearch, db::TenantTx, error::ApiResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub chunk_id: Uuid,
    pub chunk_index: i32,
    pub content: String,
    pub document_id: Uuid,
    pub title: String,
    pub source_url: Option<String>,
    pub version: i32,
    /// The score of the list it came from, or the fused score (hybrid).
    pub score: f64,
    /// Its cosine similarity to the query vector, when semantic search found it.
    pub semantic: Option<f64>,
    /// Its `ts_rank_cd`, when keyword search found it.
    pub keyword: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub collection_id: Option<Uuid>,
    pub doc_type: Option<String>,
    pub category: Option<String>,
    pub metadata: Option<Value>,
}

const HIT_COLUMNS: &str = "c.id as chunk_id, c.chunk_index, c.content, d.id as document_id,
    d.title, d.source_url, c.version";

const FILTERS: &str = "c.tenant_id = $1 and c.model = $3 and c.version = d.current_version
    and d.deleted_at is null and d.is_active
    and ($4::uuid is null or d.collection_id = $4) and ($5::text is null or d.doc_type = $5)
    and ($6::text is null or d.category = $6) and ($7::jsonb is null or d.metadata @> $7)";

fn hit(r: &tokio_postgres::Row) -> Hit {
    Hit {
        chunk_id: r.get("chunk_id"),
        chunk_index: r.get("chunk_index"),
        content: r.get("content"),
        document_id: r.get("document_id"),
        title: r.get("title"),
        source_url: r.get("source_url"),
        version: r.get("version"),
        score: r.get("score"),
        semantic: None,
        keyword: None,
    }
}

/// The `limit` chunks nearest to `vector` (score = cosine similarity), best first.
///
/// The HNSW index is an expression index per dimension, so the dimension is part of the SQL
/// text (it is a checked integer). Under row-level security and the filters a plain HNSW scan
/// may stop short of `limit`; `hnsw.iterative_scan` (`relaxed_order` unless configured
/// otherwise) keeps scanning until the limit is met, and the outer query restores the exact
/// order. `hnsw.ef_search` is the candidate list per step; at least `limit` is used.
pub async fn semantic(
    tx: &TenantTx,
    model: &str,
    vector: &pgvector::Vector,
    f: &Filters,
    limit: i64,
    hnsw: HnswSearch,
) -> ApiResult<Vec<Hit>> {
    let dims = vector.as_slice().len();
    // A generic plan cannot see the tenant's size and picks an exact scan of the tenant's chunks
    // (about 45 ms instead of 3 ms for 20,000 chunks, see bench/README.md). Unnamed statements
    // (db::statement) are planned for their parameters every time anyway; the setting keeps a
    // custom plan per query should this statement ever be prepared and reused.
    let ef_search = hnsw.ef_search.max(limit).clamp(1, 1000).to_string();
    tx.set_local(&[
        ("plan_cache_mode", "force_custom_plan"),
        ("hnsw.iterative_scan", hnsw.iterative_scan.as_str()),
        ("hnsw.ef_search", &ef_search),
    ])
    .await?;
    let sql = format!(
        "select chunk_id, chunk_index, content, document_id, title, source_url, version,
                1 - distance as score
           from (select {HIT_COLUMNS},
                        c.embedding::vector({dims}) <=> $2::vector({dims}) as distance
                   from kb_chunks c
                   join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
                  where c.dims = {dims} and {FILTERS}
                  order by c.embedding::vector({dims}) <=> $2::vector({dims})
                  limit $8) t
          order by distance, chunk_id"
    );
    let rows = tx
        .query(
            &sql,
            &[
                &tx.tenant_id(),
                vector,
                &model,
                &f.collection_id,
                &f.doc_type,
                &f.category,
                &f.metadata,
                &limit,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let h = hit(r);
            Hit {
                semantic: Some(h.score),
                ..h
            }
        })
        .collect())
}

/// The `limit` chunks best matching `query` as keywords (score = `ts_rank_cd`), best first.
///
/// The match runs in `kb_chunks_matching` (sql/0005): under RLS the planner may not use the GIN
/// index for `@@` (not LEAKPROOF), so the function matches as the schema owner for the tenant in
/// `app.tenant_id`. Its rows are filtered and ranked here against `kb_documents`, and only the
/// `limit` best are read from `kb_chunks`, both under this transaction's own RLS.
pub async fn keyword(
    tx: &TenantTx,
    model: &str,
    query: &str,
    f: &Filters,
    limit: i64,
) -> ApiResult<Vec<Hit>> {
    let sql = format!(
        "select t.chunk_id, ch.chunk_index, ch.content, t.document_id, t.title, t.source_url,
                t.version, t.score
           from (select c.id as chunk_id, d.id as document_id, d.title, d.source_url, c.version,
                        c.rank::float8 as score
                   from kb_chunks_matching(websearch_to_tsquery('english', $2)) c
                   join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
                  where {FILTERS}
                  order by score desc, c.id
                  limit $8) t
           join kb_chunks ch on ch.tenant_id = $1 and ch.id = t.chunk_id
          order by t.score desc, t.chunk_id"
    );
    let rows = tx
        .query(
            &sql,
            &[
                &tx.tenant_id(),
                &query,
                &model,
                &f.collection_id,
                &f.doc_type,
                &f.category,
                &f.metadata,
                &limit,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let h = hit(r);
            Hit {
                keyword: Some(h.score),
                ..h
            }
        })
        .collect())
}
