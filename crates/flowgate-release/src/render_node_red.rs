//! The overlay of Node-RED flow files: what an environment changes in a bundle's flows before
//! they are deployed.
//!
//! | rule | effect |
//! |---|---|
//! | `name_prefix` | every `tab`'s `label` starts with it |
//! | `values."<asset-id>.<node-id>.<property>"` | sets the node's (dotted) property: the `url` of an `http request` node, `broker`/`port` of an `mqtt-broker` config node, … |
//! | a value on `credentials.<name>` | must be a secret reference (`env:NAME`), resolved only when deployed |
//! | `guardrails.webhook_redirect` | every `http request` node's `url` becomes the capture endpoint; the original is kept in the node's `info` |
//!
//! A file that is not a flow (not an array of node objects, nodes without a string `id`,
//! duplicate ids) and a value naming a node the file does not hold are problems of the
//! rendering; nothing here panics on hostile input.

use crate::dotted::set_path;
use crate::policy::Environment;
use flowgate_model::SecretRef;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;

/// The marker written into an overlaid `http request` node's `info`.
const REDIRECT_NOTE: &str = "flowgate webhook_redirect: the url of this node was";

/// Renders the Node-RED file `bytes` of asset `asset` for `env`: the bytes unchanged when
/// the environment changes nothing in it, else the overlaid flow as pretty JSON. Values used
/// are marked in `used` (indexed like `env.values`); what stops the rendering goes to
/// `problems`.
pub(crate) fn render(
    bytes: &Arc<[u8]>,
    asset: &str,
    env: &Environment,
    used: &mut [bool],
    problems: &mut Vec<String>,
) -> Arc<[u8]> {
    let values = own_values(asset, env);
    let redirect = env.guardrails.webhook_redirect.as_deref();
    if values.is_empty() && redirect.is_none() && env.name_prefix.is_none() {
        return Arc::clone(bytes);
    }
    let mut document: Value = match serde_json::from_slice(bytes) {
        Ok(document) => document,
        Err(e) => {
            problems.push(format!("the Node-RED flow `{asset}` is not JSON: {e}"));
            return Arc::clone(bytes);
        }
    };
    let Some(nodes) = nodes_mut(&mut document) else {
        problems.push(format!(
            "the Node-RED flow `{asset}` is not an array of nodes (nor `{{ \"flows\": [...] }}`)"
        ));
        return Arc::clone(bytes);
    };
    let before = problems.len();
    check_nodes(asset, nodes, problems);
    if problems.len() > before {
        return Arc::clone(bytes);
    }
    if let Some(prefix) = &env.name_prefix {
        prefix_tabs(nodes, prefix);
    }
    for (index, key, property, value) in values {
        used[index] = true;
        set_value(asset, nodes, key, property, value, problems);
    }
    if let Some(redirect) = redirect {
        redirect_requests(nodes, redirect);
    }
    let mut text = serde_json::to_vec_pretty(&document).unwrap_or_default();
    text.push(b'\n');
    Arc::from(text)
}

/// The environment's values for `asset`: index, full key, the part after `<asset>.`, value.
fn own_values<'e>(asset: &str, env: &'e Environment) -> Vec<(usize, &'e str, &'e str, &'e Value)> {
    env.values
        .iter()
        .enumerate()
        .filter_map(|(index, (key, value))| {
            let rest = key.strip_prefix(asset)?.strip_prefix('.')?;
            Some((index, key.as_str(), rest, value))
        })
        .collect()
}

/// The node array of a flow document: the array itself or the `flows` of `{ rev, flows }`.
fn nodes_mut(document: &mut Value) -> Option<&mut Vec<Value>> {
    if document.is_array() {
        return document.as_array_mut();
    }
    document.get_mut("flows").and_then(Value::as_array_mut)
}

/// Problems for items that are not objects with a string `id`, and for duplicate ids.
fn check_nodes(asset: &str, nodes: &[Value], problems: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for (index, node) in nodes.iter().enumerate() {
        match node.get("id").and_then(Value::as_str) {
            None => problems.push(format!(
                "the Node-RED flow `{asset}`: item {index} is not a node with a string `id`"
            )),
            Some(id) if !seen.insert(id) => problems.push(format!(
                "the Node-RED flow `{asset}`: the node id `{}` appears twice",
                id.escape_debug()
            )),
            Some(_) => {}
        }
    }
}

