//! The assistant's evaluation on a labelled set (`bench/eval`, described in its README): the
//! articles are loaded into a tenant through the API, every question is searched and asked over
//! HTTP, and the answers are scored against the gold article and sentence. `tenantdesk eval`
//! (bench/eval.sh) runs it against a running service with any provider; a test keeps the
//! built-in responder above floors.

use std::{
    collections::BTreeMap,
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{
    assistant::provider::builtin::strip_marker,
    ids::ChunkId,
    search::{Fusion, fused_order},
};

/// One article of the demo knowledge base.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub lang: String,
    pub area: String,
    pub doc_type: String,
    pub content: String,
}

/// One labelled question (a line of `questions.jsonl`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub lang: String,
    pub question: String,
    /// The article that answers it; `null`: the knowledge base does not.
    pub gold_article: Option<String>,
    /// The sentence of that article that answers it, verbatim.
    pub gold_sentence: Option<String>,
    /// The escalation rule it must trigger regardless of the answer (`keyword`, `human_request`).
    pub escalate: Option<String>,
}

impl Question {
    pub fn answerable(&self) -> bool {
        self.gold_article.is_some()
    }

    /// Unanswerable questions must escalate too (a weak match, or an answer that cannot help).
    pub fn must_escalate(&self) -> bool {
        !self.answerable() || self.escalate.is_some()
    }
}

pub struct Dataset {
    pub articles: Vec<Article>,
    pub questions: Vec<Question>,
}

/// Lower case, emphasis and list markers gone, whitespace collapsed: how a sentence is found in
/// an answer or an article.
pub fn normalize(text: &str) -> String {
    text.replace("**", "")
        .replace('`', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Dataset {
    /// Reads `dir/articles/*.md` (front matter `id`, `title`, `lang`, `area`, `type`) and
    /// `dir/questions.jsonl`, and checks that every gold article exists, is in the question's
    /// language and contains the gold sentence.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let mut articles = Vec::new();
        let mut paths: Vec<_> = std::fs::read_dir(dir.join("articles"))
            .with_context(|| format!("reading {}/articles", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p)?;
            let (front, body) = text
                .strip_prefix("---\n")
                .and_then(|t| t.split_once("\n---\n"))
                .with_context(|| format!("{}: no front matter", p.display()))?;
            let meta: BTreeMap<&str, &str> =
                front.lines().filter_map(|l| l.split_once(": ")).collect();
            let field = |k: &str| {
                meta.get(k)
                    .map(|v| v.trim().to_string())
                    .with_context(|| format!("{}: front matter lacks {k}", p.display()))
            };
            let a = Article {
                id: field("id")?,
                title: field("title")?,
                lang: field("lang")?,
                area: field("area")?,
                doc_type: field("type")?,
                content: body.trim().to_string(),
            };
            ensure!(
                p.file_stem().is_some_and(|s| *s == *a.id),
                "{}: the file name must be the id",
                p.display()
            );
            articles.push(a);
        }
        let mut questions = Vec::new();
        let raw = std::fs::read_to_string(dir.join("questions.jsonl"))?;
        for (i, line) in raw
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let q: Question = serde_json::from_str(line)
                .with_context(|| format!("questions.jsonl line {}", i + 1))?;
            if let Some(gold) = &q.gold_article {
                let a = articles
                    .iter()
                    .find(|a| &a.id == gold)
                    .with_context(|| format!("{}: no article {gold}", q.id))?;
                ensure!(
                    a.lang == q.lang,
                    "{}: gold article in another language",
                    q.id
                );
                let s = q.gold_sentence.as_deref().unwrap_or_default();
                let body: Vec<&str> = a.content.lines().map(|l| strip_marker(l.trim())).collect();
                let body = normalize(&body.join("\n"));
                ensure!(
                    !s.is_empty() && body.contains(&normalize(s)),
                    "{}: the gold sentence is not in {gold}",
                    q.id
                );
            }
            questions.push(q);
        }
        ensure!(!questions.is_empty(), "no questions");
        Ok(Self {
            articles,
            questions,
        })
    }
}

