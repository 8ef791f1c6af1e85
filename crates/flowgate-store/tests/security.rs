//! The store against hostile input: crafted export files, files and databases altered behind
//! its back, and stores that must stay private or apart.
//!
//! Export files are crafted here the way an attacker would: a valid frame, header and digest
//! around names that break the workspace grammar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::runtime;
use flowgate_store::canonical::{canonical_json, EXPORT_DOMAIN};
use flowgate_store::{
    snapshot_id, Entry, Error, NewSnapshot, Object, SnapshotKey, SqliteStore, Store, EXPORT_MAGIC,
};
use serde_json::{json, Value};

/// A fresh SQLite store in a temporary directory.
async fn sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join(".flowgate/store.db"))
        .await
        .unwrap();
    (dir, store)
}

/// What a crafted file holds: a snapshot's parts, with any names at all.
#[derive(Clone)]
struct Craft {
    bundle: String,
    version: String,
    author: String,
    created_at: String,
    manifest: Value,
    entries: Vec<Entry>,
    objects: Vec<Object>,
}

/// A well-formed file of one workflow and one platform flow, as flowgate would export it.
fn honest() -> Craft {
    let workflow = Object::new(b"{\"id\":\"welcome\",\"kind\":\"Workflow\"}".to_vec());
    let flow = Object::new(b"<Flow/>".to_vec());
    Craft {
        bundle: "lead-intake".into(),
        version: "1.0.0".into(),
        author: "mara".into(),
        created_at: "2020-01-01T00:00:00Z".into(),
        manifest: json!({
            "check": {"errors": 0, "warnings": 0},
            "platform_flows": {"lead-flow": "salesforce"},
        }),
        entries: vec![
            Entry {
                kind: "Workflow".into(),
                id: "welcome".into(),
                object: workflow.id(),
                path: Some("assets/workflows/welcome.yaml".into()),
            },
            Entry {
                kind: "Flow".into(),
                id: "lead-flow".into(),
                object: flow.id(),
                path: Some("force-app/flows/Lead.flow-meta.xml".into()),
            },
        ],
        objects: vec![workflow, flow],
    }
}

impl Craft {
    /// The export file: frame, canonical header, objects and a correct (unkeyed) digest.
    fn file(&self) -> Vec<u8> {
        let mut entries = self.entries.clone();
        entries.sort();
        let id = snapshot_id(&self.bundle, &self.version, &entries);
        let mut objects = self.objects.clone();
        objects.sort_by_key(Object::id);
        let header = json!({
            "objects": objects.iter().map(|o| json!({"id": o.id(), "size": o.bytes().len()})).collect::<Vec<_>>(),
            "snapshot": {
                "id": id, "bundle": self.bundle, "version": self.version,
                "created_at": self.created_at, "author": self.author,
                "manifest": self.manifest, "entries": entries,
            },
        });
        let header = canonical_json(&header);
        let mut out = EXPORT_MAGIC.to_vec();
        out.extend_from_slice(&(header.len() as u64).to_be_bytes());
        out.extend_from_slice(&header);
        for object in &objects {
            out.extend_from_slice(object.bytes());
        }
        let mut hasher = blake3::Hasher::new();
        hasher.update(EXPORT_DOMAIN);
        hasher.update(&out);
        out.extend_from_slice(hasher.finalize().as_bytes());
        out
    }

    fn new_snapshot(&self) -> NewSnapshot {
        NewSnapshot {
            bundle: self.bundle.clone(),
            version: self.version.clone(),
            created_at: self.created_at.parse().unwrap(),
            author: self.author.clone(),
            manifest: self.manifest.clone(),
            entries: self.entries.clone(),
        }
    }
}

const TRAVERSAL: &str = "../../../../../../tmp/OUTSIDE";

/// Files with traversal in each name, and the field each error must name.
fn traversals() -> Vec<(Craft, &'static str)> {
    let mut cases = Vec::new();
    let mut bundle = honest();
    bundle.bundle = TRAVERSAL.into();
    cases.push((bundle, "bundle name"));
    let mut kind = honest();
    kind.entries[0].kind = TRAVERSAL.into();
    cases.push((kind, "asset kind"));
    let mut id = honest();
    id.entries[0].id = TRAVERSAL.into();
    cases.push((id, "asset id"));
    for path in [
        TRAVERSAL,
        "/etc/passwd",
        "flows/../../x",
        "a\\b",
        "a//b",
        "./a",
        "a\0b",
    ] {
        let mut craft = honest();
        craft.entries[1].path = Some(path.into());
        cases.push((craft, "path"));
    }
    let mut dialect = honest();
    dialect.manifest["platform_flows"]["lead-flow"] = json!(TRAVERSAL);
    cases.push((dialect, "platform_flows platform"));
    let mut flow_id = honest();
    flow_id.manifest["platform_flows"] = json!({ TRAVERSAL: "salesforce" });
    cases.push((flow_id, "platform_flows asset id"));
    let mut version = honest();
    version.version = "1.0.0/../../x".into();
    cases.push((version, "version"));
    cases
}

#[test]
fn crafted_names_are_refused_on_import_and_nothing_is_stored() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        for (craft, field) in traversals() {
            let err = store.import_snapshot(&craft.file()).await.unwrap_err();
            assert!(
                matches!(err, Error::InvalidSnapshot { .. }),
                "{field}: {err:?}"
            );
            let text = err.to_string();
            assert!(text.contains(field), "`{text}` should name the {field}");
            let ids: Vec<_> = craft.objects.iter().map(Object::id).collect();
            assert_eq!(store.missing_objects(&ids).await.unwrap(), ids, "{field}");
        }
        assert!(store.list_snapshots(None).await.unwrap().is_empty());
        assert_eq!(store.verify_log().await.unwrap().records, 0);
        // The honest file goes in.
        assert!(
            store
                .import_snapshot(&honest().file())
                .await
                .unwrap()
                .created
        );
    });
}

#[test]
fn crafted_names_are_refused_when_created_directly() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        for (craft, field) in traversals() {
            let err = store
                .create_snapshot(&craft.new_snapshot(), &craft.objects)
                .await
                .unwrap_err();
            assert!(err.to_string().contains(field), "{field}: {err}");
        }
        assert!(store.list_snapshots(None).await.unwrap().is_empty());
        let honest = honest();
        let created = store
            .create_snapshot(&honest.new_snapshot(), &honest.objects)
            .await
            .unwrap();
        let key = SnapshotKey::Id(&created.id);
        assert!(store.get_snapshot(key).await.unwrap().is_some());
    });
}

#[test]
fn error_values_are_escaped_for_terminals() {
    runtime().block_on(async {
        let (_dir, store) = sqlite().await;
        let mut craft = honest();
        craft.entries[0].id = "x\u{1b}]0;owned\u{7}".into();
        let err = store.import_snapshot(&craft.file()).await.unwrap_err();
        let text = err.to_string();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("\\u{1b}"), "{text}");
    });
}
