//! The acme lead-intake watch against generated data in PostgreSQL, MariaDB and SQLite: a
//! normal week passes, a regression planted after the release (bounce rate ×3, routing
//! latency ×2) fails those two KPIs, and the three databases judge alike.

use crate::common::*;
use flowgate_watch::generate::{self, Plan, Regression};
use flowgate_watch::{evaluate, Action, Report, Verdict};
use std::path::Path;

const SEED: u64 = 20;

fn plan(regression: Option<Regression>) -> Plan {
    let mut plan = Plan::around_release(SEED, release_at(), checkpoint_at(), 4);
    plan.scale = 4.0;
    plan.regression = regression;
    plan
}

async fn run(root: &Path, source: &str, url: &str, table: &str) -> Report {
    let watch = load_watch(&lead_intake_yaml(source, table));
    evaluate(
        "lead-intake-watch",
        &watch,
        release_at(),
        checkpoint_at(),
        &context(root, url),
    )
    .await
    .unwrap()
}

fn verdicts(report: &Report) -> Vec<(String, Verdict)> {
    report
        .kpis
        .iter()
        .map(|k| (k.id.clone(), k.judgement.verdict))
        .collect()
}

/// Write both scenarios into `url` and judge them; returns (normal, regressed).
async fn scenario(root: &Path, source: &str, url: &str, prefix: &str) -> (Report, Report) {
    let normal = format!("{prefix}_normal");
    let regressed = format!("{prefix}_regressed");
    generate::write(url, &normal, &generate::events(&plan(None)))
        .await
        .unwrap();
    generate::write(
        url,
        &regressed,
        &generate::events(&plan(Some(Regression::TYPICAL))),
    )
    .await
    .unwrap();
    let a = run(root, source, url, &normal).await;
    let b = run(root, source, url, &regressed).await;
    (a, b)
}

#[track_caller]
fn check(normal: &Report, regressed: &Report) {
    let json = serde_json::to_string_pretty(normal).unwrap();
    assert_eq!(normal.verdict, Verdict::Pass, "{json}");
    assert_eq!(normal.action, Action::None);
    let json = serde_json::to_string_pretty(regressed).unwrap();
    let v = verdicts(regressed);
    let of = |id: &str| v.iter().find(|(k, _)| k == id).unwrap().1;
    assert_eq!(of("bounce-rate"), Verdict::Fail, "{json}");
    assert_eq!(of("routing-latency"), Verdict::Fail, "{json}");
    for quiet in [
        "spam-complaints",
        "sms-carrier-rejections",
        "stop-replies",
        "lead-to-mql",
    ] {
        assert_ne!(
            of(quiet),
            Verdict::Fail,
            "{quiet} was not regressed: {json}"
        );
    }
    assert_eq!(regressed.verdict, Verdict::Fail);
    assert_eq!(
        regressed.action,
        Action::Rollback,
        "bounce-rate has on_fail: rollback"
    );
    assert_eq!(regressed.version, 1);
    assert!(
        json.contains("\"name\": \"fisher_exact\"") && json.contains("\"name\": \"mann_whitney\"")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_normal_week_passes_and_regression_fails() {
    let url = postgres_url();
    if !reachable("PostgreSQL", &url, "postgres scenario").await {
        return;
    }
    let (normal, regressed) = scenario(
        Path::new("/"),
        "{ type: postgres, url: env:EVENTS_DB_URL }",
        &url,
        "fg_watch_pg",
    )
    .await;
    check(&normal, &regressed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_normal_week_passes_and_regression_fails() {
    let url = mysql_url();
    if !reachable("MariaDB", &url, "mariadb scenario").await {
        return;
    }
    let (normal, regressed) = scenario(
        Path::new("/"),
        "{ type: mysql, url: env:EVENTS_DB_URL }",
        &url,
        "fg_watch_my",
    )
    .await;
    check(&normal, &regressed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_normal_week_passes_and_regression_fails_and_all_databases_agree() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("events.sqlite").display());
    let (normal, regressed) = scenario(
        dir.path(),
        "{ type: sqlite, path: events.sqlite }",
        &url,
        "fg_watch_lite",
    )
    .await;
    check(&normal, &regressed);
    // The same events give the same judgement whatever the database.
    let pg = postgres_url();
    if reachable("PostgreSQL", &pg, "cross-database agreement").await {
        let (pg_normal, pg_regressed) = scenario(
            Path::new("/"),
            "{ type: postgres, url: env:EVENTS_DB_URL }",
            &pg,
            "fg_watch_agree",
        )
        .await;
        assert_eq!(pg_normal.kpis, normal.kpis);
        assert_eq!(pg_regressed.kpis, regressed.kpis);
    }
}

#[test]
fn the_generator_is_deterministic_and_seasonal() {
    let a = generate::events(&plan(None));
    assert_eq!(a, generate::events(&plan(None)));
    let mut other = plan(None);
    other.seed += 1;
    assert_ne!(a, generate::events(&other));
    let hour = |h: u32| {
        a.iter()
            .filter(|e| chrono::Timelike::hour(&e.at) == h && e.kind == "email_send")
            .count()
    };
    assert!(
        hour(10) > 5 * hour(3),
        "business hours are busier than nights"
    );
}
