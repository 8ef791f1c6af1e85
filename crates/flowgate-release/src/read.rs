//! Reading a stored snapshot back as asset documents.

use crate::error::ReleaseError;
use flowgate_diff::Documents;
use flowgate_load::load_platform_texts;
use flowgate_model::flow::Dialect;
use flowgate_store::{Entry, Snapshot, Store};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The documents of a stored snapshot.
pub async fn snapshot_documents(
    store: &impl Store,
    snapshot: &Snapshot,
) -> Result<Documents, ReleaseError> {
    let ids: Vec<_> = snapshot.entries.iter().map(|e| e.object).collect();
    let stored: HashMap<_, _> = store
        .get_objects(&ids)
        .await?
        .into_iter()
        .map(|object| (object.id(), object.into_bytes()))
        .collect();
    let mut objects = BTreeMap::new();
    for entry in &snapshot.entries {
        let bytes = stored
            .get(&entry.object)
            .ok_or_else(|| ReleaseError::Unreadable {
                snapshot: snapshot.id.short(),
                reason: format!(
                    "object {} of `{}` is missing",
                    entry.object.short(),
                    entry.id
                ),
            })?;
        objects.insert(entry.id.clone(), bytes.clone());
    }
    documents_from_objects(snapshot, &objects)
}

/// The documents of a snapshot whose objects are at hand (by asset id).
pub fn documents_from_objects(
    snapshot: &Snapshot,
    objects: &BTreeMap<String, Vec<u8>>,
) -> Result<Documents, ReleaseError> {
    let unreadable = |entry: &Entry, reason: String| ReleaseError::Unreadable {
        snapshot: snapshot.id.short(),
        reason: format!("`{}`: {reason}", entry.id),
    };
    let platform = snapshot.manifest.get("platform_flows");
    let mut documents = BTreeMap::new();
    for entry in &snapshot.entries {
        let bytes = objects
            .get(&entry.id)
            .ok_or_else(|| unreadable(entry, "object missing".to_owned()))?;
        let dialect = platform
            .and_then(|p| p.get(&entry.id))
            .and_then(Value::as_str)
            .map(dialect_of)
            .transpose()
            .map_err(|e| unreadable(entry, e))?;
        let document = match dialect {
            None => serde_json::from_slice::<Value>(bytes)
                .map_err(|e| unreadable(entry, format!("not a JSON document: {e}")))?,
            Some(dialect) => {
                let text = String::from_utf8(bytes.clone())
                    .map_err(|_| unreadable(entry, "not UTF-8".to_owned()))?;
                let path = entry.path.clone().unwrap_or_else(|| entry.id.clone());
                let loaded = load_platform_texts(Path::new("."), dialect, &[(path, text)]);
                let asset = loaded.model.assets().first().ok_or_else(|| {
                    unreadable(entry, "the platform file does not import".to_owned())
                })?;
                let mut document = asset.document();
                // The importer derives the id from the file; the snapshot's id is what counts.
                document["id"] = Value::from(entry.id.clone());
                document
            }
        };
        documents.insert(entry.id.clone(), document);
    }
    Ok(Documents(documents))
}

fn dialect_of(name: &str) -> Result<Dialect, String> {
    match name {
        "salesforce" => Ok(Dialect::Salesforce),
        "n8n" => Ok(Dialect::N8n),
        "node-red" => Ok(Dialect::NodeRed),
        other => Err(format!("unknown platform `{other}`")),
    }
}
