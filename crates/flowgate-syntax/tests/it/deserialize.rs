//! The span-aware deserializer, through derived structs.

use std::collections::BTreeMap;

use flowgate_diagnostics::{LineCol, LineIndex};
use flowgate_syntax::{
    from_node, parse_json, parse_yaml, DeError, DeErrorKind, Node, Spanned, Value,
};
use serde::{Deserialize, Serialize};

fn yaml(src: &str) -> Node {
    let parsed = parse_yaml(src);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    parsed.docs.into_iter().next().unwrap()
}

fn de<T: serde::de::DeserializeOwned>(src: &str) -> Result<T, Vec<DeError>> {
    from_node(&yaml(src), src, &[])
}

fn errs<T: serde::de::DeserializeOwned + std::fmt::Debug>(src: &str) -> Vec<DeError> {
    de::<T>(src).unwrap_err()
}

fn text(src: &str, e: &DeError) -> String {
    src[e.span.start as usize..e.span.end as usize].to_owned()
}

fn at(src: &str, e: &DeError) -> (u32, u32) {
    let LineCol { line, column } = LineIndex::new(src).line_col(src, e.span.start);
    (line, column)
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Template {
    id: String,
    version: String,
    zip: Option<String>,
    tags: Vec<String>,
    #[serde(default)]
    retries: u32,
    options: Option<Options>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Options {
    enabled: bool,
    ratio: f64,
}

#[test]
fn plain_scalars_read_as_strings_keep_their_text() {
    let src = "id: 42\nversion: 1.10\nzip: 01234\ntags: [true, 0x1F, 1e3, plain]\n";
    let t: Template = de(src).unwrap();
    assert_eq!(t.id, "42");
    assert_eq!(t.version, "1.10");
    assert_eq!(t.zip.as_deref(), Some("01234"));
    assert_eq!(t.tags, ["true", "0x1F", "1e3", "plain"]);
    assert_eq!(t.retries, 0);
    assert_eq!(t.options, None);
}

#[test]
fn numbers_and_booleans() {
    let src = "id: a\nversion: b\ntags: []\nretries: 3\noptions: {enabled: true, ratio: 2}\n";
    let t: Template = de(src).unwrap();
    assert_eq!(t.retries, 3);
    assert_eq!(
        t.options,
        Some(Options {
            enabled: true,
            ratio: 2.0
        })
    );
}

#[test]
fn all_unknown_fields_are_collected_at_their_keys() {
    let src =
        "id: a\nversoin: 1\ntags: []\noptions:\n  enabled: true\n  ratio: 1\n  enabeld: false\n";
    let errors = errs::<Template>(src);
    assert_eq!(errors.len(), 3, "{errors:?}");
    // Two typos, then the missing field noticed once the map is read.
    assert_eq!(errors[0].to_string(), "missing field `version`");
    assert_eq!(text(src, &errors[0]), "id");
    assert_eq!(errors[1].to_string(), "unknown field `versoin`");
    assert_eq!(text(src, &errors[1]), "versoin");
    assert_eq!(at(src, &errors[1]), (2, 1));
    assert_eq!(errors[1].suggestion(), Some("version"));
    assert_eq!(errors[1].help().as_deref(), Some("did you mean `version`?"));
    assert_eq!(errors[2].to_string(), "unknown field `enabeld`");
    assert_eq!(at(src, &errors[2]), (7, 3));
    match &errors[2].kind {
        DeErrorKind::UnknownField { field, expected } => {
            assert_eq!(field, "enabeld");
            assert_eq!(*expected, ["enabled", "ratio"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn two_typos_two_errors() {
    let src = "id: a\nversion: b\ntags: []\ntgas: []\nretires: 1\n";
    let errors = errs::<Template>(src);
    let messages: Vec<_> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        ["unknown field `tgas`", "unknown field `retires`"]
    );
    assert_eq!(at(src, &errors[0]), (4, 1));
    assert_eq!(at(src, &errors[1]), (5, 1));
    assert_eq!(errors[1].suggestion(), Some("retries"));
}

#[test]
fn missing_field_in_an_empty_map_is_at_the_map() {
    let src = "options: {}\n";
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        options: Options,
    }
    let errors = errs::<Outer>(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].to_string(), "missing field `enabled`");
    assert_eq!(text(src, &errors[0]), "{}");
}

#[test]
fn wrong_types_are_reported_at_the_innermost_node() {
    let src = "id: a\nversion: b\ntags: [x, [y]]\n";
    let errors = errs::<Template>(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].to_string(), "expected a string, found a list");
    assert_eq!(text(src, &errors[0]), "[y]");

    let src = "id: a\nversion: b\ntags: x\n";
    let errors = errs::<Template>(src);
    assert_eq!(errors[0].to_string(), "expected a list, found a string");
    assert_eq!(text(src, &errors[0]), "x");

    let src = "id: a\nversion: b\ntags: []\noptions: on\n";
    let errors = errs::<Template>(src);
    assert_eq!(errors[0].to_string(), "expected a map, found a string");
    assert_eq!(text(src, &errors[0]), "on");

    let src = "id: a\nversion: b\ntags: []\nretries: -1\n";
    let errors = errs::<Template>(src);
    assert!(
        errors[0].to_string().starts_with("invalid value:"),
        "{}",
        errors[0]
    );
    assert_eq!(text(src, &errors[0]), "-1");

    let src = "id: a\nversion: b\ntags: []\noptions: {enabled: yes, ratio: 1}\n";
    let errors = errs::<Template>(src);
    assert_eq!(errors[0].to_string(), "expected a boolean, found a string");
    assert_eq!(text(src, &errors[0]), "yes");

    let src = "id:\nversion: b\ntags: []\n";
    let errors = errs::<Template>(src);
    assert_eq!(errors[0].to_string(), "expected a string, found null");
    assert_eq!(errors[0].span.start, 2);
}

#[test]
fn unknown_fields_and_a_fatal_error_are_reported_together() {
    let src = "id: a\nversion: b\nbogus: 1\ntags: 5\n";
    let errors = errs::<Template>(src);
    let messages: Vec<_> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        ["unknown field `bogus`", "expected a list, found an integer"]
    );
}

#[test]
fn skip_keys_apply_to_the_top_level_only() {
    let src = "kind: template\nid: a\nversion: b\ntags: []\noptions: {enabled: true, ratio: 1, kind: x}\n";
    let errors = from_node::<Template>(&yaml(src), src, &["kind"]).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].to_string(), "unknown field `kind`");
    assert_eq!(at(src, &errors[0]), (5, 36));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WithSpans {
    name: Spanned<String>,
    count: Spanned<u32>,
    items: Vec<Spanned<String>>,
    maybe: Option<Spanned<bool>>,
    map: BTreeMap<Spanned<String>, Spanned<i64>>,
}

#[test]
fn spanned_values_carry_their_spans() {
    let src = "name: \"héllo\"\ncount: 7\nitems:\n  - a\n  - bé\nmaybe: true\nmap: {x: 1, y: -2}\n";
    let v: WithSpans = de(src).unwrap();
    let slice = |s: flowgate_syntax::Span| &src[s.start as usize..s.end as usize];
    assert_eq!(v.name.value, "héllo");
    assert_eq!(slice(v.name.span), "\"héllo\"");
    assert_eq!(*v.count, 7);
    assert_eq!(slice(v.count.span), "7");
    assert_eq!(slice(v.items[1].span), "bé");
    assert_eq!(slice(v.maybe.unwrap().span), "true");
    let (k, val) = v.map.iter().nth(1).unwrap();
    assert_eq!(k.value, "y");
    assert_eq!(slice(k.span), "y");
    assert_eq!(slice(val.span), "-2");
    // Spanned of the whole document.
    let whole: Spanned<BTreeMap<String, serde_json::Value>> = de(src).unwrap();
    assert_eq!(whole.span.start, 0);
    assert_eq!(whole.value.len(), 5);
    assert_eq!(whole.value["map"], serde_json::json!({"x": 1, "y": -2}));
}

#[test]
fn spanned_of_a_struct_and_errors_inside_it() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        options: Spanned<Options>,
    }
    let src = "options:\n  enabled: true\n  ratio: 0.5\n";
    let outer: Outer = de(src).unwrap();
    assert_eq!(outer.options.span.start, 11);
    assert!(outer.options.enabled);
    let src = "options:\n  enabled: 3\n  ratio: 0.5\n";
    let errors = errs::<Outer>(src);
    assert_eq!(text(src, &errors[0]), "3");
}

