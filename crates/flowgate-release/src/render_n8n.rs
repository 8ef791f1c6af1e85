//! The environment's overlay on n8n workflows (platform files of dialect `n8n`):
//!
//! - the workflow `name` gets the environment's `name_prefix` (once);
//! - a value keyed `"<asset-id>.<node>.<parameter path>"` sets that parameter of the node
//!   named `<node>` (else of the node whose `id` is `<node>`): `parameters.<path>`;
//! - the guardrail `webhook_redirect` points every HTTP Request node
//!   (`n8n-nodes-base.httpRequest`) at the capture endpoint (`parameters.url`).
//!
//! A workflow that nothing applies to is deployed byte for byte as frozen. One that something
//! applies to but that is not a workflow object (not JSON, not an object, `nodes` not a list)
//! is a rendering problem, never a panic; its bytes are left as they are.

use crate::dotted::set_path;
use crate::policy::Environment;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The node type whose URL the `webhook_redirect` guardrail rewrites.
const HTTP_REQUEST: &str = "n8n-nodes-base.httpRequest";

/// What an environment changes in one workflow.
#[derive(Debug, Default)]
pub(crate) struct Overlay<'a> {
    /// The name prefix.
    pub prefix: Option<&'a str>,
    /// `(node and parameter path, value, index of the value in the environment)`.
    pub values: Vec<(&'a str, &'a Value, usize)>,
    /// The capture endpoint for HTTP Request nodes.
    pub redirect: Option<&'a str>,
}

impl Overlay<'_> {
    fn is_empty(&self) -> bool {
        self.prefix.is_none() && self.values.is_empty() && self.redirect.is_none()
    }
}

/// Renders the n8n workflow `bytes` of asset `id` for `env`: marks the values it used in
/// `used` (indexed like `env.values`) and reports what stops it in `problems`.
pub(crate) fn render(
    id: &str,
    bytes: &Arc<[u8]>,
    env: &Environment,
    used: &mut [bool],
    problems: &mut Vec<String>,
) -> Arc<[u8]> {
    let overlay = Overlay {
        prefix: env.name_prefix.as_deref(),
        values: env
            .values
            .iter()
            .enumerate()
            .filter_map(|(index, (key, value))| {
                let rest = key.strip_prefix(id)?.strip_prefix('.')?;
                Some((rest, value, index))
            })
            .collect(),
        redirect: env.guardrails.webhook_redirect.as_deref(),
    };
    if overlay.is_empty() {
        return Arc::clone(bytes);
    }
    let mut document: Value = match serde_json::from_slice(bytes) {
        Ok(document) => document,
        Err(e) => {
            problems.push(format!("n8n workflow `{id}` is not JSON ({e})"));
            return Arc::clone(bytes);
        }
    };
    match apply(&mut document, &overlay) {
        Ok(applied) => {
            for index in applied {
                if let Some(flag) = used.get_mut(index) {
                    *flag = true;
                }
            }
        }
        Err(why) => {
            problems.push(format!("n8n workflow `{id}` {why}"));
            return Arc::clone(bytes);
        }
    }
    let mut text = serde_json::to_vec_pretty(&document).unwrap_or_default();
    text.push(b'\n');
    Arc::from(text)
}

/// Applies `overlay` to a workflow document; the indexes of the values that matched a node,
/// or why the document is not a workflow.
pub(crate) fn apply(document: &mut Value, overlay: &Overlay<'_>) -> Result<Vec<usize>, String> {
    let workflow = document
        .as_object_mut()
        .ok_or("is not a JSON object; export the workflow from n8n again")?;
    if let Some(prefix) = overlay.prefix {
        prefix_name(workflow, prefix);
    }
    let nodes = match workflow.get_mut("nodes") {
        Some(Value::Array(nodes)) => nodes,
        None if overlay.values.is_empty() && overlay.redirect.is_none() => return Ok(Vec::new()),
        _ => return Err("has no `nodes` list; export the workflow from n8n again".to_owned()),
    };
    let mut applied = Vec::new();
    for (key, value, index) in &overlay.values {
        if set_node_value(nodes, key, value) {
            applied.push(*index);
        }
    }
    if let Some(url) = overlay.redirect {
        redirect_http_requests(nodes, url);
    }
    Ok(applied)
}

