//! A knowledge-base search as a plan: a request is checked and resolved once ([`Plan::parse`]:
//! the mode, the model, where the query vector comes from, the limits), then run
//! ([`Plan::run`]: embed the query outside any transaction, read both lists in one tenant
//! transaction, fuse). `POST /v1/search` and the assistant's retrieval both go through it, so
//! they search alike.

use std::collections::HashMap;

use poem_openapi::Enum;
use uuid::Uuid;

pub use crate::repo::search::{Filters, Hit};
use crate::{
    config::HnswSearch,
    db::{Db, Scope},
    embeddings::Embedder,
    error::{ApiError, ApiResult},
    repo,
};

/// How results are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// Nearest chunks by cosine similarity of embeddings.
    Semantic,
    /// Full-text match of the query's words (web-search syntax: quotes, `or`, `-word`).
    Keyword,
    /// Both, fused by reciprocal rank (k = 60).
    Hybrid,
}

/// A search as asked, before any check.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub query: Option<String>,
    pub vector: Option<Vec<f32>>,
    pub model: Option<String>,
    pub mode: Option<SearchMode>,
    pub top_k: Option<i64>,
    pub filters: Filters,
    pub min_score: Option<f64>,
}

/// The service's own embedding model: what a query can be embedded with.
#[derive(Debug, Clone, Copy)]
pub struct OwnModel<'a> {
    pub name: &'a str,
    pub dims: usize,
}

/// Where the query vector of a semantic (or hybrid) search comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryVector {
    /// Keyword search needs none.
    None,
    /// The client sent it.
    Given(Vec<f32>),
    /// The service embeds the query text with its own model.
    Embed,
}

/// A checked search, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub query: Option<String>,
    pub vector: QueryVector,
    /// Whose vectors are compared.
    pub model: String,
    pub mode: SearchMode,
    pub top_k: i64,
    pub filters: Filters,
    pub min_score: Option<f64>,
}

/// What a run found: the hits, best first, and the query vector it searched with.
#[derive(Debug)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub query_vector: Option<Vec<f32>>,
}

/// Reciprocal rank fusion constant (the usual 60).
const RRF_K: f64 = 60.0;
const MAX_QUERY_CHARS: usize = 2000;
const MAX_VECTOR_DIMS: usize = 4096;

