//! Drift: how the bundle's nodes in the runtime differ from what flowgate deployed, by
//! comparing each node's digest with the one recorded on the bundle's tabs.

use super::markers::{self, Record};
use super::merge::{id_of, z_of, Owned};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// One line per tab changed in the editor (`modified: tab "Orders" (3 nodes changed in the
/// editor)`), per tab deleted there, and one for changed nodes that lie on no tab.
pub(crate) fn drift(flows: &[Value], owned: &Owned) -> Vec<String> {
    let Some(record) = owned.record() else {
        return Vec::new();
    };
    let by_id: BTreeMap<&str, &Value> = flows.iter().filter_map(|n| Some((id_of(n)?, n))).collect();
    let mut lines = Vec::new();
    let present: HashSet<&str> = owned
        .tabs
        .iter()
        .filter_map(|(i, _, _)| flows.get(*i).and_then(id_of))
        .collect();
    for (id, label) in &record.tabs {
        if !present.contains(id.as_str()) {
            lines.push(format!("missing: tab \"{label}\" (deleted in the editor)"));
        }
    }
    for (index, _, tab_record) in &owned.tabs {
        let Some(tab) = flows.get(*index) else {
            continue;
        };
        let tab_id = id_of(tab).unwrap_or_default();
        let on_tab: Vec<&Value> = flows
            .iter()
            .filter(|n| id_of(n) == Some(tab_id) || z_of(n) == Some(tab_id))
            .collect();
        let changed = changed(&tab_record.nodes, &on_tab);
        if changed > 0 {
            let label = markers::label(tab);
            lines.push(format!(
                "modified: tab \"{label}\" ({changed} {} changed in the editor)",
                nodes(changed)
            ));
        }
    }
    let loose = loose_changes(record, &by_id, flows);
    if loose > 0 {
        lines.push(format!(
            "modified: config nodes and subflows ({loose} {} changed in the editor)",
            nodes(loose)
        ));
    }
    lines
}

fn nodes(n: usize) -> &'static str {
    if n == 1 {
        "node"
    } else {
        "nodes"
    }
}

/// How many of `expected` (id → digest) are missing or different in `found`, plus the nodes
/// of `found` it does not name.
fn changed(expected: &BTreeMap<String, String>, found: &[&Value]) -> usize {
    let found: BTreeMap<&str, String> = found
        .iter()
        .filter_map(|n| Some((id_of(n)?, markers::digest(n))))
        .collect();
    let differing = expected
        .iter()
        .filter(|(id, digest)| found.get(id.as_str()) != Some(*digest))
        .count();
    let added = found
        .keys()
        .filter(|id| !expected.contains_key(**id))
        .count();
    differing + added
}

/// Changed loose nodes: recorded ones missing or different, and nodes added inside them
/// (into a subflow).
fn loose_changes(record: &Record, by_id: &BTreeMap<&str, &Value>, flows: &[Value]) -> usize {
    let differing = record
        .loose
        .iter()
        .filter(|(id, loose)| {
            by_id
                .get(id.as_str())
                .map(|n| markers::digest(n))
                .as_deref()
                != Some(loose.digest.as_str())
        })
        .count();
    let added = flows
        .iter()
        .filter(|n| z_of(n).is_some_and(|z| record.loose.contains_key(z)))
        .filter(|n| id_of(n).is_some_and(|id| !record.loose.contains_key(id)))
        .count();
    differing + added
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::super::markers::Deployment;
    use super::super::merge::{desired, merge};
    use super::*;
    use serde_json::json;

    fn deployed() -> Vec<Value> {
        let nodes = json!([
            { "id": "t1", "type": "tab", "label": "Orders" },
            { "id": "t2", "type": "tab", "label": "Refunds" },
            { "id": "n1", "type": "inject", "z": "t1", "wires": [["n2"]] },
            { "id": "n2", "type": "debug", "z": "t1", "wires": [] },
            { "id": "sf", "type": "subflow", "name": "S", "in": [], "out": [] },
            { "id": "s1", "type": "function", "z": "sf", "wires": [] },
            { "id": "c1", "type": "mqtt-broker", "broker": "b" },
        ]);
        let files = vec![(
            "platform/node-red/orders.json".to_owned(),
            nodes.as_array().unwrap().clone(),
        )];
        let deployment = Deployment {
            bundle: "orders".into(),
            ..Deployment::default()
        };
        let flows = vec![json!({ "id": "o1", "type": "tab" })];
        merge(&flows, &Default::default(), desired(files, &deployment)).unwrap()
    }

    fn lines(flows: &[Value]) -> Vec<String> {
        drift(flows, &Owned::find(flows, "orders"))
    }

    #[test]
    fn what_flowgate_deployed_has_no_drift() {
        assert!(lines(&deployed()).is_empty());
    }

    #[test]
    fn edits_are_counted_per_tab_and_for_loose_nodes() {
        let mut flows = deployed();
        for node in &mut flows {
            match id_of(node) {
                Some("n1") => node["name"] = json!("edited"),
                Some("c1") => node["broker"] = json!("elsewhere"),
                _ => {}
            }
        }
        flows.retain(|n| id_of(n) != Some("n2"));
        flows.push(json!({ "id": "new", "type": "debug", "z": "t1" }));
        flows.push(json!({ "id": "new2", "type": "debug", "z": "sf" }));
        assert_eq!(
            lines(&flows),
            [
                "modified: tab \"Orders\" (3 nodes changed in the editor)",
                "modified: config nodes and subflows (2 nodes changed in the editor)"
            ]
        );
        flows.retain(|n| id_of(n) != Some("t2"));
        assert!(
            lines(&flows).contains(&"missing: tab \"Refunds\" (deleted in the editor)".to_owned())
        );
    }
}
