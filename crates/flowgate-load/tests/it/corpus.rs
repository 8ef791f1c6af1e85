//! The whole third-party corpus through workspace discovery: every Salesforce, n8n and
//! Node-RED file is found, imported or reported with a location, and exported back byte for
//! byte. (Per-dialect mappings are pinned in the `*_corpus` tests.)

use flowgate_load::{load_workspace, parse_config, Workspace};
use flowgate_model::{AssetKind, AssetSpec};
use std::path::PathBuf;

fn corpus() -> PathBuf {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    assert!(
        path.is_dir(),
        "the corpus is missing: {} (CI checks it out beside the project)",
        path.display()
    );
    std::fs::canonicalize(path).unwrap()
}

fn workspace() -> Workspace {
    let text = "[workspace]\nname = \"corpus\"\nassets = [\"no-native-assets/**\"]\nsalesforce = [\"salesforce-flows/**/*.flow-meta.xml\"]\nn8n = [\"n8n/**/*.json\"]\nnode_red = [\"node-red/**/node_modules/**/*.json\", \"node-red/**/*.json\"]\n";
    Workspace {
        root: corpus(),
        config: parse_config(text).unwrap(),
        config_text: text.to_owned(),
    }
}

#[test]
fn every_corpus_file_is_imported_or_reported_with_a_location() {
    let loaded = load_workspace(&workspace());
    let flows: Vec<_> = loaded.model.of_kind(AssetKind::Flow).collect();
    let by_dialect = |label: &str| {
        flows
            .iter()
            .filter(|a| a.labels.get("dialect").map(String::as_str) == Some(label))
            .count()
    };
    // 53 Salesforce flows; 2,050 n8n files of which 10 are not workflow exports; 115 Node-RED
    // JSON files of which one is a package.json. Ids come from file names without their
    // `.json` or `.flow-meta.xml` suffix, so names that differ only after a dot inside them
    // (`… with A.I. (via Openrouter) …` and `… with A.I. (via Openrouter) … (1)`) are
    // distinct assets: no id is a duplicate.
    assert_eq!(by_dialect("salesforce"), 53);
    assert_eq!(by_dialect("n8n"), 2040);
    assert_eq!(by_dialect("node-red"), 114);
    let duplicates: Vec<&str> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == "FG007")
        .map(|d| d.message.as_str())
        .collect();
    assert!(duplicates.is_empty(), "{duplicates:#?}");
    for d in &loaded.diagnostics {
        assert!(d.location.is_some(), "unlocated: {d:?}");
    }
    let not_documents = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == "FG005" && d.message.contains("not"))
        .count();
    assert!(not_documents >= 11, "{not_documents}");
}

#[test]
fn export_writes_every_imported_file_back_byte_for_byte() {
    let ws = workspace();
    let loaded = load_workspace(&ws);
    let mut compared = 0;
    for asset in loaded.model.of_kind(AssetKind::Flow) {
        let AssetSpec::Flow(flow) = &asset.spec else {
            unreachable!()
        };
        let path = &loaded.model.file(asset.origin.file).unwrap().path;
        let original = std::fs::read(ws.root.join(path)).unwrap();
        assert_eq!(
            flow.original.as_bytes(),
            original.as_slice(),
            "{}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared > 2000, "{compared}");
}
