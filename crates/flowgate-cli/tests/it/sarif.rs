//! `flowgate check --format sarif` output validates against the official SARIF 2.1.0 schema.
//!
//! The schema ships in the npm package `@microsoft/jest-sarif`; the test fetches it once into
//! the target directory with `npm pack` (the npm registry is reachable wherever the tests run).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGE: &str = "@microsoft/jest-sarif@1.0.0-beta.0";
const SCHEMA_IN_PACKAGE: &str = "package/lib/schemas/sarif-2.1.0-rtm.5.json";

fn schema_path() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sarif-schema");
    let schema = dir.join(SCHEMA_IN_PACKAGE);
    if schema.is_file() {
        return schema;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let pack = Command::new("npm")
        .args(["pack", PACKAGE, "--silent", "--pack-destination"])
        .arg(&dir)
        .output()
        .expect("npm is needed to fetch the SARIF schema");
    assert!(
        pack.status.success(),
        "npm pack failed: {}",
        String::from_utf8_lossy(&pack.stderr)
    );
    let tarball = String::from_utf8_lossy(&pack.stdout)
        .trim()
        .lines()
        .last()
        .unwrap()
        .to_owned();
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(dir.join(&tarball))
        .arg("-C")
        .arg(&dir)
        .arg(SCHEMA_IN_PACKAGE)
        .status()
        .unwrap();
    assert!(
        untar.success() && schema.is_file(),
        "could not extract the SARIF schema"
    );
    schema
}

fn fix_language_pattern(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" => {
            *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_owned();
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(fix_language_pattern),
        serde_json::Value::Object(map) => map.values_mut().for_each(fix_language_pattern),
        _ => {}
    }
}

fn sarif_for(workspace: &Path) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .arg("-C")
        .arg(workspace)
        .args(["check", "--format", "sarif"])
        .output()
        .unwrap();
    assert!(output.status.code().is_some_and(|c| c <= 1), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    // The published rtm.5 schema has one malformed pattern (an unbalanced `]` in the BCP 47
    // `language` pattern) that strict validators refuse to compile; use its evident intent.
    fix_language_pattern(&mut schema);
    let validator = jsonschema::draft4::new(&schema).unwrap();
    // The validator itself must reject a malformed log.
    assert!(!validator
        .is_valid(&serde_json::json!({ "version": "2.1.0", "runs": [{ "results": [] }] })));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for workspace in [
        repo.join("crates/flowgate-cli/tests/fixtures/broken"),
        repo.join("examples/acme"),
    ] {
        let sarif = sarif_for(&workspace);
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", workspace.display());
        let runs = sarif["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        assert!(!runs[0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .is_empty());
    }
}

#[test]
fn sarif_results_carry_rule_ids_and_regions() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sarif = sarif_for(&repo.join("crates/flowgate-cli/tests/fixtures/broken"));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        assert!(result["ruleId"].as_str().unwrap().starts_with("FG"));
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
    }
}
