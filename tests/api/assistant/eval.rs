//! The built-in responder on the labelled set (bench/eval): the figures of bench/README.md are
//! measured by `bench/eval.sh` with the same code; this test keeps them above floors set a
//! little below that measurement.

use serde_json::json;
use tenantdesk::eval::{Dataset, Report, Target};

use crate::{
    knowledge::{drain, multilingual::multilingual},
    support::*,
};

/// Every figure at or above its floor.
fn above_floors(floors: &[(&str, f64, f64)]) {
    for (what, value, floor) in floors {
        assert!(
            value >= floor,
            "{what}: {value:.3} is below its floor {floor}"
        );
    }
}

/// Loads the set into a fresh tenant of `app`, with the shipped assistant defaults, and runs it.
async fn evaluate(app: &TestApp) -> Report {
    let t = app.tenant().await;
    let ds = Dataset::load(std::path::Path::new("bench/eval")).unwrap();
    let target = Target {
        http: reqwest::Client::new(),
        base: app.base.clone(),
        token: t.admin.token.clone(),
    };
    // The shipped defaults for the service's model, set on the tenant so that no other test's
    // platform defaults apply.
    let threshold = app.state.assistant.model_defaults.escalation_threshold;
    target
        .configure(json!({"provider": "builtin", "retrieval_top_k": 5,
                          "retrieval_min_score": 0.2, "escalation_threshold": threshold}))
        .await
        .unwrap();
    let (job, docs) = target.upload(&ds).await.unwrap();
    drain(app, &t).await;
    target
        .ingested(&job, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let r = target.run(&ds, &docs).await.unwrap();
    println!("{}", r.markdown());
    r
}

#[tokio::test]
async fn the_builtin_responder_stays_above_the_floors_measured_on_the_evaluation_set() {
    let app = spawn().await;
    let r = evaluate(&app).await;
    let hybrid = &r.retrieval["hybrid"];
    let keyword = &r.retrieval["keyword"];
    let semantic = &r.retrieval["semantic"];
    // Measured (bench/README.md): hybrid 1.000 / 0.979 (en), 1.000 / 0.896 (ru); keyword 0.979 /
    // 0.963 (en), 1.000 / 0.938 (ru); hybrid 6.3 points of recall@3 above semantic; then 0.745,
    // 0.968, 0.886, 0.952, 0.833, 1, 1.
    above_floors(&[
        ("hybrid recall@3 (en)", hybrid["en"].recall_at_3, 0.97),
        ("hybrid MRR (en)", hybrid["en"].mrr, 0.94),
        ("hybrid recall@3 (ru)", hybrid["ru"].recall_at_3, 0.93),
        ("hybrid MRR (ru)", hybrid["ru"].mrr, 0.85),
        ("keyword recall@3 (en)", keyword["en"].recall_at_3, 0.93),
        ("keyword MRR (en)", keyword["en"].mrr, 0.9),
        ("keyword recall@3 (ru)", keyword["ru"].recall_at_3, 0.93),
        ("keyword MRR (ru)", keyword["ru"].mrr, 0.88),
        (
            "hybrid recall@3 above semantic (all)",
            hybrid["all"].recall_at_3 - semantic["all"].recall_at_3,
            0.045,
        ),
        (
            "gold sentence in answer (en)",
            r.answers["en"].gold_sentence,
            0.65,
        ),
        (
            "answer cites the gold article (all)",
            r.answers["all"].cites_gold,
            0.85,
        ),
        (
            "citation precision (all)",
            r.answers["all"].citation_precision,
            0.72,
        ),
        ("escalation precision", r.escalation.precision, 0.85),
        ("escalation recall", r.escalation.recall, 0.75),
        (
            "keyword escalation recall",
            r.keyword_escalation.recall,
            1.0,
        ),
        (
            "keyword escalation precision",
            r.keyword_escalation.precision,
            1.0,
        ),
    ]);
}

/// The same set with the multilingual built-in model (`EMBEDDING_MODEL=multilingual-e5-small`),
/// the configuration a Russian-speaking tenant would use: floors a little under its measurement
/// (bench/README.md, "Multilingual built-in model").
#[tokio::test]
async fn the_multilingual_model_stays_above_the_floors_measured_on_the_evaluation_set() {
    let app = spawn_with(multilingual).await;
    let r = evaluate(&app).await;
    let hybrid = &r.retrieval["hybrid"];
    let keyword = &r.retrieval["keyword"];
    let semantic = &r.retrieval["semantic"];
    // Measured (bench/README.md): semantic 0.936 / 0.882 (en), 1.000 / 1.000 (ru); hybrid 1.000
    // / 0.965 (en), 1.000 / 1.000 (ru); keyword as with all-MiniLM-L6-v2; then 0.438, 0.952,
    // 0.763, 1.000, 0.583, 1. One question is 2.1 points in English, 6.3 in Russian.
    above_floors(&[
        ("semantic recall@3 (ru)", semantic["ru"].recall_at_3, 0.93),
        ("semantic MRR (ru)", semantic["ru"].mrr, 0.9),
        ("semantic recall@3 (en)", semantic["en"].recall_at_3, 0.91),
        ("hybrid recall@3 (en)", hybrid["en"].recall_at_3, 0.97),
        ("hybrid MRR (en)", hybrid["en"].mrr, 0.93),
        ("hybrid recall@3 (ru)", hybrid["ru"].recall_at_3, 0.93),
        ("hybrid MRR (ru)", hybrid["ru"].mrr, 0.9),
        ("keyword recall@3 (en)", keyword["en"].recall_at_3, 0.93),
        ("keyword recall@3 (ru)", keyword["ru"].recall_at_3, 0.93),
        // Russian within 5 points of English (hybrid, the default mode).
        (
            "hybrid recall@3, Russian minus English + 0.05",
            hybrid["ru"].recall_at_3 - hybrid["en"].recall_at_3 + 0.05,
            0.0,
        ),
        (
            "hybrid MRR, Russian minus English + 0.05",
            hybrid["ru"].mrr - hybrid["en"].mrr + 0.05,
            0.0,
        ),
        (
            "hybrid MRR above semantic (all)",
            hybrid["all"].mrr - semantic["all"].mrr,
            0.04,
        ),
        (
            "hybrid recall@3 above semantic (all)",
            hybrid["all"].recall_at_3 - semantic["all"].recall_at_3,
            0.03,
        ),
        (
            "gold sentence in answer (ru)",
            r.answers["ru"].gold_sentence,
            0.37,
        ),
        (
            "answer cites the gold article (all)",
            r.answers["all"].cites_gold,
            0.9,
        ),
        (
            "citation precision (all)",
            r.answers["all"].citation_precision,
            0.7,
        ),
        ("escalation precision", r.escalation.precision, 0.9),
        // With the model's own default threshold, 0.8 (0.3 caught 0.417).
        ("escalation recall", r.escalation.recall, 0.55),
        (
            "keyword escalation recall",
            r.keyword_escalation.recall,
            1.0,
        ),
    ]);
}
