//! Snapshots, diffs and changelogs through the command line, on a copy of the bundled
//! example with its embedded store: freezing, idempotence, the version gate, export and a
//! tampered import, the diff of an edit and the changelog.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::Workspace;
use insta_cmd::assert_cmd_snapshot;
use std::process::Command;

#[test]
fn freeze_diff_gate_and_changelog() {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("snapshot LI-1.0.0 (lead-intake 1.0.0)"),
        "{out}"
    );
    assert!(ws.root.join(".flowgate/store.db").is_file());

    // Same content, same version: nothing new.
    let (code, out, _) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0);
    assert!(out.contains("already exists with this content"), "{out}");

    // A logic change: a step removed.
    ws.edit(
        "assets/workflows/welcome-series.yaml",
        "    next: wait-before-guide\n",
        "    next: send-gear-guide\n",
    );
    ws.edit(
        "assets/workflows/welcome-series.yaml",
        "  - id: wait-before-guide\n    type: wait\n    duration: 3d\n    next: send-gear-guide\n",
        "",
    );
    let (code, out, _) = ws.run(&["diff", "lead-intake"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("step `wait-before-guide` (wait) removed"),
        "{out}"
    );
    assert!(out.contains("required bump: major"), "{out}");
    let (_, out, _) = ws.run(&["diff", "lead-intake", "--suggest-version"]);
    assert!(out.starts_with("major: 2.0.0"), "{out}");
    let (_, out, _) = ws.run(&["--format", "markdown", "diff", "lead-intake@1.0.0"]);
    assert!(out.contains("### Why major"), "{out}");

    // The version gate: a patch version for a major change is refused, with the reason.
    let (code, _, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.1"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("require a major release") && err.contains("use 2.0.0"),
        "{err}"
    );
    let (code, _, _) = ws.run(&[
        "snapshot",
        "create",
        "lead-intake",
        "--version",
        "1.0.1",
        "--allow-version",
        "hotfix agreed with marketing-ops",
    ]);
    assert_eq!(code, 0);
    let (_, out, _) = ws.run(&["snapshot", "show", "lead-intake@1.0.1"]);
    assert!(out.contains("hotfix agreed with marketing-ops"), "{out}");

    // Export, a tampered import is refused, a clean one is accepted.
    let file = ws.root.join("li.fgs");
    let (code, _, err) = ws.run(&[
        "snapshot",
        "export",
        "lead-intake@1.0.1",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let tampered = ws.root.join("tampered.fgs");
    std::fs::write(
        &tampered,
        text.replacen("send-gear-guide", "send-gear-guidx", 1),
    )
    .unwrap();
    let other = tempfile::tempdir().unwrap();
    let store = other.path().join("other.db");
    let (code, _, err) = ws.run(&[
        "--store",
        store.to_str().unwrap(),
        "snapshot",
        "import",
        tampered.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "a tampered file must be refused");
    assert!(!err.is_empty());
    let (code, out, err) = ws.run(&[
        "--store",
        store.to_str().unwrap(),
        "snapshot",
        "import",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = ws.run(&["--store", store.to_str().unwrap(), "snapshot", "list"]);
    assert!(
        out.contains("lead-intake") && out.contains("1.0.1"),
        "{out}"
    );

    let (code, out, _) = ws.run(&["snapshot", "verify"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = ws.run(&["changelog", "lead-intake"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("## [1.0.1]") && out.contains("## [1.0.0]"),
        "{out}"
    );
    assert!(
        out.contains("step `wait-before-guide` (wait) removed"),
        "{out}"
    );
    assert!(
        out.find("## [1.0.1]") < out.find("## [1.0.0]"),
        "newest first: {out}"
    );
}

#[test]
fn unknown_bundles_and_bad_versions_are_refused() {
    let ws = Workspace::new();
    let _filters = ws.filters().bind_to_scope();
    assert_cmd_snapshot!(
        "unknown_bundle",
        ws.command(&["snapshot", "create", "nope", "--version", "1.0.0"])
    );
    assert_cmd_snapshot!(
        "version_one",
        ws.command(&["snapshot", "create", "lead-intake", "--version", "one"])
    );
    assert_cmd_snapshot!(
        "unknown_snapshot",
        ws.command(&["diff", "lead-intake@9.9.9"])
    );
}

#[test]
fn the_demo_freezes_bundles_and_versions_what_changed() {
    let ws = Workspace::new();
    let demo = |ws: &Workspace| {
        let output = Command::new(env!("CARGO_BIN_EXE_flowgate"))
            .args(["--color", "never", "demo"])
            .arg(&ws.root)
            .env("TMPDIR", ws.root.parent().unwrap())
            .env_remove("FLOWGATE_STORE")
            .env("FLOWGATE_USER", "tom")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let first = demo(&ws);
    assert!(
        first.contains("lead-intake 1.0.0 (LI-1.0.0): 38 assets, 38 new objects"),
        "{first}"
    );
    assert!(first.contains("cart-recovery 1.0.0 (CR-1.0.0)"), "{first}");
    // The promotion rehearsal: gates, approvals, a bad release and its rollback.
    for step in [
        "tom applies: dev holds lead-intake 1.0.0",
        "✗ approvals: waiting for marketing-ops (mara)",
        "✗ soak: 1.0.0 has run in stage for 30m, 24h00m required",
        "✗ promoter: tom (builder) may not promote into prod",
        "mara applies: prod holds lead-intake 1.0.0",
        "mara applies: prod holds lead-intake 1.0.1",
        "mara rolls prod back: the whole bundle at 1.0.0 again, prod pinned",
        "rollback again: nothing to do",
        "✗ pinned: prod is pinned by mara",
        "prod   lead-intake 1.0.0 (LI-1.0.0)  rollback by mara, pinned, files in sync",
        "hash chain intact",
    ] {
        assert!(first.contains(step), "{step} missing from\n{first}");
    }
    let again = demo(&ws);
    assert!(
        again.contains("lead-intake 1.0.0: unchanged since the last snapshot"),
        "{again}"
    );
    ws.edit(
        "assets/templates/welcome-email.yaml",
        "subject: Welcome to Acme Outdoor",
        "subject: Welcome to Acme Outdoor, friend",
    );
    let edited = demo(&ws);
    assert!(
        edited.contains("lead-intake 1.0.1 (LI-1.0.1): 38 assets, 1 new objects"),
        "{edited}"
    );
    assert!(edited.contains("patch  `subject` changed"), "{edited}");
    assert!(
        edited.contains("cart-recovery 1.0.0: unchanged"),
        "{edited}"
    );
}

#[test]
fn outside_git_the_manifest_does_not_claim_a_clean_tree() {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{out}{err}");
    let (_, show, _) = ws.run(&["--format", "json", "snapshot", "show", "lead-intake@1.0.0"]);
    let shown: serde_json::Value = serde_json::from_str(&show).unwrap();
    let source = &shown["snapshot"]["manifest"]["source"];
    assert!(
        source["commit"].is_null() && source["dirty"].is_null(),
        "{source}"
    );
}

#[test]
fn versions_are_written_as_semver_and_taken_only_once() {
    let ws = Workspace::new();
    let create_command =
        |version: &str| ws.command(&["snapshot", "create", "lead-intake", "--version", version]);
    let create = |version: &str| crate::common::finish(create_command(version).output().unwrap());
    let _filters = ws.filters().bind_to_scope();
    assert_cmd_snapshot!("version_with_a_v", create_command("v1.0.9"));
    assert_cmd_snapshot!("version_1_0", create_command("1.0"));
    let (code, _, _) = create("1.0.1");
    assert_eq!(code, 0);
    ws.edit(
        "assets/templates/welcome-email.yaml",
        "subject: Welcome to Acme Outdoor",
        "subject: Welcome aboard",
    );
    let (code, _, _) = create("1.0.9");
    assert_eq!(code, 0);
    ws.edit(
        "assets/templates/welcome-email.yaml",
        "subject: Welcome aboard",
        "subject: Welcome aboard!",
    );
    let (code, _, err) = create("1.0.1");
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lead-intake 1.0.1 already exists") && err.contains("frozen by tom"),
        "{err}"
    );
}

#[test]
fn show_and_verify_speak_to_people_not_in_json() {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, show, _) = ws.run(&["snapshot", "show", "lead-intake@1.0.0"]);
    assert_eq!(code, 0);
    assert!(!show.contains('{') && !show.contains('"'), "{show}");
    assert!(show.contains("\n  release_id: LI-1.0.0\n"), "{show}");
    assert!(show.contains("\n    secrets: env:CRM_TOKEN\n"), "{show}");
    // The log's head hashes the time of the snapshot.
    let mut settings = ws.filters();
    settings.add_filter(r"\(head [0-9a-f]{12}\)", "(head [HASH])");
    let _filters = settings.bind_to_scope();
    assert_cmd_snapshot!("verify", ws.command(&["snapshot", "verify"]));
}
