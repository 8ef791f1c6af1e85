//! Property tests: the parsers and the deserializer never panic, and JSON round-trips.

use std::collections::BTreeMap;

use flowgate_syntax::{from_node, parse_json, parse_yaml, Node, Spanned, Value};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitStep {
    pub seconds: u32,
    pub note: Option<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendStep {
    pub to: Vec<String>,
    pub channel: Channel,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

flowgate_syntax::tagged_enum! {
    /// A step.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Step, tag = "type" {
        /// Wait.
        Wait = "wait" (WaitStep),
        /// Send.
        Send = "send" (SendStep),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Doc {
    id: Spanned<String>,
    version: Option<String>,
    steps: Option<Vec<Step>>,
    meta: Option<BTreeMap<String, Spanned<i64>>>,
    a: Option<Vec<Option<f64>>>,
}

/// Run every deserialization we know of over `node`; only panics matter.
fn deserialize_all(node: &Node, source: &str) {
    let _ = from_node::<Doc>(node, source, &["kind"]);
    let _ = from_node::<Step>(node, source, &[]);
    let _ = from_node::<Vec<Step>>(node, source, &[]);
    let _ = from_node::<serde_json::Value>(node, source, &[]);
    let _ = from_node::<Spanned<BTreeMap<Spanned<String>, Spanned<String>>>>(node, source, &[]);
    let _ = from_node::<Vec<Channel>>(node, source, &[]);
    let _ = from_node::<(u8, String, bool)>(node, source, &[]);
    let _ = from_node::<serde::de::IgnoredAny>(node, source, &[]);
}

fn check(source: &str) {
    for parsed in [parse_yaml(source), parse_json(source)] {
        for error in &parsed.errors {
            assert!(error.span.start <= error.span.end);
            assert!(error.span.end as usize <= source.len());
        }
        for doc in &parsed.docs {
            assert_spans_in_bounds(doc, source);
            deserialize_all(doc, source);
        }
    }
}

fn assert_spans_in_bounds(node: &Node, source: &str) {
    let (start, end) = (node.span.start as usize, node.span.end as usize);
    assert!(
        start <= end && end <= source.len(),
        "{start}..{end} of {}",
        source.len()
    );
    assert!(source.is_char_boundary(start) && source.is_char_boundary(end));
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| assert_spans_in_bounds(n, source)),
        Value::Map(entries) => {
            for entry in entries {
                let k = entry.key.span;
                assert!(k.end as usize <= source.len());
                assert_spans_in_bounds(&entry.value, source);
            }
        }
        _ => {}
    }
}

/// Pieces of YAML and JSON syntax, glued together at random.
const PIECES: &[&str] = &[
    "a",
    "b",
    "id",
    "type",
    "wait",
    "send",
    "seconds",
    "to",
    "channel",
    "sms",
    "kind",
    ":",
    ": ",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\t",
    "- ",
    "-",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "!!str ",
    "!!int ",
    "!x ",
    "# c",
    "|",
    ">",
    "|-",
    "---\n",
    "...\n",
    "? ",
    "1",
    "-1",
    "1.5",
    "1e400",
    "0x1F",
    "0o7",
    "99999999999999999999",
    "true",
    "~",
    "null",
    "é",
    "😀",
    "\\",
    "\\u",
    "ud83d",
    "\\n",
    "\u{feff}",
    "%YAML 1.2\n",
    "@",
    "`",
    "\u{0}",
    "\u{85}",
];

fn structured() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|parts| parts.concat())
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..8)
                .prop_map(|entries| serde_json::Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|e| (e.key.value.clone(), to_json(&e.value)))
                .collect(),
        ),
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

proptest! {
    // 256 cases by default; `PROPTEST_CASES=100000` for a longer hunt.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn structured_text_never_panics(source in structured()) {
        check(&source);
    }

    #[test]
    fn json_round_trips(value in json_value()) {
        let text = serde_json::to_string(&value).unwrap();
        let parsed = parse_json(&text);
        prop_assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        prop_assert_eq!(parsed.docs.len(), 1);
        prop_assert_eq!(to_json(&parsed.docs[0]), value.clone());
        // The deserializer agrees too.
        let back: serde_json::Value = from_node(&parsed.docs[0], &text, &[]).unwrap();
        prop_assert_eq!(back, value.clone());
        // And pretty-printed JSON gives the same tree.
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        prop_assert_eq!(to_json(&parse_json(&pretty).docs[0]), value);
    }
}

#[test]
fn known_nasty_inputs_do_not_panic() {
    for source in [
        "",
        "\u{feff}",
        "\u{feff}\u{feff}",
        "[",
        "{",
        "\"",
        "\\",
        "- - - - -",
        "? ? ? a",
        "&a &b x",
        "*a",
        "a: &a\n  b: *a\n",
        "{a: 1, a: 2, a: 3}",
        "'\n",
        "key: |\n\t\n",
        "- !<tag:yaml.org,2002:str> x",
        "%TAG ! tag:x,2000:\n--- !a b\n",
        "{\"a\": \"\\ud800\\udc00\\udbff\"}",
        "[1e999999999, -1e999999999, 123456789012345678901234567890]",
        "é: [ü, {ö: ä}]\n",
    ] {
        check(source);
    }
    check(&"[".repeat(100_000));
    check(&"{\"a\":".repeat(50_000));
    check(&"- ".repeat(50_000));
    check(&"a:\n ".repeat(20_000));
}
