//! The post-release watch through the command line, on a copy of the bundled example and a
//! rehearsal store: lead-intake released to prod, events generated around the release
//! (`flowgate watch generate`), then `flowgate watch prod` at later times. A planted regression
//! fails at the checkpoints, is recorded, and pins prod; a normal week passes; the same watch
//! reads PostgreSQL and MariaDB; `--dry-run` records nothing; bad input is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::Workspace;
use serde_json::Value;

const DEV: &str = "2026-03-02T08:00:00Z";
const RELEASE: &str = "2026-03-03T09:00:00Z";
const AFTER_4H: &str = "2026-03-03T13:30:00Z";
const AFTER_25H: &str = "2026-03-04T10:00:00Z";

fn ok(ws: &Workspace, person: &str, now: &str, args: &[&str]) -> String {
    let (code, out, err) = ws.run_as(person, now, args);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    out
}

fn plan_of(out: &str) -> String {
    let line = out.lines().find(|l| l.starts_with("Plan ")).unwrap();
    line.split_whitespace().nth(1).unwrap().to_owned()
}

/// The example on a rehearsal store with lead-intake 1.0.0 in prod since [`RELEASE`].
fn released() -> Workspace {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&["store", "init", "--rehearsal"]);
    assert_eq!(code, 0, "{out}{err}");
    ok(
        &ws,
        "tom",
        DEV,
        &["snapshot", "create", "lead-intake", "--version", "1.0.0"],
    );
    ok(
        &ws,
        "tom",
        DEV,
        &["promote", "lead-intake@1.0.0", "--to", "dev"],
    );
    let (_, out, _) = ws.run_as("tom", DEV, &["plan", "lead-intake@1.0.0", "--to", "stage"]);
    let stage = plan_of(&out);
    ok(&ws, "mara", DEV, &["approve", &stage]);
    ok(&ws, "tom", DEV, &["apply", &stage]);
    let (_, out, _) = ws.run_as(
        "mara",
        RELEASE,
        &["plan", "lead-intake@1.0.0", "--to", "prod"],
    );
    let prod = plan_of(&out);
    ok(&ws, "mara", RELEASE, &["approve", &prod]);
    ok(&ws, "jonas", RELEASE, &["approve", &prod]);
    ok(&ws, "mara", RELEASE, &["apply", &prod]);
    ws
}

fn generate(ws: &Workspace, url: &str, table: &str, extra: &[&str]) {
    let mut args = vec![
        "watch",
        "generate",
        "--url",
        url,
        "--table",
        table,
        "--release-at",
        RELEASE,
        "--hours",
        "26h",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = ws.run(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("email_bounce"), "{out}");
}

fn watch_json(ws: &Workspace, now: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--format", "json", "watch", "prod"];
    args.extend_from_slice(extra);
    let (code, out, err) = ws.run_as("mara", now, &args);
    let value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, value)
}

