//! `flowgate plan`, `promote`, `approve` and `apply`.

use super::store::{snapshot_named, with_promotions, PromotionSession};
use crate::cli::{ApplyArgs, ApproveArgs, Format, GlobalArgs, PlanArgs, PromoteArgs};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output::{self, emit};
use crate::write::write_atomically;
use flowgate_diff::render_human;
use flowgate_release::{GateResult, Outcome, Plan, PlanReport, ReleaseError};
use serde_json::{json, Value};
use std::path::Path;

/// `flowgate plan`. With `--detailed-exitcode` (as `terraform plan`): 0 when nothing would
/// change and no gate blocks, 2 when there are changes and every gate passes, 1 when a gate
/// blocks or anything fails.
pub fn plan(args: &PlanArgs, global: &GlobalArgs) -> CommandResult {
    let changes = std::cell::Cell::new(false);
    let result = with_promotions(global, |session| async {
        let result = plan_in(&session, args, global).await.map(|report| {
            changes.set(has_changes(&report));
            if args.detailed_exitcode && !report.passes() {
                Exit::Findings
            } else {
                Exit::Success
            }
        });
        (session, result)
    });
    if !args.detailed_exitcode {
        return result;
    }
    // Exit code 2 means "changes" under --detailed-exitcode, as in Terraform, so every failure
    // is 1.
    Ok(match result {
        Ok(Exit::Success) if changes.get() => Exit::BadInput,
        Ok(Exit::Success) => Exit::Success,
        Ok(_) => Exit::Findings,
        Err(error) => {
            crate::error::report(&error, global);
            Exit::Findings
        }
    })
}

/// The checklist as Markdown, or as JSON under `--format json`.
fn checklist_text(
    report: &PlanReport,
    items: &[flowgate_release::ChecklistItem],
    global: &GlobalArgs,
) -> String {
    if global.format == Format::Json {
        let value = json!({ "flowgate_checklist": 1, "plan": report.id, "items": items });
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    }
    let plan = &report.plan;
    let title = format!(
        "{} {} → {} (plan {})",
        plan.bundle,
        plan.version,
        plan.environment,
        short(&report.id)
    );
    flowgate_release::checklist_markdown(&title, items)
}

/// Whether applying the plan would change the environment.
fn has_changes(report: &PlanReport) -> bool {
    let plan = &report.plan;
    plan.base.as_ref().map(|b| b.snapshot) != Some(plan.snapshot) || !report.diff.is_empty()
}

async fn plan_in(
    session: &PromotionSession,
    args: &PlanArgs,
    global: &GlobalArgs,
) -> Result<PlanReport, CommandError> {
    let given = args.actor.person.as_deref();
    let person = session.person(given)?;
    let report = make_plan(session, &args.snapshot, &args.env, given, &person).await?;
    if let Some(out) = &args.out {
        let mut text = serde_json::to_string_pretty(&plan_json(&report)).unwrap_or_default();
        text.push('\n');
        write_atomically(out, text.as_bytes()).map_err(|e| {
            CommandError::usage(
                format!("cannot write {}: {e}", out.display()),
                "choose a writable path for --out",
            )
        })?;
    }
    if args.checklist {
        let snapshot = snapshot_named(&session.store, &args.snapshot).await?;
        let items = flowgate_release::plan_checklist(
            &session.store,
            &session.policy,
            &report,
            &snapshot.manifest,
        )
        .await
        .map_err(release_error)?;
        output::out(&checklist_text(&report, &items, global));
        return Ok(report);
    }
    show_plan(&report, false, global);
    if let Some(out) = &args.out {
        if global.format == Format::Human {
            output::out(&format!("Plan written to {}\n", out.display()));
        }
    }
    Ok(report)
}

/// `flowgate promote`: plan, then apply when every gate passes.
pub fn promote(args: &PromoteArgs, global: &GlobalArgs) -> CommandResult {
    with_promotions(global, |session| async move {
        let result = promote_in(&session, args, global).await;
        (session, result)
    })
}

async fn promote_in(
    session: &PromotionSession,
    args: &PromoteArgs,
    global: &GlobalArgs,
) -> CommandResult {
    let actor = session.actor(args.actor.person.as_deref())?;
    let report = make_plan(session, &args.snapshot, &args.env, Some(&actor), &actor).await?;
    if !report.passes() {
        show_plan(&report, false, global);
        return Ok(Exit::Findings);
    }
    if global.format == Format::Human {
        show_plan(&report, true, global);
    }
    finish_apply(session, &report.plan, &actor, global).await
}

