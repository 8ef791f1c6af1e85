//! The normalisation of `sql.rs`, in Rust, for sources without a database engine of their own
//! (SQLite, CSV files): the same text for every value, the same 60-bit row hash and 32-bit key
//! hash as MySQL/MariaDB and PostgreSQL compute, so a local side and a database side compare
//! segment by segment.

use crate::types::DEFAULT_SCALE;
use crate::zone::Zone;
use chrono::{NaiveDate, NaiveDateTime};
use flowgate_model::{Case, SideColumn, ValueType};
use md5::{Digest, Md5};

/// A value that cannot be read as its type, with what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    /// What was expected (`a decimal`, `a timestamp`).
    pub expected: &'static str,
    /// The text found.
    pub found: String,
}

/// Decimal text as units of `10^-scale`, exactly, without rounding; `None` when it has more
/// decimals than `scale` allows or is not a number (`1e3` is not).
fn exact_units(text: &str, scale: u32) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && frac.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > scale as usize
    {
        return None;
    }
    let mut units: i128 = 0;
    for b in whole.bytes().chain(frac.bytes()) {
        units = units.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    units = units.checked_mul(10i128.checked_pow(scale - frac.len() as u32)?)?;
    Some(if negative { -units } else { units })
}

/// Decimals kept while reading a number: enough for any `decimal(65, 30)`-free real data.
const READ_SCALE: u32 = 12;

/// `numerator / denominator` rounded half away from zero.
fn round_div(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator == 0 {
        return None;
    }
    let (n, d) = if denominator < 0 {
        (numerator.checked_neg()?, denominator.checked_neg()?)
    } else {
        (numerator, denominator)
    };
    let q = n / d;
    let r = n % d;
    Some(if r.checked_mul(2)?.abs() >= d {
        q + n.signum()
    } else {
        q
    })
}

/// Print `units` of `10^-scale` with exactly `scale` decimals (no negative zero).
pub(crate) fn print_units(units: i128, scale: u32) -> String {
    let negative = units < 0;
    let digits = units.unsigned_abs().to_string();
    let scale = scale as usize;
    let body = if scale == 0 {
        digits
    } else {
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, frac) = padded.split_at(padded.len() - scale);
        format!("{whole}.{frac}")
    };
    if negative {
        format!("-{body}")
    } else {
        body
    }
}

/// A number after `multiply_by` and `divide`, rounded to `scale` decimals, as text.
fn number(
    side: &SideColumn,
    value: &str,
    factor: Option<&str>,
    scale: u32,
) -> Result<String, BadValue> {
    let bad = |found: &str| BadValue {
        expected: "a number",
        found: found.to_owned(),
    };
    let mut units = exact_units(value, READ_SCALE).ok_or_else(|| bad(value))?;
    let mut at = READ_SCALE;
    if let Some(factor) = factor {
        let f = exact_units(factor, READ_SCALE).ok_or_else(|| bad(factor))?;
        units = units.checked_mul(f).ok_or_else(|| bad(value))?;
        at += READ_SCALE;
    }
    let mut denominator: i128 = 10i128.pow(at - scale.min(at));
    if let Some(divisor) = side.divide {
        denominator = denominator
            .checked_mul(i128::from(divisor))
            .ok_or_else(|| bad(value))?;
    }
    let numerator = if scale > at {
        units
            .checked_mul(10i128.pow(scale - at))
            .ok_or_else(|| bad(value))?
    } else {
        units
    };
    let rounded = round_div(numerator, denominator).ok_or_else(|| bad(value))?;
    Ok(print_units(rounded, scale))
}

fn text(side: &SideColumn, value: &str) -> String {
    let mut v = value.to_owned();
    if side.trim {
        // SQL's TRIM removes spaces only.
        v = v.trim_matches(' ').to_owned();
    }
    match side.case {
        // Character by character, as the databases fold: a letter whose folded form is
        // longer (`ß` → `SS`) stays as it is.
        Some(Case::Lower) => v = fold(&v, |c| c.to_lowercase().collect()),
        Some(Case::Upper) => v = fold(&v, |c| c.to_uppercase().collect()),
        None => {}
    }
    match side.map.get(&v) {
        Some(to) => to.clone(),
        None => v,
    }
}

fn fold(text: &str, f: impl Fn(char) -> Vec<char>) -> String {
    text.chars()
        .map(|c| match f(c).as_slice() {
            [one] => *one,
            _ => c,
        })
        .collect()
}

fn parse_timestamp(value: &str) -> Option<(NaiveDateTime, Option<chrono::FixedOffset>)> {
    let value = value.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(value) {
        return Some((t.naive_utc(), Some(*t.offset())));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(value, format) {
            return Some((t, None));
        }
        if format == "%Y-%m-%d" {
            if let Ok(d) = NaiveDate::parse_from_str(value, format) {
                return d.and_hms_opt(0, 0, 0).map(|t| (t, None));
            }
        }
    }
    None
}

