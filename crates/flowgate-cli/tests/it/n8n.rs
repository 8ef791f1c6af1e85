//! Promotion into an environment whose target is a real n8n (the harness of
//! flowgate-targets' n8n suite): `snapshot create`, `plan` and `apply` deploy the workflows;
//! an edit made in n8n makes the next apply exit 3 and leaves the pointer where it was.
//! Runs from `.ci/n8n` (`FLOWGATE_TEST_N8N=1`), skipped elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../../flowgate-targets/tests/n8n/harness.rs"]
#[allow(dead_code)]
mod harness;

use crate::common::{finish, flowgate_cmd};
use serde_json::{json, Value};
use std::path::Path;

fn workflow(name: &str, text: &str) -> Value {
    json!({
        "name": name,
        "active": false,
        "nodes": [
            { "id": "1", "name": "Every hour", "type": "n8n-nodes-base.scheduleTrigger",
              "typeVersion": 1.2, "position": [0, 0],
              "parameters": { "rule": { "interval": [{ "field": "hours" }] } } },
            { "id": "2", "name": "Call CRM", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2,
              "position": [220, 0], "onError": "continueErrorOutput",
              "parameters": { "url": "https://crm.example/leads", "options": {}, "note": text } },
        ],
        "connections": { "Every hour": { "main": [[{ "node": "Call CRM", "type": "main", "index": 0 }]] } },
        "settings": { "executionOrder": "v1" },
    })
}

fn write(root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn workspace(root: &Path, url: &str) {
    write(
        root,
        "flowgate.toml",
        &format!(
            r#"[workspace]
name = "n8n-shop"
assets = ["assets/**/*.yaml"]
n8n = ["workflows/*.json"]

[people.tom]
name = "Tom Eder"
email = "tom@shop.example"
roles = ["builder"]

[environments.stage]
name_prefix = "STG "
target = {{ type = "n8n", url = "{url}", api_key = "env:N8N_API_KEY" }}

[environments.stage.values]
"lead-intake.Call CRM.options.timeout" = 5000

[environments.stage.guardrails]
webhook_redirect = "https://capture.stage.example/in"

[environments.stage.gates]
block_on = "off"
"#
        ),
    );
    write(
        root,
        "assets/bundles/automations.yaml",
        "kind: Bundle\nid: automations\nname: Automations\nrelease_prefix: AU\nmembers:\n  - lead-intake\n  - nurture\n",
    );
    set_version(root, "v1");
}

fn set_version(root: &Path, text: &str) {
    for (file, name) in [("lead-intake", "Lead intake"), ("nurture", "Nurture")] {
        let doc = serde_json::to_string_pretty(&workflow(name, text)).unwrap();
        write(root, &format!("workflows/{file}.json"), &doc);
    }
}

fn run(root: &Path, key: &str, args: &[&str]) -> (i32, String, String) {
    let mut command = flowgate_cmd(root, args);
    command
        .env_remove("FLOWGATE_STORE")
        .env_remove("FLOWGATE_NOW")
        .env("FLOWGATE_USER", "tom")
        .env("N8N_API_KEY", key);
    finish(command.output().unwrap())
}

fn plan_and_apply(root: &Path, key: &str, version: &str) -> (i32, String, String) {
    let (code, out, err) = run(
        root,
        key,
        &["snapshot", "create", "automations", "--version", version],
    );
    assert_eq!(code, 0, "{out}{err}");
    plan_and_apply_frozen(root, key, version)
}

/// Plans `automations@version` for stage and applies the plan.
fn plan_and_apply_frozen(root: &Path, key: &str, version: &str) -> (i32, String, String) {
    let (code, out, err) = run(
        root,
        key,
        &["plan", &format!("automations@{version}"), "--to", "stage"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let plan = out
        .lines()
        .find_map(|l| l.strip_prefix("Plan "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("{out}"))
        .to_owned();
    run(root, key, &["apply", &plan])
}

fn stage_holds(root: &Path, key: &str) -> String {
    let (_, out, err) = run(root, key, &["--format", "json", "status"]);
    let status: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    status["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["env"] == "stage" && s["bundle"] == "automations")
        .map(|s| s["version"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[test]
fn apply_deploys_to_n8n_and_an_edit_there_exits_3_and_keeps_the_pointer() {
    if !harness::enabled() {
        return;
    }
    let n8n = harness::N8n::start();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    workspace(&root, &n8n.url);

    let (code, out, err) = plan_and_apply(&root, &n8n.key, "1.0.0");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(stage_holds(&root, &n8n.key), "1.0.0");
    let (_, list) = n8n.api("GET", "/workflows?limit=250", None);
    let lead = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "STG Lead intake")
        .unwrap_or_else(|| panic!("{list}"))
        .clone();
    let call = &lead["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "Call CRM")
        .unwrap()["parameters"];
    assert_eq!(call["url"], "https://capture.stage.example/in");
    assert_eq!(call["options"]["timeout"], 5000);

    // Someone edits the workflow in n8n; the next release must not overwrite it.
    let id = lead["id"].as_str().unwrap();
    let mut edited = json!({ "name": lead["name"], "nodes": lead["nodes"],
                             "connections": lead["connections"], "settings": lead["settings"],
                             "staticData": lead["staticData"] });
    edited["nodes"][1]["parameters"]["note"] = json!("hotfix in n8n");
    let (status, body) = n8n.api("PUT", &format!("/workflows/{id}"), Some(&edited));
    assert_eq!(status, 200, "{body}");

    set_version(&root, "v2");
    let (code, out, err) = plan_and_apply(&root, &n8n.key, "1.1.0");
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("edited in n8n"), "{err}");
    assert_eq!(stage_holds(&root, &n8n.key), "1.0.0");

    // Adopting the edit writes it into the workspace; releasing that version is no conflict,
    // and stage then runs it, hotfix included.
    set_version(&root, "v1");
    let (code, out, err) = run(&root, &n8n.key, &["adopt", "stage", "--version", "1.2.0"]);
    assert_eq!(code, 0, "{out}{err}");
    let source = std::fs::read_to_string(root.join("workflows/lead-intake.json")).unwrap();
    assert!(source.contains("hotfix in n8n"), "{source}");
    assert!(
        !source.contains("STG "),
        "overlays stay out of the workspace: {source}"
    );
    let (code, out, err) = plan_and_apply_frozen(&root, &n8n.key, "1.2.0");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(stage_holds(&root, &n8n.key), "1.2.0");
    let (code, out, err) = run(&root, &n8n.key, &["pull", "stage"]);
    assert_eq!(code, 0, "the platform runs what stage holds: {out}{err}");
    let (_, live) = n8n.api("GET", &format!("/workflows/{id}"), None);
    assert_eq!(
        live["nodes"][1]["parameters"]["note"], "hotfix in n8n",
        "{live}"
    );
}
