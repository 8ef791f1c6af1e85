//! Mutation harness over every Salesforce flow and n8n workflow of the corpus: each semantic
//! leaf of a file (every XML leaf, every JSON scalar, outside the documented layout fields)
//! is changed one at a time, and the diff of the file against its mutant must report it on a
//! line that names the element (and the nested item) it belongs to and prints the new value,
//! so old and new differ on screen. Each layout leaf changed alone must give no changes.
//!
//! n8n: every 25th workflow by default; `FLOWGATE_MUTATE_ALL=1` takes all of them (run with
//! `--release`, it mutates some 470,000 leaves); `FLOWGATE_MUTATE_ONLY=TEXT` takes the files
//! whose names contain TEXT.

use crate::mutation::{self, corpus_files, Outcome, Tally};
use flowgate_model::flow::Dialect;

#[test]
fn every_salesforce_leaf_is_reported() {
    let files = corpus_files("salesforce-flows", ".flow-meta.xml");
    assert!(
        files.len() >= 50,
        "the Salesforce corpus: {} files",
        files.len()
    );
    let mut tally = Tally::default();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        for (mutant, leaf) in mutation::salesforce::mutants(&text) {
            tally.add(mutation::judge(
                Dialect::Salesforce,
                path,
                &text,
                &mutant,
                &leaf,
            ));
        }
    }
    tally.print("Salesforce", files.len());
    tally.assert_complete();
    assert!(tally.reported > 3000, "{tally:?}");
}

#[test]
fn every_n8n_leaf_is_reported() {
    let all = std::env::var_os("FLOWGATE_MUTATE_ALL").is_some();
    let only = std::env::var("FLOWGATE_MUTATE_ONLY").ok();
    let files: Vec<_> = corpus_files("n8n", ".json")
        .into_iter()
        .enumerate()
        .filter(|(i, path)| match &only {
            Some(text) => path.to_string_lossy().contains(text.as_str()),
            None => all || i % 25 == 0,
        })
        .map(|(_, path)| path)
        .collect();
    let mut tally = Tally::default();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        for (mutant, leaf) in mutation::n8n::mutants(&text) {
            tally.add(mutation::judge(Dialect::N8n, path, &text, &mutant, &leaf));
        }
    }
    tally.print("n8n", files.len());
    tally.assert_complete();
    assert!(only.is_some() || tally.reported > 5000, "{tally:?}");
}

#[test]
fn a_mutant_the_diff_misses_is_counted() {
    let mut tally = Tally::default();
    tally.add(Outcome::Missed("x".to_owned()));
    assert!(std::panic::catch_unwind(move || tally.assert_complete()).is_err());
}
