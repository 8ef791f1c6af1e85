//! The diff on real before/after edits: the Lightning Flow Scanner example flows and their
//! `_Fixed` versions (read through the Salesforce importer), a renamed n8n node, and a
//! release of the bundled example workspace with copy, logic and tag changes.

use flowgate_diff::{
    changelog, diff_documents, render_human, render_markdown, Bump, Documents, Release, Status,
};
use flowgate_load::{load_platform_texts, load_texts};
use flowgate_model::flow::Dialect;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/acme");

fn corpus(relative: &str) -> PathBuf {
    let path = Path::new(CORPUS).join(relative);
    assert!(
        path.exists(),
        "the shared corpus is missing: {} does not exist (../shared/corpus beside the checkout)",
        path.display()
    );
    path
}

/// One platform file's asset document, under a fixed id so two versions compare as one asset.
fn flow_document(dialect: Dialect, path: &Path, text: &str) -> Documents {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let loaded = load_platform_texts(Path::new("."), dialect, &[(name, text.to_owned())]);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let asset = &loaded.model.assets()[0];
    let mut document = asset.document();
    document["id"] = "flow".into();
    Documents([("flow".to_owned(), document)].into_iter().collect())
}

#[test]
fn lfs_example_flows_against_their_fixed_versions() {
    let dir = corpus("salesforce-flows/lfs-core/force-app/main/default/flows");
    let mut pairs: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|fixed| {
            let name = fixed.file_name()?.to_str()?.to_owned();
            let stem = name.strip_suffix("_Fixed.flow-meta.xml")?;
            let broken = dir.join(format!("{stem}.flow-meta.xml"));
            broken.exists().then_some((broken, fixed))
        })
        .collect();
    // The one pair whose names differ by more than the suffix.
    pairs.push((
        dir.join("FlowNamingConvention.flow-meta.xml"),
        dir.join("Flow_Naming_Convention_Fixed.flow-meta.xml"),
    ));
    pairs.sort();
    assert_eq!(pairs.len(), 12, "the X / X_Fixed pairs: {pairs:#?}");
    let mut report = String::new();
    for (broken, fixed) in &pairs {
        let before = flow_document(
            Dialect::Salesforce,
            broken,
            &std::fs::read_to_string(broken).unwrap(),
        );
        let after = flow_document(
            Dialect::Salesforce,
            fixed,
            &std::fs::read_to_string(fixed).unwrap(),
        );
        let diff = diff_documents(&before, &after);
        report.push_str(&format!(
            "=== {} -> {}\n{}\n",
            broken.file_name().unwrap().to_string_lossy(),
            fixed.file_name().unwrap().to_string_lossy(),
            render_human(&diff)
        ));
    }
    insta::assert_snapshot!("lfs_pairs", report);
}

