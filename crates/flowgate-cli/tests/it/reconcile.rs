//! `flowgate reconcile`: errors that need no database (the engine itself is tested against
//! MariaDB and PostgreSQL in `flowgate-reconcile`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::tmp_filters;
use insta_cmd::assert_cmd_snapshot;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

/// `flowgate ARGS` in the example, without the connection variables.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowgate"));
    command
        .arg("-C")
        .arg(example())
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("MAGENTO_DB_URL")
        .env_remove("ERP_DB_URL");
    command
}

fn flowgate(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

#[test]
fn an_unset_connection_variable_is_bad_input_not_a_clean_result() {
    // No report on stdout for a run that did not happen.
    assert_cmd_snapshot!(command(&[
        "reconcile",
        "run",
        "orders-magento-erp",
        "--no-record"
    ]));
}

#[test]
fn only_reconciliations_can_be_run() {
    assert_cmd_snapshot!(command(&[
        "reconcile",
        "run",
        "crm-lead-sync",
        "--no-record"
    ]));
    let output = flowgate(&["reconcile", "run", "no-such-thing", "--no-record"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn an_unreachable_database_fails_the_run_as_unavailable() {
    let output = Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .arg("-C")
        .arg(example())
        .args(["reconcile", "run", "orders-magento-erp", "--no-record"])
        .env("NO_COLOR", "1")
        .env("MAGENTO_DB_URL", "mysql://nobody@127.0.0.1:1/shop")
        .env("ERP_DB_URL", "postgres://nobody@127.0.0.1:1/erp")
        .output()
        .unwrap();
    // A database that cannot be reached is unavailable (4), not a finding or bad input.
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[FG024]"), "{stderr}");
    assert!(stderr.contains("failed"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("no row differences"));
}

#[test]
fn history_without_runs_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.db");
    let _filters = tmp_filters(dir.path()).bind_to_scope();
    assert_cmd_snapshot!(command(&[
        "--store",
        store.to_str().unwrap(),
        "reconcile",
        "history",
        "orders-magento-erp",
    ]));
}

#[test]
fn a_name_that_is_no_reconciliation_is_bad_input_with_the_ones_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.db");
    for args in [
        &["reconcile", "run", "orders-magento-er", "--no-record"][..],
        &[
            "--store",
            store.to_str().unwrap(),
            "reconcile",
            "history",
            "orders-magento-er",
        ],
    ] {
        let output = flowgate(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("reconciliations: orders-magento-erp"),
            "{stderr}"
        );
    }
}