impl Plan {
    /// Checks a request against the service's model; every error is a 422 naming the field.
    pub fn parse(r: Request, own: OwnModel<'_>) -> ApiResult<Self> {
        let query = match r.query.as_deref().map(str::trim) {
            None => None,
            Some(q) if q.is_empty() || q.chars().count() > MAX_QUERY_CHARS => {
                return Err(ApiError::invalid(
                    "query",
                    "query must be 1–2000 characters",
                ));
            }
            Some(q) => Some(q.to_string()),
        };
        let mode = match (r.mode, &query, &r.vector) {
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
        if mode == SearchMode::Keyword && r.vector.is_some() {
            return Err(ApiError::invalid(
                "vector",
                "keyword search takes no vector",
            ));
        }
        let top_k = r.top_k.unwrap_or(10);
        if !(1..=100).contains(&top_k) {
            return Err(ApiError::invalid("top_k", "top_k must be 1–100"));
        }
        if r.min_score.is_some_and(|s| !s.is_finite()) {
            return Err(ApiError::invalid("min_score", "min_score must be a number"));
        }
        let f = r.filters;
        if f.metadata.as_ref().is_some_and(|m| !m.is_object()) {
            return Err(ApiError::invalid(
                "filters.metadata",
                "filters.metadata must be a JSON object",
            ));
        }
        if f.category.as_ref().is_some_and(|c| c.chars().count() > 200) {
            return Err(ApiError::invalid(
                "filters.category",
                "filters.category must be at most 200 characters",
            ));
        }
        let model = match r.model.as_deref().map(str::trim) {
            None => own.name.to_string(),
            Some(m) if m.is_empty() || m.chars().count() > 200 => {
                return Err(ApiError::invalid("model", "model must be 1–200 characters"));
            }
            Some(m) => m.to_string(),
        };
        let own_model = model == own.name;
        let vector = match r.vector {
            _ if mode == SearchMode::Keyword => QueryVector::None,
            Some(v) => {
                if v.is_empty() || v.len() > MAX_VECTOR_DIMS || v.iter().any(|x| !x.is_finite()) {
                    return Err(ApiError::invalid(
                        "vector",
                        "vector must hold 1–4096 finite numbers",
                    ));
                }
                if own_model && v.len() != own.dims {
                    return Err(ApiError::invalid(
                        "vector",
                        format!(
                            "vector has {} dimensions; model {model} has {}",
                            v.len(),
                            own.dims
                        ),
                    ));
                }
                QueryVector::Given(v)
            }
            None if !own_model => {
                return Err(ApiError::invalid(
                    "vector",
                    format!("the service cannot embed for model {model}: give a vector"),
                ));
            }
            None => QueryVector::Embed,
        };
        Ok(Self {
            query,
            vector,
            model,
            mode,
            top_k,
            filters: f,
            min_score: r.min_score,
        })
    }

    /// Rows read from each list: hybrid fuses deeper lists than it returns, so a chunk strong
    /// in one list only can still rank.
    pub fn depth(&self) -> i64 {
        if self.mode == SearchMode::Hybrid {
            (self.top_k * 2).max(20)
        } else {
            self.top_k
        }
    }

    /// Runs the plan for `scope`'s tenant. The query is embedded before the transaction, so no
    /// connection is held while the model runs.
    pub async fn run(
        &self,
        db: &Db,
        scope: &Scope,
        embedder: &dyn Embedder,
        hnsw: HnswSearch,
    ) -> ApiResult<Found> {
        let vector = match (&self.vector, &self.query) {
            (QueryVector::Given(v), _) => Some(v.clone()),
            (QueryVector::Embed, Some(q)) => Some(
                embedder
                    .embed(std::slice::from_ref(q))
                    .await
                    .map_err(ApiError::unavailable)?
                    .remove(0),
            ),
            _ => None,
        };
        let pg_vector = vector.clone().map(pgvector::Vector::from);
        let own_model = self.model == embedder.model();
        let depth = self.depth();
        let (sem, kw) = db
            .tenant(scope, async |tx| {
                if let (false, Some(v)) = (own_model, &pg_vector)
                    && let Some(d) = repo::knowledge::model_dims(tx, &self.model).await?
                    && d as usize != v.as_slice().len()
                {
                    return Err(ApiError::invalid(
                        "vector",
                        format!("model {} has {d}-dimensional vectors", self.model),
                    ));
                }
                let sem = match &pg_vector {
                    Some(v) => {
                        repo::search::semantic(tx, &self.model, v, &self.filters, depth, hnsw)
                            .await?
                    }
                    None => Vec::new(),
                };
                let kw = match (&self.query, self.mode) {
                    (Some(q), SearchMode::Keyword | SearchMode::Hybrid) => {
                        repo::search::keyword(tx, &self.model, q, &self.filters, depth).await?
                    }
                    _ => Vec::new(),
                };
                Ok((sem, kw))
            })
            .await?;
        let hits = match self.mode {
            SearchMode::Semantic => sem,
            SearchMode::Keyword => kw,
            SearchMode::Hybrid => fuse([sem, kw], self.top_k as usize),
        };
        let hits = hits
            .into_iter()
            .filter(|h| self.min_score.is_none_or(|m| h.score >= m))
            .take(self.top_k as usize)
            .collect();
        Ok(Found {
            hits,
            query_vector: vector,
        })
    }
}

/// Fuses ranked lists: score = Σ 1 / (k + rank); each hit keeps the scores of the lists that
/// found it.
pub fn fuse(lists: [Vec<Hit>; 2], top_k: usize) -> Vec<Hit> {
    let mut by_id: HashMap<Uuid, Hit> = HashMap::new();
    for list in lists {
        for (rank, h) in list.into_iter().enumerate() {
            let add = 1.0 / (RRF_K + rank as f64 + 1.0);
            by_id
                .entry(h.chunk_id)
                .and_modify(|e| {
                    e.score += add;
                    e.semantic = e.semantic.or(h.semantic);
                    e.keyword = e.keyword.or(h.keyword);
                })
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

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: OwnModel<'static> = OwnModel {
        name: "mini",
        dims: 3,
    };

    fn parse(r: Request) -> ApiResult<Plan> {
        Plan::parse(r, OWN)
    }

    fn field(r: Request) -> String {
        parse(r).unwrap_err().field.unwrap_or_default()
    }

    fn q(text: &str) -> Request {
        Request {
            query: Some(text.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_query_alone_is_a_hybrid_search_embedded_with_the_services_model() {
        let p = parse(q("  reset password ")).unwrap();
        assert_eq!(p.mode, SearchMode::Hybrid);
        assert_eq!(p.query.as_deref(), Some("reset password"));
        assert_eq!(p.vector, QueryVector::Embed);
        assert_eq!(p.model, "mini");
        assert_eq!((p.top_k, p.depth()), (10, 20));
        let deep = parse(Request {
            top_k: Some(30),
            ..q("x")
        })
        .unwrap();
        assert_eq!(deep.depth(), 60);
    }

    #[test]
    fn a_vector_alone_is_semantic_and_keyword_needs_no_vector() {
        let p = parse(Request {
            vector: Some(vec![0.1, 0.2, 0.3]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(p.mode, SearchMode::Semantic);
        assert_eq!(p.vector, QueryVector::Given(vec![0.1, 0.2, 0.3]));
        assert_eq!(p.depth(), p.top_k);
        let k = parse(Request {
            mode: Some(SearchMode::Keyword),
            ..q("x")
        })
        .unwrap();
        assert_eq!(k.vector, QueryVector::None);
    }

    #[test]
    fn every_bad_request_names_its_field() {
        assert_eq!(field(Request::default()), "query");
        assert_eq!(field(q(" ")), "query");
        assert_eq!(field(q(&"x".repeat(2001))), "query");
        assert_eq!(
            field(Request {
                mode: Some(SearchMode::Hybrid),
                vector: Some(vec![1.0, 0.0, 0.0]),
                ..Default::default()
            }),
            "query"
        );
        assert_eq!(
            field(Request {
                mode: Some(SearchMode::Keyword),
                vector: Some(vec![1.0, 0.0, 0.0]),
                ..q("x")
            }),
            "vector"
        );
        for k in [0, 101] {
            assert_eq!(
                field(Request {
                    top_k: Some(k),
                    ..q("x")
                }),
                "top_k"
            );
        }
        assert_eq!(
            field(Request {
                min_score: Some(f64::NAN),
                ..q("x")
            }),
            "min_score"
        );
        assert_eq!(
            field(Request {
                filters: Filters {
                    metadata: Some(serde_json::json!([1])),
                    ..Default::default()
                },
                ..q("x")
            }),
            "filters.metadata"
        );
        assert_eq!(
            field(Request {
                filters: Filters {
                    category: Some("c".repeat(201)),
                    ..Default::default()
                },
                ..q("x")
            }),
            "filters.category"
        );
        assert_eq!(
            field(Request {
                model: Some(" ".into()),
                ..q("x")
            }),
            "model"
        );
        // The service's model has 3 dimensions; another model's vectors are any size.
        assert_eq!(
            field(Request {
                vector: Some(vec![1.0; 4]),
                ..Default::default()
            }),
            "vector"
        );
        assert!(
            parse(Request {
                vector: Some(vec![1.0; 4]),
                model: Some("other".into()),
                ..Default::default()
            })
            .is_ok()
        );
        assert_eq!(
            field(Request {
                vector: Some(vec![f32::INFINITY, 0.0, 0.0]),
                ..Default::default()
            }),
            "vector"
        );
        // The service cannot embed a query for another model.
        assert_eq!(
            field(Request {
                model: Some("other".into()),
                ..q("x")
            }),
            "vector"
        );
    }

    fn hit(id: u128, score: f64) -> Hit {
        Hit {
            chunk_id: Uuid::from_u128(id),
            chunk_index: 0,
            content: String::new(),
            document_id: Uuid::from_u128(id),
            title: String::new(),
            source_url: None,
            version: 1,
            score,
            semantic: None,
            keyword: None,
        }
    }

    #[test]
    fn fusion_ranks_what_both_lists_found_first_and_keeps_each_lists_score() {
        let sem = vec![
            Hit {
                semantic: Some(0.9),
                ..hit(1, 0.9)
            },
            Hit {
                semantic: Some(0.8),
                ..hit(2, 0.8)
            },
        ];
        let kw = vec![
            Hit {
                keyword: Some(0.3),
                ..hit(2, 0.3)
            },
            Hit {
                keyword: Some(0.1),
                ..hit(3, 0.1)
            },
        ];
        let f = fuse([sem, kw], 10);
        let ids: Vec<u128> = f.iter().map(|h| h.chunk_id.as_u128()).collect();
        assert_eq!(ids, vec![2, 1, 3]);
        assert_eq!((f[0].semantic, f[0].keyword), (Some(0.8), Some(0.3)));
        assert_eq!((f[1].semantic, f[1].keyword), (Some(0.9), None));
        assert!((f[0].score - (1.0 / 62.0 + 1.0 / 61.0)).abs() < 1e-12);
        assert_eq!(fuse([vec![hit(1, 1.0)], vec![]], 0).len(), 0);
    }
}