/// Prefixes the workflow's `name` unless it already starts with the prefix.
fn prefix_name(workflow: &mut Map<String, Value>, prefix: &str) {
    if let Some(Value::String(name)) = workflow.get_mut("name") {
        if !name.starts_with(prefix) {
            *name = format!("{prefix}{name}");
        }
    }
}

/// Sets `parameters.<path>` of the node that `key` (`<node>.<path>`) names: by name first,
/// then by id; of several names that fit, the longest (names may hold dots). False when no
/// node fits or the path is empty.
fn set_node_value(nodes: &mut [Value], key: &str, value: &Value) -> bool {
    let mut best: Option<(usize, usize)> = None;
    for field in ["name", "id"] {
        for (index, node) in nodes.iter().enumerate() {
            let Some(label) = node.get(field).and_then(Value::as_str) else {
                continue;
            };
            let fits = key
                .strip_prefix(label)
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.'));
            if fits && best.is_none_or(|(_, len)| label.len() > len) {
                best = Some((index, label.len()));
            }
        }
        if best.is_some() {
            break;
        }
    }
    let Some((index, len)) = best else {
        return false;
    };
    let Some(node) = nodes.get_mut(index).and_then(Value::as_object_mut) else {
        return false;
    };
    let parameters = node
        .entry("parameters")
        .or_insert_with(|| Value::Object(Map::new()));
    set_path(parameters, &key[len + 1..], value.clone());
    true
}