/// A timestamp in UTC to the second. Naive values are local time of `zone` (UTC without);
/// an ambiguous local time (the hour repeated when clocks go back) is read as standard time,
/// as PostgreSQL reads it.
fn timestamp(value: &str, zone: Option<&str>) -> Result<String, BadValue> {
    let bad = || BadValue {
        expected: "a timestamp (YYYY-MM-DD HH:MM:SS or RFC 3339)",
        found: value.to_owned(),
    };
    let (t, offset) = parse_timestamp(value).ok_or_else(bad)?;
    let utc = match (offset, zone) {
        (Some(_), _) | (None, None) => t,
        (None, Some(zone)) => Zone::parse(zone).ok_or_else(bad)?.utc(t),
    };
    Ok(utc.format("%Y-%m-%d %H:%M:%S").to_string())
}

fn date(value: &str) -> Result<String, BadValue> {
    parse_timestamp(value)
        .map(|(t, _)| t.date().format("%Y-%m-%d").to_string())
        .ok_or_else(|| BadValue {
            expected: "a date (YYYY-MM-DD)",
            found: value.to_owned(),
        })
}

/// The normalised text of one value (`None` is NULL), as `Dialect::normalise` computes it.
/// `factor` is the row's `multiply_by` column.
pub fn normalise(
    side: &SideColumn,
    value_type: ValueType,
    scale: u32,
    zone: Option<&str>,
    value: Option<&str>,
    factor: Option<Option<&str>>,
) -> Result<Option<String>, BadValue> {
    let Some(value) = value else {
        return Ok(None);
    };
    let factor = match factor {
        Some(None) => return Ok(None),
        Some(Some(f)) => Some(f),
        None => None,
    };
    Ok(Some(match value_type {
        ValueType::Text => text(side, value),
        ValueType::Integer => number(side, value, factor, 0)?,
        ValueType::Decimal => number(side, value, factor, scale)?,
        ValueType::Timestamp => timestamp(value, zone)?,
        ValueType::Date => date(value)?,
    }))
}

/// A value made unambiguous for hashing, as `Dialect::encode` does.
pub fn encode(out: &mut String, value: Option<&str>, value_type: ValueType) {
    match value {
        None => out.push_str("~n"),
        Some(v) => {
            if value_type == ValueType::Text {
                out.push_str(&v.replace('~', "~~"));
            } else {
                out.push_str(v);
            }
            out.push_str("~.");
        }
    }
}

fn md5(text: &str) -> u128 {
    u128::from_be_bytes(Md5::digest(text.as_bytes()).into())
}

/// 60 bits of the MD5 of a text (`Dialect::row_hash`): its last 15 hex digits.
pub fn row_hash(text: &str) -> u64 {
    (md5(text) & ((1 << 60) - 1)) as u64
}

/// 32 bits of the MD5 of a text (`Dialect::key_hash`): its first 8 hex digits.
pub fn key_hash(text: &str) -> u64 {
    (md5(text) >> 96) as u64
}

/// The scale keys are normalised at.
pub const KEY_SCALE: u32 = DEFAULT_SCALE;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn side() -> SideColumn {
        SideColumn::default()
    }

    #[test]
    fn decimals_round_half_away_from_zero_and_print_every_decimal() {
        let n = |v: &str, s: u32| number(&side(), v, None, s).unwrap();
        assert_eq!(n("12.345", 2), "12.35");
        assert_eq!(n("-12.345", 2), "-12.35");
        assert_eq!(n("7", 4), "7.0000");
        assert_eq!(n("-0.004", 2), "0.00");
        assert_eq!(n("0.5", 0), "1");
        assert_eq!(n("-2.5", 0), "-3");
        let cents = SideColumn {
            divide: Some(100),
            ..side()
        };
        assert_eq!(number(&cents, "12345", None, 4).unwrap(), "123.4500");
        assert_eq!(number(&side(), "10", Some("1.1"), 2).unwrap(), "11.00");
        assert!(number(&side(), "12,5", None, 2).is_err());
        assert!(number(&side(), "1e3", None, 2).is_err());
    }

    #[test]
    fn timestamps_become_utc_seconds() {
        assert_eq!(
            timestamp("2026-07-01 12:00:00.9", None).unwrap(),
            "2026-07-01 12:00:00"
        );
        assert_eq!(
            timestamp("2026-07-01 12:00:00", Some("Europe/Berlin")).unwrap(),
            "2026-07-01 10:00:00"
        );
        assert_eq!(
            timestamp("2026-07-01T12:00:00+02:00", None).unwrap(),
            "2026-07-01 10:00:00"
        );
        // The repeated hour is read as standard time (CET, +01:00).
        assert_eq!(
            timestamp("2026-10-25 02:30:00", Some("Europe/Berlin")).unwrap(),
            "2026-10-25 01:30:00"
        );
        assert!(timestamp("yesterday", None).is_err());
    }

    #[test]
    fn hashes_take_the_same_bits_as_the_sql() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e
        assert_eq!(key_hash(""), 0xd41d8cd9);
        assert_eq!(row_hash(""), 0x9800998ecf8427e);
    }
}
