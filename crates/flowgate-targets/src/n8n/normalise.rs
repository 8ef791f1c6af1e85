//! What flowgate sends for a rendered workflow file, and the normalised form of a workflow
//! that two digests are compared on.
//!
//! The body keeps only what n8n's public API accepts (`name`, `nodes`, `connections`,
//! `settings`; node and settings keys of its OpenAPI schema) and refers to credentials by
//! name only (`{"id": null, "name": …}`), which n8n resolves to the credential of that name
//! and type in the owner's project. The normalised form leaves out what n8n assigns or what
//! is layout (node `id`, `webhookId`, `position`), orders nodes by name and reduces
//! credentials to their names, so that a workflow reads the same sent and stored.

use flowgate_store::canonical_json;
use serde_json::{json, Map, Value};

/// Node keys of n8n's public API schema (`additionalProperties: false`).
const NODE_KEYS: &[&str] = &[
    "id",
    "name",
    "webhookId",
    "disabled",
    "notesInFlow",
    "notes",
    "type",
    "typeVersion",
    "executeOnce",
    "alwaysOutputData",
    "retryOnFail",
    "maxTries",
    "waitBetweenTries",
    "continueOnFail",
    "onError",
    "position",
    "parameters",
    "credentials",
];

/// Node keys that n8n assigns or that are layout: never part of a digest.
const LAYOUT_KEYS: &[&str] = &["id", "webhookId", "position"];

/// Settings keys of n8n's public API schema.
const SETTINGS_KEYS: &[&str] = &[
    "saveExecutionProgress",
    "saveManualExecutions",
    "saveDataErrorExecution",
    "saveDataSuccessExecution",
    "executionTimeout",
    "errorWorkflow",
    "timezone",
    "executionOrder",
    "callerPolicy",
    "callerIds",
    "timeSavedPerExecution",
    "availableInMCP",
];

/// A rendered workflow file, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Desired {
    /// The workflow's name (with the environment's prefix).
    pub name: String,
    /// `name`, `nodes`, `connections` and `settings` as n8n's API takes them.
    pub body: Value,
    /// Whether the bundle wants it active.
    pub active: bool,
    /// The digest of the normalised body.
    pub digest: String,
}

/// The workflow a rendered file holds, or why it is not one.
pub(crate) fn desired(bytes: &[u8]) -> Result<Desired, String> {
    let document: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("is not JSON ({e})"))?;
    let object = document
        .as_object()
        .ok_or("is not a JSON object, so not an n8n workflow")?;
    let name = match object.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
        _ => return Err("has no `name`; n8n needs one".to_owned()),
    };
    let Some(Value::Array(nodes)) = object.get("nodes") else {
        return Err("has no `nodes` list".to_owned());
    };
    let nodes = nodes
        .iter()
        .enumerate()
        .map(|(i, node)| body_node(node).ok_or(format!("has a node {i} that is not an object")))
        .collect::<Result<Vec<_>, _>>()?;
    let connections = match object.get("connections") {
        None | Some(Value::Null) => json!({}),
        Some(c @ Value::Object(_)) => c.clone(),
        Some(_) => return Err("has `connections` that are not an object".to_owned()),
    };
    let body = json!({
        "name": name,
        "nodes": nodes,
        "connections": connections,
        "settings": settings(object.get("settings")),
    });
    let active = match object.get("active") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    let digest = digest(&normalised(&body));
    Ok(Desired {
        name,
        body,
        active,
        digest,
    })
}