/// What one question got.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub lang: String,
    /// 1-based rank of the gold article among the documents each search mode returned (top 10).
    pub rank: BTreeMap<String, Option<usize>>,
    pub answer: String,
    /// The articles the answer cites, in order.
    pub cited: Vec<String>,
    pub gold_sentence_in_answer: bool,
    pub escalated: bool,
    pub rule: Option<String>,
    pub best_score: Option<f64>,
    pub ask_ms: f64,
    pub retrieval_ms: f64,
    pub generation_ms: f64,
    /// The semantic and the keyword list (chunk id, article), [`FUSION_DEPTH`] deep: what
    /// hybrid search fuses, for the sweep of the fusion constants.
    #[serde(skip)]
    pub lists: [Vec<(ChunkId, String)>; 2],
}

/// Precision and recall of one decision.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct PrecisionRecall {
    pub precision: f64,
    pub recall: f64,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl PrecisionRecall {
    fn of(pairs: impl Iterator<Item = (bool, bool)>) -> Self {
        let mut s = Self::default();
        for (predicted, actual) in pairs {
            match (predicted, actual) {
                (true, true) => s.true_positives += 1,
                (true, false) => s.false_positives += 1,
                (false, true) => s.false_negatives += 1,
                (false, false) => {}
            }
        }
        let ratio = |a: usize, b: usize| {
            if a + b == 0 {
                1.0
            } else {
                a as f64 / (a + b) as f64
            }
        };
        s.precision = ratio(s.true_positives, s.false_positives);
        s.recall = ratio(s.true_positives, s.false_negatives);
        s
    }

    pub fn f1(&self) -> f64 {
        if self.precision + self.recall == 0.0 {
            0.0
        } else {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        }
    }
}

/// Retrieval quality of one search mode on the answerable questions of one language (or all).
#[derive(Debug, Clone, Serialize)]
pub struct Retrieval {
    pub questions: usize,
    pub recall_at_3: f64,
    pub mrr: f64,
}

/// Answer quality on the answerable questions of one language (or all).
#[derive(Debug, Clone, Serialize)]
pub struct Answers {
    pub questions: usize,
    /// The gold sentence appears in the answer.
    pub gold_sentence: f64,
    /// The answer cites the gold article.
    pub cites_gold: f64,
    /// Of all citations, those pointing at the gold article.
    pub citation_precision: f64,
}

/// The low-score rule at one threshold, on the questions no keyword or request escalates:
/// escalating is right for the unanswerable ones.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdPoint {
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Hybrid retrieval with one choice of fusion constants (semantic weight 1), recomputed from the
/// semantic and keyword lists of every question.
#[derive(Debug, Clone, Serialize)]
pub struct FusionPoint {
    pub k: f64,
    pub keyword_weight: f64,
    /// Per language (`all`, `en`, `ru`).
    pub retrieval: BTreeMap<String, Retrieval>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub ask_p50_ms: f64,
    pub ask_p95_ms: f64,
    pub retrieval_p50_ms: f64,
    pub generation_p50_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub provider: String,
    pub model: String,
    pub questions: usize,
    pub answerable: usize,
    pub must_escalate: usize,
    /// Per search mode (semantic, keyword, hybrid), per language (`all`, `en`, `ru`).
    pub retrieval: BTreeMap<String, BTreeMap<String, Retrieval>>,
    /// Per language.
    pub answers: BTreeMap<String, Answers>,
    /// Every rule: escalated vs must escalate.
    pub escalation: PrecisionRecall,
    /// The keyword rule: escalated by `keyword` vs labelled `keyword`.
    pub keyword_escalation: PrecisionRecall,
    pub threshold_sweep: Vec<ThresholdPoint>,
    /// Hybrid retrieval over a grid of fusion constants.
    pub fusion_sweep: Vec<FusionPoint>,
    pub latency: Latency,
    pub outcomes: Vec<Outcome>,
}

const MODES: [&str; 3] = ["semantic", "keyword", "hybrid"];
/// Results asked for in each mode (the gold article's rank is among these).
const TOP_K: usize = 10;
/// How deep the lists hybrid search fuses are for [`TOP_K`] results (`Plan::depth`).
const FUSION_DEPTH: usize = 20;

