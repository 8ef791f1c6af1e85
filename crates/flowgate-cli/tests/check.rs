//! `flowgate check`: exit codes, formats, configuration errors, exceptions and
//! `--changed-since`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn flowgate(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn broken() -> PathBuf {
    repo().join("crates/flowgate-cli/tests/fixtures/broken")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_example_checks_clean_for_every_environment() {
    for env in ["dev", "stage", "prod"] {
        let output = flowgate(
            &repo().join("examples/acme"),
            &["check", "--env", env, "--fail-on", "error"],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "--env {env}:\n{}",
            stdout(&output)
        );
        let text = stdout(&output);
        assert!(text.contains("checked 108 assets"), "{text}");
        // The only findings are the governance warnings on the deliberately legacy
        // integrations (direct-database job, CSV exchange, browser tracking, SOAP fallback).
        for line in text
            .lines()
            .filter(|l| l.starts_with("warning[") || l.starts_with("info["))
        {
            assert!(
                [
                    "legacy-price-db-job",
                    "dropship-csv-exchange",
                    "onsite-tracking",
                    "shipping-labels-carrier",
                ]
                .iter()
                .any(|id| line.contains(id)),
                "unexpected finding: {line}"
            );
        }
        assert!(!text.contains("error["), "{text}");
    }
}

#[test]
fn findings_fail_the_run_at_the_chosen_level() {
    // FG103 is a warning: it fails the run only from --fail-on warning.
    let output = flowgate(&broken(), &["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("FG103"));
    let output = flowgate(&broken(), &["check", "--fail-on", "warning"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let output = flowgate(&broken(), &["check", "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0));
    let output = flowgate(
        &broken(),
        &["check", "--ignore", "FG1,FG3,FG6", "--fail-on", "error"],
    );
    assert!(!stdout(&output).contains("FG103"));
}

#[test]
fn github_annotations_and_junit() {
    let output = flowgate(&broken(), &["--format", "github", "check"]);
    let text = stdout(&output);
    assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
    // Paths resolve from the current directory (the repository root in CI).
    assert!(
        text.contains("file=tests/fixtures/broken/assets/route.yaml,line=11,col=9"),
        "{text}"
    );
    let output = flowgate(&broken(), &["--format", "junit", "check"]);
    let text = stdout(&output);
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(
        text.contains("<testsuite name=\"tests/fixtures/broken/assets/route.yaml\""),
        "{text}"
    );
    assert!(text.contains("<failure type=\"warning\""), "{text}");
}

#[test]
fn machine_formats_are_refused_outside_check() {
    let output = flowgate(&broken(), &["--format", "sarif", "validate"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn unknown_environment_is_bad_input() {
    let output = flowgate(&broken(), &["check", "--env", "production"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("environments are: dev, stage, prod"));
}

#[test]
fn bad_check_configuration_is_located() {
    let dir = repo().join("crates/flowgate-cli/tests/fixtures/bad-check-config");
    let output = flowgate(&dir, &["check"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no rule `FG999`"), "{stderr}");
    assert!(stderr.contains("flowgate.toml:6:"), "{stderr}");
    assert!(stderr.contains("empty reason"), "{stderr}");
}

#[test]
fn exceptions_waive_findings_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&broken(), dir.path());
    let config = dir.path().join("flowgate.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[[check.exceptions]]\nasset = \"route\"\nrules = [\"branch-without-default\"]\nreason = \"Only German leads reach this workflow.\"\n");
    std::fs::write(&config, text).unwrap();
    let output = flowgate(dir.path(), &["check", "--select", "FG103"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("1 findings waived by exceptions"),
        "{}",
        stdout(&output)
    );
    let output = flowgate(
        dir.path(),
        &["--format", "json", "check", "--select", "FG103"],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["waived"][0]["reason"],
        "Only German leads reach this workflow."
    );
}

#[test]
fn changed_since_reports_only_changed_assets_and_their_users() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_dir(&broken(), root);
    // A second, independent workflow with the same defect.
    std::fs::write(
        root.join("assets/other.yaml"),
        std::fs::read_to_string(root.join("assets/route.yaml"))
            .unwrap()
            .replace("id: country", "id: region")
            .replace("contact.country", "contact.region")
            .replace("id: route", "id: other"),
    )
    .unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}: {status:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    let all = stdout(&flowgate(root, &["check", "--select", "FG103"]));
    assert_eq!(all.matches("FG103").count(), 2, "{all}");
    // Nothing changed: nothing to report.
    let none = flowgate(
        root,
        &["check", "--select", "FG103", "--changed-since", "HEAD"],
    );
    assert_eq!(none.status.code(), Some(0), "{}", stdout(&none));
    assert!(!stdout(&none).contains("FG103"));
    // Touch one workflow's file: only it is reported.
    let path = root.join("assets/other.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Route leads", "Route other leads");
    std::fs::write(&path, text).unwrap();
    let some = stdout(&flowgate(
        root,
        &["check", "--select", "FG103", "--changed-since", "HEAD"],
    ));
    assert_eq!(some.matches("FG103").count(), 1, "{some}");
    assert!(some.contains("assets/other.yaml"), "{some}");
    // A change to a field used by the other workflow's condition brings that workflow in.
    git(&["checkout", "-q", "--", "assets/other.yaml"]);
    let path = root.join("assets/route.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Country code.", "ISO country code.");
    std::fs::write(&path, text).unwrap();
    let users = stdout(&flowgate(
        root,
        &["check", "--select", "FG103", "--changed-since", "HEAD"],
    ));
    assert!(users.contains("assets/route.yaml"), "{users}");
    // A revision that does not exist is bad input.
    let bad = flowgate(root, &["check", "--changed-since", "no-such-branch"]);
    assert_eq!(bad.status.code(), Some(2));
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
