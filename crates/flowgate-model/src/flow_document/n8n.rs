//! n8n workflows: the workflow's own settings, and each node's parameters and options, with
//! its connections as the export writes them (output type and index, target node, input
//! index). Nodes are named by their `name`, which connections and expressions use; the node
//! `id` stays as `platform_id`, so a renamed node is told from a replaced one.

use super::node_red::{index_objects, json, json_object};
use crate::flow::Flow;
use flowgate_syntax::{Node, Value as NodeValue};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Node keys kept elsewhere in the element (`name` is its id, `id` its `platform_id`, `type`
/// its `platform_type`, `disabled` its `disabled`) or canvas layout (`position`).
const NODE_SKIP: &[&str] = &["id", "name", "type", "position", "disabled"];

/// Parameters of sticky notes that only place them on the canvas.
const STICKY_LAYOUT: &[&str] = &["width", "height", "color"];

/// Workflow keys that are not settings: the nodes and connections (in `elements`), the name
/// (the asset's `name`), and what the editor or the instance writes for itself: canvas and
/// instance metadata, the editor's version marker, pinned test data, runtime state,
/// timestamps, sharing and folders.
const WORKFLOW_SKIP: &[&str] = &[
    "nodes",
    "connections",
    "name",
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
    "tags",
];

pub(super) fn reshape(map: &mut Map<String, Value>, flow: &Flow) {
    super::drop_derived(map);
    let Some(root) = flow.document.json() else {
        return;
    };
    let mut nodes: HashMap<u32, &Node> = HashMap::new();
    index_objects(root, 2, &mut nodes);
    let connections = member(root, "connections");
    let settings = flow
        .elements
        .iter()
        .map(|element| {
            let node = nodes.get(&element.span.start);
            node.map_or(Value::Null, |node| node_settings(node))
        })
        .collect();
    super::attach_settings(map, settings);
    if let Some(Value::Array(elements)) = map.get_mut("elements") {
        for element in elements.iter_mut().filter_map(Value::as_object_mut) {
            let name = element
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let wires = connections.map_or_else(Vec::new, |c| outgoing(c, name));
            element.insert("connections".to_owned(), Value::Array(wires));
        }
    }
    map.insert("properties".to_owned(), properties(root));
}

/// A node's settings: parameters, type version, credentials (names and ids: n8n exports
/// hold no secrets), webhook id, error behaviour, notes.
fn node_settings(node: &Node) -> Value {
    let mut settings = json_object(node, NODE_SKIP);
    let sticky = member(node, "type")
        .and_then(Node::as_str)
        .is_some_and(|t| t.ends_with(".stickyNote"));
    if let (true, Some(Value::Object(parameters))) = (
        sticky,
        settings.get_mut("parameters").filter(|p| p.is_object()),
    ) {
        for key in STICKY_LAYOUT {
            parameters.shift_remove(*key);
        }
    }
    settings
}

/// The connections out of node `name`: one entry per wire, in the export's order.
fn outgoing(connections: &Node, name: &str) -> Vec<Value> {
    let Some(types) = member(connections, name) else {
        return Vec::new();
    };
    let NodeValue::Map(types) = &types.value else {
        return vec![json(types)];
    };
    let mut wires = Vec::new();
    for by_type in types {
        let NodeValue::Seq(outputs) = &by_type.value.value else {
            wires.push(json(&by_type.value));
            continue;
        };
        for (output, targets) in outputs.iter().enumerate() {
            let NodeValue::Seq(targets) = &targets.value else {
                continue;
            };
            for target in targets {
                wires.push(wire(&by_type.key.value, output, target));
            }
        }
    }
    wires
}

/// One wire: `{"output": "main[0]", "target": "Send", ...}` with the target's input when it
/// is not the first input of the same type, and anything else the export writes.
fn wire(kind: &str, output: usize, target: &Node) -> Value {
    let mut wire = Map::new();
    wire.insert(
        "output".to_owned(),
        Value::from(format!("{kind}[{output}]")),
    );
    let Value::Object(fields) = json(target) else {
        wire.insert("target".to_owned(), json(target));
        return Value::Object(wire);
    };
    for (key, value) in fields {
        let key = if key == "node" {
            "target".to_owned()
        } else {
            key
        };
        wire.insert(key, value);
    }
    Value::Object(wire)
}

/// The workflow's own settings: `active`, `settings`, its id, tag names, and any other key
/// the export writes that is not editor or instance metadata.
fn properties(root: &Node) -> Value {
    let mut properties = match json_object(root, WORKFLOW_SKIP) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if let Some(tags) = member(root, "tags") {
        properties.insert("tags".to_owned(), tag_names(tags));
    }
    Value::Object(properties)
}

/// Tag names, sorted (n8n shows tags as a set); tag ids and timestamps are instance data.
fn tag_names(tags: &Node) -> Value {
    let NodeValue::Seq(items) = &tags.value else {
        return json(tags);
    };
    let mut names: Vec<Value> = items
        .iter()
        .map(|tag| match member(tag, "name") {
            Some(name) => json(name),
            None => json(tag),
        })
        .collect();
    names.sort_by_key(|name| name.to_string());
    Value::Array(names)
}

fn member<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match &node.value {
        NodeValue::Map(entries) => entries
            .iter()
            .rev()
            .find(|entry| entry.key.value == key)
            .map(|entry| &entry.value),
        _ => None,
    }
}
