//! The `flowgate` binary end to end: exit code, stdout and stderr of a run, snapshotted
//! together by `insta_cmd::assert_cmd_snapshot!`. Temporary paths are written `[TMP]`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{repo, tmp_filters};
use insta_cmd::assert_cmd_snapshot;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `flowgate` with `args`, to run in the repository root with `NO_COLOR=1` and a fixed width.
fn command<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowgate"));
    command.env("NO_COLOR", "1").args(args);
    in_repo(&mut command);
    command
}

/// Runs in the repository root, so that reported paths are relative to it, at a fixed width.
fn in_repo(command: &mut Command) -> &mut Command {
    command.current_dir(repo()).env("COLUMNS", "100")
}

/// Run `flowgate` with `args` in the repository root, `NO_COLOR=1` and a fixed width.
fn flowgate<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    run(&mut command(args))
}

fn run(command: &mut Command) -> Run {
    let output = in_repo(command).output().unwrap();
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn acme() -> PathBuf {
    repo().join("examples/acme")
}

/// `args` followed by `-C dir`.
fn in_dir(args: &[&str], dir: &Path) -> Vec<std::ffi::OsString> {
    let mut all: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
    all.push("-C".into());
    all.push(dir.into());
    all
}

// ---- help ----------------------------------------------------------------------------------

#[test]
fn help() {
    assert_cmd_snapshot!(command(["--help"]));
}

#[test]
fn usage_error_is_exit_code_2() {
    assert_cmd_snapshot!(command(["no-such-command"]));
}

// ---- validate ------------------------------------------------------------------------------

#[test]
fn validate_the_example_workspace() {
    assert_cmd_snapshot!(command(in_dir(&["validate"], &acme())));
}

#[test]
fn validate_a_workspace_with_errors() {
    assert_cmd_snapshot!(command(in_dir(&["validate"], &fixture("invalid-assets"))));
}

#[test]
fn validate_a_workspace_with_errors_as_json() {
    let dir = fixture("invalid-assets");
    assert_cmd_snapshot!(command(in_dir(&["validate", "--format", "json"], &dir)));
}

#[test]
fn validate_a_missing_directory() {
    assert_cmd_snapshot!(command(["validate", "-C", "/nonexistent"]));
}

#[test]
fn validate_with_an_unknown_configuration_key() {
    let dir = fixture("unknown-config-key");
    assert_cmd_snapshot!(command(in_dir(&["validate"], &dir)));
}

// ---- init ----------------------------------------------------------------------------------

#[test]
fn init_then_validate_then_init_again() {
    let tmp = tempfile::tempdir().unwrap();
    let _filters = tmp_filters(tmp.path()).bind_to_scope();
    let dir = tmp.path().join("my-stack");
    let init = || command([std::ffi::OsStr::new("init"), dir.as_os_str()]);

    assert_cmd_snapshot!("init", init());
    assert_cmd_snapshot!("init_validate", command(in_dir(&["validate"], &dir)));
    assert_cmd_snapshot!(
        "init_graph_steps",
        command(in_dir(&["graph", "--steps"], &dir))
    );

    // A second init must not overwrite anything, edited files included.
    let config = dir.join("flowgate.toml");
    let fields = dir.join("assets/fields.yaml");
    let mut edited = std::fs::read_to_string(&fields).unwrap();
    edited.push_str("# edited by hand\n");
    std::fs::write(&fields, &edited).unwrap();
    let config_before = std::fs::read_to_string(&config).unwrap();

    assert_cmd_snapshot!("init_again", init());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), config_before);
    assert_eq!(std::fs::read_to_string(&fields).unwrap(), edited);
}

#[test]
fn init_refuses_to_overwrite_an_asset_file() {
    let tmp = tempfile::tempdir().unwrap();
    let existing = tmp.path().join("assets/bundles.yaml");
    std::fs::create_dir_all(existing.parent().unwrap()).unwrap();
    std::fs::write(&existing, "mine\n").unwrap();
    let _filters = tmp_filters(tmp.path()).bind_to_scope();
    assert_cmd_snapshot!(command([
        std::ffi::OsStr::new("init"),
        tmp.path().as_os_str()
    ]));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "mine\n");
    assert!(!tmp.path().join("flowgate.toml").exists());
}

// ---- graph ---------------------------------------------------------------------------------

fn graph(extra: &[&str]) -> Run {
    let mut args = vec!["graph"];
    args.extend(extra);
    flowgate(in_dir(&args, &acme()))
}

