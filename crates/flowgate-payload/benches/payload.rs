//! Inference throughput on 16 MB of generated order payloads.
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn capture() -> Vec<u8> {
    let mut out = Vec::new();
    let mut n = 0u64;
    while out.len() < 16 << 20 {
        n += 1;
        out.extend_from_slice(
            format!(
                r#"{{"entity_id":{n},"status":"{}","created_at":"2026-03-03T10:00:00Z","customer":{{"email":"c{}@example.com"}},"grand_total":{}.5,"items":[{{"sku":"SKU-{}","qty":2}}],"coupon_code":null}}"#,
                ["pending", "complete"][(n % 2) as usize],
                n % 1000,
                n % 5000,
                n % 500
            )
            .as_bytes(),
        );
        out.push(b'\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let data = capture();
    let mut group = c.benchmark_group("payload");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.bench_function("infer 16 MB of orders", |b| {
        b.iter(|| flowgate_payload::infer_reader(data.as_slice(), "bench").unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
