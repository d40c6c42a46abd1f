//! A knowledge-base search as a plan: a request is checked and resolved once ([`Plan::parse`]:
//! the mode, the model, where the query vector comes from, the limits), then run
//! ([`Plan::run`]: embed the query outside any transaction, read both lists in one tenant
//! transaction, fuse). `POST /v1/search` and the assistant's retrieval both go through it, so
//! they search alike.
//!
//! Keyword search ranks by BM25 the chunks sharing any term of the query, unless the query uses
//! an operator of the web-search syntax (a double quote, `or`, `-word`): then every term must
//! match, as written ([`is_strict`]). Hybrid search fuses the two ranked lists by weighted
//! reciprocal rank ([`Fusion`]), with constants tuned on the labelled set (bench/README.md).

use std::collections::HashMap;

use poem_openapi::Enum;

pub use crate::repo::search::{Filters, Hit, KeywordQuery};
use crate::{
    config::HnswSearch,
    db::{Db, Scope},
    embeddings::{Embedder, TextKind},
    error::{ApiError, ApiResult},
    ids::ChunkId,
    repo,
};

/// How results are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum SearchMode {
    /// Nearest chunks by cosine similarity of embeddings.
    Semantic,
    /// Chunks sharing words with the query, ranked by BM25 within the tenant; with an operator
    /// of the web-search syntax (quotes, `or`, `-word`) every word must match.
    Keyword,
    /// Both lists, fused by weighted reciprocal rank.
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
    /// What the service embeds for the query: its text without its exclusions (`-word`), which
    /// are a filter (`filters.exclude`), not something to search for.
    pub embed_text: Option<String>,
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

/// Weighted reciprocal rank fusion: a hit scores Σ weight / (k + rank) over the lists that found
/// it (rank from 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    pub k: f64,
    pub semantic_weight: f64,
    pub keyword_weight: f64,
}

impl Fusion {
    /// Tuned on the labelled set (bench/README.md, "Hybrid fusion sweep"): hit@3 1.0 in both
    /// languages and the best MRR (0.958) in the middle of a plateau (k 5–20, keyword weight
    /// 1–2 all reach MRR ≥ 0.942), rather than the single best point at an edge of the grid.
    pub const TUNED: Fusion = Fusion {
        k: 10.0,
        semantic_weight: 1.0,
        keyword_weight: 1.5,
    };

    /// The highest fused score possible (first in both lists).
    pub fn max_score(&self) -> f64 {
        (self.semantic_weight + self.keyword_weight) / (self.k + 1.0)
    }
}

/// Chunks scored by BM25 per language at most (see `kb_chunks_bm25`, sql/0050): the cost of a
/// keyword search stays flat however many chunks share a common word.
pub const KEYWORD_CANDIDATES: i32 = 1000;
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
        let mut f = r.filters;
        let mut embed_text = query.clone();
        if let Some(q) = &query {
            let (wanted, excluded) = split_exclusions(q);
            if !excluded.is_empty() {
                // Only exclusions: nothing to rank by, and embedding "-router" would find routers.
                if !wanted
                    .split_whitespace()
                    .any(|w| !w.eq_ignore_ascii_case("or") && w.chars().any(char::is_alphanumeric))
                {
                    return Err(ApiError::invalid(
                        "query",
                        "the query only excludes (-word): add a word to search for",
                    ));
                }
                f.exclude = Some(excluded.join(" or "));
                embed_text = Some(wanted);
            }
        }
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
            embed_text,
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
        let vector = match (&self.vector, &self.embed_text) {
            (QueryVector::Given(v), _) => Some(v.clone()),
            (QueryVector::Embed, Some(q)) => Some(
                embedder
                    .embed(std::slice::from_ref(q), TextKind::Query)
                    .await
                    .map_err(ApiError::unavailable)?
                    .remove(0),
            ),
            _ => None,
        };
        let pg_vector = vector.clone().map(pgvector::Vector::from);
        let own_model = self.model == embedder.model();
        let depth = self.depth();
        let hits = db
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
                        let q = KeywordQuery {
                            text: q,
                            strict: is_strict(q),
                            candidates: KEYWORD_CANDIDATES,
                        };
                        repo::search::keyword(tx, &self.model, q, &self.filters, depth).await?
                    }
                    _ => Vec::new(),
                };
                match self.mode {
                    SearchMode::Semantic => return Ok(sem),
                    SearchMode::Keyword => return Ok(kw),
                    SearchMode::Hybrid => {}
                }
                let mut fused = fuse([sem, kw], self.top_k as usize, Fusion::TUNED);
                // What only keyword search found gets its cosine too, so that every hybrid hit
                // can be thresholded on it (the assistant's minimum score does).
                let missing: Vec<ChunkId> = fused
                    .iter()
                    .filter(|h| h.semantic.is_none())
                    .map(|h| h.chunk_id)
                    .collect();
                if let (false, Some(v)) = (missing.is_empty(), &pg_vector) {
                    let sims: HashMap<ChunkId, f64> = repo::search::similarity(tx, &missing, v)
                        .await?
                        .into_iter()
                        .collect();
                    for h in &mut fused {
                        h.semantic = h.semantic.or(sims.get(&h.chunk_id).copied());
                    }
                }
                Ok(fused)
            })
            .await?;
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

