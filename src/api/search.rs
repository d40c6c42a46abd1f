//! `POST /v1/search`: semantic (vectors), keyword (BM25 over full text) or hybrid (weighted
//! reciprocal rank fusion of both) search over the caller's tenant's knowledge base.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};
use serde_json::Value;

pub use crate::search::SearchMode;
use crate::{
    api::Tag,
    api::body::JsonBody,
    api::documents::{DocumentType, Language},
    api::text::Text,
    app::AppState,
    auth::Tenant,
    error::ApiResult,
    ids::{ChunkId, CollectionId, DocumentId},
    search::{self, Filters, Hit, OwnModel, Plan},
};

pub struct SearchApi;

/// Narrowing the search; all given filters must hold.
#[derive(Debug, Default, Object)]
pub struct SearchFilters {
    #[oai(skip_serializing_if_is_none)]
    pub collection_id: Option<CollectionId>,
    #[oai(rename = "type", skip_serializing_if_is_none)]
    pub doc_type: Option<DocumentType>,
    /// Only documents of this category (up to 200 characters).
    #[oai(skip_serializing_if_is_none, validator(max_length = 200))]
    pub category: Option<Text>,
    /// A JSON object the document's metadata must contain (`@>`).
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
    /// Only documents in this language.
    #[oai(skip_serializing_if_is_none)]
    pub language: Option<Language>,
}

/// A search request: a text `query`, a `vector`, or both.
#[derive(Debug, Object)]
pub struct SearchIn {
    /// The question or keywords (1–2000 characters). Embedded with the service's model for
    /// semantic search unless `vector` is given. Web-search operators (`"a phrase"`, `or`,
    /// `-word`) make keyword matching strict; exclusions (`-word`, `-"a phrase"`) leave the
    /// chunks matching them out of every mode and are not embedded. A query of exclusions only
    /// is a 422 (nothing to search for).
    #[oai(
        skip_serializing_if_is_none,
        validator(min_length = 1, max_length = 2000)
    )]
    pub query: Option<Text>,
    /// A query vector made by the client (1–4096 numbers), for semantic search (with `model`).
    #[oai(
        skip_serializing_if_is_none,
        validator(min_items = 1, max_items = 4096)
    )]
    pub vector: Option<Vec<f32>>,
    /// Whose vectors to search (default: the service's model). Only chunks embedded by this model
    /// are compared and returned. 1–200 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(min_length = 1, max_length = 200)
    )]
    pub model: Option<Text>,
    /// Default: `hybrid` with a query, `semantic` with only a vector. Keyword matching (in
    /// `keyword` and `hybrid`) finds chunks sharing any word of the query, ranked by BM25; a
    /// query with an operator of the web-search syntax (`"exact phrase"`, `or`, `-word`) matches
    /// only chunks holding every word, as written. The query's words are read in each
    /// document's language (stemmed for `en` and `ru`).
    #[oai(skip_serializing_if_is_none)]
    pub mode: Option<SearchMode>,
    /// Number of results, 1–100 (default 10).
    #[oai(
        skip_serializing_if_is_none,
        validator(minimum(value = "1"), maximum(value = "100"))
    )]
    pub top_k: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub filters: Option<SearchFilters>,
    /// Drop results whose `score` is lower: cosine similarity (semantic), BM25 (keyword) or the
    /// fused reciprocal-rank score (hybrid: at most (1 + 1.5) / 11 ≈ 0.227, for a chunk first in
    /// both lists). To threshold hybrid results on
    /// similarity, filter on `semantic_score` instead.
    #[oai(skip_serializing_if_is_none)]
    pub min_score: Option<f64>,
}

