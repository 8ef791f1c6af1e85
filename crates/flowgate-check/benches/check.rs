//! Benchmark: `flowgate check` on a synthetic workspace of 10,000 workflows (plus a template
//! and a field each): loading from disk, then every rule; and the rules alone.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

/// The allocator the `flowgate` binary uses, so the figures are the ones users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use flowgate_check::{check, CheckConfig, CheckOptions};
use flowgate_load::{load_workspace, synthetic, Workspace};

fn check_10k(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flowgate.toml"), synthetic::CONFIG).unwrap();
    for (path, text) in synthetic::workspace(10_000, 42) {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let workspace = Workspace::open(dir.path()).unwrap();
    let config = CheckConfig::default();
    let environments: Vec<String> = vec!["dev".into(), "stage".into(), "prod".into()];
    let options = CheckOptions {
        environment: Some("prod"),
        environments: &environments,
        only: None,
    };
    let loaded = load_workspace(&workspace);
    assert!(!loaded.has_errors());
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function("rules_only_10k_workflows", |b| {
        b.iter(|| check(&loaded.model, &loaded.sources, &config, &options))
    });
    group.bench_function("load_and_check_10k_workflows", |b| {
        b.iter(|| {
            let loaded = load_workspace(&workspace);
            let report = check(&loaded.model, &loaded.sources, &config, &options);
            (loaded, report)
        })
    });
    group.finish();
}

criterion_group!(benches, check_10k);
criterion_main!(benches);
