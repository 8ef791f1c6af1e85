//! Watch checkpoints against a real store and a pinned clock: which checkpoints are due, each
//! recorded once; a held result blocks the next promotion until a later checkpoint passes; a
//! failure pins the environment or rolls the bundle back; the soak can require passed
//! checkpoints; bad checkpoint configuration is located.

use super::promotion::{at, gate, policy_from, release, runtime, World, ENVIRONMENTS, PEOPLE};
use flowgate_diagnostics::SourceText;
use flowgate_release::{
    env_ref, CheckpointResult, Consequence, DueCheckpoint, Policy, WatchAction, WatchScope,
};
use flowgate_store::{OperationFilter, OperationKind, SnapshotKey, Store};
use serde_json::json;

const STAGE_WATCH: &str = r#"
[environments.stage.watch]
checkpoints = ["4h", "1h", "24h"]
"#;

async fn world() -> World {
    let environments = ENVIRONMENTS.replace(
        "soak = \"24h\"",
        "soak = \"24h\"\nsoak_requires_watch = true",
    );
    World::new(&format!("{PEOPLE}{environments}{STAGE_WATCH}")).await
}

fn scope() -> Vec<WatchScope> {
    vec![WatchScope {
        watch: "lead-intake-watch".to_owned(),
        bundle: Some("lead-intake".to_owned()),
    }]
}

fn result(due: &DueCheckpoint, verdict: &str, action: WatchAction) -> CheckpointResult {
    CheckpointResult {
        due: due.clone(),
        verdict: verdict.to_owned(),
        action,
        summary: format!("bounce-rate {verdict}"),
        report: json!({ "version": 1, "verdict": verdict }),
    }
}

async fn due(world: &World, env: &str) -> Vec<DueCheckpoint> {
    world
        .promotions()
        .checkpoints(env, &scope())
        .await
        .unwrap()
        .0
}

/// The version of lead-intake `env` holds.
async fn holds(world: &World, env: &str) -> String {
    let record = world
        .store
        .get_ref(&env_ref(env, "lead-intake"))
        .await
        .unwrap()
        .unwrap();
    world
        .store
        .get_snapshot(SnapshotKey::Id(&record.target))
        .await
        .unwrap()
        .unwrap()
        .version
}

/// Records a pass for every checkpoint due in `env`.
async fn pass_everything_due(world: &World, env: &str) {
    for checkpoint in due(world, env).await {
        world
            .promotions()
            .record_checkpoint(&result(&checkpoint, "pass", WatchAction::None), "mara")
            .await
            .unwrap();
    }
}