#[test]
fn graph_mermaid() {
    let run = graph(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("flowchart"), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn graph_dot_steps() {
    let run = graph(&["dot", "--steps"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("digraph"), "{}", run.stdout);
    assert!(run.stdout.trim_end().ends_with('}'));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn graph_json() {
    let run = graph(&["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let nodes = document["graph"]["nodes"].as_array().unwrap();
    let edges = document["graph"]["edges"].as_array().unwrap();
    assert!(!nodes.is_empty() && !edges.is_empty());
    assert!(nodes.iter().any(|n| n["id"] == "welcome-series"));
    assert_eq!(document["diagnostics"], serde_json::json!([]));
}

// ---- rule ----------------------------------------------------------------------------------

#[test]
fn rule_by_lightning_flow_scanner_name() {
    assert_cmd_snapshot!(command(["rule", "DMLStatementInLoop"]));
    // Any case, and the code shows the same page.
    let run = flowgate(["rule", "DMLStatementInLoop"]);
    assert_eq!(flowgate(["rule", "dmlstatementinloop"]).stdout, run.stdout);
    assert_eq!(flowgate(["rule", "fg704"]).stdout, run.stdout);
}

#[test]
fn rule_shows_its_lightning_flow_scanner_name() {
    let run = flowgate(["rule", "FG704"]);
    assert!(
        run.stdout.starts_with(
            "FG704 dml-in-loop (flows, default severity: error)\nLightning Flow Scanner: DMLStatementInLoop\n"
        ),
        "{}",
        run.stdout
    );
    // Rules without a peer say nothing of it.
    let run = flowgate(["rule", "FG101"]);
    assert!(
        !run.stdout.contains("Lightning Flow Scanner"),
        "{}",
        run.stdout
    );
}

#[test]
fn rule_with_a_typo_suggests_the_closest_rules() {
    assert_cmd_snapshot!(command(["rule", "DMLStatmentInLoop"]));
}

#[test]
fn rule_as_json_names_its_lightning_flow_scanner_peer() {
    let run = flowgate(["--format", "json", "rule", "FG704"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["code"], "FG704");
    assert_eq!(value["lightning_flow_scanner"], "DMLStatementInLoop");
    assert!(value["doc"].as_str().unwrap().contains("## What it does"));
    let run = flowgate(["--format", "json", "rules"]);
    let list: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let trigger_loop = &list["rules"].as_array().unwrap()[0];
    assert_eq!(trigger_loop["code"], "FG101");
    assert!(trigger_loop["lightning_flow_scanner"].is_null());
}

// ---- schema --------------------------------------------------------------------------------

#[test]
fn schema_is_the_committed_file() {
    let run = flowgate(["schema"]);
    assert_eq!(run.code, 0);
    let committed = std::fs::read_to_string(repo().join("schema/flowgate.schema.json")).unwrap();
    assert!(
        run.stdout == committed,
        "`flowgate schema` differs from schema/flowgate.schema.json: regenerate the file"
    );
    let _: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
}

// ---- colour --------------------------------------------------------------------------------

#[test]
fn no_ansi_escapes_when_not_a_terminal() {
    let dir = fixture("invalid-assets");
    let validate = |color: Option<&str>, no_color: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_flowgate"));
        command.env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        command.arg("validate").arg("-C").arg(&dir);
        if let Some(color) = color {
            command.args(["--color", color]);
        }
        run(&mut command)
    };
    // stdout and stderr are pipes here: no colour, whether NO_COLOR is set or not.
    for (color, no_color) in [(None, false), (Some("auto"), false), (None, true)] {
        let result = validate(color, no_color);
        assert_eq!(result.code, 1);
        assert!(result.stdout.contains("error[FG002]"), "{}", result.stdout);
        assert!(
            !result.stdout.contains('\x1b') && !result.stderr.contains('\x1b'),
            "{color:?} {no_color}: {:?}",
            result.stdout
        );
    }
    // The check can see escapes: `--color always` asks for them.
    let result = validate(Some("always"), false);
    assert!(result.stdout.contains("\x1b["), "{:?}", result.stdout);
    // A missing workspace, reported on stderr, is plain too.
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowgate"));
    command
        .env_remove("NO_COLOR")
        .args(["validate", "-C", "/nonexistent"]);
    let result = run(&mut command);
    assert_eq!(result.code, 2);
    assert!(!result.stderr.contains('\x1b'), "{:?}", result.stderr);
}