#[test]
fn a_renamed_n8n_node_is_a_rename_not_a_rewiring() {
    let path = corpus("n8n/zie619/workflows/115_Receive_updates_for_all_changes_in_Pipedrive.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let before = flow_document(Dialect::N8n, &path, &text);
    // The node's name is its key in `connections` and the target of wires to it.
    let node = before.get("flow").unwrap()["elements"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let renamed = text.replace(&format!("\"{node}\""), "\"Renamed node\"");
    assert_ne!(renamed, text);
    let after = flow_document(Dialect::N8n, &path, &renamed);
    let diff = diff_documents(&before, &after);
    let rendered = render_human(&diff);
    assert_eq!(diff.bump, Bump::Patch, "{rendered}");
    assert!(
        diff.assets[0].details.iter().all(|d| d.bump == Bump::Patch),
        "{rendered}"
    );
    assert!(rendered.contains("Renamed node"), "{rendered}");
}

#[test]
fn an_n8n_rewiring_is_major() {
    let path = corpus("n8n/zie619/workflows/11_What_To_Eat.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let before = flow_document(Dialect::N8n, &path, &text);
    let flow = before.get("flow").unwrap().clone();
    let mut rewired = flow.clone();
    let connections = rewired["elements"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find_map(|e| {
            e.get_mut("connections")
                .filter(|c| c.as_array().is_some_and(|c| !c.is_empty()))
        })
        .expect("a node with an outgoing connection");
    connections.as_array_mut().unwrap().clear();
    let after = Documents([("flow".to_owned(), rewired)].into_iter().collect());
    let diff = diff_documents(&before, &after);
    assert_eq!(diff.bump, Bump::Major, "{}", render_human(&diff));
}

/// The example workspace's asset files as `(path, text)`.
fn example_texts() -> Vec<(String, String)> {
    let root = Path::new(EXAMPLE);
    let mut texts: Vec<(String, String)> = walk(&root.join("assets"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let relative = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            (relative, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    texts.sort();
    texts
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn documents(texts: &[(String, String)]) -> Documents {
    let loaded = load_texts(Path::new(EXAMPLE), texts);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    Documents::from_model(&loaded.model)
}

fn edit(texts: &mut [(String, String)], file: &str, from: &str, to: &str) {
    let (_, text) = texts.iter_mut().find(|(p, _)| p.ends_with(file)).unwrap();
    assert!(text.contains(from), "{file} does not contain {from:?}");
    *text = text.replace(from, to);
}

#[test]
fn a_release_of_the_example_workspace() {
    let before_texts = example_texts();
    let mut texts = before_texts.clone();
    // Copy: a subject line.
    edit(
        &mut texts,
        "templates/welcome-email.yaml",
        "subject: Welcome to Acme Outdoor",
        "subject: Welcome to Acme Outdoor, glad you are here",
    );
    // Logic: the wait step goes, the first email leads straight to the guide.
    edit(
        &mut texts,
        "workflows/welcome-series.yaml",
        "    next: wait-before-guide\n",
        "    next: send-gear-guide\n",
    );
    edit(
        &mut texts,
        "workflows/welcome-series.yaml",
        "  - id: wait-before-guide\n    type: wait\n    duration: 3d\n    next: send-gear-guide\n",
        "",
    );
    // Data model: the `mql` tag becomes `marketing-qualified`, and its users follow.
    edit(
        &mut texts,
        "tags/mql.yaml",
        "id: mql\n",
        "id: marketing-qualified\n",
    );
    for (path, text) in texts.iter_mut().filter(|(p, _)| p.contains("workflows/")) {
        if text.contains("tag: mql\n") {
            *text = text.replace("tag: mql\n", "tag: marketing-qualified\n");
            assert!(path.ends_with(".yaml"));
        }
    }
    edit(
        &mut texts,
        "bundles/lead-intake.yaml",
        "  - mql\n",
        "  - marketing-qualified\n",
    );
    // New asset.
    texts.push((
        "assets/tags/vip.yaml".to_owned(),
        "kind: Tag\nid: vip\nname: VIP\ndescription: Top customers.\n".to_owned(),
    ));

    let before = documents(&before_texts);
    let after = documents(&texts);
    let diff = diff_documents(&before, &after);
    assert_eq!(diff.bump, Bump::Major);
    let renamed = diff
        .assets
        .iter()
        .find(|a| a.id == "marketing-qualified")
        .unwrap();
    assert_eq!(
        renamed.status,
        Status::Renamed {
            from: "mql".to_owned()
        }
    );
    assert_eq!(diff.migrations.len(), 1);
    assert!(
        diff.migrations[0].references_moved >= 1,
        "{:#?}",
        diff.migrations
    );
    insta::assert_snapshot!("example_release_human", render_human(&diff));
    insta::assert_snapshot!("example_release_markdown", render_markdown(&diff));
    insta::assert_json_snapshot!("example_release_json", diff);

    let first = diff_documents(&Documents::default(), &before);
    let releases = [
        Release {
            version: "1.0.0".into(),
            release_id: "LI-1.0.0".into(),
            date: "2026-11-01".into(),
            diff: &first,
        },
        Release {
            version: "2.0.0".into(),
            release_id: "LI-2.0.0".into(),
            date: "2026-11-22".into(),
            diff: &diff,
        },
    ];
    let log = changelog("lead-intake", &releases);
    assert!(
        log.find("## [2.0.0]") < log.find("## [1.0.0]"),
        "newest first"
    );
    assert!(log.contains("### Migration notes"), "{log}");
    let newest = &log[log.find("## [2.0.0]").unwrap()..log.find("## [1.0.0]").unwrap()];
    insta::assert_snapshot!("example_release_changelog", newest);
}

/// The bump a single edit of the example's reconciliation needs.
fn reconciliation_bump(from: &str, to: &str) -> Bump {
    let before_texts = example_texts();
    let mut texts = before_texts.clone();
    edit(
        &mut texts,
        "reconciliations/orders-magento-erp.yaml",
        from,
        to,
    );
    let diff = diff_documents(&documents(&before_texts), &documents(&texts));
    diff.bump
}

#[test]
fn reconciliation_changes_are_classified() {
    // A looser tolerance proves less.
    assert_eq!(
        reconciliation_bump("tolerance: \"0.005\"", "tolerance: \"0.05\""),
        Bump::Major
    );
    // Another key: a different proof.
    assert_eq!(
        reconciliation_bump(
            "right: { column: document_no }",
            "right: { column: ext_order_id }"
        ),
        Bump::Major
    );
    // A longer grace window only changes when rows count as in flight.
    assert_eq!(reconciliation_bump("grace: 15m", "grace: 30m"), Bump::Minor);
    // Prose.
    assert_eq!(
        reconciliation_bump(
            "description: Every shop order",
            "description: Each shop order"
        ),
        Bump::Patch
    );
}

/// Repointing one environment's traffic is as breaking as repointing the only endpoint.
#[test]
fn a_webhook_endpoint_of_one_environment_changed_is_major() {
    let webhook = |prod: &str| {
        let text = format!(
            "kind: Webhook\nid: crm\nmethod: POST\nendpoints:\n  dev: https://dev.crm.example/leads\n  prod: {prod}\n"
        );
        let loaded = load_texts(Path::new("."), &[("crm.yaml".to_owned(), text)]);
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        Documents::from_model(&loaded.model)
    };
    let diff = diff_documents(
        &webhook("https://crm.example/api/v2/leads"),
        &webhook("https://crm.example/api/v3/leads"),
    );
    assert_eq!(diff.bump, Bump::Major, "{}", render_human(&diff));
}
