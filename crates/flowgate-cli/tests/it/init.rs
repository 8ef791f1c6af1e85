//! `flowgate init` in folders that already hold platform files, and the safety of the
//! starter's promotion gates.
#![allow(clippy::unwrap_used, missing_docs)]

use crate::common::{finish, tmp_filters};
use insta_cmd::assert_cmd_snapshot;
use std::path::Path;
use std::process::Command;

/// `flowgate ARGS` in `dir`, with git's identity pinned to a known person.
/// `flowgate ARGS` started in `dir`, with a git identity of its own.
fn command(dir: &Path, args: &[&str]) -> Command {
    let gitconfig = dir.parent().unwrap().join("gitconfig");
    if !gitconfig.exists() {
        std::fs::write(
            &gitconfig,
            "[user]\n\tname = Test Person\n\temail = test.person@example.test\n",
        )
        .unwrap();
    }
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowgate"));
    command
        .current_dir(dir)
        .args(["--color", "never"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", &gitconfig)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("FLOWGATE_STORE")
        .env_remove("FLOWGATE_NOW")
        .env_remove("FLOWGATE_USER");
    command
}

fn flowgate(dir: &Path, args: &[&str]) -> (i32, String, String) {
    finish(command(dir, args).output().unwrap())
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const N8N: &str = r#"{"name": "Lead sync", "active": false, "nodes": [
  {"id": "1", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
  {"id": "2", "name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1, "position": [200, 0], "parameters": {}}],
  "connections": {"Start": {"main": [[{"node": "Wait", "type": "main", "index": 0}]]}}}"#;

#[test]
fn a_folder_of_n8n_exports_gets_their_glob_and_no_example_assets() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("team");
    write(&root, "workflows/lead-sync.json", N8N);
    write(
        &root,
        "package.json",
        r#"{"name": "team", "private": true}"#,
    );
    // Names the exports found, and the hint names what to run here: `flowgate validate`.
    let _filters = tmp_filters(tmp.path()).bind_to_scope();
    assert_cmd_snapshot!(command(&root, &["init"]));
    let config = std::fs::read_to_string(root.join("flowgate.toml")).unwrap();
    assert!(config.contains(r#"n8n = ["workflows/*.json"]"#), "{config}");
    assert!(!root.join("assets").exists(), "no example assets");
    assert!(std::fs::read_to_string(root.join(".gitignore"))
        .unwrap()
        .contains(".flowgate/"));
    let (code, out, err) = flowgate(&root, &["validate", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["assets"], 1,
        "the one n8n workflow, and not package.json: {out}"
    );
}

#[test]
fn an_sfdx_project_gets_no_example_assets_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("sfdx");
    write(
        &root,
        "sfdx-project.json",
        r#"{"packageDirectories": [{"path": "force-app", "default": true}]}"#,
    );
    let (code, out, err) = flowgate(&root, &["init", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["example"], false);
    assert_eq!(report["found"]["sfdx_projects"][0], ".");
    assert!(!root.join("assets").exists());

    let other = tmp.path().join("sfdx-with-example");
    write(
        &other,
        "sfdx-project.json",
        r#"{"packageDirectories": [{"path": "force-app"}]}"#,
    );
    let (code, _, err) = flowgate(&other, &["init", "--example"]);
    assert_eq!(code, 0, "{err}");
    assert!(other.join("assets/workflows/welcome.yaml").exists());
}

#[test]
fn the_starter_keeps_prod_behind_stage_and_an_approval() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("stack");
    std::fs::create_dir_all(&root).unwrap();
    let (code, _, err) = flowgate(&root, &["init"]);
    assert_eq!(code, 0, "{err}");
    let config = std::fs::read_to_string(root.join("flowgate.toml")).unwrap();
    assert!(config.contains("[people.test-person]"), "{config}");
    assert!(
        config.contains("email = \"test.person@example.test\""),
        "{config}"
    );
    let (code, out, err) = flowgate(&root, &["validate"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = flowgate(
        &root,
        &[
            "snapshot",
            "create",
            "newsletter",
            "--version",
            "0.1.0",
            "--as",
            "test-person",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = flowgate(
        &root,
        &[
            "promote",
            "newsletter@0.1.0",
            "--to",
            "prod",
            "--as",
            "test-person",
        ],
    );
    assert_eq!(code, 1, "straight to prod must be blocked: {out}{err}");
    assert!(format!("{out}{err}").contains("stage"), "{out}{err}");
}
