//! Benchmark: the embedded (SQLite) store taking snapshots of 10,000- and 30,000-asset bundles.
//!
//! - `first_snapshot_{n}`: `n` new objects of about 1 KB and a snapshot of them, in one
//!   transaction, into an empty store.
//! - `second_snapshot_one_changed_{n}`: the next version, where one asset changed: ask which of
//!   the `n` objects are missing, then snapshot with only the changed one (the store's part of
//!   `flowgate snapshot create` when one file changed, for a caller that asks first).
//! - `second_snapshot_all_supplied_one_changed_{n}`: the same version, with every object
//!   supplied and no question asked first (what `flowgate snapshot create` does); the store
//!   writes only the objects of the leaves it lacks.
//! - `latest_whole_read_{n}`: the first snapshot read whole (`get_snapshot`), as the semver
//!   check of `flowgate snapshot create` read it before it compared trees.
//! - `latest_compared_one_changed_{n}`: the first snapshot compared with the next version's
//!   entries (`compare_snapshot`), what the semver check reads now.
//! - `store_part_one_changed_{n}`: the comparison, then the next version with every object
//!   supplied: the store's whole part of `flowgate snapshot create` when one file changed.
//!
//! Each iteration gets a fresh store (built outside the timing: the store holding the first
//! snapshot is built once and copied). Objects are hashed outside the timing too, as callers
//! hash content while reading it.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use flowgate_store::{Entry, NewSnapshot, Object, ObjectId, SnapshotKey, SqliteStore, Store};
use serde_json::json;

fn asset(i: usize, revision: u32) -> Object {
    let mut text = format!("kind: workflow\nid: wf-{i:05}\nrevision: {revision}\nsteps:\n");
    while text.len() < 1000 {
        text.push_str("  - {type: send_email, template: welcome, wait: 2h}\n");
    }
    Object::new(text.into_bytes())
}

fn snapshot(version: &str, objects: &[Object]) -> NewSnapshot {
    NewSnapshot {
        bundle: "lead-intake".into(),
        version: version.into(),
        created_at: "2025-09-17T08:30:00Z".parse().unwrap(),
        author: "bench".into(),
        manifest: json!({"commit": "3fa4c1"}),
        entries: objects
            .iter()
            .enumerate()
            .map(|(i, o)| Entry {
                kind: "Workflow".into(),
                id: format!("wf-{i:05}"),
                object: o.id(),
                path: Some(format!("workflows/wf-{i:05}.yaml")),
            })
            .collect(),
    }
}

/// Copies the closed store at `from` into a new temporary directory and opens it there.
fn copy_store(rt: &tokio::runtime::Runtime, from: &Path) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    std::fs::copy(from, &path).unwrap();
    let store = rt.block_on(SqliteStore::open(&path)).unwrap();
    (dir, store)
}

fn bundle_of(c: &mut Criterion, rt: &tokio::runtime::Runtime, assets: usize) {
    let first: Vec<Object> = (0..assets).map(|i| asset(i, 1)).collect();
    let mut second = first.clone();
    second[assets / 2] = asset(assets / 2, 2);
    let second_ids: Vec<ObjectId> = second.iter().map(Object::id).collect();
    let v1 = snapshot("1.0.0", &first);
    let v2 = snapshot("1.0.1", &second);

    let fresh_store = || {
        let dir = tempfile::tempdir().unwrap();
        let store = rt
            .block_on(SqliteStore::open(dir.path().join("store.db")))
            .unwrap();
        (dir, store)
    };
    // The store holding the first snapshot, closed so that its file is complete.
    let (template_dir, template) = fresh_store();
    rt.block_on(template.create_snapshot(&v1, &first)).unwrap();
    rt.block_on(template.close());
    let template_path = template_dir.path().join("store.db");

    let k = assets / 1000;
    let mut group = c.benchmark_group("store_sqlite");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function(format!("first_snapshot_{k}k"), |b| {
        b.iter_batched(
            fresh_store,
            |(dir, store)| {
                let created = rt.block_on(store.create_snapshot(&v1, &first)).unwrap();
                assert_eq!(created.new_objects, assets as u64);
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function(format!("second_snapshot_one_changed_{k}k"), |b| {
        b.iter_batched(
            || copy_store(rt, &template_path),
            |(dir, store)| {
                let missing = rt.block_on(store.missing_objects(&second_ids)).unwrap();
                assert_eq!(missing.len(), 1);
                let changed: Vec<Object> = second
                    .iter()
                    .filter(|o| missing.contains(&o.id()))
                    .cloned()
                    .collect();
                let created = rt.block_on(store.create_snapshot(&v2, &changed)).unwrap();
                assert_eq!(created.new_objects, 1);
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function(
        format!("second_snapshot_all_supplied_one_changed_{k}k"),
        |b| {
            b.iter_batched(
                || copy_store(rt, &template_path),
                |(dir, store)| {
                    let created = rt.block_on(store.create_snapshot(&v2, &second)).unwrap();
                    assert_eq!(created.new_objects, 1);
                    (dir, store)
                },
                BatchSize::PerIteration,
            )
        },
    );
    let (_read_dir, reader) = copy_store(rt, &template_path);
    let first_id = v1.id();
    group.bench_function(format!("latest_whole_read_{k}k"), |b| {
        b.iter(|| {
            let read = rt.block_on(reader.get_snapshot(SnapshotKey::Id(&first_id)));
            assert_eq!(read.unwrap().unwrap().entries.len(), assets);
        })
    });
    group.bench_function(format!("latest_compared_one_changed_{k}k"), |b| {
        b.iter(|| {
            let compared =
                rt.block_on(reader.compare_snapshot(SnapshotKey::Id(&first_id), &v2.entries));
            assert_eq!(compared.unwrap().unwrap().added.len(), 1);
        })
    });
    group.bench_function(format!("store_part_one_changed_{k}k"), |b| {
        b.iter_batched(
            || copy_store(rt, &template_path),
            |(dir, store)| {
                let compared =
                    rt.block_on(store.compare_snapshot(SnapshotKey::Id(&first_id), &v2.entries));
                assert_eq!(compared.unwrap().unwrap().added.len(), 1);
                let created = rt.block_on(store.create_snapshot(&v2, &second)).unwrap();
                assert_eq!(created.new_objects, 1);
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    drop(template_dir);
}

fn snapshots(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    bundle_of(c, &rt, 10_000);
    bundle_of(c, &rt, 30_000);
}

criterion_group!(benches, snapshots);
criterion_main!(benches);
