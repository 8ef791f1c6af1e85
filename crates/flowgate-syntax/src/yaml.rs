//! YAML documents into [`Node`] trees, on top of `saphyr-parser`'s event stream.

use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use flowgate_diagnostics::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::node::{dedup_entries, Entry, Lines, Node, Parsed, SyntaxError, Value, MAX_DEPTH};
use crate::scalar::{resolve_non_string, scalar_text};
use crate::Spanned;

/// Most nodes that aliases (and anchors) may copy in one file; stops "billion laughs".
pub const MAX_ALIAS_EXPANSION: usize = 1_000_000;

/// Bytes that aliases (and anchors) may copy in any file, whatever its size.
pub const ALIAS_BYTES_BASE: usize = 4 << 20;

/// Bytes that aliases (and anchors) may copy for each byte of the file, on top of
/// [`ALIAS_BYTES_BASE`].
pub const ALIAS_BYTES_PER_SOURCE_BYTE: usize = 8;

/// How many bytes aliases (and anchors) may copy in a file of `source_len` bytes:
/// [`ALIAS_BYTES_BASE`] plus [`ALIAS_BYTES_PER_SOURCE_BYTE`] per byte of the file.
///
/// A copy is charged what it occupies in memory: the text of its strings and keys, plus the
/// size of each of its nodes. Alias bombs (a huge scalar repeated, or aliases of aliases)
/// exceed it long before they could exhaust memory; ordinary anchors of shared settings stay
/// far below it.
pub fn alias_byte_budget(source_len: usize) -> usize {
    ALIAS_BYTES_BASE.saturating_add(source_len.saturating_mul(ALIAS_BYTES_PER_SOURCE_BYTE))
}

/// What a node with this value occupies on its own: the node, plus its string's text.
fn node_bytes(value: &Value) -> usize {
    let text = match value {
        Value::String(s) => s.len(),
        _ => 0,
    };
    std::mem::size_of::<Node>().saturating_add(text)
}

const BOM: &str = "\u{feff}";

/// Parse a YAML stream: one [`Node`] per document (`---`).
///
/// Never panics. A scan error ends parsing: it is reported once, and the documents completed
/// before it are returned. Duplicate keys and non-scalar keys are reported and skipped.
pub fn parse_yaml(source: &str) -> Parsed {
    let offset = if source.starts_with(BOM) {
        BOM.len()
    } else {
        0
    };
    let text = source.get(offset..).unwrap_or("");
    let built = catch_unwind(AssertUnwindSafe(|| {
        Builder::new(source, text, offset).run()
    }));
    match built {
        Ok(parsed) => parsed,
        Err(_) => Parsed {
            docs: Vec::new(),
            errors: vec![SyntaxError::new(
                Span::point(offset),
                "the YAML parser failed on this file",
            )
            .with_help("this is a bug in flowgate; simplify the file to work around it")],
        },
    }
}

/// Char index (as saphyr reports) to byte offset, for one text.
struct CharIndex {
    ascii: bool,
    /// Byte offset of every `STRIDE`-th character.
    checkpoints: Vec<usize>,
    /// The last answer `(char index, byte offset)`: events mostly move forward.
    cursor: (usize, usize),
}

const STRIDE: usize = 64;

impl CharIndex {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self {
                ascii: true,
                checkpoints: Vec::new(),
                cursor: (0, 0),
            };
        }
        let checkpoints = text
            .char_indices()
            .step_by(STRIDE)
            .map(|(byte, _)| byte)
            .collect();
        Self {
            ascii: false,
            checkpoints,
            cursor: (0, 0),
        }
    }

    fn byte(&mut self, text: &str, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(text.len());
        }
        let (cursor_char, cursor_byte) = self.cursor;
        let checkpoint = char_index / STRIDE;
        let (from_char, from_byte) =
            if char_index >= cursor_char && char_index - cursor_char <= STRIDE {
                (cursor_char, cursor_byte)
            } else {
                match self.checkpoints.get(checkpoint) {
                    Some(&byte) => (checkpoint * STRIDE, byte),
                    None => return text.len(),
                }
            };
        let byte = advance(text.as_bytes(), from_byte, char_index - from_char);
        self.cursor = (char_index, byte);
        byte
    }
}

