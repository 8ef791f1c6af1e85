//! Incidents through the command line on a copy of the bundled example and a rehearsal store:
//! a release to dev, an incident opened against it, the release proposed and linked, the
//! rollback-first time box, an overdue action blocking the next promotion, the post-mortem,
//! the delivery metrics (human, JSON, Prometheus), and bad input refused with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::Workspace;
use serde_json::Value;

const MONDAY: &str = "2026-11-23T09:00:00Z";
const MONDAY_NOON: &str = "2026-11-23T12:00:00Z";
const MONDAY_LATE: &str = "2026-11-23T12:45:00Z";
const NEXT_MONTH: &str = "2026-12-20T09:00:00Z";

fn rehearsal() -> Workspace {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&["store", "init", "--rehearsal"]);
    assert_eq!(code, 0, "{out}{err}");
    ws
}

fn ok(ws: &Workspace, now: &str, args: &[&str]) -> String {
    let (code, out, err) = ws.run_as("tom", now, args);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    out
}

fn json(ws: &Workspace, now: &str, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = ok(ws, now, &all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn log_len(ws: &Workspace) -> usize {
    let (_, out, _) = ws.run(&["--format", "json", "log"]);
    let log: Value = serde_json::from_str(&out).unwrap();
    log["operations"].as_array().unwrap().len()
}

#[test]
fn an_incident_after_a_release_is_linked_timeboxed_gated_written_up_and_measured() {
    let ws = rehearsal();
    ws.edit(
        "flowgate.toml",
        "[environments.dev.guardrails]",
        "[environments.dev.gates]\nblock_on_overdue_actions = true\n\n[environments.dev.guardrails]",
    );
    ok(
        &ws,
        MONDAY,
        &["snapshot", "create", "lead-intake", "--version", "1.0.0"],
    );
    ok(
        &ws,
        MONDAY,
        &["promote", "lead-intake@1.0.0", "--to", "dev"],
    );

    let opened = json(
        &ws,
        MONDAY_NOON,
        &[
            "incident",
            "open",
            "--env",
            "dev",
            "--severity",
            "sev2",
            "--summary",
            "Welcome email sent twice",
            "--impact-start",
            "2026-11-23 11:00",
            "--asset",
            "welcome-email",
            "--channel",
            "email",
            "--duplicate-sends",
            "340",
        ],
    );
    let incident = &opened["incident"];
    let id = incident["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("INC-"), "{opened}");
    assert_eq!(opened["version"], 1);
    assert_eq!(incident["times"]["detected"], "2026-11-23T12:00:00Z");
    assert_eq!(incident["links"], Value::Array(vec![]));

    // The apply that changed the affected template is proposed; a person links it.
    let proposals = json(&ws, MONDAY_NOON, &["incident", "link", &id]);
    let first = &proposals["proposals"][0];
    assert_eq!(first["bundle"], "lead-intake", "{proposals}");
    assert!(
        first["touched_affected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "Template:welcome-email"),
        "{proposals}"
    );
    let release = first["release"].as_str().unwrap().to_owned();
    let text = ok(&ws, MONDAY_NOON, &["incident", "link", &id]);
    assert!(text.contains("[strong]"), "{text}");
    let (code, _, err) = ws.run_as("tom", MONDAY_NOON, &["incident", "link", &id, "LI-9.9.9"]);
    assert_eq!(code, 2, "{err}");
    ok(&ws, MONDAY_NOON, &["incident", "link", &id, &release]);

    // 45 minutes later, nobody mitigating: roll back first.
    let shown = ok(&ws, MONDAY_LATE, &["incident", "show", &id]);
    assert!(shown.contains("open 45 min without mitigation"), "{shown}");
    assert!(
        shown.contains("flowgate rollback dev --bundle lead-intake"),
        "{shown}"
    );
    let listed = ok(&ws, MONDAY_LATE, &["incident", "list", "--open"]);
    assert!(listed.contains("! roll back first"), "{listed}");
    ok(
        &ws,
        MONDAY_LATE,
        &[
            "incident",
            "update",
            &id,
            "--mitigation-start",
            "now",
            "--cause",
            "Retry without an idempotency key",
        ],
    );
    let shown = ok(&ws, MONDAY_LATE, &["incident", "show", &id]);
    assert!(!shown.contains("without mitigation"), "{shown}");

    ok(
        &ws,
        MONDAY_LATE,
        &[
            "incident",
            "action",
            "add",
            &id,
            "--text",
            "Check: send steps need an idempotency key",
            "--owner",
            "tom",
            "--due",
            "2026-11-30",
            "--type",
            "preflight-rule",
        ],
    );
    ok(&ws, "2026-11-23T13:30:00Z", &["incident", "resolve", &id]);

    // A week later the action is overdue: it blocks the next promotion of the bundle to dev.
    let actions = ok(&ws, NEXT_MONTH, &["incident", "actions", "--overdue"]);
    assert!(
        actions.contains("A1") && actions.contains("OVERDUE"),
        "{actions}"
    );
    ws.edit(
        "assets/templates/welcome-email.yaml",
        "subject: Welcome to Acme Outdoor",
        "subject: Welcome to Acme Outdoor!",
    );
    ok(
        &ws,
        NEXT_MONTH,
        &["snapshot", "create", "lead-intake", "--version", "1.0.1"],
    );
    let (code, out, err) = ws.run_as(
        "tom",
        NEXT_MONTH,
        &["promote", "lead-intake@1.0.1", "--to", "dev"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("actions") && out.contains("overdue action item"),
        "{out}"
    );
    ok(&ws, NEXT_MONTH, &["incident", "action", "done", &id, "A1"]);
    ok(
        &ws,
        NEXT_MONTH,
        &["promote", "lead-intake@1.0.1", "--to", "dev"],
    );

    // The post-mortem, to a file.
    let file = ws.root.join("INC.md");
    ok(
        &ws,
        NEXT_MONTH,
        &["postmortem", &id, "--out", file.to_str().unwrap()],
    );
    let text = std::fs::read_to_string(&file).unwrap();
    for expected in [
        "| Severity | sev2 |",
        "| Time to detect | 1 h 0 min |",
        "- Duplicate sends: 340",
        "lead-intake 1.0.0 applied",
        "**impact started**",
        "Retry without an idempotency key",
        "preflight-rule",
    ] {
        assert!(text.contains(expected), "missing {expected:?}:\n{text}");
    }

    // Metrics of dev over November and December.
    let m = json(
        &ws,
        NEXT_MONTH,
        &["metrics", "--env", "dev", "--since", "2026-11-01"],
    );
    assert_eq!(m["deployments"], 2, "{m}");
    assert_eq!(m["change_failure_rate"]["count"], 1, "{m}");
    assert_eq!(m["time_to_detect"]["median"], 1.0, "{m}");
    assert_eq!(m["time_to_restore"]["median"], 2.5, "{m}");
    assert_eq!(m["months"].as_array().unwrap().len(), 2, "{m}");
    let prom = ok(
        &ws,
        NEXT_MONTH,
        &[
            "--format",
            "prometheus",
            "metrics",
            "--env",
            "dev",
            "--since",
            "2026-11-01",
        ],
    );
    assert!(
        prom.contains("flowgate_deployments{env=\"dev\"} 2"),
        "{prom}"
    );
    let human = ok(
        &ws,
        NEXT_MONTH,
        &["metrics", "--env", "dev", "--since", "2026-11-01"],
    );
    assert!(
        human.contains("change failure rate   50.0 % (1 of 2)"),
        "{human}"
    );
    let log = ok(&ws, NEXT_MONTH, &["log"]);
    assert!(
        log.contains(&format!("opened {id} in dev: Welcome email sent twice")),
        "{log}"
    );
}

#[test]
fn bad_incident_input_is_refused_and_nothing_is_written() {
    let ws = rehearsal();
    let before = log_len(&ws);
    for args in [
        vec!["incident", "open", "--env", "nowhere", "--summary", "x"],
        vec![
            "incident",
            "open",
            "--env",
            "dev",
            "--summary",
            "x",
            "--severity",
            "sev9",
        ],
        vec![
            "incident",
            "open",
            "--env",
            "dev",
            "--summary",
            "x",
            "--impact-start",
            "yesterday",
        ],
        vec![
            "incident",
            "open",
            "--env",
            "dev",
            "--summary",
            "x",
            "--impact-start",
            "2026-11-24 09:00",
        ],
        vec![
            "incident",
            "open",
            "--env",
            "dev",
            "--summary",
            "x",
            "--impact-start",
            "2026-11-23 08:00",
            "--detected",
            "2026-11-23 07:00",
        ],
        vec!["incident", "show", "INC-404"],
        vec!["incident", "resolve", "404"],
        vec!["postmortem", "INC-404"],
    ] {
        let (code, out, err) = ws.run_as("tom", MONDAY, &args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (code, _, err) = ws.run_as("tom", MONDAY, &["--format", "prometheus", "status"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(log_len(&ws), before, "refusals write nothing");
    let out = ok(
        &ws,
        MONDAY,
        &["incident", "open", "--env", "dev", "--summary", "x"],
    );
    let id = out.split_whitespace().next().unwrap().to_owned();
    for (due, kind, hint) in [
        ("30.11.2026", "monitor", "YYYY-MM-DD"),
        ("2026-11-30", "prayer", "preflight-rule"),
    ] {
        let args = [
            "incident", "action", "add", &id, "--text", "t", "--owner", "o", "--due", due,
            "--type", kind,
        ];
        let (code, _, err) = ws.run_as("tom", MONDAY, &args);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(hint), "{err}");
    }
}

#[test]
fn the_time_box_is_configured_in_the_workspace_and_checked() {
    let ws = rehearsal();
    ws.edit(
        "flowgate.toml",
        "[people.mara]",
        "[incidents]\ntimebox = \"2h\"\n\n[people.mara]",
    );
    let opened = json(
        &ws,
        MONDAY_NOON,
        &[
            "incident",
            "open",
            "--env",
            "dev",
            "--severity",
            "sev3",
            "--summary",
            "Slow routing",
        ],
    );
    let id = opened["incident"]["id"].as_str().unwrap().to_owned();
    let shown = ok(&ws, MONDAY_LATE, &["incident", "show", &id]);
    assert!(
        !shown.contains("without mitigation"),
        "45 min is inside a 2h time box: {shown}"
    );
    let later = ok(&ws, "2026-11-23T14:30:00Z", &["incident", "show", &id]);
    assert!(later.contains("open 150 min without mitigation"), "{later}");

    ws.edit("flowgate.toml", "timebox = \"2h\"", "timebox = \"soon\"");
    let (code, _, err) = ws.run_as("tom", MONDAY_LATE, &["incident", "list"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`timebox = \"soon\"` is not a positive duration"),
        "{err}"
    );
    assert!(err.contains("flowgate.toml:"), "located: {err}");
}
