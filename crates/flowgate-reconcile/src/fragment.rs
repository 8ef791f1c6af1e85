//! The asset's own SQL — a side's `query` and `filter`, each side of an aggregate check — is
//! spliced into the engine's statements. Each fragment must stay one self-contained piece of
//! one statement: no `;` outside string literals and comments (no second statement), every
//! parenthesis it closes opened by itself (so it cannot leave the `WHERE (…)` or `FROM (…)` it
//! is placed in) and every quote and comment closed.
//!
//! Fragments are read with the lexical rules of the database that runs them; the sessions pin
//! the settings these rules depend on (MySQL without `NO_BACKSLASH_ESCAPES` and
//! `ANSI_QUOTES`, PostgreSQL with `standard_conforming_strings`). Where a reading is
//! ambiguous, the fragment is refused rather than guessed at.

use crate::error::{Error, Invalid, Result};

/// Whose lexical rules a fragment is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lexis {
    /// MySQL/MariaDB: backslash escapes in `'…'` and `"…"`, `` `…` `` identifiers, `-- `
    /// and `#` line comments, flat `/* */` comments (`/*!…*/` runs as SQL: refused).
    MySql,
    /// PostgreSQL: `''` doubling (backslashes only in `E'…'`), `"…"` identifiers,
    /// `$tag$…$tag$` strings, `--` line comments, nested `/* */` comments.
    Postgres,
    /// SQLite: `''` doubling, `"…"`, `` `…` `` and `[…]` identifiers, `--` line comments,
    /// flat `/* */` comments.
    Sqlite,
}

/// What is wrong with a fragment, at which character.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    /// Character offset (from 1) in the fragment.
    at: usize,
    what: &'static str,
}

/// Check a fragment; the error names the asset `field` (`left.filter`) and the character.
pub(crate) fn check(lexis: Lexis, field: &str, sql: &str) -> Result<()> {
    scan(lexis, sql.as_bytes()).map_err(|p| {
        let at = sql.char_indices().take_while(|(i, _)| *i < p.at).count() + 1;
        Error::from(Invalid::Fragment {
            field: field.to_owned(),
            at,
            problem: p.what,
        })
    })
}

const SEMICOLON: &str = "a `;` outside quotes would end the statement and start another, which is never run: remove it, or write it inside a quoted text value";
const UNOPENED: &str =
    "this `)` closes a parenthesis the fragment did not open: balance the parentheses";
const UNCLOSED: &str = "a `(` is never closed: balance the parentheses";
const QUOTE: &str = "a quote opened here is never closed (with MySQL, `\\'` escapes a quote; with PostgreSQL and SQLite, double it: `''`)";
const COMMENT: &str = "a `/*` comment opened here is never closed";
const EXECUTABLE: &str = "MySQL executable comments (`/*!…*/`, `/*M!…*/`) run as SQL and are refused: write the SQL without the comment";

/// Byte offset of the problem, if any.
fn scan(lexis: Lexis, b: &[u8]) -> std::result::Result<(), Problem> {
    let problem = |at: usize, what| Problem { at, what };
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        i = match b[i] {
            b';' => return Err(problem(i, SEMICOLON)),
            b'(' => {
                depth += 1;
                i
            }
            b')' => {
                depth = depth.checked_sub(1).ok_or(problem(i, UNOPENED))?;
                i
            }
            b'\'' => quoted(b, i, b'\'', backslash(lexis, b, i)).ok_or(problem(i, QUOTE))?,
            b'"' => quoted(b, i, b'"', lexis == Lexis::MySql).ok_or(problem(i, QUOTE))?,
            b'`' if lexis != Lexis::Postgres => {
                quoted(b, i, b'`', false).ok_or(problem(i, QUOTE))?
            }
            b'[' if lexis == Lexis::Sqlite => find(b, i + 1, b"]").ok_or(problem(i, QUOTE))?,
            b'-' if line_comment(lexis, b, i) => find(b, i, b"\n").unwrap_or(b.len()),
            b'#' if lexis == Lexis::MySql => find(b, i, b"\n").unwrap_or(b.len()),
            b'/' if b.get(i + 1) == Some(&b'*') => block_comment(lexis, b, i)?,
            b'$' if lexis == Lexis::Postgres => dollar_quoted(b, i).ok_or(problem(i, QUOTE))?,
            _ => i,
        } + 1;
    }
    if depth > 0 {
        return Err(problem(b.len(), UNCLOSED));
    }
    Ok(())
}

/// Whether backslash escapes apply in the `'` literal opening at `i`.
fn backslash(lexis: Lexis, b: &[u8], i: usize) -> bool {
    match lexis {
        Lexis::MySql => true,
        Lexis::Sqlite => false,
        // `E'…'` (escape string), not the end of an identifier such as `date'…'`.
        Lexis::Postgres => {
            i >= 1 && matches!(b[i - 1], b'E' | b'e') && (i < 2 || !ident_byte(b[i - 2]))
        }
    }
}

/// The offset of the quote closing the one at `open` (`qq` inside is a quote).
fn quoted(b: &[u8], open: usize, q: u8, backslash: bool) -> Option<usize> {
    let mut j = open + 1;
    while j < b.len() {
        if backslash && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == q {
            if b.get(j + 1) == Some(&q) {
                j += 2;
                continue;
            }
            return Some(j);
        }
        j += 1;
    }
    None
}

/// The offset of the last byte of `needle` at or after `from`.
fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p + needle.len() - 1)
}

