//! Findings and the documents they are rendered into: JSON, Markdown, diagnostics (for the
//! human and SARIF renderers).

use flowgate_diagnostics::{Diagnostic, Location, Severity};

use crate::checks::Level;
use crate::document::Dialect;

/// Version of the JSON document [`Report::to_json`] writes (see docs/json.md).
pub const JSON_VERSION: u32 = 1;

/// The operation a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OperationRef {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path template as written in the newer document (the older one when removed).
    pub path: String,
}

/// One difference between the two contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check id (`request-parameter-removed`).
    pub id: String,
    /// The check's level.
    pub level: Level,
    /// The operation, absent for document-wide changes.
    pub operation: Option<OperationRef>,
    /// The field of a request or response body the change is on, as a dotted path from the
    /// body (`items[].sku`); absent for changes to the operation, its parameters or a whole
    /// body.
    pub field: Option<String>,
    /// What changed, one line.
    pub message: String,
    /// Where it is in the older document.
    pub old: Option<Location>,
    /// Where it is in the newer document.
    pub new: Option<Location>,
}

/// One of the two compared documents.
#[derive(Debug, Clone)]
pub struct Side {
    /// The display path.
    pub path: String,
    /// Its dialect.
    pub dialect: Dialect,
}

/// The result of a comparison.
#[derive(Debug, Clone)]
pub struct Report {
    /// The older document.
    pub old: Side,
    /// The newer document.
    pub new: Side,
    /// Findings, sorted by level (breaking first), path, method, id and message.
    pub findings: Vec<Finding>,
}

impl Report {
    /// How many findings are at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// The most severe level found.
    pub fn worst(&self) -> Option<Level> {
        self.findings.iter().map(|f| f.level).max()
    }

    /// The findings of a check.
    pub fn of(&self, id: &str) -> impl Iterator<Item = &Finding> {
        let id = id.to_owned();
        self.findings.iter().filter(move |f| f.id == id)
    }

    /// The versioned JSON document.
    pub fn to_json(&self) -> serde_json::Value {
        let side = |s: &Side| serde_json::json!({"path": s.path, "dialect": s.dialect.as_str()});
        let findings: Vec<_> = self
            .findings
            .iter()
            .map(|f| {
                serde_json::json!({
                    "id": f.id,
                    "level": f.level.as_str(),
                    "operation": f.operation.as_ref().map(|o| serde_json::json!({"method": o.method, "path": o.path})),
                    "field": f.field,
                    "message": f.message,
                    "old": f.old,
                    "new": f.new,
                })
            })
            .collect();
        serde_json::json!({
            "version": JSON_VERSION,
            "old": side(&self.old),
            "new": side(&self.new),
            "summary": {
                "breaking": self.count(Level::Breaking),
                "warning": self.count(Level::Warning),
                "info": self.count(Level::Info),
            },
            "findings": findings,
        })
    }

    /// Diagnostics for the human and SARIF renderers: located in the older document for
    /// removals and in the newer one otherwise, with the other document's place as related
    /// location.
    pub fn to_diagnostics(&self) -> Vec<Diagnostic> {
        self.findings.iter().map(diagnostic).collect()
    }

    /// A Markdown summary for a pull request: one table per level.
    pub fn to_markdown(&self) -> String {
        let mut text = format!(
            "## API contract changes\n\n`{}` → `{}`: {} breaking, {} warning, {} info.\n",
            self.old.path,
            self.new.path,
            self.count(Level::Breaking),
            self.count(Level::Warning),
            self.count(Level::Info)
        );
        for level in [Level::Breaking, Level::Warning, Level::Info] {
            let rows: Vec<&Finding> = self.findings.iter().filter(|f| f.level == level).collect();
            if rows.is_empty() {
                continue;
            }
            text.push_str(&format!("\n### {} ({})\n\n", heading(level), rows.len()));
            text.push_str("| check | operation | change | old | new |\n|---|---|---|---|---|\n");
            for f in rows {
                let op = f
                    .operation
                    .as_ref()
                    .map_or_else(String::new, |o| format!("`{} {}`", o.method, o.path));
                text.push_str(&format!(
                    "| `{}` | {} | {} | {} | {} |\n",
                    f.id,
                    op,
                    escape_cell(&f.message),
                    place(f.old.as_ref()),
                    place(f.new.as_ref())
                ));
            }
        }
        text
    }
}

fn heading(level: Level) -> &'static str {
    match level {
        Level::Breaking => "Breaking",
        Level::Warning => "Warnings",
        Level::Info => "Info",
    }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn place(location: Option<&Location>) -> String {
    location.map_or_else(
        || "—".to_owned(),
        |l| format!("{}:{}:{}", l.path, l.start.line, l.start.column),
    )
}

/// The severity a level is shown with.
pub fn severity(level: Level) -> Severity {
    match level {
        Level::Breaking => Severity::Error,
        Level::Warning => Severity::Warning,
        Level::Info => Severity::Info,
    }
}

fn diagnostic(f: &Finding) -> Diagnostic {
    let message = match &f.operation {
        Some(op) => format!("{} {}: {}", op.method, op.path, f.message),
        None => f.message.clone(),
    };
    let mut d = Diagnostic::new(f.id.clone(), severity(f.level), message);
    // What was removed is shown where it was; everything else where it is now.
    let removal = f.id.contains("removed");
    let (main, other, other_note) = match (&f.old, &f.new) {
        (Some(old), Some(new)) if removal => (Some(old), Some(new), "in the newer document"),
        (old, Some(new)) => (Some(new), old.as_ref(), "in the older document"),
        (old, None) => (old.as_ref(), None, ""),
    };
    if let Some(location) = main {
        d = d.with_location(location.clone());
    }
    if let Some(location) = other {
        d = d.with_related(location.clone(), other_note);
    }
    d.with_help(format!(
        "`flowgate contract rule {}` explains the check",
        f.id
    ))
}

/// Sort findings into their reporting order: breaking first, then by path, method, id,
/// message and place.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.operation.cmp(&b.operation))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.message.cmp(&b.message))
            .then_with(|| a.new.cmp(&b.new))
    });
}
