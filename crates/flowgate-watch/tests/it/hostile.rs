//! Sources that misbehave: bad SQL, wrong columns, NULLs, negative counts, an unreachable
//! database, too little data. Each ends as a KPI verdict that is never a pass, with the KPI
//! and source named, what to do, and no secret in the text.

use crate::common::*;
use flowgate_watch::{evaluate, Report, Verdict};

async fn sqlite_report(setup: &str, query: &str, unit: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("e.sqlite").display()
    );
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(setup).execute(&pool).await.unwrap();
    pool.close().await;
    let yaml = format!(
        "kind: Watch\nid: w\nbundle: lead-intake\nsources:\n  events: {{ type: sqlite, path: e.sqlite }}\nkpis:\n  - {{ id: k, source: events, unit: {unit}, bad: up, query: \"{query}\" }}\n"
    );
    let watch = load_watch(&yaml);
    evaluate(
        "w",
        &watch,
        release_at(),
        checkpoint_at(),
        &context(dir.path(), &url),
    )
    .await
    .unwrap()
}

const TABLE: &str = "CREATE TABLE t (at TEXT, kind TEXT, value REAL); INSERT INTO t VALUES ('2026-03-02 10:00:00', 'x', NULL);";

#[track_caller]
fn error_of(report: &Report) -> (String, String) {
    let kpi = &report.kpis[0];
    assert_eq!(kpi.judgement.verdict, Verdict::Error, "{kpi:#?}");
    assert_ne!(report.verdict, Verdict::Pass);
    let e = kpi.error.clone().unwrap();
    assert_eq!((e.kpi.as_str(), e.source_name.as_str()), ("k", "events"));
    (e.message, e.help)
}

#[tokio::test]
async fn bad_sql_is_an_error_of_that_kpi() {
    let r = sqlite_report(
        TABLE,
        "SELECT COUNT(*) AS events FROM missing WHERE at >= :from AND at < :to",
        "count",
    )
    .await;
    let (message, help) = error_of(&r);
    assert!(message.contains("missing"), "{message}");
    assert!(help.contains("`events`"), "{help}");
}

#[tokio::test]
async fn wrong_columns_say_which_columns_are_needed() {
    let r = sqlite_report(
        TABLE,
        "SELECT COUNT(*) AS n FROM t WHERE at >= :from AND at < :to",
        "count",
    )
    .await;
    let (message, help) = error_of(&r);
    assert!(
        message.contains("events") || help.contains("`events`"),
        "{message} / {help}"
    );
    let r = sqlite_report(
        TABLE,
        "SELECT 1 AS events FROM t WHERE at >= :from AND at < :to",
        "rate",
    )
    .await;
    error_of(&r);
}

#[tokio::test]
async fn null_negative_fractional_and_impossible_figures_are_refused() {
    let cases = [
        (
            "SELECT SUM(value) AS events FROM t WHERE at >= :from AND at < :to",
            "count",
            "COALESCE",
        ),
        (
            "SELECT -3 AS events FROM t WHERE at >= :from AND at < :to",
            "count",
            "never negative",
        ),
        (
            "SELECT 2.5 AS events FROM t WHERE at >= :from AND at < :to",
            "count",
            "whole number",
        ),
        (
            "SELECT 5 AS events, 2 AS trials FROM t WHERE at >= :from AND at < :to",
            "rate",
            "part of its trials",
        ),
        (
            "SELECT value FROM t WHERE at >= :from AND at < :to",
            "duration",
            "IS NOT NULL",
        ),
        (
            "SELECT -1.0 AS value FROM t WHERE at >= :from AND at < :to",
            "duration",
            "non-negative",
        ),
        (
            "SELECT kind AS events FROM t WHERE at >= :from AND at < :to",
            "count",
            "not a number",
        ),
    ];
    for (query, unit, needle) in cases {
        let r = sqlite_report(TABLE, query, unit).await;
        let (message, help) = error_of(&r);
        assert!(
            format!("{message} {help}").contains(needle),
            "{query}: {message} / {help}"
        );
    }
    // More than one row for an aggregate.
    let r = sqlite_report(
        TABLE,
        "SELECT 1 AS events FROM t WHERE at >= :from AND at < :to UNION ALL SELECT 2",
        "count",
    )
    .await;
    assert!(error_of(&r).0.contains("2 rows"));
}

