//! Hostile inputs: YAML alias bombs and XML entity expansion are stopped by budgets, with a
//! located error, before they can exhaust memory or time; ordinary anchors, aliases and
//! entities keep working.
//!
//! The hostile inputs are sized so that a parser without these budgets would visibly hang or
//! run out of memory (gigabytes of copies, or minutes of scanning), rather than by timing.

use flowgate_syntax::{
    alias_byte_budget, parse_xml, parse_yaml, Node, Span, SyntaxError, Value, XmlDocument,
    ALIAS_BYTES_BASE, ALIAS_BYTES_PER_SOURCE_BYTE, MAX_ENTITY_EXPANSION,
};

const MIB: usize = 1 << 20;

/// The node's value without spans, to compare documents written differently.
fn plain(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::json!(b),
        Value::Int(i) => serde_json::json!(i),
        Value::Float(f) => serde_json::json!(f),
        Value::String(s) => serde_json::json!(s),
        Value::Seq(items) => items.iter().map(plain).collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|entry| (entry.key.value.clone(), plain(&entry.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

fn text(src: &str, span: Span) -> &str {
    &src[span.start as usize..span.end as usize]
}

/// The one error of a YAML file that must not load.
fn only_yaml_error(src: &str) -> SyntaxError {
    let parsed = parse_yaml(src);
    assert!(parsed.docs.is_empty(), "a document was built");
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    parsed.errors.into_iter().next().unwrap()
}

fn assert_alias_budget_error(src: &str, error: &SyntaxError) {
    let budget = alias_byte_budget(src.len());
    assert_eq!(
        error.message,
        format!("aliases expand to more than {budget} bytes, the limit for this file")
    );
    let help = error.help.as_deref().unwrap();
    assert!(help.contains("alias bomb"), "{help}");
    assert!(help.contains("write the values out"), "{help}");
}

/// "Billion laughs": each level lists the previous one ten times (10^12 nodes in all).
fn alias_pyramid(levels: usize) -> String {
    let mut src = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..levels {
        let previous = format!("*a{}", i - 1);
        let items = [previous.as_str(); 10].join(", ");
        src.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    src
}

/// A `scalar_len`-byte anchored scalar, then `aliases` aliases of it.
fn scalar_fan_out(scalar_len: usize, aliases: usize) -> String {
    let mut src = format!("big: &big \"{}\"\ncopies:\n", "x".repeat(scalar_len));
    for _ in 0..aliases {
        src.push_str("  - *big\n");
    }
    src
}

#[test]
fn the_alias_budget_grows_with_the_file() {
    assert_eq!(alias_byte_budget(0), ALIAS_BYTES_BASE);
    assert_eq!(
        alias_byte_budget(MIB),
        ALIAS_BYTES_BASE + ALIAS_BYTES_PER_SOURCE_BYTE * MIB
    );
    assert_eq!(alias_byte_budget(usize::MAX), usize::MAX);
}

#[test]
fn yaml_alias_pyramid_fails_on_the_byte_budget() {
    let src = alias_pyramid(12);
    let error = only_yaml_error(&src);
    assert_alias_budget_error(&src, &error);
    // Located at the alias or anchored list that went past the budget.
    let at = text(&src, error.span);
    assert!(at.starts_with("*a") || at.starts_with('['), "{at}");
}

#[test]
fn yaml_alias_pyramid_in_a_large_file_still_fails() {
    // Padding the file to 1 MiB raises the budget, not enough for 10^12 nodes.
    let mut src = alias_pyramid(12);
    src.push_str(&format!("padding: \"{}\"\n", "p".repeat(MIB)));
    let error = only_yaml_error(&src);
    assert_alias_budget_error(&src, &error);
}

#[test]
fn yaml_wide_fan_out_of_a_large_scalar_stops_at_the_budget() {
    // 20,000 copies of 1 MiB would need 20 GiB; the file is 1.2 MB.
    let (scalar_len, aliases) = (MIB, 20_000);
    let src = scalar_fan_out(scalar_len, aliases);
    let error = only_yaml_error(&src);
    assert_alias_budget_error(&src, &error);
    assert_eq!(text(&src, error.span), "*big");
    // The copy that fails is the first one past the budget: the anchor's copy and those
    // before it fit, so no more than budget / scalar_len copies were ever made.
    let failing = src[..error.span.start as usize].matches("*big").count() + 1;
    let copy = scalar_len + std::mem::size_of::<Node>();
    let budget = alias_byte_budget(src.len());
    assert_eq!(failing, budget / copy, "copy {failing} of {aliases}");
}

#[test]
fn yaml_nested_anchors_are_charged_too() {
    // Every anchor keeps its own copy of the node: 100 nested anchors around 1 MiB of text
    // would hold 100 MiB without a single alias.
    let depth = 100;
    let mut src = String::from("root: ");
    for i in 0..depth {
        src.push_str(&format!("&n{i} ["));
    }
    src.push_str(&format!("\"{}\"", "z".repeat(MIB)));
    src.push_str(&"]".repeat(depth));
    src.push('\n');
    let error = only_yaml_error(&src);
    assert_alias_budget_error(&src, &error);
    assert!(text(&src, error.span).starts_with('['));
}

#[test]
fn yaml_ordinary_aliases_read_as_written_out() {
    let with_aliases = "defaults: &defaults\n  retries: 3\n  timeout: 30s\n  \
                        channels: [email, sms]\n\
                        steps:\n  - name: first\n    settings: *defaults\n  \
                        - name: second\n    settings: *defaults\n\
                        tag: &t vip\ntags: [*t, *t, other]\n";
    let written_out = "defaults:\n  retries: 3\n  timeout: 30s\n  channels: [email, sms]\n\
                       steps:\n  - name: first\n    settings: {retries: 3, timeout: 30s, \
                       channels: [email, sms]}\n  - name: second\n    settings: {retries: 3, \
                       timeout: 30s, channels: [email, sms]}\n\
                       tag: vip\ntags: [vip, vip, other]\n";
    let a = parse_yaml(with_aliases);
    let b = parse_yaml(written_out);
    assert!(a.is_ok() && b.is_ok(), "{:?} {:?}", a.errors, b.errors);
    assert_eq!(plain(&a.docs[0]), plain(&b.docs[0]));
}

#[test]
fn yaml_large_legitimate_copies_fit_the_budget() {
    // A 256 KiB text anchored and repeated three times: about four times the file's size.
    let src = scalar_fan_out(256 << 10, 3);
    let parsed = parse_yaml(&src);
    assert!(parsed.is_ok(), "{:?}", parsed.errors);
    let copies = parsed.docs[0].get("copies").unwrap().as_seq().unwrap();
    assert_eq!(copies.len(), 3);
    let big = parsed.docs[0].get("big").unwrap();
    assert!(copies.iter().all(|copy| copy.value == big.value));
}

/// A document with a `len`-byte internal entity `&big;`, and `body` inside its root.
fn xml_with_big_entity(len: usize, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE Flow [<!ENTITY big \"{}\">]>\n<Flow>{body}</Flow>\n",
        "y".repeat(len)
    )
}

/// The errors of a document, each `(message, source text)`.
fn xml_errors<'s>(src: &'s str, doc: &XmlDocument) -> Vec<(&'s str, String)> {
    doc.errors
        .iter()
        .map(|e| (text(src, e.span), e.message.clone()))
        .collect()
}

#[test]
fn xml_large_entity_referenced_many_times_stops_at_the_budget() {
    // 20,000 references to 900 KB: each would scan the whole value once the budget is
    // spent (minutes of work) if expansion did not stop there.
    let src = xml_with_big_entity(900_000, &"&big;".repeat(20_000));
    let doc = parse_xml(&src);
    assert_eq!(
        xml_errors(&src, &doc),
        [("&big;", "entity expansion limit exceeded".to_owned())]
    );
    // The second reference is the one that does not fit; it is reported once.
    let second = src.find("&big;&big;").unwrap() + "&big;".len();
    assert_eq!(doc.errors[0].span.start as usize, second);
    let help = doc.errors[0].help.as_deref().unwrap();
    assert!(help.contains("write the text itself"), "{help}");
    let root = doc.root.unwrap();
    assert_eq!(root.text_str().map(str::len), Some(900_000));
}

#[test]
fn xml_large_entity_in_many_attributes_stops_at_the_budget() {
    let src = xml_with_big_entity(900_000, &"<a v=\"&big;\"/>".repeat(10_000));
    let doc = parse_xml(&src);
    assert_eq!(doc.errors.len(), 1, "{:?}", xml_errors(&src, &doc));
    assert_eq!(doc.errors[0].message, "entity expansion limit exceeded");
    let root = doc.root.unwrap();
    let expanded: usize = root
        .children
        .iter()
        .map(|a| a.attribute("v").map_or(0, |v| v.value.len()))
        .sum();
    assert!(expanded <= MAX_ENTITY_EXPANSION, "{expanded}");
    assert_eq!(root.children.len(), 10_000);
}

/// "Billion laughs": `l{i}` lists `l{i-1}` ten times; `body` goes inside the root.
fn entity_pyramid(levels: usize, body: &str) -> String {
    let mut src = String::from("<!DOCTYPE Flow [<!ENTITY l0 \"lol\">");
    for i in 1..levels {
        let refs = format!("&l{};", i - 1).repeat(10);
        src.push_str(&format!("<!ENTITY l{i} \"{refs}\">"));
    }
    src.push_str(&format!("]><Flow>{body}</Flow>"));
    src
}

#[test]
fn xml_nested_entities_stop_at_the_budget() {
    // l7 expands to 10^7 copies of "lol" (within the nesting limit), referenced 4 times.
    let src = entity_pyramid(8, "&l7;&l7;<label a=\"&l7;\">&l7;</label>");
    let doc = parse_xml(&src);
    assert_eq!(
        xml_errors(&src, &doc),
        [("&l7;", "entity expansion limit exceeded".to_owned())]
    );
    let root = doc.root.unwrap();
    let text = root.text_str().map_or(0, str::len);
    assert!(text <= MAX_ENTITY_EXPANSION, "{text}");
    // Once the budget is spent, later references are left unexpanded.
    let label = root.child("label").unwrap();
    assert_eq!(label.text_str(), None);
    assert_eq!(label.attribute("a").map(|a| a.value.as_str()), Some(""));
}

#[test]
fn xml_faults_inside_entities_are_reported_once_per_reference() {
    // l12 nests deeper than entities may: every copy of l4 would be a fault, and reporting
    // each (hundreds of thousands of errors) would cost more than the expansion.
    let src = entity_pyramid(13, "&l12;<label>&l12;</label>");
    let doc = parse_xml(&src);
    let nested = "entity `&l12;` is recursive or nested too deeply".to_owned();
    assert_eq!(
        xml_errors(&src, &doc),
        [
            ("&l12;", nested.clone()),
            ("&l12;", "entity expansion limit exceeded".to_owned())
        ]
    );
    // An entity with a fault is reported at each use, once.
    let src = "<!DOCTYPE Flow [<!ENTITY e \"&u;&v;&u;\">]><Flow>&e;<x>&e;</x></Flow>";
    let doc = parse_xml(src);
    let unknown = "unknown entity `&e;`".to_owned();
    assert_eq!(
        xml_errors(src, &doc),
        [("&e;", unknown.clone()), ("&e;", unknown)]
    );
}

#[test]
fn xml_ordinary_entities_read_as_written_out() {
    let with_entities = "<!DOCTYPE Flow [<!ENTITY co \"Acme &amp; Co\">\
                         <!ENTITY team \"&co; ops\">]>\
                         <Flow><label>&team; flow</label><x by=\"&co;\">&#65;&lt;&co;</x></Flow>";
    let written_out = "<Flow><label>Acme &amp; Co ops flow</label>\
                       <x by=\"Acme &amp; Co\">A&lt;Acme &amp; Co</x></Flow>";
    let a = parse_xml(with_entities);
    let b = parse_xml(written_out);
    assert!(a.is_ok() && b.is_ok(), "{:?} {:?}", a.errors, b.errors);
    let (a, b) = (a.root.unwrap(), b.root.unwrap());
    assert_eq!(a.child_text("label"), Some("Acme & Co ops flow"));
    assert_eq!(a.child_text("label"), b.child_text("label"));
    assert_eq!(a.child_text("x"), Some("A<Acme & Co"));
    assert_eq!(a.child_text("x"), b.child_text("x"));
    let by = |root: &flowgate_syntax::XmlElement| {
        root.child("x")
            .and_then(|x| x.attribute("by"))
            .map(|v| v.value.clone())
    };
    assert_eq!(by(&a), Some("Acme & Co".to_owned()));
    assert_eq!(by(&a), by(&b));
}
