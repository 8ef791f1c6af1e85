//! Every `--format json` output carries a `version` and validates against its JSON Schema
//! under `schema/output/`, on real runs of the binary. A schema that accepted anything would
//! pass too, so each schema must also reject a document that breaks its contract.
#![allow(clippy::unwrap_used, missing_docs)]

use crate::common::Workspace;
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

pub(crate) fn assert_valid(name: &str, document: &Value) {
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
fn the_rule_list_is_a_versioned_object() {
    let ws = Workspace::new();
    let rules = json_of(&ws, &["rules"]);
    assert_eq!(rules["version"], 1, "{rules:#}");
    let list = rules["rules"].as_array().unwrap();
    assert!(list.len() > 50 && list.iter().all(|r| r["code"].is_string()));
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
fn seed_generate() {
    let ws = Workspace::new();
    let out = tempfile::tempdir().unwrap();
    let document = json_of(
        &ws,
        &[
            "seed",
            "generate",
            "--contacts",
            "50",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert_valid("seed.schema.json", &document);
    assert_eq!(document["summary"]["rows"]["contacts"], 50);
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

/// A pinned Monday morning, outside every freeze window of the example.
const MONDAY: &str = "2026-11-23T09:00:00Z";

/// `args` as JSON, run by `person` on Monday (on a rehearsal store).
fn json_as(ws: &Workspace, person: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out, err) = ws.run_as(person, MONDAY, &all);
    assert!(code <= 1, "{args:?}: exit {code}\n{out}{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
}

/// A copy of the example on a rehearsal store, with lead-intake 1.0.0 frozen on Monday.
fn frozen() -> (Workspace, Value) {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&["store", "init", "--rehearsal"]);
    assert_eq!(code, 0, "{out}{err}");
    let created = json_as(
        &ws,
        "tom",
        &["snapshot", "create", "lead-intake", "--version", "1.0.0"],
    );
    (ws, created)
}

#[test]
fn snapshot_create_list_show_and_verify() {
    let (ws, created) = frozen();
    assert_valid("snapshot-create.schema.json", &created);
    let list = json_of(&ws, &["snapshot", "list"]);
    assert_eq!(list["snapshots"][0]["version"], "1.0.0", "{list:#}");
    assert_valid("snapshot-list.schema.json", &list);
    assert!(!validator("snapshot-list.schema.json").is_valid(&list["snapshots"]));
    let show = json_of(&ws, &["snapshot", "show", "lead-intake@1.0.0"]);
    assert_eq!(show["snapshot"]["version"], "1.0.0", "{show:#}");
    assert_valid("snapshot-show.schema.json", &show);
    let mut bare = show["snapshot"].clone();
    bare["version"] = json!(1);
    assert!(!validator("snapshot-show.schema.json").is_valid(&bare));
    let verify = json_of(&ws, &["snapshot", "verify"]);
    assert_eq!(verify["intact"], true, "{verify:#}");
    assert_valid("snapshot-verify.schema.json", &verify);
}

#[test]
fn plan_outcomes_status_log_and_audit() {
    let (ws, _) = frozen();
    let plan = json_as(&ws, "tom", &["plan", "lead-intake@1.0.0", "--to", "dev"]);
    assert_eq!(plan["flowgate_plan"], 1);
    assert_valid("plan.schema.json", &plan);
    let mut bad = plan.clone();
    bad["gates"][0]["passed"] = json!("yes");
    assert!(!validator("plan.schema.json").is_valid(&bad));
    let promoted = json_as(&ws, "tom", &["promote", "lead-intake@1.0.0", "--to", "dev"]);
    assert_valid("outcome.schema.json", &promoted);
    let stage = json_as(&ws, "tom", &["plan", "lead-intake@1.0.0", "--to", "stage"]);
    assert_eq!(stage["passes"], false, "{stage:#}");
    assert_valid("plan.schema.json", &stage);
    let id = stage["id"].as_str().unwrap();
    let approved = json_as(&ws, "mara", &["approve", id]);
    assert_eq!(approved["approved"], true, "{approved:#}");
    assert_valid("outcome.schema.json", &approved);
    let applied = json_as(&ws, "tom", &["apply", id]);
    assert_eq!(applied["outcome"]["changed"], true, "{applied:#}");
    assert_valid("outcome.schema.json", &applied);
    let mut bad = applied.clone();
    bad["outcome"] = json!({"changed": true});
    assert!(!validator("outcome.schema.json").is_valid(&bad));
    let status = json_of(&ws, &["status"]);
    assert_eq!(
        status["environments"].as_array().unwrap().len(),
        2,
        "{status:#}"
    );
    assert_valid("status.schema.json", &status);
    let log = json_of(&ws, &["log"]);
    assert!(log["operations"].as_array().unwrap().len() >= 5, "{log:#}");
    assert_valid("log.schema.json", &log);
    assert!(!validator("log.schema.json").is_valid(&log["operations"]));
    let audit = json_of(&ws, &["audit", "verify"]);
    assert_eq!(audit["intact"], true, "{audit:#}");
    assert_valid("audit-verify.schema.json", &audit);
}

#[test]
fn export_lists_what_it_wrote() {
    let ws = Workspace::new();
    let out = ws.root.parent().unwrap().join("exported");
    let export = json_of(&ws, &["export", out.to_str().unwrap()]);
    assert_eq!(export["version"], 1, "{export:#}");
    assert!(export["written"].is_array(), "{export:#}");
}

#[test]
fn contract_diff_report() {
    let dir = tempfile::tempdir().unwrap();
    let old = "openapi: 3.0.0\npaths:\n  /a:\n    get: {responses: {'200': {description: ok}}}\n";
    std::fs::write(dir.path().join("old.yaml"), old).unwrap();
    std::fs::write(dir.path().join("new.yaml"), "openapi: 3.0.0\npaths: {}\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .current_dir(dir.path())
        .args([
            "contract", "diff", "old.yaml", "new.yaml", "--format", "json",
        ])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid("contract-diff.schema.json", &document);
    let mut bad = document.clone();
    bad["findings"][0]["level"] = json!("fatal");
    assert!(!validator("contract-diff.schema.json").is_valid(&bad));
}

#[test]
fn upgrade_plan() {
    let ws = crate::upgrade::with_contracts();
    let document = json_of(&ws, &["upgrade", "plan", "magento", "--to", "2.4.8"]);
    assert_valid("upgrade-plan.schema.json", &document);
    let mut bad = document.clone();
    bad["plan"]["integrations"][0]["api_changes"] = json!([{"check": "x", "level": "info"}]);
    assert!(!validator("upgrade-plan.schema.json").is_valid(&bad));
}
