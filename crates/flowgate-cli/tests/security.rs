//! What the command line writes never goes through a link planted in its output directory.

mod common;

use common::Workspace;

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
