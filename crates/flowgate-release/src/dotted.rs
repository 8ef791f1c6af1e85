//! Dotted paths into JSON documents (`from.address`), as environment values name fields.

use serde_json::{Map, Value};

/// Sets `value` at a dotted `path`, creating objects on the way (an existing non-object on
/// the way is replaced).
pub(crate) fn set_path(document: &mut Value, path: &str, value: Value) {
    let mut here = document;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !here.is_object() {
            *here = Value::Object(Map::new());
        }
        let Value::Object(map) = here else {
            return;
        };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        here = map
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}