/// Prefixes every tab's label (once).
fn prefix_tabs(nodes: &mut [Value], prefix: &str) {
    for node in nodes.iter_mut().filter(|n| type_of(n) == Some("tab")) {
        if let Some(Value::String(label)) = node.get_mut("label") {
            if !label.starts_with(prefix) {
                *label = format!("{prefix}{label}");
            }
        }
    }
}

fn type_of(node: &Value) -> Option<&str> {
    node.get("type").and_then(Value::as_str)
}

/// Sets `value` at `<node-id>.<property>` (`rest`): the longest node id followed by `.`
/// names the node (Node-RED ids may hold dots). An unknown node or a credential that is not a
/// secret reference is a problem.
fn set_value(
    asset: &str,
    nodes: &mut [Value],
    key: &str,
    rest: &str,
    value: &Value,
    problems: &mut Vec<String>,
) {
    let found = nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let id = n.get("id").and_then(Value::as_str)?;
            let property = rest.strip_prefix(id)?.strip_prefix('.')?;
            (!property.is_empty()).then_some((i, id.len(), property))
        })
        .max_by_key(|(_, len, _)| *len);
    let Some((index, _, property)) = found else {
        problems.push(format!(
            "the value `{key}` names no node of the Node-RED flow `{asset}`; write \
             `<asset-id>.<node-id>.<property>` with a node id of that file"
        ));
        return;
    };
    if property.starts_with("credentials.") && !is_secret_reference(value) {
        problems.push(format!(
            "the value `{key}` sets a credential of a Node-RED node, so it must be a secret \
             reference such as `env:NAME`, never the secret itself"
        ));
        return;
    }
    set_path(&mut nodes[index], property, value.clone());
}

fn is_secret_reference(value: &Value) -> bool {
    value.as_str().is_some_and(|s| SecretRef::parse(s).is_ok())
}

