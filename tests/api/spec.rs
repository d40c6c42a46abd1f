//! The committed spec is the code's spec.

#[test]
fn committed_spec_matches_the_code() {
    let path = crate::support::checkout().join("openapi/openapi.json");
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

fn spec() -> serde_json::Value {
    serde_json::from_str(&tenantdesk::openapi::spec_json()).unwrap()
}

/// Every `$ref` of the spec, with where it is.
fn walk<'a>(v: &'a serde_json::Value, at: String, out: &mut Vec<(String, &'a serde_json::Value)>) {
    match v {
        serde_json::Value::Object(m) => {
            out.push((at.clone(), v));
            for (k, x) in m {
                walk(x, format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                walk(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_schema_wraps_a_reference_in_all_of() {
    let spec = spec();
    let mut all = Vec::new();
    walk(&spec, String::new(), &mut all);
    // The one allowed `allOf`: a nullable reference, `{allOf: [{$ref}], nullable: true}` (OpenAPI
    // 3.0 ignores the siblings of a `$ref`, so `nullable` cannot stand beside it).
    let nullable_ref = |v: &serde_json::Value| {
        v["nullable"] == true
            && v["allOf"]
                .as_array()
                .is_some_and(|parts| parts.len() == 1 && parts[0].as_object().unwrap().len() == 1)
            && v["allOf"][0]["$ref"].is_string()
    };
    let wrapped: Vec<&String> = all
        .iter()
        .filter(|(_, v)| v.get("oneOf").is_some() || (v.get("allOf").is_some() && !nullable_ref(v)))
        .map(|(at, _)| at)
        .collect();
    assert!(wrapped.is_empty(), "{wrapped:?}");
    assert!(
        all.iter().any(|(_, v)| nullable_ref(v)),
        "a nullable reference (SettingsPatch) is published"
    );
}

#[test]
fn the_problem_code_enum_is_every_code_the_service_can_answer() {
    use strum::VariantArray;
    let spec = spec();
    let listed: Vec<&str> = spec["components"]["schemas"]["ProblemCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // An `ApiError` carries a `ProblemCode` (the compiler sees to it), so every variant is a
    // code the service can answer, and the spec lists exactly those.
    let codes: Vec<&str> = tenantdesk::error::ProblemCode::VARIANTS
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(listed, codes);
    assert_eq!(
        spec["components"]["schemas"]["Problem"]["properties"]["code"]["$ref"],
        "#/components/schemas/ProblemCode"
    );
}

#[test]
fn error_responses_are_declared_once_as_problems_in_both_json_media_types() {
    let spec = spec();
    let shared = spec["components"]["responses"].as_object().unwrap();
    assert!(shared.len() >= 12, "{shared:?}");
    for (name, r) in shared {
        for media in ["application/problem+json", "application/json"] {
            assert_eq!(
                r["content"][media]["schema"]["$ref"], "#/components/schemas/Problem",
                "{name} {media}"
            );
        }
    }
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for (status, r) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        r.get("$ref").is_some() || path.ends_with("readyz"),
                        "{method} {path} {status} is inline"
                    );
                }
            }
        }
    }
}

#[test]
fn request_bodies_refuse_unknown_properties_in_the_spec_as_the_service_does() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    for name in [
        "TicketIn",
        "TicketPatch",
        "SearchFilters",
        "DocumentUpload",
        "UserIn",
    ] {
        assert_eq!(schemas[name]["additionalProperties"], false, "{name}");
    }
    // Responses stay open, so an older client keeps working when a property is added.
    assert!(schemas["TicketOut"].get("additionalProperties").is_none());
    assert_eq!(
        schemas["TicketIn"]["properties"]["metadata"]["type"],
        "object"
    );
    assert!(schemas.get("TicketPage").is_some() && schemas.get("Page_TicketOut").is_none());
}

#[test]
fn no_pattern_leaves_white_space_to_the_regex_engine() {
    // JSON Schema patterns are ECMA-262 regexes, whose `\s` differs from the Rust `regex` crate's
    // (the service's) on U+0085 and U+FEFF: a client or schemathesis would accept what the
    // service refuses. Patterns spell white space out as a class (`char::is_whitespace`'s).
    let spec = spec();
    let mut all = Vec::new();
    walk(&spec, String::new(), &mut all);
    let loose: Vec<(&String, &str)> = all
        .iter()
        .filter_map(|(at, v)| Some((at, v.get("pattern")?.as_str()?)))
        .filter(|(_, p)| {
            let p = p.replace(r"[\s\S]", "");
            p.contains(r"\s") || p.contains(r"\S")
        })
        .collect();
    assert!(loose.is_empty(), "{loose:?}");
}
