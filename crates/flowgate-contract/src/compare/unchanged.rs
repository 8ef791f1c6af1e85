//! Definitions that cannot differ: the same text on both sides, referring only to such
//! definitions. Comparing schemas skips them, which keeps large, mostly unchanged
//! contracts fast.

use std::collections::{HashMap, HashSet};

use flowgate_syntax::{Node, Value};

use crate::document::{escape, Dialect};
use crate::model::Api;

fn container<'a>(api: &Api<'a>) -> Option<(&'static str, &'a Node)> {
    let root = &api.doc.root;
    match api.doc.dialect {
        Dialect::Swagger2 => root.get("definitions").map(|n| ("#/definitions/", n)),
        _ => root
            .get("components")
            .and_then(|c| c.get("schemas"))
            .map(|n| ("#/components/schemas/", n)),
    }
}

/// The pointers of the schema definitions that are unchanged.
pub(super) fn definitions(old: &Api<'_>, new: &Api<'_>) -> HashSet<String> {
    let (Some((prefix, old_defs)), Some((new_prefix, new_defs))) = (container(old), container(new))
    else {
        return HashSet::new();
    };
    if prefix != new_prefix {
        return HashSet::new();
    }
    let new_by_name: HashMap<&str, &Node> = new_defs
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(|e| (e.key.value.as_str(), &e.value))
        .collect();
    let mut same = HashSet::new();
    let mut dependents: HashMap<String, Vec<String>> = HashMap::new();
    let mut changed = Vec::new();
    for entry in old_defs.as_map().unwrap_or_default() {
        let pointer = format!("{prefix}{}", escape(&entry.key.value));
        let equal = new_by_name.get(entry.key.value.as_str()).is_some_and(|n| {
            entry.value.source_text(old.doc.source.text()) == n.source_text(new.doc.source.text())
        });
        for target in references(&entry.value) {
            dependents
                .entry(target.to_owned())
                .or_default()
                .push(pointer.clone());
        }
        if equal {
            same.insert(pointer);
        } else {
            changed.push(pointer);
        }
    }
    // A reference to something that is not an unchanged definition taints its referrers.
    let mut queue: Vec<String> = dependents
        .keys()
        .filter(|target| !same.contains(*target))
        .cloned()
        .chain(changed)
        .collect();
    while let Some(target) = queue.pop() {
        for referrer in dependents.get(&target).into_iter().flatten() {
            if same.remove(referrer) {
                queue.push(referrer.clone());
            }
        }
    }
    same
}

/// Every `$ref` inside `node`.
fn references(node: &Node) -> Vec<&str> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                for entry in entries {
                    match (&entry.key.value[..], &entry.value.value) {
                        ("$ref", Value::String(target)) => found.push(target.as_str()),
                        _ => stack.push(&entry.value),
                    }
                }
            }
            Value::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    found
}
