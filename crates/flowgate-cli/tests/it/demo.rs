//! `flowgate demo`: it runs from an installed binary anywhere (the example is embedded), it
//! writes only to its own rehearsal stores, never into the workspace it is shown, and its
//! output stays short and names what was run.
//!
//! src/commands/demo_example.rs (the embedded example) is generated from examples/acme; the
//! first test fails when it is stale. Regenerate with
//! `FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-cli --test it demo::`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{finish, Workspace};
use std::path::{Path, PathBuf};
use std::process::Command;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn example_files(root: &Path, dir: &Path, files: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != ".flowgate") {
                example_files(root, &path, files);
            }
        } else {
            let relative = path.strip_prefix(root).unwrap();
            files.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn generate_embedded_example() -> String {
    let root = Path::new(MANIFEST).join("../../examples/acme");
    let mut files = Vec::new();
    example_files(&root, &root, &mut files);
    files.sort();
    let mut source = String::from(
        "//! The example workspace `examples/acme`, embedded so that an installed `flowgate demo`\n\
         //! runs anywhere. Generated from the directory; do not edit. Regenerate with\n\
         //! `FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-cli --test it demo::`.\n\n\
         /// Each file of the example: its path inside the workspace, and its text.\n\
         #[rustfmt::skip]\n\
         pub const FILES: &[(&str, &str)] = &[\n",
    );
    for file in files {
        source.push_str(&format!(
            "    (\"{file}\", include_str!(\"../../../../examples/acme/{file}\")),\n"
        ));
    }
    source.push_str("];\n");
    source
}

#[test]
fn the_embedded_example_is_up_to_date() {
    let path = Path::new(MANIFEST).join("src/commands/demo_example.rs");
    let generated = generate_embedded_example();
    if std::env::var_os("FLOWGATE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "src/commands/demo_example.rs is stale: run `FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-cli --test it demo::` and commit it"
    );
}

/// `flowgate demo ARGS` started in `cwd`, with its temporary files under `tmp`.
fn demo(cwd: &Path, tmp: &Path, args: &[&str]) -> (i32, String, String) {
    finish(
        Command::new(env!("CARGO_BIN_EXE_flowgate"))
            .current_dir(cwd)
            .args(["--color", "never"])
            .args(args)
            .env("TMPDIR", tmp)
            .env_remove("FLOWGATE_STORE")
            .env_remove("FLOWGATE_NOW")
            .env("FLOWGATE_USER", "tom")
            .output()
            .unwrap(),
    )
}

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    (dir, tmp)
}

#[test]
fn the_demo_never_writes_into_the_workspace_it_is_given() {
    let ws = Workspace::new();
    let (_dir, tmp) = temp();
    let elsewhere = tmp.join("shared.db");
    let root = ws.root.to_str().unwrap();
    let (code, out, err) = finish(
        Command::new(env!("CARGO_BIN_EXE_flowgate"))
            .args(["--color", "never", "demo", root])
            .env("TMPDIR", &tmp)
            .env("FLOWGATE_STORE", &elsewhere)
            .env("FLOWGATE_USER", "tom")
            .output()
            .unwrap(),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("lead-intake 1.0.0 (LI-1.0.0)"), "{out}");
    assert!(
        !ws.root.join(".flowgate").exists(),
        "the demo wrote into {root}"
    );
    assert!(!elsewhere.exists(), "the demo wrote into FLOWGATE_STORE");
    let (code, list, _) = ws.run(&["snapshot", "list"]);
    assert_eq!(code, 0);
    assert!(!list.contains("lead-intake"), "{list}");
}

/// The workspace a `Next:` hint names with `-C`.
fn hinted_workspace(out: &str) -> PathBuf {
    let hint = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("flowgate -C "))
        .unwrap_or_else(|| panic!("no `flowgate -C` hint in\n{out}"));
    PathBuf::from(hint.split_whitespace().next().unwrap())
}

#[test]
fn an_installed_demo_runs_the_embedded_example_anywhere() {
    let (dir, tmp) = temp();
    let (code, out, err) = demo(dir.path(), &tmp, &["demo"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("lead-intake 1.0.0 (LI-1.0.0): 38 assets"),
        "{out}"
    );
    assert!(
        out.contains("mara applies: prod holds lead-intake 1.0.1"),
        "{out}"
    );
    let workspace = hinted_workspace(&out);
    assert!(workspace.starts_with(&tmp), "{}", workspace.display());
    assert!(workspace.join("flowgate.toml").is_file());
    // Run again, it is the same example and the same demo store.
    let (code, again, _) = demo(dir.path(), &tmp, &["demo"]);
    assert_eq!(code, 0);
    assert!(
        again.contains("lead-intake 1.0.0: unchanged since the last snapshot"),
        "{again}"
    );
}

#[test]
fn the_demo_takes_its_workspace_from_dash_c_too() {
    let ws = Workspace::new();
    let (_dir, tmp) = temp();
    let root = ws.root.to_str().unwrap();
    let (code, out, err) = demo(&tmp, &tmp, &["-C", root, "demo"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("({root})")), "{out}");
    assert!(!ws.root.join(".flowgate").exists());
}

#[test]
fn the_demo_writes_the_graph_to_a_file_and_hints_at_what_it_ran() {
    let ws = Workspace::new();
    let (_dir, tmp) = temp();
    let root = ws.root.to_str().unwrap();
    let (code, out, err) = demo(&tmp, &tmp, &["demo", root]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.lines().count() < 180,
        "{} lines:\n{out}",
        out.lines().count()
    );
    assert!(!out.contains("flowchart"), "{out}");
    let graph = out
        .lines()
        .find_map(|l| l.split(" written to ").nth(1))
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or_else(|| panic!("no graph file in\n{out}"));
    let mermaid = std::fs::read_to_string(graph).unwrap();
    assert!(
        mermaid.lines().count() > 100 && mermaid.starts_with("flowchart"),
        "{mermaid}"
    );
    assert!(!out.contains("examples/acme"), "{out}");
    assert_eq!(hinted_workspace(&out), ws.root);
    // The diff hint works as printed: the demo's store holds the snapshot.
    let hint = out
        .lines()
        .find(|l| l.contains(" diff lead-intake"))
        .unwrap_or_else(|| panic!("no diff hint in\n{out}"));
    let words: Vec<&str> = hint.split_whitespace().skip(1).collect();
    let (code, diff, err) = demo(&tmp, &tmp, &words);
    assert_eq!(code, 0, "{hint}: {diff}{err}");
    assert!(!ws.root.join(".flowgate").exists());
}
