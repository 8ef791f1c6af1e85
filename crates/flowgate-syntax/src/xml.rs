//! An XML reader (on top of quick-xml) that builds a small element tree with byte spans.
//!
//! The tree describes the source text; it is not meant to be written back (callers keep the
//! original text for that). Every element knows the bytes of its whole extent and of its name,
//! so checks can report the file, line and column of the element they complain about.
//!
//! Like the YAML and JSON parsers, [`parse_xml`] is hostile-input safe: it never panics,
//! builds the tree with an explicit stack (no recursion), limits nesting to
//! [`MAX_XML_DEPTH`] levels, never reads external entities, caps the expansion of internal
//! ones, and reports problems as located [`SyntaxError`]s while returning whatever tree it
//! could build.

use std::collections::HashMap;
use std::rc::Rc;

use flowgate_diagnostics::Span;
use quick_xml::errors::{Error as QxError, IllFormedError, SyntaxError as QxSyntaxError};
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::node::{Lines, SyntaxError};
use crate::Spanned;

/// Deepest nesting of elements [`parse_xml`] accepts (the root element is level 1).
pub const MAX_XML_DEPTH: usize = 256;

/// Most bytes that references to entities declared in a DOCTYPE may add to one document.
///
/// Every expansion is charged the whole value of its entity before the value is read, so
/// this also bounds the work spent on expansions; once it is spent, further references to
/// such entities are left unexpanded at once.
pub const MAX_ENTITY_EXPANSION: usize = 1 << 20;

/// Deepest chain of entities referring to entities.
const MAX_ENTITY_NESTING: usize = 8;

/// How many end tags the "unclosed element" help lists.
const MAX_LISTED_END_TAGS: usize = 6;

const BOM: &str = "\u{feff}";

const TRUNCATED_HELP: &str =
    "the file ends in the middle of this markup; it may have been cut short";

/// An XML element with the byte span of its whole extent (start tag to end tag) and of its
/// name in the start tag.
///
/// Spans are byte offsets into the text given to [`parse_xml`] (a byte order mark included).
#[derive(Debug, Clone, PartialEq)]
pub struct XmlElement {
    /// Local name, without a namespace prefix (`Flow`, `actionCalls`); the span covers that
    /// local name in the start tag.
    pub name: Spanned<String>,
    /// Attributes in source order. Names are written as in the source, prefix included
    /// (`xmlns:xsi`, `xsi:nil`); values are unescaped and whitespace-normalized as XML
    /// requires (tabs and line breaks become spaces). A name's span covers the name; a value's
    /// span covers the text between the quotes.
    pub attributes: Vec<(Spanned<String>, Spanned<String>)>,
    /// Child elements in source order.
    pub children: Vec<XmlElement>,
    /// The character data and CDATA sections directly inside this element (not inside its
    /// children), concatenated, with references resolved and line breaks normalized to `\n`;
    /// whitespace written literally at both ends is trimmed (whitespace written as a
    /// character reference or inside CDATA is kept). `None` when there is nothing else. The
    /// span runs from the first to the last character kept.
    pub text: Option<Spanned<String>>,
    /// From the `<` of the start tag to the `>` of the end tag (or of `/>`).
    pub span: Span,
}

impl XmlElement {
    /// The first child element named `name` (local name).
    pub fn child(&self, name: &str) -> Option<&XmlElement> {
        self.children.iter().find(|child| child.name.value == name)
    }

    /// The child elements named `name` (local name), in source order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlElement> {
        self.children
            .iter()
            .filter(move |child| child.name.value == name)
    }

    /// The text of the first child element named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(XmlElement::text_str)
    }

    /// The text of this element.
    pub fn text_str(&self) -> Option<&str> {
        self.text.as_ref().map(|text| text.value.as_str())
    }

    /// The value of the attribute written as `name` (prefix included, as in the source).
    pub fn attribute(&self, name: &str) -> Option<&Spanned<String>> {
        self.attributes
            .iter()
            .find(|(key, _)| key.value == name)
            .map(|(_, value)| value)
    }

    /// Every element below this one, depth-first in source order, this one excluded.
    ///
    /// Iterative: any depth is fine.
    pub fn descendants(&self) -> impl Iterator<Item = &XmlElement> {
        let mut stack = vec![self.children.iter()];
        std::iter::from_fn(move || loop {
            let level = stack.last_mut()?;
            match level.next() {
                Some(element) => {
                    if !element.children.is_empty() {
                        stack.push(element.children.iter());
                    }
                    return Some(element);
                }
                None => {
                    stack.pop();
                }
            }
        })
    }
}

/// The result of [`parse_xml`]: the root element, if one could be built, and every syntax
/// error in source order.
///
/// A root may be present together with errors (an unclosed element is closed at the end of
/// the file, an unknown entity is kept as written, ...); callers decide whether to use it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct XmlDocument {
    /// The root element.
    pub root: Option<XmlElement>,
    /// Syntax errors in source order.
    pub errors: Vec<SyntaxError>,
}

impl XmlDocument {
    /// Whether there is no syntax error.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Parse one XML document.
///
/// Never panics. The XML declaration, comments, processing instructions and the DOCTYPE are
/// skipped; the five predefined entities, character references and internal entities
/// declared in the DOCTYPE are expanded, external entities never are. A UTF-8 byte order mark
/// is skipped. Problems (unclosed or mismatched tags, invalid characters, text outside the
/// root element, nesting deeper than [`MAX_XML_DEPTH`], ...) are reported as
/// [`SyntaxError`]s, and the tree built so far is returned.
pub fn parse_xml(source: &str) -> XmlDocument {
    let mut parser = XmlParser::new(source);
    parser.run();
    parser.finish()
}

/// An element whose end tag has not been read yet.
struct Frame {
    name: Spanned<String>,
    /// The qualified name as written in the start tag, to match end tags.
    qname: Span,
    attributes: Vec<(Spanned<String>, Spanned<String>)>,
    start: usize,
    /// Where this element's children begin in [`XmlParser::children`].
    children_start: usize,
    /// Where this element's text begins in [`XmlParser::text`].
    text_start: usize,
    /// (index in the text buffer, source offset) of the first character kept.
    text_first: Option<(usize, usize)>,
    /// (index in the text buffer, source offset) just past the last character kept.
    text_last: (usize, usize),
    /// An error about this element was reported already: close it without another one.
    quiet: bool,
}

/// An entity declared in the DOCTYPE.
enum Entity {
    /// `<!ENTITY name "value">`: the value as written.
    Internal(Rc<str>),
    /// `<!ENTITY name SYSTEM "uri">`: never read.
    External,
    /// A value with markup, which is not expanded.
    Markup,
}

/// Where a reference is resolved: attribute values normalize whitespace, text does not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Text,
    Attribute,
}

struct XmlParser<'a> {
    source: &'a str,
    /// Length of the byte order mark(s) skipped; the reader sees `source[base..]`.
    base: usize,
    errors: Vec<SyntaxError>,
    lines: Lines<'a>,
    stack: Vec<Frame>,
    /// Finished children of the open elements, innermost last; each element takes its own
    /// off the top into an exactly sized `Vec` when it closes.
    children: Vec<XmlElement>,
    /// Text of the open elements, innermost last, shared the same way.
    text: String,
    root: Option<XmlElement>,
    /// A root element was started (even if it is still open).
    root_started: bool,
    /// Inside an element that is skipped (too deep, or a second root): its nesting level.
    skip_depth: usize,
    doctype_seen: bool,
    entities: HashMap<String, Entity>,
    expansion_left: usize,
    expansion_reported: bool,
    text_before_reported: bool,
    text_after_reported: bool,
    /// The reader stopped at an error it cannot go past.
    fatal: bool,
}

impl<'a> XmlParser<'a> {
    fn new(source: &'a str) -> Self {
        Self {
            source,
            base: 0,
            errors: Vec::new(),
            lines: Lines::new(source),
            stack: Vec::new(),
            children: Vec::new(),
            text: String::new(),
            root: None,
            root_started: false,
            skip_depth: 0,
            doctype_seen: false,
            entities: HashMap::new(),
            expansion_left: MAX_ENTITY_EXPANSION,
            expansion_reported: false,
            text_before_reported: false,
            text_after_reported: false,
            fatal: false,
        }
    }

    fn error_help(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.errors
            .push(SyntaxError::new(span, message).with_help(help));
    }

    /// Report a problem with a reference resolved at `nesting` levels of entities. Inside an
    /// expansion every problem is located at the reference written in the document, and only
    /// the first is reported there: an entity used many times reports its faults once per use,
    /// not once per copy.
    fn reference_error(
        &mut self,
        nesting: usize,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let reported_here = self
            .errors
            .last()
            .is_some_and(|last| last.span.start == span.start);
        if nesting > 0 && reported_here {
            return;
        }
        self.error_help(span, message, help);
    }

    fn line_of(&mut self, offset: usize) -> u32 {
        self.lines
            .line_of(u32::try_from(offset).unwrap_or(u32::MAX))
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.source.get(start..end).unwrap_or("")
    }