async fn make_plan(
    session: &PromotionSession,
    reference: &str,
    env: &str,
    actor: Option<&str>,
    recorder: &str,
) -> Result<PlanReport, CommandError> {
    session.environment(env)?;
    let snapshot = snapshot_named(&session.store, reference).await?;
    let promotions = session.promotions();
    let report = promotions
        .plan(&snapshot, env, actor)
        .await
        .map_err(release_error)?;
    promotions
        .record_plan(&report, recorder)
        .await
        .map_err(release_error)?;
    Ok(report)
}

/// Prints a plan for people or as JSON.
pub fn show_plan(report: &PlanReport, applying: bool, global: &GlobalArgs) {
    if global.format == Format::Json {
        output::out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&plan_json(report)).unwrap_or_default()
        ));
        return;
    }
    let plan = &report.plan;
    let mut text = format!(
        "Plan {} — {} {}{} → {}\n",
        short(&report.id),
        plan.bundle,
        plan.version,
        plan.release_id
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default(),
        plan.environment
    );
    match &plan.base {
        Some(base) => text.push_str(&format!(
            "  {} holds {} ({})\n",
            plan.environment,
            base.version,
            base.snapshot.short()
        )),
        None => text.push_str(&format!(
            "  {} holds nothing of {} yet\n",
            plan.environment, plan.bundle
        )),
    }
    text.push_str(&format!("  {} rendered file(s)\n", plan.files.len()));
    if !report.guardrails.is_empty() {
        text.push_str(&format!("  guardrails: {}\n", report.guardrails.join("; ")));
    }
    if !report.rendered.unused_values.is_empty() {
        text.push_str(&format!(
            "  values of {} that match no asset of this bundle: {}\n",
            plan.environment,
            report.rendered.unused_values.join(", ")
        ));
    }
    text.push('\n');
    if plan.base.is_none() {
        let mut kinds: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for asset in &report.diff.assets {
            *kinds.entry(asset.kind.as_str()).or_default() += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        text.push_str(&format!(
            "First deployment: {} asset(s) ({}).\n\n",
            report.diff.assets.len(),
            kinds.join(", ")
        ));
    } else if report.diff.is_empty() {
        text.push_str("No changes to the rendered assets.\n\n");
    } else {
        text.push_str(&render_human(&report.diff));
        text.push('\n');
    }
    text.push_str("Gates:\n");
    text.push_str(&gate_lines(&report.gates));
    if !report.consulted.is_empty() || !report.informed.is_empty() {
        text.push_str(&format!(
            "\nConsulted: {} · Informed: {}\n",
            list_or_none(&report.consulted),
            list_or_none(&report.informed)
        ));
    }
    let blocked = report.gates.iter().filter(|g| !g.passed).count();
    if blocked == 0 && applying {
        text.push_str("\nEvery gate passes.\n");
    } else if blocked == 0 {
        text.push_str(&format!(
            "\nReady: every gate passes. Apply with `flowgate apply {}`.\n",
            short(&report.id)
        ));
    } else {
        text.push_str(&format!("\nBlocked by {blocked} gate(s).\n"));
    }
    output::out(&text);
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "nobody".to_owned()
    } else {
        items.join(", ")
    }
}

