//! `POST /v1/search`: semantic (vectors), keyword (full text) or hybrid (reciprocal rank fusion
//! of both) search over the caller's tenant's knowledge base.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};
use serde_json::Value;
use uuid::Uuid;

pub use crate::search::SearchMode;
use crate::{
    api::Tag,
    api::body::JsonBody,
    api::documents::DocumentType,
    api::text::Text,
    app::AppState,
    auth::Auth,
    error::ApiResult,
    search::{self, Filters, Hit, OwnModel, Plan},
};

pub struct SearchApi;

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
        let results: Vec<SearchHit> = found.hits.into_iter().map(Into::into).collect();
        crate::api::analytics::record_search(&state, p, mode, plan.query.as_deref(), results.len())
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
