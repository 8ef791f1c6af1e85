//! The store test suite, written once against [`Store`] and run on every backend by
//! `tests/it/store.rs` through a [`Harness`].
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use flowgate_store::{
    canonical_json, Entry, Error, GcOptions, NewOperation, NewSnapshot, Object, ObjectId,
    OperationFilter, OperationKind, ProblemKind, Snapshot, SnapshotId, SnapshotKey, SnapshotOrigin,
    Store, TreeId, EXPORT_MAGIC,
};
use serde_json::{json, Value};

/// The environment variable that turns the `kill_child_writer` test into the child writer.
pub const KILL_CHILD_ENV: &str = "FLOWGATE_STORE_KILL_CHILD";

/// One backend under test: a fresh, isolated store per test and raw access around it.
pub trait Harness: Sized {
    /// The store type.
    type Store: Store + Clone + std::fmt::Debug + 'static;

    /// A fresh, empty store for `test`, or `None` when the backend is unavailable and the test
    /// is to be skipped.
    fn start(test: &str) -> impl Future<Output = Option<Self>>;

    /// The store opened by `start`.
    fn store(&self) -> &Self::Store;

    /// Opens the same database again, with its own connections.
    fn reopen(&self) -> impl Future<Output = flowgate_store::Result<Self::Store>>;

    /// The store opened by `start`, with another clock.
    fn clocked(&self, clock: std::sync::Arc<dyn flowgate_store::Clock>) -> Self::Store;

    /// Runs SQL on the database directly, bypassing the store.
    fn sql(&self, sql: &str) -> impl Future<Output = ()>;

    /// The value of [`KILL_CHILD_ENV`] for a child process that writes into this store.
    fn child_target(&self) -> String;

    /// `bytes` as an SQL literal of the backend's byte-string type.
    fn blob(&self, bytes: &[u8]) -> String;

    /// True while another process has an open transaction that has written objects.
    fn write_in_progress(&self) -> impl Future<Output = bool>;

    /// Closes the store and removes what `start` created.
    fn finish(self) -> impl Future<Output = ()>;
}

// ---- helpers --------------------------------------------------------------------------------

fn objects(prefix: &str, n: usize) -> Vec<Object> {
    (0..n)
        .map(|i| Object::new(format!("{prefix} asset {i}\n").into_bytes()))
        .collect()
}

fn snapshot(bundle: &str, version: &str, objects: &[Object]) -> NewSnapshot {
    NewSnapshot {
        bundle: bundle.into(),
        version: version.into(),
        created_at: "2025-09-17T08:30:00Z".parse().unwrap(),
        author: "ana".into(),
        manifest: json!({"release": format!("{bundle}-{version}"), "commit": "3fa4c1", "checks": {"errors": 0}}),
        entries: objects
            .iter()
            .enumerate()
            .map(|(i, o)| Entry {
                kind: if i % 2 == 0 { "Workflow" } else { "Template" }.into(),
                id: format!("asset-{i}"),
                object: o.id(),
                path: Some(format!("assets/asset-{i}.yaml")),
            })
            .collect(),
    }
}

fn op(kind: OperationKind, payload: serde_json::Value) -> NewOperation {
    NewOperation::new("ana", kind, payload)
}

async fn make_snapshot<S: Store>(store: &S, version: &str) -> SnapshotId {
    let objs = objects(version, 2);
    store
        .create_snapshot(&snapshot("lead-intake", version, &objs), &objs)
        .await
        .unwrap()
        .id
}

/// The bytes and id of the one-leaf tree holding `entries`, written from the format
/// `docs/store.md` gives (a snapshot of at most 256 entries has such a tree).
fn leaf(entries: &[Entry]) -> (Vec<u8>, TreeId) {
    let mut sorted = entries.to_vec();
    sorted.sort();
    let rows: Vec<Value> = sorted
        .iter()
        .map(|e| json!([e.kind, e.id, e.object, e.path]))
        .collect();
    let bytes = canonical_json(&json!({ "entries": rows }));
    let id = TreeId::of(&bytes);
    (bytes, id)
}

/// Points snapshot `id` at a new one-leaf tree holding `entries`, behind the store's back.
async fn replace_tree<H: Harness>(h: &H, id: SnapshotId, entries: &[Entry]) -> TreeId {
    let (bytes, tree) = leaf(entries);
    h.sql(&format!(
        "INSERT INTO flowgate_trees (id, size, bytes, added_at) VALUES ('{tree}', {}, {}, '') \
         ON CONFLICT (id) DO NOTHING; UPDATE flowgate_snapshots SET tree = '{tree}' WHERE id = '{id}'",
        bytes.len(),
        h.blob(&bytes)
    ))
    .await;
    tree
}

async fn entries_of<S: Store>(store: &S, id: &SnapshotId) -> Vec<Entry> {
    store
        .get_snapshot(SnapshotKey::Id(id))
        .await
        .unwrap()
        .unwrap()
        .entries
}

async fn assert_clean<S: Store>(store: &S) {
    let report = store.verify().await.unwrap();
    assert!(
        report.is_clean(),
        "verify found problems: {:#?}",
        report.problems
    );
}

// ---- objects and snapshots ------------------------------------------------------------------

pub async fn put_is_idempotent<H: Harness>(h: &H) {
    let store = h.store();
    let objs = objects("put", 3);
    let first = store.put_objects(&objs).await.unwrap();
    assert_eq!((first.inserted, first.existing), (3, 0));
    let mut again = objs.clone();
    again.push(objs[0].clone());
    let second = store.put_objects(&again).await.unwrap();
    assert_eq!((second.inserted, second.existing), (0, 3));
    assert_eq!(
        store.get_object(&objs[1].id()).await.unwrap().as_deref(),
        Some(objs[1].bytes())
    );
    let unknown = ObjectId::of(b"never stored");
    assert_eq!(store.get_object(&unknown).await.unwrap(), None);
    let asked = [unknown, objs[2].id(), unknown, objs[0].id(), objs[2].id()];
    assert_eq!(store.missing_objects(&asked).await.unwrap(), vec![unknown]);
    let got = store.get_objects(&asked).await.unwrap();
    assert_eq!(got, vec![objs[2].clone(), objs[0].clone()]);
    assert_eq!(store.put_objects(&[]).await.unwrap().inserted, 0);
    assert_clean(store).await;
}