#[test]
fn checkpoints_fall_due_in_order_and_each_is_recorded_once() {
    runtime().block_on(async {
        let world = world().await;
        let v1 = release(&world, "1.0.0", "Hi").await;
        world.promote(&v1, "dev", &[], "tom").await;
        world.promote(&v1, "stage", &[], "tom").await; // 09:00
        world.set_now("2026-11-23T09:30:00Z");
        let (now_due, next) = world
            .promotions()
            .checkpoints("stage", &scope())
            .await
            .unwrap();
        assert!(now_due.is_empty(), "{now_due:?}");
        assert_eq!(next, Some(at("2026-11-23T10:00:00Z")));

        world.set_now("2026-11-23T13:30:00Z");
        let listed = due(&world, "stage").await;
        let labels: Vec<&str> = listed.iter().map(|d| d.checkpoint.as_str()).collect();
        assert_eq!(labels, ["1h", "4h"], "sorted by time, not as written");
        assert_eq!(listed[0].at, at("2026-11-23T10:00:00Z"));
        assert_eq!(listed[0].release_at, at("2026-11-23T09:00:00Z"));
        assert_eq!(listed[0].version, "1.0.0");

        let (seq, consequence) = world
            .promotions()
            .record_checkpoint(&result(&listed[0], "pass", WatchAction::None), "mara")
            .await
            .unwrap();
        assert_eq!(consequence, Consequence::Recorded);
        let labels: Vec<String> = due(&world, "stage")
            .await
            .into_iter()
            .map(|d| d.checkpoint)
            .collect();
        assert_eq!(labels, ["4h"], "the recorded checkpoint is not due again");
        let op = world
            .store
            .operations(&OperationFilter {
                kind: Some(OperationKind::WatchCheckpoint),
                ..OperationFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(op.len(), 1);
        assert_eq!(op[0].seq, seq);
        assert_eq!(op[0].actor, "mara");
        assert_eq!(op[0].payload["checkpoint"], "1h");
        assert_eq!(op[0].payload["report"]["verdict"], "pass");
        let dev: Vec<String> = due(&world, "dev")
            .await
            .into_iter()
            .map(|d| d.checkpoint)
            .collect();
        assert_eq!(dev, ["1h", "4h"], "dev keeps the default checkpoints");
    });
}

#[test]
fn a_held_result_blocks_the_next_promotion_until_a_later_checkpoint_passes() {
    runtime().block_on(async {
        let world = world().await;
        let v1 = release(&world, "1.0.0", "Hi").await;
        world.promote(&v1, "dev", &[], "tom").await;
        world.promote(&v1, "stage", &[], "tom").await;
        world.set_now("2026-11-23T10:05:00Z");
        let first = due(&world, "stage").await.remove(0);
        let (_, consequence) = world
            .promotions()
            .record_checkpoint(&result(&first, "marginal", WatchAction::Hold), "mara")
            .await
            .unwrap();
        assert_eq!(consequence, Consequence::Held);
        let report = world.plan(&v1, "prod", Some("mara")).await;
        let watch = gate(&report, "watch");
        assert!(!watch.passed);
        assert!(
            watch
                .reason
                .contains("watch lead-intake-watch in stage ended marginal at the 1h checkpoint"),
            "{}",
            watch.reason
        );

        world.set_now("2026-11-23T13:05:00Z");
        let later = due(&world, "stage").await.remove(0);
        assert_eq!(later.checkpoint, "4h");
        world
            .promotions()
            .record_checkpoint(&result(&later, "pass", WatchAction::None), "mara")
            .await
            .unwrap();
        let report = world.plan(&v1, "prod", Some("mara")).await;
        assert!(
            gate(&report, "watch").passed,
            "{:?}",
            gate(&report, "watch")
        );
        let soak = gate(&report, "soak");
        assert!(!soak.passed, "the soak time has not run yet: {soak:?}");
    });
}

#[test]
fn a_failure_pins_the_environment_and_a_rollback_kpi_rolls_the_bundle_back() {
    runtime().block_on(async {
        let world = world().await;
        let v1 = release(&world, "1.0.0", "Hi").await;
        let v2 = release(&world, "1.1.0", "Hello").await;
        world.promote(&v1, "dev", &[], "tom").await;
        world.set_now("2026-11-23T10:00:00Z");
        world.promote(&v2, "dev", &[], "tom").await;
        world.set_now("2026-11-23T11:30:00Z");
        let first = due(&world, "dev").await;
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0].version, "1.1.0");
        let (_, consequence) = world
            .promotions()
            .record_checkpoint(&result(&first[0], "fail", WatchAction::Rollback), "tom")
            .await
            .unwrap();
        let Consequence::RolledBack {
            seq: Some(_),
            unchanged: None,
        } = consequence
        else {
            panic!("{consequence:?}");
        };
        assert_eq!(holds(&world, "dev").await, "1.0.0");
        let pin = world.promotions().pin("dev").await.unwrap().unwrap();
        assert!(
            pin.reason
                .contains("watch lead-intake-watch of lead-intake 1.1.0 failed at 1h"),
            "{pin:?}"
        );
        let report = world.plan(&v2, "stage", Some("tom")).await;
        assert!(
            !gate(&report, "watch").passed,
            "a failed version goes nowhere"
        );

        world.promote(&v1, "stage", &[], "tom").await;
        world.set_now("2026-11-23T12:45:00Z");
        let stage = due(&world, "stage").await.remove(0);
        let (_, consequence) = world
            .promotions()
            .record_checkpoint(&result(&stage, "fail", WatchAction::Pin), "tom")
            .await
            .unwrap();
        assert!(
            matches!(consequence, Consequence::Pinned { seq: Some(_), .. }),
            "{consequence:?}"
        );
        assert!(world.promotions().pin("stage").await.unwrap().is_some());
        assert_eq!(holds(&world, "stage").await, "1.0.0", "a pin moves nothing");
    });
}