/// A node as the API takes it, credentials referred to by name only.
fn body_node(node: &Value) -> Option<Value> {
    let node = node.as_object()?;
    let mut out: Map<String, Value> = node
        .iter()
        .filter(|(k, _)| NODE_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(Value::Object(credentials)) = node.get("credentials") {
        let by_name: Map<String, Value> = credentials
            .iter()
            .map(|(kind, c)| {
                (
                    kind.clone(),
                    json!({ "id": null, "name": credential_name(c) }),
                )
            })
            .collect();
        out.insert("credentials".to_owned(), Value::Object(by_name));
    }
    Some(Value::Object(out))
}

/// The name a node's credential reference gives (a string, or `{id, name}`).
fn credential_name(reference: &Value) -> Value {
    match reference {
        Value::String(name) => Value::from(name.clone()),
        other => other.get("name").cloned().unwrap_or(Value::Null),
    }
}

/// The settings the API accepts, from a workflow's `settings`.
fn settings(settings: Option<&Value>) -> Value {
    let Some(Value::Object(settings)) = settings else {
        return json!({});
    };
    Value::Object(
        settings
            .iter()
            .filter(|(k, _)| SETTINGS_KEYS.contains(&k.as_str()))
            .filter(|(_, v)| !v.is_null() && v.as_str() != Some("DEFAULT"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// The normalised form of a workflow (sent or as n8n returns it).
pub(crate) fn normalised(workflow: &Value) -> Value {
    let mut nodes: Vec<Value> = workflow
        .get("nodes")
        .and_then(Value::as_array)
        .map(|nodes| nodes.iter().filter_map(normalised_node).collect())
        .unwrap_or_default();
    nodes.sort_by(|a, b| {
        let name = |n: &Value| {
            n.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        name(a).cmp(&name(b))
    });
    json!({
        "name": workflow.get("name").cloned().unwrap_or(Value::Null),
        "nodes": nodes,
        "connections": workflow.get("connections").cloned().unwrap_or_else(|| json!({})),
        "settings": settings(workflow.get("settings")),
    })
}

fn normalised_node(node: &Value) -> Option<Value> {
    let node = node.as_object()?;
    let mut out = Map::new();
    for (key, value) in node {
        if !NODE_KEYS.contains(&key.as_str()) || LAYOUT_KEYS.contains(&key.as_str()) {
            continue;
        }
        if value.is_null() {
            continue;
        }
        let value = match (key.as_str(), value) {
            ("credentials", Value::Object(c)) => Value::Object(
                c.iter()
                    .map(|(kind, r)| (kind.clone(), credential_name(r)))
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Some(Value::Object(out))
}

/// Credentials of a stored workflow that n8n could not resolve by name: `(type, name)`.
pub(crate) fn unresolved_credentials(workflow: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let nodes = workflow.get("nodes").and_then(Value::as_array);
    for node in nodes.into_iter().flatten() {
        if node.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let Some(Value::Object(credentials)) = node.get("credentials") else {
            continue;
        };
        for (kind, reference) in credentials {
            let id = reference.get("id");
            if id.is_none_or(|id| id.is_null() || id.as_str() == Some("")) {
                let name = credential_name(reference);
                out.push((kind.clone(), name.as_str().unwrap_or("?").to_owned()));
            }
        }
    }
    out
}

/// The BLAKE3 digest of a value's canonical JSON (object keys sorted at every level).
pub(crate) fn digest(value: &Value) -> String {
    blake3::hash(&canonical_json(value)).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn generated(n: usize) -> Value {
        let nodes: Vec<Value> = (0..n)
            .map(|i| {
                json!({
                    "id": format!("id-{i}"),
                    "name": format!("Node {i}"),
                    "type": "n8n-nodes-base.slack",
                    "typeVersion": 2,
                    "position": [i, 0],
                    "parameters": { "text": format!("hello {i}") },
                    "credentials": { "slackApi": { "id": "17", "name": "Slack" } },
                    "color": 3,
                })
            })
            .collect();
        json!({ "name": "W", "nodes": nodes, "connections": {}, "active": true,
                "settings": { "executionOrder": "v1", "unknown": 1, "timezone": "DEFAULT" },
                "tags": [{ "id": "1", "name": "x" }], "pinData": {} })
    }

    #[test]
    fn the_body_keeps_what_the_api_takes_and_credentials_by_name() {
        let bytes = serde_json::to_vec(&generated(2)).unwrap();
        let d = desired(&bytes).unwrap();
        assert!(d.active);
        assert_eq!(d.body["settings"], json!({ "executionOrder": "v1" }));
        assert!(d.body.get("tags").is_none() && d.body.get("pinData").is_none());
        assert!(d.body["nodes"][0].get("color").is_none());
        assert_eq!(
            d.body["nodes"][0]["credentials"],
            json!({ "slackApi": { "id": null, "name": "Slack" } })
        );
    }

    #[test]
    fn layout_ids_order_and_credential_ids_do_not_change_the_digest() {
        let bytes = serde_json::to_vec(&generated(5)).unwrap();
        let sent = desired(&bytes).unwrap();
        let mut stored = sent.body.clone();
        let nodes = stored["nodes"].as_array_mut().unwrap();
        nodes.reverse();
        for node in nodes.iter_mut() {
            node["id"] = json!("n8n-uuid");
            node["position"] = json!([9, 9]);
            node["credentials"]["slackApi"]["id"] = json!("42");
        }
        assert_eq!(digest(&normalised(&stored)), sent.digest);
        stored["nodes"][0]["parameters"]["text"] = json!("edited");
        assert_ne!(digest(&normalised(&stored)), sent.digest);
    }

    #[test]
    fn hostile_files_are_errors_never_panics() {
        let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
        for text in [
            "",
            "null",
            "[]",
            "\"w\"",
            "{}",
            "{\"name\": 3, \"nodes\": []}",
            "{\"name\": \"w\"}",
            "{\"name\": \"w\", \"nodes\": {}}",
            "{\"name\": \"w\", \"nodes\": [1]}",
            "{\"name\": \"w\", \"nodes\": [], \"connections\": []}",
            deep.as_str(),
        ] {
            assert!(desired(text.as_bytes()).is_err(), "{text:.40}");
        }
        // Normalising anything at all never panics.
        for value in [
            json!(null),
            json!([1]),
            json!({ "nodes": [1, null, { "credentials": 3 }] }),
        ] {
            let _ = digest(&normalised(&value));
            let _ = unresolved_credentials(&value);
        }
    }

    #[test]
    fn a_large_generated_workflow_is_read() {
        let bytes = serde_json::to_vec(&generated(20_000)).unwrap();
        let d = desired(&bytes).unwrap();
        assert_eq!(d.body["nodes"].as_array().unwrap().len(), 20_000);
    }

    #[test]
    fn unresolved_credentials_are_named() {
        let stored = json!({ "nodes": [
            { "credentials": { "slackApi": { "id": null, "name": "Slack" } } },
            { "credentials": { "slackApi": { "id": "3", "name": "Slack" } } },
            { "disabled": true, "credentials": { "x": { "id": null, "name": "X" } } },
        ] });
        assert_eq!(
            unresolved_credentials(&stored),
            vec![("slackApi".to_owned(), "Slack".to_owned())]
        );
    }
}