fn kpi_verdict(evaluated: &Value, kpi: &str) -> String {
    evaluated["report"]["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == kpi)
        .map(|k| k["verdict"].as_str().unwrap().to_owned())
        .unwrap()
}

#[test]
fn a_planted_regression_fails_is_recorded_and_pins_prod() {
    let ws = released();
    generate(
        &ws,
        "sqlite://.flowgate/events.db",
        "events",
        &["--regression", "--scale", "2"],
    );

    let (code, out, err) = ws.run_as("mara", "2026-03-03T09:30:00Z", &["watch", "prod"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Nothing due in prod."), "{out}");
    assert!(
        out.contains("Next checkpoint in prod: 2026-03-03 10:00 UTC."),
        "{out}"
    );

    let (code, dry) = watch_json(&ws, AFTER_4H, &["--dry-run"]);
    assert_eq!(code, 1, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["evaluated"][0]["operation"], Value::Null);
    let (_, out, _) = ws.run(&["watch", "results", "prod"]);
    assert!(
        out.contains("No watch results recorded for prod yet"),
        "{out}"
    );

    let (code, run) = watch_json(&ws, AFTER_4H, &[]);
    assert_eq!(code, 1, "a failed KPI exits 1: {run}");
    crate::json_contracts::assert_valid("watch.schema.json", &run);
    crate::json_contracts::assert_valid("watch.schema.json", &dry);
    let evaluated = run["evaluated"].as_array().unwrap();
    let labels: Vec<&str> = evaluated
        .iter()
        .map(|e| e["checkpoint"]["checkpoint"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["1h", "4h"], "{run}");
    let four = &evaluated[1];
    assert_eq!(four["verdict"], "fail", "{four}");
    assert_eq!(kpi_verdict(four, "bounce-rate"), "fail");
    assert_eq!(kpi_verdict(four, "routing-latency"), "fail");
    assert_eq!(four["checkpoint"]["at"], "2026-03-03T13:00:00Z");
    assert_eq!(four["consequence"]["outcome"], "pinned", "{four}");
    assert!(
        four["consequence"]["instead_of_rollback"]
            .as_str()
            .unwrap()
            .contains("no earlier version"),
        "bounce-rate asks for a rollback; with nothing to go back to, prod is pinned: {four}"
    );
    assert_eq!(run["next"], "2026-03-04T09:00:00Z");

    let (_, status, _) = ws.run_as("mara", AFTER_4H, &["status"]);
    assert!(
        status.contains("pinned by mara")
            && status.contains("watch lead-intake-watch of lead-intake 1.0.0 failed at 4h"),
        "{status}"
    );
    let (_, log, _) = ws.run(&["log", "prod"]);
    assert_eq!(log.matches("watch.checkpoint").count(), 2, "{log}");
    let (_, results, _) = ws.run(&["watch", "results", "prod"]);
    assert!(
        results.lines().next().unwrap().contains("at 4h"),
        "newest first: {results}"
    );

    let (code, again) = watch_json(&ws, AFTER_4H, &[]);
    assert_eq!(code, 0, "each checkpoint is evaluated once: {again}");
    assert_eq!(again["evaluated"], Value::Array(vec![]));

    // The failed checkpoints are evidence for the incident's link to the release.
    let opened = ok(
        &ws,
        "mara",
        AFTER_4H,
        &[
            "--format",
            "json",
            "incident",
            "open",
            "--env",
            "prod",
            "--severity",
            "sev2",
            "--summary",
            "Bounces tripled",
            "--impact-start",
            "2026-03-03 10:00",
        ],
    );
    let opened: Value = serde_json::from_str(&opened).unwrap();
    let id = opened["incident"]["id"].as_str().unwrap();
    let proposals = ok(
        &ws,
        "mara",
        AFTER_4H,
        &["--format", "json", "incident", "link", id],
    );
    let proposals: Value = serde_json::from_str(&proposals).unwrap();
    let first = &proposals["proposals"][0];
    assert_eq!(first["release"], "LI-1.0.0", "{proposals}");
    let findings = first["watch_findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f
            .as_str()
            .unwrap()
            .starts_with("lead-intake-watch at 4h: fail")),
        "{proposals}"
    );
    let text = ok(&ws, "mara", AFTER_4H, &["incident", "link", id]);
    assert!(
        text.contains("[strong]") && text.contains("its watch did not pass"),
        "{text}"
    );
}

#[test]
fn a_normal_week_passes_and_holds_nothing() {
    let ws = released();
    generate(
        &ws,
        "sqlite://.flowgate/events.db",
        "events",
        &["--scale", "4", "--seed", "20"],
    );
    let (code, run) = watch_json(&ws, AFTER_25H, &[]);
    assert_eq!(code, 0, "{run}");
    let evaluated = run["evaluated"].as_array().unwrap();
    assert_eq!(evaluated.len(), 3, "1h, 4h and 24h are due: {run}");
    let day = &evaluated[2];
    assert_eq!(day["checkpoint"]["checkpoint"], "24h");
    assert_eq!(day["verdict"], "pass", "{day}");
    for e in evaluated {
        assert_ne!(e["verdict"], "fail", "{e}");
        assert_ne!(e["consequence"]["outcome"], "pinned", "{e}");
    }
    let (_, status, _) = ws.run_as("mara", AFTER_25H, &["status"]);
    assert!(!status.contains("pinned"), "{status}");
}

fn service(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The watch on a server database: the example's source and table rewritten, the events
/// written there, the 4h checkpoint judged.
fn regression_on(kind: &str, url: &str) {
    let ws = released();
    let table = format!("fg_watch_{}_{}", kind, std::process::id());
    let watch = "assets/watches/lead-intake.yaml";
    ws.edit(
        watch,
        "{ type: sqlite, path: .flowgate/events.db }",
        &format!("{{ type: {kind}, url: env:EVENTS_DB_URL }}"),
    );
    ws.edit(watch, "FROM events", &format!("FROM {table}"));
    let (code, out, err) = ws
        .command(&[
            "watch",
            "generate",
            "--url",
            "env:EVENTS_DB_URL",
            "--table",
            &table,
            "--release-at",
            RELEASE,
            "--hours",
            "5h",
            "--regression",
            "--scale",
            "2",
        ])
        .env("EVENTS_DB_URL", url)
        .output()
        .map(crate::common::finish)
        .unwrap();
    if code != 0 {
        assert!(
            std::env::var_os("CI").is_none(),
            "{kind} must be reachable under CI: {out}{err}"
        );
        eprintln!("skipping: {kind} unreachable: {err}");
        return;
    }
    let output = ws
        .command_as("mara", AFTER_4H, &["--format", "json", "watch", "prod"])
        .env("EVENTS_DB_URL", url)
        .output()
        .unwrap();
    let (code, out, err) = crate::common::finish(output);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        !out.contains(url) && !err.contains(url),
        "the URL is a secret"
    );
    let run: Value = serde_json::from_str(&out).unwrap();
    let four = &run["evaluated"][1];
    assert_eq!(four["checkpoint"]["checkpoint"], "4h");
    assert_eq!(kpi_verdict(four, "bounce-rate"), "fail", "{four}");
    assert_eq!(kpi_verdict(four, "routing-latency"), "fail", "{four}");
}

#[test]
fn the_watch_reads_postgres() {
    regression_on(
        "postgres",
        &service(
            "FLOWGATE_TEST_POSTGRES_URL",
            "postgres://postgres@127.0.0.1:5432/test",
        ),
    );
}

#[test]
fn the_watch_reads_mariadb() {
    regression_on(
        "mysql",
        &service(
            "FLOWGATE_TEST_MYSQL_URL",
            "mysql://root@127.0.0.1:3306/test",
        ),
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_recorded() {
    let ws = released();
    let (code, _, err) = ws.run_as("mara", AFTER_4H, &["watch", "qa"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("qa"), "{err}");
    let (code, _, err) = ws.run_as("mara", AFTER_4H, &["watch", "dev"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no watch covers dev"), "{err}");
    let (code, _, err) = ws.run_as("mara", AFTER_4H, &["watch", "prod", "--follow"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("FLOWGATE_NOW"), "{err}");
    let (code, _, err) = ws.run(&[
        "watch",
        "generate",
        "--url",
        "sqlite://x.db",
        "--release-at",
        "tomorrow",
    ]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = ws.run(&[
        "watch",
        "generate",
        "--url",
        "oracle://x",
        "--release-at",
        RELEASE,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("postgres://"), "{err}");
    let (code, _, err) = ws.run(&[
        "watch",
        "generate",
        "--url",
        "sqlite://x.db",
        "--table",
        "x; DROP",
        "--release-at",
        RELEASE,
    ]);
    assert_eq!(code, 2, "{err}");

    // No events table: every KPI is an error, recorded, exit 1, never a pass.
    let (code, run) = watch_json(&ws, AFTER_4H, &[]);
    assert_eq!(code, 1, "{run}");
    assert_eq!(run["evaluated"][0]["verdict"], "error", "{run}");
    assert_eq!(
        run["evaluated"][0]["consequence"]["outcome"], "held",
        "{run}"
    );
    let (_, log, _) = ws.run(&["log", "prod"]);
    assert_eq!(log.matches("watch.checkpoint").count(), 2, "{log}");
}

#[test]
fn follow_evaluates_each_checkpoint_as_it_falls_due_and_stops_after_the_last() {
    let ws = Workspace::new();
    ws.edit(
        "assets/watches/lead-intake.yaml",
        "environment: prod",
        "environment: dev",
    );
    ws.edit(
        "flowgate.toml",
        "[environments.dev.guardrails]",
        "[environments.dev.watch]\ncheckpoints = [\"1s\", \"2s\"]\n\n[environments.dev.guardrails]",
    );
    let run = |args: &[&str]| {
        let output = ws.command(args).output().unwrap();
        crate::common::finish(output)
    };
    let (code, out, err) = run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&["promote", "lead-intake@1.0.0", "--to", "dev"]);
    assert_eq!(code, 0, "{out}{err}");
    let started = std::time::Instant::now();
    let (code, out, err) = run(&["--format", "json", "watch", "dev", "--follow"]);
    assert_eq!(
        code, 1,
        "no events table: both checkpoints are errors: {out}{err}"
    );
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let labels: Vec<&str> = lines
        .iter()
        .map(|l| l["evaluated"]["checkpoint"]["checkpoint"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["1s", "2s"], "{out}");
    assert!(lines
        .iter()
        .all(|l| l["version"] == 1 && l["evaluated"]["verdict"] == "error"));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}
