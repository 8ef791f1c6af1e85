//! Dialect-aware SQL: the normalised text of every compared value, the per-row checksum and
//! the key hash, written so MySQL/MariaDB and PostgreSQL produce the same bytes for the same
//! logical value.
//!
//! Exactness rules (see `docs/reconcile.md`): every value becomes text before hashing;
//! decimals are rounded to a fixed number of decimals and printed with exactly that many;
//! text has `~` doubled and ends with `~.`;
//! timestamps become `YYYY-MM-DD HH:MM:SS` in UTC; `NULL` is `~n`, apart from every
//! value, so `NULL`, `''` and `'~n'` differ.

use flowgate_model::{Case, SideColumn, ValueType};

/// The SQL dialect of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// MySQL or MariaDB.
    MySql,
    /// PostgreSQL.
    Postgres,
}

impl Dialect {
    /// The dialect of a connection URL, by its scheme.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split_once("://").map(|(s, _)| s)?;
        match scheme {
            "mysql" | "mariadb" => Some(Self::MySql),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }

    /// A quoted identifier; `schema.table` is quoted part by part.
    pub fn ident(self, name: &str) -> String {
        let q = match self {
            Self::MySql => '`',
            Self::Postgres => '"',
        };
        name.split('.')
            .map(|part| {
                let escaped = part.replace(q, &format!("{q}{q}"));
                format!("{q}{escaped}{q}")
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A string literal.
    pub fn literal(self, text: &str) -> String {
        let escaped = text.replace('\'', "''");
        match self {
            // MySQL also treats backslash as an escape in literals by default.
            Self::MySql => format!("'{}'", escaped.replace('\\', "\\\\")),
            Self::Postgres => format!("'{escaped}'"),
        }
    }

    /// An expression as text.
    pub fn text(self, expr: &str) -> String {
        match self {
            Self::MySql => format!("CAST({expr} AS CHAR)"),
            Self::Postgres => format!("({expr})::text"),
        }
    }

    /// Concatenation of expressions that are never NULL.
    pub fn concat(self, parts: &[String]) -> String {
        match self {
            Self::MySql => format!("CONCAT({})", parts.join(", ")),
            Self::Postgres => format!("({})", parts.join(" || ")),
        }
    }

    /// A value made unambiguous for hashing, evaluating it once: `~` is doubled and the
    /// value ends with `~.`; NULL is `~n`. So `NULL`, `''`, `'~n'` and a value split
    /// differently across columns all encode differently.
    pub fn encode(self, expr: &str, value_type: ValueType) -> String {
        // Numbers, timestamps and dates are printed without `~`: nothing to escape.
        let escaped = match value_type {
            ValueType::Text => format!("REPLACE({expr}, '~', '~~')"),
            _ => expr.to_owned(),
        };
        match self {
            Self::MySql => format!("COALESCE(CONCAT({escaped}, '~.'), '~n')"),
            Self::Postgres => format!("COALESCE({escaped} || '~.', '~n')"),
        }
    }

    /// 60 bits of the MD5 of a text as a non-negative integer; summed per segment (the sum
    /// is exact: DECIMAL in MySQL, NUMERIC in PostgreSQL).
    pub fn row_hash(self, text: &str) -> String {
        match self {
            Self::MySql => format!("CAST(CONV(SUBSTRING(MD5({text}), 18), 16, 10) AS UNSIGNED)"),
            Self::Postgres => format!("('x' || substr(md5({text}), 18))::bit(60)::bigint"),
        }
    }

    /// 32 bits of the MD5 of a text: where a row falls when rows are split by key hash.
    pub fn key_hash(self, text: &str) -> String {
        match self {
            Self::MySql => format!("CAST(CONV(SUBSTRING(MD5({text}), 1, 8), 16, 10) AS UNSIGNED)"),
            Self::Postgres => format!("('x' || substr(md5({text}), 1, 8))::bit(32)::bigint"),
        }
    }

    /// Integer division of non-negative integers.
    pub fn div(self, a: &str, b: u64) -> String {
        match self {
            Self::MySql => format!("(({a}) DIV {b})"),
            Self::Postgres => format!("(({a})::bigint / {b})"),
        }
    }

    /// An aggregate sum as text.
    pub fn sum_text(self, expr: &str) -> String {
        match self {
            Self::MySql => format!("CAST(SUM({expr}) AS CHAR)"),
            Self::Postgres => format!("(SUM({expr}))::text"),
        }
    }

    /// A timestamp literal in UTC.
    pub fn timestamp_literal(self, utc: &str) -> String {
        match self {
            Self::MySql => format!("TIMESTAMP'{utc}'"),
            Self::Postgres => format!("TIMESTAMPTZ '{utc}+00'"),
        }
    }

    /// The normalised text of a column after its transforms, or NULL.
    ///
    /// `scale` is the number of decimals a decimal is printed with; `timezone` is the zone
    /// naive timestamps of the source are stored in.
    pub fn normalise(
        self,
        side: &SideColumn,
        value_type: ValueType,
        scale: u32,
        timezone: Option<&str>,
    ) -> String {
        let column = self.ident(&side.column);
        match value_type {
            ValueType::Text => self.text_transforms(side, &self.text(&column)),
            ValueType::Integer => {
                let v = self.numeric(side, &column);
                match self {
                    Self::MySql => format!("CAST(CAST({v} AS SIGNED) AS CHAR)"),
                    Self::Postgres => format!("(round(({v})::numeric)::bigint)::text"),
                }
            }
            ValueType::Decimal => {
                let v = self.numeric(side, &column);
                match self {
                    // `+ 0.0` makes whole numbers DECIMAL, whose ROUND prints exactly `scale`
                    // decimals (a CAST to DECIMAL(65, s) costs twice as much).
                    Self::MySql => format!("CAST(ROUND({v} + 0.0, {scale}) AS CHAR)"),
                    Self::Postgres => format!("(round(({v})::numeric, {scale}))::text"),
                }
            }
            ValueType::Timestamp => match self {
                Self::MySql => {
                    let v = match timezone {
                        Some(zone) => {
                            format!("CONVERT_TZ({column}, {}, '+00:00')", self.literal(zone))
                        }
                        None => column,
                    };
                    format!("DATE_FORMAT({v}, '%Y-%m-%d %H:%i:%s')")
                }
                Self::Postgres => {
                    let v = match timezone {
                        // PostgreSQL reads a zone text such as `+02:00` the POSIX way
                        // (west of UTC); an interval keeps the ISO sign MySQL uses.
                        Some(zone) if is_offset(zone) => format!(
                            "(({column})::timestamp AT TIME ZONE INTERVAL {})",
                            self.literal(zone)
                        ),
                        Some(zone) => {
                            format!(
                                "(({column})::timestamp AT TIME ZONE {})",
                                self.literal(zone)
                            )
                        }
                        None => format!("({column})::timestamptz"),
                    };
                    // Same text as `to_char(…, 'YYYY-MM-DD HH24:MI:SS')`, at a fraction of the cost.
                    format!("(date_trunc('second', {v} AT TIME ZONE 'UTC'))::text")
                }
            },
            ValueType::Date => match self {
                Self::MySql => format!("DATE_FORMAT({column}, '%Y-%m-%d')"),
                Self::Postgres => format!("to_char(({column})::date, 'YYYY-MM-DD')"),
            },
        }
    }

    fn numeric(self, side: &SideColumn, column: &str) -> String {
        let mut v = column.to_owned();
        if let Some(factor) = &side.multiply_by {
            v = format!("({v} * {})", self.ident(factor));
        }
        if let Some(divisor) = side.divide {
            v = match self {
                Self::MySql => format!("({v} / {divisor})"),
                Self::Postgres => format!("(({v})::numeric / {divisor})"),
            };
        }
        v
    }

    fn text_transforms(self, side: &SideColumn, text: &str) -> String {
        let mut v = text.to_owned();
        if side.trim {
            v = format!("TRIM({v})");
        }
        match side.case {
            Some(Case::Lower) => v = format!("LOWER({v})"),
            Some(Case::Upper) => v = format!("UPPER({v})"),
            None => {}
        }
        if !side.map.is_empty() {
            // The operand is evaluated once; in MySQL it is compared byte for byte (its
            // default collations would match `Open` to `open`).
            let mut case = match self {
                Self::MySql => format!("CASE BINARY {v}"),
                Self::Postgres => format!("CASE {v}"),
            };
            for (from, to) in &side.map {
                case.push_str(&format!(
                    " WHEN {} THEN {}",
                    self.literal(from),
                    self.literal(to)
                ));
            }
            case.push_str(&format!(" ELSE {v} END"));
            v = case;
        }
        v
    }
}

/// Whether a zone is a UTC offset (`+02:00`, `-05:30`) rather than a zone name.
pub fn is_offset(zone: &str) -> bool {
    let b = zone.as_bytes();
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b':'
        && b[4..6].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_part_by_part() {
        assert_eq!(Dialect::Postgres.ident("erp.orders"), "\"erp\".\"orders\"");
        assert_eq!(Dialect::MySql.ident("a`b"), "`a``b`");
    }

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(Dialect::MySql.literal("o'k\\"), "'o''k\\\\'");
        assert_eq!(Dialect::Postgres.literal("o'k\\"), "'o''k\\'");
    }

    #[test]
    fn url_scheme_picks_the_dialect() {
        assert_eq!(Dialect::from_url("mysql://root@h/db"), Some(Dialect::MySql));
        assert_eq!(
            Dialect::from_url("postgres://h/db"),
            Some(Dialect::Postgres)
        );
        assert_eq!(Dialect::from_url("sqlite://x.db"), None);
    }
}