/// A caller may supply every object of a snapshot (the CLI does): the store writes only those
/// of leaves it lacks and those no entry names, and reports the same new objects as a caller
/// that asked `missing_objects` first.
pub async fn supplying_every_object_stores_only_new_ones<H: Harness>(h: &H) {
    let store = h.store();
    // More than 256 entries, so the tree has several leaves.
    let mut objs = objects("many", 600);
    let first = store
        .create_snapshot(&snapshot("lead-intake", "1.0.0", &objs), &objs)
        .await
        .unwrap();
    assert_eq!(first.new_objects, 600);

    objs[300] = Object::new(b"many asset 300, changed\n".to_vec());
    let unnamed = Object::new(b"named by no entry\n".to_vec());
    let mut supplied = objs.clone();
    supplied.push(unnamed.clone());
    let next = snapshot("lead-intake", "1.0.1", &objs);
    let second = store.create_snapshot(&next, &supplied).await.unwrap();
    assert!(second.created);
    assert_eq!(
        second.new_objects, 2,
        "the changed object and the unnamed one"
    );
    let ids: Vec<ObjectId> = supplied.iter().map(Object::id).collect();
    assert!(store.missing_objects(&ids).await.unwrap().is_empty());
    let stored = store
        .get_snapshot(SnapshotKey::Id(&second.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.id, next.id());

    // An entry moved to a new leaf whose object is stored already: nothing new, no error.
    let mut moved = snapshot("lead-intake", "1.0.2", &objs);
    moved.entries[10].id = "asset-moved".into();
    let third = store.create_snapshot(&moved, &supplied).await.unwrap();
    assert_eq!((third.created, third.new_objects), (true, 0));

    // A new leaf's object neither stored nor supplied is still refused.
    let mut missing = snapshot("lead-intake", "1.0.3", &objs);
    missing.entries[20].object = ObjectId::of(b"never stored");
    let refused = store
        .create_snapshot(&missing, &supplied)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::MissingObjects { .. }), "{refused}");
    assert_clean(store).await;
}

pub async fn identical_content_gives_identical_snapshot<H: Harness>(h: &H) {
    let store = h.store();
    let objs = objects("same", 4);
    let new = snapshot("lead-intake", "1.0.0", &objs);
    let first = store.create_snapshot(&new, &objs).await.unwrap();
    assert!(first.created);
    assert_eq!(first.new_objects, 4);
    assert_eq!(first.id, new.id());
    assert_eq!(first.operation, Some(1));

    // Same content, other date, author, manifest and entry order: same id, nothing written.
    let mut again = new.clone();
    again.author = "bo".into();
    again.created_at = "2030-01-01T00:00:00Z".parse().unwrap();
    again.manifest = json!({"release": "other"});
    again.entries.reverse();
    let second = store.create_snapshot(&again, &objs).await.unwrap();
    assert_eq!(
        (second.id, second.created, second.new_objects),
        (first.id, false, 0)
    );
    assert_eq!(second.operation, None);
    let ids: Vec<ObjectId> = objs.iter().map(Object::id).collect();
    assert!(store.missing_objects(&ids).await.unwrap().is_empty());

    // Another version of the same content: new snapshot, no new objects (callers ask first).
    let next = snapshot("lead-intake", "1.1.0", &objs);
    assert!(store.missing_objects(&ids).await.unwrap().is_empty());
    let third = store.create_snapshot(&next, &[]).await.unwrap();
    assert!(third.created);
    assert_eq!(third.new_objects, 0);
    assert_ne!(third.id, first.id);

    let stored = store
        .get_snapshot(SnapshotKey::Version {
            bundle: "lead-intake",
            version: "1.0.0",
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.id, first.id);
    assert_eq!(stored.author, "ana");
    assert_eq!(stored.manifest, new.manifest);
    assert_eq!(stored.entries, new.sorted_entries());
    assert_eq!(stored.computed_id(), stored.id);
    assert_eq!(
        store.get_snapshot((&first.id).into()).await.unwrap(),
        Some(stored)
    );
    let log = store.operations(&OperationFilter::default()).await.unwrap();
    assert_eq!(log.len(), 2, "one operation per created snapshot");
    assert_eq!(log[0].kind, "snapshot.create");
    assert_eq!(log[0].payload["snapshot"], json!(first.id));
    assert_clean(store).await;
}

pub async fn version_conflict_and_missing_objects_change_nothing<H: Harness>(h: &H) {
    let store = h.store();
    let objs = objects("conflict", 3);
    let first = store
        .create_snapshot(&snapshot("lead-intake", "2.0.0", &objs), &objs)
        .await
        .unwrap();
    let changed = objects("changed", 3);
    let err = store
        .create_snapshot(&snapshot("lead-intake", "2.0.0", &changed), &changed)
        .await
        .unwrap_err();
    match &err {
        Error::VersionExists {
            bundle, existing, ..
        } => {
            assert_eq!(bundle, "lead-intake");
            assert_eq!(*existing, first.id);
        }
        other => panic!("expected VersionExists, got {other:?}"),
    }
    assert!(
        err.to_string().contains("already has version 2.0.0"),
        "{err}"
    );
    let changed_ids: Vec<ObjectId> = changed.iter().map(Object::id).collect();
    assert_eq!(
        store.missing_objects(&changed_ids).await.unwrap(),
        changed_ids,
        "a refused snapshot stores none of its objects"
    );

    // An entry whose object is neither stored nor supplied: refused, and the supplied objects
    // are rolled back with it.
    let extra = objects("extra", 1);
    let mut incomplete = snapshot("lead-intake", "3.0.0", &extra);
    let ghost = ObjectId::of(b"ghost");
    incomplete.entries.push(Entry {
        kind: "Tag".into(),
        id: "ghost".into(),
        object: ghost,
        path: None,
    });
    let err = store
        .create_snapshot(&incomplete, &extra)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::MissingObjects { missing, .. } if missing == &vec![ghost]),
        "{err:?}"
    );
    assert_eq!(
        store.missing_objects(&[extra[0].id()]).await.unwrap(),
        vec![extra[0].id()]
    );
    let mut duplicate = snapshot("lead-intake", "4.0.0", &objs);
    duplicate.entries.push(duplicate.entries[0].clone());
    let err = store.create_snapshot(&duplicate, &objs).await.unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
    let listed = store.list_snapshots(None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        store
            .operations(&OperationFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    assert_clean(store).await;
}

pub async fn snapshots_list_in_version_order<H: Harness>(h: &H) {
    let store = h.store();
    for version in ["1.10.0", "1.9.0", "1.10.0-rc.1", "v0.1.0", "nightly"] {
        make_snapshot(store, version).await;
    }
    let objs = objects("other", 1);
    store
        .create_snapshot(&snapshot("abandoned-cart", "1.0.0", &objs), &objs)
        .await
        .unwrap();
    let all = store.list_snapshots(None).await.unwrap();
    let names: Vec<(&str, &str)> = all
        .iter()
        .map(|s| (s.bundle.as_str(), s.version.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("abandoned-cart", "1.0.0"),
            ("lead-intake", "v0.1.0"),
            ("lead-intake", "1.9.0"),
            ("lead-intake", "1.10.0-rc.1"),
            ("lead-intake", "1.10.0"),
            ("lead-intake", "nightly"),
        ]
    );
    let one = store.list_snapshots(Some("abandoned-cart")).await.unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].entries, 1);
    assert!(store
        .get_snapshot(SnapshotKey::Version {
            bundle: "lead-intake",
            version: "9.9.9"
        })
        .await
        .unwrap()
        .is_none());
}

