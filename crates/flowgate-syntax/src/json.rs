//! A small recursive-descent JSON parser (RFC 8259) with precise spans.

use flowgate_diagnostics::{LineIndex, Span};

use crate::node::{dedup_entries, Entry, Lines, Node, Parsed, SyntaxError, Value, MAX_DEPTH};
use crate::Spanned;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parse one JSON document.
///
/// Never panics. On a fatal error `docs` is empty; recoverable errors (duplicate keys, a
/// trailing comma, a bad escape, trailing characters, ...) are reported and the document is
/// still returned.
pub fn parse_json(source: &str) -> Parsed {
    let mut parser = Parser {
        src: source,
        bytes: source.as_bytes(),
        pos: 0,
        errors: Vec::new(),
        lines: Lines::new(source),
        entry_stack: Vec::new(),
        item_stack: Vec::new(),
    };
    if parser.bytes.starts_with(BOM) {
        parser.pos = BOM.len();
    }
    let mut docs = Vec::new();
    parser.skip_ws();
    if parser.pos >= parser.bytes.len() {
        parser.errors.push(
            SyntaxError::new(Span::point(parser.pos), "empty JSON document")
                .with_help("a JSON file must contain one value, such as an object `{ ... }`"),
        );
    } else {
        match parser.value(0) {
            Ok(node) => {
                parser.skip_ws();
                if parser.pos < parser.bytes.len() {
                    let error = trailing_text(source, parser.pos, &node);
                    parser.errors.push(error);
                }
                docs.push(node);
            }
            Err(error) => parser.errors.push(error),
        }
    }
    let mut errors = parser.errors;
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    Parsed { docs, errors }
}

/// The error for text after the end of the document's value (`at` is where that text
/// starts): its hint says where the value ends, so that the author sees what was read.
fn trailing_text(source: &str, at: usize, value: &Node) -> SyntaxError {
    let rest = source.get(at..).unwrap_or("").trim_end();
    let last = source
        .get(..value.span.end as usize)
        .and_then(|head| head.char_indices().next_back())
        .map_or(0, |(offset, _)| offset);
    let end = LineIndex::new(source).line_col(source, u32::try_from(last).unwrap_or(u32::MAX));
    SyntaxError::new(
        Span::new(at, at + rest.len()),
        "trailing characters after the JSON document",
    )
    .with_help(format!(
        "remove the text after the end of the JSON value at line {}, column {}",
        end.line, end.column
    ))
}

type PResult<T> = Result<T, SyntaxError>;

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    errors: Vec<SyntaxError>,
    lines: Lines<'a>,
    /// Members of the objects being parsed, innermost last; each object takes its own off
    /// the top into an exactly sized `Vec` when it closes.
    entry_stack: Vec<Entry>,
    /// The same for array elements.
    item_stack: Vec<Node>,
}

