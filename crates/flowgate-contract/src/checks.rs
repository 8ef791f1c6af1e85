//! Every check id: its level, a one-line summary and its page (`flowgate contract rule ID`).
//!
//! Operation, parameter, body, response and security checks are written out one by one in
//! [`catalog`]; the schema checks (`request-property-max-length-decreased`, ...) are a family
//! per kind of change, one id per place a schema can sit ([`SUBJECTS`]).

mod catalog;
mod family;

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

pub use family::{Subject, SUBJECTS};

/// How much a change matters to existing clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Informational: clients keep working.
    Info,
    /// Worth a look: some clients may be affected.
    Warning,
    /// Existing clients break.
    Breaking,
}

impl Level {
    /// `breaking`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Breaking => "breaking",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Stable kebab-case id.
    pub id: String,
    /// Level of its findings.
    pub level: Level,
    /// One line.
    pub summary: String,
    /// Why it matters to clients.
    pub why: String,
    /// An old and a new fragment that trigger it.
    pub example: String,
    /// What to do.
    pub fix: String,
}

impl Check {
    /// The check's page in Markdown: what it means, why, an example, what to do.
    pub fn doc(&self) -> String {
        format!(
            "## What it means\n\n{}.\n\n## Why it matters to clients\n\n{}\n\n## Example\n\n```yaml\n{}\n```\n\n## What to do\n\n{}\n",
            capitalise(&self.summary),
            self.why,
            self.example.trim_end(),
            self.fix
        )
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct Registry {
    checks: Vec<Check>,
    by_id: HashMap<String, usize>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut checks = catalog::checks();
        checks.extend(family::checks());
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id = checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        Registry { checks, by_id }
    })
}

/// Every check, by id.
pub fn all() -> &'static [Check] {
    &registry().checks
}

/// The check with this id (any case).
pub fn find(id: &str) -> Option<&'static Check> {
    let registry = registry();
    let index = registry
        .by_id
        .get(id)
        .or_else(|| registry.by_id.get(&id.to_ascii_lowercase()))?;
    registry.checks.get(*index)
}

/// The level of a check; unknown ids (a bug) count as info.
pub fn level(id: &str) -> Level {
    find(id).map_or(Level::Info, |c| c.level)
}

/// The id closest to `key`, for "did you mean".
pub fn closest(key: &str) -> Option<&'static str> {
    flowgate_diagnostics::suggest::did_you_mean(key, all().iter().map(|c| c.id.as_str()))
}
