//! Every rule has a firing fixture and a clean fixture under `tests/fixtures/<code>/`:
//! `fires.*` must produce at least one finding of that rule (its rendering is pinned by a
//! snapshot), `clean.*` none. An optional `check.toml` holds a `[check]` section for both.
//! Fixtures must load without loader errors, so they test the rule and nothing else.
//!
//! A fixture is a file or a directory of files (for rules across several assets). Its files
//! are read by name: `*.flow-meta.xml` as Salesforce flows, `*.n8n.json` as n8n workflows,
//! `*.node-red.json` as Node-RED flows, anything else as native YAML or JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use flowgate_check::{check, codes, parse_check_config, registry, CheckOptions};
use flowgate_diagnostics::{render_human, HumanOptions};
use flowgate_load::{load_texts_as, FileFormat};
use flowgate_model::flow::Dialect;
use std::path::Path;

const ENVIRONMENTS: &[&str] = &["dev", "stage", "prod"];

/// How a fixture file is read, by its name.
fn format_of(path: &str) -> FileFormat {
    if path.ends_with(".flow-meta.xml") {
        FileFormat::Platform(Dialect::Salesforce)
    } else if path.ends_with(".n8n.json") {
        FileFormat::Platform(Dialect::N8n)
    } else if path.ends_with(".node-red.json") {
        FileFormat::Platform(Dialect::NodeRed)
    } else {
        FileFormat::Native
    }
}

/// The files of fixture `which` (`fires` or `clean`) as `(path, text)`.
fn fixture_texts(dir: &Path, code: &str, which: &str) -> Vec<(String, String)> {
    let entry = std::fs::read_dir(dir)
        .unwrap_or_else(|_| panic!("missing fixture directory tests/fixtures/{code}"))
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name == which || name.starts_with(&format!("{which}."))
        })
        .unwrap_or_else(|| panic!("missing fixture tests/fixtures/{code}/{which}.*"));
    let mut files: Vec<_> = if entry.is_dir() {
        std::fs::read_dir(&entry)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    } else {
        vec![entry]
    };
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let relative = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (relative, text)
        })
        .collect()
}

fn run(code: &str, which: &str) -> (Vec<flowgate_diagnostics::Diagnostic>, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(code);
    let texts = fixture_texts(&dir, code, which);
    let config_text = std::fs::read_to_string(dir.join("check.toml")).unwrap_or_default();
    let config = parse_check_config(&config_text, "check.toml").unwrap();
    let loaded = load_texts_as(&dir, &texts, format_of);
    assert!(
        !loaded.has_errors(),
        "{code}/{which} does not load cleanly: {:#?}",
        loaded.diagnostics
    );
    let environments: Vec<String> = ENVIRONMENTS.iter().map(|e| (*e).to_owned()).collect();
    let report = check(
        &loaded.model,
        &loaded.sources,
        &config,
        &CheckOptions {
            environment: None,
            environments: &environments,
            only: None,
        },
    );
    let ours: Vec<_> = report
        .diagnostics
        .into_iter()
        .filter(|d| d.code == code)
        .collect();
    let rendered = render_human(&ours, &loaded.sources, HumanOptions { color: false });
    (ours, rendered)
}

#[test]
fn every_rule_fires_on_its_fixture_and_not_on_the_clean_one() {
    let mut failures = Vec::new();
    for rule in registry::all() {
        let code = rule.meta().code;
        let (fires, rendered) = run(code, "fires");
        if fires.is_empty() {
            failures.push(format!("{code}: no finding on fires"));
        }
        for d in &fires {
            if d.location.is_none() {
                failures.push(format!("{code}: finding without location: {}", d.message));
            }
        }
        insta::assert_snapshot!(format!("{code}_fires"), rendered);
        let (clean, rendered) = run(code, "clean");
        if !clean.is_empty() {
            failures.push(format!("{code}: findings on clean:\n{rendered}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_codes_table_and_the_registry_agree() {
    for rule in registry::all() {
        let meta = rule.meta();
        let entry = codes::CODES.iter().find(|(code, _, _)| *code == meta.code);
        assert_eq!(
            entry.map(|(_, name, status)| (*name, *status)),
            Some((meta.name, codes::CodeStatus::Active)),
            "{} is not in the codes table as an active rule named {}",
            meta.code,
            meta.name
        );
        assert!(
            meta.code.starts_with(meta.category.prefix()),
            "{}",
            meta.code
        );
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                meta.doc.contains(section),
                "{} lacks `{section}`",
                meta.code
            );
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for (code, name, _) in codes::CODES {
        assert!(seen.insert(*code), "{code} is listed twice");
        assert!(seen.insert(*name), "{name} is listed twice");
    }
}

#[test]
fn a_secret_in_a_platform_flow_is_reported_once_by_the_flow_rule() {
    let (fires, _) = run("FG708", "fires");
    assert!(!fires.is_empty());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/FG708");
    let texts = fixture_texts(&dir, "FG708", "fires");
    let loaded = load_texts_as(&dir, &texts, format_of);
    let report = check(
        &loaded.model,
        &loaded.sources,
        &parse_check_config("", "check.toml").unwrap(),
        &CheckOptions::default(),
    );
    let native_rule: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "FG502")
        .collect();
    assert!(
        native_rule.is_empty(),
        "FG502 repeats FG708 on flows: {native_rule:#?}"
    );
}