/// One line per gate: a mark, the gate and the reason.
pub fn gate_lines(gates: &[GateResult]) -> String {
    gates
        .iter()
        .map(|g| {
            format!(
                "  {} {:<10} {}\n",
                if g.passed { "✓" } else { "✗" },
                g.gate,
                g.reason
            )
        })
        .collect()
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// `flowgate approve`.
pub fn approve(args: &ApproveArgs, global: &GlobalArgs) -> CommandResult {
    with_promotions(global, |session| async move {
        let result = approve_in(&session, args, global).await;
        (session, result)
    })
}

async fn approve_in(
    session: &PromotionSession,
    args: &ApproveArgs,
    global: &GlobalArgs,
) -> CommandResult {
    let person = session.actor(args.actor.person.as_deref())?;
    let plan = resolve_plan(session, &args.plan).await?;
    let outcome = session
        .promotions()
        .approve(
            &plan,
            &person,
            args.role.as_deref(),
            args.comment.as_deref(),
        )
        .await
        .map_err(release_error)?;
    let message = match &outcome {
        Outcome::Done(seq) => format!(
            "{person} approved plan {} ({} {} → {}); operation #{seq}\n",
            short(&plan.id()),
            plan.bundle,
            plan.version,
            plan.environment
        ),
        Outcome::Unchanged(why) => format!("{why}\n"),
    };
    emit(
        global,
        &message,
        json!({ "plan": plan.id(), "approved": true, "outcome": outcome_json(&outcome) }),
    );
    Ok(Exit::Success)
}

/// `flowgate apply`.
pub fn apply(args: &ApplyArgs, global: &GlobalArgs) -> CommandResult {
    with_promotions(global, |session| async move {
        let result = async {
            let actor = session.actor(args.actor.person.as_deref())?;
            let plan = resolve_plan(&session, &args.plan).await?;
            finish_apply(&session, &plan, &actor, global).await
        }
        .await;
        (session, result)
    })
}

async fn finish_apply(
    session: &PromotionSession,
    plan: &Plan,
    actor: &str,
    global: &GlobalArgs,
) -> CommandResult {
    let outcome = session
        .promotions()
        .apply(plan, actor)
        .await
        .map_err(release_error)?;
    let message = match &outcome {
        Outcome::Done(seq) => format!(
            "Applied: {} now holds {} {}{}; operation #{seq}\n",
            plan.environment,
            plan.bundle,
            plan.version,
            plan.release_id
                .as_ref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ),
        Outcome::Unchanged(why) => format!("Nothing to do: {why}\n"),
    };
    emit(
        global,
        &message,
        json!({ "plan": plan.id(), "applied": true, "outcome": outcome_json(&outcome) }),
    );
    Ok(Exit::Success)
}

/// A plan report as printed and written by `--out`: the versioned wrapper of the plan (whose
/// id hashes only the `plan` object).
pub fn plan_json(report: &PlanReport) -> Value {
    let Value::Object(fields) = report.to_json() else {
        return Value::Null;
    };
    let mut with = serde_json::Map::with_capacity(fields.len() + 1);
    for (key, value) in fields {
        let after = key == "flowgate_plan";
        with.insert(key, value);
        if after {
            with.insert("version".to_owned(), Value::from(1));
        }
    }
    Value::Object(with)
}

/// The outcome as JSON.
pub fn outcome_json(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Done(seq) => json!({ "changed": true, "operation": seq }),
        Outcome::Unchanged(why) => json!({ "changed": false, "reason": why }),
    }
}

/// A release error as a command error; a blocked plan carries its gates (listed for people,
/// or as `{"applied": false, "gates": …}` under `--format json`).
pub fn release_error(error: ReleaseError) -> CommandError {
    let gates = match &error {
        ReleaseError::Blocked(gates) => Some(gates.clone()),
        _ => None,
    };
    let command_error = CommandError::from(error);
    match gates {
        Some(gates) => command_error
            .with_detail(gate_lines(&gates))
            .with_json(json!({ "version": 1, "applied": false, "gates": gates })),
        None => command_error,
    }
}

/// A plan from a file written by `flowgate plan --out` (whose id must match its content) or
/// from the log by id prefix.
async fn resolve_plan(session: &PromotionSession, reference: &str) -> Result<Plan, CommandError> {
    let path = Path::new(reference);
    if path.is_file() {
        let parsed = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).map_err(|e| e.to_string()))
            .and_then(|value| {
                let id = value
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let plan: Plan =
                    serde_json::from_value(value.get("plan").cloned().unwrap_or(Value::Null))
                        .map_err(|e| format!("no plan in it ({e})"))?;
                if plan.id() == id {
                    Ok(plan)
                } else {
                    Err("its content does not match its id: the file was edited".to_owned())
                }
            });
        return parsed.map_err(|e| {
            CommandError::usage(
                format!("{} is not a usable plan file: {e}", path.display()),
                "write a fresh one with `flowgate plan BUNDLE@VERSION --to ENV --out FILE`",
            )
        });
    }
    session
        .promotions()
        .find_plan(reference)
        .await
        .map_err(release_error)?
        .ok_or_else(|| {
            CommandError::usage(
                format!("no plan `{reference}`: not a file, and no recorded plan has that id"),
                "make one with `flowgate plan BUNDLE@VERSION --to ENV`",
            )
        })
}