/// True when the query uses an operator of the web-search syntax: a double quote, the word
/// `or`, or a word starting with `-`. Such a query matches strictly (every term, as written);
/// any other matches chunks sharing any of its terms.
pub fn is_strict(query: &str) -> bool {
    query.contains('"')
        || query
            .split_whitespace()
            .any(|w| w.eq_ignore_ascii_case("or") || (w.len() > 1 && w.starts_with('-')))
}

/// A query split into what it searches for and what it excludes: the words (`-word`) and quoted
/// phrases (`-"a phrase"`) after a minus, outside quotes, as the web-search syntax reads them.
pub fn split_exclusions(query: &str) -> (String, Vec<String>) {
    let (mut wanted, mut excluded) = (Vec::new(), Vec::new());
    let mut words = query.split_whitespace();
    while let Some(w) = words.next() {
        let mut item = w.to_string();
        // A quoted phrase runs to the word that closes it.
        if w.trim_start_matches('-').starts_with('"') && w.matches('"').count() == 1 {
            for next in words.by_ref() {
                item.push(' ');
                item.push_str(next);
                if next.contains('"') {
                    break;
                }
            }
        }
        match item.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => excluded.push(rest.to_string()),
            _ => wanted.push(item),
        }
    }
    (wanted.join(" "), excluded)
}

/// The fused order of two ranked lists of ids (semantic first, then keyword): each id with its
/// score Σ weight / (k + rank), best first (ties by id). The one place the formula lives: the
/// search and the evaluation's sweep of the constants (src/eval) both use it.
pub fn fused_order(lists: [&[ChunkId]; 2], f: Fusion) -> Vec<(ChunkId, f64)> {
    let mut by_id: HashMap<ChunkId, f64> = HashMap::new();
    for (list, weight) in lists.into_iter().zip([f.semantic_weight, f.keyword_weight]) {
        for (rank, id) in list.iter().enumerate() {
            *by_id.entry(*id).or_default() += weight / (f.k + rank as f64 + 1.0);
        }
    }
    let mut all: Vec<(ChunkId, f64)> = by_id.into_iter().collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all
}

