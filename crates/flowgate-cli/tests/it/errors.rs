//! Every failure class ends with its documented exit code and diagnostic code: bad input 2
//! (FG021), a refusal 1 (FG022), a store that cannot be reached or used 4 (FG024), in human
//! and JSON output alike.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::Workspace;
use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;

/// A PostgreSQL URL on a port where nothing listens: a store that is down.
const DOWN: &str = "postgres://postgres@127.0.0.1:1/flowgate";

fn json_codes(out: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(value["version"], 1, "{out}");
    value["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("no diagnostics: {out}"))
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_store_that_is_down_is_unavailable_not_bad_input() {
    let ws = Workspace::new();
    for args in [
        &["snapshot", "list"][..],
        &["status"],
        &["log"],
        &["audit", "verify"],
        &["plan", "lead-intake@1.0.0", "--to", "dev"],
        &["store", "init"],
    ] {
        let mut all = vec!["--store", DOWN];
        all.extend_from_slice(args);
        let (code, out, err) = ws.run(&all);
        assert_eq!(code, 4, "{args:?}: {out}{err}");
        assert!(err.contains("error[FG024]"), "{args:?}: {err}");
        assert!(err.contains("retry"), "{args:?}: {err}");

        let mut json = vec!["--format", "json"];
        json.extend_from_slice(&all);
        let (code, out, _) = ws.run(&json);
        assert_eq!(code, 4, "{args:?}: {out}");
        assert_eq!(json_codes(&out), ["FG024"], "{args:?}");
    }
}

#[test]
fn a_reference_that_names_nothing_is_bad_input_with_its_own_code() {
    let ws = Workspace::new();
    let (code, _, err) = ws.run(&["snapshot", "show", "lead-intake@9.9.9"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[FG021]: no snapshot `lead-intake@9.9.9` in the store"),
        "{err}"
    );
    assert!(err.contains("flowgate snapshot list"), "{err}");

    let (code, out, _) = ws.run(&["--format", "json", "approve", "deadbeefdead"]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(json_codes(&out), ["FG021"]);

    let (code, out, _) = ws.run(&["--format", "json", "integrations", "impact", "nope"]);
    assert_eq!(code, 2, "{out}");
    assert_eq!(json_codes(&out), ["FG021"]);
}

#[test]
fn a_refusal_by_the_policy_is_exit_1_and_coded() {
    let ws = Workspace::new();
    let (code, _, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{err}");
    // tom is a builder; builders may not pin prod.
    let (code, _, err) = ws.run(&["pin", "prod", "--reason", "freeze for the sale"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[FG022]"), "{err}");
}

#[test]
fn every_command_code_has_a_page() {
    let ws = Workspace::new();
    for code in ["FG021", "FG022", "FG023", "FG024", "FG025"] {
        let (exit, out, err) = ws.run(&["rule", code]);
        assert_eq!(exit, 0, "{code}: {err}");
        assert!(out.contains("## How to fix"), "{code}: {out}");
    }
}

#[test]
fn an_unknown_rule_is_bad_input_with_the_selector_code() {
    let ws = Workspace::new();
    let _filters = ws.filters().bind_to_scope();
    // With a did-you-mean: trigger-loop.
    assert_cmd_snapshot!(ws.command(&["rule", "trigger-lop"]));
}

#[test]
fn a_format_the_command_does_not_write_is_bad_input() {
    let ws = Workspace::new();
    let _filters = ws.filters().bind_to_scope();
    assert_cmd_snapshot!(ws.command(&["--format", "sarif", "status"]));
}

#[test]
fn an_environment_flowgate_toml_does_not_declare_is_bad_input_everywhere() {
    let ws = Workspace::new();
    for args in [
        &["rollback", "qa", "--reason", "r"][..],
        &["pin", "qa", "--reason", "r"],
        &["unpin", "qa", "--reason", "r"],
        &["sync", "qa"],
        &["log", "qa"],
        &["plan", "lead-intake@1.0.0", "--to", "qa"],
    ] {
        let (code, _, err) = ws.run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("error[FG019]: no environment `qa` in flowgate.toml"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_glob_that_does_not_compile_is_configuration_not_a_finding() {
    let ws = Workspace::new();
    ws.edit(
        "flowgate.toml",
        "[workspace]\n",
        "[workspace]\nexclude = [\"a/[**\"]\n",
    );
    let (code, _, err) = ws.run(&["validate"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error[FG015]: invalid glob"), "{err}");
}

#[test]
fn a_typo_in_the_integrations_settings_fails_validate_and_check() {
    let ws = Workspace::new();
    let path = ws.root.join("flowgate.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\n[integrations.rsk]\nhigh = 50\n");
    std::fs::write(&path, text).unwrap();
    for args in [&["validate"][..], &["check"]] {
        let (code, _, err) = ws.run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("rsk"), "{args:?}: {err}");
    }
}

#[test]
fn snapshot_export_and_import_write_json_when_asked() {
    let ws = Workspace::new();
    let (code, _, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{err}");
    let file = ws.root.join("li.fgs");
    let path = file.to_str().unwrap();
    let (code, out, err) = ws.run(&[
        "--format",
        "json",
        "snapshot",
        "export",
        "lead-intake@1.0.0",
        path,
    ]);
    assert_eq!(code, 0, "{err}");
    let exported: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["snapshot_version"], "1.0.0");
    let (code, out, err) = ws.run(&["--format", "json", "snapshot", "import", path]);
    assert_eq!(code, 0, "{err}");
    let imported: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        imported["created"], false,
        "the store already had it: {out}"
    );
    assert_eq!(imported["id"], exported["id"]);

    let (code, _, err) = ws.run(&["--format", "json", "integrations", "map"]);
    assert_eq!(code, 2, "{err}");
}
