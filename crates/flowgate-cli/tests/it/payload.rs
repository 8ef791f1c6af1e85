//! `flowgate payload infer` and `diff` on captured order payloads: the schema, a drift that
//! may break a consumer (exit 1, each change located by line), a harmless one (exit 0), and
//! a broken capture refused at its line and column.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{finish, flowgate_in};
use serde_json::Value;

fn write(dir: &std::path::Path, name: &str, lines: &[&str]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn captures_are_inferred_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let before = write(
        d,
        "before.jsonl",
        &[
            r#"{"id": 1, "status": "paid", "total": 10.5, "email": "a@example.com"}"#,
            r#"{"id": 2, "status": "paid", "total": 7, "email": "b@example.com"}"#,
            r#"{"id": 3, "status": "open", "total": 3.25, "email": "c@example.com"}"#,
        ],
    );
    let after = write(
        d,
        "after.jsonl",
        &[
            r#"{"id": "1", "status": "paid", "total": 10.5}"#,
            r#"{"id": "2", "status": "paid", "total": null}"#,
            r#"{"id": "3", "status": "open", "total": 3.25}"#,
        ],
    );
    let (code, out, err) = finish(flowgate_in(d, &["payload", "infer", &before]));
    assert_eq!(code, 0, "{err}");
    let schema: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(schema["properties"]["total"]["type"], "number");
    assert_eq!(schema["properties"]["email"]["format"], "email");
    assert_eq!(schema["x-flowgate-records"], 3);

    let (code, out, _) = finish(flowgate_in(d, &["payload", "diff", &before, &after]));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("field-removed") && out.contains("email"),
        "{out}"
    );
    assert!(
        out.contains("became-nullable") && out.contains("(first: line 2)"),
        "{out}"
    );
    let (code, out, _) = finish(flowgate_in(
        d,
        &["--format", "json", "payload", "diff", &before, &after],
    ));
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["version"], 1);
    let kinds: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["field-removed", "type-changed", "became-nullable"],
        "{report:#}"
    );

    let (code, out, _) = finish(flowgate_in(d, &["payload", "diff", &before, &before]));
    assert_eq!(code, 0, "{out}");
    let broken = write(d, "broken.jsonl", &[r#"{"id": 1}"#, r#"{"id": 2,,}"#]);
    let (code, _, err) = finish(flowgate_in(d, &["payload", "infer", &broken]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.jsonl:2:"), "{err}");
}

#[test]
fn magento_schema_trees_are_compared_and_located() {
    let corpus = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/magento/db_schema"
    ));
    let old = corpus.join("magento-2.4.0");
    let new = corpus.join("magento-2.4.6");
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = finish(flowgate_in(
        dir.path(),
        &[
            "schema",
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "--table",
            "sales_order",
        ],
    ));
    assert_eq!(code, 0, "widening is a warning, not a break: {out}{err}");
    assert!(
        out.contains("column-widened")
            && out.contains("increment_id: varchar(32) → varchar(50)")
            && out.contains("module-sales/etc/db_schema.xml:"),
        "{out}"
    );
    let (code, out, _) = finish(flowgate_in(
        dir.path(),
        &[
            "--format",
            "json",
            "schema",
            "diff",
            new.to_str().unwrap(),
            old.to_str().unwrap(),
        ],
    ));
    assert_eq!(code, 1, "going back narrows: breaking");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["version"], 1);
    assert!(report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["check"] == "column-narrowed" && c["level"] == "breaking"));
    let (code, out, _) = finish(flowgate_in(dir.path(), &["schema"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("flowgate asset"),
        "plain `schema` still prints the asset schema"
    );
    let (code, _, err) = finish(flowgate_in(
        dir.path(),
        &[
            "schema",
            "diff",
            dir.path().to_str().unwrap(),
            new.to_str().unwrap(),
        ],
    ));
    assert_eq!(code, 2);
    assert!(err.contains("no db_schema.xml"), "{err}");
}
