//! `flowgate reconcile generate`, `run` and `run --incremental` on the example asset, against
//! the real MariaDB and PostgreSQL: a recorded run leaves a checkpoint the next run continues
//! from, and an edited asset is never continued from.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::Workspace;
use serde_json::Value;

const ASSET: &str = "assets/reconciliations/orders-magento-erp.yaml";
const SCHEMA: &str = "fg_cli_incremental";

fn url(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_owned())
}

fn run_json(ws: &Workspace, shop: &str, erp: &str, extra: &[&str]) -> (Value, String) {
    let mut args = vec!["--format", "json", "reconcile", "run", "orders-magento-erp"];
    args.extend_from_slice(extra);
    let output = ws
        .command(&args)
        .env("MAGENTO_DB_URL", shop)
        .env("ERP_DB_URL", erp)
        .output()
        .unwrap();
    let (code, stdout, stderr) = crate::common::finish(output);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    (serde_json::from_str(&stdout).unwrap(), stderr)
}

#[test]
fn recorded_runs_are_continued_incrementally_until_the_asset_changes() {
    let ws = Workspace::new();
    ws.edit(ASSET, "erp.", &format!("{SCHEMA}."));
    let shop = url(
        "FLOWGATE_TEST_MYSQL_URL",
        "mysql://root@127.0.0.1:3306/test",
    );
    let erp = url(
        "FLOWGATE_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/test",
    );
    let (code, stdout, stderr) = ws.run(&[
        "reconcile",
        "generate",
        "--shop-url",
        &shop,
        "--erp-url",
        &erp,
        "--erp-schema",
        SCHEMA,
        "--orders",
        "6000",
        "--every",
        "1000",
    ]);
    if code != 0 {
        assert!(
            std::env::var_os("CI").is_none(),
            "the databases must be reachable under CI: {stdout}{stderr}"
        );
        eprintln!("skipping: {stderr}");
        return;
    }

    let (full, _) = run_json(&ws, &shop, &erp, &[]);
    assert!(full["report"]["work"]["incremental"].is_null());
    assert!(full["run"]["checkpoint"].is_string(), "{}", full["run"]);

    let (again, _) = run_json(&ws, &shop, &erp, &["--incremental"]);
    // Only segments holding the six orders changed minutes ago (in flight) are checksummed
    // again.
    let info = &again["report"]["work"]["incremental"];
    let rechecked = info["rechecked_segments"].as_u64().expect("continued");
    assert!((1..=6).contains(&rechecked), "{info}");
    assert_eq!(again["run"]["counts"], full["run"]["counts"]);

    ws.edit(ASSET, "\ndescription: ", "\ndescription: Edited. ");
    let (edited, note) = run_json(&ws, &shop, &erp, &["--incremental"]);
    assert!(edited["report"]["work"]["incremental"].is_null());
    assert!(note.contains("this run checks everything"), "{note}");
    assert_eq!(edited["run"]["counts"], full["run"]["counts"]);

    let (code, history, _) = ws.run(&["reconcile", "history", "orders-magento-erp"]);
    assert_eq!(code, 0);
    let passes: Vec<&str> = history
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().nth(2))
        .collect();
    assert_eq!(passes, ["full", "incr", "full"], "{history}");
}
