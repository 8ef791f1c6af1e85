//! The workspace names its store in `[store] url`, so a team shares one without every person
//! and CI job setting FLOWGATE_STORE; a password never lives in the file.
#![allow(clippy::unwrap_used, missing_docs)]

use crate::common::Workspace;

fn add_store_section(ws: &Workspace, url: &str) {
    let path = ws.root.join("flowgate.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("\n[store]\nurl = \"{url}\"\n"));
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_relative_store_path_in_the_workspace_file_is_used() {
    let ws = Workspace::new();
    add_store_section(&ws, "shared/team.db");
    let (code, out, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(ws.root.join("shared/team.db").is_file());
    assert!(
        !ws.root.join(".flowgate/store.db").exists(),
        "the default store stays unused"
    );
    // --store still wins over the file.
    let other = ws.root.join("other.db");
    let (code, out, _) = ws.run(&["--store", other.to_str().unwrap(), "snapshot", "list"]);
    assert_eq!(code, 0);
    assert!(!out.contains("lead-intake"), "{out}");
}

#[test]
fn the_store_url_can_come_from_a_variable_named_in_the_file() {
    let ws = Workspace::new();
    add_store_section(&ws, "env:ACME_STORE_URL");
    let target = ws.root.join("from-env.db");
    let mut command = ws.command(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    command.env("ACME_STORE_URL", &target);
    let (code, out, err) = crate::common::finish(command.output().unwrap());
    assert_eq!(code, 0, "{out}{err}");
    assert!(target.is_file());
    let mut unset = ws.command(&["snapshot", "list"]);
    unset.env_remove("ACME_STORE_URL");
    let (code, _, err) = crate::common::finish(unset.output().unwrap());
    assert_eq!(code, 2);
    assert!(err.contains("ACME_STORE_URL, which is not set"), "{err}");
}

#[test]
fn a_password_in_the_store_url_is_refused_and_never_printed() {
    let ws = Workspace::new();
    add_store_section(&ws, "postgres://ops:Sup3rS3cretPw@db.internal/flowgate");
    for format in ["human", "json"] {
        let (code, out, err) = ws.run(&["--format", format, "snapshot", "list"]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            format!("{out}{err}").contains("holds a password"),
            "{out}{err}"
        );
        assert!(
            !format!("{out}{err}").contains("Sup3rS3cretPw"),
            "{out}{err}"
        );
    }
    let (code, out, err) = ws.run(&["validate"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!format!("{out}{err}").contains("Sup3rS3cretPw"));
}

#[test]
fn store_gc_keeps_what_snapshots_reach_and_reports_as_json() {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{out}{err}");
    for args in [
        &["store", "gc", "--dry-run", "--format", "json"][..],
        &["store", "gc", "--grace-minutes", "0", "--format", "json"],
    ] {
        let (code, out, err) = ws.run(args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["version"], 1, "{report:#}");
        assert_eq!(report["dry_run"], args.contains(&"--dry-run"), "{report:#}");
        assert_eq!(report["snapshots"], 1, "{report:#}");
        assert_eq!(report["objects"]["removed"], 0, "{report:#}");
        assert!(
            report["objects"]["reachable"].as_u64().unwrap() > 0,
            "{report:#}"
        );
        assert!(
            report["trees"]["reachable"].as_u64().unwrap() > 0,
            "{report:#}"
        );
    }
    let (code, out, err) = ws.run(&["store", "gc", "--dry-run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("dry run: nothing removed"), "{out}");
    // The snapshot is whole afterwards: it verifies, and exports (streamed to the file).
    let (code, out, err) = ws.run(&["snapshot", "verify"]);
    assert_eq!(code, 0, "{out}{err}");
    let file = ws.root.join("lead-intake.fgx");
    let (code, out, err) = ws.run(&[
        "snapshot",
        "export",
        "lead-intake@1.0.0",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(flowgate_store::EXPORT_MAGIC));
    assert!(out.contains(&format!("({} bytes)", bytes.len())), "{out}");
}
