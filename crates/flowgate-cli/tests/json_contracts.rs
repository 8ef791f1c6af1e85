//! Every `--format json` output carries a `version` and validates against its JSON Schema
//! under `schema/output/`, on real runs of the binary. A schema that accepted anything would
//! pass too, so each schema must also reject a document that breaks its contract.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::Workspace;
use jsonschema::{Retrieve, Uri, Validator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const ID_PREFIX: &str = "https://example.invalid/flowgate/schema/output/";

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/output")
}

/// Serves the project's own schemas for `$ref`s between them; nothing is fetched.
struct LocalSchemas;

impl Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .as_str()
            .strip_prefix(ID_PREFIX)
            .ok_or_else(|| format!("not a flowgate schema: {}", uri.as_str()))?;
        Ok(serde_json::from_str(&std::fs::read_to_string(
            schema_dir().join(name),
        )?)?)
    }
}

fn validator(name: &str) -> Validator {
    let text = std::fs::read_to_string(schema_dir().join(name)).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .with_retriever(LocalSchemas)
        .build(&schema)
        .unwrap()
}

fn assert_valid(name: &str, document: &Value) {
    let validator = validator(name);
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{document:#}");
    assert_eq!(document["version"], 1, "{name}: no version");
    let mut broken = document.clone();
    broken["version"] = json!("1");
    assert!(
        !validator.is_valid(&broken),
        "{name} accepts a string version"
    );
}

fn json_of(ws: &Workspace, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = ws.run(&all);
    assert!(code <= 1, "{args:?}: exit {code}\n{out}{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

#[test]
fn validate_and_check_reports() {
    let ws = Workspace::new();
    assert_valid("report.schema.json", &json_of(&ws, &["validate"]));
    let check = json_of(&ws, &["check"]);
    assert_valid("report.schema.json", &check);
    let mut bad = check.clone();
    bad["diagnostics"] = json!([{"code": "FG1", "severity": "fatal", "message": "x"}]);
    assert!(!validator("report.schema.json").is_valid(&bad));
}

#[test]
fn diff_between_workspaces() {
    let old = Workspace::new();
    let new = Workspace::new();
    new.edit("assets/templates/welcome-email.yaml", "Welcome", "Hello");
    let from = old.root.to_str().unwrap();
    let to = new.root.to_str().unwrap();
    let diff = json_of(&new, &["diff", from, to]);
    assert!(
        !diff["diff"]["assets"].as_array().unwrap().is_empty(),
        "{diff:#}"
    );
    assert_valid("diff.schema.json", &diff);
}

#[test]
fn integrations_list() {
    let ws = Workspace::new();
    assert_valid(
        "integrations.schema.json",
        &json_of(&ws, &["integrations", "list"]),
    );
}

#[test]
fn init_in_an_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("stack");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .args(["init", dir.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid("init.schema.json", &document);
}

#[test]
fn changelog_of_two_snapshots() {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&[
        "snapshot",
        "create",
        "lead-intake",
        "--version",
        "1.0.0",
        "--as",
        "mara",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    ws.edit("assets/templates/welcome-email.yaml", "Welcome", "Hello");
    let (code, out, err) = ws.run(&[
        "snapshot",
        "create",
        "lead-intake",
        "--version",
        "1.0.1",
        "--as",
        "mara",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let changelog = json_of(&ws, &["changelog", "lead-intake"]);
    assert_eq!(
        changelog["releases"].as_array().unwrap().len(),
        2,
        "{changelog:#}"
    );
    assert_valid("changelog.schema.json", &changelog);
}
