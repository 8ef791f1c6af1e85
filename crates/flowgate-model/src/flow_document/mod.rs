//! A platform flow as one JSON document, for snapshots and diffs: what the platform stores
//! about the flow, element by element, minus where things sit on the canvas and minus the
//! summaries flowgate derives from it (the trigger, `active`, entry lists, error handling),
//! which would report one edit twice. Read from the kept document when an asset document is
//! built, never while loading or checking.
//!
//! The fields left out, per platform, are the *layout* fields of `docs/releases.md`:
//! everything else is compared, so an edit to any other value shows in a diff.

mod n8n;
mod node_red;
mod salesforce;

use crate::flow::{Dialect, Flow};
use serde_json::{Map, Value};

/// Reshape the serialized asset `document` of `flow` into its flow document.
pub fn reshape(document: &mut Value, flow: &Flow) {
    let Value::Object(map) = document else {
        return;
    };
    match flow.dialect {
        Dialect::Salesforce => salesforce::reshape(map, flow),
        Dialect::N8n => n8n::reshape(map, flow),
        Dialect::NodeRed => node_red::reshape(map, flow),
    }
}

/// Drop the summary fields that a platform document states itself.
fn drop_derived(map: &mut Map<String, Value>) {
    for key in ["label", "trigger", "active", "entries"] {
        map.shift_remove(key);
    }
    if let Some(Value::Array(elements)) = map.get_mut("elements") {
        for element in elements {
            if let Value::Object(element) = element {
                element.shift_remove("error_handling");
            }
        }
    }
}

/// Put `settings` beside each element of the document, in element order (none when `Null`).
fn attach_settings(map: &mut Map<String, Value>, settings: Vec<Value>) {
    let Some(Value::Array(elements)) = map.get_mut("elements") else {
        return;
    };
    for (element, settings) in elements.iter_mut().zip(settings) {
        if let (Value::Object(element), false) = (element, settings.is_null()) {
            element.insert("settings".to_owned(), settings);
        }
    }
}