// ---- verification ---------------------------------------------------------------------------

pub async fn verify_detects_tampering<H: Harness>(h: &H) {
    let store = h.store();
    let objs = objects("verify", 3);
    let created = store
        .create_snapshot(&snapshot("lead-intake", "1.0.0", &objs), &objs)
        .await
        .unwrap();
    let other = make_snapshot(store, "1.1.0").await;
    store
        .compare_and_swap_ref(
            "env/prod",
            None,
            &created.id,
            &op(OperationKind::Apply, json!({})),
        )
        .await
        .unwrap();
    assert_clean(store).await;

    // Corrupt one object's bytes behind the store's back.
    let (victim, donor) = (objs[0].id(), objs[1].id());
    let donor_text = donor.to_string();
    h.sql(&format!(
        "UPDATE flowgate_objects SET bytes = (SELECT bytes FROM flowgate_objects WHERE id = \
         '{donor_text}') WHERE id = '{victim}'"
    ))
    .await;
    // Point an entry of the snapshot at another object: a new tree, consistent in itself.
    let mut entries = entries_of(store, &created.id).await;
    for entry in &mut entries {
        if entry.object == objs[2].id() {
            entry.object = donor;
        }
    }
    replace_tree(h, created.id, &entries).await;
    // Move the ref without an operation.
    h.sql(&format!(
        "UPDATE flowgate_refs SET snapshot_id = '{other}' WHERE name = 'env/prod'"
    ))
    .await;

    let err = store.get_object(&victim).await.unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains(&victim.to_string()), "{err}");
    assert!(store.export_snapshot(&created.id).await.is_err());

    let report = store.verify().await.unwrap();
    let kinds: Vec<ProblemKind> = report.problems.iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&ProblemKind::ObjectHash), "{report:#?}");
    let hash_problem = report
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::ObjectHash)
        .unwrap();
    assert_eq!(hash_problem.subject, format!("object {victim}"));
    assert!(kinds.contains(&ProblemKind::SnapshotId), "{report:#?}");
    assert!(kinds.contains(&ProblemKind::Ref), "{report:#?}");
    assert!(report.log.is_intact());
    assert_eq!((report.objects, report.snapshots, report.refs), (5, 2, 1));
}

pub async fn operation_log_chain_detects_edits<H: Harness>(h: &H) {
    let store = h.store();
    for i in 0..4 {
        let record = store
            .append_operation(&op(
                OperationKind::Approve,
                json!({"plan": i, "note": "ok ✓"}),
            ))
            .await
            .unwrap();
        assert_eq!(record.seq, i + 1);
        assert_eq!(record.at.to_string(), "2025-09-17T08:30:00.000000Z");
        assert_eq!(record.computed_hash(), record.hash);
    }
    let all = store.operations(&OperationFilter::default()).await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[1].prev_hash == w[0].hash));
    let report = store.verify_log().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!((report.records, report.head), (4, all[3].hash));
    let page = store
        .operations(&OperationFilter {
            after_seq: Some(1),
            limit: Some(2),
            ..OperationFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(page.iter().map(|o| o.seq).collect::<Vec<_>>(), [2, 3]);
    let err = store
        .append_operation(&NewOperation::new("", OperationKind::Approve, json!(null)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("actor is empty"), "{err}");

    // Edit a record: the chain breaks there.
    h.sql("UPDATE flowgate_operations SET actor = 'mallory' WHERE seq = 2")
        .await;
    let report = store.verify_log().await.unwrap();
    let broken = report.broken.expect("an edited record breaks the chain");
    assert_eq!(broken.seq, 2, "{}", broken.reason);
    assert!(broken.reason.contains("edited"), "{}", broken.reason);
    assert_eq!(report.records, 1);

    // Edit it and fix its own hash: the next record's link breaks instead.
    let mut forged = all[1].clone();
    forged.actor = "mallory".into();
    let forged_hash = forged.computed_hash();
    h.sql(&format!(
        "UPDATE flowgate_operations SET hash = '{forged_hash}' WHERE seq = 2"
    ))
    .await;
    let broken = store.verify_log().await.unwrap().broken.unwrap();
    assert_eq!(broken.seq, 3, "{}", broken.reason);
    assert!(broken.reason.contains("prev_hash"), "{}", broken.reason);

    // Restore, then drop the last record: the log head notices.
    h.sql(&format!(
        "UPDATE flowgate_operations SET actor = 'ana', hash = '{}' WHERE seq = 2",
        all[1].hash
    ))
    .await;
    assert!(store.verify_log().await.unwrap().is_intact());
    h.sql("DELETE FROM flowgate_operations WHERE seq = 4").await;
    let broken = store.verify_log().await.unwrap().broken.unwrap();
    assert_eq!(broken.seq, 4, "{}", broken.reason);
    assert!(broken.reason.contains("removed"), "{}", broken.reason);
    let report = store.verify().await.unwrap();
    assert!(report.problems.iter().any(|p| p.kind == ProblemKind::Log));
}

// ---- refs -----------------------------------------------------------------------------------

pub async fn compare_and_swap_moves_refs<H: Harness>(h: &H) {
    let store = h.store();
    let a = make_snapshot(store, "1.0.0").await;
    let b = make_snapshot(store, "1.1.0").await;
    assert_eq!(store.get_ref("env/prod").await.unwrap(), None);
    let created = store
        .compare_and_swap_ref(
            "env/prod",
            None,
            &a,
            &op(OperationKind::Apply, json!({"plan": "p1"})),
        )
        .await
        .unwrap();
    assert_eq!((created.target, created.version), (a, 1));
    let err = store
        .compare_and_swap_ref("env/prod", None, &b, &op(OperationKind::Apply, json!({})))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { expected: None, actual: Some(x), .. } if *x == a),
        "{err:?}"
    );
    assert!(err.is_conflict());
    let err = store
        .compare_and_swap_ref(
            "env/prod",
            Some(&b),
            &a,
            &op(OperationKind::Apply, json!({})),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("changed by someone else"), "{err}");
    let moved = store
        .compare_and_swap_ref(
            "env/prod",
            Some(&a),
            &b,
            &op(OperationKind::Apply, json!({})),
        )
        .await
        .unwrap();
    assert_eq!((moved.target, moved.version), (b, 2));
    assert_eq!(
        store.get_ref("env/prod").await.unwrap(),
        Some(moved.clone())
    );

    let unknown = SnapshotId::from_bytes([7; 32]);
    let err = store
        .compare_and_swap_ref(
            "env/stage",
            None,
            &unknown,
            &op(OperationKind::Apply, json!({})),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnknownSnapshot(_)), "{err:?}");
    let err = store
        .compare_and_swap_ref("env//x", None, &a, &op(OperationKind::Apply, json!({})))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRefName { .. }), "{err:?}");

    store
        .compare_and_swap_ref("env/dev", None, &a, &op(OperationKind::Apply, json!({})))
        .await
        .unwrap();
    let names: Vec<String> = store
        .list_refs(Some("env/"))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["env/dev", "env/prod"]);
    let history = store
        .operations(&OperationFilter {
            ref_name: Some("env/prod".into()),
            ..OperationFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "only the winning swaps are logged");
    let last = history[1].ref_change.clone().unwrap();
    assert_eq!((last.from, last.to, last.version), (Some(a), b, 2));
    assert_eq!(history[0].payload, json!({"plan": "p1"}));
    assert_clean(store).await;
}

