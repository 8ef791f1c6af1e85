//! `flowgate seed generate` on the example: one CSV per table whose contact columns are the
//! example's contact fields, the same bytes for the same seed, JSON Lines, a versioned JSON
//! report with every edge case counted, SQLite tables, and bad options refused (exit 2).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{finish, flowgate_in, repo};
use serde_json::Value;

/// `flowgate seed generate --contacts 400 …` on the example; outputs go where `extra` says
/// (absolute paths under a temporary directory).
fn generate(extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["seed", "generate"];
    if !extra.contains(&"--contacts") {
        args.extend(["--contacts", "400"]);
    }
    args.extend_from_slice(extra);
    finish(flowgate_in(&repo().join("examples/acme"), &args))
}

#[test]
fn csv_files_follow_the_example_fields_and_a_seed_repeats_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let (code, out, err) = generate(&["--seed", "5", "--out", a.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("contacts") && out.contains("non_ascii_name"),
        "{out}"
    );
    let (code, _, err) = generate(&["--seed", "5", "--out", b.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for table in ["contacts", "companies", "orders", "carts", "list_members"] {
        let first = std::fs::read(a.join(format!("{table}.csv"))).unwrap();
        assert_eq!(
            first,
            std::fs::read(b.join(format!("{table}.csv"))).unwrap(),
            "{table}"
        );
    }
    let contacts = std::fs::read_to_string(a.join("contacts.csv")).unwrap();
    let header: Vec<&str> = contacts.lines().next().unwrap().split(',').collect();
    for field in [
        "email",
        "phone",
        "first_name",
        "email_consent_status",
        "sms_consent_at",
        "lead_score",
        "lifecycle_stage",
    ] {
        assert!(header.contains(&field), "{field} missing from {header:?}");
    }
    assert_eq!(contacts.lines().count(), 401);
    let orders = std::fs::read_to_string(a.join("orders.csv")).unwrap();
    assert!(
        orders.lines().next().unwrap().contains("increment_id"),
        "the example's order field"
    );
    let suppressed = std::fs::read_to_string(a.join("list_members.csv")).unwrap();
    assert!(
        suppressed
            .lines()
            .skip(1)
            .all(|l| l.starts_with("global-suppression,")),
        "{suppressed}"
    );
}

#[test]
fn json_report_counts_every_edge_case_and_jsonl_and_sqlite_outputs_work() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("jsonl");
    let (code, out, err) = generate(&[
        "--format",
        "json",
        "--as",
        "jsonl",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["summary"]["rows"]["contacts"], 400);
    let edges = report["summary"]["edge_cases"].as_object().unwrap();
    assert_eq!(edges.len(), 9);
    assert!(edges.values().all(|n| n.as_u64().unwrap() > 0), "{edges:?}");
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(out_dir.join("contacts.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(first["email"].as_str().unwrap().contains('@'));

    let db = dir.path().join("seed.db");
    let url = format!("sqlite://{}", db.display());
    let (code, _, err) = generate(&["--url", &url]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = generate(&["--url", &url]);
    assert_eq!(code, 2, "a second write without --replace is refused");
    assert!(err.contains("--replace"), "{err}");
    let (code, _, err) = generate(&["--url", &url, "--replace"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn bad_options_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let out = out.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--locale", "xx-YY", "--out", out],
            "en-US, en-GB, de-DE, fr-FR",
        ),
        (vec!["--as-of", "yesterday", "--out", out], "YYYY-MM-DD"),
        (vec!["--edge-share", "1.5", "--out", out], "from 0 to 1"),
        (vec![], "--out DIR"),
        (
            vec!["--contacts", "1000001", "--out", out],
            "at most 1,000,000",
        ),
        (vec!["--url", "ftp://nowhere"], "sqlite://"),
        (
            vec!["--url", "sqlite://x.db", "--table-prefix", "Bad-Prefix"],
            "table prefix",
        ),
    ] {
        let (code, _, err) = generate(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
