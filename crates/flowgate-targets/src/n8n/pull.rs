//! Pull: the bundle's workflows as n8n holds them, laid out like a rendering
//! (`platform/n8n/<file>`), so that they can be diffed against one or brought back into the
//! workspace. The deployment's own tags (`env:`, `release:`) are left out.

use super::marker::{static_data, Held, KEY};
use super::reset::drop_reset;
use super::view::BundleView;
use flowgate_release::Pulled;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Keys of a pulled workflow, in the order n8n exports them.
const EXPORT_KEYS: &[&str] = &["name", "nodes", "connections", "active", "settings", "tags"];

/// The bundle's workflows as files, with the record's manifest.
pub(crate) fn pulled(view: &BundleView) -> Option<Pulled> {
    if view.is_empty() {
        return None;
    }
    let files = view
        .members
        .iter()
        .map(|(file, held)| (file.clone(), export(held)))
        .collect::<BTreeMap<_, _>>();
    let manifest = view
        .record_field("manifest")
        .cloned()
        .unwrap_or(Value::Null);
    Some(Pulled { manifest, files })
}

/// The workflow's tags without the `env:` and `release:` tags a deployment sets (they are
/// the target's bookkeeping, not the workflow's content); `None` when none is left.
fn own_tags(tags: Option<&Value>) -> Option<Value> {
    let kept: Vec<Value> = tags?
        .as_array()?
        .iter()
        .filter(|t| {
            let name = t.get("name").and_then(Value::as_str).unwrap_or_default();
            !name.starts_with("env:") && !name.starts_with("release:")
        })
        .cloned()
        .collect();
    (!kept.is_empty()).then_some(Value::Array(kept))
}

/// A workflow as an n8n export file (its own state in `staticData`, without the marker).
fn export(held: &Held) -> Vec<u8> {
    let mut out = Map::new();
    for key in EXPORT_KEYS {
        if let Some(value) = held.raw.get(*key) {
            out.insert((*key).to_owned(), value.clone());
        }
    }
    if let Some(Value::Object(settings)) = out.get_mut("settings") {
        drop_reset(settings, held.marker.as_ref());
    }
    match own_tags(out.get("tags")) {
        Some(tags) => out.insert("tags".to_owned(), tags),
        None => out.remove("tags"),
    };
    let mut data = static_data(&held.raw);
    data.remove(KEY);
    if !data.is_empty() {
        out.insert("staticData".to_owned(), Value::Object(data));
    }
    if let Some(id) = held.raw.get("id") {
        out.insert("id".to_owned(), id.clone());
    }
    let mut text = serde_json::to_vec_pretty(&Value::Object(out)).unwrap_or_default();
    text.push(b'\n');
    text
}