/// The byte offset `chars` characters after `byte` (clamped to the end).
fn advance(bytes: &[u8], mut byte: usize, mut chars: usize) -> usize {
    let is_continuation = |b: usize| bytes.get(b).is_some_and(|&c| c & 0xC0 == 0x80);
    while chars > 0 && byte < bytes.len() {
        byte += 1;
        while is_continuation(byte) {
            byte += 1;
        }
        chars -= 1;
    }
    byte.min(bytes.len())
}

struct Built {
    node: Node,
    /// Nodes in the subtree.
    count: usize,
    /// Bytes the subtree occupies (see [`alias_byte_budget`]).
    bytes: usize,
    /// 0 for a scalar, 1 + deepest child for a collection.
    height: usize,
}

enum KeySlot {
    Key(Spanned<String>),
    /// A key that could not be used; its value is dropped.
    Invalid,
}

enum Kind {
    Seq(Vec<Node>),
    Map(Vec<Entry>, Option<KeySlot>),
}

struct Frame {
    start: usize,
    flow: bool,
    anchor: usize,
    count: usize,
    bytes: usize,
    height: usize,
    /// End of the last child, for block collections.
    last_end: usize,
    kind: Kind,
}

struct Builder<'a> {
    /// The whole source, BOM included: all spans are offsets into it.
    source: &'a str,
    /// The text given to saphyr.
    text: &'a str,
    offset: usize,
    chars: CharIndex,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Built>,
    /// Nodes copied by anchors and aliases so far.
    expanded: usize,
    /// Bytes copied by anchors and aliases so far.
    expanded_bytes: usize,
    /// Most bytes anchors and aliases may copy in this file.
    byte_budget: usize,
    root: Option<Built>,
    doc_start: usize,
    docs: Vec<Node>,
    errors: Vec<SyntaxError>,
    lines: Lines<'a>,
}

/// Parsing cannot continue.
struct Fatal;

impl<'a> Builder<'a> {
    fn new(source: &'a str, text: &'a str, offset: usize) -> Self {
        Self {
            source,
            text,
            offset,
            chars: CharIndex::new(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            expanded_bytes: 0,
            byte_budget: alias_byte_budget(source.len()),
            root: None,
            doc_start: offset,
            docs: Vec::new(),
            errors: Vec::new(),
            lines: Lines::new(source),
        }
    }

    fn run(mut self) -> Parsed {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(ok) => ok,
                Err(error) => {
                    self.scan_error(&error);
                    break;
                }
            };
            let start = self.byte(span.start.index());
            let end = self.byte(span.end.index()).max(start);
            if self.event(event, start, end).is_err() {
                break;
            }
        }
        let mut errors = self.errors;
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        Parsed {
            docs: self.docs,
            errors,
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        self.offset + self.chars.byte(self.text, char_index)
    }

    /// Skip node properties (`&anchor`, `!tag`) at the start of an event span.
    fn strip_properties(&self, mut start: usize, end: usize) -> usize {
        let bytes = self.source.as_bytes();
        while start < end && matches!(bytes.get(start), Some(b'&' | b'!')) {
            while start < end && !matches!(bytes.get(start), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                start += 1;
            }
            while start < end && matches!(bytes.get(start), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                start += 1;
            }
        }
        start
    }

    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<(), Fatal> {
        match event {
            Event::Nothing | Event::StreamStart => Ok(()),
            Event::StreamEnd => Err(Fatal),
            Event::DocumentStart(_) => {
                self.stack.clear();
                self.root = None;
                self.anchors.clear();
                self.doc_start = start;
                Ok(())
            }
            Event::DocumentEnd => {
                let node = match self.root.take() {
                    Some(built) => built.node,
                    None => Node::new(Span::point(self.doc_start), Value::Null),
                };
                self.docs.push(node);
                self.stack.clear();
                Ok(())
            }
            Event::Alias(id) => self.alias(id, start, end),
            Event::Scalar(value, style, anchor, tag) => {
                let start = self.strip_properties(start, end);
                let value = scalar_value(value, style, tag.as_deref());
                let bytes = node_bytes(&value);
                self.complete(
                    Built {
                        node: Node::new(Span::new(start, end), value),
                        count: 1,
                        bytes,
                        height: 0,
                    },
                    anchor,
                )
            }
            Event::SequenceStart(anchor, _) => self.open(start, end, anchor, true),
            Event::MappingStart(anchor, _) => self.open(start, end, anchor, false),
            Event::SequenceEnd | Event::MappingEnd => self.close(end),
        }
    }

