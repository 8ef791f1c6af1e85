//! API contracts: Swagger 2.0 and OpenAPI 3.0/3.1 documents read into one normalised model,
//! and the differences between two versions classified as breaking, warning or info, each
//! located in both documents.
//!
//! ```
//! use flowgate_contract::{diff_sources, Level};
//! use flowgate_diagnostics::SourceText;
//!
//! let old = "swagger: '2.0'\npaths:\n  /pets:\n    get: {responses: {'200': {description: ok}}}\n    delete: {responses: {'204': {description: gone}}}\n";
//! let new = "swagger: '2.0'\npaths:\n  /pets:\n    get: {responses: {'200': {description: ok}}}\n";
//! let report = diff_sources(SourceText::new("old.yaml", old), SourceText::new("new.yaml", new)).unwrap();
//! let finding = &report.findings[0];
//! assert_eq!(finding.id, "api-removed-without-deprecation");
//! assert_eq!(finding.level, Level::Breaking);
//! assert_eq!(finding.old.as_ref().unwrap().start.line, 5);
//! ```
#![forbid(unsafe_code)]

pub mod checks;
pub mod codes;
mod compare;
mod document;
pub mod lookup;
mod model;
mod report;
mod schema;

use std::path::Path;

use flowgate_diagnostics::{Diagnostic, SourceText, Span};

pub use checks::{Check, Level};
pub use document::{Dialect, Document};
pub use lookup::{Contract, MissingField, OperationLookup, OperationShape};
pub use report::{severity, Finding, OperationRef, Report, Side, JSON_VERSION};

/// Why two contracts could not be compared: located diagnostics, and the texts they point
/// into (for rendering snippets).
#[derive(Debug)]
pub struct Failure {
    /// The problems, each located where the file allows.
    pub diagnostics: Vec<Diagnostic>,
    /// The texts that were read.
    pub sources: Vec<SourceText>,
}

/// Read a contract file and parse it.
pub fn read(path: &Path, display: &str) -> Result<Document, Failure> {
    let text = std::fs::read(path).map_err(|e| Failure {
        diagnostics: vec![Diagnostic::error(
            codes::UNREADABLE,
            format!("cannot read `{display}`: {e}"),
        )
        .with_help("check the path and that the file is readable")],
        sources: Vec::new(),
    })?;
    let text = match String::from_utf8(text) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let source =
                SourceText::new(display, String::from_utf8_lossy(e.as_bytes()).into_owned());
            let diagnostic =
                Diagnostic::error(codes::SYNTAX, format!("`{display}` is not UTF-8 text"))
                    .at(&source, Span::point(offset))
                    .with_help("save the file as UTF-8");
            return Err(Failure {
                diagnostics: vec![diagnostic],
                sources: vec![source],
            });
        }
    };
    parse(SourceText::new(display, text))
}

/// Parse a contract from its text.
pub fn parse(source: SourceText) -> Result<Document, Failure> {
    Document::parse(source.clone()).map_err(|diagnostics| Failure {
        diagnostics,
        sources: vec![source],
    })
}

/// Compare two parsed contracts. Local `$ref`s that lead nowhere or into a cycle are
/// reported (located) instead.
pub fn diff(old: &Document, new: &Document) -> Result<Report, Failure> {
    // Each side is lowered and its references checked on a thread of its own.
    let prepare = |doc| {
        let api = model::Api::build(doc);
        let problems = document::check_refs(doc, &api.resolver);
        (api, problems)
    };
    let ((old_api, mut problems), (new_api, new_problems)) = std::thread::scope(|scope| {
        let other = scope.spawn(|| prepare(new));
        let old_side = prepare(old);
        (old_side, other.join().unwrap_or_else(|_| prepare(new)))
    });
    problems.extend(new_problems);
    if !problems.is_empty() {
        flowgate_diagnostics::sort_diagnostics(&mut problems);
        return Err(Failure {
            diagnostics: problems,
            sources: vec![old.source.clone(), new.source.clone()],
        });
    }
    let mut findings = compare::compare(&old_api, &new_api);
    report::sort(&mut findings);
    findings.dedup();
    Ok(Report {
        old: Side {
            path: old.path().to_owned(),
            dialect: old.dialect,
        },
        new: Side {
            path: new.path().to_owned(),
            dialect: new.dialect,
        },
        findings,
    })
}

/// Parse and compare two texts.
pub fn diff_sources(old: SourceText, new: SourceText) -> Result<Report, Failure> {
    let (old, new) = (parse(old), parse(new));
    let (old, new) = both(old, new)?;
    diff(&old, &new)
}

/// Read and parse two files at once (one thread each).
pub fn read_pair(old: (&Path, &str), new: (&Path, &str)) -> Result<(Document, Document), Failure> {
    let (old, new) = std::thread::scope(|scope| {
        let other = scope.spawn(|| read(new.0, new.1));
        let old = read(old.0, old.1);
        let new = other.join().unwrap_or_else(|_| {
            Err(Failure {
                diagnostics: vec![Diagnostic::error(
                    codes::UNREADABLE,
                    format!("reading `{}` failed", new.1),
                )],
                sources: Vec::new(),
            })
        });
        (old, new)
    });
    both(old, new)
}

/// Read, parse and compare two files.
pub fn diff_files(old: (&Path, &str), new: (&Path, &str)) -> Result<Report, Failure> {
    let (old, new) = read_pair(old, new)?;
    diff(&old, &new)
}

/// Both documents, or every problem of either.
fn both(
    old: Result<Document, Failure>,
    new: Result<Document, Failure>,
) -> Result<(Document, Document), Failure> {
    match (old, new) {
        (Ok(old), Ok(new)) => Ok((old, new)),
        (Err(mut a), Err(b)) => {
            a.diagnostics.extend(b.diagnostics);
            a.sources.extend(b.sources);
            Err(a)
        }
        (Err(failure), Ok(_)) | (Ok(_), Err(failure)) => Err(failure),
    }
}