    fn span_text(&self, span: Span) -> &'a str {
        self.slice(span.start as usize, span.end as usize)
    }

    /// Offset of `inner` in the source, when it is a slice of it.
    fn offset_of(&self, inner: &[u8]) -> Option<usize> {
        let outer = self.source.as_bytes();
        let offset = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
        (offset.checked_add(inner.len())? <= outer.len()).then_some(offset)
    }

    /// A reader position as an offset in the source.
    fn position(&self, position: u64) -> usize {
        usize::try_from(position)
            .unwrap_or(usize::MAX)
            .saturating_add(self.base)
            .min(self.source.len())
    }

    /// Span of the character at `offset` (empty at the end of the input).
    fn char_span(&self, offset: usize) -> Span {
        match self
            .source
            .get(offset..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => Span::new(offset, offset + c.len_utf8()),
            None => Span::point(offset.min(self.source.len())),
        }
    }

    /// From `offset` to the end of its line (at least one character when there is one).
    fn rest_of_line(&self, offset: usize) -> Span {
        let rest = self.source.get(offset..).unwrap_or("");
        let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
        if len == 0 {
            self.char_span(offset)
        } else {
            Span::new(offset, offset + len)
        }
    }

    fn run(&mut self) {
        while self
            .source
            .get(self.base..)
            .is_some_and(|rest| rest.starts_with(BOM))
        {
            self.base += BOM.len();
        }
        if self.base > BOM.len() {
            self.error_help(
                Span::new(BOM.len(), self.base),
                "more than one byte order mark at the start of the file",
                "remove the extra U+FEFF characters",
            );
        }
        self.check_characters();
        let input = self.source.get(self.base..).unwrap_or("");
        let mut reader = Reader::from_str(input);
        let config = reader.config_mut();
        config.trim_text(false);
        config.expand_empty_elements = false;
        // End tags are matched here, to recover from mismatches and report them precisely.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        // A lone `&` comes as text and is reported here, with its exact place.
        config.allow_dangling_amp = true;
        config.check_comments = true;
        config.trim_markup_names_in_closing_tags = true;

        let mut stalled = 0;
        loop {
            let before = self.position(reader.buffer_position());
            let event = reader.read_event();
            let after = self.position(reader.buffer_position());
            match event {
                Ok(Event::Eof) => break,
                Ok(event) => self.event(event, before, after),
                Err(error) => {
                    let at = self.position(reader.error_position());
                    self.reader_error(&error, before, after, at);
                    if self.fatal {
                        break;
                    }
                }
            }
            // Every event consumes input; never loop on one that does not.
            if after <= before {
                stalled += 1;
                if stalled > 2 {
                    break;
                }
            } else {
                stalled = 0;
            }
        }
        self.end_of_input();
    }

    fn finish(self) -> XmlDocument {
        let mut errors = self.errors;
        errors.sort_by_key(|e| (e.span.start, e.span.end));
        XmlDocument {
            root: self.root,
            errors,
        }
    }

    /// Report the first character XML does not allow (C0 controls other than tab and line
    /// breaks, U+FFFE, U+FFFF).
    fn check_characters(&mut self) {
        let bytes = self.source.as_bytes();
        let suspicious = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xEF;
        // Fast path: no byte that could start a disallowed character (branch-free chunks).
        let start = bytes
            .get(self.base..)
            .unwrap_or(&[])
            .chunks(64)
            .position(|chunk| chunk.iter().fold(false, |found, &b| found | suspicious(b)));
        let Some(chunk) = start else {
            return;
        };
        let mut first = None;
        let mut count = 0usize;
        let mut i = self.base + chunk * 64;
        while i < bytes.len() {
            let b = bytes[i];
            let bad_len = if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
                1
            } else if b == 0xEF
                && bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
            {
                3
            } else {
                0
            };
            if bad_len > 0 {
                count += 1;
                first.get_or_insert((i, bad_len));
                i += bad_len;
            } else {
                i += 1;
            }
        }
        if let Some((offset, len)) = first {
            let c = self
                .source
                .get(offset..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or('\0');
            let more = match count {
                1 => String::new(),
                n => format!(" ({} more in this file)", n - 1),
            };
            self.error_help(
                Span::new(offset, offset + len),
                format!(
                    "character U+{:04X} is not allowed in XML{more}",
                    u32::from(c)
                ),
                "XML text cannot contain control characters other than tab and line breaks; \
                 remove it (the file may be binary or damaged)",
            );
        }
    }

    fn event(&mut self, event: Event<'_>, before: usize, after: usize) {
        match event {
            Event::Start(start) => self.start_tag(&start, before, after, false),
            Event::Empty(start) => self.start_tag(&start, before, after, true),
            Event::End(end) => {
                let name = end.name();
                let qname = match self.offset_of(name.as_ref()) {
                    Some(offset) => Span::new(offset, offset + name.as_ref().len()),
                    None => Span::point(before),
                };
                self.end_tag(qname, before, after);
            }
            Event::Text(text) => {
                let raw = match self.offset_of(&text) {
                    Some(offset) => self.slice(offset, offset + text.len()),
                    None => self.slice(before, after),
                };
                self.text_event(raw, before);
            }
            Event::CData(cdata) => {
                let content = match self.offset_of(&cdata) {
                    Some(offset) => self.slice(offset, offset + cdata.len()),
                    None => "",
                };
                self.cdata(content, before, after);
            }
            Event::GeneralRef(reference) => {
                let name = match self.offset_of(&reference) {
                    Some(offset) => self.slice(offset, offset + reference.len()),
                    None => "",
                };
                self.reference_event(name, before, after);
            }
            Event::DocType(doctype) => {
                let content = self
                    .offset_of(&doctype)
                    .map(|offset| self.slice(offset, offset + doctype.len()));
                self.doctype(content, before, after);
            }
            Event::Decl(_) => {
                if before != self.base {
                    let span = Span::new(before, (before + 5).min(after));
                    self.error_help(
                        span,
                        "the XML declaration must be at the very start of the file",
                        "move `<?xml ...?>` to the first line, with nothing before it",
                    );
                }
            }
            Event::Comment(_) | Event::PI(_) | Event::Eof => {}
        }
    }

    fn reader_error(&mut self, error: &QxError, before: usize, after: usize, at: usize) {
        match error {
            QxError::Syntax(kind) => {
                self.fatal = true;
                let (message, help) = match kind {
                    QxSyntaxError::InvalidBangMarkup => (
                        "invalid markup after `<!`",
                        "expected a comment `<!-- ... -->`, a CDATA section \
                         `<![CDATA[ ... ]]>` or `<!DOCTYPE ...>`",
                    ),
                    QxSyntaxError::UnclosedPI => (
                        "unclosed processing instruction: `?>` not found before the end of the file",
                        TRUNCATED_HELP,
                    ),
                    QxSyntaxError::UnclosedXmlDecl => (
                        "unclosed XML declaration: `?>` not found before the end of the file",
                        TRUNCATED_HELP,
                    ),
                    QxSyntaxError::UnclosedComment => (
                        "unclosed comment: `-->` not found before the end of the file",
                        "end the comment with `-->`; everything after `<!--` was read as part of it",
                    ),
                    QxSyntaxError::UnclosedDoctype => (
                        "unclosed DOCTYPE: `>` not found before the end of the file",
                        TRUNCATED_HELP,
                    ),
                    QxSyntaxError::UnclosedCData => (
                        "unclosed CDATA section: `]]>` not found before the end of the file",
                        "end the section with `]]>`; everything after `<![CDATA[` was read as part of it",
                    ),
                    QxSyntaxError::UnclosedTag => (
                        "unclosed tag: `>` not found before the end of the file",
                        TRUNCATED_HELP,
                    ),
                    QxSyntaxError::UnclosedSingleQuotedAttributeValue => (
                        "unclosed attribute value: the closing `'` is missing",
                        TRUNCATED_HELP,
                    ),
                    QxSyntaxError::UnclosedDoubleQuotedAttributeValue => (
                        "unclosed attribute value: the closing `\"` is missing",
                        TRUNCATED_HELP,
                    ),
                };
                let span = self.rest_of_line(at);
                self.error_help(span, message, help);
            }
            QxError::IllFormed(IllFormedError::DoubleHyphenInComment) => {
                let span = Span::new(at, (at + 2).min(self.source.len()));
                self.error_help(
                    span,
                    "`--` is not allowed inside a comment",
                    "XML comments cannot contain two hyphens in a row; remove one",
                );
            }
            QxError::IllFormed(IllFormedError::MissingDoctypeName) => {
                self.error_help(
                    Span::new(before, after),
                    "DOCTYPE without the name of the root element",
                    "write `<!DOCTYPE Flow>` or remove the DOCTYPE",
                );
            }
            other => {
                // Not produced with this configuration; report it as it comes.
                if after <= before {
                    self.fatal = true;
                }
                let span = self.char_span(at);
                self.errors
                    .push(SyntaxError::new(span, format!("malformed XML: {other}")));
            }
        }
    }

    fn start_tag(&mut self, tag: &BytesStart<'_>, before: usize, after: usize, empty: bool) {
        let content_offset = self.offset_of(tag).unwrap_or(before + 1);
        let qname_len = tag.name().as_ref().len();
        let qname = Span::new(content_offset, content_offset + qname_len);

        if self.skip_depth > 0 {
            if !empty {
                self.skip_depth += 1;
            }
            return;
        }
        if self.stack.is_empty() && self.root_started {
            let span = self.name_span_or_lt(qname, before);
            let root_end = self.root.as_ref().map(|root| root.span.end as usize);
            let help = match root_end {
                Some(end) => format!(
                    "an XML file has exactly one root element, and it ends on line {}; \
                     remove this element or move it inside the root",
                    self.line_of(end.saturating_sub(1))
                ),
                None => "an XML file has exactly one root element".to_owned(),
            };
            self.error_help(
                span,
                format!(
                    "a second root element `<{}>` after the end of the root element",
                    self.span_text(qname)
                ),
                help,
            );
            if !empty {
                self.skip_depth = 1;
            }
            return;
        }
        if self.stack.len() >= MAX_XML_DEPTH {
            let span = self.name_span_or_lt(qname, before);
            self.error_help(
                span,
                format!("elements nested deeper than {MAX_XML_DEPTH} levels"),
                "this element and everything inside it are skipped",
            );
            if !empty {
                self.skip_depth = 1;
            }
            return;
        }
        self.root_started = true;

        let quiet = !self.check_element_name(qname, before, after);
        let local_start = self
            .span_text(qname)
            .find(':')
            .map_or(qname.start as usize, |colon| {
                qname.start as usize + colon + 1
            });
        let name_span = Span::new(local_start, qname.end as usize);
        let name = Spanned::new(name_span, self.span_text(name_span).to_owned());
        // The attributes of a tag without a valid name are more likely text than attributes.
        let attributes = if quiet {
            Vec::new()
        } else {
            self.attributes(tag, content_offset, qname_len)
        };

        if empty {
            let element = XmlElement {
                name,
                attributes,
                children: Vec::new(),
                text: None,
                span: Span::new(before, after),
            };
            self.attach(element);
        } else {
            self.stack.push(Frame {
                name,
                qname,
                attributes,
                start: before,
                children_start: self.children.len(),
                text_start: self.text.len(),
                text_first: None,
                text_last: (self.text.len(), before),
                quiet,
            });
        }
    }

    /// The span of a name, or of the `<` when the name is empty.
    fn name_span_or_lt(&self, name: Span, lt: usize) -> Span {
        if name.is_empty() {
            self.char_span(lt)
        } else {
            name
        }
    }

    /// Report an invalid element name; whether it is valid.
    fn check_element_name(&mut self, qname: Span, before: usize, after: usize) -> bool {
        let text = self.span_text(qname);
        if text.is_empty() {
            let next = self.source.as_bytes().get(before + 1).copied();
            let help = if matches!(next, Some(b' ' | b'\t' | b'\n' | b'\r')) {
                "the element name must follow `<` directly; to write `<` in text, use `&lt;`"
            } else {
                "write an element name after `<`, such as `<name>`"
            };
            let span = Span::new(
                before,
                self.char_span(before + 1).end.min(after as u32) as usize,
            );
            self.error_help(span, "missing element name after `<`", help);
            return false;
        }
        if let Some(problem) = name_problem(text) {
            let help = if text.ends_with('/') {
                "a self-closing tag ends with `/>`, without spaces after the `/`".to_owned()
            } else {
                format!(
                    "element names start with a letter or `_` and contain only letters, \
                     digits, `-`, `_`, `.` and one `:` ({problem})"
                )
            };
            self.error_help(qname, format!("invalid element name `{text}`"), help);
            return false;
        }
        true
    }

    fn attributes(
        &mut self,
        tag: &BytesStart<'_>,
        content_offset: usize,
        qname_len: usize,
    ) -> Vec<(Spanned<String>, Spanned<String>)> {
        let raw = &tag[..];
        if raw
            .get(qname_len..)
            .is_none_or(|rest| rest.iter().all(|b| b.is_ascii_whitespace()))
        {
            return Vec::new();
        }
        let mut attributes = Vec::new();
        for attribute in tag.attributes() {
            match attribute {
                Ok(attribute) => {
                    let key = attribute.key.as_ref();
                    let key_span = match self.offset_of(key) {
                        Some(offset) => Span::new(offset, offset + key.len()),
                        None => continue,
                    };
                    let value_span = match &attribute.value {
                        std::borrow::Cow::Borrowed(value) => match self.offset_of(value) {
                            Some(offset) => Span::new(offset, offset + value.len()),
                            None => continue,
                        },
                        std::borrow::Cow::Owned(_) => continue,
                    };
                    let key_text = self.span_text(key_span);
                    if let Some(problem) = name_problem(key_text) {
                        self.error_help(
                            key_span,
                            format!("invalid attribute name `{key_text}`"),
                            format!(
                                "attribute names start with a letter or `_` and contain only \
                                 letters, digits, `-`, `_`, `.` and one `:` ({problem})"
                            ),
                        );
                    }
                    let raw_value = self.span_text(value_span);
                    let value = self.attribute_value(raw_value, value_span.start as usize);
                    attributes.push((
                        Spanned::new(key_span, key_text.to_owned()),
                        Spanned::new(value_span, value),
                    ));
                }
                Err(error) => self.attribute_error(&error, raw, content_offset),
            }
        }
        attributes
    }

    fn attribute_error(&mut self, error: &AttrError, raw: &[u8], content_offset: usize) {
        // The word of `raw` that ends at `end` (skipping whitespace before `end`).
        let word_before = |end: usize| {
            let end = end.min(raw.len());
            let end = raw[..end]
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map_or(0, |i| i + 1);
            let start = raw[..end]
                .iter()
                .rposition(|b| b.is_ascii_whitespace())
                .map_or(0, |i| i + 1);
            (start, end)
        };
        // The word of `raw` that starts at `start`.
        let word_after = |start: usize| {
            let start = start.min(raw.len());
            let len = raw[start..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'=' | b'>'))
                .unwrap_or(raw.len() - start);
            (start, start + len)
        };
        let at =
            |(start, end): (usize, usize)| Span::new(content_offset + start, content_offset + end);
        match *error {
            AttrError::ExpectedEq(position) => {
                let word = word_before(position);
                let span = at(word);
                let key = self.span_text(span);
                if key == "/" {
                    self.error_help(
                        span,
                        "unexpected `/` in a tag",
                        "a self-closing tag ends with `/>`, without spaces between `/` and `>`",
                    );
                } else {
                    self.error_help(
                        span,
                        format!("attribute `{key}` has no value"),
                        format!("XML attributes need a quoted value: `{key}=\"...\"`"),
                    );
                }
            }
            AttrError::ExpectedValue(position) => {
                let span = self.char_span(content_offset + position.min(raw.len()));
                self.error_help(
                    span,
                    "expected a quoted attribute value after `=`",
                    "write the value in double quotes: `name=\"value\"`",
                );
            }
            AttrError::UnquotedValue(position) => {
                let span = at(word_after(position));
                let value = self.span_text(span);
                self.error_help(
                    span,
                    format!("attribute value `{value}` is not quoted"),
                    format!("XML attribute values are quoted: `\"{value}\"`"),
                );
            }
            AttrError::ExpectedQuote(position, quote) => {
                let span = self.char_span(content_offset + position.min(raw.len()));
                self.error_help(
                    span,
                    format!(
                        "attribute value is missing its closing `{}`",
                        char::from(quote)
                    ),
                    "close the value with the quote it starts with",
                );
            }
            AttrError::Duplicated(position, previous) => {
                let span = at(word_after(position));
                let key = self.span_text(span);
                let previous = at(word_after(previous));
                let column_hint =
                    if self.line_of(previous.start as usize) == self.line_of(span.start as usize) {
                        "earlier in this tag".to_owned()
                    } else {
                        format!("on line {}", self.line_of(previous.start as usize))
                    };
                self.error_help(
                    span,
                    format!("duplicate attribute `{key}`"),
                    format!("`{key}` is already set {column_hint}; remove one of the two"),
                );
            }
        }
    }

    /// Unescape and normalize an attribute value (`raw` starts at `offset`).
    fn attribute_value(&mut self, raw: &str, offset: usize) -> String {
        let bytes = raw.as_bytes();
        if !bytes
            .iter()
            .any(|b| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r'))
        {
            return raw.to_owned();
        }
        let mut out = String::with_capacity(raw.len());
        let mut last = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\t' | b'\n' | b'\r' => {
                    out.push_str(raw.get(last..i).unwrap_or(""));
                    out.push(' ');
                    i += if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    last = i;
                }
                b'<' => {
                    self.error_help(
                        Span::new(offset + i, offset + i + 1),
                        "`<` is not allowed in an attribute value",
                        "write `&lt;` instead",
                    );
                    i += 1;
                }
                b'&' => match reference_end(bytes, i) {
                    Some(end) => {
                        out.push_str(raw.get(last..i).unwrap_or(""));
                        let name = raw.get(i + 1..end).unwrap_or("");
                        let span = Span::new(offset + i, offset + end + 1);
                        self.reference(name, span, &mut out, Context::Attribute, 0);
                        i = end + 1;
                        last = i;
                    }
                    None => {
                        self.dangling_ampersand(raw, i, offset);
                        i += 1;
                    }
                },
                _ => i += 1,
            }
        }
        out.push_str(raw.get(last..).unwrap_or(""));
        out
    }

    /// Report a `&` that does not start a reference (`raw[i]` is the `&`).
    fn dangling_ampersand(&mut self, raw: &str, i: usize, offset: usize) {
        let bytes = raw.as_bytes();
        let name_len = bytes
            .get(i + 1..)
            .unwrap_or(&[])
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'#')))
            .unwrap_or(bytes.len().saturating_sub(i + 1));
        if name_len > 0 {
            let span = Span::new(offset + i, offset + i + 1 + name_len);
            let written = self.span_text(span);
            self.error_help(
                span,
                format!("reference `{written}` is not terminated by `;`"),
                format!("write `{written};`, or `&amp;` for a literal `&`"),
            );
        } else {
            self.error_help(
                Span::new(offset + i, offset + i + 1),
                "unescaped `&`",
                "write `&amp;` for a literal `&`",
            );
        }
    }

    /// Resolve the reference `&name;` (written at `span`) into `out`.
    fn reference(
        &mut self,
        name: &str,
        span: Span,
        out: &mut String,
        context: Context,
        nesting: usize,
    ) {
        let written = self.span_text(span);
        if let Some(number) = name.strip_prefix('#') {
            match parse_char_ref(number) {
                Some(code) => match char::from_u32(code).filter(|&c| is_xml_char(c)) {
                    Some(c) => out.push(c),
                    None => {
                        self.reference_error(
                            nesting,
                            span,
                            format!(
                                "character reference `{written}` denotes U+{code:04X}, \
                                 which XML does not allow"
                            ),
                            "XML text cannot contain this character, even as a reference",
                        );
                        out.push_str(written);
                    }
                },
                None => {
                    self.reference_error(
                        nesting,
                        span,
                        format!("invalid character reference `{written}`"),
                        "write `&#` with decimal digits or `&#x` with hexadecimal digits, \
                         then `;` (for example `&#10;` or `&#xA;`)",
                    );
                    out.push_str(written);
                }
            }
            return;
        }
        let predefined = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        };
        if let Some(c) = predefined {
            out.push(c);
            return;
        }
        if name_problem(name).is_some() {
            let span = Span::new(span.start as usize, span.start as usize + 1);
            self.reference_error(
                nesting,
                span,
                "unescaped `&`",
                "write `&amp;` for a literal `&`",
            );
            out.push_str(written);
            return;
        }
        let value = match self.entities.get(name) {
            Some(Entity::Internal(value)) => Rc::clone(value),
            Some(Entity::External) => {
                self.reference_error(
                    nesting,
                    span,
                    format!("external entity `{written}` is not expanded"),
                    "flowgate never reads files or URLs named in a DOCTYPE; \
                     write the text itself instead",
                );
                out.push_str(written);
                return;
            }
            Some(Entity::Markup) => {
                self.reference_error(
                    nesting,
                    span,
                    format!("entity `{written}` contains markup, which is not expanded"),
                    "write the elements themselves instead of an entity",
                );
                out.push_str(written);
                return;
            }
            None => {
                self.reference_error(
                    nesting,
                    span,
                    format!("unknown entity `{written}`"),
                    "XML knows only `&lt;`, `&gt;`, `&amp;`, `&quot;` and `&apos;`; write \
                     other characters themselves or as numeric references such as `&#160;`",
                );
                out.push_str(written);
                return;
            }
        };
        if self.expansion_reported {
            // The budget is spent (and reported once): nothing more is expanded.
            return;
        }
        if nesting >= MAX_ENTITY_NESTING {
            self.reference_error(
                nesting,
                span,
                format!("entity `{written}` is recursive or nested too deeply"),
                format!(
                    "entities may refer to other entities at most {MAX_ENTITY_NESTING} levels deep"
                ),
            );
            return;
        }
        self.expand(&value, span, out, context, nesting + 1);
    }

    /// Expand the value of an internal entity referenced at `span`.
    ///
    /// The whole value (references to other entities included, so that chains of empty
    /// entities are bounded too) is charged before it is read: the work done on expansions
    /// never exceeds the budget, and an entity that does not fit is not expanded at all.
    fn expand(
        &mut self,
        value: &str,
        span: Span,
        out: &mut String,
        context: Context,
        nesting: usize,
    ) {
        if !self.take_budget(span, value.len()) {
            return;
        }
        let bytes = value.as_bytes();
        let mut last = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes.get(i) {
                Some(b'&') => {
                    let Some(end) = reference_end(bytes, i) else {
                        i += 1;
                        continue;
                    };
                    out.push_str(value.get(last..i).unwrap_or(""));
                    let name = value.get(i + 1..end).unwrap_or("");
                    self.reference(name, span, out, context, nesting);
                    if self.expansion_reported {
                        return;
                    }
                    i = end + 1;
                    last = i;
                }
                Some(b'\t' | b'\n' | b'\r') if context == Context::Attribute => {
                    out.push_str(value.get(last..i).unwrap_or(""));
                    out.push(' ');
                    i += 1;
                    last = i;
                }
                _ => i += 1,
            }
        }
        out.push_str(value.get(last..).unwrap_or(""));
    }

    /// Count `len` expanded bytes against the limit; false (after one report) when exhausted.
    fn take_budget(&mut self, span: Span, len: usize) -> bool {
        if len <= self.expansion_left {
            self.expansion_left -= len;
            return true;
        }
        self.expansion_left = 0;
        if !self.expansion_reported {
            self.expansion_reported = true;
            self.error_help(
                span,
                "entity expansion limit exceeded",
                format!(
                    "entities declared in the DOCTYPE may add at most {MAX_ENTITY_EXPANSION} \
                     bytes to a document, and the rest is left unexpanded; write the text \
                     itself instead of referring to large entities many times"
                ),
            );
        }
        false
    }

    fn text_event(&mut self, raw: &'a str, offset: usize) {
        if self.skip_depth > 0 {
            return;
        }
        let content_start = raw.len() - raw.trim_start_matches(is_xml_space).len();
        if self.stack.is_empty() {
            if content_start < raw.len() {
                self.text_outside_root(offset + content_start);
            }
            return;
        }
        if content_start == raw.len() {
            // Only whitespace: kept only between pieces of text.
            if let Some(frame) = self.stack.last() {
                if frame.text_first.is_some() {
                    push_text(&mut self.text, raw);
                }
            }
            return;
        }
        if raw.as_bytes().contains(&b'&') {
            let bytes = raw.as_bytes();
            for (i, _) in bytes.iter().enumerate().filter(|(_, &b)| b == b'&') {
                self.dangling_ampersand(raw, i, offset);
            }
        }
        if let Some(i) = raw
            .as_bytes()
            .contains(&b']')
            .then(|| raw.find("]]>"))
            .flatten()
        {
            self.error_help(
                Span::new(offset + i, offset + i + 3),
                "`]]>` is not allowed in text",
                "write `]]&gt;` instead",
            );
        }
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        let text = &mut self.text;
        let content_end = raw.trim_end_matches(is_xml_space).len();
        let from = match frame.text_first {
            Some(_) => 0,
            None => {
                frame.text_first = Some((text.len(), offset + content_start));
                content_start
            }
        };
        push_text(text, raw.get(from..content_end).unwrap_or(""));
        frame.text_last = (text.len(), offset + content_end);
        push_text(text, raw.get(content_end..).unwrap_or(""));
    }

    /// Report text (starting at `start`) before or after the root element, once for each.
    fn text_outside_root(&mut self, start: usize) {
        let span = self.rest_of_line(start);
        if self.root_started {
            if !self.text_after_reported {
                self.text_after_reported = true;
                self.error_help(
                    span,
                    "text after the end of the root element",
                    "an XML file ends with the end tag of its root element; remove what follows",
                );
            }
        } else if !self.text_before_reported {
            self.text_before_reported = true;
            let first = self.source.as_bytes().get(start).copied();
            let help = if matches!(first, Some(b'{' | b'[')) {
                "this looks like JSON, not XML; a Flow file starts with \
                 `<?xml version=\"1.0\" encoding=\"UTF-8\"?>` and a `<Flow>` element"
            } else {
                "an XML document starts with `<?xml ...?>` or with its root element, \
                 such as `<Flow>`"
            };
            self.error_help(span, "text before the root element", help);
        }
    }

    fn cdata(&mut self, content: &str, before: usize, after: usize) {
        if self.skip_depth > 0 {
            return;
        }
        if self.stack.is_empty() {
            self.text_outside_root(before);
            return;
        }
        if content.is_empty() {
            return;
        }
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        if frame.text_first.is_none() {
            frame.text_first = Some((self.text.len(), before));
        }
        push_text(&mut self.text, content);
        frame.text_last = (self.text.len(), after);
    }

    fn reference_event(&mut self, name: &str, before: usize, after: usize) {
        if self.skip_depth > 0 {
            return;
        }
        if self.stack.is_empty() {
            self.text_outside_root(before);
            return;
        }
        let mut text = std::mem::take(&mut self.text);
        let start = text.len();
        self.reference(name, Span::new(before, after), &mut text, Context::Text, 0);
        if let Some(frame) = self.stack.last_mut() {
            if text.len() > start {
                if frame.text_first.is_none() {
                    frame.text_first = Some((start, before));
                }
                frame.text_last = (text.len(), after);
            }
        }
        self.text = text;
    }

    fn end_tag(&mut self, qname: Span, before: usize, after: usize) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        let written = self.span_text(qname);
        let span = Span::new(before, after);
        if self.stack.is_empty() {
            let root = self
                .root
                .as_ref()
                .map(|root| (root.name.value.clone(), root.span.end as usize));
            let help = match root {
                Some((name, end)) => format!(
                    "the root element `<{name}>` is already closed on line {}",
                    self.line_of(end.saturating_sub(1))
                ),
                None => "no element is open here; remove this end tag".to_owned(),
            };
            self.error_help(span, format!("unexpected end tag `</{written}>`"), help);
            return;
        }
        let source = self.source;
        let open = self.stack.iter().rposition(|frame| {
            source.get(frame.qname.start as usize..frame.qname.end as usize) == Some(written)
        });
        match open {
            Some(index) => {
                let unclosed: Vec<usize> = (index + 1..self.stack.len())
                    .rev()
                    .filter(|&i| !self.stack[i].quiet)
                    .collect();
                if let Some(&innermost) = unclosed.first() {
                    let expected = self.span_text(self.stack[innermost].qname);
                    let start = self.stack[innermost].start;
                    let line = self.line_of(start);
                    let needed: String = unclosed
                        .iter()
                        .map(|&i| format!("</{}>", self.span_text(self.stack[i].qname)))
                        .collect();
                    self.error_help(
                        span,
                        format!(
                            "mismatched end tag: expected `</{expected}>`, found `</{written}>`"
                        ),
                        format!(
                            "`<{expected}>` (line {line}) is not closed; add `{needed}` \
                             before `</{written}>`"
                        ),
                    );
                }
                while self.stack.len() > index + 1 {
                    self.close(before);
                }
                self.close(after);
            }
            None => {
                let Some(top) = self.stack.last() else {
                    return;
                };
                if !top.quiet {
                    let expected = self.span_text(top.qname);
                    let line = self.line_of(top.start);
                    self.error_help(
                        span,
                        format!(
                            "mismatched end tag: expected `</{expected}>`, found `</{written}>`"
                        ),
                        format!(
                            "the innermost open element is `<{expected}>` (line {line}), and no \
                             open element is named `{written}`"
                        ),
                    );
                }
                if let Some(top) = self.stack.last_mut() {
                    top.quiet = true;
                }
            }
        }
    }

    /// Close the innermost open element, its extent ending at `end`.
    fn close(&mut self, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let children: Vec<XmlElement> = if frame.children_start < self.children.len() {
            self.children.drain(frame.children_start..).collect()
        } else {
            Vec::new()
        };
        let text = frame.text_first.map(|(index, offset)| {
            let (end_index, end_offset) = frame.text_last;
            Spanned::new(
                Span::new(offset, end_offset),
                self.text.get(index..end_index).unwrap_or("").to_owned(),
            )
        });
        self.text.truncate(frame.text_start);
        let element = XmlElement {
            name: frame.name,
            attributes: frame.attributes,
            children,
            text,
            span: Span::new(frame.start, end),
        };
        self.attach(element);
    }

    fn attach(&mut self, element: XmlElement) {
        if self.stack.is_empty() {
            self.root = Some(element);
        } else {
            self.children.push(element);
        }
    }

    fn end_of_input(&mut self) {
        let end = self.source.len();
        if !self.fatal {
            let unclosed: Vec<usize> = (0..self.stack.len())
                .rev()
                .filter(|&i| !self.stack[i].quiet)
                .collect();
            if let Some(&innermost) = unclosed.first() {
                let frame = &self.stack[innermost];
                let span = self.name_span_or_lt(frame.qname, frame.start);
                let name = self.span_text(frame.qname);
                let mut needed: String = unclosed
                    .iter()
                    .take(MAX_LISTED_END_TAGS)
                    .map(|&i| format!("</{}>", self.span_text(self.stack[i].qname)))
                    .collect();
                if unclosed.len() > MAX_LISTED_END_TAGS {
                    needed.push_str("...");
                }
                self.error_help(
                    span,
                    format!("unclosed element `<{name}>`: the file ends before `</{name}>`"),
                    format!("add `{needed}` at the end, or check whether the file was cut short"),
                );
            }
            if self.root.is_none() && self.stack.is_empty() && self.errors.is_empty() {
                let span = Span::point(end);
                if self
                    .source
                    .get(self.base..)
                    .is_none_or(|rest| rest.trim().is_empty())
                {
                    self.error_help(
                        span,
                        "empty XML document",
                        "an XML file needs a root element, such as `<Flow>...</Flow>`",
                    );
                } else {
                    self.error_help(
                        span,
                        "the XML document has no root element",
                        "an XML file needs a root element, such as `<Flow>...</Flow>`",
                    );
                }
            }
        }
        while !self.stack.is_empty() {
            self.close(end);
        }
    }

    fn doctype(&mut self, content: Option<&'a str>, before: usize, after: usize) {
        let span = Span::new(before, (before + 9).min(after));
        if self.root_started || !self.stack.is_empty() {
            self.error_help(
                span,
                "DOCTYPE after the start of the root element",
                "a DOCTYPE must come before the root element; move or remove it",
            );
            return;
        }
        if self.doctype_seen {
            self.error_help(
                span,
                "a second DOCTYPE",
                "an XML file has at most one DOCTYPE; remove this one",
            );
            return;
        }
        self.doctype_seen = true;
        if let Some(content) = content {
            self.declare_entities(content);
        }
    }

    /// Read `<!ENTITY ...>` declarations of the DOCTYPE's internal subset. Malformed
    /// declarations are ignored: references to them are reported as unknown entities.
    fn declare_entities(&mut self, content: &str) {
        let mut scan = Scanner {
            bytes: content.as_bytes(),
            pos: 0,
        };
        // Skip the root name and any external id up to `[`.
        loop {
            match scan.peek() {
                None => return,
                Some(b'[') => {
                    scan.pos += 1;
                    break;
                }
                Some(b'"' | b'\'') => {
                    scan.quoted();
                }
                Some(_) => scan.pos += 1,
            }
        }
        loop {
            scan.skip_space();
            match scan.peek() {
                None | Some(b']') => return,
                _ => {}
            }
            if scan.eat("<!--") {
                scan.skip_past("-->");
            } else if scan.eat("<?") {
                scan.skip_past("?>");
            } else if scan.eat("<!ENTITY") {
                scan.skip_space();
                let parameter = scan.eat("%");
                scan.skip_space();
                let name_start = scan.pos;
                while scan
                    .peek()
                    .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b'>'))
                {
                    scan.pos += 1;
                }
                let name = content.get(name_start..scan.pos).unwrap_or("");
                scan.skip_space();
                let entity = match scan.peek() {
                    Some(b'"' | b'\'') => scan.quoted().map(|(start, end)| {
                        let value = content.get(start..end).unwrap_or("");
                        if value.contains('<') {
                            Entity::Markup
                        } else {
                            Entity::Internal(Rc::from(value))
                        }
                    }),
                    _ if scan.eat("SYSTEM") || scan.eat("PUBLIC") => Some(Entity::External),
                    _ => None,
                };
                scan.skip_declaration();
                if let Some(entity) = entity {
                    if !parameter && name_problem(name).is_none() {
                        // The first declaration of a name binds it.
                        self.entities.entry(name.to_owned()).or_insert(entity);
                    }
                }
            } else if scan.eat("<!") {
                scan.skip_declaration();
            } else {
                // A parameter-entity reference or stray character.
                scan.pos += 1;
            }
        }
    }
}

