//! Mutants of an n8n workflow: one per JSON scalar.

use super::{mutate_text, shown_token, Leaf, MARK};
use flowgate_syntax::{parse_json, Node, Value};

/// Workflow keys that are editor or instance metadata (`docs/releases.md`).
const METADATA: &[&str] = &[
    "meta",
    "versionId",
    "pinData",
    "staticData",
    "createdAt",
    "updatedAt",
    "triggerCount",
    "shared",
    "homeProject",
    "parentFolder",
    "isArchived",
];

/// A step of the path to a scalar.
#[derive(Clone)]
enum Step<'n> {
    Key(&'n str),
    Index(usize),
}

/// Every mutant of `text` with what it must show.
pub fn mutants(text: &str) -> Vec<(String, Leaf)> {
    let parsed = parse_json(text);
    let Some(root) = parsed.docs.first() else {
        return Vec::new();
    };
    if !parsed.errors.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    visit(text, root, root, &mut Vec::new(), &mut out);
    out
}

fn visit<'n>(
    text: &str,
    root: &'n Node,
    node: &'n Node,
    path: &mut Vec<Step<'n>>,
    out: &mut Vec<(String, Leaf)>,
) {
    match &node.value {
        Value::Map(entries) => {
            for entry in entries {
                path.push(Step::Key(&entry.key.value));
                visit(text, root, &entry.value, path, out);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                visit(text, root, item, path, out);
                path.pop();
            }
        }
        _ => out.push(mutant(text, root, node, path)),
    }
}

fn mutant(text: &str, root: &Node, node: &Node, path: &[Step]) -> (String, Leaf) {
    let (start, end) = (node.span.start as usize, node.span.end as usize);
    let raw = &text[start..end];
    let new = match &node.value {
        Value::String(_) => format!("{}{MARK}\"", &raw[..raw.len() - 1]),
        Value::Null => format!("\"{MARK}\""),
        _ => mutate_text(raw),
    };
    let place = path
        .iter()
        .map(|s| match s {
            Step::Key(k) => (*k).to_owned(),
            Step::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/");
    let token = match &node.value {
        Value::String(_) | Value::Null => MARK.to_owned(),
        _ => shown_token(&new),
    };
    let node_name = node_of(root, path);
    let (mutated, expect) = match (path, node_name) {
        ([Step::Key("nodes"), Step::Index(_), Step::Key("name")], _) => {
            let renamed = text.replace(raw, &new);
            let name = node.as_str().unwrap_or_default();
            (renamed, vec![format!("{name}{MARK}")])
        }
        ([Step::Key("nodes"), ..], Some(name)) => {
            (splice(text, start, end, &new), vec![name, token])
        }
        ([Step::Key("connections"), Step::Key(source), ..], _) => (
            splice(text, start, end, &new),
            vec![(*source).to_owned(), token],
        ),
        ([Step::Key("name")], _) => (
            splice(text, start, end, &new),
            vec!["`name`".to_owned(), token],
        ),
        ([Step::Key(key), ..], _) => (
            splice(text, start, end, &new),
            vec![format!("properties.{key}"), token],
        ),
        _ => (splice(text, start, end, &new), vec![token]),
    };
    let layout = is_layout(root, path);
    (
        mutated,
        Leaf {
            place,
            layout,
            expect,
        },
    )
}

fn splice(text: &str, start: usize, end: usize, new: &str) -> String {
    format!("{}{new}{}", &text[..start], &text[end..])
}

/// The name of the node a `nodes[i]…` path is in.
fn node_of(root: &Node, path: &[Step]) -> Option<String> {
    let [Step::Key("nodes"), Step::Index(i), ..] = path else {
        return None;
    };
    let node = root.get("nodes")?.as_seq()?.get(*i)?;
    Some(node.get("name")?.as_str()?.to_owned())
}

/// Whether the scalar at `path` is canvas layout or editor / instance metadata.
fn is_layout(root: &Node, path: &[Step]) -> bool {
    match path {
        [Step::Key(key), ..] if METADATA.contains(key) => true,
        [Step::Key("tags"), Step::Index(_), Step::Key(key)] => *key != "name",
        [Step::Key("nodes"), Step::Index(_), Step::Key("position"), ..] => true,
        // n8n ignores the connections of a node that does not exist.
        [Step::Key("connections"), Step::Key(source), ..] => !has_node(root, source),
        [Step::Key("nodes"), Step::Index(i), Step::Key("parameters"), Step::Key(key)] => {
            matches!(*key, "width" | "height" | "color") && is_sticky(root, *i)
        }
        _ => false,
    }
}

fn has_node(root: &Node, name: &str) -> bool {
    root.get("nodes")
        .and_then(Node::as_seq)
        .is_some_and(|nodes| {
            nodes
                .iter()
                .any(|n| n.get("name").and_then(Node::as_str) == Some(name))
        })
}

fn is_sticky(root: &Node, index: usize) -> bool {
    root.get("nodes")
        .and_then(Node::as_seq)
        .and_then(|nodes| nodes.get(index))
        .and_then(|node| node.get("type"))
        .and_then(Node::as_str)
        .is_some_and(|t| t.ends_with(".stickyNote"))
}
