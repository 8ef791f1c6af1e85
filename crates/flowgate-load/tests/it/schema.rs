//! The committed JSON Schema must match the one generated from the wire types.

use std::path::Path;

#[test]
fn committed_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(flowgate_load::schema::SCHEMA_PATH);
    let generated = flowgate_load::schema::asset_schema_text();
    if std::env::var_os("FLOWGATE_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/flowgate.schema.json is stale: run `FLOWGATE_UPDATE_SCHEMA=1 cargo test -p flowgate-load --test it schema::` and commit the result"
    );
}

#[test]
fn schema_names_every_kind() {
    let schema = flowgate_load::schema::asset_schema();
    let text = schema.to_string();
    for kind in flowgate_model::AssetKind::NATIVE {
        assert!(text.contains(&format!("\"{}\"", kind.as_str())), "{kind}");
    }
}