/// Points every `http request` node at `redirect`, noting the original url in its `info`.
fn redirect_requests(nodes: &mut [Value], redirect: &str) {
    for node in nodes
        .iter_mut()
        .filter(|n| type_of(n) == Some("http request"))
    {
        let Some(object) = node.as_object_mut() else {
            continue;
        };
        let original = object
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if original == redirect {
            continue;
        }
        let info = object
            .get("info")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let note = format!("{REDIRECT_NOTE} `{original}`");
        let info = if info.is_empty() {
            note
        } else if info.contains(&note) {
            info.to_owned()
        } else {
            format!("{info}\n\n{note}")
        };
        object.insert("info".to_owned(), Value::from(info));
        object.insert("url".to_owned(), Value::from(redirect));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    fn env(values: Value, prefix: Option<&str>, redirect: Option<&str>) -> Environment {
        let mut env = Environment {
            name: "stage".to_owned(),
            description: None,
            name_prefix: prefix.map(str::to_owned),
            values: serde_json::from_value(values).unwrap(),
            guardrails: Default::default(),
            gates: crate::policy::Gates {
                from: None,
                block_on: crate::policy::BlockOn::Error,
                soak: None,
                promoters: Vec::new(),
                author_may_approve_alone: false,
                block_on_overdue_actions: false,
                soak_requires_watch: false,
                freeze: Vec::new(),
            },
            raci: Default::default(),
            target: None,
            watch_checkpoints: vec![],
        };
        env.guardrails.webhook_redirect = redirect.map(str::to_owned);
        env
    }

    fn flow() -> Value {
        json!([
            { "id": "t1", "type": "tab", "label": "Orders" },
            { "id": "a.b", "type": "http request", "z": "t1", "url": "https://erp.example/api", "wires": [[]] },
            { "id": "a", "type": "function", "z": "t1", "wires": [[]] },
            { "id": "m1", "type": "mqtt-broker", "broker": "prod-mqtt", "port": "1883" },
        ])
    }

    fn run(doc: &Value, env: &Environment) -> (Value, Vec<String>, Vec<bool>) {
        let bytes: Arc<[u8]> = Arc::from(serde_json::to_vec(doc).unwrap());
        let mut used = vec![false; env.values.len()];
        let mut problems = Vec::new();
        let out = render(&bytes, "orders", env, &mut used, &mut problems);
        let value = serde_json::from_slice(&out).unwrap_or(Value::Null);
        (value, problems, used)
    }

    #[test]
    fn nothing_to_change_keeps_the_bytes() {
        let bytes: Arc<[u8]> = Arc::from(&b"[ ]"[..]);
        let e = env(json!({}), None, None);
        let out = render(&bytes, "orders", &e, &mut [], &mut Vec::new());
        assert!(Arc::ptr_eq(&out, &bytes));
    }

    #[test]
    fn tabs_get_the_prefix_once() {
        let e = env(json!({}), Some("STG — "), None);
        let (out, problems, _) = run(&flow(), &e);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(out[0]["label"], "STG — Orders");
        let (again, _, _) = run(&out, &e);
        assert_eq!(again[0]["label"], "STG — Orders");
    }

    #[test]
    fn values_set_node_properties_by_the_longest_id() {
        let e = env(
            json!({
                "orders.a.b.url": "https://erp.stage.example/api",
                "orders.m1.broker": "stage-mqtt",
                "orders.m1.port": "8883",
                "orders.a.b.credentials.password": "env:ERP_PASSWORD",
                "other.x.url": "untouched",
            }),
            None,
            None,
        );
        let (out, problems, used) = run(&flow(), &e);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(out[1]["url"], "https://erp.stage.example/api");
        assert_eq!(out[1]["credentials"]["password"], "env:ERP_PASSWORD");
        assert_eq!(out[3]["broker"], "stage-mqtt");
        assert_eq!(out[3]["port"], "8883");
        assert!(out[2].get("url").is_none());
        // Keys are sorted: orders.a.b.credentials…, orders.a.b.url, orders.m1.…, other.x.url.
        assert_eq!(used, vec![true, true, true, true, false]);
    }

    #[test]
    fn unknown_nodes_and_literal_credentials_are_problems() {
        let e = env(
            json!({ "orders.nope.url": "x", "orders.a.b.credentials.password": "hunter2" }),
            None,
            None,
        );
        let (_, problems, _) = run(&flow(), &e);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("names no node")));
        assert!(problems.iter().any(|p| p.contains("secret reference")));
        assert!(!problems.iter().any(|p| p.contains("hunter2")));
    }

    #[test]
    fn the_redirect_rewrites_every_http_request_and_keeps_the_original() {
        let e = env(
            json!({ "orders.a.b.url": "https://erp.stage.example/api" }),
            None,
            Some("http://capture.example/in"),
        );
        let (out, problems, _) = run(&flow(), &e);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(out[1]["url"], "http://capture.example/in");
        let info = out[1]["info"].as_str().unwrap();
        assert!(info.contains("https://erp.stage.example/api"), "{info}");
        let (again, _, _) = run(&out, &e);
        assert_eq!(again[1]["info"], out[1]["info"]);
    }

    #[test]
    fn the_admin_api_form_is_read_too() {
        let e = env(json!({}), Some("S "), None);
        let (out, problems, _) = run(&json!({ "rev": "1", "flows": flow() }), &e);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(out["flows"][0]["label"], "S Orders");
    }

    #[test]
    fn hostile_files_are_problems_never_panics() {
        let e = env(
            json!({ "orders.t1.label": "x" }),
            Some("S "),
            Some("http://c"),
        );
        let cases = [
            json!({ "not": "a flow" }),
            json!("text"),
            json!([1, 2, 3]),
            json!([{ "type": "tab" }]),
            json!([{ "id": 7, "type": "tab" }]),
            json!([{ "id": "t", "type": "tab" }, { "id": "t", "type": "inject" }]),
        ];
        for case in cases {
            let (_, problems, _) = run(&case, &e);
            assert!(!problems.is_empty(), "{case}");
        }
        let mut problems = Vec::new();
        let bytes: Arc<[u8]> = Arc::from(&b"[{\"id\": "[..]);
        render(&bytes, "orders", &e, &mut [false], &mut problems);
        assert!(problems[0].contains("not JSON"));
        // A large generated flow renders.
        let big: Vec<Value> = (0..20_000)
            .map(|i| json!({ "id": format!("n{i}"), "type": "http request", "url": "u" }))
            .collect();
        let (out, problems, _) = run(&Value::Array(big), &e);
        assert!(problems.iter().all(|p| p.contains("names no node")));
        assert_eq!(out[19_999]["url"], "http://c");
    }
}
