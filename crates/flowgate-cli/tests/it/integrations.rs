//! `flowgate integrations`: the example's inventory, risk table, impact analysis, map and
//! generated docs, pinned by snapshots; CSV, configured weights and unknown ids.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{flowgate_cmd, flowgate_in as flowgate, repo};
use insta_cmd::assert_cmd_snapshot;
use std::path::PathBuf;

fn acme() -> PathBuf {
    repo().join("examples/acme")
}

fn ok(args: &[&str]) -> String {
    let output = flowgate(&acme(), args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// `flowgate ARGS` in the example workspace, for a snapshot.
fn example(args: &[&str]) -> std::process::Command {
    flowgate_cmd(&acme(), args)
}

#[test]
fn list_shows_every_integration() {
    // Closes with "15 integrations, 9 systems".
    assert_cmd_snapshot!("list", example(&["integrations", "list"]));
}

#[test]
fn list_as_csv_and_json() {
    let csv = ok(&["--format", "csv", "integrations", "list"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,name,source,target,direction,hook,entities,owner,frequency,peak_per_hour,safe_zone,lifecycle,depends_on"
    );
    assert_eq!(lines.count(), 15);
    // A name with a comma or parenthesis stays one field.
    assert!(csv.contains("dropship-csv-exchange,Dropship orders (CSV over SFTP),magento,dropship"));
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["--format", "json", "integrations", "list"])).unwrap();
    let rows = json["integrations"].as_array().unwrap();
    assert_eq!(rows.len(), 15);
    assert_eq!(rows[0]["id"], "bi-nightly-export");
    assert_eq!(rows[0]["entities"][0], "order");
}

#[test]
fn risk_table_of_the_example() {
    // The direct-database job, the riskiest flow of the landscape, heads the table.
    assert_cmd_snapshot!("risk", example(&["integrations", "risk"]));
}

#[test]
fn risk_of_one_integration_explains_every_factor() {
    // Business criticality, ownership complexity, timing sensitivity, degree of
    // customization, external rigidity, error-handling and observability gaps, hook-type
    // fragility.
    assert_cmd_snapshot!(
        "risk_one",
        example(&["integrations", "risk", "legacy-price-db-job"])
    );
}

#[test]
fn risk_as_csv_has_one_column_per_factor() {
    let csv = ok(&["--format", "csv", "integrations", "risk"]);
    assert!(csv.starts_with("id,class,score,business_criticality,ownership_complexity,timing_sensitivity,customization,external_rigidity,error_handling,observability,hook_fragility,top_reasons\n"));
    assert_eq!(csv.lines().count(), 16);
}

#[test]
fn risk_weights_and_thresholds_come_from_flowgate_toml() {
    let workspace = crate::common::Workspace::new();
    let config = workspace.root.join("flowgate.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[integrations.risk]\nhigh = 95\nmedium = 80\n[integrations.risk.weights]\nhook_fragility = 20\n");
    std::fs::write(&config, text).unwrap();
    let output = flowgate(
        &workspace.root,
        &[
            "--format",
            "json",
            "integrations",
            "risk",
            "legacy-price-db-job",
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let risk = &json["risks"][0];
    // Hook fragility (100) now dominates: (20×100 + rest) / 34 > 72 before.
    assert!(risk["score"].as_u64().unwrap() > 85, "{risk}");
    assert_eq!(risk["class"], "medium");
    let weight = risk["factors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["factor"] == "hook_fragility")
        .unwrap()["weight"]
        .clone();
    assert_eq!(weight, 20);

    // A misspelt factor is a located configuration error.
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replace("hook_fragility = 20", "hook_fragilty = 20");
    std::fs::write(&config, text).unwrap();
    let output = flowgate(&workspace.root, &["integrations", "risk"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown risk factor `hook_fragilty`"),
        "{stderr}"
    );
    assert!(stderr.contains("flowgate.toml:"), "{stderr}");
}

#[test]
fn impact_follows_couplings_and_data_transitively() {
    assert_cmd_snapshot!(
        "impact_payment_capture",
        example(&["integrations", "impact", "payment-capture-psp"])
    );
    assert_cmd_snapshot!(
        "impact_stock_import",
        example(&["integrations", "impact", "stock-import-erp"])
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "--format",
        "json",
        "integrations",
        "impact",
        "order-export-erp",
    ]))
    .unwrap();
    let affected: Vec<&str> = json["impact"]["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        affected,
        [
            "dropship-csv-exchange",
            "invoice-sync-erp",
            "bi-nightly-export",
            // Dropship shipments land in Magento, where the label flow reads shipments.
            "shipping-labels-carrier",
            "tracking-import-carrier",
        ]
    );
}

#[test]
fn impact_of_an_unknown_integration_suggests_the_closest() {
    assert_cmd_snapshot!(example(&["integrations", "impact", "order-export-erpp"]));
}

#[test]
fn map_in_three_syntaxes() {
    assert_cmd_snapshot!("map_mermaid", example(&["integrations", "map"]));
    assert_cmd_snapshot!("map_dot", example(&["integrations", "map", "dot"]));
    // Every system is drawn (9 `<g><title>`), every flow is an edge coloured by its class
    // (15 `fill="none" stroke=`, high-risk ones red: `#c62828`).
    assert_cmd_snapshot!("map_svg", example(&["integrations", "map", "svg"]));
}

#[test]
fn docs_writes_one_page_per_integration_and_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let output = flowgate(
        &acme(),
        &["integrations", "docs", "--out", out.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0));
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 16);
    assert!(files.contains(&"index.md".to_owned()));
    let index = std::fs::read_to_string(out.join("index.md")).unwrap();
    for file in files.iter().filter(|f| *f != "index.md") {
        assert!(
            index.contains(&format!("]({file})")),
            "index does not link {file}"
        );
    }
    insta::assert_snapshot!("docs_index", index);
    insta::assert_snapshot!(
        "docs_order_export_erp",
        std::fs::read_to_string(out.join("order-export-erp.md")).unwrap()
    );
    insta::assert_snapshot!(
        "docs_legacy_price_db_job",
        std::fs::read_to_string(out.join("legacy-price-db-job.md")).unwrap()
    );
}

#[test]
fn csv_is_refused_where_it_makes_no_sense() {
    for args in [
        &["--format", "csv", "check"][..],
        &["--format", "csv", "integrations", "map"][..],
        &[
            "--format",
            "csv",
            "integrations",
            "impact",
            "order-export-erp",
        ][..],
    ] {
        let output = flowgate(&acme(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("--format csv is for"));
    }
}
