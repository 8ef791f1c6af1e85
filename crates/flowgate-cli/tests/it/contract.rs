//! `flowgate contract diff`, `contract rule`, `contract rules` and `flowgate rule` for a
//! contract check: formats, exit codes and located errors.

use crate::common::finish;
use std::path::Path;
use std::process::Command;

const OLD: &str = "openapi: 3.0.3
info: {title: shop, version: '1'}
paths:
  /orders:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer}
                  note: {type: string}
  /orders/{id}:
    delete:
      responses: {'204': {description: gone}}
";

fn new_text() -> String {
    OLD.replace(
        "{name: limit, in: query, schema",
        "{name: limit, in: query, required: true, schema",
    )
    .replace("                  note: {type: string}\n", "")
    .replace(
        "  /orders/{id}:\n    delete:\n      responses: {'204': {description: gone}}\n",
        "",
    )
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flowgate"));
    command.current_dir(dir).args(args).env("NO_COLOR", "1");
    finish(command.output().unwrap())
}

fn pair() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.yaml"), OLD).unwrap();
    std::fs::write(dir.path().join("new.yaml"), new_text()).unwrap();
    dir
}

#[test]
fn human_output_locates_each_change_in_both_files() {
    let dir = pair();
    let (code, out, err) = run(dir.path(), &["contract", "diff", "old.yaml", "new.yaml"]);
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn fail_on_decides_the_exit_code() {
    let dir = pair();
    let never = run(
        dir.path(),
        &[
            "contract",
            "diff",
            "old.yaml",
            "new.yaml",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(never.0, 0);
    let same = run(
        dir.path(),
        &[
            "contract",
            "diff",
            "old.yaml",
            "old.yaml",
            "--fail-on",
            "info",
        ],
    );
    assert_eq!(same.0, 0, "{}", same.1);
    assert!(
        same.1.starts_with("0 breaking, 0 warning, 0 info"),
        "{}",
        same.1
    );
}

#[test]
fn json_markdown_and_sarif() {
    let dir = pair();
    let (_, json, _) = run(
        dir.path(),
        &[
            "contract", "diff", "old.yaml", "new.yaml", "--format", "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["breaking"], 2);
    let ids: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"api-path-removed-without-deprecation"),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"request-parameter-became-required"),
        "{ids:?}"
    );
    assert!(ids.contains(&"response-property-removed"), "{ids:?}");
    let (_, markdown, _) = run(
        dir.path(),
        &[
            "contract", "diff", "old.yaml", "new.yaml", "--format", "markdown",
        ],
    );
    assert!(markdown.contains("### Breaking (2)"), "{markdown}");
    assert!(markdown.contains("old.yaml:20:5"), "{markdown}");
    let (_, sarif, _) = run(
        dir.path(),
        &[
            "contract", "diff", "old.yaml", "new.yaml", "--format", "sarif",
        ],
    );
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), ids.len());
    assert!(results
        .iter()
        .all(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64()));
}

#[test]
fn unreadable_contracts_exit_2_with_a_located_error() {
    let dir = pair();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "openapi: 3.0.0\npaths:\n  /a: [\n",
    )
    .unwrap();
    let (code, out, err) = run(dir.path(), &["contract", "diff", "old.yaml", "bad.yaml"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("bad.yaml:"), "{err}");
    let (code, _, err) = run(
        dir.path(),
        &["contract", "diff", "old.yaml", "missing.yaml"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("missing.yaml"), "{err}");
}

#[test]
fn checks_are_explained() {
    let dir = pair();
    let (code, out, _) = run(
        dir.path(),
        &["rule", "api-path-removed-without-deprecation"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("## Why it matters to clients"), "{out}");
    let (code, out, _) = run(
        dir.path(),
        &["contract", "rule", "request-property-max-length-decreased"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("level: breaking"), "{out}");
    let (code, _, err) = run(
        dir.path(),
        &["contract", "rule", "request-parameter-remved"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `request-parameter-removed`"),
        "{err}"
    );
    let (code, out, _) = run(dir.path(), &["contract", "rules", "--format", "json"]);
    assert_eq!(code, 0);
    let rules: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(rules["checks"].as_array().unwrap().len() > 100);
}
