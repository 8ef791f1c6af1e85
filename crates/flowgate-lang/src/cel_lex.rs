//! A small, forgiving scanner for CEL source text.
//!
//! The CEL parser we use does not report source offsets for a successful parse, so uses of
//! data fields are located by matching token sequences (`contact` `.` `first_name`) in the
//! text. The scanner also measures how many operators an expression holds, to refuse inputs
//! whose syntax trees would be too deep to handle safely. It never fails: anything it does
//! not recognise becomes a one-character punctuation token.

/// What kind of token was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// An identifier or keyword: `contact`, `in`, `true`.
    Ident,
    /// A string or bytes literal, quotes and prefix included.
    Str,
    /// A numeric literal.
    Number,
    /// One punctuation or operator character.
    Punct(char),
}

/// One token with its byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }

    /// Whether the token is the punctuation character `c`.
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokenKind::Punct(c)
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Split `source` into tokens, skipping whitespace and `//` comments.
pub(crate) fn tokenize(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        if is_ident_start(b) {
            let mut end = i;
            while end < bytes.len() && is_ident_continue(bytes[end]) {
                end += 1;
            }
            // `r"…"`, `b'…'`, `rb"…"`: a string prefix rather than an identifier.
            let word = &bytes[start..end];
            let is_prefix = word.len() <= 2
                && word
                    .iter()
                    .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b'));
            if is_prefix && matches!(bytes.get(end), Some(b'"' | b'\'')) {
                let raw = word.iter().any(|c| c.eq_ignore_ascii_case(&b'r'));
                i = scan_string(bytes, end, raw);
                tokens.push(Token {
                    kind: TokenKind::Str,
                    start,
                    end: i,
                });
                continue;
            }
            i = end;
            tokens.push(Token {
                kind: TokenKind::Ident,
                start,
                end,
            });
            continue;
        }
        if b == b'"' || b == b'\'' {
            i = scan_string(bytes, i, false);
            tokens.push(Token {
                kind: TokenKind::Str,
                start,
                end: i,
            });
            continue;
        }
        if b.is_ascii_digit() || (b == b'.' && bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit()))
        {
            i = scan_number(bytes, i);
            tokens.push(Token {
                kind: TokenKind::Number,
                start,
                end: i,
            });
            continue;
        }
        // Any other character, possibly multi-byte: one punctuation token.
        let c = source.get(i..).and_then(|rest| rest.chars().next());
        let (c, width) = c.map_or(('\u{fffd}', 1), |c| (c, c.len_utf8()));
        i += width;
        tokens.push(Token {
            kind: TokenKind::Punct(c),
            start,
            end: i,
        });
    }
    tokens
}

/// Scan a string literal whose opening quote is at `i`; returns the offset after it (or the end
/// of the text when it is not terminated).
fn scan_string(bytes: &[u8], i: usize, raw: bool) -> usize {
    let quote = bytes[i];
    let triple = bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote);
    let mut j = if triple { i + 3 } else { i + 1 };
    while j < bytes.len() {
        let c = bytes[j];
        if c == b'\\' && !raw {
            j += 2;
            continue;
        }
        if triple {
            if c == quote && bytes.get(j + 1) == Some(&quote) && bytes.get(j + 2) == Some(&quote) {
                return j + 3;
            }
        } else if c == quote {
            return j + 1;
        } else if c == b'\n' {
            // An unterminated single-line string ends at the line break.
            return j;
        }
        j += 1;
    }
    bytes.len()
}

fn scan_number(bytes: &[u8], start: usize) -> usize {
    let hex = bytes.get(start) == Some(&b'0') && matches!(bytes.get(start + 1), Some(b'x' | b'X'));
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        let exponent_sign =
            !hex && matches!(c, b'+' | b'-') && i > start && matches!(bytes[i - 1], b'e' | b'E');
        let fraction = c == b'.' && bytes.get(i + 1).is_some_and(|d| d.is_ascii_digit());
        if c.is_ascii_alphanumeric() || c == b'_' || fraction || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// How many operator and bracket characters (outside literals and comments) the tokens
/// hold: an upper bound on how deep the syntax tree can nest.
pub(crate) fn operator_count(source: &str, tokens: &[Token]) -> usize {
    tokens
        .iter()
        .filter(|t| match t.kind {
            TokenKind::Punct(c) => matches!(
                c,
                '.' | '('
                    | '['
                    | '{'
                    | '?'
                    | '!'
                    | '-'
                    | '+'
                    | '*'
                    | '/'
                    | '%'
                    | '<'
                    | '>'
                    | '='
                    | '&'
                    | '|'
            ),
            // `in` is a binary operator too.
            TokenKind::Ident => t.text(source) == "in",
            _ => false,
        })
        .count()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn kinds(source: &str) -> Vec<(TokenKind, &str)> {
        tokenize(source)
            .into_iter()
            .map(|t| (t.kind, t.text(source)))
            .collect()
    }

    #[test]
    fn scans_identifiers_strings_and_punctuation() {
        assert_eq!(
            kinds(r#"contact.x == "a.b" && r'c' // contact.y"#),
            vec![
                (TokenKind::Ident, "contact"),
                (TokenKind::Punct('.'), "."),
                (TokenKind::Ident, "x"),
                (TokenKind::Punct('='), "="),
                (TokenKind::Punct('='), "="),
                (TokenKind::Str, "\"a.b\""),
                (TokenKind::Punct('&'), "&"),
                (TokenKind::Punct('&'), "&"),
                (TokenKind::Str, "r'c'"),
            ]
        );
    }

    #[test]
    fn scans_numbers_and_escapes() {
        assert_eq!(
            kinds(r#"1.5e-3 + 0x1F + 3u "a\"b" """x"y""" é"#),
            vec![
                (TokenKind::Number, "1.5e-3"),
                (TokenKind::Punct('+'), "+"),
                (TokenKind::Number, "0x1F"),
                (TokenKind::Punct('+'), "+"),
                (TokenKind::Number, "3u"),
                (TokenKind::Str, r#""a\"b""#),
                (TokenKind::Str, r#""""x"y""""#),
                (TokenKind::Punct('é'), "é"),
            ]
        );
    }

    #[test]
    fn unterminated_strings_do_not_panic() {
        for source in ["\"abc", "'''abc", "\"a\\", "r\"", "b'''"] {
            let tokens = tokenize(source);
            assert!(tokens.iter().all(|t| t.end <= source.len()));
        }
    }
}