#[test]
fn optional_fields_and_null() {
    #[derive(Debug, Deserialize, PartialEq)]
    struct Opt {
        a: Option<u32>,
        b: Option<u32>,
        c: Option<Vec<u8>>,
    }
    let v: Opt = de("a: 1\nb:\n").unwrap();
    assert_eq!(
        v,
        Opt {
            a: Some(1),
            b: None,
            c: None
        }
    );
}

#[test]
fn maps_of_structs() {
    let src = "first:\n  enabled: true\n  ratio: 1\nsecond:\n  enabled: false\n  ratio: 2.5\n  extra: 1\n";
    let errors = errs::<BTreeMap<String, Options>>(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].to_string(), "unknown field `extra`");
    let src = "first:\n  enabled: true\n  ratio: 1\n";
    let map: BTreeMap<String, Options> = de(src).unwrap();
    assert_eq!(map.len(), 1);
    let nums: BTreeMap<u32, bool> = de("1: true\n20: false\n").unwrap();
    assert_eq!(nums.get(&20), Some(&false));
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
enum Channel {
    Email,
    Sms,
    PushNotification,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Action {
    Stop,
    Delay(u32),
    Send { channel: Channel },
    Pair(u8, u8),
}

#[test]
fn plain_enums() {
    let v: Vec<Channel> = de("[email, sms, push_notification]").unwrap();
    assert_eq!(v, [Channel::Email, Channel::Sms, Channel::PushNotification]);
    let src = "[email, smss]";
    let errors = errs::<Vec<Channel>>(src);
    assert_eq!(
        errors[0].to_string(),
        "unknown variant `smss`, expected one of `email`, `sms`, `push_notification`"
    );
    assert_eq!(text(src, &errors[0]), "smss");
    assert_eq!(errors[0].suggestion(), Some("sms"));
    let errors = errs::<Channel>("[email]");
    assert_eq!(
        errors[0].to_string(),
        "expected one of `email`, `sms`, `push_notification`, found a list"
    );
    let keyed: BTreeMap<Channel, u32> = de("email: 1\nsms: 2\n").unwrap();
    assert_eq!(keyed.len(), 2);
}

#[test]
fn externally_tagged_enums() {
    let src = "- stop\n- delay: 5\n- send: {channel: sms}\n- pair: [1, 2]\n";
    let v: Vec<Action> = de(src).unwrap();
    assert_eq!(
        v,
        [
            Action::Stop,
            Action::Delay(5),
            Action::Send {
                channel: Channel::Sms
            },
            Action::Pair(1, 2)
        ]
    );
    let src = "- send: {channel: sms, chanel: x}\n";
    let errors = errs::<Vec<Action>>(src);
    assert_eq!(errors[0].to_string(), "unknown field `chanel`");
    assert_eq!(text(src, &errors[0]), "chanel");
    let errors = errs::<Vec<Action>>("- delay\n");
    assert_eq!(errors.len(), 1);
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendEmailStep {
    pub to: String,
    pub template: String,
    pub delay: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitStep {
    pub seconds: u32,
}

flowgate_syntax::tagged_enum! {
    /// One step of a workflow.
    #[derive(Debug, Clone, PartialEq)]
    pub enum StepWire, tag = "type" {
        /// Send an email.
        SendEmail = "send_email" (SendEmailStep),
        /// Wait.
        Wait = "wait" (WaitStep),
    }
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Workflow {
    steps: Vec<StepWire>,
}

#[test]
fn tagged_enum_good() {
    let src = "steps:\n  - type: send_email\n    to: a@b.c\n    template: welcome\n  - seconds: 5\n    type: wait\n";
    let w: Workflow = de(src).unwrap();
    assert_eq!(
        w.steps,
        [
            StepWire::SendEmail(SendEmailStep {
                to: "a@b.c".into(),
                template: "welcome".into(),
                delay: None
            }),
            StepWire::Wait(WaitStep { seconds: 5 })
        ]
    );
    // And from JSON.
    let json = r#"{"steps": [{"type": "wait", "seconds": 1}]}"#;
    let parsed = parse_json(json);
    let w: Workflow = from_node(&parsed.docs[0], json, &[]).unwrap();
    assert_eq!(w.steps, [StepWire::Wait(WaitStep { seconds: 1 })]);
    // Serialization is the internally tagged form.
    let out = serde_json::to_value(&w.steps[0]).unwrap();
    assert_eq!(out, serde_json::json!({"type": "wait", "seconds": 1}));
}

#[test]
fn tagged_enum_unknown_tag() {
    let src = "steps:\n  - type: send_mail\n    to: x\n";
    let errors = errs::<Workflow>(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "unknown variant `send_mail`, expected one of `send_email`, `wait`"
    );
    assert_eq!(text(src, &errors[0]), "send_mail");
    assert_eq!(errors[0].suggestion(), Some("send_email"));
}

#[test]
fn tagged_enum_missing_tag() {
    let src = "steps:\n  - to: x\n    template: y\n";
    let errors = errs::<Workflow>(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].to_string(), "missing field `type`");
    assert_eq!(text(src, &errors[0]), "to: x\n    template: y");
    let errors = errs::<Workflow>("steps: [wait]\n");
    assert_eq!(
        errors[0].to_string(),
        "expected a map with a `type` key, found a string"
    );
    let errors = errs::<Workflow>("steps: [{type: [wait]}]\n");
    assert_eq!(errors[0].to_string(), "expected a string, found a list");
}

#[test]
fn tagged_enum_unknown_and_missing_fields_inside_a_variant() {
    let src = "steps:\n  - type: send_email\n    to: x\n    tempalte: y\n    dealy: 3\n";
    let errors = errs::<Workflow>(src);
    let messages: Vec<_> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "missing field `template`",
            "unknown field `tempalte`",
            "unknown field `dealy`"
        ]
    );
    assert_eq!(text(src, &errors[0]), "type");
    assert_eq!(at(src, &errors[1]), (4, 5));
    assert_eq!(at(src, &errors[2]), (5, 5));
    let src = "steps:\n  - type: wait\n    seconds: soon\n";
    let errors = errs::<Workflow>(src);
    assert_eq!(
        errors[0].to_string(),
        "expected a non-negative integer, found a string"
    );
    assert_eq!(text(src, &errors[0]), "soon");
}

#[test]
fn tagged_enum_at_the_top_with_skip_keys() {
    let src = "kind: step\ntype: wait\nseconds: 2\n";
    let step: StepWire = from_node(&yaml(src), src, &["kind"]).unwrap();
    assert_eq!(step, StepWire::Wait(WaitStep { seconds: 2 }));
    let spanned: Spanned<StepWire> = from_node(&yaml(src), src, &["kind"]).unwrap();
    assert_eq!(spanned.span.start, 0);
}

#[test]
fn big_unsigned_integers() {
    let v: Vec<u64> = de("[18446744073709551615, 1]").unwrap();
    assert_eq!(v, [u64::MAX, 1]);
    let j = "[18446744073709551615]";
    let parsed = parse_json(j);
    let v: Vec<u64> = from_node(&parsed.docs[0], j, &[]).unwrap();
    assert_eq!(v, [u64::MAX]);
}

#[test]
fn aliases_are_located_at_the_alias() {
    let src = "base: &b {enabled: true, ratio: 1}\nnum: &n 5\nx: *b\ny: *n\n";
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        base: Options,
        num: u32,
        x: Spanned<Options>,
        y: Spanned<String>,
    }
    let d: Doc = de(src).unwrap();
    assert_eq!(&src[d.x.span.start as usize..d.x.span.end as usize], "*b");
    assert_eq!(d.y.value, "5");
}

