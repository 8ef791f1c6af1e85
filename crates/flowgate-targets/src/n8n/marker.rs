//! Markers: what flowgate keeps inside n8n so that any machine finds a bundle's workflows.
//!
//! Every workflow flowgate deploys carries, under the key `flowgate` of its `staticData`,
//! a *workflow marker*: `{"kind": "workflow", "environment", "bundle", "file", "source",
//! "content", "snapshot", "version"}` (`file`: the rendered path; `source`: the digest of
//! the normalised body flowgate sent; `content`: the digest of the normalised workflow as
//! n8n stored it). Each bundle and environment has one *record* workflow (inactive, a sticky
//! note saying what it is) whose marker is `{"kind": "record", "environment", "bundle",
//! "manifest", "members": {file: {"id", "source", "active"}}}`: it is written last, so it
//! names the deployment that completed, and it is what `inspect` and `pull` read.

use super::client::text;
use serde_json::{json, Map, Value};

/// The `staticData` key of markers.
pub(crate) const KEY: &str = "flowgate";

/// A workflow of the instance, as far as flowgate reads it.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whether it is active.
    pub active: bool,
    /// When n8n last changed it.
    pub updated_at: String,
    /// Its tags: `(id, name)`.
    pub tags: Vec<(String, String)>,
    /// Its flowgate marker, if any.
    pub marker: Option<Value>,
    /// The workflow as n8n returned it.
    pub raw: Value,
}

impl Held {
    /// The workflow n8n returned, when it has a usable id.
    pub fn from_api(raw: Value) -> Option<Self> {
        let id = text(&raw, "id").filter(|id| safe_id(id))?;
        let tags = raw
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(|t| Some((text(t, "id")?, text(t, "name")?)))
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            id,
            name: text(&raw, "name").unwrap_or_default(),
            active: raw.get("active").and_then(Value::as_bool).unwrap_or(false),
            updated_at: updated_at(&raw),
            tags,
            marker: static_data(&raw).get(KEY).cloned(),
            raw,
        })
    }

    /// Whether its marker is of `kind` for `environment` and `bundle`.
    pub fn is(&self, kind: &str, environment: &str, bundle: &str) -> bool {
        self.marker.as_ref().is_some_and(|m| {
            m.get("kind").and_then(Value::as_str) == Some(kind)
                && m.get("environment").and_then(Value::as_str) == Some(environment)
                && m.get("bundle").and_then(Value::as_str) == Some(bundle)
        })
    }

    /// A field of its marker.
    pub fn mark(&self, key: &str) -> Option<String> {
        self.marker.as_ref().and_then(|m| text(m, key))
    }
}

/// When n8n last changed a workflow (`updatedAt`, and its `versionId` when it has one).
pub(crate) fn updated_at(raw: &Value) -> String {
    format!(
        "{}|{}",
        text(raw, "updatedAt").unwrap_or_default(),
        text(raw, "versionId").unwrap_or_default()
    )
}

/// Whether an id is one n8n makes (so it may go into a URL path).
pub(crate) fn safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A workflow's `staticData` as an object (n8n returns null, an object or a JSON string).
pub(crate) fn static_data(raw: &Value) -> Map<String, Value> {
    match raw.get("staticData") {
        Some(Value::Object(map)) => map.clone(),
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        },
        _ => Map::new(),
    }
}

/// `staticData` with `marker` under [`KEY`], keeping whatever else the workflow holds (the
/// state of its trigger nodes).
pub(crate) fn with_marker(current: Option<&Value>, marker: Value) -> Value {
    let mut data = current.map(static_data).unwrap_or_default();
    data.insert(KEY.to_owned(), marker);
    Value::Object(data)
}

/// The workflow marker of one deployed file.
pub(crate) fn workflow_marker(manifest: &Value, file: &str, source: &str, content: &str) -> Value {
    json!({
        "kind": "workflow",
        "environment": manifest.get("environment"),
        "bundle": manifest.get("bundle"),
        "file": file,
        "source": source,
        "content": content,
        "snapshot": manifest.get("snapshot"),
        "version": manifest.get("version"),
    })
}

/// The body of the record workflow of a deployment.
pub(crate) fn record_body(
    manifest: &Value,
    members: &Map<String, Value>,
    current: Option<&Value>,
) -> Value {
    let environment = manifest
        .get("environment")
        .and_then(Value::as_str)
        .unwrap_or("");
    let bundle = manifest.get("bundle").and_then(Value::as_str).unwrap_or("");
    let note = format!(
        "Managed by flowgate: the record of bundle {bundle} in environment {environment} (its \
         workflows, the release they belong to). Do not edit or delete it; deploy with flowgate."
    );
    let marker = json!({
        "kind": "record",
        "environment": environment,
        "bundle": bundle,
        "manifest": manifest,
        "members": members,
    });
    json!({
        "name": record_name(environment, bundle),
        "nodes": [{
            "name": "flowgate",
            "type": "n8n-nodes-base.stickyNote",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": { "content": note, "width": 480, "height": 160 },
        }],
        "connections": {},
        "settings": {},
        "staticData": with_marker(current, marker),
    })
}

/// The name of the record workflow of `bundle` in `environment`.
pub(crate) fn record_name(environment: &str, bundle: &str) -> String {
    format!("flowgate record: {bundle} ({environment})")
}