fn describe(c: char) -> String {
    match c {
        '\n' => "a line break".to_owned(),
        '\r' => "a carriage return".to_owned(),
        '\t' => "a tab".to_owned(),
        c if c.is_control() => format!("control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

impl<'a> Parser<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// The character at `pos` (whole, even when not ASCII).
    fn char_at(&self, pos: usize) -> Option<char> {
        self.src.get(pos..).and_then(|s| s.chars().next())
    }

    /// Span of the character at `pos`, or an empty span at the end of input.
    fn char_span(&self, pos: usize) -> Span {
        match self.char_at(pos) {
            Some(c) => Span::new(pos, pos + c.len_utf8()),
            None => Span::point(pos),
        }
    }

    fn found(&self) -> String {
        match self.char_at(self.pos) {
            Some(c) => describe(c),
            None => "the end of the file".to_owned(),
        }
    }

    fn value(&mut self, depth: usize) -> PResult<Node> {
        let start = self.pos;
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => {
                let (value, span) = self.string()?;
                Ok(Node::new(span, Value::String(value)))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) if c.is_ascii_alphabetic() => self.literal(),
            Some(b'\'') => Err(SyntaxError::new(
                self.char_span(start),
                "JSON strings must be in double quotes",
            )
            .with_help("replace the single quotes `'` with double quotes `\"`")),
            Some(b'/') => Err(SyntaxError::new(
                self.char_span(start),
                "comments are not allowed in JSON",
            )),
            Some(b'+' | b'.') => Err(SyntaxError::new(
                self.char_span(start),
                format!("expected a value, found {}", self.found()),
            )
            .with_help("JSON numbers start with a digit or `-`")),
            Some(_) => Err(SyntaxError::new(
                self.char_span(start),
                format!("expected a value, found {}", self.found()),
            )),
            None => Err(SyntaxError::new(
                Span::point(start),
                "unexpected end of the file, expected a value",
            )),
        }
    }

    fn too_deep(&self) -> SyntaxError {
        SyntaxError::new(
            self.char_span(self.pos),
            format!("nesting deeper than {MAX_DEPTH} levels"),
        )
        .with_help("flatten the document; such deep nesting is not supported")
    }

    fn object(&mut self, depth: usize) -> PResult<Node> {
        if depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        let start = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Node::new(
                Span::new(start, self.pos),
                Value::Map(Vec::new()),
            ));
        }
        let mark = self.entry_stack.len();
        loop {
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.unclosed(start, "object", '}')),
                Some(_) => {
                    let error = SyntaxError::new(
                        self.char_span(self.pos),
                        format!("expected a string key, found {}", self.found()),
                    );
                    return Err(error.with_help("object keys must be strings in double quotes"));
                }
            }
            let (key, key_span) = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(match self.peek() {
                    None => self.unclosed(start, "object", '}'),
                    Some(_) => SyntaxError::new(
                        self.char_span(self.pos),
                        format!("expected `:` after object key, found {}", self.found()),
                    ),
                });
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            self.entry_stack.push(Entry {
                key: Spanned::new(key_span, key),
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.errors.push(
                            SyntaxError::new(Span::new(comma, comma + 1), "trailing comma")
                                .with_help("remove the `,` after the last member"),
                        );
                        self.pos += 1;
                        break;
                    }
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                None => return Err(self.unclosed(start, "object", '}')),
                Some(_) => {
                    let error = SyntaxError::new(
                        self.char_span(self.pos),
                        format!(
                            "expected `,` or `}}` after object member, found {}",
                            self.found()
                        ),
                    );
                    return Err(error.with_help("separate object members with `,`"));
                }
            }
        }
        let mut entries: Vec<Entry> = self.entry_stack.drain(mark..).collect();
        dedup_entries(&mut entries, &mut self.errors, &mut self.lines);
        Ok(Node::new(Span::new(start, self.pos), Value::Map(entries)))
    }

    fn array(&mut self, depth: usize) -> PResult<Node> {
        if depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        let start = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node::new(
                Span::new(start, self.pos),
                Value::Seq(Vec::new()),
            ));
        }
        let mark = self.item_stack.len();
        loop {
            if self.peek().is_none() {
                return Err(self.unclosed(start, "array", ']'));
            }
            let item = self.value(depth)?;
            self.item_stack.push(item);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.errors.push(
                            SyntaxError::new(Span::new(comma, comma + 1), "trailing comma")
                                .with_help("remove the `,` after the last element"),
                        );
                        self.pos += 1;
                        break;
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                None => return Err(self.unclosed(start, "array", ']')),
                Some(_) => {
                    let error = SyntaxError::new(
                        self.char_span(self.pos),
                        format!(
                            "expected `,` or `]` after array element, found {}",
                            self.found()
                        ),
                    );
                    return Err(error.with_help("separate array elements with `,`"));
                }
            }
        }
        let items: Vec<Node> = self.item_stack.drain(mark..).collect();
        Ok(Node::new(Span::new(start, self.pos), Value::Seq(items)))
    }

    fn unclosed(&mut self, start: usize, what: &str, close: char) -> SyntaxError {
        let line = self.lines.line_of(u32::try_from(start).unwrap_or(u32::MAX));
        SyntaxError::new(
            Span::point(self.pos),
            format!("unexpected end of the file inside an {what}"),
        )
        .with_help(format!(
            "the {what} opened on line {line} is not closed; add `{close}`"
        ))
    }

    /// A string starting at `self.pos` (which holds `"`). Returns the value and its span,
    /// quotes included.
    fn string(&mut self) -> PResult<(String, Span)> {
        let start = self.pos;
        let content = start + 1;
        let special = |b: &u8| *b == b'"' || *b == b'\\' || *b < 0x20;
        let rest = self.bytes.get(content..).unwrap_or(&[]);
        let Some(first) = rest.iter().position(special) else {
            return Err(self.unterminated(start, self.bytes.len()));
        };
        let stop = content + first;
        if self.bytes.get(stop) == Some(&b'"') {
            let value = self.src.get(content..stop).unwrap_or("").to_owned();
            self.pos = stop + 1;
            return Ok((value, Span::new(start, self.pos)));
        }
        // Slow path: escapes or control characters.
        let mut out = String::with_capacity(first + 16);
        let mut pos = content;
        loop {
            let rest = self.bytes.get(pos..).unwrap_or(&[]);
            let Some(offset) = rest.iter().position(special) else {
                return Err(self.unterminated(start, self.bytes.len()));
            };
            let at = pos + offset;
            out.push_str(self.src.get(pos..at).unwrap_or(""));
            match self.bytes.get(at).copied() {
                Some(b'"') => {
                    self.pos = at + 1;
                    return Ok((out, Span::new(start, self.pos)));
                }
                Some(b'\\') => pos = self.escape(at, &mut out)?,
                Some(b'\n' | b'\r') => return Err(self.unterminated(start, at)),
                Some(c) => {
                    let escape = match c {
                        0x08 => "\\b".to_owned(),
                        0x09 => "\\t".to_owned(),
                        0x0C => "\\f".to_owned(),
                        c => format!("\\u{:04X}", c),
                    };
                    self.errors.push(
                        SyntaxError::new(
                            Span::new(at, at + 1),
                            format!("{} in a string must be escaped", describe(char::from(c))),
                        )
                        .with_help(format!("write it as `{escape}`")),
                    );
                    out.push(char::from(c));
                    pos = at + 1;
                }
                None => return Err(self.unterminated(start, self.bytes.len())),
            }
        }
    }

    fn unterminated(&self, start: usize, end: usize) -> SyntaxError {
        SyntaxError::new(Span::new(start, end), "unterminated string").with_help(
            "close the string with `\"` on the same line; write line breaks inside strings as `\\n`",
        )
    }

    /// Decode the escape at `at` (which holds `\`) into `out`; returns the position after it.
    fn escape(&mut self, at: usize, out: &mut String) -> PResult<usize> {
        let Some(kind) = self.bytes.get(at + 1).copied() else {
            return Err(SyntaxError::new(
                Span::new(at, at + 1),
                "unterminated string",
            ));
        };
        let simple = match kind {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{C}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            return Ok(at + 2);
        }
        if kind != b'u' {
            let c = self.char_at(at + 1).unwrap_or('\u{FFFD}');
            let end = at + 1 + c.len_utf8();
            self.errors.push(
                SyntaxError::new(
                    Span::new(at, end),
                    format!("invalid escape `\\{}`", c.escape_debug()),
                )
                .with_help(
                    "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; \
                     write a backslash as `\\\\`",
                ),
            );
            out.push(c);
            return Ok(end);
        }
        let Some(high) = self.hex4(at + 2) else {
            let end = (at + 2..at + 6)
                .take_while(|&i| self.bytes.get(i).is_some_and(u8::is_ascii_hexdigit))
                .last()
                .map_or(at + 2, |i| i + 1);
            self.errors.push(
                SyntaxError::new(Span::new(at, end), "invalid unicode escape")
                    .with_help("`\\u` must be followed by exactly four hexadecimal digits"),
            );
            out.push('\u{FFFD}');
            return Ok(end);
        };
        let after = at + 6;
        match high {
            0xD800..=0xDBFF => {
                let low = if self.bytes.get(after) == Some(&b'\\')
                    && self.bytes.get(after + 1) == Some(&b'u')
                {
                    self.hex4(after + 2)
                } else {
                    None
                };
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        Ok(after + 6)
                    }
                    _ => {
                        self.lone_surrogate(at, high);
                        out.push('\u{FFFD}');
                        Ok(after)
                    }
                }
            }
            0xDC00..=0xDFFF => {
                self.lone_surrogate(at, high);
                out.push('\u{FFFD}');
                Ok(after)
            }
            code => {
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                Ok(after)
            }
        }
    }

    fn lone_surrogate(&mut self, at: usize, code: u32) {
        self.errors.push(
            SyntaxError::new(
                Span::new(at, at + 6),
                format!("lone surrogate `\\u{code:04X}` in a string"),
            )
            .with_help(
                "a high surrogate (\\uD800-\\uDBFF) must be followed by a low one \
                 (\\uDC00-\\uDFFF); or write the character itself",
            ),
        );
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes.get(at..at + 4)?;
        let mut code = 0u32;
        for &d in digits {
            let v = char::from(d).to_digit(16)?;
            code = code * 16 + v;
        }
        Some(code)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> PResult<Node> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    self.digits();
                    return Err(SyntaxError::new(
                        Span::new(start, self.pos),
                        "numbers cannot have leading zeros in JSON",
                    )
                    .with_help("remove the leading zeros, or write the value as a string"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => {
                return Err(SyntaxError::new(
                    Span::new(start, self.pos + self.char_span(self.pos).len()),
                    "invalid number: expected a digit after `-`",
                ))
            }
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(SyntaxError::new(
                    Span::new(start, self.pos),
                    "invalid number: expected a digit after the decimal point",
                ));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(SyntaxError::new(
                    Span::new(start, self.pos),
                    "invalid number: expected a digit in the exponent",
                ));
            }
        }
        let span = Span::new(start, self.pos);
        let text = self.src.get(start..self.pos).unwrap_or("0");
        if integral {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Node::new(span, Value::Int(i)));
            }
        }
        match text.parse::<f64>() {
            Ok(f) => Ok(Node::new(span, Value::Float(f))),
            Err(_) => Err(SyntaxError::new(span, "invalid number")),
        }
    }

    fn literal(&mut self) -> PResult<Node> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' {
                self.pos += 1;
            } else {
                break;
            }
        }
        let span = Span::new(start, self.pos);
        let word = self.src.get(start..self.pos).unwrap_or("");
        let value = match word {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => {
                let help = match word.to_ascii_lowercase().as_str() {
                    "true" | "false" | "null" => format!(
                        "JSON literals are lowercase: write `{}`",
                        word.to_ascii_lowercase()
                    ),
                    "none" | "nil" | "undefined" => "write `null`".to_owned(),
                    "nan" | "infinity" | "inf" => {
                        "JSON has no NaN or infinity; use a string or `null`".to_owned()
                    }
                    _ => "strings must be in double quotes".to_owned(),
                };
                return Err(
                    SyntaxError::new(span, format!("unexpected word `{word}`")).with_help(help)
                );
            }
        };
        Ok(Node::new(span, value))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use flowgate_diagnostics::{LineCol, LineIndex};

    fn ok(src: &str) -> Node {
        let parsed = parse_json(src);
        assert!(parsed.errors.is_empty(), "{src}: {:?}", parsed.errors);
        assert_eq!(parsed.docs.len(), 1);
        parsed.docs.into_iter().next().unwrap()
    }

    /// The single error of `src`: (message, text under the span).
    fn err(src: &str) -> (String, String) {
        let parsed = parse_json(src);
        assert_eq!(parsed.errors.len(), 1, "{src}: {:?}", parsed.errors);
        let e = &parsed.errors[0];
        let text = src[e.span.start as usize..e.span.end as usize].to_owned();
        (e.message.clone(), text)
    }

    fn text<'s>(src: &'s str, node: &Node) -> &'s str {
        &src[node.span.start as usize..node.span.end as usize]
    }

    #[test]
    fn scalars() {
        assert_eq!(ok("true").value, Value::Bool(true));
        assert_eq!(ok("false").value, Value::Bool(false));
        assert_eq!(ok(" null ").value, Value::Null);
        assert_eq!(ok("0").value, Value::Int(0));
        assert_eq!(ok("-12").value, Value::Int(-12));
        assert_eq!(ok("-9223372036854775808").value, Value::Int(i64::MIN));
        assert_eq!(
            ok("9223372036854775808").value,
            Value::Float(9_223_372_036_854_775_808.0)
        );
        assert_eq!(ok("1.0").value, Value::Float(1.0));
        assert_eq!(ok("1e3").value, Value::Float(1000.0));
        assert_eq!(ok("-0.5E-2").value, Value::Float(-0.005));
        assert_eq!(
            ok(r#""a\"b\\c\/d\b\f\n\r\t""#).value,
            Value::String("a\"b\\c/d\u{8}\u{c}\n\r\t".into())
        );
        assert_eq!(
            ok(r#""\u00e9\ud83d\ude00""#).value,
            Value::String("é😀".into())
        );
        assert_eq!(ok("\"héllo\"").value, Value::String("héllo".into()));
    }

    #[test]
    fn spans_point_at_the_source() {
        let src = "{\n  \"name\": \"ü\",\n  \"list\": [1, {\"x\": null}]\n}\n";
        let root = ok(src);
        assert_eq!(text(src, &root), &src[..src.len() - 1]);
        let name = root.get("name").unwrap();
        assert_eq!(text(src, name), "\"ü\"");
        let entry = root.entry("list").unwrap();
        assert_eq!(
            &src[entry.key.span.start as usize..entry.key.span.end as usize],
            "\"list\""
        );
        let list = root.get("list").unwrap();
        assert_eq!(text(src, list), "[1, {\"x\": null}]");
        let x = list.as_seq().unwrap()[1].get("x").unwrap();
        assert_eq!(text(src, x), "null");
        let index = LineIndex::new(src);
        assert_eq!(
            index.line_col(src, x.span.start),
            LineCol {
                line: 3,
                column: 21
            }
        );
    }

    #[test]
    fn bom_is_skipped() {
        let src = "\u{feff}{\"a\": 1}";
        let root = ok(src);
        assert_eq!(root.span.start, 3);
        assert_eq!(root.get("a").unwrap().as_i64(), Some(1));
    }

    #[test]
    fn every_error_has_a_precise_span() {
        let cases: &[(&str, &str, &str)] = &[
            ("", "empty JSON document", ""),
            (
                "{\"a\": 1 \"b\": 2}",
                "expected `,` or `}` after object member, found `\"`",
                "\"",
            ),
            (
                "[1 2]",
                "expected `,` or `]` after array element, found `2`",
                "2",
            ),
            ("{\"a\" 1}", "expected `:` after object key, found `1`", "1"),
            ("{a: 1}", "expected a string key, found `a`", "a"),
            ("\"abc", "unterminated string", "\"abc"),
            ("[\"abc\n\"]", "unterminated string", "\"abc"),
            ("\"a\\x\"", "invalid escape `\\x`", "\\x"),
            ("\"a\\u12\"", "invalid unicode escape", "\\u12"),
            (
                "\"\\ud83d\"",
                "lone surrogate `\\uD83D` in a string",
                "\\ud83d",
            ),
            (
                "\"\\ude00x\"",
                "lone surrogate `\\uDE00` in a string",
                "\\ude00",
            ),
            ("\"a\tb\"", "a tab in a string must be escaped", "\t"),
            ("[1,]", "trailing comma", ","),
            ("{\"a\": 1,}", "trailing comma", ","),
            ("{} x", "trailing characters after the JSON document", "x"),
            ("01", "numbers cannot have leading zeros in JSON", "01"),
            ("-", "invalid number: expected a digit after `-`", "-"),
            (
                "1.",
                "invalid number: expected a digit after the decimal point",
                "1.",
            ),
            (
                "1e+",
                "invalid number: expected a digit in the exponent",
                "1e+",
            ),
            ("True", "unexpected word `True`", "True"),
            ("'a'", "JSON strings must be in double quotes", "'"),
            ("// c\n1", "comments are not allowed in JSON", "/"),
            ("[1, , 2]", "expected a value, found `,`", ","),
            ("{\"a\": }", "expected a value, found `}`", "}"),
            (
                "{\"a\": ",
                "unexpected end of the file, expected a value",
                "",
            ),
            ("[1", "unexpected end of the file inside an array", ""),
            (
                "{\"a\": 1",
                "unexpected end of the file inside an object",
                "",
            ),
            ("{\"a\": 1, \"a\": 2}", "duplicate key `a`", "\"a\""),
        ];
        for (src, message, under) in cases {
            let (m, t) = err(src);
            assert_eq!(
                (m.as_str(), t.as_str()),
                (*message, *under),
                "input {src:?}"
            );
        }
    }

    #[test]
    fn trailing_text_says_where_the_value_ends() {
        let src = "{\n  \"nodes\": []\n}\n\nsaved from the editor\n";
        let parsed = parse_json(src);
        assert_eq!(parsed.docs.len(), 1);
        let error = &parsed.errors[0];
        assert_eq!(error.message, "trailing characters after the JSON document");
        assert_eq!(
            &src[error.span.start as usize..error.span.end as usize],
            "saved from the editor"
        );
        assert_eq!(
            error.help.as_deref(),
            Some("remove the text after the end of the JSON value at line 3, column 1")
        );
        // A second value gets the same hint: the first one is what was read (columns count
        // characters, not bytes).
        let parsed = parse_json("{\"a\": \"é\"} {\"b\": 2}");
        assert_eq!(
            parsed.errors[0].help.as_deref(),
            Some("remove the text after the end of the JSON value at line 1, column 10")
        );
    }

    #[test]
    fn recoverable_errors_keep_the_document() {
        let parsed = parse_json("{\"a\": [1,], \"a\": \"x\\qy\"}");
        assert_eq!(parsed.errors.len(), 3, "{:?}", parsed.errors);
        let root = &parsed.docs[0];
        assert_eq!(root.as_map().unwrap().len(), 1);
        assert_eq!(root.get("a").unwrap().as_seq().unwrap().len(), 1);
    }

    #[test]
    fn duplicate_keys_in_large_objects() {
        let mut src = String::from("{");
        for i in 0..40 {
            src.push_str(&format!("\"k{}\": {i},", i % 30));
        }
        src.push_str("\"end\": 0}");
        let parsed = parse_json(&src);
        assert_eq!(parsed.errors.len(), 10);
        assert!(parsed.errors[0].message.contains("`k0`"));
        assert_eq!(
            parsed.errors[0].help.as_deref(),
            Some("`k0` is already defined on line 1; remove one of the two")
        );
        let root = &parsed.docs[0];
        assert_eq!(root.as_map().unwrap().len(), 31);
        assert_eq!(root.get("k0").unwrap().as_i64(), Some(0));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "[".repeat(100_000);
        let parsed = parse_json(&src);
        assert!(parsed.docs.is_empty());
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].message, "nesting deeper than 128 levels");
        assert_eq!(parsed.errors[0].span.start, 128);
        let ok_src = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse_json(&ok_src).is_ok());
        let deep_objects = "{\"a\":".repeat(200);
        assert_eq!(parse_json(&deep_objects).errors.len(), 1);
    }
}