    fn open(&mut self, start: usize, end: usize, anchor: usize, seq: bool) -> Result<(), Fatal> {
        let start = self.strip_properties(start, end);
        if self.stack.len() >= MAX_DEPTH {
            self.errors
                .push(too_deep(Span::new(start, end.max(start + 1))));
            return Err(Fatal);
        }
        let open = if seq { "[" } else { "{" };
        let flow = self.source.get(start..end) == Some(open);
        let kind = if seq {
            Kind::Seq(Vec::new())
        } else {
            Kind::Map(Vec::new(), None)
        };
        self.stack.push(Frame {
            start,
            flow,
            anchor,
            count: 1,
            bytes: std::mem::size_of::<Node>(),
            height: 1,
            last_end: start,
            kind,
        });
        Ok(())
    }

    fn close(&mut self, end: usize) -> Result<(), Fatal> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let end = if frame.flow { end } else { frame.last_end };
        let span = Span::new(frame.start, end.max(frame.start));
        let value = match frame.kind {
            Kind::Seq(items) => Value::Seq(items),
            Kind::Map(mut entries, _) => {
                dedup_entries(&mut entries, &mut self.errors, &mut self.lines);
                Value::Map(entries)
            }
        };
        self.complete(
            Built {
                node: Node::new(span, value),
                count: frame.count,
                bytes: frame.bytes,
                height: frame.height,
            },
            frame.anchor,
        )
    }

    /// Count a copy of `count` nodes and `bytes` bytes (made at `span`) against the limits,
    /// before it is made.
    fn charge(&mut self, count: usize, bytes: usize, span: Span) -> Result<(), Fatal> {
        self.expanded = self.expanded.saturating_add(count);
        self.expanded_bytes = self.expanded_bytes.saturating_add(bytes);
        if self.expanded > MAX_ALIAS_EXPANSION {
            self.errors.push(
                SyntaxError::new(
                    span,
                    format!("aliases expand to more than {MAX_ALIAS_EXPANSION} nodes"),
                )
                .with_help(
                    "this looks like an alias bomb; write the values out or use fewer aliases",
                ),
            );
            return Err(Fatal);
        }
        if self.expanded_bytes > self.byte_budget {
            self.errors
                .push(alias_bytes_exceeded(span, self.byte_budget));
            return Err(Fatal);
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), Fatal> {
        let span = Span::new(start, end);
        let Some(anchored) = self.anchors.get(&id) else {
            let name = self.source.get(start..end).unwrap_or("*");
            self.errors.push(
                SyntaxError::new(
                    span,
                    format!("alias `{name}` refers to a node that contains it"),
                )
                .with_help("an alias can only repeat a node that is complete"),
            );
            return Err(Fatal);
        };
        let (count, bytes, height) = (anchored.count, anchored.bytes, anchored.height);
        if self.stack.len() + height > MAX_DEPTH {
            self.errors.push(too_deep(span));
            return Err(Fatal);
        }
        self.charge(count, bytes, span)?;
        // The copy's root is located at the alias; its children at the anchored node.
        let value = self
            .anchors
            .get(&id)
            .map_or(Value::Null, |anchored| anchored.node.value.clone());
        let node = Node::new(span, value);
        self.complete(
            Built {
                node,
                count,
                bytes,
                height,
            },
            0,
        )
    }

    fn complete(&mut self, built: Built, anchor: usize) -> Result<(), Fatal> {
        if anchor > 0 {
            self.charge(built.count, built.bytes, built.node.span)?;
            let copy = Built {
                node: built.node.clone(),
                count: built.count,
                bytes: built.bytes,
                height: built.height,
            };
            self.anchors.insert(anchor, copy);
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(built);
            return Ok(());
        };
        parent.count = parent.count.saturating_add(built.count);
        parent.bytes = parent.bytes.saturating_add(built.bytes);
        parent.height = parent.height.max(built.height + 1);
        parent.last_end = parent.last_end.max(built.node.span.end as usize);
        match &mut parent.kind {
            Kind::Seq(items) => items.push(built.node),
            Kind::Map(entries, slot) => match slot.take() {
                Some(KeySlot::Key(key)) => entries.push(Entry {
                    key,
                    value: built.node,
                }),
                Some(KeySlot::Invalid) => {}
                None => {
                    let type_name = built.node.type_name();
                    let span = built.node.span;
                    let key = match built.node.value {
                        Value::String(s) => Some(s),
                        _ => scalar_text(&built.node, self.source).map(Cow::into_owned),
                    };
                    *slot = Some(match key {
                        Some(key) => KeySlot::Key(Spanned::new(span, key)),
                        None => {
                            self.errors.push(
                                SyntaxError::new(
                                    span,
                                    format!("{type_name} cannot be used as a map key"),
                                )
                                .with_help("keys must be plain values such as strings"),
                            );
                            KeySlot::Invalid
                        }
                    });
                }
            },
        }
        Ok(())
    }

    fn scan_error(&mut self, error: &ScanError) {
        let mut at = self.byte(error.marker().index());
        let mut info = error.info();
        if info.contains("tab") {
            // saphyr reports tabs after them; point at the first tab of the line instead.
            let line_start = self
                .source
                .get(..at)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |i| i + 1);
            if let Some(tab) = self
                .source
                .get(line_start..=at)
                .and_then(|line| line.find('\t'))
            {
                at = line_start + tab;
            } else if let Some(tab) = indentation_tab_after(self.source, at) {
                // "while scanning a plain scalar, found a tab": saphyr reports the start of
                // the scalar, but the tab is in the indentation of a later line.
                at = tab;
                info = "tab in indentation";
            }
        }
        let found = self.source.get(at..).and_then(|s| s.chars().next());
        let len = found.map_or(0, char::len_utf8);
        let (mut message, help) = friendly(info);
        if info.starts_with("unexpected character") {
            if let Some(c) = found {
                message = format!("YAML syntax error: unexpected character `{c}`");
            }
        }
        let mut syntax = SyntaxError::new(Span::new(at, at + len), message);
        syntax.help = help.map(str::to_owned);
        self.errors.push(syntax);
    }
}

