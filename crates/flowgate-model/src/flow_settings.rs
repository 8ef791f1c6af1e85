//! An element's settings as JSON, for snapshots and diffs: everything the platform stores
//! about it except its name, its connections and where it sits on the canvas. Read from the
//! kept document when an asset document is built, never while loading or checking.

use crate::flow::{Dialect, Flow};
use flowgate_syntax::{Node, Value as NodeValue, XmlElement};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The settings of every element of `flow`, in element order (`Null` when none).
pub fn element_settings(flow: &Flow) -> Vec<Value> {
    let mut xml_at: HashMap<u32, &XmlElement> = HashMap::new();
    let mut json_at: HashMap<u32, &Node> = HashMap::new();
    if let Some(root) = flow.document.xml() {
        for child in &root.children {
            xml_at.insert(child.span.start, child);
        }
    } else if let Some(root) = flow.document.json() {
        index_objects(root, 3, &mut json_at);
    }
    flow.elements
        .iter()
        .map(|element| {
            let at = element.span.start;
            match flow.dialect {
                Dialect::Salesforce => xml_at.get(&at).map_or(Value::Null, |x| salesforce(x)),
                Dialect::N8n => json_at.get(&at).map_or(Value::Null, |n| n8n(n)),
                Dialect::NodeRed => json_at.get(&at).map_or(Value::Null, |n| node_red(n)),
            }
        })
        .collect()
}

/// Objects down to `depth` levels (an n8n node is at depth 2, a Node-RED node at 1 or, in a
/// subflow module, 3), by where they start.
fn index_objects<'n>(node: &'n Node, depth: u8, out: &mut HashMap<u32, &'n Node>) {
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

/// Salesforce child elements that are not settings: identity, connectors, canvas position
/// and editor metadata.
const SALESFORCE_SKIP: &[&str] = &[
    "name",
    "label",
    "locationX",
    "locationY",
    "connector",
    "faultConnector",
    "defaultConnector",
    "nextValueConnector",
    "noMoreValuesConnector",
    "processMetadataValues",
];

/// n8n node keys that are not settings.
const N8N_SKIP: &[&str] = &[
    "id",
    "name",
    "type",
    "position",
    "disabled",
    "notes",
    "notesInFlow",
];

/// Node-RED node keys that are not settings.
const NODE_RED_SKIP: &[&str] = &["id", "type", "name", "x", "y", "z", "g", "w", "h", "wires"];

/// A Salesforce element's settings: its child elements as JSON objects (repeated children
/// become arrays, leaves their text).
fn salesforce(xml: &XmlElement) -> Value {
    let settings = xml_children(xml);
    if settings.as_object().is_some_and(Map::is_empty) {
        Value::Null
    } else {
        settings
    }
}

fn xml_children(xml: &XmlElement) -> Value {
    if xml.children.is_empty() {
        return xml
            .text
            .as_ref()
            .map_or(Value::Null, |t| Value::String(t.value.clone()));
    }
    let mut map = Map::new();
    for child in &xml.children {
        let key = child.name.value.as_str();
        if SALESFORCE_SKIP.contains(&key) {
            continue;
        }
        let value = xml_children(child);
        match map.get_mut(key) {
            Some(Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                map.insert(key.to_owned(), value);
            }
        }
    }
    Value::Object(map)
}

/// An n8n node's settings: parameters, credentials (names only: n8n exports hold no
/// secrets there), type version and error behaviour.
fn n8n(node: &Node) -> Value {
    json_object(node, N8N_SKIP)
}

/// A Node-RED node's settings: its properties.
fn node_red(node: &Node) -> Value {
    json_object(node, NODE_RED_SKIP)
}

fn json_object(node: &Node, skip: &[&str]) -> Value {
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
fn json(node: &Node) -> Value {
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
