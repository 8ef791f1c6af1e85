#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Agreement with oasdiff's own test expectations: every usable row of the corpus's
//! `EXPECTED_INDEX.tsv` (a base and a revision file, nothing changed in code) is compared,
//! our ids mapped to oasdiff's, and the agreement per check id written to
//! docs/contract-oracle.md (`FLOWGATE_UPDATE_DOCS=1` rewrites it; otherwise the test fails
//! when the page is stale). A floor on the agreement makes a regression fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use flowgate_contract::diff_files;

/// Fewest expected ids that must be found, of the usable rows' expectations.
const AGREEMENT_FLOOR: f64 = 0.35;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/oasdiff")
}

/// Our ids in oasdiff's vocabulary (most are the same).
fn theirs(id: &str) -> Vec<&str> {
    match id {
        "response-property-removed" => vec!["response-optional-property-removed"],
        "request-parameter-location-changed" => {
            vec![
                "request-parameter-removed",
                "new-required-request-parameter",
            ]
        }
        other => vec![other],
    }
}

struct Row {
    test: String,
    base: String,
    revision: String,
    expected: BTreeSet<String>,
}

/// The usable rows, and how many rows were left out (mutated in code, or one spec file).
fn rows() -> (Vec<Row>, usize, usize) {
    let text = std::fs::read_to_string(corpus().join("EXPECTED_INDEX.tsv")).unwrap();
    let (mut rows, mut mutated, mut single) = (Vec::new(), 0, 0);
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 7 || cols[3].trim().is_empty() {
            continue;
        }
        if cols[6].trim() == "yes" {
            mutated += 1;
            continue;
        }
        let files: Vec<&str> = cols[2].split_whitespace().collect();
        if files.len() < 2 {
            single += 1;
            continue;
        }
        rows.push(Row {
            test: cols[1].to_owned(),
            base: files[0].to_owned(),
            revision: files[1].to_owned(),
            expected: cols[3].split_whitespace().map(str::to_owned).collect(),
        });
    }
    (rows, mutated, single)
}

#[derive(Default)]
struct Tally {
    agreed: usize,
    missed: Vec<String>,
    extra: usize,
}

/// Our ids (in oasdiff's vocabulary) for one pair, or why it could not be compared.
fn ours(base: &Path, revision: &Path) -> Result<BTreeSet<String>, String> {
    let (a, b) = (base.display().to_string(), revision.display().to_string());
    match diff_files((base, &a), (revision, &b)) {
        Ok(report) => Ok(report
            .findings
            .iter()
            .flat_map(|f| theirs(&f.id))
            .map(str::to_owned)
            .collect()),
        Err(failure) => Err(failure
            .diagnostics
            .first()
            .map_or_else(String::new, |d| d.code.clone())),
    }
}

struct Outcome {
    per_id: BTreeMap<String, Tally>,
    unreadable: Vec<(String, String)>,
    rows: usize,
    mutated: usize,
    single: usize,
}

fn measure() -> Outcome {
    let (rows, mutated, single) = rows();
    let mut per_id: BTreeMap<String, Tally> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for row in &rows {
        let data = corpus().join("data");
        let found = match ours(&data.join(&row.base), &data.join(&row.revision)) {
            Ok(found) => found,
            Err(code) => {
                unreadable.push((row.test.clone(), code));
                BTreeSet::new()
            }
        };
        for id in &row.expected {
            let tally = per_id.entry(id.clone()).or_default();
            if found.contains(id) {
                tally.agreed += 1;
            } else {
                tally.missed.push(row.test.clone());
            }
        }
        for id in found.difference(&row.expected) {
            per_id.entry(id.clone()).or_default().extra += 1;
        }
    }
    Outcome {
        per_id,
        unreadable,
        rows: rows.len(),
        mutated,
        single,
    }
}

fn totals(outcome: &Outcome) -> (usize, usize) {
    let agreed = outcome.per_id.values().map(|t| t.agreed).sum();
    let missed = outcome.per_id.values().map(|t| t.missed.len()).sum();
    (agreed, missed)
}

fn page(outcome: &Outcome) -> String {
    let (agreed, missed) = totals(outcome);
    let share = agreed as f64 / (agreed + missed).max(1) as f64;
    let mut text = format!(
        "{}\n## Figures\n\nRows used: {} (left out: {} changed in code, {} with one spec file). \
         Expected ids found: **{agreed} of {} ({:.1} %)**. Pairs we could not read: {}.\n\n",
        include_str!("oracle_intro.md"),
        outcome.rows,
        outcome.mutated,
        outcome.single,
        agreed + missed,
        share * 100.0,
        outcome.unreadable.len()
    );
    text.push_str("| oasdiff id | agreed | missed | extra | missed in |\n|---|---|---|---|---|\n");
    for (id, tally) in &outcome.per_id {
        let mut missed_in = tally.missed.clone();
        missed_in.dedup();
        text.push_str(&format!(
            "| `{id}` | {} | {} | {} | {} |\n",
            tally.agreed,
            tally.missed.len(),
            tally.extra,
            missed_in.join(", ")
        ));
    }
    if !outcome.unreadable.is_empty() {
        text.push_str("\n## Pairs not compared\n\n| test | problem |\n|---|---|\n");
        for (test, code) in &outcome.unreadable {
            text.push_str(&format!("| {test} | `{code}` |\n"));
        }
    }
    text
}

#[test]
fn agreement_with_oasdiff_expectations_stays_above_the_floor() {
    let outcome = measure();
    let (agreed, missed) = totals(&outcome);
    let share = agreed as f64 / (agreed + missed).max(1) as f64;
    let text = page(&outcome);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/contract-oracle.md");
    if std::env::var_os("FLOWGATE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &text).unwrap();
    } else {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == text,
            "docs/contract-oracle.md is stale: run with FLOWGATE_UPDATE_DOCS=1"
        );
    }
    assert!(
        share >= AGREEMENT_FLOOR,
        "agreement {share:.3} fell below {AGREEMENT_FLOOR}"
    );
}
