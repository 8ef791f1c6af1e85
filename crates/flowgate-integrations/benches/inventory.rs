//! Risk, impact, map and docs over a synthetic landscape: 40 systems and 2,000 integrations
//! with couplings and shared entities (a large enterprise inventory is a few hundred).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use flowgate_integrations::risk::assess_all;
use flowgate_integrations::{docs, impact, map, Inventory, RiskConfig};
use flowgate_load::load_texts;
use std::fmt::Write as _;
use std::path::Path;

const SYSTEMS: usize = 40;
const FLOWS: usize = 2_000;
const HOOKS: [&str; 6] = [
    "rest",
    "message_queue",
    "event_observer",
    "cron",
    "file_exchange",
    "direct_database",
];
const ENTITIES: [&str; 8] = [
    "order", "invoice", "stock", "customer", "shipment", "payment", "price", "product",
];

fn landscape() -> Vec<(String, String)> {
    let mut texts = Vec::new();
    let mut systems =
        String::from("kind: System\nid: shop\ncategory: commerce\nowner: ecommerce\n");
    for s in 0..SYSTEMS {
        let _ = write!(
            systems,
            "---\nkind: System\nid: sys-{s}\ncategory: erp\nowner: team-{}\n",
            s % 7
        );
    }
    texts.push(("systems.yaml".to_owned(), systems));
    for i in 0..FLOWS {
        let other = format!("sys-{}", i % SYSTEMS);
        let (source, target, direction) = match i % 3 {
            0 => ("shop".to_owned(), other, "outbound"),
            1 => (other, "shop".to_owned(), "inbound"),
            _ => ("shop".to_owned(), other, "bidirectional"),
        };
        let entity = ENTITIES[i % ENTITIES.len()];
        let mut text = format!(
            "kind: Integration\nid: flow-{i}\nowner: team-{}\npurpose: Synthetic flow {i}.\nsource: {source}\ntarget: {target}\ndirection: {direction}\nhook: {}\ntrigger: {{ event: e{i}, timing: t }}\nentities:\n  - entity: {entity}\n    source_of_truth: {source}\n    conflict_rule: source wins\n    fields:\n      - {{ from: a.b, to: c.d, transform: round }}\nerrors: {{ retries: {{ max: 3 }}, alert: slack:x }}\n",
            i % 9,
            HOOKS[i % HOOKS.len()],
        );
        if i >= 10 {
            let _ = writeln!(text, "depends_on: [flow-{}, flow-{}]", i / 2, i - 7);
        }
        texts.push((format!("flows/flow-{i}.yaml"), text));
    }
    texts
}

fn bench(c: &mut Criterion) {
    let loaded = load_texts(Path::new("/bench"), &landscape());
    assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics.first());
    let inventory = Inventory::new(&loaded.model);
    assert_eq!(inventory.flows.len(), FLOWS);
    let config = RiskConfig::default();
    let risks = assess_all(&inventory, &config);
    let mut group = c.benchmark_group("integrations_2000");
    group.sample_size(10);
    group.bench_function("inventory", |b| b.iter(|| Inventory::new(&loaded.model)));
    group.bench_function("risk", |b| b.iter(|| assess_all(&inventory, &config)));
    group.bench_function("impact", |b| {
        b.iter(|| impact(&inventory, "flow-5").unwrap())
    });
    group.bench_function("map_svg", |b| {
        b.iter(|| map::svg(&inventory, &risks, "bench"))
    });
    group.bench_function("map_dot", |b| b.iter(|| map::dot(&inventory, &risks)));
    group.bench_function("docs", |b| {
        b.iter(|| docs::pages(&loaded.model, &inventory, &risks))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