pub async fn concurrent_compare_and_swap_has_one_winner<H: Harness>(h: &H) {
    let first = h.store().clone();
    let second = h.reopen().await.unwrap();
    let targets = [
        make_snapshot(&first, "1.0.0").await,
        make_snapshot(&first, "1.1.0").await,
        make_snapshot(&first, "1.2.0").await,
    ];
    const TRIALS: u64 = 20;
    // Creation races too: two creators of one ref.
    let mut current = None;
    for trial in 0..=TRIALS {
        let (x, y) = match current {
            None => (targets[0], targets[1]),
            Some(cur) => {
                let others: Vec<SnapshotId> =
                    targets.iter().copied().filter(|t| *t != cur).collect();
                (others[0], others[1])
            }
        };
        let swap = |store: &H::Store, target: SnapshotId, by: u8| {
            let store = store.clone();
            tokio::spawn(async move {
                let op = op(OperationKind::Apply, json!({ "by": by }));
                store
                    .compare_and_swap_ref("env/prod", current.as_ref(), &target, &op)
                    .await
            })
        };
        let (task1, task2) = (swap(&first, x, 1), swap(&second, y, 2));
        let (r1, r2) = (task1.await.unwrap(), task2.await.unwrap());
        let (winner, loser) = match (r1, r2) {
            (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
            (Ok(_), Ok(_)) => panic!("trial {trial}: both swaps won"),
            (Err(a), Err(b)) => panic!("trial {trial}: both swaps lost: {a}; {b}"),
        };
        assert!(
            matches!(&loser, Error::Conflict { actual: Some(t), .. } if *t == winner.target),
            "trial {trial}: {loser:?}"
        );
        assert_eq!(winner.version, trial + 1);
        let now = first.get_ref("env/prod").await.unwrap().unwrap();
        assert_eq!((now.target, now.version), (winner.target, winner.version));
        current = Some(winner.target);
    }
    let history = first
        .operations(&OperationFilter {
            ref_name: Some("env/prod".into()),
            ..OperationFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(history.len() as u64, TRIALS + 1);
    assert_clean(&first).await;
}

pub async fn concurrent_snapshots_do_not_interfere<H: Harness>(h: &H) {
    let first = h.store().clone();
    let second = h.reopen().await.unwrap();
    let create = |store: &H::Store, new: NewSnapshot, objs: Vec<Object>| {
        let store = store.clone();
        tokio::spawn(async move { store.create_snapshot(&new, &objs).await })
    };
    for trial in 0..5 {
        // Different versions sharing objects, supplied in opposite orders.
        let shared = objects(&format!("shared {trial}"), 200);
        let mut reversed = shared.clone();
        reversed.reverse();
        let a = create(
            &first,
            snapshot("a", &format!("{trial}.0.0"), &shared),
            shared.clone(),
        );
        let b = create(
            &second,
            snapshot("b", &format!("{trial}.0.0"), &reversed),
            reversed,
        );
        let (a, b) = (a.await.unwrap().unwrap(), b.await.unwrap().unwrap());
        assert!(a.created && b.created);
        assert_eq!(
            a.new_objects + b.new_objects,
            200,
            "each object stored once"
        );

        // One version raced with the same content: both get its id, one of them created it.
        let v = format!("{trial}.1.0");
        let c = create(&first, snapshot("c", &v, &shared), shared.clone());
        let d = create(&second, snapshot("c", &v, &shared), shared.clone());
        let (c, d) = (c.await.unwrap().unwrap(), d.await.unwrap().unwrap());
        assert_eq!(c.id, d.id);
        assert!(c.created != d.created, "exactly one writer creates it");

        // One version raced with different content: one wins, the other is told.
        let v = format!("{trial}.2.0");
        let other = objects(&format!("other {trial}"), 3);
        let e = create(&first, snapshot("c", &v, &shared), shared.clone());
        let f = create(&second, snapshot("c", &v, &other), other);
        match (e.await.unwrap(), f.await.unwrap()) {
            (Ok(won), Err(Error::VersionExists { existing, .. }))
            | (Err(Error::VersionExists { existing, .. }), Ok(won)) => {
                assert_eq!(existing, won.id);
            }
            (e, f) => panic!("trial {trial}: expected one winner, got {e:?} and {f:?}"),
        }
    }
    assert_eq!(first.list_snapshots(None).await.unwrap().len(), 20);
    let log = first.operations(&OperationFilter::default()).await.unwrap();
    assert_eq!(log.len(), 20, "one operation per created snapshot");
    assert_clean(&first).await;
}

// ---- export / import ------------------------------------------------------------------------

/// Needs a second, empty store (`target`) to import into.
pub async fn export_import_round_trip_and_tamper<H: Harness>(h: &H, target: &H) {
    let store = h.store();
    let mut objs = objects("export", 5);
    objs.push(Object::new(vec![0u8, 255, 10, 13, 0]));
    let new = snapshot("lead-intake", "2.4.1", &objs);
    let created = store.create_snapshot(&new, &objs).await.unwrap();
    let file = store.export_snapshot(&created.id).await.unwrap();
    assert!(file.starts_with(EXPORT_MAGIC));
    assert_eq!(
        store.export_snapshot(&created.id).await.unwrap(),
        file,
        "exports are deterministic"
    );

    // Into an empty store: everything arrives, verified.
    let imported = target.store().import_snapshot(&file).await.unwrap();
    assert_eq!(
        (imported.id, imported.created, imported.new_objects),
        (created.id, true, 6)
    );
    let original = store.get_snapshot((&created.id).into()).await.unwrap();
    let mut copy = target
        .store()
        .get_snapshot((&created.id).into())
        .await
        .unwrap()
        .unwrap();
    assert!(copy.is_imported() && !original.as_ref().unwrap().is_imported());
    copy.origin = SnapshotOrigin::Local;
    assert_eq!(Some(copy), original);
    assert_eq!(
        target.store().export_snapshot(&created.id).await.unwrap(),
        file,
        "an imported snapshot exports to the same bytes"
    );
    for object in &objs {
        assert_eq!(
            target
                .store()
                .get_object(&object.id())
                .await
                .unwrap()
                .as_deref(),
            Some(object.bytes())
        );
    }
    let again = target.store().import_snapshot(&file).await.unwrap();
    assert_eq!((again.created, again.new_objects), (false, 0));
    let log = target
        .store()
        .operations(&OperationFilter::default())
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, "snapshot.import");
    assert_clean(target.store()).await;

    // Into the store it came from: nothing changes.
    assert!(!store.import_snapshot(&file).await.unwrap().created);

    // Tampered files are refused with the mismatch named, and import nothing.
    let refuse = |bytes: Vec<u8>, needle: &'static str| {
        let store = target.store().clone();
        async move {
            let err = store.import_snapshot(&bytes).await.unwrap_err();
            assert!(matches!(err, Error::TamperedExport(_)), "{err:?}");
            assert!(
                err.to_string().contains(needle),
                "`{err}` should mention `{needle}`"
            );
        }
    };
    let digest_at = file.len() - 32;
    let mut object_byte = file.clone();
    object_byte[digest_at - 2] ^= 1;
    refuse(object_byte, "does not match its content (the bytes hash to").await;
    let text_pos = |needle: &str| {
        file.windows(needle.len())
            .position(|w| w == needle.as_bytes())
            .unwrap()
    };
    let mut version = file.clone();
    let at = text_pos("\"version\":\"2.4.1\"") + 15;
    version[at] = b'9';
    refuse(version, "2.4.9").await;
    let mut manifest = file.clone();
    let at = text_pos("\"commit\":\"3fa4c1\"") + 11;
    manifest[at] = b'b';
    refuse(manifest, "digest does not match").await;
    let mut digest = file.clone();
    digest[digest_at + 3] ^= 0x40;
    refuse(digest, "digest does not match").await;
    refuse(file[..file.len() - 40].to_vec(), "").await;
    refuse(
        b"not an export at all, but long enough to be read as one".to_vec(),
        "not a flowgate snapshot export",
    )
    .await;
    let mut header_len = file.clone();
    header_len[EXPORT_MAGIC.len()] = 0x7f;
    refuse(header_len, "header length").await;

    // A version the importing store already has with other content.
    let other = objects("other", 1);
    let other_new = snapshot("lead-intake", "9.0.0", &other);
    let other_id = target
        .store()
        .create_snapshot(&other_new, &other)
        .await
        .unwrap()
        .id;
    let other_file = target.store().export_snapshot(&other_id).await.unwrap();
    let made = store
        .create_snapshot(&snapshot("lead-intake", "9.0.0", &objs), &objs)
        .await
        .unwrap();
    let err = store.import_snapshot(&other_file).await.unwrap_err();
    assert!(
        matches!(&err, Error::VersionExists { existing, .. } if *existing == made.id),
        "{err:?}"
    );
    assert_eq!(target.store().list_snapshots(None).await.unwrap().len(), 2);
}

// ---- schema ---------------------------------------------------------------------------------

pub async fn newer_store_is_refused<H: Harness>(h: &H) {
    h.sql(
        "INSERT INTO flowgate_migrations (version, name, applied_at) \
         VALUES (999, 'from the future', '2099-01-01T00:00:00Z')",
    )
    .await;
    let err = h.reopen().await.unwrap_err();
    assert!(
        matches!(err, Error::StoreTooNew { found: 999, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade flowgate"), "{err}");
    h.sql("DELETE FROM flowgate_migrations WHERE version = 999")
        .await;
    let reopened = h.reopen().await.unwrap();
    assert!(reopened.list_snapshots(None).await.unwrap().is_empty());
}

pub async fn rehearsal_marker_is_kept_and_only_for_new_stores<H: Harness>(h: &H) {
    let store = h.store();
    assert!(!store.is_rehearsal().await.unwrap());
    store.mark_rehearsal().await.unwrap();
    store.mark_rehearsal().await.unwrap();
    assert!(store.is_rehearsal().await.unwrap());
    store
        .append_operation(&op(OperationKind::Pin, json!({})))
        .await
        .unwrap();
    store.mark_rehearsal().await.unwrap();
    assert!(h.reopen().await.unwrap().is_rehearsal().await.unwrap());
    assert_clean(store).await;
}

pub async fn a_store_with_history_cannot_become_a_rehearsal<H: Harness>(h: &H) {
    let store = h.store();
    store
        .append_operation(&op(OperationKind::Pin, json!({})))
        .await
        .unwrap();
    let err = store.mark_rehearsal().await.unwrap_err();
    assert!(
        matches!(err, Error::NotEmpty { operations: 1, .. }),
        "{err:?}"
    );
    assert!(!store.is_rehearsal().await.unwrap());
}

pub async fn verify_log_names_records_that_go_back_in_time<H: Harness>(h: &H) {
    let clock = std::sync::Arc::new(flowgate_store::ManualClock::new(
        "2026-12-07T00:20:00Z".parse().unwrap(),
    ));
    let store = h.clocked(clock.clone());
    store
        .append_operation(&op(OperationKind::Pin, json!({})))
        .await
        .unwrap();
    clock.set("2026-12-08T01:00:00Z".parse().unwrap());
    store
        .append_operation(&op(OperationKind::Unpin, json!({})))
        .await
        .unwrap();
    clock.set("2026-12-07T00:21:00Z".parse().unwrap());
    store
        .append_operation(&op(OperationKind::Pin, json!({})))
        .await
        .unwrap();
    clock.set("2026-12-08T02:00:00Z".parse().unwrap());
    store
        .append_operation(&op(OperationKind::Unpin, json!({})))
        .await
        .unwrap();
    let report = store.verify_log().await.unwrap();
    assert!(report.is_intact());
    assert_eq!(report.time_reversals.len(), 1, "{report:?}");
    let reversal = &report.time_reversals[0];
    assert_eq!((reversal.seq, reversal.previous_seq), (3, 2));
    assert_eq!(reversal.at.to_human(), "2026-12-07T00:21:00Z");
    assert_eq!(reversal.previous_at.to_human(), "2026-12-08T01:00:00Z");
}

// ---- crash safety ---------------------------------------------------------------------------

/// Objects for the child writer: `count` pseudo-random MiB-sized blobs (incompressible, so the
/// database really writes them).
pub fn big_objects(count: usize) -> Vec<Object> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..count)
        .map(|_| {
            let mut bytes = Vec::with_capacity(1 << 20);
            for _ in 0..(1 << 17) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.extend_from_slice(&state.to_le_bytes());
            }
            Object::new(bytes)
        })
        .collect()
}

/// The bundle the child writer snapshots.
pub const BIG_BUNDLE: &str = "big-bundle";

pub async fn killed_writer_leaves_no_partial_snapshot<H: Harness>(h: &H) {
    let store = h.store();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "store::kill_child_writer",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(KILL_CHILD_ENV, h.child_target())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if h.write_in_progress().await {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the writer exited ({status}) before it could be killed:\n{out}\n{err}");
        }
        assert!(
            Instant::now() < deadline,
            "the writer never started writing"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(
        !out.contains("committed"),
        "the writer finished before the kill; the test proves nothing:\n{out}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(status.signal(), Some(9), "{status}");
    }
    #[cfg(not(unix))]
    assert!(!status.success());

    // Nothing of the half-written transaction is visible, from this handle or a new one.
    let fresh = h.reopen().await.unwrap();
    for s in [store, &fresh] {
        assert!(s.list_snapshots(None).await.unwrap().is_empty());
        assert!(s
            .operations(&OperationFilter::default())
            .await
            .unwrap()
            .is_empty());
        let report = s.verify().await.unwrap();
        assert!(report.is_clean(), "{:#?}", report.problems);
        assert_eq!(
            report.objects, 0,
            "no object of the killed transaction is stored"
        );
    }
    // And the store takes a fresh write.
    let objs = objects("after", 2);
    let created = fresh
        .create_snapshot(&snapshot(BIG_BUNDLE, "1.0.0", &objs), &objs)
        .await
        .unwrap();
    assert!(created.created);
    assert_clean(store).await;
}

/// The child side of [`killed_writer_leaves_no_partial_snapshot`]: writes one large snapshot
/// and says `committed` on stdout when done (which the parent must never see).
#[allow(clippy::print_stdout)]
pub async fn write_big_snapshot<S: Store>(store: &S) {
    let objs = big_objects(96);
    let new = snapshot(BIG_BUNDLE, "1.0.0", &objs);
    println!("writing {} objects", objs.len());
    store.create_snapshot(&new, &objs).await.unwrap();
    println!("committed");
}

// ---- trees, collection, streaming export ----------------------------------------------------

/// Objects of `n` × about 200 bytes, enough entries (over 256) for a tree of several nodes.
fn many(prefix: &str, n: usize) -> Vec<Object> {
    (0..n)
        .map(|i| Object::new(format!("{prefix} {i} {}\n", "x".repeat(200)).into_bytes()))
        .collect()
}

pub async fn verify_detects_tampered_trees<H: Harness>(h: &H) {
    let store = h.store();
    let small_objs = objects("trees", 3);
    let small = store
        .create_snapshot(&snapshot("lead-intake", "1.0.0", &small_objs), &small_objs)
        .await
        .unwrap()
        .id;
    let large_objs = many("large", 600);
    let new_large = snapshot("lead-intake", "2.0.0", &large_objs);
    let large = store
        .create_snapshot(&new_large, &large_objs)
        .await
        .unwrap()
        .id;
    let split_objs = many("split", 300);
    let split = store
        .create_snapshot(&snapshot("lead-intake", "3.0.0", &split_objs), &split_objs)
        .await
        .unwrap()
        .id;
    assert_clean(store).await;
    let large_entries = entries_of(store, &large).await;
    assert_eq!(large_entries, new_large.sorted_entries());

    // 1. A node's bytes altered in place: refused on read, reported, and collection stops.
    let (_, small_root) = leaf(&entries_of(store, &small).await);
    h.sql(&format!(
        "UPDATE flowgate_trees SET bytes = {} WHERE id = '{small_root}'",
        h.blob(b"{\"entries\":[]}")
    ))
    .await;
    let err = store
        .get_snapshot(SnapshotKey::Id(&small))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains(&small_root.to_string()), "{err}");
    assert!(store.export_snapshot(&small).await.is_err());
    let err = store
        .collect_garbage(&GcOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nothing was collected"), "{err}");

    // 2. The large tree replaced by one leaf of the same entries: readable (the snapshot id
    //    still matches), but not the tree those entries build; and its count edited.
    replace_tree(h, large, &large_entries).await;
    assert_eq!(entries_of(store, &large).await, large_entries);
    h.sql(&format!(
        "UPDATE flowgate_snapshots SET entry_count = 5 WHERE id = '{large}'"
    ))
    .await;

    // 3. Inner and leaf nodes of the split tree removed (every node no snapshot names as root).
    h.sql("DELETE FROM flowgate_trees WHERE id NOT IN (SELECT tree FROM flowgate_snapshots)")
        .await;
    let err = store
        .get_snapshot(SnapshotKey::Id(&split))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is not stored"), "{err}");

    let report = store.verify().await.unwrap();
    let tree_problems = |subject: &str| -> Vec<String> {
        report
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::Tree && p.subject.contains(subject))
            .map(|p| p.message.clone())
            .collect()
    };
    let node = tree_problems(&format!("tree node {small_root}"));
    assert!(node.iter().any(|m| m.contains("hash to")), "{report:#?}");
    let small_found = tree_problems(&format!("snapshot {small}"));
    assert!(
        small_found.iter().any(|m| m.contains("was altered")),
        "{report:#?}"
    );
    let large_found = tree_problems(&large.short());
    assert!(
        large_found
            .iter()
            .any(|m| m.contains("not the tree they build")),
        "{report:#?}"
    );
    assert!(
        large_found.iter().any(|m| m.contains("entry count 5")),
        "{report:#?}"
    );
    let split_found = tree_problems(&format!("snapshot {split}"));
    assert!(
        split_found.iter().any(|m| m.contains("is not stored")),
        "{report:#?}"
    );
}

/// A v5 store (entries one row each, no trees) holding what `store` holds, made by undoing
/// schema versions 8, 7 and 6 behind the store's back.
async fn downgrade_to_v5<H: Harness>(h: &H, snapshots: &[Snapshot]) {
    let mut sql = String::from(
        "CREATE TABLE flowgate_snapshot_entries (
            snapshot_id TEXT NOT NULL REFERENCES flowgate_snapshots (id),
            asset_kind TEXT NOT NULL, asset_id TEXT NOT NULL,
            object_id TEXT NOT NULL REFERENCES flowgate_objects (id), path TEXT,
            PRIMARY KEY (snapshot_id, asset_kind, asset_id));
         CREATE INDEX flowgate_snapshot_entries_object ON flowgate_snapshot_entries (object_id);",
    );
    for snapshot in snapshots {
        for e in &snapshot.entries {
            let path = e
                .path
                .as_ref()
                .map_or_else(|| "NULL".to_owned(), |p| format!("'{p}'"));
            sql.push_str(&format!(
                "INSERT INTO flowgate_snapshot_entries VALUES ('{}', '{}', '{}', '{}', {path});",
                snapshot.id, e.kind, e.id, e.object
            ));
        }
    }
    sql.push_str(
        "DROP TABLE flowgate_outbox;
         DROP TABLE flowgate_oidc_logins;
         DROP TABLE flowgate_trees;
         ALTER TABLE flowgate_snapshots DROP COLUMN tree;
         ALTER TABLE flowgate_snapshots DROP COLUMN entry_count;
         ALTER TABLE flowgate_objects DROP COLUMN added_at;
         DELETE FROM flowgate_migrations WHERE version >= 6",
    );
    h.sql(&sql).await;
}

