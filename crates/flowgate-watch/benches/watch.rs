//! The judgement's hot path: Mann–Whitney with the Hodges–Lehmann shift on 100 000 samples
//! per side, Fisher's exact test on large tables, and a whole duration judgement.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use flowgate_watch::stats::{fisher_exact, mann_whitney, poisson_rate_test, Alternative};
use std::hint::black_box;

fn sample(n: usize, seed: u64, scale: f64) -> Vec<f64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let u = ((state >> 11) as f64 / (1u64 << 53) as f64).max(1e-12);
            (-u.ln() * scale * 1000.0).round() / 1000.0
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let x = sample(100_000, 1, 2.2);
    let y = sample(100_000, 2, 2.0);
    c.bench_function("mann_whitney_100k_vs_100k", |b| {
        b.iter(|| mann_whitney(black_box(&x), black_box(&y), Alternative::Greater))
    });
    c.bench_function("fisher_exact_60k_vs_240k", |b| {
        b.iter(|| {
            fisher_exact(
                black_box(1_300),
                60_000,
                black_box(4_800),
                240_000,
                Alternative::Greater,
            )
        })
    });
    c.bench_function("poisson_rate_test_5k_events", |b| {
        b.iter(|| {
            poisson_rate_test(
                black_box(1_200),
                24.0,
                black_box(4_100),
                96.0,
                Alternative::Greater,
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
