//! `POST /v1/search`: semantic (vectors), keyword (full text) or hybrid (reciprocal rank fusion
//! of both) search over the caller's tenant's knowledge base.

use std::collections::HashMap;

use poem::web::Data;
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    api::Tag,
    api::body::JsonBody,
    api::documents::DocumentType,
    api::text::Text,
    app::AppState,
    auth::Auth,
    error::{ApiError, ApiResult},
    repo::{
        self,
        search::{Filters, Hit},
    },
};

pub struct SearchApi;

/// How results are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum SearchMode {
    /// Nearest chunks by cosine similarity of embeddings.
    Semantic,
    /// Full-text match of the query's words (web-search syntax: quotes, `or`, `-word`).
    Keyword,
    /// Both, fused by reciprocal rank (k = 60).
    Hybrid,
}

/// Narrowing the search; all given filters must hold.
#[derive(Debug, Default, Object)]
pub struct SearchFilters {
    #[oai(skip_serializing_if_is_none)]
    pub collection_id: Option<Uuid>,
    #[oai(rename = "type", skip_serializing_if_is_none)]
    pub doc_type: Option<DocumentType>,
    /// Only documents of this category (up to 200 characters).
    #[oai(skip_serializing_if_is_none, validator(max_length = 200))]
    pub category: Option<Text>,
    /// A JSON object the document's metadata must contain (`@>`).
    #[oai(skip_serializing_if_is_none)]
    pub metadata: Option<Value>,
}

/// A search request: a text `query`, a `vector`, or both.
#[derive(Debug, Object)]
pub struct SearchIn {
    /// The question or keywords (1–2000 characters). Embedded with the service's model for
    /// semantic search unless `vector` is given.
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
    /// Default: `hybrid` with a query, `semantic` with only a vector.
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
    /// Drop results scoring lower: cosine similarity (semantic), `ts_rank_cd` (keyword) or the
    /// fused reciprocal-rank score (hybrid, at most 2/61).
    #[oai(skip_serializing_if_is_none)]
    pub min_score: Option<f64>,
}

/// One matching chunk.
#[derive(Debug, Object)]
pub struct SearchHit {
    pub chunk_id: Uuid,
    /// The chunk's position in its document version.
    pub chunk_index: i32,
    /// The chunk's text.
    pub content: String,
    pub document_id: Uuid,
    pub title: String,
    #[oai(skip_serializing_if_is_none)]
    pub source_url: Option<String>,
    /// The document version the chunk belongs to (always the current one).
    pub version: i32,
    /// Higher is better; its meaning depends on the mode (see `min_score`).
    pub score: f64,
}

impl From<Hit> for SearchHit {
    fn from(h: Hit) -> Self {
        Self {
            chunk_id: h.chunk_id,
            chunk_index: h.chunk_index,
            content: h.content,
            document_id: h.document_id,
            title: h.title,
            source_url: h.source_url,
            version: h.version,
            score: h.score,
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

/// Reciprocal rank fusion constant (the usual 60).
const RRF_K: f64 = 60.0;

/// Fuses ranked lists: score = Σ 1 / (k + rank).
fn fuse(lists: [Vec<Hit>; 2], top_k: usize) -> Vec<Hit> {
    let mut by_id: HashMap<Uuid, Hit> = HashMap::new();
    for list in lists {
        for (rank, h) in list.into_iter().enumerate() {
            let add = 1.0 / (RRF_K + rank as f64 + 1.0);
            by_id
                .entry(h.chunk_id)
                .and_modify(|e| e.score += add)
                .or_insert(Hit { score: add, ..h });
        }
    }
    let mut all: Vec<Hit> = by_id.into_values().collect();
    all.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.chunk_id.cmp(&b.chunk_id))
    });
    all.truncate(top_k);
    all
}