pub async fn stores_from_before_trees_are_converted<H: Harness>(h: &H) {
    let store = h.store();
    let mut before = Vec::new();
    for (version, n) in [("1.0.0", 3), ("1.1.0", 400)] {
        let objs = many(version, n);
        let id = store
            .create_snapshot(&snapshot("lead-intake", version, &objs), &objs)
            .await
            .unwrap()
            .id;
        before.push(
            store
                .get_snapshot(SnapshotKey::Id(&id))
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let listed = store.list_snapshots(None).await.unwrap();
    let exported = store.export_snapshot(&before[1].id).await.unwrap();
    downgrade_to_v5(h, &before).await;
    let reopened = h.reopen().await.unwrap();
    for snapshot in &before {
        let read = reopened
            .get_snapshot(SnapshotKey::Id(&snapshot.id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&read, snapshot);
    }
    assert_eq!(reopened.list_snapshots(None).await.unwrap(), listed);
    assert_eq!(
        reopened.export_snapshot(&before[1].id).await.unwrap(),
        exported
    );
    assert_clean(&reopened).await;
    // Converted trees are shared with new snapshots of the same entries.
    let objs = many("1.1.0", 400);
    let again = reopened
        .create_snapshot(&snapshot("other", "1.1.0", &objs), &[])
        .await
        .unwrap();
    assert_eq!(again.new_objects, 0);
    let gc = reopened
        .collect_garbage(&GcOptions {
            dry_run: true,
            grace: Duration::ZERO,
        })
        .await
        .unwrap();
    assert_eq!((gc.objects.removed, gc.trees.removed), (0, 0));
    assert_clean(&reopened).await;
}

pub async fn collection_removes_only_what_nothing_reaches<H: Harness>(h: &H) {
    let store = h.store();
    let now = GcOptions {
        dry_run: false,
        grace: Duration::ZERO,
    };
    let objs = many("gc", 300);
    let created = store
        .create_snapshot(&snapshot("lead-intake", "1.0.0", &objs), &objs)
        .await
        .unwrap();
    let checkpoint = Object::new(b"reconciliation checkpoint".to_vec());
    let orphan = Object::new(b"stored, never referred to".to_vec());
    store
        .put_objects(&[checkpoint.clone(), orphan.clone()])
        .await
        .unwrap();
    store
        .append_operation(&op(
            OperationKind::ReconcileRun,
            json!({"reconciliation": "orders", "checkpoint": checkpoint.id()}),
        ))
        .await
        .unwrap();

    // Within the grace period the orphan stays.
    let kept = store.collect_garbage(&GcOptions::default()).await.unwrap();
    assert_eq!((kept.objects.recent, kept.objects.removed), (1, 0));
    let dry = store
        .collect_garbage(&GcOptions {
            dry_run: true,
            ..now
        })
        .await
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!((dry.objects.reachable, dry.objects.removed), (301, 1));
    assert_eq!(dry.objects.removed_bytes, orphan.bytes().len() as u64);
    assert!(dry.trees.reachable > 1, "{dry:?}");
    assert_eq!(dry.trees.removed, 0);
    assert!(store
        .missing_objects(&[orphan.id()])
        .await
        .unwrap()
        .is_empty());

    let done = store.collect_garbage(&now).await.unwrap();
    assert_eq!((done.snapshots, done.objects.removed), (1, 1));
    assert_eq!(
        store.missing_objects(&[orphan.id()]).await.unwrap(),
        vec![orphan.id()]
    );
    assert_eq!(
        store.get_object(&checkpoint.id()).await.unwrap().as_deref(),
        Some(checkpoint.bytes())
    );
    assert!(store.export_snapshot(&created.id).await.is_ok());
    assert_clean(store).await;

    // Tree nodes nothing reaches go too (here: an orphaned one-leaf tree).
    let entries = entries_of(store, &created.id).await;
    let (bytes, stray) = leaf(&entries[..5]);
    h.sql(&format!(
        "INSERT INTO flowgate_trees (id, size, bytes, added_at) VALUES ('{stray}', {}, {}, '')",
        bytes.len(),
        h.blob(&bytes)
    ))
    .await;
    let done = store.collect_garbage(&now).await.unwrap();
    assert_eq!((done.objects.removed, done.trees.removed), (0, 1));
    assert_clean(store).await;
}

/// Writers store objects and then snapshot them relying on them being stored, while
/// collection runs with no grace period: a writer may be told its objects are missing (and
/// then sends them), but no snapshot may ever reach a removed object or node.
pub async fn collection_never_removes_what_concurrent_writers_reach<H: Harness>(h: &H) {
    let stores = [
        h.store().clone(),
        h.reopen().await.unwrap(),
        h.reopen().await.unwrap(),
    ];
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let collector = {
        let store = h.reopen().await.unwrap();
        let done = done.clone();
        tokio::spawn(async move {
            let now = GcOptions {
                dry_run: false,
                grace: Duration::ZERO,
            };
            let mut runs = 0u32;
            while !done.load(std::sync::atomic::Ordering::SeqCst) || runs == 0 {
                store.collect_garbage(&now).await.unwrap();
                runs += 1;
            }
            runs
        })
    };
    let base = many("base", 300);
    let mut writers = Vec::new();
    for (w, store) in stores.iter().enumerate() {
        let (store, base) = (store.clone(), base.clone());
        writers.push(tokio::spawn(async move {
            let mut told = 0;
            for round in 0..6 {
                let mut objs = base.clone();
                objs[round * 7 + w] = Object::new(format!("w{w} r{round}").into_bytes());
                let orphan = Object::new(format!("orphan w{w} r{round}").into_bytes());
                let new = snapshot(&format!("bundle-{w}"), &format!("1.{round}.0"), &objs);
                store.put_objects(&objs).await.unwrap();
                store.put_objects(&[orphan]).await.unwrap();
                match store.create_snapshot(&new, &[]).await {
                    Ok(created) => assert!(created.created),
                    Err(Error::MissingObjects { .. }) => {
                        told += 1;
                        store.create_snapshot(&new, &objs).await.unwrap();
                    }
                    Err(e) => panic!("writer {w} round {round}: {e}"),
                }
            }
            told
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(collector.await.unwrap() > 0);
    let store = h.store();
    let listed = store.list_snapshots(None).await.unwrap();
    assert_eq!(listed.len(), 18);
    for summary in &listed {
        let entries = entries_of(store, &summary.id).await;
        let ids: Vec<ObjectId> = entries.iter().map(|e| e.object).collect();
        assert!(store.missing_objects(&ids).await.unwrap().is_empty());
        assert!(store.export_snapshot(&summary.id).await.is_ok());
    }
    assert_clean(store).await;
}

/// The export file as it was written before exports were streamed: built whole in memory
/// from the snapshot and its objects (the format of `docs/store.md`).
fn export_in_memory(snapshot: &Snapshot, objects: &[Object]) -> Vec<u8> {
    let mut sorted = objects.to_vec();
    sorted.sort_by_key(Object::id);
    sorted.dedup_by_key(|o| o.id());
    let listed: Vec<Value> = sorted
        .iter()
        .map(|o| json!({"id": o.id(), "size": o.bytes().len()}))
        .collect();
    let record = Snapshot {
        origin: SnapshotOrigin::Local,
        ..snapshot.clone()
    };
    let header = canonical_json(&json!({"objects": listed, "snapshot": record}));
    let mut out = EXPORT_MAGIC.to_vec();
    out.extend_from_slice(&(header.len() as u64).to_be_bytes());
    out.extend_from_slice(&header);
    for object in &sorted {
        out.extend_from_slice(object.bytes());
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"flowgate/export/v1\0");
    hasher.update(&out);
    out.extend_from_slice(hasher.finalize().as_bytes());
    out
}

pub async fn streamed_export_equals_the_file_built_in_memory<H: Harness>(h: &H) {
    let store = h.store();
    // Several hundred entries (a tree of many nodes), objects shared by entries, sizes from a
    // few bytes to past the 8 MiB a read batch holds.
    let mut objs = many("stream", 450);
    objs.push(Object::new(vec![7u8; 9 << 20]));
    objs.push(Object::new(Vec::new()));
    let mut new = snapshot("lead-intake", "4.0.0", &objs);
    new.entries.push(Entry {
        kind: "Tag".into(),
        id: "shares-an-object".into(),
        object: objs[0].id(),
        path: None,
    });
    let created = store.create_snapshot(&new, &objs).await.unwrap();
    let snapshot = store
        .get_snapshot(SnapshotKey::Id(&created.id))
        .await
        .unwrap()
        .unwrap();
    let expected = export_in_memory(&snapshot, &objs);
    let mut streamed = Vec::new();
    let written = store
        .export_snapshot_to(&created.id, &mut streamed)
        .await
        .unwrap();
    assert_eq!(written, streamed.len() as u64);
    assert!(streamed == expected, "the streamed export differs");
    assert!(store.export_snapshot(&created.id).await.unwrap() == expected);

    // A writer that fails is an error, not a panic.
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let err = store
        .export_snapshot_to(&created.id, &mut Broken)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ExportUnwritable { .. }), "{err:?}");
}

/// Entries of `n` assets for a comparison, each with its own object.
fn compared_entries(n: usize, salt: &str) -> (Vec<Object>, Vec<Entry>) {
    let objs = many(salt, n);
    let entries = objs
        .iter()
        .enumerate()
        .map(|(i, o)| Entry {
            kind: if i % 3 == 0 { "Template" } else { "Workflow" }.into(),
            id: format!("asset-{i}"),
            object: o.id(),
            path: Some(format!("assets/asset-{i}.yaml")),
        })
        .collect();
    (objs, entries)
}

/// The difference of two entry sets, as whole reads give it: (stored only, new only).
fn set_difference(stored: &[Entry], new: &[Entry]) -> (Vec<Entry>, Vec<Entry>) {
    let a: std::collections::BTreeSet<&Entry> = stored.iter().collect();
    let b: std::collections::BTreeSet<&Entry> = new.iter().collect();
    (
        a.difference(&b).map(|e| (*e).clone()).collect(),
        b.difference(&a).map(|e| (*e).clone()).collect(),
    )
}

pub async fn comparing_a_snapshot_reads_only_what_differs<H: Harness>(h: &H) {
    let store = h.store();
    let (objs, entries) = compared_entries(3000, "compare");
    let mut first = snapshot("lead-intake", "1.0.0", &objs);
    first.entries = entries.clone();
    first.manifest = json!({"platform_flows": {"asset-1": "n8n"}});
    let created = store.create_snapshot(&first, &objs).await.unwrap();
    let key = SnapshotKey::Id(&created.id);

    // The same entries: nothing differs, and the manifest is there.
    let same = store
        .compare_snapshot(key, &entries)
        .await
        .unwrap()
        .unwrap();
    assert!(same.snapshot.entries.is_empty() && same.added.is_empty());
    assert_eq!(same.snapshot.id, created.id);
    assert_eq!(same.snapshot.manifest, first.manifest);

    // Changed, removed, added, moved; a set small enough for one leaf; an empty set; a set
    // of other assets altogether.
    let other = Object::new(b"other".to_vec());
    let mut edits: Vec<Vec<Entry>> = Vec::new();
    let mut changed = entries.clone();
    changed[17].object = other.id();
    changed.remove(2500);
    changed.push(Entry {
        kind: "Tag".into(),
        id: "new-tag".into(),
        object: other.id(),
        path: None,
    });
    changed[40].path = Some("moved/asset-40.yaml".into());
    edits.push(changed);
    edits.push(entries[..100].to_vec());
    edits.push(Vec::new());
    edits.push(compared_entries(300, "elsewhere").1);
    let mut shuffled = entries.clone();
    shuffled.reverse();
    edits.push(shuffled);
    for new in edits {
        let compared = store.compare_snapshot(key, &new).await.unwrap().unwrap();
        let (removed, added) = set_difference(&entries, &new);
        assert_eq!(compared.snapshot.entries, removed);
        assert_eq!(compared.added, added);
    }

    // A snapshot that is not stored.
    let unknown: SnapshotId = "0".repeat(64).parse().unwrap();
    assert!(store
        .compare_snapshot(SnapshotKey::Id(&unknown), &entries)
        .await
        .unwrap()
        .is_none());

    // A node on the way that no longer matches its id is refused, naming the snapshot.
    h.sql(&format!(
        "UPDATE flowgate_trees SET bytes = {} WHERE id IN (SELECT tree FROM flowgate_snapshots)",
        h.blob(b"{\"entries\":[]}")
    ))
    .await;
    let error = store
        .compare_snapshot(key, &entries[1..])
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Corrupt { .. })
            && error.to_string().contains(&created.id.to_string()),
        "{error}"
    );
}
