//! Platform files as the platforms accept them, loaded as a workspace: asset ids from file
//! names, and SFDX projects with several package directories.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::ids;
use flowgate_load::{load_platform_texts, Loaded};
use flowgate_model::flow::Dialect;
use std::path::Path;

const EMPTY_N8N: &str = r#"{"name": "W", "nodes": [], "connections": {}}"#;

fn codes(loaded: &Loaded) -> Vec<&str> {
    loaded.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn names_that_differ_after_an_inner_dot_are_distinct_assets() {
    let texts: Vec<(String, String)> = [
        "n8n/Send data to A.I. and Baserow.json",
        "n8n/Summarize with A.I. (via Openrouter).json",
        "n8n/Summarize with A.I. (via Openrouter) (1).json",
    ]
    .into_iter()
    .map(|path| (path.to_owned(), EMPTY_N8N.to_owned()))
    .collect();
    let loaded = load_platform_texts(Path::new("/ws"), Dialect::N8n, &texts);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", codes(&loaded));
    assert_eq!(
        ids(&loaded),
        [
            "Send-data-to-A.I.-and-Baserow",
            "Summarize-with-A.I.-via-Openrouter",
            "Summarize-with-A.I.-via-Openrouter-1",
        ]
    );
}
