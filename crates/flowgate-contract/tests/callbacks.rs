#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Callbacks of an operation: removed (breaking) or added (info) as a whole, through `$ref`,
//! and the operations of a callback kept on both sides compared as a path's are.

mod common;

use common::diff_texts;
use flowgate_contract::Level;

const BASE: &str = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /payments:
    post:
      responses: {'201': {description: created}}
      callbacks:
        onPaid:
          '{$request.body#/callbackUrl}':
            post:
              requestBody:
                content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}
              responses: {'200': {description: ok}}
        onFailed: {$ref: '#/components/callbacks/Failed'}
components:
  callbacks:
    Failed:
      '{$request.body#/callbackUrl}':
        post:
          responses: {'200': {description: ok}}
";

fn found(new: &str) -> Vec<(String, Level, String, u32)> {
    let report = diff_texts(BASE, new);
    report
        .findings
        .iter()
        .map(|f| {
            let line = f.old.as_ref().unwrap().start.line;
            (f.id.clone(), f.level, f.message.clone(), line)
        })
        .collect()
}

#[test]
fn a_removed_callback_breaks_and_an_added_one_does_not() {
    let removed = BASE.replace(
        "        onFailed: {$ref: '#/components/callbacks/Failed'}\n",
        "",
    );
    assert_eq!(
        found(&removed),
        [(
            "callback-removed".to_owned(),
            Level::Breaking,
            "callback `onFailed {$request.body#/callbackUrl}` was removed".to_owned(),
            18
        )]
    );
    let added = BASE.replace("        onFailed:", "        onRefunded:");
    let ids: Vec<(String, Level)> = found(&added).into_iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(
        ids,
        [
            ("callback-removed".to_owned(), Level::Breaking),
            ("callback-added".to_owned(), Level::Info)
        ]
    );
}

#[test]
fn the_operations_of_a_kept_callback_are_compared() {
    let required = BASE.replace(
        "              requestBody:\n",
        "              requestBody:\n                required: true\n",
    );
    let ids: Vec<String> = found(&required).into_iter().map(|f| f.0).collect();
    assert_eq!(ids, ["request-body-became-required"]);
}