/// Points every HTTP Request node at `url`.
fn redirect_http_requests(nodes: &mut [Value], url: &str) {
    for node in nodes.iter_mut().filter_map(Value::as_object_mut) {
        if node.get("type").and_then(Value::as_str) != Some(HTTP_REQUEST) {
            continue;
        }
        let parameters = node
            .entry("parameters")
            .or_insert_with(|| Value::Object(Map::new()));
        set_path(parameters, "url", Value::from(url));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    /// A generated workflow of `n` nodes, every third an HTTP Request.
    fn workflow(n: usize) -> Value {
        let nodes: Vec<Value> = (0..n)
            .map(|i| {
                let kind = if i % 3 == 0 {
                    HTTP_REQUEST
                } else {
                    "n8n-nodes-base.set"
                };
                json!({
                    "id": format!("id-{i}"),
                    "name": format!("Node {i}"),
                    "type": kind,
                    "typeVersion": 4,
                    "position": [i * 200, 0],
                    "parameters": { "url": format!("https://api.example/{i}") },
                })
            })
            .collect();
        json!({ "name": "Lead intake", "nodes": nodes, "connections": {} })
    }

    #[test]
    fn the_name_gets_the_prefix_once() {
        let mut doc = workflow(2);
        let overlay = Overlay {
            prefix: Some("STG — "),
            ..Overlay::default()
        };
        apply(&mut doc, &overlay).unwrap();
        apply(&mut doc, &overlay).unwrap();
        assert_eq!(doc["name"], "STG — Lead intake");
    }

    #[test]
    fn values_set_parameters_by_node_name_or_id() {
        let mut doc = workflow(3);
        doc["nodes"][1]["name"] = json!("Set v1.2");
        let channel = json!("#stage");
        let limit = json!(5);
        let missing = json!(1);
        let overlay = Overlay {
            values: vec![
                ("Set v1.2.options.channel", &channel, 0),
                ("id-2.limit", &limit, 1),
                ("No such node.x", &missing, 2),
                ("Node 0.", &missing, 3),
            ],
            ..Overlay::default()
        };
        assert_eq!(apply(&mut doc, &overlay).unwrap(), vec![0, 1]);
        assert_eq!(
            doc["nodes"][1]["parameters"]["options"]["channel"],
            "#stage"
        );
        assert_eq!(doc["nodes"][2]["parameters"]["limit"], 5);
    }

    #[test]
    fn the_redirect_rewrites_every_http_request_url_only() {
        let mut doc = workflow(7);
        doc["nodes"][3]["parameters"] = json!("not an object");
        let overlay = Overlay {
            redirect: Some("https://capture.example/in"),
            ..Overlay::default()
        };
        apply(&mut doc, &overlay).unwrap();
        for (i, node) in doc["nodes"].as_array().unwrap().iter().enumerate() {
            let url = &node["parameters"]["url"];
            if i % 3 == 0 {
                assert_eq!(url, "https://capture.example/in", "{i}");
            } else {
                assert_eq!(url, &json!(format!("https://api.example/{i}")), "{i}");
            }
        }
    }

    #[test]
    fn hostile_documents_are_errors_never_panics() {
        let overlay = Overlay {
            prefix: Some("X "),
            redirect: Some("https://c.example"),
            ..Overlay::default()
        };
        for mut doc in [
            json!(null),
            json!([1, 2]),
            json!("workflow"),
            json!({ "nodes": 3 }),
            json!({ "name": 3 }),
        ] {
            assert!(apply(&mut doc, &overlay).is_err(), "{doc}");
        }
        // Nodes that are not objects, or lack every field, are left alone.
        let mut doc = json!({ "name": "W", "nodes": [null, 1, "x", {}, { "type": HTTP_REQUEST }] });
        apply(&mut doc, &overlay).unwrap();
        assert_eq!(doc["nodes"][4]["parameters"]["url"], "https://c.example");
        assert_eq!(doc["nodes"][0], json!(null));
    }

    #[test]
    fn a_large_generated_workflow_renders() {
        let mut doc = workflow(20_000);
        let overlay = Overlay {
            prefix: Some("P "),
            redirect: Some("https://c.example"),
            ..Overlay::default()
        };
        apply(&mut doc, &overlay).unwrap();
        assert_eq!(
            doc["nodes"][19_998]["parameters"]["url"],
            "https://c.example"
        );
    }

    fn env(prefix: Option<&str>, values: &[(&str, Value)]) -> Environment {
        use crate::policy::{BlockOn, Gates, Guardrails, Raci};
        Environment {
            name: "stage".to_owned(),
            description: None,
            name_prefix: prefix.map(str::to_owned),
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            guardrails: Guardrails::default(),
            gates: Gates {
                from: None,
                block_on: BlockOn::Error,
                soak: None,
                promoters: Vec::new(),
                author_may_approve_alone: false,
                block_on_overdue_actions: false,
                soak_requires_watch: false,
                freeze: Vec::new(),
            },
            raci: Raci::default(),
            target: None,
            watch_checkpoints: vec![],
        }
    }

    #[test]
    fn rendering_keeps_untouched_bytes_and_reports_broken_files() {
        let bytes: Arc<[u8]> = Arc::from(b"not json at all".to_vec());
        let mut problems = Vec::new();
        let plain = env(None, &[]);
        let out = render("w", &bytes, &plain, &mut [], &mut problems);
        assert!(Arc::ptr_eq(&out, &bytes));
        assert!(problems.is_empty());

        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let prefixed = env(Some("STG "), &[]);
        for text in [deep.as_str(), "not json", "[1]", "{\"nodes\": {}}"] {
            let bytes: Arc<[u8]> = Arc::from(text.as_bytes().to_vec());
            let mut problems = Vec::new();
            let out = render("w", &bytes, &prefixed, &mut [], &mut problems);
            assert!(Arc::ptr_eq(&out, &bytes));
            assert_eq!(problems.len(), 1, "{text:.20}");
            assert!(problems[0].starts_with("n8n workflow `w`"), "{problems:?}");
        }
    }

    #[test]
    fn rendering_marks_the_values_it_used() {
        let doc = serde_json::to_vec(&workflow(2)).unwrap();
        let bytes: Arc<[u8]> = Arc::from(doc);
        let stage = env(
            Some("STG "),
            &[
                ("other.Node 1.x", json!(1)),
                ("w.Node 1.options.x", json!(2)),
                ("w.Nope.x", json!(3)),
            ],
        );
        let mut used = vec![false; 3];
        let mut problems = Vec::new();
        let out = render("w", &bytes, &stage, &mut used, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        // Values are kept in key order: other.…, w.Node 1.…, w.Nope.…
        assert_eq!(used, vec![false, true, false]);
        let doc: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc["name"], "STG Lead intake");
        assert_eq!(doc["nodes"][1]["parameters"]["options"]["x"], 2);
    }
}
