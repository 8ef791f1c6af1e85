//! Every rule has a firing fixture and a clean fixture under `tests/fixtures/<code>/`:
//! `fires.*` must produce at least one finding of that rule (its rendering is pinned by a
//! snapshot), `clean.*` none. An optional `check.toml` holds a `[check]` section for both.
//! Each rule is its own test, `rules::rule::<category>::<code>`: `cargo test -p
//! flowgate-check -- FG101` runs one rule's cases; a registered rule missing from
//! `rule_tests!` fails the suite.
//! Fixtures must load without loader errors, so they test the rule and nothing else.
//!
//! A fixture is a file or a directory of files (for rules across several assets). Its files
//! are read by name: `*.flow-meta.xml` as Salesforce flows, `*.n8n.json` as n8n workflows,
//! `*.node-red.json` as Node-RED flows, anything else as native YAML or JSON.

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

/// Checks one rule against its fixtures: `fires` must produce at least one located finding
/// of the rule, rendered as in the snapshot `it__rules__<code>_fires.snap`, and `clean` none.
fn fires_on_its_fixture_and_not_on_the_clean_one(code: &str) {
    let mut failures = Vec::new();
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
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One test per rule, named by its category and code (`rules::rule::logic::FG101`), so that
/// `cargo test -p flowgate-check -- FG101` runs that rule's fixtures and snapshot alone and
/// `-- rule::logic::` a category's.
macro_rules! rule_tests {
    ($($category:ident: [$($code:ident),* $(,)?]),* $(,)?) => {
        /// The codes that have a test case below.
        const TESTED: &[&str] = &[$($(stringify!($code)),*),*];

        mod rule {
            $(
                mod $category {
                    $(
                        #[test]
                        #[allow(non_snake_case)]
                        fn $code() {
                            super::super::fires_on_its_fixture_and_not_on_the_clean_one(stringify!($code));
                        }
                    )*
                }
            )*
        }
    };
}

rule_tests! {
    logic: [FG101, FG102, FG103, FG104, FG105, FG106],
    compliance: [FG201, FG202, FG203, FG204, FG205, FG206, FG207, FG208],
    data_model: [FG301, FG302, FG303, FG304, FG305, FG306, FG307, FG308],
    messaging: [FG401, FG402, FG403, FG404, FG405, FG406, FG407, FG408],
    integrations: [
        FG501, FG502, FG503, FG504, FG505, FG506, FG507, FG508, FG509, FG510, FG511, FG512,
        FG513, FG514, FG515,
    ],
    hygiene: [FG601, FG602, FG603, FG604, FG605],
    flows: [FG701, FG702, FG703, FG704, FG705, FG706, FG707, FG708, FG709],
    salesforce: [
        FG801, FG802, FG803, FG804, FG805, FG806, FG807, FG808, FG809, FG810, FG811, FG812,
        FG813, FG814, FG815, FG816, FG817, FG818, FG819,
    ],
}

#[test]
fn every_registered_rule_has_a_test_case_and_every_test_case_a_rule() {
    let registered: Vec<&str> = registry::all().iter().map(|r| r.meta().code).collect();
    let missing = |codes: &[&str], from: &[&str]| -> Vec<String> {
        codes
            .iter()
            .filter(|code| !from.contains(code))
            .map(|code| (*code).to_owned())
            .collect()
    };
    let untested = missing(&registered, TESTED);
    assert!(
        untested.is_empty(),
        "rules without a test case: {untested:?}; add them to `rule_tests!` in tests/it/rules.rs"
    );
    let unknown = missing(TESTED, &registered);
    assert!(
        unknown.is_empty(),
        "test cases for codes that are not registered rules: {unknown:?}"
    );
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
