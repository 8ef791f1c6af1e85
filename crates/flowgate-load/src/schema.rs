//! The JSON Schema of asset files, generated from the wire types.

use crate::wire::AssetWire;

/// Where the committed schema lives, relative to the repository root.
pub const SCHEMA_PATH: &str = "schema/flowgate.schema.json";

/// The JSON Schema of one asset file: one asset document, or (in JSON) an array of them.
pub fn asset_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<AssetWire>();
    let mut value = serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "$id".into(),
            serde_json::Value::String("https://flowgate.dev/schema/flowgate.schema.json".into()),
        );
        object.insert(
            "title".into(),
            serde_json::Value::String("flowgate asset".into()),
        );
    }
    value
}

/// The schema as pretty-printed JSON text with a trailing newline.
pub fn asset_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&asset_schema()).unwrap_or_default();
    text.push('\n');
    text
}