/// Fuses the semantic and the keyword list (in that order) by weighted reciprocal rank; each hit
/// keeps the scores and ranks of the lists that found it.
pub fn fuse(lists: [Vec<Hit>; 2], top_k: usize, f: Fusion) -> Vec<Hit> {
    let ids = lists
        .each_ref()
        .map(|l| l.iter().map(|h| h.chunk_id).collect::<Vec<_>>());
    let mut by_id: HashMap<ChunkId, Hit> = HashMap::new();
    for h in lists.into_iter().flatten() {
        by_id
            .entry(h.chunk_id)
            .and_modify(|e| {
                e.semantic = e.semantic.or(h.semantic);
                e.keyword = e.keyword.or(h.keyword);
                e.semantic_rank = e.semantic_rank.or(h.semantic_rank);
                e.keyword_rank = e.keyword_rank.or(h.keyword_rank);
            })
            .or_insert(h);
    }
    fused_order([&ids[0], &ids[1]], f)
        .into_iter()
        .take(top_k)
        .filter_map(|(id, score)| by_id.remove(&id).map(|h| Hit { score, ..h }))
        .collect()
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::ids::DocumentId;

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
            chunk_id: ChunkId::from(Uuid::from_u128(id)),
            chunk_index: 0,
            content: String::new(),
            document_id: DocumentId::from(Uuid::from_u128(id)),
            title: String::new(),
            source_url: None,
            version: 1,
            language: crate::knowledge::Language::En,
            score,
            semantic: None,
            keyword: None,
            semantic_rank: None,
            keyword_rank: None,
        }
    }

    #[test]
    fn exclusions_are_split_from_what_the_query_searches_for() {
        assert_eq!(
            split_exclusions("printer -hp -\"paper jam\" \"not -this\" wi-fi"),
            (
                "printer \"not -this\" wi-fi".to_string(),
                vec!["hp".to_string(), "\"paper jam\"".to_string()]
            )
        );
        assert_eq!(split_exclusions("router - mesh").1, Vec::<String>::new());
        let p = parse(q("printer -hp -canon")).unwrap();
        assert_eq!(p.embed_text.as_deref(), Some("printer"));
        assert_eq!(p.query.as_deref(), Some("printer -hp -canon"));
        assert_eq!(p.filters.exclude.as_deref(), Some("hp or canon"));
        assert_eq!(parse(q("printer")).unwrap().filters.exclude, None);
        // Only exclusions: nothing to search for, in any mode.
        for only in [
            "-router",
            "-router -mesh",
            "-router or -mesh",
            "-\"factory reset\"",
        ] {
            for mode in [
                SearchMode::Semantic,
                SearchMode::Keyword,
                SearchMode::Hybrid,
            ] {
                let r = Request {
                    mode: Some(mode),
                    ..q(only)
                };
                assert_eq!(field(r), "query", "{only}");
            }
        }
    }

    #[test]
    fn only_an_operator_of_the_web_search_syntax_makes_a_query_strict() {
        for q in [
            "how do I stop my router rebooting?",
            "wi-fi slow",
            "error E-42",
            "orders and returns",
            "- dash",
        ] {
            assert!(!is_strict(q), "{q}");
        }
        for q in [
            "\"factory reset\"",
            "router OR modem",
            "router or modem",
            "router -mesh",
        ] {
            assert!(is_strict(q), "{q}");
        }
    }

    #[test]
    fn fusion_ranks_what_both_lists_found_first_and_keeps_each_lists_score() {
        let sem = vec![
            Hit {
                semantic: Some(0.9),
                semantic_rank: Some(1),
                ..hit(1, 0.9)
            },
            Hit {
                semantic: Some(0.8),
                semantic_rank: Some(2),
                ..hit(2, 0.8)
            },
        ];
        let kw = vec![
            Hit {
                keyword: Some(0.3),
                keyword_rank: Some(1),
                ..hit(2, 0.3)
            },
            Hit {
                keyword: Some(0.1),
                keyword_rank: Some(2),
                ..hit(3, 0.1)
            },
        ];
        let equal = Fusion {
            k: 60.0,
            semantic_weight: 1.0,
            keyword_weight: 1.0,
        };
        let f = fuse([sem, kw], 10, equal);
        let ids: Vec<u128> = f.iter().map(|h| h.chunk_id.uuid().as_u128()).collect();
        assert_eq!(ids, vec![2, 1, 3]);
        assert_eq!((f[0].semantic, f[0].keyword), (Some(0.8), Some(0.3)));
        assert_eq!((f[1].semantic, f[1].keyword), (Some(0.9), None));
        assert_eq!((f[0].semantic_rank, f[0].keyword_rank), (Some(2), Some(1)));
        assert!((f[0].score - (1.0 / 62.0 + 1.0 / 61.0)).abs() < 1e-12);
        assert_eq!(fuse([vec![hit(1, 1.0)], vec![]], 0, equal).len(), 0);
        // The weights decide between a hit first in one list and one first in the other.
        let keyword_heavy = Fusion {
            k: 10.0,
            semantic_weight: 1.0,
            keyword_weight: 2.0,
        };
        let f = fuse(
            [
                vec![hit(1, 0.9), hit(2, 0.8)],
                vec![hit(3, 5.0), hit(1, 4.0)],
            ],
            10,
            keyword_heavy,
        );
        let ids: Vec<u128> = f.iter().map(|h| h.chunk_id.uuid().as_u128()).collect();
        assert_eq!(ids, vec![1, 3, 2]);
        assert!((f[0].score - (1.0 / 11.0 + 2.0 / 12.0)).abs() < 1e-12);
    }
}
