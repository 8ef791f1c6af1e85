//! Benchmark: `flowgate snapshot create` on a workspace whose bundle holds 30,000 assets, after
//! one asset file changed since the latest snapshot (the whole command, as a user runs it:
//! process start, loading and checking the workspace, freezing the bundle, the embedded
//! SQLite store).
//!
//! The workspace is `flowgate_load::synthetic::bundle_workspace(30_000, 42)`: ten kinds of
//! asset, one file of about 1 KB each, referencing each other. Its first snapshot is taken
//! once, outside the timing; each iteration then edits one workflow's description (outside
//! the timing) and freezes the next patch version.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use flowgate_load::synthetic::{bundle_workspace, workflow_path, BUNDLE, BUNDLE_CONFIG};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const ASSETS: usize = 30_000;

fn write_workspace(root: &Path) {
    std::fs::write(root.join("flowgate.toml"), BUNDLE_CONFIG).unwrap();
    for (path, text) in bundle_workspace(ASSETS, 42) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Runs `flowgate snapshot create` for `version` and checks how many new objects it stored.
fn snapshot_create(root: &Path, version: &str, new_objects: usize) {
    let output = Command::new(env!("CARGO_BIN_EXE_flowgate"))
        .arg("-C")
        .arg(root)
        .args([
            "--format",
            "json",
            "snapshot",
            "create",
            BUNDLE,
            "--version",
            version,
        ])
        .env("FLOWGATE_USER", "bench")
        .env_remove("FLOWGATE_STORE")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(shown["new_objects"], new_objects, "{shown}");
}

/// Gives one workflow a new description (a change a snapshot records).
fn change_one_file(root: &Path, revision: u32) {
    let path = root.join(workflow_path(ASSETS / 20));
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, tail) = text.split_once("\ndescription: ").unwrap();
    let (_, rest) = tail.split_once('\n').unwrap();
    let text = format!("{head}\ndescription: Welcome series, revision {revision}.\n{rest}");
    std::fs::write(&path, text).unwrap();
}

fn snapshot(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_workspace(root);
    snapshot_create(root, "1.0.0", ASSETS + 7);
    let mut revision = 0;
    let mut group = c.benchmark_group("cli");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("snapshot_create_one_changed_30k", |b| {
        b.iter_batched(
            || {
                revision += 1;
                change_one_file(root, revision);
                format!("1.0.{revision}")
            },
            |version| snapshot_create(root, &version, 1),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, snapshot);
criterion_main!(benches);