#[tokio::test]
async fn insufficient_data_is_never_a_pass() {
    let empty = "CREATE TABLE t (at TEXT, kind TEXT, value REAL);";
    for (query, unit) in [
        (
            "SELECT COUNT(*) AS events FROM t WHERE at >= :from AND at < :to",
            "count",
        ),
        (
            "SELECT COUNT(*) AS events, COUNT(*) AS trials FROM t WHERE at >= :from AND at < :to",
            "rate",
        ),
        (
            "SELECT value FROM t WHERE at >= :from AND at < :to",
            "duration",
        ),
    ] {
        let r = sqlite_report(empty, query, unit).await;
        assert_eq!(r.kpis[0].judgement.verdict, Verdict::Insufficient, "{unit}");
        assert_eq!(r.verdict, Verdict::Insufficient);
        assert_eq!(r.action, flowgate_watch::Action::Hold);
        assert!(
            r.kpis[0].judgement.reason.contains("needs")
                || r.kpis[0].judgement.reason.contains("needed")
        );
    }
}

#[tokio::test]
async fn an_unreachable_database_is_an_error_without_the_password() {
    let yaml = lead_intake_yaml("{ type: postgres, url: env:EVENTS_DB_URL }", "t");
    let watch = load_watch(&yaml);
    let url = "postgres://app:hunter2secret@127.0.0.1:1/events";
    let ctx = context(std::path::Path::new("/"), url);
    let r = evaluate("w", &watch, release_at(), checkpoint_at(), &ctx)
        .await
        .unwrap();
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("hunter2secret"), "{json}");
    assert!(r.kpis.iter().all(|k| k.judgement.verdict == Verdict::Error));
    let (message, help) = (
        r.kpis[0].error.as_ref().unwrap().message.clone(),
        r.kpis[0].error.as_ref().unwrap().help.clone(),
    );
    assert!(
        message.contains("cannot connect") && help.contains("reachable"),
        "{message} {help}"
    );
    // An unset secret says which variable to set.
    let ctx = flowgate_watch::SourceContext {
        workspace_root: "/".into(),
        secrets: Box::new(|_| None),
    };
    let r = evaluate("w", &watch, release_at(), checkpoint_at(), &ctx)
        .await
        .unwrap();
    assert!(r.kpis[0]
        .error
        .as_ref()
        .unwrap()
        .help
        .contains("EVENTS_DB_URL"));
}

#[tokio::test]
async fn an_empty_window_is_refused() {
    let watch = load_watch(&lead_intake_yaml("{ type: sqlite, path: e.sqlite }", "t"));
    let ctx = context(std::path::Path::new("/"), "");
    let e = evaluate("w", &watch, checkpoint_at(), release_at(), &ctx)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not after the release"));
}

#[tokio::test]
async fn csv_and_jsonl_sources_are_read_once_for_every_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan =
        flowgate_watch::generate::Plan::around_release(7, release_at(), checkpoint_at(), 2);
    plan.scale = 4.0;
    plan.regression = Some(flowgate_watch::generate::Regression::TYPICAL);
    let events = flowgate_watch::generate::events(&plan);
    let mut csv = String::from("at,kind,value\n");
    let mut jsonl = String::new();
    for e in &events {
        let v = e.value.map(|v| v.to_string()).unwrap_or_default();
        csv.push_str(&format!(
            "{},{},{v}\n",
            e.at.format("%Y-%m-%d %H:%M:%S"),
            e.kind
        ));
        let value = e.value.map_or("null".to_owned(), |v| v.to_string());
        jsonl.push_str(&format!(
            "{{\"ts\":\"{}\",\"kind\":\"{}\",\"secs\":{value}}}\n",
            e.at.to_rfc3339(),
            e.kind
        ));
    }
    std::fs::write(dir.path().join("e.csv"), csv).unwrap();
    std::fs::write(dir.path().join("e.jsonl"), jsonl).unwrap();
    let yaml = "kind: Watch\nid: w\nenvironment: prod\ncompare: { weeks: 2 }\nsources:\n  c: { type: csv, path: e.csv, time_field: at }\n  j: { type: jsonl, path: e.jsonl, time_field: ts }\nkpis:\n  - { id: bounces, source: c, unit: rate, bad: up, query: kind = email_bounce, denominator: kind = email_send }\n  - { id: latency, source: j, unit: duration, bad: up, query: kind = lead_routed, value: secs }\n  - { id: stops, source: j, unit: count, bad: up, query: kind = sms_stop }\n";
    let watch = load_watch(yaml);
    let r = evaluate(
        "w",
        &watch,
        release_at(),
        checkpoint_at(),
        &context(dir.path(), ""),
    )
    .await
    .unwrap();
    let v: Vec<Verdict> = r.kpis.iter().map(|k| k.judgement.verdict).collect();
    assert_eq!(v, [Verdict::Fail, Verdict::Fail, Verdict::Pass], "{r:#?}");
}
