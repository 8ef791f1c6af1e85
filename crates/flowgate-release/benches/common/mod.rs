//! The 10,000-asset bundle the release and promotion benchmarks share.
#![allow(dead_code, clippy::unwrap_used)]

use flowgate_check::CheckConfig;
use flowgate_load::{load_texts, synthetic, Loaded};
use flowgate_release::{freeze, FreezeOptions, Frozen};
use flowgate_store::{Clock, NewSnapshot, SystemClock};
use serde_json::Value;
use std::path::Path;

/// About 10,000 assets: a workflow, a template and a field per workflow, plus a bundle.
pub const WORKFLOWS: usize = 3_334;

pub fn texts() -> Vec<(String, String)> {
    let mut texts = synthetic::workspace(WORKFLOWS, 7);
    texts.push((
        "assets/bundle.yaml".to_owned(),
        "kind: Bundle\nid: everything\nmembers:\n  - { kind: Workflow }\n  - { kind: Template }\n  - { kind: Field }\n"
            .to_owned(),
    ));
    texts
}

pub fn load(texts: &[(String, String)]) -> Loaded {
    let loaded = load_texts(Path::new("."), texts);
    assert!(
        !loaded.has_errors(),
        "{:#?}",
        &loaded.diagnostics[..3.min(loaded.diagnostics.len())]
    );
    loaded
}

pub fn frozen(loaded: &Loaded) -> Frozen {
    // Checks are part of `snapshot create`; the config is the default one.
    freeze(
        Path::new("."),
        loaded,
        &CheckConfig::default(),
        "everything",
        &FreezeOptions::default(),
    )
    .unwrap()
}

pub fn snapshot(frozen: &Frozen, version: &str) -> NewSnapshot {
    NewSnapshot {
        bundle: frozen.bundle.clone(),
        version: version.to_owned(),
        created_at: SystemClock.now(),
        author: "bench".to_owned(),
        manifest: Value::Object(frozen.manifest.clone()),
        entries: frozen.entries.clone(),
    }
}
