//! Benchmark: promotion of a 10,000-asset bundle on the embedded store. Rendering it for an
//! environment with guardrails; a plan against the version the environment holds (both
//! renderings, the diff and every gate); and an apply that writes the 10,000 files to a
//! directory target and moves the pointer.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use common::{frozen, load, snapshot, texts};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use flowgate_diagnostics::SourceText;
use flowgate_release::{render, Outcome, Policy, Promotions, Targets};
use flowgate_store::{AnyStore, SnapshotKey, SqliteStore, Store};
use std::collections::{BTreeMap, HashMap};

const CONFIG: &str = r#"
[workspace]
name = "bench"
[people.ops]
roles = ["marketing-ops"]
[environments.stage]
name_prefix = "STG — "
target = { type = "directory", path = "deploy/stage" }
[environments.stage.guardrails]
safe_mode = { seed_list = "internal-seed" }
webhook_redirect = "https://hooks.stage.example/capture"
throttle_per_minute = 10
daily_cap = 500
# The synthetic workspace is not written to pass the checklist.
[environments.stage.gates]
block_on = "off"
"#;

fn promotion(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let texts = texts();
    let first = frozen(&load(&texts));
    let mut changed_texts = texts.clone();
    let (_, text) = changed_texts
        .iter_mut()
        .find(|(p, _)| p.contains("template"))
        .unwrap();
    *text = text.replacen("subject: ", "subject: Fresh ", 1);
    let second = frozen(&load(&changed_texts));

    let dir = tempfile::tempdir().unwrap();
    let config = flowgate_load::parse_config(CONFIG).unwrap();
    let policy = Policy::from_config(
        &config,
        &SourceText::new("flowgate.toml", CONFIG),
        dir.path(),
    )
    .unwrap();
    let now = "2026-11-23T09:00:00Z".parse().unwrap();
    let (store, v1, v2) = runtime.block_on(async {
        let store = AnyStore::Sqlite(
            SqliteStore::open(dir.path().join("store.db"))
                .await
                .unwrap(),
        );
        let a = store
            .create_snapshot(&snapshot(&first, "1.0.0"), &first.objects)
            .await
            .unwrap();
        let b = store
            .create_snapshot(&snapshot(&second, "1.0.1"), &second.objects)
            .await
            .unwrap();
        let v1 = store
            .get_snapshot(SnapshotKey::Id(&a.id))
            .await
            .unwrap()
            .unwrap();
        let v2 = store
            .get_snapshot(SnapshotKey::Id(&b.id))
            .await
            .unwrap()
            .unwrap();
        let promotions = Promotions::new(&store, &policy, now);
        let plan = promotions.plan(&v1, "stage", Some("ops")).await.unwrap();
        assert!(matches!(
            promotions.apply(&plan.plan, "ops").await.unwrap(),
            Outcome::Done(_)
        ));
        (store, v1, v2)
    });
    let objects: BTreeMap<String, std::sync::Arc<[u8]>> = runtime.block_on(async {
        let ids: Vec<_> = v2.entries.iter().map(|e| e.object).collect();
        let by_id: HashMap<_, _> = store
            .get_objects(&ids)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.id(), std::sync::Arc::<[u8]>::from(o.into_bytes())))
            .collect();
        v2.entries
            .iter()
            .map(|e| (e.id.clone(), by_id[&e.object].clone()))
            .collect()
    });
    let stage = policy.environment("stage").unwrap();
    eprintln!("bundle: {} assets", v2.entries.len());

    let mut group = c.benchmark_group("promotion");
    group.sample_size(10);
    group.bench_function("render_10k_assets_with_guardrails", |b| {
        b.iter(|| render(&v2, &objects, stage).unwrap())
    });
    let rendered = render(&v2, &objects, stage).unwrap();
    let target = flowgate_release::DirectoryTargets
        .open(stage)
        .unwrap()
        .unwrap();
    group.bench_function("stage_10k_files_to_directory_target", |b| {
        b.iter(|| {
            let staged = target
                .stage("everything", &rendered, &serde_json::json!({}))
                .unwrap();
            target.discard(&staged);
        })
    });
    let promotions = Promotions::new(&store, &policy, now);
    group.bench_function("plan_10k_assets_against_held_version", |b| {
        b.iter(|| {
            runtime.block_on(async { promotions.plan(&v2, "stage", Some("ops")).await.unwrap() })
        })
    });
    group.bench_function("apply_10k_assets_to_directory_target", |b| {
        b.iter_batched(
            || {
                // Back to 1.0.0 (not measured), so that each apply moves the pointer.
                runtime.block_on(async {
                    promotions
                        .rollback("stage", "everything", Some("1.0.0"), "ops", "bench", true)
                        .await
                        .unwrap();
                    promotions
                        .set_pin("stage", false, "ops", "bench")
                        .await
                        .unwrap();
                    promotions.plan(&v2, "stage", Some("ops")).await.unwrap()
                })
            },
            |report| {
                runtime.block_on(async {
                    let outcome = promotions.apply(&report.plan, "ops").await.unwrap();
                    assert!(matches!(outcome, Outcome::Done(_)));
                })
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    let _ = &v1;
}

criterion_group!(benches, promotion);
criterion_main!(benches);
