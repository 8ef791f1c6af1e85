//! Pull: the bundle's nodes as the runtime holds them, laid out like the rendering
//! (`platform/node-red/<file>`), without the markers, so that they diff against a rendering.

use super::markers;
use super::merge::{id_of, z_of, Owned};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The rendered path of each owned node, then the files: path → pretty JSON array of nodes in
/// the runtime's order. Nodes added in the editor go to the file of the tab or subflow they
/// lie in; the tab flowgate adds to a bundle without tabs is left out.
pub(crate) fn files(flows: &[Value], owned: &Owned) -> BTreeMap<String, Vec<u8>> {
    let mut home: HashMap<String, (String, bool)> = HashMap::new();
    for (index, _, record) in &owned.tabs {
        if let Some(id) = flows.get(*index).and_then(id_of) {
            home.insert(id.to_owned(), (record.file.clone(), record.env));
        }
    }
    if let Some(record) = owned.record() {
        for (id, loose) in &record.loose {
            home.insert(id.clone(), (loose.file.clone(), false));
        }
    }
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for node in flows {
        let Some(id) = id_of(node).filter(|id| owned.ids.contains(*id)) else {
            continue;
        };
        let place = home
            .get(id)
            .or_else(|| z_of(node).and_then(|z| home.get(z)));
        let Some((file, had_env)) = place.filter(|(file, _)| !file.is_empty()) else {
            continue;
        };
        let mut node = node.clone();
        markers::strip(&mut node, *had_env);
        out.entry(file.clone()).or_default().push(node);
    }
    out.into_iter()
        .map(|(file, nodes)| {
            let mut text = serde_json::to_vec_pretty(&nodes).unwrap_or_default();
            text.push(b'\n');
            (file, text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::super::markers::Deployment;
    use super::super::merge::{desired, merge};
    use super::*;
    use serde_json::json;

    #[test]
    fn pulled_files_are_the_rendered_ones_without_markers() {
        let a = json!([
            { "id": "t1", "type": "tab", "label": "Orders", "env": [] },
            { "id": "n1", "type": "inject", "z": "t1", "wires": [] },
            { "id": "c1", "type": "mqtt-broker", "broker": "b" },
        ]);
        let b = json!([{ "id": "t2", "type": "tab", "label": "Refunds" }]);
        let files = vec![
            (
                "platform/node-red/a.json".to_owned(),
                a.as_array().unwrap().clone(),
            ),
            (
                "platform/node-red/b.json".to_owned(),
                b.as_array().unwrap().clone(),
            ),
        ];
        let deployment = Deployment {
            bundle: "orders".into(),
            ..Deployment::default()
        };
        let mut flows = merge(
            &[json!({ "id": "x", "type": "tab" })],
            &Default::default(),
            desired(files, &deployment),
        )
        .unwrap();
        flows.push(json!({ "id": "added", "type": "debug", "z": "t2" }));
        let pulled = files_of(&flows);
        let read = |p: &str| serde_json::from_slice::<Value>(&pulled[p]).unwrap();
        assert_eq!(read("platform/node-red/a.json"), a);
        assert_eq!(
            read("platform/node-red/b.json"),
            json!([{ "id": "t2", "type": "tab", "label": "Refunds" }, { "id": "added", "type": "debug", "z": "t2" }])
        );
        assert_eq!(pulled.len(), 2);
    }

    fn files_of(flows: &[Value]) -> BTreeMap<String, Vec<u8>> {
        files(flows, &Owned::find(flows, "orders"))
    }
}
