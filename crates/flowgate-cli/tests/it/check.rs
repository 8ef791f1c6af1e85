//! `flowgate check`: exit codes, formats, configuration errors, exceptions and
//! `--changed-since`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{flowgate_cmd, flowgate_in as flowgate, repo, tmp_filters};
use insta_cmd::assert_cmd_snapshot;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
        // prod blocks promotions on warnings, so its run fails on them (no errors, though).
        assert_eq!(
            output.status.code(),
            Some(if env == "prod" { 1 } else { 0 }),
            "--env {env}:\n{}",
            stdout(&output)
        );
        let text = stdout(&output);
        assert!(text.contains("checked 109 assets"), "{text}");
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
    // One annotation a line; paths resolve from the current directory (the repository root
    // in CI).
    assert_cmd_snapshot!(
        "github",
        flowgate_cmd(&broken(), &["--format", "github", "check"])
    );
    // Warnings are reported, but only errors fail: no <failure>, and the run exits 0.
    assert_cmd_snapshot!(
        "junit",
        flowgate_cmd(&broken(), &["--format", "junit", "check"])
    );
}

#[test]
fn machine_formats_are_refused_outside_check() {
    let output = flowgate(&broken(), &["--format", "sarif", "validate"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn unknown_environment_is_bad_input() {
    assert_cmd_snapshot!(flowgate_cmd(&broken(), &["check", "--env", "production"]));
}

#[test]
fn bad_check_configuration_is_located() {
    let dir = repo().join("crates/flowgate-cli/tests/fixtures/bad-check-config");
    assert_cmd_snapshot!(flowgate_cmd(&dir, &["check"]));
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

/// A workspace of the given files (path, text), with a `flowgate.toml` unless one is given.
fn workspace_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if !files.iter().any(|(path, _)| *path == "flowgate.toml") {
        std::fs::write(
            dir.path().join("flowgate.toml"),
            "[workspace]\nname = \"t\"\nassets = [\"assets/**/*.yaml\"]\n",
        )
        .unwrap();
    }
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const PASTED: &str = "sk_live_51HxYzAbCdEf0123456789";
const IN_HEADER: &str = "sk_live_99QwErTyUiOp9876543210";

fn webhook(id: &str, secret: &str, header: &str) -> String {
    format!(
        "kind: Webhook\nid: {id}\nname: CRM upsert\nowner: revops\nendpoint: https://crm.example/api\n\
         auth: {{ scheme: bearer, secret: \"{secret}\" }}\nheaders:\n  X-Api-Key: \"{header}\"\n"
    )
}

#[test]
fn no_report_format_prints_a_pasted_secret() {
    let pasted = webhook("crm-upsert", PASTED, "x");
    let in_header = webhook("erp-upsert", "env:ERP_TOKEN", IN_HEADER);
    let dir = workspace_of(&[
        ("assets/crm.yaml", pasted.as_str()),
        ("assets/erp.yaml", in_header.as_str()),
    ]);
    let runs: [&[&str]; 7] = [
        &["validate"],
        &["--format", "json", "validate"],
        &["check"],
        &["--format", "json", "check"],
        &["--format", "sarif", "check"],
        &["--format", "github", "check"],
        &["--format", "junit", "check"],
    ];
    for args in runs {
        let output = flowgate(dir.path(), args);
        let text = format!(
            "{}{}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(1), "{args:?}: {text}");
        assert!(text.contains("FG012"), "{args:?}: {text}");
        for secret in [PASTED, IN_HEADER] {
            assert!(!text.contains(secret), "{args:?} prints {secret}: {text}");
        }
        assert!(text.contains("sk_l…"), "{args:?}: {text}");
        if args.contains(&"check") {
            assert!(text.contains("FG502"), "{args:?}: {text}");
        }
    }
}

#[test]
fn a_lower_case_environment_variable_is_not_called_a_pasted_secret() {
    let text = webhook("crm-upsert", "env:crm_token", "env:X");
    let dir = workspace_of(&[("assets/crm.yaml", text.as_str())]);
    // Told to write `env:CRM_TOKEN`, not to keep a secret out of the asset.
    assert_cmd_snapshot!(flowgate_cmd(dir.path(), &["validate"]));
}

const TAG: &str = "kind: Tag\nid: vip\nname: VIP\ndescription: Top customers.\nowner: crm\n";

#[test]
fn invalid_gate_settings_fail_validate_and_check_with_their_place() {
    let config = "[workspace]\nname = \"t\"\nassets = [\"assets/**/*.yaml\"]\n\n[people.mara]\nroles = [\"marketing-ops\"]\n\n[environments.dev]\n[environments.stage]\n[environments.prod.gates]\nfrom = \"stagee\"\nblock_on = \"warnings\"\nsoak = \"1 day\"\npromoters = [\"marketing-op\"]\n";
    let dir = workspace_of(&[("flowgate.toml", config), ("assets/tags.yaml", TAG)]);
    for args in [&["validate"][..], &["check"], &["check", "--env", "prod"]] {
        let output = flowgate(dir.path(), args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        for place in [
            "flowgate.toml:11:8",
            "flowgate.toml:12:12",
            "flowgate.toml:13:8",
            "flowgate.toml:14:14",
        ] {
            assert!(stderr.contains(place), "{args:?} lacks {place}: {stderr}");
        }
        assert!(
            stderr.contains("`block_on = \"warnings\"` is not a severity"),
            "{stderr}"
        );
    }
    let output = flowgate(dir.path(), &["--format", "json", "validate"]);
    assert_eq!(output.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["errors"], 4, "{json:#}");
}

#[test]
fn a_selector_that_matches_no_rule_is_bad_input_with_suggestions() {
    let dir = workspace_of(&[("assets/tags.yaml", TAG)]);
    assert_cmd_snapshot!(
        "select_matches_no_rule",
        flowgate_cmd(dir.path(), &["check", "--select", "FG9"])
    );
    assert_cmd_snapshot!(
        "ignore_suggests_a_rule",
        flowgate_cmd(dir.path(), &["check", "--ignore", "unused-assets"])
    );
    // Codes, prefixes, names and Lightning Flow Scanner names, in any case.
    for selector in ["fg3", "FG308", "Unused-Asset", "dmlstatementinloop"] {
        let output = flowgate(dir.path(), &["check", "--select", selector]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{selector}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn selectors_in_the_configuration_are_matched_in_any_case_and_located() {
    let config = "[workspace]\nname = \"t\"\nassets = [\"assets/**/*.yaml\"]\n[check]\nselect = [\"fg3\"]\nignore = [\"Unused-Asset\"]\n[check.severity]\nunusedasset = \"info\"\n";
    let dir = workspace_of(&[("flowgate.toml", config), ("assets/tags.yaml", TAG)]);
    // One error, for the severity key only.
    assert_cmd_snapshot!(flowgate_cmd(dir.path(), &["check"]));
}

#[test]
fn check_for_an_environment_fails_when_its_gate_would_block() {
    // acme's prod blocks on warnings, and the workspace has warnings.
    let example = repo().join("examples/acme");
    let output = flowgate(&example, &["check", "--env", "prod"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("would block a promotion into `prod`, which blocks on warning"),
        "{text}"
    );
    // stage blocks on errors only.
    let output = flowgate(&example, &["check", "--env", "stage"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = flowgate(&example, &["--format", "json", "check", "--env", "prod"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["gate"]["block_on"], "warning");
    assert_eq!(json["gate"]["blocks"], true);
    assert_eq!(json["gate"]["blocking"], json["summary"]["warnings"]);
}

#[test]
fn loader_and_configuration_codes_are_explained() {
    let dir = workspace_of(&[("assets/tags.yaml", TAG)]);
    for code in ["FG003", "fg015", "FG017", "FG018"] {
        let output = flowgate(dir.path(), &["rule", code]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{code}: {text}");
        for section in ["## What it means", "## Example", "## How to fix"] {
            assert!(text.contains(section), "{code} lacks {section}: {text}");
        }
    }
    let output = flowgate(dir.path(), &["--format", "json", "rule", "FG015"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["category"], "loading");
    assert!(json["doc"].as_str().unwrap().contains("flowgate.toml"));
}

#[test]
fn loader_and_configuration_problems_have_their_own_codes() {
    let dir = workspace_of(&[("assets/tags.yaml", TAG)]);
    let _filters = tmp_filters(dir.path()).bind_to_scope();
    let missing = dir.path().join("nowhere");
    assert_cmd_snapshot!("missing_workspace", flowgate_cmd(&missing, &["validate"]));
    assert_cmd_snapshot!(
        "unknown_environment",
        flowgate_cmd(dir.path(), &["check", "--env", "production"])
    );
}

#[test]
fn a_windows_style_glob_is_a_located_configuration_error() {
    let config = "[workspace]\nname = \"t\"\nassets = [\"assets\\\\**\\\\*.yaml\"]\n";
    let dir = workspace_of(&[("flowgate.toml", config), ("assets/tags.yaml", TAG)]);
    assert_cmd_snapshot!(flowgate_cmd(dir.path(), &["validate"]));
}

#[test]
fn a_workspace_without_asset_files_fails() {
    let dir = workspace_of(&[("notes/readme.txt", "nothing here")]);
    for args in [&["validate"][..], &["check"]] {
        let output = flowgate(dir.path(), args);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {text}");
        assert!(text.contains("error[FG016]"), "{text}");
    }
}

#[test]
fn human_reports_name_files_from_the_current_directory() {
    let bad = "kind: Tag\nid: x y\n";
    let dir = workspace_of(&[("assets/tags/bad.yaml", bad), ("assets/ok.yaml", TAG)]);
    let run = |cwd: &Path, args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_flowgate"))
            .args(args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        stdout(&output)
    };
    let inside = dir.path().join("assets/tags");
    for args in [&["validate"][..], &["check"]] {
        let text = run(&inside, args);
        assert!(text.contains(" --> bad.yaml:2:5\n"), "{args:?}: {text}");
        assert!(text.contains("2 | id: x y"), "{args:?}: {text}");
    }
    let text = run(&dir.path().join("assets"), &["validate"]);
    assert!(text.contains(" --> tags/bad.yaml:2:5\n"), "{text}");
    // JSON keeps paths relative to the workspace root (docs/json.md).
    let text = run(&inside, &["--format", "json", "validate"]);
    assert!(
        text.contains("\"path\": \"assets/tags/bad.yaml\""),
        "{text}"
    );
}
