#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Hostile input: every problem is a located diagnostic, never a panic.

mod common;

use flowgate_contract::{codes, diff_sources, Failure};
use flowgate_diagnostics::SourceText;

const GOOD: &str = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n";

fn failure(old: &str, new: &str) -> Failure {
    match diff_sources(
        SourceText::new("old.yaml", old),
        SourceText::new("new.yaml", new),
    ) {
        Ok(report) => panic!("expected a failure, got {} findings", report.findings.len()),
        Err(failure) => failure,
    }
}

/// (code, path, line, column) of each diagnostic.
fn places(failure: &Failure) -> Vec<(String, String, u32, u32)> {
    failure
        .diagnostics
        .iter()
        .map(|d| {
            let l = d.location.as_ref().expect("located");
            (d.code.clone(), l.path.clone(), l.start.line, l.start.column)
        })
        .collect()
}

#[test]
fn invalid_yaml_is_located() {
    let f = failure(GOOD, "openapi: 3.0.0\npaths:\n  /a: [unclosed\n");
    let places = places(&f);
    assert_eq!(places[0].0, codes::SYNTAX);
    assert_eq!(places[0].1, "new.yaml");
    assert!(f.diagnostics[0].help.is_some());
}

#[test]
fn a_dangling_ref_is_located_at_the_ref() {
    let new = "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Nowhere'\n";
    let f = failure(GOOD, new);
    assert_eq!(
        places(&f),
        [(
            codes::DANGLING_REF.to_owned(),
            "new.yaml".to_owned(),
            11,
            23
        )]
    );
}

#[test]
fn a_ref_cycle_is_located() {
    let new = "openapi: 3.0.0\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n";
    let f = failure(GOOD, new);
    assert!(
        places(&f)
            .iter()
            .all(|p| p.0 == codes::REF_CYCLE && p.1 == "new.yaml"),
        "{:?}",
        places(&f)
    );
    assert_eq!(places(&f).len(), 2);
}

#[test]
fn recursive_schemas_terminate() {
    let spec = |extra: &str| {
        format!("openapi: 3.0.0\npaths:\n  /n:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Node'}}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      properties:\n        children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}\n        next: {{$ref: '#/components/schemas/Node'}}\n{extra}")
    };
    let old = spec("");
    let new = spec("").replace(
        "properties:\n        children",
        "properties:\n        label: {type: string}\n        children",
    );
    let report = common::diff_texts(&old, &new);
    assert!(report.of("response-optional-property-added").count() >= 1);
}

#[test]
fn not_an_openapi_document_is_located() {
    for (text, line) in [
        ("kind: Tag\nid: vip\n", 1),
        ("[1, 2]\n", 1),
        ("", 1),
        ("openapi: 4.0.0\npaths: {}\n", 1),
        ("swagger: '2.0'\npaths: [a]\n", 2),
    ] {
        let f = failure(GOOD, text);
        let places = places(&f);
        assert_eq!(places[0].0, codes::NOT_OPENAPI, "{text:?}");
        assert_eq!(
            (places[0].1.as_str(), places[0].2),
            ("new.yaml", line),
            "{text:?}"
        );
    }
}

#[test]
fn garbage_and_deep_nesting_do_not_panic() {
    let deep = format!(
        "openapi: 3.0.0\npaths: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    for text in [
        "\u{0}\u{1}\u{2}",
        "{",
        "openapi: 3.0.0\npaths:\n  /a:\n    get: 5\n",
        "swagger: '2.0'\npaths:\n  /a:\n    get:\n      parameters: 7\n      responses: [1]\n",
        &deep,
    ] {
        let _ = diff_sources(
            SourceText::new("old.yaml", GOOD),
            SourceText::new("new.yaml", text),
        );
        let _ = diff_sources(
            SourceText::new("old.yaml", text),
            SourceText::new("new.yaml", text),
        );
    }
}

#[test]
fn a_5_mb_spec_is_compared() {
    let mut text = String::from("openapi: 3.0.0\ninfo: {title: big, version: '1'}\npaths:\n");
    let mut i = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&format!("  /items/{i}/{{id}}:\n    get:\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{type: integer}}}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, properties: {{a: {{type: string}}, b: {{type: integer}}}}}}\n"));
        i += 1;
    }
    let new = text.replacen("b: {type: integer}", "b: {type: string}", 1);
    let started = std::time::Instant::now();
    let report = common::diff_texts(&text, &new);
    assert_eq!(
        report.findings.len(),
        1,
        "{}",
        common::listing(&report.findings)
    );
    assert_eq!(report.findings[0].id, "response-property-type-changed");
    assert!(started.elapsed().as_secs() < 30);
}