/// A client of the service under test: its base URL and an admin's token in a tenant of its own.
pub struct Target {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Target {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("calling {path}"))?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            bail!("{path} answered {status}: {text}");
        }
        Ok(serde_json::from_str(&text)?)
    }

    /// Loads the articles in one bulk request; returns the ingestion job's id and the article id
    /// of each document id.
    pub async fn upload(&self, ds: &Dataset) -> anyhow::Result<(String, BTreeMap<String, String>)> {
        let docs: Vec<Value> = ds
            .articles
            .iter()
            .map(|a| {
                json!({"title": a.title, "content": a.content, "content_type": "text/markdown",
                       "type": a.doc_type, "category": a.area,
                       "metadata": {"eval_id": a.id, "lang": a.lang}})
            })
            .collect();
        let r = self
            .call(
                reqwest::Method::POST,
                "/v1/documents/bulk",
                Some(json!({"documents": docs})),
            )
            .await?;
        let job = r["job_id"].as_str().context("no job id")?.to_string();
        let mut ids = BTreeMap::new();
        for (doc, a) in r["documents"]
            .as_array()
            .context("no documents")?
            .iter()
            .zip(&ds.articles)
        {
            ids.insert(
                doc["id"].as_str().context("no id")?.to_string(),
                a.id.clone(),
            );
        }
        Ok((job, ids))
    }

    /// Waits until the ingestion job has finished.
    pub async fn ingested(&self, job: &str, deadline: Duration) -> anyhow::Result<()> {
        let until = Instant::now() + deadline;
        loop {
            let j = self
                .call(
                    reqwest::Method::GET,
                    &format!("/v1/ingestion-jobs/{job}"),
                    None,
                )
                .await?;
            match j["status"].as_str() {
                Some("completed") => return Ok(()),
                Some("failed") => bail!("ingestion failed: {}", j["error_log"]),
                _ if Instant::now() > until => bail!("ingestion did not finish in {deadline:?}"),
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Searches and asks every question, and scores the answers.
    pub async fn run(
        &self,
        ds: &Dataset,
        docs: &BTreeMap<String, String>,
    ) -> anyhow::Result<Report> {
        let mut outcomes = Vec::new();
        let (mut provider, mut model) = (String::new(), String::new());
        for q in &ds.questions {
            let mut rank = BTreeMap::new();
            let mut lists: [Vec<(ChunkId, String)>; 2] = Default::default();
            for mode in MODES {
                // Semantic and keyword lists are read as deep as hybrid reads them; their own
                // rank counts the first TOP_K, as a search with top_k TOP_K returns.
                let depth = if mode == "hybrid" {
                    TOP_K
                } else {
                    FUSION_DEPTH
                };
                let r = self
                    .call(
                        reqwest::Method::POST,
                        "/v1/search",
                        Some(json!({"query": q.question, "mode": mode, "top_k": depth})),
                    )
                    .await?;
                let mut list = Vec::new();
                for h in r["results"].as_array().context("no results")? {
                    let article = docs
                        .get(h["document_id"].as_str().unwrap_or_default())
                        .cloned()
                        .unwrap_or_else(|| "?".into());
                    let chunk = h["chunk_id"].as_str().unwrap_or_default().parse()?;
                    list.push((chunk, article));
                }
                let at = gold_rank(q, list.iter().take(TOP_K).map(|(_, a)| a.as_str()));
                rank.insert(mode.to_string(), at);
                match mode {
                    "semantic" => lists[0] = list,
                    "keyword" => lists[1] = list,
                    _ => {}
                }
            }
            let started = Instant::now();
            let a = self
                .call(
                    reqwest::Method::POST,
                    "/v1/ask",
                    Some(json!({"question": q.question})),
                )
                .await?;
            let ask_ms = started.elapsed().as_secs_f64() * 1000.0;
            provider = a["provider"].as_str().unwrap_or_default().to_string();
            model = a["model"].as_str().unwrap_or_default().to_string();
            let answer = a["answer"].as_str().unwrap_or_default().to_string();
            let cited = a["sources"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .filter_map(|s| docs.get(s["document_id"].as_str().unwrap_or_default()))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            outcomes.push(Outcome {
                id: q.id.clone(),
                lang: q.lang.clone(),
                rank,
                gold_sentence_in_answer: q
                    .gold_sentence
                    .as_deref()
                    .is_some_and(|s| normalize(&answer).contains(&normalize(s))),
                answer,
                cited,
                escalated: a["escalated"].as_bool().unwrap_or(false),
                rule: a["escalation"]["rule"].as_str().map(String::from),
                best_score: a["best_score"].as_f64(),
                ask_ms,
                retrieval_ms: a["retrieval_ms"].as_f64().unwrap_or_default(),
                generation_ms: a["generation_ms"].as_f64().unwrap_or_default(),
                lists,
            });
        }
        Ok(score(ds, outcomes, provider, model))
    }
}

/// A fresh tenant with an admin on the service at `base` (whose database `config` reaches), for
/// `tenantdesk eval`: a superadmin made for the run creates it over HTTP.
pub async fn bootstrap(config: &crate::config::Config, base: &str) -> anyhow::Result<Target> {
    let http = reqwest::Client::new();
    let tag = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    let password = format!("eval-{}", uuid::Uuid::new_v4().simple());
    let root = format!("eval-{tag}@platform.test");
    crate::auth::bootstrap::create_superadmin(config, &root, "Evaluation", password.clone())
        .await?;
    let post = async |path: &str, token: Option<&str>, tenant: Option<&str>, body: Value| {
        let mut req = http.post(format!("{base}{path}")).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(t) = tenant {
            req = req.header("x-tenant-id", t);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let v: Value = resp.json().await?;
        ensure!(status.is_success(), "{path} answered {status}: {v}");
        anyhow::Ok(v)
    };
    let t = post(
        "/v1/auth/superadmin/token",
        None,
        None,
        json!({"email": root, "password": password}),
    )
    .await?;
    let root_token = t["access_token"].as_str().context("no token")?.to_string();
    let slug = format!("eval-{tag}");
    let tenant = post(
        "/v1/tenants",
        Some(&root_token),
        None,
        json!({"name": "Evaluation", "slug": slug}),
    )
    .await?;
    let tenant_id = tenant["id"].as_str().context("no tenant id")?.to_string();
    let admin = format!("admin@{slug}.test");
    post(
        "/v1/users",
        Some(&root_token),
        Some(&tenant_id),
        json!({"email": admin, "full_name": "Eval Admin", "role": "admin", "password": password}),
    )
    .await?;
    let login = post(
        "/v1/auth/token",
        None,
        None,
        json!({"tenant": slug, "email": admin, "password": password}),
    )
    .await?;
    Ok(Target {
        http: reqwest::Client::new(),
        base: base.to_string(),
        token: login["access_token"]
            .as_str()
            .context("no token")?
            .to_string(),
    })
}

impl Target {
    /// Changes the tenant's assistant settings (the provider to evaluate).
    pub async fn configure(&self, settings: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::PATCH, "/v1/settings", Some(settings))
            .await
    }
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i]
}

/// The 1-based rank of the question's gold article among the distinct articles of `results`.
fn gold_rank<'a>(q: &Question, results: impl Iterator<Item = &'a str>) -> Option<usize> {
    let mut seen: Vec<&str> = Vec::new();
    for a in results {
        if !seen.contains(&a) {
            seen.push(a);
        }
    }
    let gold = q.gold_article.as_deref()?;
    seen.iter().position(|a| *a == gold).map(|p| p + 1)
}

/// Recall@3 and MRR of the gold article from ranks.
fn retrieval_of(ranks: &[Option<usize>]) -> Retrieval {
    let n = ranks.len().max(1) as f64;
    Retrieval {
        questions: ranks.len(),
        recall_at_3: ranks.iter().filter(|r| r.is_some_and(|r| r <= 3)).count() as f64 / n,
        mrr: ranks
            .iter()
            .map(|r| r.map_or(0.0, |r| 1.0 / r as f64))
            .sum::<f64>()
            / n,
    }
}

/// Hybrid retrieval over a grid of fusion constants, from the outcomes' lists.
fn fusion_sweep(pairs: &[(&Question, &Outcome)]) -> Vec<FusionPoint> {
    let mut points = Vec::new();
    for k in [1.0, 5.0, 10.0, 20.0, 40.0, 60.0, 100.0] {
        for keyword_weight in [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0] {
            let f = Fusion {
                k,
                semantic_weight: 1.0,
                keyword_weight,
            };
            let mut retrieval_by = BTreeMap::new();
            for l in ["all", "en", "ru"] {
                let ranks: Vec<Option<usize>> = pairs
                    .iter()
                    .filter(|(q, _)| q.answerable() && (l == "all" || q.lang == l))
                    .map(|(q, o)| {
                        let ids = o
                            .lists
                            .each_ref()
                            .map(|l| l.iter().map(|(c, _)| *c).collect::<Vec<_>>());
                        let article = |c: &ChunkId| {
                            o.lists
                                .iter()
                                .flatten()
                                .find(|(id, _)| id == c)
                                .map_or("?", |(_, a)| a.as_str())
                        };
                        let fused = fused_order([&ids[0], &ids[1]], f);
                        gold_rank(q, fused.iter().take(TOP_K).map(|(c, _)| article(c)))
                    })
                    .collect();
                retrieval_by.insert(l.to_string(), retrieval_of(&ranks));
            }
            points.push(FusionPoint {
                k,
                keyword_weight,
                retrieval: retrieval_by,
            });
        }
    }
    points
}

/// The report from the outcomes.
pub fn score(ds: &Dataset, outcomes: Vec<Outcome>, provider: String, model: String) -> Report {
    let pairs: Vec<(&Question, &Outcome)> = ds.questions.iter().zip(&outcomes).collect();
    let langs = ["all", "en", "ru"];
    let of_lang = |l: &str| -> Vec<(&Question, &Outcome)> {
        pairs
            .iter()
            .filter(|(q, _)| q.answerable() && (l == "all" || q.lang == l))
            .copied()
            .collect()
    };
    let mut retrieval = BTreeMap::new();
    for mode in MODES {
        let mut by_lang = BTreeMap::new();
        for l in langs {
            let ranks: Vec<Option<usize>> = of_lang(l).iter().map(|(_, o)| o.rank[mode]).collect();
            by_lang.insert(l.to_string(), retrieval_of(&ranks));
        }
        retrieval.insert(mode.to_string(), by_lang);
    }
    let mut answers = BTreeMap::new();
    for l in langs {
        let qs = of_lang(l);
        let n = qs.len().max(1) as f64;
        let gold = |q: &Question| q.gold_article.clone().unwrap_or_default();
        let citations: usize = qs.iter().map(|(_, o)| o.cited.len()).sum();
        let right: usize = qs
            .iter()
            .map(|(q, o)| o.cited.iter().filter(|c| **c == gold(q)).count())
            .sum();
        answers.insert(
            l.to_string(),
            Answers {
                questions: qs.len(),
                gold_sentence: qs.iter().filter(|(_, o)| o.gold_sentence_in_answer).count() as f64
                    / n,
                cites_gold: qs
                    .iter()
                    .filter(|(q, o)| o.cited.contains(&gold(q)))
                    .count() as f64
                    / n,
                citation_precision: if citations == 0 {
                    0.0
                } else {
                    right as f64 / citations as f64
                },
            },
        );
    }
    let escalation =
        PrecisionRecall::of(pairs.iter().map(|(q, o)| (o.escalated, q.must_escalate())));
    let keyword_escalation = PrecisionRecall::of(pairs.iter().map(|(q, o)| {
        (
            o.rule.as_deref() == Some("keyword"),
            q.escalate.as_deref() == Some("keyword"),
        )
    }));
    let plain: Vec<&(&Question, &Outcome)> =
        pairs.iter().filter(|(q, _)| q.escalate.is_none()).collect();
    // 0.30–0.95: all-MiniLM-L6-v2's cosines spread over the lower half, multilingual-e5-small's
    // crowd into 0.7–0.95.
    let threshold_sweep = (6..=19)
        .map(|i| {
            let t = f64::from(i) * 0.05;
            let pr = PrecisionRecall::of(
                plain
                    .iter()
                    .map(|(q, o)| (o.best_score.is_none_or(|s| s < t), !q.answerable())),
            );
            ThresholdPoint {
                threshold: t,
                precision: pr.precision,
                recall: pr.recall,
                f1: pr.f1(),
            }
        })
        .collect();
    let latency = Latency {
        ask_p50_ms: percentile(outcomes.iter().map(|o| o.ask_ms).collect(), 0.5),
        ask_p95_ms: percentile(outcomes.iter().map(|o| o.ask_ms).collect(), 0.95),
        retrieval_p50_ms: percentile(outcomes.iter().map(|o| o.retrieval_ms).collect(), 0.5),
        generation_p50_ms: percentile(outcomes.iter().map(|o| o.generation_ms).collect(), 0.5),
    };
    Report {
        provider,
        model,
        questions: ds.questions.len(),
        answerable: ds.questions.iter().filter(|q| q.answerable()).count(),
        must_escalate: ds.questions.iter().filter(|q| q.must_escalate()).count(),
        retrieval,
        answers,
        escalation,
        keyword_escalation,
        threshold_sweep,
        fusion_sweep: fusion_sweep(&pairs),
        latency,
        outcomes,
    }
}

impl Report {
    /// The figures as Markdown tables (bench/README.md).
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "provider `{}`, model `{}`: {} questions ({} answerable, {} must escalate)\n\n",
            self.provider, self.model, self.questions, self.answerable, self.must_escalate
        );
        s.push_str("| retrieval (gold article) | recall@3 all | MRR all | recall@3 en | MRR en | recall@3 ru | MRR ru |\n|---|---|---|---|---|---|---|\n");
        for (mode, by) in &self.retrieval {
            s.push_str(&format!(
                "| {mode} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                by["all"].recall_at_3,
                by["all"].mrr,
                by["en"].recall_at_3,
                by["en"].mrr,
                by["ru"].recall_at_3,
                by["ru"].mrr
            ));
        }
        s.push_str("\n| answers (answerable questions) | gold sentence in answer | cites the gold article | citation precision |\n|---|---|---|---|\n");
        for (lang, a) in &self.answers {
            s.push_str(&format!(
                "| {lang} ({}) | {:.3} | {:.3} | {:.3} |\n",
                a.questions, a.gold_sentence, a.cites_gold, a.citation_precision
            ));
        }
        let e = &self.escalation;
        let k = &self.keyword_escalation;
        s.push_str(&format!(
            "\n| escalation | precision | recall | TP | FP | FN |\n|---|---|---|---|---|---|\n\
             | every rule vs must escalate | {:.3} | {:.3} | {} | {} | {} |\n\
             | keyword rule vs keyword label | {:.3} | {:.3} | {} | {} | {} |\n",
            e.precision,
            e.recall,
            e.true_positives,
            e.false_positives,
            e.false_negatives,
            k.precision,
            k.recall,
            k.true_positives,
            k.false_positives,
            k.false_negatives
        ));
        s.push_str("\n| low-score threshold | precision | recall | F1 |\n|---|---|---|---|\n");
        for p in &self.threshold_sweep {
            s.push_str(&format!(
                "| {:.2} | {:.3} | {:.3} | {:.3} |\n",
                p.threshold, p.precision, p.recall, p.f1
            ));
        }
        s.push_str("\n| fusion k | keyword weight | hit@3 all | MRR all | hit@3 en | MRR en | hit@3 ru | MRR ru |\n|---|---|---|---|---|---|---|---|\n");
        for p in &self.fusion_sweep {
            let r = &p.retrieval;
            s.push_str(&format!(
                "| {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                p.k,
                p.keyword_weight,
                r["all"].recall_at_3,
                r["all"].mrr,
                r["en"].recall_at_3,
                r["en"].mrr,
                r["ru"].recall_at_3,
                r["ru"].mrr
            ));
        }
        let l = &self.latency;
        s.push_str(&format!(
            "\n| latency | ms |\n|---|---|\n| ask p50 (HTTP) | {:.0} |\n| ask p95 (HTTP) | {:.0} |\n\
             | retrieval p50 | {:.0} |\n| generation p50 | {:.0} |\n",
            l.ask_p50_ms, l.ask_p95_ms, l.retrieval_p50_ms, l.generation_p50_ms
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_set_loads_and_every_gold_sentence_is_in_its_article() {
        let ds = Dataset::load(Path::new("bench/eval")).unwrap();
        assert!(ds.articles.len() >= 20);
        let n = ds.questions.len();
        assert!((60..=100).contains(&n), "{n}");
        let unanswerable = ds.questions.iter().filter(|q| !q.answerable()).count();
        let keyword = ds
            .questions
            .iter()
            .filter(|q| q.escalate.as_deref() == Some("keyword"))
            .count();
        // About a fifth unanswerable, about a tenth escalating by keyword.
        assert!((0.15..=0.3).contains(&(unanswerable as f64 / n as f64)));
        assert!((0.07..=0.15).contains(&(keyword as f64 / n as f64)));
        for lang in ["en", "ru"] {
            assert!(ds.questions.iter().any(|q| q.lang == lang));
        }
    }

    #[test]
    fn precision_and_recall_count_the_right_cases() {
        let pr = PrecisionRecall::of(
            [
                (true, true),
                (true, false),
                (false, true),
                (false, false),
                (true, true),
            ]
            .into_iter(),
        );
        assert_eq!(
            (pr.true_positives, pr.false_positives, pr.false_negatives),
            (2, 1, 1)
        );
        assert!((pr.precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((pr.recall - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(normalize(" **Hold**  the\nButton. "), "hold the button.");
        assert_eq!(percentile(vec![3.0, 1.0, 2.0], 0.5), 2.0);
    }
}
