#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Response headers: a required one removed or made optional breaks clients, an optional one
//! removed is a warning, a new one is additive; in OpenAPI 3 (through `$ref`) and Swagger 2.

mod common;

use common::diff_texts;
use flowgate_contract::Level;

/// The operation both dialects' documents share, down to its response's `headers:`.
macro_rules! orders {
    () => {
        "paths:\n  /orders:\n    post:\n      responses:\n        '201':\n          description: created\n          headers:\n"
    };
}

const OAS3: &str = concat!(
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n",
    orders!(),
    "            Location: {$ref: '#/components/headers/Location'}
            X-Rate-Remaining: {schema: {type: integer}}
            X-Trace: {required: true, schema: {type: string}}
components:
  headers:
    Location: {required: true, schema: {type: string}}
"
);

fn finding(id: &str, level: Level, old: u32, new: u32) -> (String, Level, u32, u32) {
    (id.to_owned(), level, old, new)
}

fn ids(old: &str, new: &str) -> Vec<(String, Level, u32, u32)> {
    let report = diff_texts(old, new);
    report
        .findings
        .iter()
        .map(|f| {
            let line = |l: &Option<flowgate_diagnostics::Location>| l.as_ref().unwrap().start.line;
            (f.id.clone(), f.level, line(&f.old), line(&f.new))
        })
        .collect()
}

#[test]
fn openapi_3_response_headers() {
    let new = OAS3
        .replace(
            "{required: true, schema: {type: string}}\n",
            "{schema: {type: string}}\n",
        )
        .replace(
            "            X-Rate-Remaining: {schema: {type: integer}}\n",
            "",
        )
        .replace("            X-Trace:", "            x-trace:")
        .replace("    Location: {", "    Location: {required: false, ");
    let mut found = ids(OAS3, &new);
    found.sort();
    assert_eq!(
        found,
        [
            (
                "optional-response-header-removed".to_owned(),
                Level::Warning,
                11,
                7
            ),
            (
                "response-header-became-optional".to_owned(),
                Level::Breaking,
                10,
                10
            ),
            (
                "response-header-became-optional".to_owned(),
                Level::Breaking,
                12,
                11
            ),
        ]
    );
    let added = OAS3.replace(
        "          headers:\n",
        "          headers:\n            X-Request-Id: {schema: {type: string}}\n",
    );
    assert_eq!(
        ids(OAS3, &added),
        [finding("response-header-added", Level::Info, 7, 10)]
    );
    let without = OAS3.replace(
        "            X-Trace: {required: true, schema: {type: string}}\n",
        "",
    );
    assert_eq!(
        ids(OAS3, &without),
        [finding(
            "required-response-header-removed",
            Level::Breaking,
            12,
            7
        )]
    );
}

#[test]
fn swagger_2_response_headers_are_optional() {
    let old = concat!(
        "swagger: '2.0'\n",
        orders!(),
        "            Location: {type: string}\n"
    );
    let new = old.replace(
        "          headers:\n            Location: {type: string}\n",
        "",
    );
    assert_eq!(
        ids(old, &new),
        [finding(
            "optional-response-header-removed",
            Level::Warning,
            9,
            6
        )]
    );
}
