//! Named parameters (`:from`, `:to`, `:cohort`) rewritten to the database's positional
//! placeholders, outside string literals, quoted identifiers and comments. The values are
//! then bound, never spliced into the text.

/// The names flowgate binds.
pub const NAMES: [&str; 3] = ["from", "to", "cohort"];

/// A query with positional placeholders, and the name bound at each position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedParameters {
    /// The rewritten SQL.
    pub sql: String,
    /// The parameter bound at each position (`$1` is `order[0]`).
    pub order: Vec<&'static str>,
}

/// Rewrite `:from`, `:to` and `:cohort` in `sql`. With `dollar` (PostgreSQL) each distinct
/// name gets one `$n`; otherwise (MySQL, SQLite) every use is a `?` of its own.
pub fn bind_names(sql: &str, dollar: bool) -> NamedParameters {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len());
    let mut order: Vec<&'static str> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let skip_to = match c {
            '\'' | '"' | '`' => quoted_end(&chars, i, c),
            '-' if chars.get(i + 1) == Some(&'-') => line_end(&chars, i),
            '/' if chars.get(i + 1) == Some(&'*') => comment_end(&chars, i),
            ':' if chars.get(i + 1) == Some(&':') => i + 2,
            _ => i,
        };
        if skip_to > i {
            out.extend(&chars[i..skip_to]);
            i = skip_to;
            continue;
        }
        if c == ':' {
            if let Some((name, len)) = parameter_at(&chars, i + 1) {
                if dollar {
                    let position = match order.iter().position(|n| *n == name) {
                        Some(p) => p,
                        None => {
                            order.push(name);
                            order.len() - 1
                        }
                    };
                    out.push_str(&format!("${}", position + 1));
                } else {
                    order.push(name);
                    out.push('?');
                }
                i += 1 + len;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    NamedParameters { sql: out, order }
}

fn parameter_at(chars: &[char], start: usize) -> Option<(&'static str, usize)> {
    let mut end = start;
    while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
        end += 1;
    }
    let word: String = chars[start..end].iter().collect();
    NAMES
        .iter()
        .find(|n| **n == word)
        .map(|n| (*n, end - start))
}

/// The index after a quoted run opened at `start` (doubled quotes and backslash escapes
/// stay inside); the end of the text when it is not closed.
fn quoted_end(chars: &[char], start: usize, quote: char) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == '\\' && quote == '\'' {
            i += 2;
            continue;
        }
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

fn line_end(chars: &[char], start: usize) -> usize {
    chars[start..]
        .iter()
        .position(|&c| c == '\n')
        .map_or(chars.len(), |p| start + p)
}

fn comment_end(chars: &[char], start: usize) -> usize {
    let mut i = start + 2;
    while i + 1 < chars.len() {
        if chars[i] == '*' && chars[i + 1] == '/' {
            return i + 2;
        }
        i += 1;
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_rewritten_outside_literals_and_casts() {
        let sql = "SELECT ':from', x::text, \"a:to\" FROM t -- :to\nWHERE at >= :from AND at < :to AND c = :cohort AND d >= :from /* :x */ AND :fromage";
        let pg = bind_names(sql, true);
        assert_eq!(
            pg.sql,
            "SELECT ':from', x::text, \"a:to\" FROM t -- :to\nWHERE at >= $1 AND at < $2 AND c = $3 AND d >= $1 /* :x */ AND :fromage"
        );
        assert_eq!(pg.order, ["from", "to", "cohort"]);
        let my = bind_names(sql, false);
        assert_eq!(my.order, ["from", "to", "cohort", "from"]);
        assert!(my.sql.contains("at >= ? AND at < ? AND c = ? AND d >= ?"));
    }

    #[test]
    fn an_injection_attempt_stays_text() {
        let p = bind_names("SELECT 1 WHERE a = ':from'' OR 1=1 --'", false);
        assert!(p.order.is_empty());
    }
}
