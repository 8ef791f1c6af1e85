//! Node-RED flows: each node's properties beside its graph. The summary fields stay, since
//! a Node-RED file states no trigger or entry list of its own.

use flowgate_syntax::{Node, Value as NodeValue};
use serde_json::{Map, Value};
use std::collections::HashMap;

use crate::flow::Flow;

/// Node-RED node keys that are not settings: identity, wiring and canvas position.
const SKIP: &[&str] = &["id", "type", "name", "x", "y", "z", "g", "w", "h", "wires"];

pub(super) fn reshape(map: &mut Map<String, Value>, flow: &Flow) {
    let mut nodes: HashMap<u32, &Node> = HashMap::new();
    if let Some(root) = flow.document.json() {
        index_objects(root, 3, &mut nodes);
    }
    let settings = flow
        .elements
        .iter()
        .map(|element| {
            nodes
                .get(&element.span.start)
                .map_or(Value::Null, |node| json_object(node, SKIP))
        })
        .collect();
    super::attach_settings(map, settings);
}

/// Objects down to `depth` levels (an n8n node is at depth 2, a Node-RED node at 1 or, in a
/// subflow module, 3), by where they start.
pub(super) fn index_objects<'n>(node: &'n Node, depth: u8, out: &mut HashMap<u32, &'n Node>) {
    match &node.value {
        NodeValue::Map(entries) => {
            out.insert(node.span.start, node);
            if depth > 0 {
                for entry in entries {
                    index_objects(&entry.value, depth - 1, out);
                }
            }
        }
        NodeValue::Seq(items) if depth > 0 => {
            for item in items {
                index_objects(item, depth - 1, out);
            }
        }
        _ => {}
    }
}

/// The members of a JSON object but `skip`, or `Null` when none is left.
pub(super) fn json_object(node: &Node, skip: &[&str]) -> Value {
    let NodeValue::Map(entries) = &node.value else {
        return Value::Null;
    };
    let map: Map<String, Value> = entries
        .iter()
        .filter(|entry| !skip.contains(&entry.key.value.as_str()))
        .map(|entry| (entry.key.value.clone(), json(&entry.value)))
        .collect();
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

/// A parsed JSON node as a `serde_json` value.
pub(super) fn json(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => Value::from(*i),
        NodeValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        NodeValue::String(s) => Value::String(s.clone()),
        NodeValue::Seq(items) => Value::Array(items.iter().map(json).collect()),
        NodeValue::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|entry| (entry.key.value.clone(), json(&entry.value)))
                .collect(),
        ),
    }
}
