//! Ownership markers: what flowgate deployed, recorded in the runtime itself so that any
//! machine can see it. Every tab of a bundle carries entries in its `env` array (flows read
//! them as environment variables):
//!
//! | name | value |
//! |---|---|
//! | `FLOWGATE_BUNDLE`, `FLOWGATE_SNAPSHOT`, `FLOWGATE_VERSION`, `FLOWGATE_ENVIRONMENT` | the deployment (`str`) |
//! | `FLOWGATE_RECORD` | `json`: the release id, the rendered file of this tab, the digest of each of its nodes as deployed, the bundle's tabs and the digest and file of each of its nodes that lie on no tab (config nodes, subflows) |
//!
//! A digest is 16 hex digits of BLAKE3 over the node's canonical JSON (keys sorted, without
//! `credentials`, which the runtime never returns, and without these markers).

use flowgate_store::canonical_json;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The prefix of every marker's name.
pub(crate) const PREFIX: &str = "FLOWGATE_";
/// The marker naming the bundle that owns a tab.
pub(crate) const BUNDLE: &str = "FLOWGATE_BUNDLE";
/// The marker holding the [`Record`].
pub(crate) const RECORD: &str = "FLOWGATE_RECORD";

/// The deployment a rendering is for: the fields of the deploy manifest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Deployment {
    /// The bundle.
    pub bundle: String,
    /// The snapshot id.
    pub snapshot: String,
    /// The version.
    pub version: String,
    /// The environment.
    pub environment: String,
    /// The release id (`LI-2.4.1 (2025-09-17)`), when the snapshot has one.
    pub release_id: Option<String>,
}

impl Deployment {
    /// The deployment a deploy manifest describes.
    pub fn from_manifest(bundle: &str, manifest: &Value) -> Self {
        let text = |key: &str| {
            manifest
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            bundle: bundle.to_owned(),
            snapshot: text("snapshot"),
            version: text("version"),
            environment: text("environment"),
            release_id: manifest
                .get("release_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }

    /// The deploy manifest (what promotion compares: `snapshot`, `version`).
    pub fn manifest(&self) -> Value {
        json!({
            "environment": self.environment,
            "bundle": self.bundle,
            "version": self.version,
            "release_id": self.release_id,
            "snapshot": self.snapshot,
        })
    }
}

/// A node of the bundle that lies on none of its tabs, as deployed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Loose {
    /// The rendered file it came from.
    pub file: String,
    /// Its digest.
    pub digest: String,
}

/// What one tab records of the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Record {
    /// The release id.
    #[serde(default)]
    pub release_id: Option<String>,
    /// The rendered file of this tab (empty for the tab flowgate adds to a bundle that has
    /// none).
    #[serde(default)]
    pub file: String,
    /// Whether the rendered tab had an `env` array of its own.
    #[serde(default)]
    pub env: bool,
    /// The digest of this tab and of each node on it, by id.
    #[serde(default)]
    pub nodes: BTreeMap<String, String>,
    /// Every tab of the bundle: id → label.
    #[serde(default)]
    pub tabs: BTreeMap<String, String>,
    /// The bundle's nodes that lie on no tab of it, by id.
    #[serde(default)]
    pub loose: BTreeMap<String, Loose>,
}

/// 16 hex digits of BLAKE3 over the canonical JSON of `node` without its credentials and
/// markers.
pub(crate) fn digest(node: &Value) -> String {
    let mut bare = node.clone();
    strip(&mut bare, true);
    if let Some(map) = bare.as_object_mut() {
        map.remove("credentials");
        // A tab without an `env` and one with an empty `env` are the same tab (marking adds
        // one, stripping may leave it empty).
        if map
            .get("env")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            map.remove("env");
        }
    }
    blake3::hash(&canonical_json(&bare)).to_hex()[..16].to_owned()
}

/// Writes the markers of `deployment` with `record` into `tab`'s `env`.
pub(crate) fn mark(tab: &mut Value, deployment: &Deployment, record: &Record) {
    let Some(map) = tab.as_object_mut() else {
        return;
    };
    let mut env: Vec<Value> = match map.remove("env") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    env.retain(|e| !is_marker(e));
    let text = |name: &str, value: &str| json!({ "name": name, "value": value, "type": "str" });
    env.push(text(BUNDLE, &deployment.bundle));
    env.push(text("FLOWGATE_SNAPSHOT", &deployment.snapshot));
    env.push(text("FLOWGATE_VERSION", &deployment.version));
    env.push(text("FLOWGATE_ENVIRONMENT", &deployment.environment));
    let record = serde_json::to_string(record).unwrap_or_default();
    env.push(json!({ "name": RECORD, "value": record, "type": "json" }));
    map.insert("env".to_owned(), Value::Array(env));
}

