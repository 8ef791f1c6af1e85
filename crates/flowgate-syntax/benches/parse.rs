//! Parsing and deserialization throughput on about 1 MB of generated assets.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flowgate_syntax::{from_node, parse_json, parse_yaml};

/// About `bytes` of JSON: an array of step-like objects.
fn json_input(bytes: usize) -> String {
    let mut out = String::from("[\n");
    let mut i = 0;
    while out.len() < bytes {
        if i > 0 {
            out.push_str(",\n");
        }
        write!(
            out,
            r#"  {{"id": "step-{i}", "type": "send_email", "to": ["user{i}@example.com", "ops@example.com"], "delay": {}, "ratio": 0.{i}, "enabled": true, "note": "line one\nline \"two\" \u00e9", "extra": null}}"#,
            i * 37
        )
        .unwrap();
        i += 1;
    }
    out.push_str("\n]\n");
    out
}

/// About `bytes` of YAML with the same content.
fn yaml_input(bytes: usize) -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.len() < bytes {
        write!(
            out,
            "- id: step-{i}\n  type: send_email\n  to:\n    - user{i}@example.com\n    - ops@example.com\n  delay: {}\n  ratio: 0.{i}\n  enabled: true\n  note: \"line one\\nline two é\"\n  extra:\n",
            i * 37
        )
        .unwrap();
        i += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let json = json_input(1 << 20);
    let yaml = yaml_input(1 << 20);
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("json_1mb", |b| b.iter(|| parse_json(black_box(&json))));
    // The same, without the time to free the tree.
    group.bench_function("json_1mb_without_drop", |b| {
        b.iter_with_large_drop(|| parse_json(black_box(&json)))
    });
    // Peer: serde_json into its own tree (no spans), on the same input.
    group.bench_function("serde_json_value_1mb", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json)).unwrap())
    });
    group.throughput(Throughput::Bytes(yaml.len() as u64));
    group.bench_function("yaml_1mb", |b| b.iter(|| parse_yaml(black_box(&yaml))));
    group.finish();

    let doc = parse_json(&json).docs.into_iter().next().unwrap();
    let mut group = c.benchmark_group("deserialize");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("json_1mb_to_serde_json_value", |b| {
        b.iter(|| from_node::<serde_json::Value>(black_box(&doc), &json, &[]).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
