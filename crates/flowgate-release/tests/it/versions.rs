//! The diff a new version is held against reads only the assets whose object changed; it must
//! equal the diff of every document, whatever the edit: changed, removed, added, renamed.

use flowgate_diff::{diff_documents, Documents};
use flowgate_release::{changes_since_latest, snapshot_documents, Frozen};
use flowgate_store::{Entry, NewSnapshot, Object, SnapshotKey, Store};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

fn template(id: &str, subject: &str) -> Value {
    json!({ "kind": "Template", "id": id, "name": format!("Template {id}"), "channel": "email",
            "subject": subject, "from": { "name": "Acme", "address": "hello@acme.example" } })
}

/// A frozen bundle holding `documents` (by id).
fn frozen(documents: &BTreeMap<String, Value>) -> Frozen {
    let objects: Vec<Object> = documents.values().map(Object::from_json).collect();
    let entries = documents
        .keys()
        .zip(&objects)
        .map(|(id, object)| Entry {
            kind: "Template".to_owned(),
            id: id.clone(),
            object: object.id(),
            path: None,
        })
        .collect();
    Frozen {
        bundle: "lead-intake".to_owned(),
        objects,
        entries,
        documents: Documents(documents.clone()),
        manifest: Map::new(),
        check_errors: 0,
    }
}

#[test]
fn the_diff_since_the_latest_version_equals_the_diff_of_every_document() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(diff_since_latest());
}

async fn diff_since_latest() {
    let dir = tempfile::tempdir().unwrap();
    let store = flowgate_store::open_store(dir.path().join("store.db").to_str().unwrap())
        .await
        .unwrap();
    let before: BTreeMap<String, Value> = (0..60)
        .map(|i| {
            (
                format!("t{i:02}"),
                template(&format!("t{i:02}"), &format!("Hello {i}")),
            )
        })
        .collect();
    let first = frozen(&before);
    let created = store
        .create_snapshot(
            &NewSnapshot {
                bundle: first.bundle.clone(),
                version: "1.0.0".to_owned(),
                created_at: "2026-11-20T09:00:00Z".parse().unwrap(),
                author: "tom".to_owned(),
                manifest: json!({}),
                entries: first.entries.clone(),
            },
            &first.objects,
        )
        .await
        .unwrap();
    let stored = store
        .get_snapshot(SnapshotKey::Id(&created.id))
        .await
        .unwrap()
        .unwrap();
    let old = snapshot_documents(&store, &stored).await.unwrap();

    let mut after = before.clone();
    after.insert("t03".to_owned(), template("t03", "Hello again"));
    after.remove("t07");
    after.insert("t60".to_owned(), template("t60", "New"));
    let moved = after.remove("t09").unwrap();
    let mut renamed = moved.clone();
    renamed["id"] = json!("t09-renamed");
    after.insert("t09-renamed".to_owned(), renamed);
    let next = frozen(&after);

    let (previous, diff) = changes_since_latest(&store, &next).await.unwrap().unwrap();
    assert_eq!(previous.version, "1.0.0");
    let full = diff_documents(&old, &next.documents);
    assert_eq!(diff, full);
    assert_eq!(diff.assets.len(), full.assets.len());
    assert!(diff.assets.len() >= 3, "{:?}", diff.assets);

    let unchanged = changes_since_latest(&store, &first)
        .await
        .unwrap()
        .unwrap()
        .1;
    assert!(unchanged.is_empty(), "the same objects: no change");
}
