//! Helpers shared by the integration tests.
#![allow(dead_code)]

use flowgate_contract::{diff_sources, Finding, Report};
use flowgate_diagnostics::SourceText;
use flowgate_syntax::{parse_yaml, Node, Value};
use serde_json::Value as Json;

/// A fixture's text.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A YAML text as a JSON value.
pub fn yaml_to_json(text: &str) -> Json {
    let parsed = parse_yaml(text);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    node_to_json(&parsed.docs[0])
}

fn node_to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(node_to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.value.clone(), node_to_json(&e.value)))
                .collect(),
        ),
    }
}

/// Compare two texts, which must both be readable contracts.
pub fn diff_texts(old: &str, new: &str) -> Report {
    match diff_sources(
        SourceText::new("old.json", old),
        SourceText::new("new.json", new),
    ) {
        Ok(report) => report,
        Err(failure) => panic!("{:#?}", failure.diagnostics),
    }
}

/// The text a location points at.
pub fn located<'t>(text: &'t str, location: &flowgate_diagnostics::Location) -> &'t str {
    &text[location.span.start as usize..location.span.end as usize]
}

/// A short listing of findings, for assertion messages.
pub fn listing(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {} {}", f.level, f.id, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}