/// Whether `--` at `i` starts a comment (MySQL wants a space or control character after it).
fn line_comment(lexis: Lexis, b: &[u8], i: usize) -> bool {
    if b.get(i + 1) != Some(&b'-') {
        return false;
    }
    match lexis {
        Lexis::MySql => b.get(i + 2).is_none_or(|c| *c <= b' '),
        Lexis::Postgres | Lexis::Sqlite => true,
    }
}

/// The offset of the `/` closing the comment opened at `i`.
fn block_comment(lexis: Lexis, b: &[u8], i: usize) -> std::result::Result<usize, Problem> {
    let unclosed = Problem {
        at: i,
        what: COMMENT,
    };
    if lexis == Lexis::MySql && (b.get(i + 2) == Some(&b'!') || b.get(i + 2..i + 4) == Some(b"M!"))
    {
        return Err(Problem {
            at: i,
            what: EXECUTABLE,
        });
    }
    if lexis != Lexis::Postgres {
        return find(b, i + 2, b"*/").ok_or(unclosed);
    }
    // PostgreSQL comments nest.
    let mut depth = 0usize;
    let mut j = i;
    while j + 1 < b.len() {
        match (b[j], b[j + 1]) {
            (b'/', b'*') => {
                depth += 1;
                j += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                if depth == 0 {
                    return Ok(j + 1);
                }
                j += 2;
            }
            _ => j += 1,
        }
    }
    Err(unclosed)
}

/// The offset of the last `$` of the dollar-quoted string opening at `i`, or `i` itself when
/// `$` starts no such string (a parameter such as `$1`, or part of an identifier).
fn dollar_quoted(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && ident_byte(b[i - 1]) {
        return Some(i);
    }
    let tag_len = b[i + 1..]
        .iter()
        .take_while(|c| ident_byte(**c) && **c != b'$')
        .count();
    let tag_end = i + 1 + tag_len;
    let opens = b.get(tag_end) == Some(&b'$') && !b.get(i + 1).is_some_and(u8::is_ascii_digit);
    if !opens {
        return Some(i);
    }
    let tag = &b[i..=tag_end];
    find(b, tag_end + 1, tag)
}

fn ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(lexis: Lexis, sql: &str) -> bool {
        check(lexis, "left.filter", sql).is_ok()
    }

    /// The message of the error a fragment gets (empty when it passes).
    fn refusal(lexis: Lexis, field: &str, sql: &str) -> String {
        check(lexis, field, sql)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    const ALL: [Lexis; 3] = [Lexis::MySql, Lexis::Postgres, Lexis::Sqlite];

    #[test]
    fn ordinary_predicates_and_queries_pass() {
        for lexis in ALL {
            assert!(ok(lexis, "store_id IN (1, 2) AND status <> 'it''s; fine'"));
            assert!(ok(
                lexis,
                "SELECT a, COUNT(*) AS n FROM t -- per a\nGROUP BY a"
            ));
            assert!(ok(lexis, "x = 1 /* a ; in a comment */"));
            assert!(ok(lexis, "note = 'trailing comment' -- ends the fragment"));
        }
        assert!(ok(Lexis::MySql, r"name = 'o\'k; still text'"));
        assert!(ok(Lexis::MySql, "`odd;name` = 1 # a comment; too"));
        assert!(ok(
            Lexis::Postgres,
            "body = $x$ ; ) $x$ AND \"a;b\" = E'\\';'"
        ));
        assert!(ok(Lexis::Postgres, "a = $1 /* /* nested ; */ ) */"));
        assert!(ok(Lexis::Sqlite, "[odd;name] = 1"));
    }

    #[test]
    fn a_second_statement_is_refused_with_the_field_and_character() {
        for lexis in ALL {
            let err = refusal(lexis, "right.filter", "1=1); DROP TABLE t; SELECT (1");
            assert!(err.starts_with("right.filter: "), "{err}");
            assert!(err.contains("character 4"), "{err}");
        }
        for lexis in ALL {
            let err = refusal(lexis, "left.query", "SELECT 1; DROP TABLE t");
            assert!(err.contains("`;`") && err.contains("character 9"), "{err}");
        }
    }

    #[test]
    fn ambiguous_or_escaping_fragments_are_refused() {
        // A backslash does not escape in PostgreSQL or SQLite: the `;` is outside.
        assert!(!ok(Lexis::Postgres, r"a = 'x\'; DROP TABLE t; --'"));
        assert!(!ok(Lexis::Sqlite, r"a = 'x\'; DROP TABLE t; --'"));
        // MySQL needs a space after `--`, and `/*!` runs.
        assert!(!ok(Lexis::MySql, "1 --1; DROP TABLE t"));
        assert!(!ok(Lexis::MySql, "1 /*!50000 ; DROP TABLE t */"));
        // MySQL comments do not nest: the `;` is outside.
        assert!(!ok(Lexis::MySql, "1 /* /* */ ; */"));
        // PostgreSQL's `#` is an operator, not a comment.
        assert!(!ok(Lexis::Postgres, "1 # ; DROP TABLE t"));
        for lexis in ALL {
            assert!(!ok(lexis, "1=1) INTO OUTFILE '/tmp/x' -- "));
            assert!(!ok(lexis, "(1=1"));
            assert!(!ok(lexis, "a = 'open"));
            assert!(!ok(lexis, "a = 1 /* open"));
        }
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        let err = refusal(Lexis::Postgres, "left.filter", "name = 'ß' ;");
        assert!(err.contains("character 12"), "{err}");
    }
}