#[test]
fn an_action_the_actor_may_not_take_is_refused_and_the_result_kept() {
    runtime().block_on(async {
        let world = world().await;
        let v1 = release(&world, "1.0.0", "Hi").await;
        world.promote(&v1, "dev", &[], "tom").await;
        world.promote(&v1, "stage", &[], "tom").await;
        world.set_now("2026-11-24T10:00:00Z");
        pass_everything_due(&world, "stage").await;
        world.promote(&v1, "prod", &["mara", "jonas"], "mara").await;
        world.set_now("2026-11-24T11:00:00Z");
        let prod = due(&world, "prod").await.remove(0);
        let (_, consequence) = world
            .promotions()
            .record_checkpoint(&result(&prod, "fail", WatchAction::Pin), "tom")
            .await
            .unwrap();
        let Consequence::Refused { reason } = consequence else {
            panic!("{consequence:?}");
        };
        assert!(reason.contains("tom"), "{reason}");
        assert!(world.promotions().pin("prod").await.unwrap().is_none());
        let recorded = world.promotions().checkpoint_results(None).await.unwrap();
        assert_eq!(recorded.last().map(|r| r.verdict.as_str()), Some("fail"));
    });
}

#[test]
fn the_soak_can_require_the_source_environments_checkpoints_to_pass() {
    runtime().block_on(async {
        let world = world().await;
        let v1 = release(&world, "1.0.0", "Hi").await;
        world.promote(&v1, "dev", &[], "tom").await;
        world.promote(&v1, "stage", &[], "tom").await; // 09:00
        world.set_now("2026-11-24T09:30:00Z");
        let report = world.plan(&v1, "prod", Some("mara")).await;
        let soak = gate(&report, "soak");
        assert!(!soak.passed);
        assert!(
            soak.reason
                .contains("has not passed the watch in stage at 1h, 4h, 24h"),
            "{}",
            soak.reason
        );
        for checkpoint in due(&world, "stage").await {
            let verdict = if checkpoint.checkpoint == "24h" {
                "insufficient"
            } else {
                "pass"
            };
            let action = if verdict == "pass" {
                WatchAction::None
            } else {
                WatchAction::Hold
            };
            world
                .promotions()
                .record_checkpoint(&result(&checkpoint, verdict, action), "mara")
                .await
                .unwrap();
        }
        let report = world.plan(&v1, "prod", Some("mara")).await;
        let soak = gate(&report, "soak");
        assert!(
            soak.reason.contains("at 24h (needed: 1h, 4h, 24h)"),
            "{}",
            soak.reason
        );
        assert!(
            !gate(&report, "watch").passed,
            "insufficient data never passes"
        );
    });
}

#[test]
fn the_soak_passes_once_every_checkpoint_within_it_passed() {
    runtime().block_on(async {
        let world = world().await;
        let v1 = release(&world, "1.0.0", "Hi").await;
        world.promote(&v1, "dev", &[], "tom").await;
        world.promote(&v1, "stage", &[], "tom").await;
        world.set_now("2026-11-24T09:30:00Z");
        pass_everything_due(&world, "stage").await;
        let report = world.plan(&v1, "prod", Some("mara")).await;
        let soak = gate(&report, "soak");
        assert!(soak.passed, "{soak:?}");
        assert!(
            soak.reason
                .contains("its watch passed there at 1h, 4h, 24h"),
            "{}",
            soak.reason
        );
    });
}

fn policy_error(text: &str) -> String {
    let config = flowgate_load::parse_config(text).unwrap();
    let source = SourceText::new("flowgate.toml", text);
    let problems = Policy::from_config(&config, &source, std::path::Path::new("/tmp")).unwrap_err();
    problems
        .iter()
        .map(|d| {
            let line = d.location.as_ref().map_or(0, |l| l.start.line);
            format!(
                "{line}: {} ({})",
                d.message,
                d.help.clone().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn checkpoints_that_are_not_durations_are_located_errors_and_defaults_apply_otherwise() {
    let text = format!("{PEOPLE}[environments.dev]\n[environments.dev.watch]\ncheckpoints = [\"1h\", \"soon\", \"0m\", \"1h\"]\n");
    let problems = policy_error(&text);
    assert!(
        problems.contains("checkpoint `soon` of environment `dev` is not a duration"),
        "{problems}"
    );
    assert!(problems.contains("checkpoint `0m`"), "{problems}");
    assert!(problems.contains("listed twice"), "{problems}");
    let policy = policy_from(
        &format!("{PEOPLE}[environments.dev]\n"),
        std::path::Path::new("/tmp"),
    );
    let labels: Vec<&str> = policy.environments[0]
        .watch_checkpoints
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(labels, ["1h", "4h", "24h", "72h"]);
}
