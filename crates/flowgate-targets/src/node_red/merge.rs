//! Merging a bundle into the runtime's one flows array: the bundle's previously deployed
//! nodes are replaced by its rendered ones, every other node stays where it is.

use super::markers::{self, Deployment, Loose, Record};
use flowgate_release::Rendered;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};

/// Where rendered Node-RED files lie in a rendering.
pub(crate) const FILES: &str = "platform/node-red/";

/// The most nodes one bundle may deploy.
pub(crate) const MAX_NODES: usize = 100_000;

/// The nodes of each rendered Node-RED file, by rendered path; `Err` says what is wrong with
/// which file (not JSON, not an array of nodes, a node without a string `id`, an id twice).
pub(crate) fn rendered_files(rendered: &Rendered) -> Result<Vec<(String, Vec<Value>)>, String> {
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    let mut count = 0usize;
    for (path, bytes) in rendered.files.iter().filter(|(p, _)| p.starts_with(FILES)) {
        let document: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("`{path}` is not JSON ({e})"))?;
        let nodes = match document {
            Value::Array(nodes) => nodes,
            Value::Object(mut map) => match map.remove("flows") {
                Some(Value::Array(nodes)) => nodes,
                _ => return Err(format!("`{path}` is not an array of Node-RED nodes")),
            },
            _ => return Err(format!("`{path}` is not an array of Node-RED nodes")),
        };
        count += nodes.len();
        if count > MAX_NODES {
            return Err(format!("the bundle holds more than {MAX_NODES} nodes"));
        }
        for (index, node) in nodes.iter().enumerate() {
            let id = id_of(node).ok_or_else(|| {
                format!("`{path}`: item {index} is not a node with a string `id`")
            })?;
            if !seen.insert(id.to_owned()) {
                return Err(format!(
                    "`{path}`: the node id `{}` appears twice in the bundle",
                    id.escape_debug()
                ));
            }
        }
        files.push((path.clone(), nodes));
    }
    Ok(files)
}

/// The `id` of a node.
pub(crate) fn id_of(node: &Value) -> Option<&str> {
    node.get("id").and_then(Value::as_str)
}

/// The `z` (tab or subflow) of a node.
pub(crate) fn z_of(node: &Value) -> Option<&str> {
    node.get("z").and_then(Value::as_str)
}

fn is_tab(node: &Value) -> bool {
    node.get("type").and_then(Value::as_str) == Some("tab")
}

/// The bundle's nodes in the runtime: its marked tabs, what lies on them, the loose nodes
/// their records name and what lies inside those (subflow contents).
#[derive(Debug, Clone, Default)]
pub(crate) struct Owned {
    /// The marked tabs: index in the flows, deployment and record.
    pub tabs: Vec<(usize, Deployment, Record)>,
    /// The ids of every owned node.
    pub ids: HashSet<String>,
}

impl Owned {
    /// Finds what `bundle` owns in `flows`.
    pub fn find(flows: &[Value], bundle: &str) -> Self {
        let mut owned = Self::default();
        for (index, node) in flows.iter().enumerate() {
            if markers::owner(node) == Some(bundle) {
                let (deployment, record) = markers::read(node);
                owned.ids.extend(id_of(node).map(str::to_owned));
                owned.ids.extend(record.loose.keys().cloned());
                owned.tabs.push((index, deployment, record));
            }
        }
        let parents = owned.ids.clone();
        for node in flows {
            if let (Some(id), Some(z)) = (id_of(node), z_of(node)) {
                if parents.contains(z) {
                    owned.ids.insert(id.to_owned());
                }
            }
        }
        owned
    }

    /// The deployment the runtime holds (the first marked tab's).
    pub fn deployment(&self) -> Option<&Deployment> {
        self.tabs.first().map(|(_, d, _)| d)
    }

    /// The bundle-wide part of the record (tabs and loose nodes), from the first tab.
    pub fn record(&self) -> Option<&Record> {
        self.tabs.first().map(|(_, _, r)| r)
    }
}