#[test]
fn tuples_with_too_many_elements() {
    let src = "[1, 2, 3]";
    let errors = errs::<(u8, u8)>(src);
    assert_eq!(errors.len(), 1);
    assert_eq!(text(src, &errors[0]), "[1, 2, 3]");
}

#[test]
fn custom_errors_are_located() {
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Even(u32);
    impl<'de> Deserialize<'de> for Even {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let n = u32::deserialize(d)?;
            if n % 2 == 0 {
                Ok(Even(n))
            } else {
                Err(serde::de::Error::custom(format!("{n} is odd")))
            }
        }
    }
    let src = "[2, 4, 5]";
    let errors = errs::<Vec<Even>>(src);
    assert_eq!(errors[0].kind, DeErrorKind::Custom("5 is odd".into()));
    assert_eq!(text(src, &errors[0]), "5");
}

#[test]
fn deeply_nested_hand_built_nodes_are_too_deep() {
    let mut node = Node::new(Default::default(), Value::Null);
    for _ in 0..300 {
        node = Node::new(Default::default(), Value::Seq(vec![node]));
    }
    let errors = from_node::<serde::de::IgnoredAny>(&node, "", &[]);
    assert!(errors.is_ok());
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Nested(Vec<Nested>);
    let errors = from_node::<Nested>(&node, "", &[]).unwrap_err();
    assert_eq!(errors[0].kind, DeErrorKind::TooDeep);
}

#[test]
fn the_deepest_allowed_documents_deserialize() {
    let src = format!("{}{}", "[".repeat(128), "]".repeat(128));
    for parsed in [parse_json(&src), parse_yaml(&src)] {
        assert!(parsed.errors.is_empty());
        let value: serde_json::Value = from_node(&parsed.docs[0], &src, &[]).unwrap();
        let mut depth = 0;
        let mut cursor = &value;
        while let Some(first) = cursor.as_array() {
            depth += 1;
            match first.first() {
                Some(next) => cursor = next,
                None => break,
            }
        }
        assert_eq!(depth, 128);
    }
}
