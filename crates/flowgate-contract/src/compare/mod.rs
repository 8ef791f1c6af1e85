//! Comparing two normalised contracts into findings.

mod operations;
mod params;
mod payloads;
mod schemas;
mod security;
mod unchanged;

use std::collections::HashSet;

use flowgate_diagnostics::Span;

use crate::checks::{self, Subject};
use crate::model::{Api, Operation};
use crate::report::{Finding, OperationRef};

/// The two sides of a comparison and the findings so far.
pub(crate) struct Differ<'a> {
    old: &'a Api<'a>,
    new: &'a Api<'a>,
    /// Schema pointers whose definitions are the same text in both documents, and whose
    /// references all lead to such definitions: comparing them finds nothing.
    unchanged: HashSet<String>,
    /// Pairs of schema nodes (and the subject they were compared as) whose comparison found
    /// nothing: another operation that reaches them skips them.
    silent: HashSet<(usize, usize, Subject)>,
    findings: Vec<Finding>,
}

/// Where a finding is, on each side.
#[derive(Clone, Copy, Default)]
pub(crate) struct Place {
    old: Option<Span>,
    new: Option<Span>,
}

impl Place {
    fn both(old: Span, new: Span) -> Self {
        Self {
            old: Some(old),
            new: Some(new),
        }
    }
}

/// Compare `old` with `new`.
pub(crate) fn compare<'a>(old: &'a Api<'a>, new: &'a Api<'a>) -> Vec<Finding> {
    let mut differ = Differ {
        old,
        new,
        unchanged: unchanged::definitions(old, new),
        silent: HashSet::new(),
        findings: Vec::new(),
    };
    operations::paths(&mut differ);
    operations::webhooks(&mut differ);
    security::global(&mut differ);
    differ.findings
}

impl<'a> Differ<'a> {
    fn emit(&mut self, id: &str, op: Option<&Operation<'a>>, message: String, place: Place) {
        self.findings.push(Finding {
            id: id.to_owned(),
            level: checks::level(id),
            operation: op.map(|op| OperationRef {
                method: op.method.to_ascii_uppercase(),
                path: op.path.to_owned(),
            }),
            field: None,
            message,
            old: place.old.map(|span| self.old.doc.source.locate(span)),
            new: place.new.map(|span| self.new.doc.source.locate(span)),
        });
    }

    /// Compare two operations found under the same method and path.
    fn operation(&mut self, old: &Operation<'a>, new: &Operation<'a>) {
        operations::deprecation(self, old, new);
        params::compare(self, old, new);
        payloads::request_body(self, old, new);
        payloads::responses(self, old, new);
        security::operation(self, old, new);
        operations::callbacks(self, old, new);
    }
}
