//! Source texts that diagnostics point into, kept for rendering snippets.

use crate::{LineIndex, Location, Span};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// One file's text with its line index.
#[derive(Debug, Clone)]
pub struct SourceText {
    path: String,
    text: Arc<str>,
    /// Built on the first lookup: most files never have a diagnostic to locate.
    index: OnceLock<LineIndex>,
}

impl SourceText {
    /// A text under the path shown to the user.
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The display path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The same text under another display path (the text is shared, not copied).
    pub fn renamed(&self, path: impl Into<String>) -> Self {
        Self::new(path, self.shared_text())
    }

    /// The shared text.
    pub fn shared_text(&self) -> Arc<str> {
        Arc::clone(&self.text)
    }

    /// Resolve a span into a location.
    pub fn locate(&self, span: Span) -> Location {
        Location {
            path: self.path.clone(),
            start: self.index().line_col(&self.text, span.start),
            end: self.index().line_col(&self.text, span.end),
            span,
        }
    }

    /// Text of a 1-based line.
    pub fn line(&self, line: u32) -> Option<&str> {
        self.index().line_text(&self.text, line)
    }
}

/// The texts of every file diagnostics may point into, by display path.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: BTreeMap<String, SourceText>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) a file.
    pub fn insert(&mut self, source: SourceText) {
        self.files.insert(source.path.clone(), source);
    }

    /// Every file, by display path.
    pub fn iter(&self) -> impl Iterator<Item = &SourceText> {
        self.files.values()
    }

    /// Look a file up by display path.
    pub fn get(&self, path: &str) -> Option<&SourceText> {
        self.files.get(path)
    }
}