/// One matching chunk.
#[derive(Debug, Object)]
pub struct SearchHit {
    pub chunk_id: ChunkId,
    /// The chunk's position in its document version.
    pub chunk_index: i32,
    /// The chunk's text.
    pub content: String,
    pub document_id: DocumentId,
    pub title: String,
    #[oai(skip_serializing_if_is_none)]
    pub source_url: Option<String>,
    /// The document version the chunk belongs to (always the current one).
    pub version: i32,
    /// The document's language.
    pub language: Language,
    /// Higher is better; its meaning depends on the mode (see `min_score`): in `semantic` it is
    /// `semantic_score`, in `keyword` it is `keyword_score`, in `hybrid` the fused score.
    pub score: f64,
    /// 1-based position in these results (the fused rank in `hybrid`).
    pub rank: i32,
    /// Cosine similarity of the chunk's vector to the query vector, -1 to 1: in `semantic` and
    /// `hybrid` (where every result has it, also those only keyword matching found). Comparable
    /// across queries of one model; absent in `keyword`.
    #[oai(skip_serializing_if_is_none)]
    pub semantic_score: Option<f64>,
    /// BM25 score of the keyword match (0 or more; grows with matched rare words, not bounded,
    /// and not comparable across tenants or languages): present when keyword matching found
    /// the chunk among its best.
    #[oai(skip_serializing_if_is_none)]
    pub keyword_score: Option<f64>,
    /// 1-based position of the chunk in the semantic list before fusion, when it was in it.
    #[oai(skip_serializing_if_is_none)]
    pub semantic_rank: Option<i32>,
    /// 1-based position of the chunk in the keyword list before fusion, when it was in it.
    #[oai(skip_serializing_if_is_none)]
    pub keyword_rank: Option<i32>,
}

impl SearchHit {
    /// The hit at 0-based position `at` of the results.
    fn of(h: Hit, at: usize) -> Self {
        Self {
            chunk_id: h.chunk_id,
            chunk_index: h.chunk_index,
            content: h.content,
            document_id: h.document_id,
            title: h.title,
            source_url: h.source_url,
            version: h.version,
            language: h.language,
            score: h.score,
            rank: at as i32 + 1,
            semantic_score: h.semantic,
            keyword_score: h.keyword,
            semantic_rank: h.semantic_rank.map(|r| r as i32),
            keyword_rank: h.keyword_rank.map(|r| r as i32),
        }
    }
}

/// Results, best first.
#[derive(Debug, Object)]
pub struct SearchOut {
    pub mode: SearchMode,
    pub model: String,
    pub results: Vec<SearchHit>,
}

#[OpenApi(prefix_path = "/v1/search", tag = "Tag::Search")]
impl SearchApi {
    /// Search the knowledge base: the current version of live, active documents of the caller's
    /// tenant. Results are chunks with their document's id, title, URL and version.
    #[oai(path = "/", method = "post", operation_id = "search")]
    async fn search(
        &self,
        state: Data<&AppState>,
        p: Tenant,
        body: JsonBody<SearchIn>,
    ) -> ApiResult<Json<SearchOut>> {
        let b = body.0;
        let plan = Plan::parse(b.into(), own_model(&state))?;
        let found = plan
            .run(
                &state.db,
                &p.scope(),
                state.embedder.as_ref(),
                state.config.kb.hnsw,
            )
            .await?;
        let (mode, model) = (plan.mode, plan.model);
        let results: Vec<SearchHit> = found
            .hits
            .into_iter()
            .enumerate()
            .map(|(i, h)| SearchHit::of(h, i))
            .collect();
        crate::api::analytics::record_search(
            &state,
            &p,
            mode,
            plan.query.as_deref(),
            results.len(),
        )
        .await;
        Ok(Json(SearchOut {
            mode,
            model,
            results,
        }))
    }
}

/// The service's embedding model, which queries are embedded with.
pub fn own_model<'a>(state: &'a AppState) -> OwnModel<'a> {
    OwnModel {
        name: state.embedder.model(),
        dims: state.embedder.dims(),
    }
}

impl From<SearchFilters> for Filters {
    fn from(f: SearchFilters) -> Self {
        Filters {
            collection_id: f.collection_id,
            doc_type: f.doc_type.map(|t| t.as_str().to_string()),
            category: f.category.map(Text::into_string),
            metadata: f.metadata,
            language: f.language,
            // From the query (search::Plan), not from the filters object.
            exclude: None,
        }
    }
}

impl From<SearchIn> for search::Request {
    fn from(b: SearchIn) -> Self {
        search::Request {
            query: b.query.map(Text::into_string),
            vector: b.vector,
            model: b.model.map(Text::into_string),
            mode: b.mode,
            top_k: b.top_k,
            filters: b.filters.map(Into::into).unwrap_or_default(),
            min_score: b.min_score,
        }
    }
}
