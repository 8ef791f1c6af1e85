//! Platform files as the platforms accept them, loaded as a workspace: asset ids from file
//! names, and SFDX projects with several package directories.

use crate::common::ids;
use flowgate_diagnostics::Severity;
use flowgate_load::{load_platform_texts, load_workspace, Loaded, Workspace};
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

const FLOW: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                    <Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n\
                    <label>Flow</label>\n<status>Active</status>\n</Flow>\n";

/// A workspace (default globs) with `files` at their paths: `(path, text)`.
fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flowgate.toml"),
        "[workspace]\nname = \"sf\"\n",
    )
    .unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let ws = Workspace::open(dir.path()).unwrap();
    (dir, ws)
}

/// Each asset's id and the file it was read from.
fn ids_and_files(loaded: &Loaded) -> Vec<(&str, String)> {
    loaded
        .model
        .assets()
        .iter()
        .map(|a| {
            let file = loaded.model.file(a.origin.file).unwrap();
            (a.id.as_str(), file.path.to_string_lossy().into_owned())
        })
        .collect()
}

const TWO_PACKAGES: &str = r#"{
  "packageDirectories": [
    { "path": "force-app", "default": true },
    { "path": "packages/sales", "package": "Sales", "versionNumber": "1.0.0.NEXT" }
  ],
  "sourceApiVersion": "61.0"
}"#;

const CORE: &str = "force-app/main/default/flows";
const SALES: &str = "packages/sales/main/default/flows";

fn flow_at(dir: &str, name: &str) -> (String, &'static str) {
    (format!("{dir}/{name}.flow-meta.xml"), FLOW)
}

fn load(project: &str, flows: &[(String, &'static str)]) -> Loaded {
    let mut files: Vec<(&str, &str)> = vec![("sfdx-project.json", project)];
    files.extend(flows.iter().map(|(path, text)| (path.as_str(), *text)));
    let (_dir, ws) = workspace(&files);
    load_workspace(&ws)
}

#[test]
fn same_named_flows_in_two_package_directories_are_distinct_assets() {
    let loaded = load(
        TWO_PACKAGES,
        &[
            flow_at(CORE, "Order_Update"),
            flow_at(CORE, "Case_Close"),
            flow_at(SALES, "Order_Update"),
            flow_at(SALES, "Lead_Sync"),
        ],
    );
    // sfdx-project.json is read for its package directories, never as an asset.
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    assert_eq!(
        ids_and_files(&loaded),
        [
            ("Case_Close", format!("{CORE}/Case_Close.flow-meta.xml")),
            ("Lead_Sync", format!("{SALES}/Lead_Sync.flow-meta.xml")),
            // The default package keeps the plain id; the other one is qualified.
            ("Order_Update", format!("{CORE}/Order_Update.flow-meta.xml")),
            (
                "packages-sales.Order_Update",
                format!("{SALES}/Order_Update.flow-meta.xml")
            ),
        ]
    );
}

#[test]
fn the_default_package_keeps_the_plain_id_wherever_it_is_listed() {
    let project = r#"{"packageDirectories": [
        {"path": "force-app"}, {"path": "packages/sales", "default": true}, {"path": "legacy"}]}"#;
    let loaded = load(
        project,
        &[
            flow_at(CORE, "Order_Update"),
            flow_at(SALES, "Order_Update"),
            flow_at("legacy/flows", "Order_Update"),
        ],
    );
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    assert_eq!(
        ids(&loaded),
        [
            "Order_Update",
            "force-app.Order_Update",
            "legacy.Order_Update"
        ]
    );
    let plain = &ids_and_files(&loaded)[0];
    assert!(plain.1.starts_with(SALES), "{plain:?}");
}

#[test]
fn duplicates_inside_one_package_or_outside_every_package_are_still_fg007() {
    let loaded = load(
        TWO_PACKAGES,
        &[
            flow_at(CORE, "Order_Update"),
            flow_at("force-app/main/legacy/flows", "Order_Update"),
            flow_at("unpackaged/flows", "Order_Update"),
            flow_at(SALES, "Order_Update"),
        ],
    );
    assert_eq!(
        codes(&loaded),
        ["FG007", "FG007"],
        "{:#?}",
        loaded.diagnostics
    );
    assert_eq!(
        ids(&loaded),
        ["Order_Update", "packages-sales.Order_Update"]
    );
}

#[test]
fn a_broken_project_file_is_a_warning_and_flows_keep_plain_ids() {
    let loaded = load(
        "{\"packageDirectories\": [{\"path\": \"force-app\"},\n  {\"path\": 7}]}",
        &[
            flow_at(CORE, "Order_Update"),
            flow_at(SALES, "Order_Update"),
        ],
    );
    let found: Vec<(&str, Severity, u32)> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code.as_str(),
                d.severity,
                d.location.as_ref().unwrap().start.line,
            )
        })
        .collect();
    // The package without a path is left out, so the flows are not told apart.
    assert_eq!(
        found,
        [
            ("FG007", Severity::Error, 1),
            ("FG004", Severity::Warning, 2)
        ]
    );
    assert!(loaded.sources.get("sfdx-project.json").is_some());
}

#[test]
fn a_workspace_of_n8n_exports_only_turns_native_assets_off() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flowgate.toml"),
        "[workspace]\nname = \"n8n-only\"\nassets = []\nn8n = [\"workflows/*.json\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
    std::fs::write(dir.path().join("workflows/sync.json"), EMPTY_N8N).unwrap();
    std::fs::write(dir.path().join("package.json"), r#"{"name": "tools"}"#).unwrap();
    let workspace = Workspace::discover(dir.path()).unwrap();
    let loaded = load_workspace(&workspace);
    assert!(!loaded.has_errors(), "{:#?}", codes(&loaded));
    assert_eq!(ids(&loaded), ["sync"]);
}