#[OpenApi(prefix_path = "/v1/search", tag = "Tag::Search")]
impl SearchApi {
    /// Search the knowledge base: the current version of live, active documents of the caller's
    /// tenant. Results are chunks with their document's id, title, URL and version.
    #[oai(path = "/", method = "post", operation_id = "search")]
    async fn search(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: JsonBody<SearchIn>,
    ) -> ApiResult<Json<SearchOut>> {
        let p = auth.principal()?;
        let b = body.0;
        let query = b.query.map(Text::into_string);
        let mode = match (b.mode, &query, &b.vector) {
            (Some(m), ..) => m,
            (None, Some(_), _) => SearchMode::Hybrid,
            (None, None, Some(_)) => SearchMode::Semantic,
            (None, None, None) => {
                return Err(ApiError::invalid("query", "give a query or a vector"));
            }
        };
        if mode != SearchMode::Semantic && query.is_none() {
            return Err(ApiError::invalid(
                "query",
                "keyword and hybrid search need a query",
            ));
        }
        if mode == SearchMode::Keyword && b.vector.is_some() {
            return Err(ApiError::invalid(
                "vector",
                "keyword search takes no vector",
            ));
        }
        let top_k = b.top_k.unwrap_or(10);
        if b.min_score.is_some_and(|s| !s.is_finite()) {
            return Err(ApiError::invalid("min_score", "min_score must be a number"));
        }
        let f = b.filters.unwrap_or_default();
        if let Some(m) = &f.metadata
            && !m.is_object()
        {
            return Err(ApiError::invalid(
                "filters.metadata",
                "filters.metadata must be a JSON object",
            ));
        }
        let model = b
            .model
            .map_or_else(|| state.embedder.model().to_string(), Text::into_string);
        let own_model = model == state.embedder.model();
        if let Some(v) = &b.vector {
            if v.iter().any(|x| !x.is_finite()) {
                return Err(ApiError::invalid(
                    "vector",
                    "vector must hold finite numbers",
                ));
            }
            if own_model && v.len() != state.embedder.dims() {
                return Err(ApiError::invalid(
                    "vector",
                    format!(
                        "vector has {} dimensions; model {model} has {}",
                        v.len(),
                        state.embedder.dims()
                    ),
                ));
            }
        } else if mode != SearchMode::Keyword && !own_model {
            return Err(ApiError::invalid(
                "vector",
                format!("the service cannot embed for model {model}: give a vector"),
            ));
        }
        // Embed the query before the transaction: no connection is held while the model runs.
        let vector = match (&b.vector, &query) {
            _ if mode == SearchMode::Keyword => None,
            (Some(v), _) => Some(v.clone()),
            (None, Some(q)) => Some(
                state
                    .embedder
                    .embed(std::slice::from_ref(q))
                    .await
                    .map_err(ApiError::unavailable)?
                    .remove(0),
            ),
            (None, None) => None,
        };
        let filters = Filters {
            collection_id: f.collection_id,
            doc_type: f.doc_type.map(|t| t.as_str().to_string()),
            category: f.category.map(Text::into_string),
            metadata: f.metadata,
        };
        // Hybrid fuses deeper lists than it returns, so a chunk strong in one list only can rank.
        let depth = if mode == SearchMode::Hybrid {
            (top_k * 2).max(20)
        } else {
            top_k
        };
        let vector = vector.map(pgvector::Vector::from);
        let hnsw = state.config.kb.hnsw;
        let (sem, kw) = state
            .db
            .tenant(&p.scope(), async |tx| {
                if let (false, Some(v)) = (own_model, &vector)
                    && let Some(d) = repo::knowledge::model_dims(tx, &model).await?
                    && d as usize != v.as_slice().len()
                {
                    return Err(ApiError::invalid(
                        "vector",
                        format!("model {model} has {d}-dimensional vectors"),
                    ));
                }
                let sem = match &vector {
                    Some(v) => repo::search::semantic(tx, &model, v, &filters, depth, hnsw).await?,
                    None => Vec::new(),
                };
                let kw = match (&query, mode) {
                    (Some(q), SearchMode::Keyword | SearchMode::Hybrid) => {
                        repo::search::keyword(tx, &model, q, &filters, depth).await?
                    }
                    _ => Vec::new(),
                };
                Ok((sem, kw))
            })
            .await?;
        let hits = match mode {
            SearchMode::Semantic => sem,
            SearchMode::Keyword => kw,
            SearchMode::Hybrid => fuse([sem, kw], top_k as usize),
        };
        let results = hits
            .into_iter()
            .filter(|h| b.min_score.is_none_or(|m| h.score >= m))
            .take(top_k as usize)
            .map(Into::into)
            .collect();
        Ok(Json(SearchOut {
            mode,
            model,
            results,
        }))
    }
}
