//! The canonical encoding and the ids built on it: golden values (any change to the encoding or
//! the hashing fails here) and properties.
//!
//! The golden hashes were computed independently of this crate (Python's `json` with sorted
//! keys for the bytes, the reference `blake3` package for the digests).

use flowgate_store::{
    canonical_json, snapshot_id, Entry, NewSnapshot, ObjectId, OpHash, Operation, RefChange,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn golden_value() -> Value {
    json!({
        "zeta": [1, -2, 3.5, 1e21, 0.1, 1e-7, 3.0, true, false, null, u64::MAX, i64::MIN],
        "alpha": {"é": "ünïcode ✓", "a\"b\\c": "line\nbreak\ttab\u{1}\u{1f}\u{7f}/", "B": {}},
        "": "",
        "😀": [],
        "\u{e000}": 1,
    })
}

const GOLDEN_TEXT: &str = "{\"\":\"\",\"alpha\":{\"B\":{},\"a\\\"b\\\\c\":\"line\\nbreak\\ttab\\u0001\\u001f\u{7f}/\",\"é\":\"ünïcode ✓\"},\"zeta\":[1,-2,3.5,1e+21,0.1,1e-7,3,true,false,null,18446744073709551615,-9223372036854775808],\"\u{e000}\":1,\"😀\":[]}";

#[test]
fn golden_canonical_bytes_and_object_hash() {
    let bytes = canonical_json(&golden_value());
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), GOLDEN_TEXT);
    assert_eq!(bytes.len(), 199);
    assert_eq!(
        ObjectId::of(&bytes).to_string(),
        "98ebd3c329581ea6f73f4aa85c0f196ca2ef664c486d77ec9a93b97b2fdfcb5b"
    );
}

fn golden_entries() -> Vec<Entry> {
    let object = ObjectId::of(b"kind: Tag\nid: vip\n");
    assert_eq!(
        object.to_string(),
        "2f2c699c6b7ca12679ac5875fd09706a4256470b155bda5995492b265837d5f4"
    );
    vec![
        Entry {
            kind: "workflow".into(),
            id: "welcome".into(),
            object,
            path: None,
        },
        Entry {
            kind: "tag".into(),
            id: "vip".into(),
            object,
            path: Some("tags/vip.yaml".into()),
        },
    ]
}

#[test]
fn golden_snapshot_id_ignores_date_author_manifest_and_entry_order() {
    let snapshot = NewSnapshot {
        bundle: "lead-intake".into(),
        version: "2.4.1".into(),
        created_at: "2025-09-17T08:30:00Z".parse().unwrap(),
        author: "ana".into(),
        manifest: json!({"commit": "3fa4c1"}),
        entries: golden_entries(),
    };
    let golden = "5d8e96cb715c12cb7151412ddbf54cf9edba615ada0a8877df6ea2fc1c9ebf9d";
    assert_eq!(snapshot.id().to_string(), golden);
    assert_eq!(
        snapshot_id("lead-intake", "2.4.1", &snapshot.sorted_entries()).to_string(),
        golden
    );
    let mut other = snapshot.clone();
    other.author = "bo".into();
    other.created_at = "2030-01-01T00:00:00Z".parse().unwrap();
    other.manifest = json!({"commit": "ffffff"});
    other.entries.reverse();
    assert_eq!(other.id().to_string(), golden);
    other.version = "2.4.2".into();
    assert_ne!(other.id().to_string(), golden);
}

#[test]
fn golden_operation_hash() {
    let target = "5d8e96cb715c12cb7151412ddbf54cf9edba615ada0a8877df6ea2fc1c9ebf9d"
        .parse()
        .unwrap();
    let op = Operation {
        seq: 1,
        at: "2025-09-17T08:30:00Z".parse().unwrap(),
        actor: "ana".into(),
        kind: "promote".into(),
        payload: json!({"to": "prod", "n": [1, 2]}),
        ref_change: Some(RefChange {
            name: "env/prod".into(),
            from: None,
            to: target,
            version: 1,
        }),
        prev_hash: OpHash::GENESIS,
        hash: OpHash::GENESIS,
    };
    assert_eq!(
        op.computed_hash().to_string(),
        "bf03918d1f072948f47bf862da4ccf5d224c95e13cd3910cb747541dfed1dd9f"
    );
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Equal as JSON: objects regardless of key order, numbers by value (`3.0` is `3`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn reversed_keys(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(reversed_keys).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter().rev() {
                out.insert(k.clone(), reversed_keys(v));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

proptest! {
    #[test]
    fn canonical_json_parses_back_to_the_same_value(value in arb_json()) {
        let bytes = canonical_json(&value);
        let parsed: Value = serde_json::from_slice(&bytes).unwrap();
        prop_assert!(same_json(&parsed, &value), "{} vs {}", parsed, value);
    }

    #[test]
    fn canonical_json_is_idempotent_and_ignores_key_order(value in arb_json()) {
        let bytes = canonical_json(&value);
        let parsed: Value = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(&canonical_json(&parsed), &bytes);
        prop_assert_eq!(&canonical_json(&reversed_keys(&value)), &bytes);
    }

    #[test]
    fn canonical_json_has_no_whitespace_outside_strings(value in arb_json()) {
        let text = String::from_utf8(canonical_json(&value)).unwrap();
        let mut in_string = false;
        let mut escaped = false;
        for c in text.chars() {
            if in_string {
                prop_assert!(u32::from(c) >= 0x20, "raw control character in a string");
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
            } else {
                prop_assert!(!c.is_whitespace());
                in_string = c == '"';
            }
        }
    }
}