/// The rendered files' nodes with the markers of `deployment` on every tab; a bundle without
/// a tab gets one (disabled) to carry them.
pub(crate) fn desired(files: Vec<(String, Vec<Value>)>, deployment: &Deployment) -> Vec<Value> {
    let mut nodes: Vec<(String, Value)> = files
        .into_iter()
        .flat_map(|(file, nodes)| nodes.into_iter().map(move |n| (file.clone(), n)))
        .collect();
    if !nodes.iter().any(|(_, n)| is_tab(n)) {
        let id = blake3::hash(deployment.bundle.as_bytes()).to_hex()[..16].to_owned();
        let label = format!("{} (flowgate)", deployment.bundle);
        nodes.insert(
            0,
            (
                String::new(),
                json!({ "id": id, "type": "tab", "label": label, "disabled": true, "info": "" }),
            ),
        );
    }
    let tab_ids: HashSet<String> = nodes
        .iter()
        .filter(|(_, n)| is_tab(n))
        .filter_map(|(_, n)| id_of(n).map(str::to_owned))
        .collect();
    let mut on_tab: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut loose = BTreeMap::new();
    let mut tabs = BTreeMap::new();
    for (file, node) in &nodes {
        let id = id_of(node).unwrap_or_default().to_owned();
        let digest = markers::digest(node);
        let home = if is_tab(node) {
            Some(id.clone())
        } else {
            z_of(node)
                .filter(|z| tab_ids.contains(*z))
                .map(str::to_owned)
        };
        match home {
            Some(tab) => {
                if is_tab(node) {
                    tabs.insert(id.clone(), markers::label(node));
                }
                on_tab.entry(tab).or_default().insert(id, digest);
            }
            None => {
                loose.insert(
                    id,
                    Loose {
                        file: file.clone(),
                        digest,
                    },
                );
            }
        }
    }
    nodes
        .into_iter()
        .map(|(file, mut node)| {
            if is_tab(&node) {
                let id = id_of(&node).unwrap_or_default().to_owned();
                let record = Record {
                    release_id: deployment.release_id.clone(),
                    file,
                    env: node.get("env").is_some(),
                    nodes: on_tab.remove(&id).unwrap_or_default(),
                    tabs: tabs.clone(),
                    loose: loose.clone(),
                };
                markers::mark(&mut node, deployment, &record);
            }
            node
        })
        .collect()
}

/// `flows` with the nodes in `owned` replaced by `desired` (placed where the bundle's first
/// node was, else at the end); `Err` names a desired id that another flow's node has.
pub(crate) fn merge(
    flows: &[Value],
    owned: &HashSet<String>,
    desired: Vec<Value>,
) -> Result<Vec<Value>, String> {
    let others: HashSet<&str> = flows
        .iter()
        .filter_map(id_of)
        .filter(|id| !owned.contains(*id))
        .collect();
    if let Some(id) = desired
        .iter()
        .filter_map(id_of)
        .find(|id| others.contains(id))
    {
        return Err(format!(
            "the node id `{}` already belongs to a flow of the runtime that is not this bundle's; \
             give the bundle's node another id, or remove the other node",
            id.escape_debug()
        ));
    }
    let at = flows
        .iter()
        .position(|n| id_of(n).is_some_and(|id| owned.contains(id)));
    let mut merged = Vec::with_capacity(flows.len() + desired.len());
    let mut desired = Some(desired);
    for (index, node) in flows.iter().enumerate() {
        if Some(index) == at {
            merged.extend(desired.take().unwrap_or_default());
        }
        if !id_of(node).is_some_and(|id| owned.contains(id)) {
            merged.push(node.clone());
        }
    }
    merged.extend(desired.unwrap_or_default());
    Ok(merged)
}

