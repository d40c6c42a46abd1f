//! The built-in responder on the labelled set (bench/eval): the figures of bench/README.md are
//! measured by `bench/eval.sh` with the same code; this test keeps them above floors set a
//! little below that measurement.

use serde_json::json;
use tenantdesk::eval::{Dataset, Target};

use crate::{knowledge::drain, support::*};

#[tokio::test]
async fn the_builtin_responder_stays_above_the_floors_measured_on_the_evaluation_set() {
    let app = spawn().await;
    let t = app.tenant().await;
    let ds = Dataset::load(std::path::Path::new("bench/eval")).unwrap();
    let target = Target {
        http: reqwest::Client::new(),
        base: app.base.clone(),
        token: t.admin.token.clone(),
    };
    // The shipped defaults, set on the tenant so that no other test's platform defaults apply.
    target
        .configure(json!({"provider": "builtin", "retrieval_top_k": 5,
                          "retrieval_min_score": 0.2, "escalation_threshold": 0.3}))
        .await
        .unwrap();
    let (job, docs) = target.upload(&ds).await.unwrap();
    drain(&app, &t).await;
    target
        .ingested(&job, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let r = target.run(&ds, &docs).await.unwrap();
    println!("{}", r.markdown());
    let hybrid = &r.retrieval["hybrid"];
    // Measured (bench/README.md): 0.957, 0.931, 0.875, 0.745, 0.921, 0.805, 0.952, 0.833, 1, 1.
    for (what, value, floor) in [
        ("hybrid recall@3 (en)", hybrid["en"].recall_at_3, 0.90),
        ("hybrid MRR (en)", hybrid["en"].mrr, 0.85),
        ("hybrid recall@3 (ru)", hybrid["ru"].recall_at_3, 0.75),
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
    ] {
        assert!(
            value >= floor,
            "{what}: {value:.3} is below its floor {floor}"
        );
    }
}