/// Removes the markers from `tab`; its `env` goes when it is left empty and the rendered tab
/// had none (`had_env` false).
pub(crate) fn strip(tab: &mut Value, had_env: bool) {
    let Some(map) = tab.as_object_mut() else {
        return;
    };
    let Some(Value::Array(env)) = map.get_mut("env") else {
        return;
    };
    if !env.iter().any(is_marker) {
        return;
    }
    env.retain(|e| !is_marker(e));
    if env.is_empty() && !had_env {
        map.remove("env");
    }
}

fn is_marker(entry: &Value) -> bool {
    entry
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.starts_with(PREFIX))
}

/// The value of the marker `name` of `tab`.
fn marker<'t>(tab: &'t Value, name: &str) -> Option<&'t str> {
    tab.get("env")?
        .as_array()?
        .iter()
        .find(|e| e.get("name").and_then(Value::as_str) == Some(name))?
        .get("value")?
        .as_str()
}

/// The bundle that owns `tab`, when flowgate deployed it.
pub(crate) fn owner(tab: &Value) -> Option<&str> {
    if tab.get("type").and_then(Value::as_str) != Some("tab") {
        return None;
    }
    marker(tab, BUNDLE)
}

/// The deployment and record a marked tab holds (a record that does not parse is empty, so
/// every node of the tab reads as changed).
pub(crate) fn read(tab: &Value) -> (Deployment, Record) {
    let text = |name: &str| marker(tab, name).unwrap_or_default().to_owned();
    let record: Record = marker(tab, RECORD)
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let deployment = Deployment {
        bundle: text(BUNDLE),
        snapshot: text("FLOWGATE_SNAPSHOT"),
        version: text("FLOWGATE_VERSION"),
        environment: text("FLOWGATE_ENVIRONMENT"),
        release_id: record.release_id.clone(),
    };
    (deployment, record)
}

/// The label of a tab (its id when it has none).
pub(crate) fn label(tab: &Value) -> String {
    tab.get("label")
        .and_then(Value::as_str)
        .or_else(|| tab.get("id").and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn digests_ignore_key_order_credentials_and_markers() {
        let a = json!({ "id": "t", "type": "tab", "label": "A" });
        let b = json!({ "label": "A", "type": "tab", "id": "t", "credentials": { "x": "y" } });
        assert_eq!(digest(&a), digest(&b));
        let mut marked = a.clone();
        let deployment = Deployment {
            bundle: "b".into(),
            ..Deployment::default()
        };
        mark(&mut marked, &deployment, &Record::default());
        assert_eq!(digest(&a), digest(&marked));
        assert_ne!(
            digest(&a),
            digest(&json!({ "id": "t", "type": "tab", "label": "B" }))
        );
    }

    #[test]
    fn marks_read_back_and_strip_to_the_rendered_tab() {
        let tab = json!({ "id": "t", "type": "tab", "label": "A", "env": [{ "name": "K", "value": "v", "type": "str" }] });
        let deployment = Deployment {
            bundle: "orders".into(),
            snapshot: "s1".into(),
            version: "1.0.0".into(),
            environment: "stage".into(),
            release_id: Some("OR-1.0.0".into()),
        };
        let record = Record {
            release_id: Some("OR-1.0.0".into()),
            file: "platform/node-red/a.json".into(),
            env: true,
            ..Record::default()
        };
        let mut marked = tab.clone();
        mark(&mut marked, &deployment, &record);
        mark(&mut marked, &deployment, &record);
        assert_eq!(owner(&marked), Some("orders"));
        assert_eq!(read(&marked), (deployment, record));
        strip(&mut marked, true);
        assert_eq!(marked, tab);
        let mut bare = json!({ "id": "t", "type": "tab" });
        mark(&mut bare, &Deployment::default(), &Record::default());
        strip(&mut bare, false);
        assert_eq!(bare, json!({ "id": "t", "type": "tab" }));
    }

    #[test]
    fn hostile_markers_read_as_empty() {
        let tab = json!({ "id": "t", "type": "tab", "env": [
            { "name": "FLOWGATE_BUNDLE", "value": "b" },
            { "name": "FLOWGATE_RECORD", "value": "{not json" },
            7, null
        ]});
        assert_eq!(owner(&tab), Some("b"));
        assert_eq!(read(&tab).1, Record::default());
        assert_eq!(owner(&json!({ "type": "inject", "env": tab["env"] })), None);
        assert_eq!(owner(&json!("tab")), None);
    }
}