/// A cursor over the DOCTYPE's content.
struct Scanner<'s> {
    bytes: &'s [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self
            .bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(token.as_bytes()));
        if found {
            self.pos += token.len();
        }
        found
    }

    fn skip_past(&mut self, token: &str) {
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        self.pos = match rest
            .windows(token.len())
            .position(|w| w == token.as_bytes())
        {
            Some(i) => self.pos + i + token.len(),
            None => self.bytes.len(),
        };
    }

    /// A quoted literal at the cursor: the range of its content.
    fn quoted(&mut self) -> Option<(usize, usize)> {
        let quote = self.peek()?;
        let start = self.pos + 1;
        let rest = self.bytes.get(start..).unwrap_or(&[]);
        match rest.iter().position(|&b| b == quote) {
            Some(len) => {
                self.pos = start + len + 1;
                Some((start, start + len))
            }
            None => {
                self.pos = self.bytes.len();
                None
            }
        }
    }

    /// Skip to just past the `>` that ends a declaration, stepping over quoted literals.
    fn skip_declaration(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'>' => {
                    self.pos += 1;
                    return;
                }
                b'"' | b'\'' => {
                    self.quoted();
                }
                _ => self.pos += 1,
            }
        }
    }
}

/// The index of the `;` ending the reference that starts with the `&` at `bytes[amp]`,
/// when there is one before any character that cannot be part of a reference.
fn reference_end(bytes: &[u8], amp: usize) -> Option<usize> {
    let rest = bytes.get(amp + 1..)?;
    let len = rest.iter().position(|&b| {
        b == b';' || b == b'&' || b == b'<' || b == b'"' || b == b'\'' || b.is_ascii_whitespace()
    })?;
    (rest.get(len) == Some(&b';') && len > 0).then_some(amp + 1 + len)
}

