//! The document tree: nodes with byte spans, and syntax errors.

use std::fmt;

use flowgate_diagnostics::{LineIndex, Span};

use crate::Spanned;

/// Deepest nesting of sequences and maps either parser accepts.
pub const MAX_DEPTH: usize = 128;

/// One value of a document together with the bytes it was written in.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Bytes of the value in the source (for quoted strings, quotes included).
    pub span: Span,
    /// The value itself.
    pub value: Value,
}

/// The value of a [`Node`].
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`, `~` or an empty YAML value.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    String(String),
    /// A sequence (list).
    Seq(Vec<Node>),
    /// A map, entries in source order, keys unique.
    Map(Vec<Entry>),
}

/// One `key: value` pair of a map.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key and its span.
    pub key: Spanned<String>,
    /// The value.
    pub value: Node,
}

impl Node {
    /// A node from its span and value.
    pub fn new(span: Span, value: Value) -> Self {
        Self { span, value }
    }

    /// The value of `key` when this node is a map that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// The entry of `key` (key span included) when this node is a map that has it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|entry| entry.key.value == key),
            _ => None,
        }
    }

    /// The string when this node is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean when this node is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer when this node is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The number when this node is an integer or a float.
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The items when this node is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entries when this node is a map.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Whether this node is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// What kind of value this is, for messages: "a string", "a map", ...
    pub fn type_name(&self) -> &'static str {
        self.value.type_name()
    }

    /// The source text of this node (`source` must be the text it was parsed from).
    ///
    /// For a plain scalar such as `1.10` this is what the author wrote, not the number.
    pub fn source_text<'s>(&self, source: &'s str) -> Option<&'s str> {
        source.get(self.span.start as usize..self.span.end as usize)
    }
}

impl Value {
    /// What kind of value this is, for messages: "a string", "a map", ...
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a floating-point number",
            Value::String(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// A problem in the syntax of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, one line.
    pub message: String,
    /// What to do about it, when there is something useful to say.
    pub help: Option<String>,
}

impl SyntaxError {
    /// An error without help.
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            help: None,
        }
    }

    /// The same error with a help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// The result of parsing a file: the documents that could be built, and every syntax error.
///
/// Documents may be present together with errors (for example duplicate keys, or YAML
/// documents before the one that failed); callers decide whether to use them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// One node per document.
    pub docs: Vec<Node>,
    /// Syntax errors in source order.
    pub errors: Vec<SyntaxError>,
}

impl Parsed {
    /// Whether there is no syntax error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Lazily built line index, for "first defined on line N" hints.
pub(crate) struct Lines<'a> {
    source: &'a str,
    index: Option<LineIndex>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(source: &'a str) -> Self {
        Self {
            source,
            index: None,
        }
    }

    pub(crate) fn line_of(&mut self, offset: u32) -> u32 {
        let source = self.source;
        self.index
            .get_or_insert_with(|| LineIndex::new(source))
            .line_col(source, offset)
            .line
    }
}

/// Maps with more entries than this are checked for duplicates by sorting.
const LINEAR_DEDUP_LIMIT: usize = 16;

/// Remove the second and later occurrences of a key, reporting each one.
pub(crate) fn dedup_entries(
    entries: &mut Vec<Entry>,
    errors: &mut Vec<SyntaxError>,
    lines: &mut Lines<'_>,
) {
    // Pairs (duplicate index, first index).
    let mut duplicates: Vec<(usize, usize)> = Vec::new();
    if entries.len() <= LINEAR_DEDUP_LIMIT {
        for i in 1..entries.len() {
            if let Some(first) = (0..i).find(|&j| entries[j].key.value == entries[i].key.value) {
                duplicates.push((i, first));
            }
        }
    } else {
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| {
            entries[a]
                .key
                .value
                .cmp(&entries[b].key.value)
                .then(a.cmp(&b))
        });
        let mut run_first = None::<usize>;
        for pair in order.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if entries[a].key.value == entries[b].key.value {
                let first = *run_first.get_or_insert(a);
                duplicates.push((b, first));
            } else {
                run_first = None;
            }
        }
        duplicates.sort_unstable();
    }
    if duplicates.is_empty() {
        return;
    }
    for &(dup, first) in &duplicates {
        let key = &entries[dup].key;
        let first_span = entries[first].key.span;
        let line = lines.line_of(first_span.start);
        errors.push(
            SyntaxError::new(key.span, format!("duplicate key `{}`", key.value)).with_help(
                format!(
                    "`{}` is already defined on line {line}; remove one of the two",
                    key.value
                ),
            ),
        );
    }
    let mut remove = duplicates.iter().map(|&(dup, _)| dup).peekable();
    let mut index = 0;
    entries.retain(|_| {
        let keep = remove.peek() != Some(&index);
        if !keep {
            remove.next();
        }
        index += 1;
        keep
    });
}
