//! String formats recognised in payloads, checked without regular expressions: RFC 3339
//! date-times and dates, e-mail addresses, UUIDs and absolute URIs.

/// A string format JSON Schema names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// `2026-03-03T09:00:00Z`, `2026-03-03 09:00:00+01:00`.
    DateTime,
    /// `2026-03-03`.
    Date,
    /// `name@host.tld`.
    Email,
    /// `123e4567-e89b-12d3-a456-426614174000`.
    Uuid,
    /// `https://…`.
    Uri,
}

impl Format {
    /// Every format, in the order they are tried.
    pub const ALL: [Self; 5] = [
        Self::DateTime,
        Self::Date,
        Self::Email,
        Self::Uuid,
        Self::Uri,
    ];

    /// The JSON Schema `format` keyword's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DateTime => "date-time",
            Self::Date => "date",
            Self::Email => "email",
            Self::Uuid => "uuid",
            Self::Uri => "uri",
        }
    }

    /// The format `text` has, if any.
    pub fn of(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if is_date(b) {
            return Some(if b.len() == 10 {
                Self::Date
            } else {
                Self::DateTime
            })
            .filter(|f| *f == Self::Date || is_time_tail(&b[10..]));
        }
        if is_uuid(b) {
            return Some(Self::Uuid);
        }
        if is_email(text) {
            return Some(Self::Email);
        }
        if is_uri(text) {
            return Some(Self::Uri);
        }
        None
    }
}

fn digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

/// `YYYY-MM-DD` at the start, with month and day in range.
fn is_date(b: &[u8]) -> bool {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    if !(digits(&b[0..4]) && digits(&b[5..7]) && digits(&b[8..10])) {
        return false;
    }
    let month = (b[5] - b'0') * 10 + (b[6] - b'0');
    let day = (b[8] - b'0') * 10 + (b[9] - b'0');
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// `THH:MM[:SS[.fff]]` and an optional `Z` or `±HH:MM` after a date.
fn is_time_tail(b: &[u8]) -> bool {
    if b.len() < 6 || !(b[0] == b'T' || b[0] == b't' || b[0] == b' ') {
        return false;
    }
    let t = &b[1..];
    if t.len() < 5 || t[2] != b':' || !digits(&t[0..2]) || !digits(&t[3..5]) {
        return false;
    }
    let mut rest = &t[5..];
    if rest.first() == Some(&b':') {
        if rest.len() < 3 || !digits(&rest[1..3]) {
            return false;
        }
        rest = &rest[3..];
        if rest.first() == Some(&b'.') {
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            rest = &rest[1 + n..];
        }
    }
    match rest {
        [] | [b'Z'] | [b'z'] => true,
        [sign, h1, h2, b':', m1, m2] if *sign == b'+' || *sign == b'-' => {
            digits(&[*h1, *h2, *m1, *m2])
        }
        _ => false,
    }
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !text.contains(char::is_whitespace)
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !text.contains(char::is_whitespace)
}