/// The offset of the first tab in the indentation of a non-blank line after the line
/// holding `from`.
fn indentation_tab_after(source: &str, from: usize) -> Option<usize> {
    let mut offset = from + source.get(from..)?.find('\n')? + 1;
    for line in source.get(offset..)?.split_inclusive('\n') {
        let content = line.trim_start_matches([' ', '\t']);
        let indentation = line.get(..line.len() - content.len()).unwrap_or("");
        if !content.trim_end_matches(['\n', '\r']).is_empty() {
            if let Some(tab) = indentation.find('\t') {
                return Some(offset + tab);
            }
        }
        offset += line.len();
    }
    None
}

/// The error for a copy (at `span`) that takes the bytes copied by aliases past `budget`.
fn alias_bytes_exceeded(span: Span, budget: usize) -> SyntaxError {
    const MIB: usize = 1 << 20;
    SyntaxError::new(
        span,
        format!("aliases expand to more than {budget} bytes, the limit for this file"),
    )
    .with_help(format!(
        "each alias copies the node it names, and a file's aliases may copy at most \
         {} MiB plus {ALIAS_BYTES_PER_SOURCE_BYTE} times the file's size; this looks like an \
         alias bomb: write the values out, or use fewer aliases of large nodes",
        ALIAS_BYTES_BASE / MIB
    ))
}

