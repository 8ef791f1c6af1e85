//! A shape as JSON Schema (draft 2020-12): types with `null` where nulls were seen,
//! properties, `required` for those present in every object, `items`, `enum` for strings
//! with few distinct values seen often enough, `format` when every string had one, and the
//! counts as `x-flowgate-seen` annotations.

use crate::shape::{Kind, Shape};
use serde_json::{json, Map, Value};

/// The smallest number of strings per distinct value for a field to be read as an enum.
const ENUM_EVIDENCE: u64 = 3;

/// The JSON Schema of `shape`, inferred from `records` records.
pub fn to_json_schema(shape: &Shape, records: u64) -> Value {
    let mut root = schema_of(shape);
    if let Value::Object(map) = &mut root {
        map.insert(
            "$schema".to_owned(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        map.insert("x-flowgate-records".to_owned(), json!(records));
    }
    root
}

/// The enum a shape's strings make, when they look like one.
pub fn enum_values(shape: &Shape) -> Option<Vec<&str>> {
    let values = shape.values.as_ref()?;
    let strings = shape.seen(Kind::String).count;
    let enough = !values.is_empty() && strings >= ENUM_EVIDENCE * values.len() as u64;
    enough.then(|| values.keys().map(String::as_str).collect())
}

fn types(shape: &Shape) -> Vec<&'static str> {
    let kinds = shape.kinds_seen();
    kinds
        .iter()
        .filter(|k| !(**k == Kind::Integer && kinds.contains(&Kind::Number)))
        .map(|k| k.as_str())
        .collect()
}

fn schema_of(shape: &Shape) -> Value {
    let mut map = Map::new();
    match types(shape).as_slice() {
        [] => {}
        [one] => {
            map.insert("type".to_owned(), json!(one));
        }
        many => {
            map.insert("type".to_owned(), json!(many));
        }
    }
    if shape.seen(Kind::Object).count > 0 {
        object_keywords(shape, &mut map);
    }
    if let Some(items) = &shape.items {
        map.insert("items".to_owned(), schema_of(items));
    }
    if let Some(values) = enum_values(shape) {
        let mut listed: Vec<Value> = values.into_iter().map(Value::from).collect();
        if shape.seen(Kind::Null).count > 0 {
            listed.push(Value::Null);
        }
        map.insert("enum".to_owned(), Value::Array(listed));
    }
    if let Some(format) = shape.format() {
        map.insert("format".to_owned(), json!(format.as_str()));
    }
    map.insert("x-flowgate-seen".to_owned(), json!(shape.total()));
    Value::Object(map)
}

fn object_keywords(shape: &Shape, map: &mut Map<String, Value>) {
    let objects = shape.seen(Kind::Object).count;
    let properties: Map<String, Value> = shape
        .properties
        .iter()
        .map(|(name, field)| (name.clone(), schema_of(&field.shape)))
        .collect();
    let required: Vec<&str> = shape
        .properties
        .iter()
        .filter(|(_, field)| field.present.count == objects)
        .map(|(name, _)| name.as_str())
        .collect();
    map.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        map.insert("required".to_owned(), json!(required));
    }
}
