//! Knowledge-base search SQL: nearest chunks by cosine distance (HNSW), and keyword matches
//! ranked by BM25 (`kb_chunks_bm25`, sql/0050). Both only see the current version of live,
//! active documents, in the caller's tenant, of one embedding model.

use serde_json::Value;

use crate::{
    config::HnswSearch,
    db::TenantTx,
    error::ApiResult,
    ids::{ChunkId, CollectionId, DocumentId},
    knowledge::Language,
    repo::column,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub chunk_id: ChunkId,
    pub chunk_index: i32,
    pub content: String,
    pub document_id: DocumentId,
    pub title: String,
    pub source_url: Option<String>,
    pub version: i32,
    /// Its document's language.
    pub language: Language,
    /// The score of the list it came from, or the fused score (hybrid).
    pub score: f64,
    /// Its cosine similarity to the query vector (semantic and hybrid search).
    pub semantic: Option<f64>,
    /// Its BM25 score, when keyword search found it.
    pub keyword: Option<f64>,
    /// Its 1-based position in the semantic list, when semantic search found it.
    pub semantic_rank: Option<usize>,
    /// Its 1-based position in the keyword list, when keyword search found it.
    pub keyword_rank: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub collection_id: Option<CollectionId>,
    pub doc_type: Option<String>,
    pub category: Option<String>,
    pub metadata: Option<Value>,
    pub language: Option<Language>,
    /// What the query excludes (`-word`, `-"a phrase"`), as web-search text (`word or "a
    /// phrase"`): chunks matching it, read in their own language, are left out of every list.
    pub exclude: Option<String>,
}

const HIT_COLUMNS: &str = "c.id as chunk_id, c.chunk_index, c.content, d.id as document_id,
    d.title, d.source_url, c.version, d.language";

const FILTERS: &str = "c.tenant_id = $1 and c.model = $3 and c.version = d.current_version
    and d.deleted_at is null and d.is_active
    and ($4::uuid is null or d.collection_id = $4) and ($5::text is null or d.doc_type = $5)
    and ($6::text is null or d.category = $6) and ($7::jsonb is null or d.metadata @> $7)
    and ($9::text is null or d.language = $9)
    and ($10::text is null
         or not c.tsv @@ websearch_to_tsquery(kb_regconfig(c.language), $10))";

/// The hits of one list, best first, each with its score and rank in that list.
fn hits(rows: &[tokio_postgres::Row], semantic: bool) -> ApiResult<Vec<Hit>> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let score: f64 = r.get("score");
            Ok(Hit {
                chunk_id: r.get("chunk_id"),
                chunk_index: r.get("chunk_index"),
                content: r.get("content"),
                document_id: r.get("document_id"),
                title: r.get("title"),
                source_url: r.get("source_url"),
                version: r.get("version"),
                language: column(r, "language")?,
                score,
                semantic: semantic.then_some(score),
                keyword: (!semantic).then_some(score),
                semantic_rank: semantic.then_some(i + 1),
                keyword_rank: (!semantic).then_some(i + 1),
            })
        })
        .collect()
}

/// The language filter, parameter $9 of [`FILTERS`].
fn language_filter(f: &Filters) -> Option<&'static str> {
    f.language.map(Language::as_str)
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
        "select chunk_id, chunk_index, content, document_id, title, source_url, version, language,
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
                &language_filter(f),
                &f.exclude,
            ],
        )
        .await?;
    hits(&rows, true)
}

/// The cosine similarity of some chunks to `vector`: for the hits of a hybrid search that only
/// keyword search found, so that every hybrid result carries a semantic score.
pub async fn similarity(
    tx: &TenantTx,
    ids: &[ChunkId],
    vector: &pgvector::Vector,
) -> ApiResult<Vec<(ChunkId, f64)>> {
    let dims = vector.as_slice().len() as i32;
    let rows = tx
        .query(
            "select id, 1 - (embedding <=> $3) from kb_chunks
              where tenant_id = $1 and id = any($2) and dims = $4",
            &[&tx.tenant_id(), &ids, vector, &dims],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// How a keyword query matches chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeywordQuery<'a> {
    pub text: &'a str,
    /// Every term (web-search syntax, `websearch_to_tsquery`) rather than any term.
    pub strict: bool,
    /// At most this many candidate chunks per language are scored (see `kb_chunks_bm25`).
    pub candidates: i32,
}

/// The `limit` chunks best matching `q` as keywords (score = BM25), best first.
///
/// The candidates and their scores come from `kb_chunks_bm25` (sql/0050): under RLS the planner
/// may not use the GIN index for `@@` (not LEAKPROOF), so the function matches as the schema
/// owner for the tenant in `app.tenant_id` and returns only ids and scores. The chunks are read,
/// filtered and cut to `limit` here, under this transaction's own RLS.
pub async fn keyword(
    tx: &TenantTx,
    model: &str,
    q: KeywordQuery<'_>,
    f: &Filters,
    limit: i64,
) -> ApiResult<Vec<Hit>> {
    let sql = format!(
        "select {HIT_COLUMNS}, m.score
           from kb_chunks_bm25($2, $11, $12) m
           join kb_chunks c on c.tenant_id = $1 and c.id = m.id
           join kb_documents d on d.tenant_id = c.tenant_id and d.id = c.document_id
          where {FILTERS}
          order by m.score desc, c.id
          limit $8"
    );
    let rows = tx
        .query(
            &sql,
            &[
                &tx.tenant_id(),
                &q.text,
                &model,
                &f.collection_id,
                &f.doc_type,
                &f.category,
                &f.metadata,
                &limit,
                &language_filter(f),
                &f.exclude,
                &q.strict,
                &q.candidates,
            ],
        )
        .await?;
    hits(&rows, false)
}
