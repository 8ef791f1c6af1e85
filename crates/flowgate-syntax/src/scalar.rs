//! Scalars: plain scalars resolved with the YAML 1.2 core schema, and the text of a scalar
//! node as the author wrote it.

use std::borrow::Cow;

use crate::node::{Node, Value};

/// Resolve a plain (unquoted) scalar with the YAML 1.2 core schema.
pub fn resolve_plain(text: &str) -> Value {
    resolve_non_string(text).unwrap_or_else(|| Value::String(text.to_owned()))
}

/// The core-schema value of a plain scalar, or `None` when it is a string.
pub(crate) fn resolve_non_string(text: &str) -> Option<Value> {
    let value = match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        _ => return resolve_number(text),
    };
    Some(value)
}

fn resolve_number(text: &str) -> Option<Value> {
    let first = *text.as_bytes().first()?;
    // Quick exit for the common case of ordinary words.
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(digits) = text.strip_prefix(prefix) {
            if !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)) {
                // Beyond i64: kept as the string it is (an id or a hash, most likely).
                return i64::from_str_radix(digits, radix).ok().map(Value::Int);
            }
            return None;
        }
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(i) => Some(Value::Int(i)),
            // Beyond i64: a float (a string request still gets the digits as written).
            Err(_) => text.parse::<f64>().ok().map(Value::Float),
        };
    }
    if is_core_float(unsigned) {
        return text.parse::<f64>().ok().map(Value::Float);
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_digits = digits(&mut i);
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = digits(&mut i);
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The text of a scalar: a string as it is, a number, boolean or null as written in `source`
/// (when the node's span still holds it), or else formatted. `None` for sequences and maps.
pub(crate) fn scalar_text<'a>(node: &'a Node, source: &'a str) -> Option<Cow<'a, str>> {
    let written = || {
        node.source_text(source)
            .filter(|text| resolve_non_string(text).is_some_and(|v| same_scalar(&v, &node.value)))
    };
    let formatted = match &node.value {
        Value::String(s) => return Some(Cow::Borrowed(s)),
        Value::Seq(_) | Value::Map(_) => return None,
        Value::Null => String::new(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
    };
    Some(written().map_or(Cow::Owned(formatted), Cow::Borrowed))
}

/// Whether two scalar values are the same (NaN equal to NaN).
fn same_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_resolution() {
        let cases: &[(&str, Value)] = &[
            ("", Value::Null),
            ("~", Value::Null),
            ("null", Value::Null),
            ("NULL", Value::Null),
            ("true", Value::Bool(true)),
            ("True", Value::Bool(true)),
            ("FALSE", Value::Bool(false)),
            ("yes", Value::String("yes".into())),
            ("0", Value::Int(0)),
            ("-17", Value::Int(-17)),
            ("+17", Value::Int(17)),
            ("01234", Value::Int(1234)),
            ("0x1F", Value::Int(31)),
            ("0o17", Value::Int(15)),
            ("0o19", Value::String("0o19".into())),
            (
                "0xFFFFFFFFFFFFFFFFFF",
                Value::String("0xFFFFFFFFFFFFFFFFFF".into()),
            ),
            ("99999999999999999999", Value::Float(1e20)),
            ("1.10", Value::Float(1.1)),
            (".5", Value::Float(0.5)),
            ("1.", Value::Float(1.0)),
            ("-1e3", Value::Float(-1000.0)),
            ("1e", Value::String("1e".into())),
            (".inf", Value::Float(f64::INFINITY)),
            ("-.Inf", Value::Float(f64::NEG_INFINITY)),
            ("inf", Value::String("inf".into())),
            ("1.2.3", Value::String("1.2.3".into())),
            ("-", Value::String("-".into())),
            ("12:30", Value::String("12:30".into())),
        ];
        for (text, value) in cases {
            assert_eq!(&resolve_plain(text), value, "{text}");
        }
        assert!(matches!(resolve_plain(".nan"), Value::Float(f) if f.is_nan()));
    }
}
