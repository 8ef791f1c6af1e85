//! What the classification tables share: the prose keys, the context a change is judged
//! in, and helpers on changed values.

use serde_json::Value;
use std::collections::BTreeMap;

/// Keys whose string values are prose: shown as word diffs, and cosmetic unless the
/// kind's table says otherwise.
pub(super) const PROSE: &[&str] = &[
    "subject",
    "preheader",
    "body",
    "description",
    "purpose",
    "label",
    "name",
];

/// What a change is judged against: the asset's kind, both documents, and the flow
/// elements renamed in the same change.
pub(super) struct Context<'a> {
    pub(super) kind: &'a str,
    pub(super) before: &'a Value,
    pub(super) after: &'a Value,
    pub(super) renamed_elements: BTreeMap<String, String>,
}

/// The last key of a shape (`steps[].template` → `template`).
pub(super) fn last_key(shape: &str) -> &str {
    shape.rsplit('.').next().unwrap_or(shape)
}

/// Whether a replaced array lost any of its elements.
pub(super) fn removes_items(old: Option<&Value>, new: Option<&Value>) -> bool {
    match (old, new) {
        (Some(Value::Array(a)), Some(Value::Array(b))) => a.iter().any(|item| !b.contains(item)),
        (Some(_), None) => true,
        _ => false,
    }
}

/// Whether `new` is `old` with renamed elements' names replaced: the change follows a
/// rename (connection targets, entry lists) and is not a rewiring.
pub(super) fn follows_renames(
    old: Option<&Value>,
    new: Option<&Value>,
    renamed: &BTreeMap<String, String>,
) -> bool {
    let (Some(old), Some(new)) = (old, new) else {
        return false;
    };
    if renamed.is_empty() {
        return false;
    }
    let mut old = old.clone();
    rename_strings(&mut old, renamed);
    &old == new
}

fn rename_strings(value: &mut Value, renamed: &BTreeMap<String, String>) {
    match value {
        Value::String(text) => {
            if let Some(to) = renamed.get(text.as_str()) {
                *text = to.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_strings(v, renamed)),
        Value::Object(map) => map.values_mut().for_each(|v| rename_strings(v, renamed)),
        _ => {}
    }
}