fn too_deep(span: Span) -> SyntaxError {
    SyntaxError::new(span, format!("nesting deeper than {MAX_DEPTH} levels"))
        .with_help("flatten the document; such deep nesting is not supported")
}

fn scalar_value(value: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let core = tag.filter(|t| t.is_yaml_core_schema());
    let resolve = match (core.map(|t| t.suffix.as_str()), style) {
        (Some("str"), _) => false,
        (Some("int" | "float" | "bool" | "null"), _) | (_, ScalarStyle::Plain) => true,
        _ => false,
    };
    match resolve.then(|| resolve_non_string(&value)).flatten() {
        Some(resolved) => resolved,
        None => Value::String(value.into_owned()),
    }
}

/// A message and help for saphyr's scan errors.
fn friendly(info: &str) -> (String, Option<&'static str>) {
    const TABLE: &[(&str, &str, Option<&str>)] = &[
        (
            "plain scalar, found a tab",
            "tab character in a value",
            Some("replace the tab with spaces, or quote the value"),
        ),
        (
            "tab",
            "tab character in indentation",
            Some("YAML indentation must use spaces, not tabs"),
        ),
        (
            "mapping values are not allowed in this context",
            "unexpected `:` (a mapping value is not allowed here)",
            Some(
                "check the indentation of this line, or quote the text if it contains `: `",
            ),
        ),
        (
            "did not find expected key",
            "this line does not continue the map above",
            Some("check the indentation: the keys of one map must start in the same column"),
        ),
        (
            "did not find expected '-' indicator",
            "this line does not continue the list above",
            Some("check the indentation: the items of one list must all start with `- ` in the same column"),
        ),
        (
            "quoted scalar, found unexpected end of stream",
            "unclosed quoted string",
            Some("add the closing quote"),
        ),
        (
            "quoted scalar, found unexpected document indicator",
            "unclosed quoted string",
            Some("add the closing quote"),
        ),
        (
            "found unknown anchor",
            "unknown anchor",
            Some("define the anchor with `&name` before using it as `*name`"),
        ),
        (
            "flow mapping, did not find expected ',' or '}'",
            "expected `,` or `}` in a `{ ... }` map",
            Some("separate the entries with `,` and close the map with `}`"),
        ),
        (
            "flow sequence, expected ',' or ']'",
            "expected `,` or `]` in a `[ ... ]` list",
            Some("separate the items with `,` and close the list with `]`"),
        ),
        (
            "recursion limit exceeded",
            "nesting too deep",
            Some("flatten the document; such deep nesting is not supported"),
        ),
        (
            "unknown escape character",
            "invalid escape in a double-quoted string",
            Some("write a backslash as `\\\\`, or use single quotes"),
        ),
        (
            "invalid indentation",
            "invalid indentation",
            Some("indent nested content with spaces, more than its parent"),
        ),
        (
            "unexpected character",
            "unexpected character",
            Some("`@` and `` ` `` cannot start a plain value; quote the value"),
        ),
        (
            "misplaced bracket",
            "unbalanced bracket",
            Some("remove the extra bracket, or open it where the list or map starts"),
        ),
        (
            "did not find expected node content",
            "expected a value",
            None,
        ),
        (
            "comment intercepting the multiline text",
            "a comment interrupts a multi-line value",
            Some("quote the value, or move the comment"),
        ),
    ];
    for (needle, message, help) in TABLE {
        if info.contains(needle) {
            let message = if *message == "invalid indentation" {
                info.to_owned()
            } else {
                (*message).to_owned()
            };
            return (format!("YAML syntax error: {message}"), *help);
        }
    }
    (format!("YAML syntax error: {info}"), None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use flowgate_diagnostics::{LineCol, LineIndex};

    fn ok(src: &str) -> Node {
        let parsed = parse_yaml(src);
        assert!(parsed.errors.is_empty(), "{src}: {:?}", parsed.errors);
        assert_eq!(parsed.docs.len(), 1, "{src}");
        parsed.docs.into_iter().next().unwrap()
    }

    fn text(src: &str, span: Span) -> &str {
        &src[span.start as usize..span.end as usize]
    }

    #[test]
    fn char_index_to_byte_offset() {
        let text: String = "aé😀b".repeat(100);
        let expected: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        let mut index = CharIndex::new(&text);
        // Forwards, backwards and with jumps.
        for ci in (0..expected.len())
            .chain((0..expected.len()).rev())
            .chain((0..expected.len()).step_by(97))
        {
            assert_eq!(index.byte(&text, ci), expected[ci], "{ci}");
        }
        assert_eq!(index.byte(&text, expected.len()), text.len());
        assert_eq!(index.byte(&text, expected.len() + 500), text.len());
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        let root = ok("a: '1'\nb: \"true\"\nc: |\n  12\nd: !!str 5\ne: !!int 7\n");
        assert_eq!(root.get("a").unwrap().as_str(), Some("1"));
        assert_eq!(root.get("b").unwrap().as_str(), Some("true"));
        assert_eq!(root.get("c").unwrap().as_str(), Some("12\n"));
        assert_eq!(root.get("d").unwrap().as_str(), Some("5"));
        assert_eq!(root.get("e").unwrap().as_i64(), Some(7));
    }

    #[test]
    fn spans_are_byte_offsets() {
        let src = "ünï: 1\nliste:\n  - \"é\"\n  - {a: [1, 2], b: &x ok}\nzip: 01234\nk: *x\n";
        let root = ok(src);
        assert_eq!(text(src, root.span), src.trim_end());
        let entries = root.as_map().unwrap();
        assert_eq!(text(src, entries[0].key.span), "ünï");
        assert_eq!(entries[0].key.value, "ünï");
        assert_eq!(text(src, entries[0].value.span), "1");
        let list = root.get("liste").unwrap();
        assert_eq!(text(src, list.span), "- \"é\"\n  - {a: [1, 2], b: &x ok}");
        let items = list.as_seq().unwrap();
        assert_eq!(text(src, items[0].span), "\"é\"");
        assert_eq!(text(src, items[1].span), "{a: [1, 2], b: &x ok}");
        assert_eq!(text(src, items[1].get("a").unwrap().span), "[1, 2]");
        assert_eq!(text(src, items[1].get("b").unwrap().span), "ok");
        let zip = root.get("zip").unwrap();
        assert_eq!(zip.value, Value::Int(1234));
        assert_eq!(zip.source_text(src), Some("01234"));
        assert_eq!(root.get("k").unwrap().as_str(), Some("ok"));
        let index = LineIndex::new(src);
        let b = items[1].get("b").unwrap();
        assert_eq!(
            index.line_col(src, b.span.start),
            LineCol {
                line: 4,
                column: 23
            }
        );
    }

    #[test]
    fn bom_is_skipped() {
        let src = "\u{feff}a: b\n";
        let root = ok(src);
        assert_eq!(root.span.start, 3);
        assert_eq!(text(src, root.get("a").unwrap().span), "b");
    }

    #[test]
    fn multiple_documents() {
        let parsed = parse_yaml("---\na: 1\n---\n- x\n---\n");
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.docs.len(), 3);
        assert_eq!(parsed.docs[1].as_seq().unwrap().len(), 1);
        assert!(parsed.docs[2].is_null());
        assert!(parse_yaml("").docs.is_empty());
        assert!(parse_yaml("# only a comment\n").docs.is_empty());
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let src = "base: &b {x: 1, y: [a, b]}\nother: *b\nlist: [*b, *b]\n";
        let root = ok(src);
        assert_eq!(
            root.get("other").unwrap().value,
            root.get("base").unwrap().value
        );
        assert_eq!(root.get("list").unwrap().as_seq().unwrap().len(), 2);
        let merge = ok("a: &a {x: 1}\nb:\n  <<: *a\n");
        assert!(merge.get("b").unwrap().get("<<").is_some());
    }

    #[test]
    fn unknown_and_recursive_aliases_are_errors() {
        let parsed = parse_yaml("a: 1\nb: *nope\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(
            parsed.errors[0].message,
            "YAML syntax error: unknown anchor"
        );
        let parsed = parse_yaml("a: &a [1, *a]\n");
        assert_eq!(parsed.errors.len(), 1);
        assert!(
            parsed.errors[0].message.contains("`*a`"),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn billion_laughs_is_stopped() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            let items = [prev.as_str(); 10].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{items}]\n"));
        }
        let parsed = parse_yaml(&src);
        assert!(parsed.docs.is_empty());
        assert_eq!(parsed.errors.len(), 1);
        assert!(
            parsed.errors[0].message.contains("aliases expand"),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_second() {
        let src = "name: a\nother: 1\nname: b\n";
        let parsed = parse_yaml(src);
        assert_eq!(parsed.errors.len(), 1);
        let e = &parsed.errors[0];
        assert_eq!(e.message, "duplicate key `name`");
        assert_eq!(e.span, Span::new(17, 21));
        assert_eq!(
            e.help.as_deref(),
            Some("`name` is already defined on line 1; remove one of the two")
        );
        assert_eq!(parsed.docs[0].get("name").unwrap().as_str(), Some("a"));
        assert_eq!(parsed.docs[0].as_map().unwrap().len(), 2);
    }

    #[test]
    fn keys_of_other_types_become_their_text() {
        let root = ok("1.10: a\ntrue: b\n~: c\n");
        let keys: Vec<_> = root
            .as_map()
            .unwrap()
            .iter()
            .map(|e| e.key.value.clone())
            .collect();
        assert_eq!(keys, ["1.10", "true", "~"]);
        let parsed = parse_yaml("? [a]\n: 1\nb: 2\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(
            parsed.errors[0].message,
            "a list cannot be used as a map key"
        );
        assert_eq!(parsed.docs[0].as_map().unwrap().len(), 1);
    }

    #[test]
    fn scan_errors_are_located_and_keep_earlier_documents() {
        let src = "a: 1\n---\nb: \"open\n";
        let parsed = parse_yaml(src);
        assert_eq!(parsed.docs.len(), 1);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(
            parsed.errors[0].message,
            "YAML syntax error: unclosed quoted string"
        );

        let src = "é: 1\n bad: 2\n";
        let parsed = parse_yaml(src);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        let e = &parsed.errors[0];
        assert_eq!(text(src, e.span), ":");
        assert!(e.help.is_some());

        let parsed = parse_yaml("a:\n\tb: 1\n");
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(parsed.errors[0].span, Span::new(3, 4));
        assert_eq!(
            parsed.errors[0].message,
            "YAML syntax error: tab character in indentation"
        );

        // The tab is in the indentation of the line after a plain scalar.
        let parsed = parse_yaml("kind: Tag\n\tid: t4\n");
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(parsed.errors[0].span, Span::new(10, 11));
        assert_eq!(
            parsed.errors[0].message,
            "YAML syntax error: tab character in indentation"
        );
        let parsed = parse_yaml("a:\n  b: c\td\n\te: f\n");
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(parsed.errors[0].span, Span::new(12, 13));

        let parsed = parse_yaml("a: @x\n");
        assert_eq!(
            parsed.errors[0].message,
            "YAML syntax error: unexpected character `@`"
        );
        assert_eq!(parsed.errors[0].span, Span::new(3, 4));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for src in [
            "[".repeat(100_000),
            "- ".repeat(100_000),
            "{a: ".repeat(10_000),
        ] {
            let parsed = parse_yaml(&src);
            assert!(parsed.docs.is_empty());
            assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        }
        let mut src = String::new();
        for depth in 0..200 {
            src.push_str(&" ".repeat(depth));
            src.push_str("k:\n");
        }
        let parsed = parse_yaml(&src);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].message, "nesting deeper than 128 levels");
        let ok_src = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse_yaml(&ok_src).is_ok());
    }

    #[test]
    fn aliases_cannot_exceed_the_depth_limit() {
        let inner = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let src = format!("a: &a {inner}\nb: {}*a{}\n", "[".repeat(50), "]".repeat(50));
        let parsed = parse_yaml(&src);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(parsed.errors[0].message, "nesting deeper than 128 levels");
    }
}
