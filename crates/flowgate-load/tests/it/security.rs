//! What the loader reads stays inside the workspace: a `body_file` reached through a symbolic
//! link that leads out of it is refused, and its text never enters the model.
#![cfg(unix)]

use flowgate_load::{codes, load_workspace, Workspace};
use flowgate_model::AssetSpec;
use std::os::unix::fs::symlink;
use std::path::Path;

const SECRET: &str = "CRM_TOKEN=super-secret-crm-token-123";

fn template(body_file: &str) -> String {
    format!(
        "kind: Template\nid: receipt\nchannel: email\nsubject: Your receipt\nbody_file: {body_file}\n"
    )
}

/// A workspace in `dir/ws` whose template reads `body_file`, and a secret in `dir/outside`.
fn workspace(dir: &Path, body_file: &str) -> Workspace {
    let ws = dir.join("ws");
    std::fs::create_dir_all(ws.join("assets")).unwrap();
    std::fs::create_dir_all(dir.join("outside")).unwrap();
    std::fs::write(dir.join("outside/secret.txt"), SECRET).unwrap();
    std::fs::write(ws.join("flowgate.toml"), "[workspace]\nname = \"ws\"\n").unwrap();
    std::fs::write(ws.join("assets/receipt.yaml"), template(body_file)).unwrap();
    Workspace::open(&ws).unwrap()
}

fn assert_refused(ws: &Workspace) {
    let loaded = load_workspace(ws);
    let refused = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == codes::INVALID_VALUE)
        .unwrap_or_else(|| panic!("not refused: {:#?}", loaded.diagnostics));
    assert!(
        refused.message.contains("symbolic link"),
        "{}",
        refused.message
    );
    assert!(loaded.model.get_str("receipt").is_none());
    let everything = format!("{:?}", loaded.diagnostics);
    assert!(!everything.contains("super-secret"), "{everything}");
}

#[test]
fn a_linked_directory_leading_out_of_the_workspace_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "out/secret.txt");
    symlink(dir.path().join("outside"), ws.root.join("assets/out")).unwrap();
    assert_refused(&ws);
}

#[test]
fn a_linked_file_leading_out_of_the_workspace_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "body.txt");
    symlink(
        dir.path().join("outside/secret.txt"),
        ws.root.join("assets/body.txt"),
    )
    .unwrap();
    assert_refused(&ws);
}

#[test]
fn a_link_to_system_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "p/self/environ");
    symlink("/proc", ws.root.join("assets/p")).unwrap();
    assert_refused(&ws);
}

#[test]
fn a_link_that_stays_inside_the_workspace_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "shared/body.txt");
    std::fs::create_dir_all(ws.root.join("bodies")).unwrap();
    std::fs::write(
        ws.root.join("bodies/body.txt"),
        "Hello, thanks for your order.",
    )
    .unwrap();
    symlink(ws.root.join("bodies"), ws.root.join("assets/shared")).unwrap();
    let loaded = load_workspace(&ws);
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
    let AssetSpec::Template(template) = &loaded.model.get_str("receipt").unwrap().spec else {
        panic!("not a template")
    };
    assert!(template.content.body.text().source.contains("thanks"));
}
