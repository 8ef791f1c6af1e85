//! Benchmark: releases of a 10,000-asset bundle on the embedded store. Freezing and storing
//! the first snapshot; the next version after one asset changed (one new object); and the
//! diff of two 10,000-asset snapshots, in memory and read back from the store.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

/// The allocator the `flowgate` binary uses, so the figures are the ones users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use common::{frozen, load, snapshot, texts};
use criterion::{criterion_group, criterion_main, Criterion};
use flowgate_diff::diff_documents;
use flowgate_release::snapshot_documents;
use flowgate_store::{SnapshotKey, SqliteStore, Store};

fn release(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let texts = texts();
    let loaded = load(&texts);
    let first = frozen(&loaded);
    eprintln!("bundle: {} assets", first.entries.len());
    let mut changed_texts = texts.clone();
    let (_, text) = changed_texts
        .iter_mut()
        .find(|(p, _)| p.contains("template"))
        .unwrap();
    *text = text.replacen("subject: ", "subject: Fresh ", 1);
    let changed = load(&changed_texts);
    let second = frozen(&changed);

    let mut group = c.benchmark_group("release");
    group.sample_size(10);
    group.bench_function("freeze_10k_assets", |b| b.iter(|| frozen(&loaded)));
    group.bench_function("store_first_snapshot_10k_assets", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                runtime.block_on(async {
                    let store = SqliteStore::open(dir.path().join("store.db"))
                        .await
                        .unwrap();
                    let created = store
                        .create_snapshot(&snapshot(&first, "1.0.0"), &first.objects)
                        .await
                        .unwrap();
                    assert_eq!(created.new_objects as usize, first.objects.len());
                    store.close().await;
                });
                dir
            },
            criterion::BatchSize::PerIteration,
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let store = runtime.block_on(async {
        let store = SqliteStore::open(dir.path().join("store.db"))
            .await
            .unwrap();
        store
            .create_snapshot(&snapshot(&first, "1.0.0"), &first.objects)
            .await
            .unwrap();
        store
            .create_snapshot(&snapshot(&second, "2.0.0"), &second.objects)
            .await
            .unwrap();
        store
    });
    let mut version = 1;
    group.bench_function("next_snapshot_one_changed_asset", |b| {
        b.iter(|| {
            version += 1;
            runtime.block_on(async {
                // What `snapshot create` stores: only the objects the store lacks.
                let ids: Vec<_> = second.objects.iter().map(|o| o.id()).collect();
                let missing = store.missing_objects(&ids).await.unwrap();
                let objects: Vec<_> = second
                    .objects
                    .iter()
                    .filter(|o| missing.contains(&o.id()))
                    .cloned()
                    .collect();
                let created = store
                    .create_snapshot(&snapshot(&second, &format!("1.0.{version}")), &objects)
                    .await
                    .unwrap();
                assert!(created.new_objects <= 1);
            })
        })
    });
    group.bench_function("diff_two_10k_snapshots_in_memory", |b| {
        b.iter(|| diff_documents(&first.documents, &second.documents))
    });
    let (a, b2) = runtime.block_on(async {
        let a = store
            .get_snapshot(SnapshotKey::Version {
                bundle: "everything",
                version: "1.0.0",
            })
            .await
            .unwrap()
            .unwrap();
        let b2 = store
            .get_snapshot(SnapshotKey::Version {
                bundle: "everything",
                version: "2.0.0",
            })
            .await
            .unwrap()
            .unwrap();
        (a, b2)
    });
    group.bench_function("diff_two_10k_snapshots_from_store", |b| {
        b.iter(|| {
            runtime.block_on(async {
                let old = snapshot_documents(&store, &a).await.unwrap();
                let new = snapshot_documents(&store, &b2).await.unwrap();
                diff_documents(&old, &new)
            })
        })
    });
    group.finish();
}

criterion_group!(benches, release);
criterion_main!(benches);