/// The code point of a character reference's digits (`10`, `xA`).
fn parse_char_ref(number: &str) -> Option<u32> {
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix).ok()
}

/// Append text, normalizing `\r\n` and `\r` to `\n`.
fn push_text(out: &mut String, text: &str) {
    if !text.contains('\r') {
        out.push_str(text);
        return;
    }
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(rest.get(..i).unwrap_or(""));
        out.push('\n');
        rest = rest.get(i + 1..).unwrap_or("");
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The characters XML 1.0 allows.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// What is wrong with an XML name (with at most one namespace prefix), if anything.
fn name_problem(name: &str) -> Option<String> {
    // Fast path: the usual ASCII names.
    let bytes = name.as_bytes();
    if bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return None;
    }
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Some("it is empty".to_owned());
    };
    if !is_name_start_char(first) || first == ':' {
        return Some(format!("it cannot start with `{}`", first.escape_debug()));
    }
    if let Some(bad) = chars.find(|&c| !is_name_char(c)) {
        return Some(format!("`{}` is not allowed", bad.escape_debug()));
    }
    let colons = name.matches(':').count();
    if colons > 1 || name.ends_with(':') {
        return Some("a name has at most one `:`, between a prefix and a local name".to_owned());
    }
    if name
        .split_once(':')
        .is_some_and(|(_, local)| local.starts_with(|c: char| !is_name_start_char(c)))
    {
        return Some("the local name after `:` must start with a letter or `_`".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn slice(src: &str, span: Span) -> &str {
        &src[span.start as usize..span.end as usize]
    }

    /// Every span is in bounds and on character boundaries; every element's span starts
    /// with `<` and its name's span lies inside it.
    fn check_spans(src: &str, doc: &XmlDocument) {
        let in_bounds = |span: Span| {
            let (start, end) = (span.start as usize, span.end as usize);
            assert!(
                start <= end && end <= src.len(),
                "{span:?} in {}",
                src.len()
            );
            assert!(src.is_char_boundary(start) && src.is_char_boundary(end));
        };
        for error in &doc.errors {
            in_bounds(error.span);
        }
        if let Some(root) = &doc.root {
            for element in std::iter::once(root).chain(root.descendants()) {
                in_bounds(element.span);
                in_bounds(element.name.span);
                assert!(slice(src, element.span).starts_with('<'), "{element:?}");
                assert!(element.name.span.start >= element.span.start);
                assert!(element.name.span.end <= element.span.end);
                if let Some(text) = &element.text {
                    in_bounds(text.span);
                }
                for (key, value) in &element.attributes {
                    in_bounds(key.span);
                    in_bounds(value.span);
                }
            }
        }
    }

    fn parse(src: &str) -> XmlDocument {
        let doc = parse_xml(src);
        check_spans(src, &doc);
        doc
    }

    fn ok(src: &str) -> XmlElement {
        let doc = parse(src);
        assert!(doc.errors.is_empty(), "{src:?}: {:#?}", doc.errors);
        doc.root.expect("a root element")
    }

    /// Every error of `src`: (message, text under the span).
    fn errors(src: &str) -> Vec<(String, String)> {
        parse(src)
            .errors
            .iter()
            .map(|e| (e.message.clone(), slice(src, e.span).to_owned()))
            .collect()
    }

    /// The single error of `src`: (message, text under the span).
    fn error(src: &str) -> (String, String) {
        let all = errors(src);
        assert_eq!(all.len(), 1, "{src:?}: {all:#?}");
        all.into_iter().next().unwrap()
    }

    const FLOW: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    \
        <apiVersion>63.0</apiVersion>\n    \
        <formulas>\n        \
        <name>Url</name>\n        \
        <expression>&quot;https://x.my.salesforce.com/&quot;&amp;{!$User.Id}</expression>\n    \
        </formulas>\n    \
        <start/>\n    \
        <p:label a='1'>Héllo wörld</p:label>\n\
        </Flow>\n";

    #[test]
    fn spans_of_elements_names_and_text() {
        let root = ok(FLOW);
        assert_eq!(root.name.value, "Flow");
        assert_eq!(slice(FLOW, root.name.span), "Flow");
        let whole = slice(FLOW, root.span);
        assert!(whole.starts_with("<Flow xmlns="));
        assert!(whole.ends_with("</Flow>"));
        assert_eq!(root.text, None);

        let (key, value) = &root.attributes[0];
        assert_eq!(key.value, "xmlns");
        assert_eq!(slice(FLOW, key.span), "xmlns");
        assert_eq!(value.value, "http://soap.sforce.com/2006/04/metadata");
        assert_eq!(slice(FLOW, value.span), value.value);
        assert_eq!(
            root.attribute("xmlns").map(|v| v.value.as_str()),
            Some("http://soap.sforce.com/2006/04/metadata")
        );

        let api = root.child("apiVersion").unwrap();
        assert_eq!(slice(FLOW, api.span), "<apiVersion>63.0</apiVersion>");
        assert_eq!(slice(FLOW, api.name.span), "apiVersion");
        let text = api.text.as_ref().unwrap();
        assert_eq!(text.value, "63.0");
        assert_eq!(slice(FLOW, text.span), "63.0");
        assert_eq!(root.child_text("apiVersion"), Some("63.0"));

        let formulas = root.child("formulas").unwrap();
        assert!(slice(FLOW, formulas.span).starts_with("<formulas>\n"));
        assert!(slice(FLOW, formulas.span).ends_with("</formulas>"));
        assert_eq!(
            formulas.text, None,
            "whitespace between children is not text"
        );
        let expression = formulas.child("expression").unwrap();
        assert_eq!(
            expression.text_str(),
            Some("\"https://x.my.salesforce.com/\"&{!$User.Id}")
        );
        assert_eq!(
            slice(FLOW, expression.text.as_ref().unwrap().span),
            "&quot;https://x.my.salesforce.com/&quot;&amp;{!$User.Id}"
        );

        let start = root.child("start").unwrap();
        assert_eq!(slice(FLOW, start.span), "<start/>");
        assert_eq!(slice(FLOW, start.name.span), "start");
        assert_eq!(start.text, None);
        assert!(start.children.is_empty());

        // A prefix is not part of the name; the span covers the local name.
        let label = root.child("label").unwrap();
        assert_eq!(slice(FLOW, label.name.span), "label");
        assert_eq!(
            slice(FLOW, label.span),
            "<p:label a='1'>Héllo wörld</p:label>"
        );
        assert_eq!(label.text_str(), Some("Héllo wörld"));
        assert_eq!(slice(FLOW, label.attributes[0].1.span), "1");
    }

    #[test]
    fn text_is_trimmed_and_concatenated() {
        let src = "<a>\n  one <b/> two\r\n three <!-- c --> four  \n</a>";
        let a = ok(src);
        assert_eq!(a.text_str(), Some("one  two\n three  four"));
        assert_eq!(
            slice(src, a.text.unwrap().span),
            "one <b/> two\r\n three <!-- c --> four"
        );
        assert_eq!(ok("<a>   </a>").text, None);
        assert_eq!(ok("<a>\n\t</a>").text, None);
        assert_eq!(ok("<a></a>").text, None);
        // Whitespace written as a reference or in CDATA is kept.
        assert_eq!(ok("<a> &#32;x&#10; </a>").text_str(), Some(" x\n"));
        assert_eq!(ok("<a><![CDATA[  ]]></a>").text_str(), Some("  "));
        // Line breaks are normalized, as XML requires.
        assert_eq!(ok("<a>x\r\ny\rz</a>").text_str(), Some("x\ny\nz"));
    }

    #[test]
    fn entities_in_text_and_attributes() {
        let src = "<a t=\"&quot;q&quot; &lt;&gt; &amp; &apos; &#10;&#x41;\">\
                   &quot;q&quot; &lt;&gt; &amp; &apos; &#10;&#x41;&#233;</a>";
        let a = ok(src);
        assert_eq!(a.text_str(), Some("\"q\" <> & ' \nAé"));
        assert_eq!(a.attributes[0].1.value, "\"q\" <> & ' \nA");
        // Attribute values normalize literal whitespace, not references.
        let a = ok("<a t=\"x\ty\r\nz\n&#9;\"/>");
        assert_eq!(a.attributes[0].1.value, "x y z \t");
        let a = ok("<a t='say \"hi\"'/>");
        assert_eq!(a.attributes[0].1.value, "say \"hi\"");
    }

    #[test]
    fn entity_errors() {
        let (message, text) = error("<a>&nbsp;x</a>");
        assert_eq!(message, "unknown entity `&nbsp;`");
        assert_eq!(text, "&nbsp;");
        // The reference is kept as written.
        let doc = parse("<a>&nbsp;x</a>");
        assert_eq!(doc.root.unwrap().text_str(), Some("&nbsp;x"));

        let (message, text) = error("<a>fish & chips</a>");
        assert_eq!(message, "unescaped `&`");
        assert_eq!(text, "&");
        let (message, text) = error("<a>A&amp B</a>");
        assert_eq!(message, "reference `&amp` is not terminated by `;`");
        assert_eq!(text, "&amp");
        let (message, text) = error("<a t=\"x & y\"/>");
        assert_eq!(message, "unescaped `&`");
        assert_eq!(text, "&");
        let (message, text) = error("<a t=\"&bogus;\"/>");
        assert_eq!(message, "unknown entity `&bogus;`");
        assert_eq!(text, "&bogus;");

        for (src, reference) in [
            ("<a>&#0;</a>", "&#0;"),
            ("<a>&#1;</a>", "&#1;"),
            ("<a>&#xD800;</a>", "&#xD800;"),
            ("<a>&#xFFFE;</a>", "&#xFFFE;"),
            ("<a>&#1114112;</a>", "&#1114112;"),
            ("<a>&#99999999999999999999;</a>", "&#99999999999999999999;"),
            ("<a>&#x;</a>", "&#x;"),
            ("<a>&#12a;</a>", "&#12a;"),
            ("<a>&#X41;</a>", "&#X41;"),
            ("<a>&#-1;</a>", "&#-1;"),
        ] {
            let (message, text) = error(src);
            assert!(message.contains("character reference"), "{src}: {message}");
            assert_eq!(text, reference);
        }
        let (message, _) = error("<a>&;</a>");
        assert_eq!(message, "unescaped `&`");
        let (message, _) = error("<a>x ]]> y</a>");
        assert_eq!(message, "`]]>` is not allowed in text");
    }

    #[test]
    fn doctype_entities() {
        let src = "<!DOCTYPE a [\n  <!-- c > -->\n  <!ENTITY e \"v&amp;w\">\n  \
                   <!ENTITY e \"ignored\">\n  <!ENTITY n '&e;!'>\n  \
                   <!ENTITY % p \"param\">\n  <!ENTITY x SYSTEM \"file:///etc/passwd\">\n  \
                   <!ENTITY m \"<b/>\">\n  <!ELEMENT a (#PCDATA)>\n]>\n<a t=\"&n;\">&e;|&n;</a>";
        let doc = parse(src);
        assert!(doc.errors.is_empty(), "{:#?}", doc.errors);
        let a = doc.root.unwrap();
        assert_eq!(a.text_str(), Some("v&w|v&w!"));
        assert_eq!(a.attributes[0].1.value, "v&w!");

        let src = "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>";
        let (message, text) = error(src);
        assert_eq!(message, "external entity `&x;` is not expanded");
        assert_eq!(text, "&x;");
        let (message, _) = error("<!DOCTYPE a [<!ENTITY m \"<b/>\">]><a>&m;</a>");
        assert!(message.contains("markup"), "{message}");
        let (message, _) = error("<!DOCTYPE a [<!ENTITY % p \"x\">]><a>&p;</a>");
        assert_eq!(message, "unknown entity `&p;`");
        let (message, _) = error("<!DOCTYPE a [<!ENTITY r \"&r;\">]><a>&r;</a>");
        assert!(message.contains("recursive"), "{message}");
        // An external DTD is never read.
        ok("<!DOCTYPE a SYSTEM \"http://example.invalid/a.dtd\"><a/>");
        let (message, _) = error("<a><!DOCTYPE a></a>");
        assert_eq!(message, "DOCTYPE after the start of the root element");
    }

    #[test]
    fn entity_expansion_is_bounded() {
        // Billion laughs, with and without text at the leaves.
        for leaf in ["lol", ""] {
            let mut src = format!("<!DOCTYPE a [<!ENTITY l0 \"{leaf}\">");
            for i in 1..10 {
                let refs = format!("&l{};", i - 1).repeat(10);
                src.push_str(&format!("<!ENTITY l{i} \"{refs}\">"));
            }
            src.push_str("]><a>&l9;&l9;&l9;</a>");
            let started = std::time::Instant::now();
            let doc = parse(&src);
            assert!(started.elapsed().as_secs() < 5);
            assert!(
                doc.errors
                    .iter()
                    .any(|e| e.message == "entity expansion limit exceeded"
                        || e.message.contains("nested too deeply")),
                "{:#?}",
                doc.errors
            );
            let text = doc.root.unwrap().text.map_or(0, |t| t.value.len());
            assert!(text <= MAX_ENTITY_EXPANSION);
        }
    }

    #[test]
    fn cdata() {
        let src = "<a> <![CDATA[x < y & z]]> </a>";
        let a = ok(src);
        let text = a.text.unwrap();
        assert_eq!(text.value, "x < y & z");
        assert_eq!(slice(src, text.span), "<![CDATA[x < y & z]]>");
        let a = ok("<a>one <![CDATA[<two>]]>&amp; three</a>");
        assert_eq!(a.text_str(), Some("one <two>& three"));
        assert_eq!(ok("<a><![CDATA[]]></a>").text, None);
        let (message, _) = error("<![CDATA[x]]><a/>");
        assert_eq!(message, "text before the root element");
    }

    #[test]
    fn self_closing_elements() {
        let src = "<a><b/><b x=\"1\" /><c\n/><b></b></a>";
        let a = ok(src);
        assert_eq!(a.children.len(), 4);
        let spans: Vec<&str> = a.children.iter().map(|c| slice(src, c.span)).collect();
        assert_eq!(spans, ["<b/>", "<b x=\"1\" />", "<c\n/>", "<b></b>"]);
        assert_eq!(a.children_named("b").count(), 3);
        assert_eq!(a.children[1].attribute("x").unwrap().value, "1");
        assert_eq!(ok("<a/>").span, Span::new(0, 4));
    }

    #[test]
    fn comments_declarations_and_processing_instructions_are_skipped() {
        let src = "<?xml version=\"1.0\"?>\n<!-- head -->\n<?pi data?>\n\
                   <a>x<!-- inner -->y<?pi?></a>\n<!-- tail -->\n";
        let a = ok(src);
        assert_eq!(a.text_str(), Some("xy"));
        let (message, text) = error("<a><!-- x -- y --></a>");
        assert_eq!(message, "`--` is not allowed inside a comment");
        assert_eq!(text, "--");
        let (message, _) = error(" <?xml version=\"1.0\"?><a/>");
        assert_eq!(
            message,
            "the XML declaration must be at the very start of the file"
        );
    }

    #[test]
    fn descendants_are_depth_first() {
        let a = ok("<a><b><c/><d><e/></d></b><f/></a>");
        let names: Vec<&str> = a.descendants().map(|e| e.name.value.as_str()).collect();
        assert_eq!(names, ["b", "c", "d", "e", "f"]);
        assert_eq!(ok("<a/>").descendants().count(), 0);
    }

    #[test]
    fn mismatched_end_tags() {
        let src = "<a>\n<b>x</a>";
        let (message, text) = error(src);
        assert_eq!(message, "mismatched end tag: expected `</b>`, found `</a>`");
        assert_eq!(text, "</a>");
        let doc = parse(src);
        let help = doc.errors[0].help.as_deref().unwrap();
        assert!(help.contains("line 2"), "{help}");
        let a = doc.root.unwrap();
        assert_eq!(slice(src, a.span), src);
        assert_eq!(slice(src, a.children[0].span), "<b>x");
        assert_eq!(a.children[0].text_str(), Some("x"));

        // An end tag that closes nothing open is reported once and skipped.
        let src = "<a><b>x</c></b></a>";
        let (message, text) = error(src);
        assert_eq!(message, "mismatched end tag: expected `</b>`, found `</c>`");
        assert_eq!(text, "</c>");
        assert_eq!(parse(src).root.unwrap().children.len(), 1);
        // A typo in an end tag is reported once, not again at the parent's end tag.
        let (message, _) = error("<a><bcd>x</bce></a>");
        assert_eq!(
            message,
            "mismatched end tag: expected `</bcd>`, found `</bce>`"
        );

        let (message, text) = error("<a/></a>");
        assert_eq!(message, "unexpected end tag `</a>`");
        assert_eq!(text, "</a>");
        let (message, _) = error("</a>");
        assert_eq!(message, "unexpected end tag `</a>`");
        // Prefixes must match literally.
        let (message, _) = error("<p:a></q:a>");
        assert_eq!(
            message,
            "mismatched end tag: expected `</p:a>`, found `</q:a>`"
        );
        // Whitespace before `>` is fine.
        ok("<a></a \n>");
    }

    #[test]
    fn unclosed_elements() {
        let src = "<Flow>\n  <value>\n    <x>1</x>\n";
        let doc = parse(src);
        assert_eq!(doc.errors.len(), 1, "{:#?}", doc.errors);
        let e = &doc.errors[0];
        assert_eq!(
            e.message,
            "unclosed element `<value>`: the file ends before `</value>`"
        );
        assert_eq!(slice(src, e.span), "value");
        assert!(e.help.as_deref().unwrap().contains("`</value></Flow>`"));
        let root = doc.root.unwrap();
        assert_eq!(slice(src, root.span), src);
        assert_eq!(root.child("value").unwrap().child_text("x"), Some("1"));

        // A tag cut in the middle.
        let (message, text) = error("<a><b x=\"1");
        assert_eq!(
            message,
            "unclosed attribute value: the closing `\"` is missing"
        );
        assert_eq!(text, "<b x=\"1");
        let (message, text) = error("<a>x</a");
        assert_eq!(
            message,
            "unclosed tag: `>` not found before the end of the file"
        );
        assert_eq!(text, "</a");
        let (message, _) = error("<a><!-- x");
        assert_eq!(
            message,
            "unclosed comment: `-->` not found before the end of the file"
        );
        let (message, _) = error("<a><![CDATA[x");
        assert!(message.starts_with("unclosed CDATA section"));
        let (message, _) = error("<!DOCTYPE a [");
        assert!(message.starts_with("unclosed DOCTYPE"));
    }

    #[test]
    fn truncation_at_every_byte_never_panics() {
        let src = "\u{feff}<?xml version=\"1.0\"?>\n<!DOCTYPE f [<!ENTITY e \"é\">]>\n\
                   <f:Flow xmlns:f=\"urn:x\" a='&amp;&e;'>\n  <!-- c -->\n  \
                   <b>t&lt;&#233;&e;<![CDATA[<x>]]></b>\n  <c/>\n  <?pi x?>\n</f:Flow>\n";
        assert!(parse(src).errors.is_empty(), "{:#?}", parse(src).errors);
        let complete = src.find("</f:Flow>").unwrap() + "</f:Flow>".len();
        for end in 0..=src.len() {
            let Some(prefix) = src.get(..end) else {
                continue;
            };
            let doc = parse(prefix);
            for error in &doc.errors {
                assert!(error.span.end as usize <= prefix.len());
                assert!(!error.message.is_empty());
            }
            if end < complete {
                assert!(!doc.errors.is_empty(), "{prefix:?} should not parse");
            } else {
                assert!(doc.errors.is_empty(), "{prefix:?}: {:#?}", doc.errors);
            }
        }
    }

    #[test]
    fn depth_limit() {
        let nested = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let src = nested(MAX_XML_DEPTH);
        let root = ok(&src);
        assert_eq!(root.descendants().count(), MAX_XML_DEPTH - 1);

        let src = nested(MAX_XML_DEPTH + 1);
        let (message, text) = error(&src);
        assert_eq!(
            message,
            format!("elements nested deeper than {MAX_XML_DEPTH} levels")
        );
        assert_eq!(text, "a");
        let root = parse(&src).root.unwrap();
        assert_eq!(root.descendants().count(), MAX_XML_DEPTH - 1);
        assert_eq!(slice(&src, root.span), src);

        let src = format!(
            "{}<b/>{}",
            "<a>".repeat(MAX_XML_DEPTH),
            "</a>".repeat(MAX_XML_DEPTH)
        );
        assert_eq!(error(&src).1, "b");

        // Far deeper: no stack overflow, one error.
        let src = nested(200_000);
        let doc = parse(&src);
        assert_eq!(
            doc.errors.len(),
            1,
            "{:#?}",
            &doc.errors[..3.min(doc.errors.len())]
        );
        // Unclosed, far deeper.
        let doc = parse(&"<a>".repeat(200_000));
        assert_eq!(doc.errors.len(), 2);
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let src = "\u{feff}<?xml version=\"1.0\"?><a>x</a>";
        let a = ok(src);
        assert_eq!(slice(src, a.span), "<a>x</a>");
        assert_eq!(slice(src, a.name.span), "a");
        assert_eq!(slice(src, a.text.unwrap().span), "x");
        let src = "\u{feff}\u{feff}<a/>";
        let (message, _) = error(src);
        assert_eq!(
            message,
            "more than one byte order mark at the start of the file"
        );
        assert_eq!(slice(src, parse(src).root.unwrap().span), "<a/>");
    }

    #[test]
    fn documents_without_a_root() {
        for src in ["", "   \n", "\u{feff}"] {
            let (message, _) = error(src);
            assert_eq!(message, "empty XML document");
        }
        let (message, _) = error("<?xml version=\"1.0\"?>\n<!-- nothing -->\n");
        assert_eq!(message, "the XML document has no root element");

        let src = "{\n  \"Flow\": {\"label\": \"x\"}\n}\n";
        let doc = parse(src);
        assert!(doc.root.is_none());
        assert_eq!(doc.errors.len(), 1, "{:#?}", doc.errors);
        assert_eq!(doc.errors[0].message, "text before the root element");
        assert_eq!(slice(src, doc.errors[0].span), "{");
        assert!(doc.errors[0].help.as_deref().unwrap().contains("JSON"));

        let (message, text) = error("kind: flow\n<a/>");
        assert_eq!(message, "text before the root element");
        assert_eq!(text, "kind: flow");
    }

    #[test]
    fn content_after_the_root() {
        let src = "<a/>\ntrailing garbage\n";
        let (message, text) = error(src);
        assert_eq!(message, "text after the end of the root element");
        assert_eq!(text, "trailing garbage");
        assert_eq!(parse(src).root.unwrap().name.value, "a");

        let src = "<a/>\n<b><c/></b>\n";
        let (message, text) = error(src);
        assert_eq!(
            message,
            "a second root element `<b>` after the end of the root element"
        );
        assert_eq!(text, "b");
        let root = parse(src).root.unwrap();
        assert_eq!(root.name.value, "a");
        // Whitespace, comments and processing instructions after the root are fine.
        ok("<a/>\n<!-- c -->\n<?pi?>\n\n");
    }

    #[test]
    fn invalid_characters() {
        let src = "<a>x\u{1}y\u{2}</a>";
        let (message, text) = error(src);
        assert_eq!(
            message,
            "character U+0001 is not allowed in XML (1 more in this file)"
        );
        assert_eq!(text, "\u{1}");
        let (message, text) = error("<a>\u{fffe}</a>");
        assert_eq!(message, "character U+FFFE is not allowed in XML");
        assert_eq!(text, "\u{fffe}");
        let (message, _) = error("<a>\0</a>");
        assert_eq!(message, "character U+0000 is not allowed in XML");
        // Tabs, line breaks and other characters are fine.
        ok("<a>\t\r\n\u{85}\u{feff}😀</a>");
    }

    #[test]
    fn invalid_names() {
        let (message, text) = error("<a><1b/></a>");
        assert_eq!(message, "invalid element name `1b`");
        assert_eq!(text, "1b");
        let (message, _) = error("<a><b/ ></a>");
        assert_eq!(message, "invalid element name `b/`");
        let errs = errors("<a>1 < 2</a>");
        assert!(
            errs.contains(&("missing element name after `<`".to_owned(), "< ".to_owned())),
            "{errs:#?}"
        );
        let (message, text) = error("<a><></a>");
        assert_eq!(message, "missing element name after `<`");
        assert_eq!(text, "<>");
        let (message, _) = error("<a:b:c/>");
        assert_eq!(message, "invalid element name `a:b:c`");
        ok("<a-b.c_d é:ü·x='1'/>");
    }

    #[test]
    fn attribute_errors() {
        let (message, text) = error("<a x=\"1\" x=\"2\"/>");
        assert_eq!(message, "duplicate attribute `x`");
        assert_eq!(text, "x");
        let (message, text) = error("<a x=1/>");
        assert_eq!(message, "attribute value `1` is not quoted");
        assert_eq!(text, "1");
        let (message, text) = error("<a checked/>");
        assert_eq!(message, "attribute `checked` has no value");
        assert_eq!(text, "checked");
        let (message, text) = error("<a x=\"<\"/>");
        assert_eq!(message, "`<` is not allowed in an attribute value");
        assert_eq!(text, "<");
        let (message, _) = error("<a / ></a>");
        assert_eq!(message, "unexpected `/` in a tag");
        let (message, text) = error("<a 1x=\"1\"/>");
        assert_eq!(message, "invalid attribute name `1x`");
        assert_eq!(text, "1x");
        // Good attributes next to bad ones are kept.
        let doc = parse("<a x=1 y=\"2\"/>");
        let a = doc.root.unwrap();
        assert_eq!(a.attribute("y").unwrap().value, "2");
    }

    #[test]
    fn nasty_inputs_do_not_panic() {
        for src in [
            "<",
            "<<",
            ">",
            "&",
            "&;",
            "&#",
            "]]>",
            "<!",
            "<!-",
            "<!--",
            "<![",
            "<![CDATA[",
            "<!D",
            "<!DOCTYPE",
            "<!DOCTYPE [",
            "<!DOCTYPE a [<!ENTITY",
            "<!DOCTYPE a [<!ENTITY e",
            "<!DOCTYPE a [<!ENTITY e \"",
            "<?",
            "<?xml",
            "</",
            "</>",
            "<a",
            "<a ",
            "<a x",
            "<a x=",
            "<a x='",
            "<a/",
            "<a>&",
            "<a>&#x",
            "<a>&é;</a>",
            "<é/>",
            "<a>\u{0}",
            "\u{feff}\u{feff}\u{feff}",
            "<a><b><c></a></b></c>",
            "</a></b><a>",
            "<a></a></a>",
            "<a>&#xFFFFFFFFFF;</a>",
            "<a x='&#0;'/>",
            "<:a/>",
            "<a:/>",
            "<a xmlns:=''/>",
        ] {
            parse(src);
        }
    }
}
