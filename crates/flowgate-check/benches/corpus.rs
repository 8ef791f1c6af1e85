//! Benchmark: load + check the real platform corpora (../shared/corpus), files read from disk
//! on every iteration: the 53 Salesforce flows (compare with the peer, Lightning Flow Scanner,
//! timed by `bench/lfs-peer/run.sh` on the same files) and every n8n workflow file.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

/// The allocator the `flowgate` binary uses, so the figures are the ones users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use flowgate_check::{check, CheckConfig, CheckOptions};
use flowgate_load::load_platform_texts;
use flowgate_model::flow::Dialect;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn files(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, suffix, out);
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
}

/// Read every file, import it, run every rule; returns the number of findings.
fn load_and_check(root: &Path, paths: &[PathBuf], dialect: Dialect) -> usize {
    let texts: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            Some((
                p.strip_prefix(root).unwrap().to_string_lossy().into_owned(),
                text,
            ))
        })
        .collect();
    let loaded = load_platform_texts(root, dialect, &texts);
    let config = CheckConfig::default();
    let report = check(
        &loaded.model,
        &loaded.sources,
        &config,
        &CheckOptions::default(),
    );
    report.diagnostics.len()
}

fn corpus(c: &mut Criterion) {
    let mut group = c.benchmark_group("corpus");
    group.sample_size(20);
    for (name, dir, suffix, dialect) in [
        (
            "salesforce_53_flows",
            "salesforce-flows",
            ".flow-meta.xml",
            Dialect::Salesforce,
        ),
        ("n8n_all_files", "n8n", ".json", Dialect::N8n),
    ] {
        let root = Path::new(CORPUS).join(dir);
        let mut paths = Vec::new();
        files(&root, suffix, &mut paths);
        paths.sort();
        assert!(!paths.is_empty(), "corpus missing: {}", root.display());
        group.bench_function(format!("{name}_{}", paths.len()), |b| {
            b.iter(|| load_and_check(&root, &paths, dialect))
        });
    }
    group.finish();
}

criterion_group!(benches, corpus);
criterion_main!(benches);
