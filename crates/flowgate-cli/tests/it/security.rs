//! What the command line writes never goes through a link planted in its output directory.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::Workspace;

#[cfg(unix)]
#[test]
fn integrations_docs_replace_a_planted_link_instead_of_writing_through_it() {
    let ws = Workspace::new();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "original").unwrap();
    let out = ws.root.join("site");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("index.md")).unwrap();

    let (code, stdout, err) = ws.run(&["integrations", "docs", "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "original");
    let index = std::fs::symlink_metadata(out.join("index.md")).unwrap();
    assert!(
        index.file_type().is_file(),
        "the link was replaced by the page"
    );
    assert!(std::fs::read_to_string(out.join("index.md"))
        .unwrap()
        .contains("Integration"));
}

#[cfg(unix)]
#[test]
fn a_plan_file_replaces_a_planted_link_instead_of_writing_through_it() {
    let ws = Workspace::new();
    let (code, _, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{err}");
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "original").unwrap();
    let plan = ws.root.join("p.json");
    std::os::unix::fs::symlink(&victim, &plan).unwrap();

    let (code, out, err) = ws.run(&[
        "plan",
        "lead-intake@1.0.0",
        "--to",
        "dev",
        "--out",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "original");
    assert!(std::fs::symlink_metadata(&plan)
        .unwrap()
        .file_type()
        .is_file());
}

#[test]
fn help_never_prints_the_values_of_connection_variables() {
    let ws = Workspace::new();
    let secret = "postgres://ci:hunter2-secret@db.example/flowgate";
    for args in [
        &["--help"][..],
        &["snapshot", "list", "--help"],
        &["reconcile", "generate", "--help"],
    ] {
        let mut command = ws.command(args);
        command
            .env("FLOWGATE_STORE", secret)
            .env("MAGENTO_DB_URL", secret)
            .env("ERP_DB_URL", secret);
        let (code, out, err) = crate::common::finish(command.output().unwrap());
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(
            !out.contains("hunter2"),
            "{args:?} printed a password: {out}"
        );
    }
}

#[test]
fn an_anchor_kept_outside_the_store_catches_a_cut_off_log() {
    let ws = Workspace::new();
    two_log_records(&ws);
    let (code, out, err) = ws.run(&["--format", "json", "audit", "head"]);
    assert_eq!(code, 0, "{err}");
    let anchor: serde_json::Value = serde_json::from_str(&out).unwrap();
    let anchor = anchor["anchor"].as_str().unwrap().to_owned();
    let (code, out, _) = ws.run(&["audit", "verify", "--expect", &anchor]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 anchor(s) hold"), "{out}");

    // Cut off the last record and move the head back: the chain alone still checks out.
    cut_off_last_record(&ws);
    let (code, out, _) = ws.run(&["audit", "verify"]);
    assert_eq!(code, 0, "without an anchor the cut is invisible: {out}");
    let (code, out, _) = ws.run(&["audit", "verify", "--anchor", &anchor]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is gone: the log was cut off"), "{out}");

    let (code, _, err) = ws.run(&["audit", "verify", "--anchor", "12:nothex"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn an_import_is_recorded_as_the_importer_with_the_files_author_as_a_claim() {
    let ws = Workspace::new();
    let (code, _, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{err}");
    let file = ws.root.join("li.fgs");
    let (code, _, err) = ws.run(&[
        "snapshot",
        "export",
        "lead-intake@1.0.0",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let other = tempfile::tempdir().unwrap();
    let store = other.path().join("other.db");
    let store = store.to_str().unwrap();
    let (code, _, err) = ws.run(&[
        "--store",
        store,
        "snapshot",
        "import",
        file.to_str().unwrap(),
        "--as",
        "mara",
    ]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = ws.run(&["--store", store, "--format", "json", "log"]);
    let log: serde_json::Value = serde_json::from_str(&out).unwrap();
    let import = &log["operations"][0];
    assert_eq!(import["actor"], "mara", "{out}");
    assert_eq!(import["payload"]["claimed_author"], "tom", "{out}");

    let (code, _, err) = ws.run(&[
        "--store",
        store,
        "snapshot",
        "import",
        file.to_str().unwrap(),
        "--as",
        "nobody",
    ]);
    assert_eq!(code, 2, "an importer who is no one is refused: {err}");
}

#[test]
fn store_passwords_never_appear_in_errors() {
    let ws = Workspace::new();
    for store in [
        "postgres://postgres@127.0.0.1:1/x?sslmode=disable&password=topsecretpw",
        "postgres://postgres:top/secretpw@127.0.0.1:1/x",
        "postgres://postgres:top?secretpw@127.0.0.1:1/x",
    ] {
        for format in ["human", "json"] {
            let (code, out, err) =
                ws.run(&["--format", format, "--store", store, "snapshot", "list"]);
            assert_ne!(code, 0, "{store}");
            assert!(
                !format!("{out}{err}").contains("secretpw"),
                "{store}: {out}{err}"
            );
        }
    }
}

#[test]
fn a_head_tagged_in_the_workspace_repository_catches_a_rewritten_log() {
    let ws = Workspace::new();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(&ws.root)
            .args([
                "-c",
                "user.name=Tom Eder",
                "-c",
                "user.email=tom.eder@acme-outdoor.example",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "acme"]);
    two_log_records(&ws);
    let (code, out, err) = ws.run(&["audit", "anchor"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("tagged flowgate-audit/2-"), "{out}");
    let (code, out, _) = ws.run(&["audit", "verify", "--git-anchors"]);
    assert_eq!(code, 0, "{out}");

    // Cut off the last record and move the head back: the chain alone still checks out, the
    // tag does not.
    cut_off_last_record(&ws);
    let (code, out, _) = ws.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = ws.run(&["audit", "verify", "--git-anchors"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("anchor #2 is gone"), "{out}");
}

/// Two snapshots of the same content, so the log holds two records.
fn two_log_records(ws: &Workspace) {
    for version in ["1.0.0", "1.0.1"] {
        let (code, _, err) = ws.run(&[
            "snapshot",
            "create",
            "lead-intake",
            "--version",
            version,
            "--allow-version",
            "same content, new number",
        ]);
        assert_eq!(code, 0, "{err}");
    }
}

/// Deletes the log's last record and moves the head back to the one before, as someone with
/// write access to the store could: the hash chain alone still checks out.
fn cut_off_last_record(ws: &Workspace) {
    ws.execute_sql(&[
        "DELETE FROM flowgate_operations WHERE seq = (SELECT MAX(seq) FROM flowgate_operations)",
        "UPDATE flowgate_log_head SET seq = (SELECT MAX(seq) FROM flowgate_operations), \
         hash = (SELECT hash FROM flowgate_operations ORDER BY seq DESC LIMIT 1)",
    ]);
}
