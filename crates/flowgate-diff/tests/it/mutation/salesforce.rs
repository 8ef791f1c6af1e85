//! Mutants of a Salesforce flow: one per XML leaf.

use super::{mutate_text, shown_token, Leaf};
use flowgate_syntax::{parse_xml, XmlElement};

/// Leaves that only place things on the canvas.
const LAYOUT: &[&str] = &["locationX", "locationY", "isGoTo"];
/// Flow-level editor metadata (`<processMetadataValues>` by name).
const CANVAS_METADATA: &[&str] = &["BuilderType", "CanvasMode", "OriginBuilderType"];

/// Every mutant of `text` with what it must show.
pub fn mutants(text: &str) -> Vec<(String, Leaf)> {
    let document = parse_xml(text);
    let Some(root) = document.root.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for child in &root.children {
        let mut chain = vec![child];
        visit(text, &mut chain, &mut out);
    }
    out
}

fn visit(text: &str, chain: &mut Vec<&XmlElement>, out: &mut Vec<(String, Leaf)>) {
    let Some(&here) = chain.last() else {
        return;
    };
    if here.children.is_empty() {
        out.push(mutant(text, chain));
        return;
    }
    for child in &here.children {
        chain.push(child);
        visit(text, chain, out);
        chain.pop();
    }
}

/// The mutant of the leaf at the end of `chain` (root child first).
fn mutant(text: &str, chain: &[&XmlElement]) -> (String, Leaf) {
    let leaf = chain[chain.len() - 1];
    let old = leaf
        .text
        .as_ref()
        .map(|t| &text[t.span.start as usize..t.span.end as usize]);
    let new = old.map_or_else(|| super::MARK.to_owned(), mutate_text);
    let top = chain[0];
    let is_top_name = chain.len() == 2 && leaf.name.value == "name" && top.child("name").is_some();
    let mutated = match (old, is_top_name) {
        (Some(old), true) => rename_everywhere(text, old, &new),
        _ => splice(text, leaf, &new),
    };
    let place: Vec<&str> = chain.iter().map(|x| x.name.value.as_str()).collect();
    let layout = LAYOUT.contains(&leaf.name.value.as_str())
        || (top.name.value == "processMetadataValues"
            && top
                .child_text("name")
                .is_some_and(|n| CANVAS_METADATA.contains(&n))
            && leaf.name.value != "name");
    let expect = if is_top_name {
        vec![new.clone()]
    } else {
        expectations(chain, &new)
    };
    (
        mutated,
        Leaf {
            place: place.join("/"),
            layout,
            expect,
        },
    )
}

/// What the diff line must contain: the element (or the flow field), the nested named item
/// the leaf is in, and the new value.
fn expectations(chain: &[&XmlElement], new: &str) -> Vec<String> {
    let top = chain[0];
    let mut expect = Vec::new();
    match (top.name.value.as_str(), top.child_text("name")) {
        ("start", _) => expect.push("$start".to_owned()),
        ("label", None) => expect.push("`name`".to_owned()),
        (_, Some(name)) => expect.push(name.to_owned()),
        (tag, None) => expect.push(tag.to_owned()),
    }
    let leaf = chain[chain.len() - 1];
    let inner = chain
        .get(1..chain.len().saturating_sub(1))
        .unwrap_or_default();
    for nested in inner.iter().rev() {
        if let Some(name) = nested.child_text("name") {
            let own = nested.child("name").is_some_and(|n| std::ptr::eq(n, leaf));
            if !own {
                expect.push(name.to_owned());
            }
            break;
        }
    }
    expect.push(shown_token(new));
    expect
}

/// `text` with the leaf's text replaced by `new` (written into an empty leaf).
fn splice(text: &str, leaf: &XmlElement, new: &str) -> String {
    if let Some(t) = &leaf.text {
        return format!(
            "{}{new}{}",
            &text[..t.span.start as usize],
            &text[t.span.end as usize..]
        );
    }
    let (start, end) = (leaf.span.start as usize, leaf.span.end as usize);
    let source = &text[start..end];
    let name = &leaf.name.value;
    if source.ends_with("/>") {
        format!("{}<{name}>{new}</{name}>{}", &text[..start], &text[end..])
    } else {
        let open = start + source.find('>').unwrap_or(0) + 1;
        format!("{}{new}{}", &text[..open], &text[open..])
    }
}

/// `text` with every leaf that reads exactly `old` (the name and each reference to it)
/// reading `new`.
fn rename_everywhere(text: &str, old: &str, new: &str) -> String {
    text.replace(&format!(">{old}<"), &format!(">{new}<"))
}
