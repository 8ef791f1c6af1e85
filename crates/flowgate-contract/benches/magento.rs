//! The Magento admin REST schemas 2.4.6 → 2.4.7 (Swagger 2.0, about 1 MB of YAML each):
//! parsing both, comparing parsed documents, and the whole read-parse-compare.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use flowgate_contract::{diff, diff_files, parse};
use flowgate_diagnostics::SourceText;

fn schema(version: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/magento/openapi")
        .join(format!("admin-schema-{version}.yaml"))
}

fn magento(c: &mut Criterion) {
    let (old_path, new_path) = (schema("2.4.6"), schema("2.4.7"));
    let old_text = std::fs::read_to_string(&old_path).unwrap();
    let new_text = std::fs::read_to_string(&new_path).unwrap();
    let mut group = c.benchmark_group("magento 2.4.6 → 2.4.7");
    group.sample_size(20);
    group.bench_function("parse one schema", |b| {
        b.iter(|| parse(SourceText::new("old.yaml", black_box(old_text.as_str()))).unwrap())
    });
    let old = parse(SourceText::new("old.yaml", old_text.as_str())).unwrap();
    let new = parse(SourceText::new("new.yaml", new_text.as_str())).unwrap();
    group.bench_function("compare parsed", |b| {
        b.iter(|| diff(black_box(&old), black_box(&new)).unwrap())
    });
    group.bench_function("read, parse and compare", |b| {
        b.iter(|| diff_files((&old_path, "old.yaml"), (&new_path, "new.yaml")).unwrap())
    });
    group.finish();
}

criterion_group!(benches, magento);
criterion_main!(benches);