/// Whether two flows arrays hold the same nodes (by id and canonical content, credentials
/// aside), whatever their order.
pub(crate) fn same(a: &[Value], b: &[Value]) -> bool {
    let keyed = |flows: &[Value]| -> BTreeMap<String, Vec<u8>> {
        flows
            .iter()
            .map(|n| {
                let mut bare = n.clone();
                if let Some(map) = bare.as_object_mut() {
                    map.remove("credentials");
                }
                let bytes = flowgate_store::canonical_json(&bare);
                (id_of(n).unwrap_or_default().to_owned(), bytes)
            })
            .collect()
    };
    a.len() == b.len() && keyed(a) == keyed(b)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::sync::Arc;

    fn rendering(files: &[(&str, Value)]) -> Rendered {
        Rendered {
            files: files
                .iter()
                .map(|(p, v)| (p.to_string(), Arc::from(serde_json::to_vec(v).unwrap())))
                .collect(),
            documents: BTreeMap::new(),
            problems: Vec::new(),
            unused_values: Vec::new(),
        }
    }

    fn deployment(snapshot: &str) -> Deployment {
        Deployment {
            bundle: "orders".into(),
            snapshot: snapshot.into(),
            version: "1.0.0".into(),
            environment: "stage".into(),
            release_id: None,
        }
    }

    fn orders() -> Value {
        json!([
            { "id": "t1", "type": "tab", "label": "Orders" },
            { "id": "n1", "type": "inject", "z": "t1", "wires": [["n2"]] },
            { "id": "n2", "type": "debug", "z": "t1", "wires": [] },
            { "id": "c1", "type": "mqtt-broker", "broker": "b" },
        ])
    }

    #[test]
    fn bundles_replace_their_own_nodes_and_keep_the_others_in_place() {
        let other = json!([{ "id": "o1", "type": "tab", "label": "Other" }, { "id": "o2", "type": "debug", "z": "o1" }]);
        let files =
            rendered_files(&rendering(&[("platform/node-red/orders.json", orders())])).unwrap();
        let first = desired(files.clone(), &deployment("s1"));
        let mut flows = other.as_array().unwrap().clone();
        flows = merge(&flows, &HashSet::new(), first.clone()).unwrap();
        flows.push(json!({ "id": "late", "type": "tab" }));
        let owned = Owned::find(&flows, "orders");
        assert_eq!(owned.ids.len(), 4);
        assert_eq!(owned.deployment().unwrap().snapshot, "s1");
        let second = desired(files, &deployment("s2"));
        let merged = merge(&flows, &owned.ids, second).unwrap();
        let ids: Vec<&str> = merged.iter().filter_map(id_of).collect();
        assert_eq!(ids, ["o1", "o2", "t1", "n1", "n2", "c1", "late"]);
        assert!(same(
            &merged,
            &merged.iter().rev().cloned().collect::<Vec<_>>()
        ));
        assert!(!same(&merged, &flows));
        let record = Owned::find(&merged, "orders").record().cloned().unwrap();
        assert_eq!(record.loose.keys().collect::<Vec<_>>(), ["c1"]);
        assert_eq!(record.nodes.len(), 3);
    }

    #[test]
    fn ids_of_other_flows_are_never_taken() {
        let flows = vec![json!({ "id": "n1", "type": "inject" })];
        let files =
            rendered_files(&rendering(&[("platform/node-red/orders.json", orders())])).unwrap();
        let error = merge(&flows, &HashSet::new(), desired(files, &deployment("s"))).unwrap_err();
        assert!(error.contains("`n1`"), "{error}");
    }

    #[test]
    fn a_bundle_without_tabs_gets_one_for_its_markers() {
        let files = rendered_files(&rendering(&[(
            "platform/node-red/c.json",
            json!([{ "id": "c1", "type": "mqtt-broker" }]),
        )]))
        .unwrap();
        let nodes = desired(files, &deployment("s"));
        assert_eq!(nodes.len(), 2);
        assert_eq!(markers::owner(&nodes[0]), Some("orders"));
        assert_eq!(nodes[0]["disabled"], true);
    }

    #[test]
    fn hostile_renderings_are_errors() {
        let bad = [
            json!({ "no": "flows" }),
            json!(7),
            json!([1]),
            json!([{ "type": "inject" }]),
            json!([{ "id": "a" }, { "id": "a" }]),
        ];
        for case in bad {
            assert!(
                rendered_files(&rendering(&[("platform/node-red/x.json", case.clone())])).is_err(),
                "{case}"
            );
        }
        let mut r = rendering(&[]);
        r.files
            .insert("platform/node-red/x.json".into(), Arc::from(&b"[{"[..]));
        assert!(rendered_files(&r).unwrap_err().contains("not JSON"));
        let twice = rendering(&[
            ("platform/node-red/a.json", json!([{ "id": "a" }])),
            ("platform/node-red/b.json", json!([{ "id": "a" }])),
        ]);
        assert!(rendered_files(&twice).unwrap_err().contains("twice"));
        let huge: Vec<Value> = (0..MAX_NODES + 1)
            .map(|i| json!({ "id": i.to_string() }))
            .collect();
        assert!(rendered_files(&rendering(&[(
            "platform/node-red/h.json",
            Value::Array(huge)
        )]))
        .unwrap_err()
        .contains("more than"));
        let other = rendering(&[("assets/x/y.json", json!({}))]);
        assert!(rendered_files(&other).unwrap().is_empty());
    }
}
