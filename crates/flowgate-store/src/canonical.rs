//! The canonical JSON encoding and the domain-separated BLAKE3 hashes built on it.
//!
//! Everything the store hashes goes through [`canonical_json`], so that the same value always
//! gives the same bytes, whatever order its keys were written or parsed in. The encoding is
//! specified in `docs/store.md`; the golden test in `tests/it/canonical.rs` pins it.

use serde_json::Value;

/// Domain prefix of object hashes.
pub const OBJECT_DOMAIN: &[u8] = b"flowgate/object/v1\0";
/// Domain prefix of snapshot ids.
pub const SNAPSHOT_DOMAIN: &[u8] = b"flowgate/snapshot/v1\0";
/// Domain prefix of operation-log record hashes.
pub const OPERATION_DOMAIN: &[u8] = b"flowgate/operation/v1\0";
/// Domain prefix of snapshot tree node ids.
pub const TREE_DOMAIN: &[u8] = b"flowgate/tree/v1\0";
/// Domain prefix of the key that places an entry in a snapshot tree.
pub const TREE_KEY_DOMAIN: &[u8] = b"flowgate/tree-key/v1\0";
/// Domain prefix of the digest that closes an export file.
pub const EXPORT_DOMAIN: &[u8] = b"flowgate/export/v1\0";

/// Encodes `value` as canonical JSON.
///
/// - object keys sorted by their UTF-8 bytes, arrays in order;
/// - no whitespace outside strings;
/// - strings escape only `"`, `\` and the control characters U+0000 to U+001F: `\b`, `\t`,
///   `\n`, `\f`, `\r` in their short forms, every other one as `\u00xx` (lowercase hex);
///   everything else, non-ASCII included, is written as raw UTF-8;
/// - integers (anything that fits `i64` or `u64`) in plain decimal; other numbers as
///   ECMAScript writes them (RFC 8785): the shortest digits that read back as the same `f64`,
///   plain from `0.000001` up to `1e21`, else `1.5e+300` / `1e-7`; integral ones without a
///   fraction (`3.0` → `3`), `-0` as `0`.
pub fn canonical_json(value: &Value) -> Vec<u8> {
    canonical_json_string(value).into_bytes()
}

/// [`canonical_json`] as a `String` (the encoding is always UTF-8).
pub fn canonical_json_string(value: &Value) -> String {
    let mut out = String::with_capacity(128);
    write_value(&mut out, value);
    out
}

/// BLAKE3 over `domain` followed by `bytes`.
pub(crate) fn domain_hash(domain: &[u8], bytes: &[u8]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(domain);
    hasher.update(bytes);
    *hasher.finalize().as_bytes()
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, n: &serde_json::Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else if let Some(f) = n.as_f64() {
        write_float(out, f);
    }
}

/// Writes a finite `f64` the way ECMAScript's `Number.prototype.toString` does (and RFC 8785
/// with it): the shortest digits that read back as the same `f64`, in plain notation when the
/// decimal exponent allows (`0.000001` to `1e21` exclusive), otherwise as `d.ddde±x`. Integral
/// values have no fraction (`3.0` is written `3`); `-0` is written `0`.
///
/// The digits come from Rust's own shortest round-trip formatting, so the text never depends
/// on which float printer a JSON library happens to use.
fn write_float(out: &mut String, f: f64) {
    if f == 0.0 || !f.is_finite() {
        // A `Value` holds no NaN or infinity; zero (of either sign) is `0`.
        out.push('0');
        return;
    }
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    // The value is 0.DIGITS × 10^n.
    let n = exponent.parse::<i32>().unwrap_or(0) + 1;
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if f < 0.0 {
        out.push('-');
    }
    let zeros = |count: i32| "0".repeat(usize::try_from(count).unwrap_or(0));
    if k <= n && n <= 21 {
        out.push_str(digits);
        out.push_str(&zeros(n - k));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.push_str(&zeros(-n));
        out.push_str(digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        out.push_str(&(n - 1).abs().to_string());
    }
}

/// Appends `s` as a canonical JSON string (quoted and escaped).
pub(crate) fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            0x08 => Some("\\b"),
            b'\t' => Some("\\t"),
            b'\n' => Some("\\n"),
            0x0c => Some("\\f"),
            b'\r' => Some("\\r"),
            _ => None,
        };
        if short.is_none() && b >= 0x20 {
            continue;
        }
        // Escapes are ASCII, so `start..i` always falls on character boundaries.
        out.push_str(&s[start..i]);
        match short {
            Some(escape) => out.push_str(escape),
            None => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(v: &Value) -> String {
        String::from_utf8(canonical_json(v)).unwrap_or_default()
    }

    #[test]
    fn keys_are_sorted_by_bytes_at_every_level() {
        let v = json!({"b": {"z": 1, "a": [3, {"y": 1, "x": 2}]}, "a": null, "B": true});
        assert_eq!(
            text(&v),
            r#"{"B":true,"a":null,"b":{"a":[3,{"x":2,"y":1}],"z":1}}"#
        );
    }

    #[test]
    fn strings_escape_only_what_json_requires() {
        let v = json!("q\"b\\n\nt\tc\u{1}d\u{7f}é/");
        assert_eq!(text(&v), "\"q\\\"b\\\\n\\nt\\tc\\u0001d\u{7f}é/\"");
    }

    #[test]
    fn numbers_keep_integers_and_write_floats_like_ecmascript() {
        let v = json!([0, -1, u64::MAX, i64::MIN]);
        assert_eq!(text(&v), "[0,-1,18446744073709551615,-9223372036854775808]");
        let cases: &[(f64, &str)] = &[
            (1.5, "1.5"),
            (-0.25, "-0.25"),
            (3.0, "3"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (123456.789, "123456.789"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.25e300, "1.25e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.30000000000000004, "0.30000000000000004"),
        ];
        for &(f, expected) in cases {
            assert_eq!(text(&json!(f)), expected, "{f:e}");
            let back: f64 = expected.parse().unwrap_or(f64::NAN);
            assert_eq!(
                back,
                if f == 0.0 { 0.0 } else { f },
                "{expected} must read back"
            );
        }
    }
}
