//! The committed spec is the code's spec.

#[test]
fn committed_spec_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = tenantdesk::openapi::spec_json();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "openapi/openapi.json differs from the spec the code generates; regenerate it with `make openapi` \
         (cargo run -- openapi > openapi/openapi.json) and commit it"
    );
}

#[test]
fn spec_documents_every_operation() {
    let spec: serde_json::Value = serde_json::from_str(&tenantdesk::openapi::spec_json()).unwrap();
    let schemes = &spec["components"]["securitySchemes"];
    assert!(
        schemes.get("BearerAuth").is_some() && schemes.get("ApiKeyAuth").is_some(),
        "{schemes}"
    );
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let summary = op.get("summary").and_then(|s| s.as_str()).unwrap_or("");
            assert!(!summary.is_empty(), "{method} {path} has no doc comment");
            assert!(
                op.get("operationId").is_some(),
                "{method} {path} has no operationId"
            );
        }
    }
}
