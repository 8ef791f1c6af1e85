//! The harness's parts: corpus files, mutants per format, and the verdict on one mutant.
#![allow(clippy::print_stdout)]

pub mod n8n;
pub mod salesforce;

use flowgate_diff::{diff_documents, render_human, Documents};
use flowgate_load::load_platform_texts;
use flowgate_model::flow::Dialect;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// The marker appended to mutated texts.
pub const MARK: &str = "Zq";

/// What one mutant is expected to show.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// Where the leaf is, for failure messages (`decisions/rules/conditions/operator`).
    pub place: String,
    /// A layout leaf: the diff must be empty.
    pub layout: bool,
    /// Texts one line of the diff must all contain: the element (or property), the nested
    /// item, and the new value.
    pub expect: Vec<String>,
}

/// How one mutant fared.
#[derive(Debug)]
pub enum Outcome {
    /// The diff reported it as expected (or, for layout, reported nothing).
    Reported,
    /// The loader refused the mutant with an error: nothing could be released unseen.
    Rejected,
    /// The diff missed it: the description says how.
    Missed(String),
}

/// Counts over many mutants.
#[derive(Debug, Default)]
pub struct Tally {
    pub reported: usize,
    pub rejected: usize,
    pub missed: Vec<String>,
}

impl Tally {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Reported => self.reported += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::Missed(why) => self.missed.push(why),
        }
    }

    pub fn print(&self, what: &str, files: usize) {
        let judged = self.reported + self.missed.len();
        println!(
            "{what}: {files} files, {} leaves mutated, {} rejected by the loader, {} of {judged} \
             reported as expected ({:.2} %), {} missed",
            judged + self.rejected,
            self.rejected,
            self.reported,
            100.0 * self.reported as f64 / judged.max(1) as f64,
            self.missed.len()
        );
    }

    pub fn assert_complete(&self) {
        assert!(
            self.missed.is_empty(),
            "{} mutants missed; the first ones:\n{}",
            self.missed.len(),
            self.missed
                .iter()
                .take(12)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n---\n")
        );
    }
}

/// Corpus files under `folder` whose names end with `suffix`, sorted.
pub fn corpus_files(folder: &str, suffix: &str) -> Vec<PathBuf> {
    let root = Path::new(CORPUS).join(folder);
    assert!(
        root.exists(),
        "the shared corpus is missing: {}",
        root.display()
    );
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// One file's asset document under a fixed id, or `None` when it does not load cleanly.
fn document(dialect: Dialect, path: &Path, text: &str) -> Option<Documents> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let loaded = load_platform_texts(Path::new("."), dialect, &[(name, text.to_owned())]);
    if loaded.has_errors() {
        return None;
    }
    let mut document = loaded.model.assets().first()?.document();
    document["id"] = "flow".into();
    Some(Documents(
        [("flow".to_owned(), document)].into_iter().collect(),
    ))
}

/// The verdict on one mutant of `original`.
pub fn judge(dialect: Dialect, path: &Path, original: &str, mutant: &str, leaf: &Leaf) -> Outcome {
    let Some(before) = document(dialect, path, original) else {
        return Outcome::Rejected;
    };
    let Some(after) = document(dialect, path, mutant) else {
        return Outcome::Rejected;
    };
    let diff = diff_documents(&before, &after);
    let shown = render_human(&diff);
    let file = path.file_name().unwrap_or_default().to_string_lossy();
    if leaf.layout {
        return if diff.is_empty() {
            Outcome::Reported
        } else {
            Outcome::Missed(format!(
                "{file}: layout leaf {} reported:\n{shown}",
                leaf.place
            ))
        };
    }
    let found = shown
        .lines()
        .any(|line| leaf.expect.iter().all(|text| line.contains(text.as_str())));
    if found {
        Outcome::Reported
    } else {
        Outcome::Missed(format!(
            "{file}: {} (expected a line with {:?}):\n{shown}",
            leaf.place, leaf.expect
        ))
    }
}

/// A leaf's text changed: booleans flip, numbers count up, other texts get [`MARK`].
pub fn mutate_text(raw: &str) -> String {
    match raw {
        "true" => "false".to_owned(),
        "false" => "true".to_owned(),
        _ => {
            if let Ok(number) = raw.parse::<i64>() {
                (number + 1).to_string()
            } else if let (Ok(number), Some((_, decimals))) =
                (raw.parse::<f64>(), raw.split_once('.'))
            {
                format!("{:.*}", decimals.len(), number + 1.0)
            } else {
                format!("{raw}{MARK}")
            }
        }
    }
}

/// What the new value of a leaf looks like on screen.
pub fn shown_token(new: &str) -> String {
    if new.ends_with(MARK) {
        MARK.to_owned()
    } else {
        format!("`{new}`")
    }
}
