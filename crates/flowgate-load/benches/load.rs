//! Benchmark: load and resolve a synthetic workspace of 10,000 workflows (plus a template
//! and a field each) from disk, as `flowgate validate` does.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

/// The allocator the `flowgate` binary uses, so the figures are the ones users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use flowgate_load::{load_workspace, synthetic, Workspace};

fn load_10k(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flowgate.toml"), synthetic::CONFIG).unwrap();
    for (path, text) in synthetic::workspace(10_000, 42) {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let workspace = Workspace::open(dir.path()).unwrap();
    let loaded = load_workspace(&workspace);
    assert!(
        loaded.diagnostics.is_empty(),
        "{:?}",
        loaded.diagnostics.first()
    );
    assert_eq!(loaded.model.assets().len(), 10_000 * 3 + 103);
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("load_resolve_10k_workflows", |b| {
        b.iter(|| load_workspace(&workspace))
    });
    group.finish();
}

criterion_group!(benches, load_10k);
criterion_main!(benches);
