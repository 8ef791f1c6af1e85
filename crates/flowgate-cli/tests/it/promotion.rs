//! Promotion through the command line on a copy of the bundled example: the walk from dev to
//! prod with approvals, saved plans and their tampering, exit code 3 for a lost race,
//! concurrent applies in separate processes, an apply killed at every stage, rollback and the
//! audit of an edited log row.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use crate::common::{finish, Workspace};
use insta_cmd::assert_cmd_snapshot;
use serde_json::Value;
use std::process::Command;
use std::time::Duration;

/// Monday morning, then Tuesday after prod's 24-hour soak; outside every freeze window.
const MONDAY: &str = "2026-11-23T09:00:00Z";
const TUESDAY: &str = "2026-11-24T10:00:00Z";

/// A copy of the example on a rehearsal store, whose clock `FLOWGATE_NOW` may set.
fn rehearsal() -> Workspace {
    let ws = Workspace::new();
    let (code, out, err) = ws.run(&["store", "init", "--rehearsal"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("a rehearsal store"), "{out}");
    ws
}

fn plan_id(out: &str) -> String {
    let line = out
        .lines()
        .find(|l| l.starts_with("Plan "))
        .unwrap_or_else(|| panic!("{out}"));
    line.split_whitespace().nth(1).unwrap().to_owned()
}

fn status(ws: &Workspace) -> Value {
    let (_, out, err) = ws.run(&["--format", "json", "status"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
}

fn held(ws: &Workspace, env: &str) -> Option<String> {
    status(ws)["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["env"] == env && s["bundle"] == "lead-intake")
        .map(|s| s["version"].as_str().unwrap().to_owned())
}

/// Promotes `version` into dev as tom on Monday.
fn promote_to_dev(ws: &Workspace, version: &str) {
    let (code, out, err) = ws.run_as(
        "tom",
        MONDAY,
        &["promote", &format!("lead-intake@{version}"), "--to", "dev"],
    );
    assert_eq!(code, 0, "{out}{err}");
}

fn freeze(ws: &Workspace, version: &str) {
    freeze_at(ws, version, MONDAY);
}

fn freeze_at(ws: &Workspace, version: &str, now: &str) {
    let (code, out, err) = ws.run_as(
        "tom",
        now,
        &["snapshot", "create", "lead-intake", "--version", version],
    );
    assert_eq!(code, 0, "{out}{err}");
}

/// Freezes `version` with variant `n` of the welcome subject (the working tree is put back
/// afterwards) and plans it into dev; returns the plan id.
fn freeze_variant_and_plan(ws: &Workspace, version: &str, n: usize) -> String {
    let variant = format!("subject: Welcome to Acme Outdoor {n} ");
    let file = "assets/templates/welcome-email.yaml";
    ws.edit(file, "subject: Welcome to Acme Outdoor", &variant);
    freeze(ws, version);
    ws.edit(file, &variant, "subject: Welcome to Acme Outdoor");
    let (_, out, _) = ws.run_as(
        "tom",
        MONDAY,
        &["plan", &format!("lead-intake@{version}"), "--to", "dev"],
    );
    plan_id(&out)
}

#[test]
fn the_example_walks_from_dev_to_prod_through_its_gates() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    let (code, out, err) = ws.run_as(
        "tom",
        MONDAY,
        &["promote", "lead-intake@1.0.0", "--to", "dev"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Applied: dev now holds lead-intake 1.0.0 (LI-1.0.0)"),
        "{out}"
    );

    // Stage needs marketing-ops: blocked with the reason, exit 1.
    let (code, out, _) = ws.run_as(
        "tom",
        MONDAY,
        &["promote", "lead-intake@1.0.0", "--to", "stage"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("✗ approvals  waiting for marketing-ops (mara)"),
        "{out}"
    );
    let stage_plan = plan_id(&out);
    let (code, _, err) = ws.run_as("tom", MONDAY, &["approve", &stage_plan]);
    assert_eq!(code, 1);
    assert!(
        err.contains("tom (builder) is not an approver for stage"),
        "{err}"
    );
    let (code, out, err) = ws.run_as(
        "mara",
        MONDAY,
        &["approve", &stage_plan, "--comment", "seed list checked"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = ws.run_as("tom", MONDAY, &["apply", &stage_plan]);
    assert_eq!(code, 0, "{out}{err}");

    // Prod: a saved plan, approved by both roles, applied by a promoter after the soak.
    let plan_file = ws.root.join("prod.plan.json");
    let plan_path = plan_file.to_str().unwrap();
    let (code, out, err) = ws.run_as(
        "mara",
        TUESDAY,
        &[
            "plan",
            "lead-intake@1.0.0",
            "--to",
            "prod",
            "--out",
            plan_path,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("✓ soak       1.0.0 ran in stage for 25h00m"),
        "{out}"
    );
    assert!(
        out.contains("Consulted: compliance · Informed: exec, eng-bi"),
        "{out}"
    );
    for person in ["mara", "jonas"] {
        let (code, out, err) = ws.run_as(person, TUESDAY, &["approve", plan_path]);
        assert_eq!(code, 0, "{out}{err}");
    }
    let (code, _, err) = ws.run_as("tom", TUESDAY, &["apply", plan_path]);
    assert_eq!(code, 1, "a builder may not promote into prod");
    assert!(
        err.contains("tom (builder) may not promote into prod"),
        "{err}"
    );

    // A tampered plan file is refused.
    let text = std::fs::read_to_string(&plan_file).unwrap();
    let forged = ws.root.join("forged.plan.json");
    std::fs::write(
        &forged,
        text.replace("\"environment\": \"prod\"", "\"environment\": \"stage\""),
    )
    .unwrap();
    let (code, _, err) = ws.run_as("mara", TUESDAY, &["apply", forged.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("the file was edited"), "{err}");

    let (code, out, err) = ws.run_as("mara", TUESDAY, &["apply", plan_path]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Applied: prod now holds lead-intake 1.0.0"),
        "{out}"
    );
    let (code, out, _) = ws.run_as("mara", TUESDAY, &["apply", plan_path]);
    assert_eq!(code, 0);
    assert!(out.contains("Nothing to do"), "{out}");

    // Status and the deployed files.
    let (code, out, _) = ws.run(&["status"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("lead-intake 1.0.0 (LI-1.0.0)")
            && out.contains("apply by mara at 2026-11-24T10:00:00"),
        "{out}"
    );
    let webhook: Value = serde_json::from_slice(
        &std::fs::read(
            ws.root
                .join(".flowgate/deploy/prod/lead-intake/assets/webhook/crm-lead-sync.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(webhook["name"], "PRD — CRM lead upsert");
    assert_eq!(
        webhook["endpoint"],
        "https://acme-outdoor.crm.example/api/v2/leads/upsert"
    );

    // A bad release reaches dev and is rolled back whole; a second rollback changes nothing.
    ws.edit(
        "assets/templates/welcome-email.yaml",
        "subject: Welcome to Acme Outdoor",
        "subject: WELCOME!!! Acme Outdoor",
    );
    freeze_at(&ws, "1.0.1", TUESDAY);
    let (code, out, err) = ws.run_as(
        "tom",
        TUESDAY,
        &["promote", "lead-intake@1.0.1", "--to", "dev"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = ws.run_as(
        "tom",
        TUESDAY,
        &["rollback", "dev", "--reason", "shouting subject"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("dev is pinned"), "{out}");
    assert_eq!(held(&ws, "dev").as_deref(), Some("1.0.0"));
    let (code, out, _) = ws.run_as("tom", TUESDAY, &["rollback", "dev"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Nothing to do: dev was already rolled back"),
        "{out}"
    );
    let (code, out, _) = ws.run_as(
        "tom",
        TUESDAY,
        &["promote", "lead-intake@1.0.1", "--to", "dev"],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("dev is pinned by tom") && out.contains("shouting subject"),
        "{out}"
    );
    let (code, _, _) = ws.run_as(
        "tom",
        TUESDAY,
        &["unpin", "dev", "--reason", "subject fixed in 1.0.2"],
    );
    assert_eq!(code, 0);

    // The log tells the story.
    let (_, log, _) = ws.run(&["log", "dev"]);
    for needle in [
        "applied lead-intake 1.0.0 to dev",
        "rolled lead-intake in dev back from 1.0.1 to 1.0.0: shouting subject",
        "unpinned dev: subject fixed in 1.0.2",
    ] {
        assert!(log.contains(needle), "{needle} missing from\n{log}");
    }
    let (code, out, _) = ws.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("hash chain intact"), "{out}");
}

#[test]
fn policy_mistakes_in_flowgate_toml_are_located() {
    let ws = rehearsal();
    ws.edit("flowgate.toml", "from = \"stage\"", "from = \"staging\"");
    let (code, _, err) = ws.run(&["status"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("flowgate.toml:")
            && err.contains("`staging`, which is not another environment"),
        "{err}"
    );
}

#[test]
fn a_plan_overtaken_by_another_apply_exits_3_and_changes_nothing() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    ws.edit(
        "assets/templates/welcome-email.yaml",
        "subject: Welcome to Acme Outdoor",
        "subject: Welcome aboard",
    );
    freeze(&ws, "1.0.1");
    let plan = |version: &str| {
        let (_, out, _) = ws.run_as(
            "tom",
            MONDAY,
            &["plan", &format!("lead-intake@{version}"), "--to", "dev"],
        );
        plan_id(&out)
    };
    let (first, second) = (plan("1.0.0"), plan("1.0.1"));
    let (code, _, _) = ws.run_as("tom", MONDAY, &["apply", &second]);
    assert_eq!(code, 0);
    let (code, _, err) = ws.run_as("tom", MONDAY, &["apply", &first]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("dev moved since the plan was made"), "{err}");
    assert_eq!(held(&ws, "dev").as_deref(), Some("1.0.1"));
}

#[test]
fn concurrent_apply_processes_have_exactly_one_winner() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    promote_to_dev(&ws, "1.0.0");
    let mut plans = Vec::new();
    for i in 1..=6 {
        plans.push(freeze_variant_and_plan(&ws, &format!("1.0.{i}"), i));
    }
    let children: Vec<_> = plans
        .iter()
        .map(|plan| {
            let mut command = ws.command(&["apply", plan]);
            command
                .env("FLOWGATE_USER", "tom")
                .env("FLOWGATE_NOW", MONDAY);
            command
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    let runs: Vec<(i32, String, String)> = children
        .into_iter()
        .map(|c| finish(c.wait_with_output().unwrap()))
        .collect();
    let codes: Vec<i32> = runs.iter().map(|run| run.0).collect();
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1, "{runs:#?}");
    assert!(codes.iter().all(|c| *c == 0 || *c == 3), "{runs:#?}");
    let (_, log, _) = ws.run(&["--format", "json", "log", "dev"]);
    let applies = serde_json::from_str::<Value>(&log).unwrap()["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["kind"] == "apply")
        .count();
    assert_eq!(applies, 2, "the first promotion and one winner");
    let (code, _, _) = ws.run(&["audit", "verify"]);
    assert_eq!(code, 0);
    assert_eq!(status(&ws)["drift"], false);
}

/// An apply killed at any moment leaves the environment at the old version with the old
/// files, or at the new version (whose files a re-run of the same plan completes); the store
/// always verifies.
#[test]
fn an_apply_killed_at_any_moment_leaves_a_consistent_environment() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    promote_to_dev(&ws, "1.0.0");
    let manifest = ws
        .root
        .join(".flowgate/deploy/dev/lead-intake/flowgate-manifest.json");
    let deployed = || -> String {
        let value: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
        value["version"].as_str().unwrap().to_owned()
    };
    let (mut before, mut after) = (0, 0);
    for (i, delay_ms) in [0u64, 15, 30, 45, 60, 80, 100, 130, 160, 200, 260]
        .into_iter()
        .enumerate()
    {
        let old = held(&ws, "dev").unwrap();
        let version = format!("1.1.{i}");
        let plan = freeze_variant_and_plan(&ws, &version, i);
        let mut command = ws.command(&["apply", &plan]);
        command
            .env("FLOWGATE_USER", "tom")
            .env("FLOWGATE_NOW", MONDAY);
        command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = command.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();

        let (code, out, _) = ws.run(&["audit", "verify"]);
        assert_eq!(code, 0, "log broken after a kill at {delay_ms} ms: {out}");
        let (code, out, _) = ws.run(&["snapshot", "verify"]);
        assert_eq!(code, 0, "store broken after a kill at {delay_ms} ms: {out}");
        let now = held(&ws, "dev").unwrap();
        if now == old {
            before += 1;
            assert_eq!(
                deployed(),
                old,
                "the pointer stayed at {old} but the files moved (kill at {delay_ms} ms)"
            );
        } else {
            after += 1;
            assert_eq!(now, version);
            assert!(deployed() == old || deployed() == version);
        }
        // Re-running the same plan finishes the job either way.
        let (code, out, err) = ws.run_as("tom", MONDAY, &["apply", &plan]);
        assert_eq!(code, 0, "re-run after a kill at {delay_ms} ms: {out}{err}");
        assert_eq!(held(&ws, "dev").as_deref(), Some(version.as_str()));
        assert_eq!(deployed(), version);
        assert_eq!(status(&ws)["drift"], false);
    }
    eprintln!("kills: {before} before the pointer moved, {after} after");
    assert!(
        before > 0,
        "no kill landed before the pointer moved ({before} before, {after} after)"
    );
}

#[test]
fn editing_an_operation_row_makes_the_audit_fail_and_name_it() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    promote_to_dev(&ws, "1.0.0");
    let (code, _, _) = ws.run(&["audit", "verify"]);
    assert_eq!(code, 0);
    let changed =
        ws.execute_sql(&["UPDATE flowgate_operations SET actor = 'mallory' WHERE kind = 'apply'"]);
    assert_eq!(changed, 1);
    let (code, out, _) = ws.run(&["audit", "verify"]);
    assert_eq!(code, 1, "{out}");
    let (_, log, _) = ws.run(&["--format", "json", "log"]);
    let seq = serde_json::from_str::<Value>(&log).unwrap()["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["kind"] == "apply")
        .unwrap()["seq"]
        .as_u64()
        .unwrap();
    assert!(
        out.contains(&format!("broken at operation #{seq}")) && out.contains("edited"),
        "{out}"
    );
}

/// Runs a command with no `--as` and no `FLOWGATE_USER`, in a workspace whose git identity
/// is `name <email>`.
fn run_as_git_user(
    ws: &Workspace,
    name: &str,
    email: &str,
    args: &[&str],
) -> (i32, String, String) {
    for (key, value) in [("user.name", name), ("user.email", email)] {
        let status = Command::new("git")
            .arg("-C")
            .arg(&ws.root)
            .args(["config", key, value])
            .status()
            .unwrap();
        assert!(status.success());
    }
    let mut command = ws.command(args);
    command.env_remove("FLOWGATE_USER");
    finish(command.output().unwrap())
}

fn git_init(ws: &Workspace) {
    let status = Command::new("git")
        .args(["init", "-q"])
        .arg(&ws.root)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_snapshot_author_is_a_person_id_mapped_from_git_or_refused() {
    let ws = Workspace::new();
    let create = ["snapshot", "create", "lead-intake", "--version", "1.0.0"];
    for free_text in ["Mara Köhler", "nobody-at-all"] {
        let (code, _, err) = ws.run(&[&create[..], &["--as", free_text]].concat());
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!("`{free_text}` is not a person id under [people]"))
                && err.contains("people: carlos, jonas, lena, mara, priya, tom"),
            "{err}"
        );
    }
    git_init(&ws);
    let (code, _, err) = run_as_git_user(&ws, "Someone Else", "someone@else.example", &create);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("git's user `Someone Else <someone@else.example>` is no one under [people]")
            && err.contains(
                "[people.<id>] with name = \"Someone Else\" and email = \"someone@else.example\""
            ),
        "{err}"
    );
    // Mara's git name is her full name: the snapshot is hers, by id.
    let (code, out, err) = run_as_git_user(&ws, "Mara Köhler", "mara@home.example", &create);
    assert_eq!(code, 0, "{out}{err}");
    let (_, show, _) = ws.run(&["--format", "json", "snapshot", "show", "lead-intake@1.0.0"]);
    let shown: Value = serde_json::from_str(&show).unwrap();
    assert_eq!(shown["snapshot"]["author"], "mara", "{show}");
}

#[test]
fn plan_without_as_records_the_git_person_or_is_refused() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    git_init(&ws);
    let plan = ["plan", "lead-intake@1.0.0", "--to", "dev"];
    let (code, _, err) = run_as_git_user(&ws, "Dev Laptop", "root@localhost", &plan);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is no one under [people]"), "{err}");
    let (code, out, err) = run_as_git_user(&ws, "Tom", "tom.eder@acme-outdoor.example", &plan);
    assert_eq!(code, 0, "{out}{err}");
    let (_, log, _) = ws.run(&["--format", "json", "log"]);
    let ops: Value = serde_json::from_str(&log).unwrap();
    let planned: Vec<&Value> = ops["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["kind"] == "plan")
        .collect();
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0]["actor"], "tom");
}

#[test]
fn flowgate_now_drives_only_a_rehearsal_store_and_audit_finds_time_going_back() {
    let ws = Workspace::new();
    let (code, _, err) = ws.run_as(
        "tom",
        MONDAY,
        &["snapshot", "create", "lead-intake", "--version", "1.0.0"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("FLOWGATE_NOW is set, but the store at") && err.contains("is a real store"),
        "{err}"
    );
    let (code, _, err) = ws.run_as("tom", MONDAY, &["status"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = ws.run(&["store", "init", "--rehearsal"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = ws.run_as(
        "tom",
        MONDAY,
        &["snapshot", "create", "lead-intake", "--version", "1.0.0"],
    );
    assert_eq!(code, 0, "{out}{err}");
    // A store with history is never made a rehearsal store afterwards.
    let other = Workspace::new();
    let (code, _, _) = other.run(&["snapshot", "create", "lead-intake", "--version", "1.0.0"]);
    assert_eq!(code, 0);
    let (code, _, err) = other.run(&["store", "init", "--rehearsal"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("only a new, empty store"), "{err}");

    // On the rehearsal store the clock may be set, and set back: the audit names it.
    let (code, _, err) = ws.run_as("tom", TUESDAY, &["pin", "dev", "--reason", "x"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = ws.run_as("tom", MONDAY, &["unpin", "dev", "--reason", "y"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = ws.run(&["audit", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("hash chain intact")
            && out.contains(
                "operation #3 (2026-11-23T09:00:00Z) is dated before #2 (2026-11-24T10:00:00Z)"
            ),
        "{out}"
    );
    let (_, json, _) = ws.run(&["--format", "json", "audit", "verify"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(
        report["time_reversals"].as_array().unwrap().len(),
        1,
        "{json}"
    );
    assert_eq!(report["time_reversals"][0]["seq"], 3);
}

#[test]
fn plan_detailed_exitcode_is_terraforms() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    let plan = |env: &str| {
        ws.run_as(
            "tom",
            MONDAY,
            &[
                "plan",
                "lead-intake@1.0.0",
                "--to",
                env,
                "--detailed-exitcode",
            ],
        )
        .0
    };
    assert_eq!(plan("dev"), 2, "changes, every gate passes");
    assert_eq!(plan("stage"), 1, "blocked by approvals and separation");
    let (code, _, _) = ws.run_as(
        "tom",
        MONDAY,
        &["plan", "lead-intake@1.0.0", "--to", "stage"],
    );
    assert_eq!(code, 0, "without the flag a blocked plan still exits 0");
    promote_to_dev(&ws, "1.0.0");
    assert_eq!(plan("dev"), 0, "nothing to change");
    let (code, _, _) = ws.run_as(
        "tom",
        MONDAY,
        &[
            "plan",
            "lead-intake@9.9.9",
            "--to",
            "dev",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(code, 1, "an error is 1, never 2");
}

#[test]
fn sync_repairs_drift_and_status_is_clean_afterwards() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    promote_to_dev(&ws, "1.0.0");
    let file = ws
        .root
        .join(".flowgate/deploy/dev/lead-intake/assets/template/welcome-email.json");
    std::fs::write(&file, "{}").unwrap();
    let (code, out, _) = ws.run(&["status"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("DRIFT"), "{out}");
    let (code, _, err) = ws.run_as("tom", MONDAY, &["pin", "dev", "--reason", "looking"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = ws.run_as("tom", MONDAY, &["sync", "dev"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("dev is pinned by tom"), "{err}");
    let (code, out, err) = ws.run_as(
        "tom",
        MONDAY,
        &[
            "sync",
            "dev",
            "--force",
            "--reason",
            "hand edit in the deploy folder",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Synced: the target of dev holds lead-intake"),
        "{out}"
    );
    let (code, out, _) = ws.run(&["status"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("in sync"), "{out}");
    let (_, log, _) = ws.run(&["log", "dev"]);
    assert!(
        log.contains("synced lead-intake 1.0.0 to dev's target: hand edit in the deploy folder"),
        "{log}"
    );
    let (code, out, _) = ws.run_as(
        "tom",
        MONDAY,
        &["sync", "dev", "--force", "--reason", "again"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("Nothing to do"), "{out}");
}

#[test]
fn a_shared_store_does_not_show_another_checkouts_target_as_drift() {
    let first = rehearsal();
    let second = Workspace::new();
    let store = first.root.join(".flowgate/store.db");
    let store = store.to_str().unwrap();
    freeze(&first, "1.0.0");
    promote_to_dev(&first, "1.0.0");
    let (code, out, err) = second.run(&["--store", store, "status"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("not checked here, deployed to directory")
            && out.contains("not to this checkout's target")
            && !out.contains("DRIFT"),
        "{out}"
    );
    let (code, out, _) = first.run(&["status"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("in sync"), "{out}");
}

#[test]
fn rollback_names_both_versions_and_has_a_dry_run() {
    let ws = rehearsal();
    freeze(&ws, "1.0.0");
    ws.edit(
        "assets/templates/welcome-email.yaml",
        "subject: Welcome to Acme Outdoor",
        "subject: Welcome aboard",
    );
    freeze(&ws, "1.0.1");
    promote_to_dev(&ws, "1.0.0");
    promote_to_dev(&ws, "1.0.1");
    let _filters = ws.filters().bind_to_scope();
    assert_cmd_snapshot!(
        "rollback_dry_run",
        ws.command_as("tom", MONDAY, &["rollback", "dev", "--dry-run"])
    );
    assert_eq!(held(&ws, "dev").as_deref(), Some("1.0.1"));
    assert_cmd_snapshot!(
        "rollback",
        ws.command_as("tom", MONDAY, &["rollback", "dev", "--reason", "subject"])
    );
    let (_, out, _) = ws.run(&["status"]);
    assert!(
        out.contains("rollback by tom at 2026-11-23T09:00:00Z") && !out.contains(".000000"),
        "{out}"
    );
}

/// Two required roles take two people: one person holding both cannot sign for each.
#[test]
fn one_person_cannot_fill_two_required_approval_roles() {
    let ws = rehearsal();
    ws.edit(
        "flowgate.toml",
        "roles = [\"revops\"]",
        "roles = [\"revops\", \"marketing-ops\"]",
    );
    freeze(&ws, "1.0.0");
    let plan = || {
        let (_, out, err) = ws.run_as(
            "tom",
            MONDAY,
            &[
                "--format",
                "json",
                "plan",
                "lead-intake@1.0.0",
                "--to",
                "prod",
            ],
        );
        serde_json::from_str::<Value>(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
    };
    let id = plan()["id"].as_str().unwrap().to_owned();
    for role in ["marketing-ops", "revops"] {
        let (code, out, err) = ws.run_as("jonas", MONDAY, &["approve", &id, "--role", role]);
        assert_eq!(code, 0, "{out}{err}");
    }
    let approvals = plan()["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "approvals")
        .cloned()
        .unwrap();
    assert_eq!(approvals["passed"], false, "{approvals}");

    let (code, out, err) = ws.run_as("mara", MONDAY, &["approve", &id, "--role", "marketing-ops"]);
    assert_eq!(code, 0, "{out}{err}");
    let approvals = plan()["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "approvals")
        .cloned()
        .unwrap();
    assert_eq!(approvals["passed"], true, "{approvals}");
}
