//! The promotion commands sent to a `flowgate serve` (see `crate::remote`): the same
//! requests the pages make, answered with the same JSON, printed as the local commands print.

use crate::cli::{
    ApplyArgs, ApproveArgs, Format, GlobalArgs, PinArgs, PlanArgs, PromoteArgs, RollbackArgs,
};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output::{self, emit};
use crate::remote::{segment, Remote};
use serde_json::{json, Value};

/// A plan id from `reference`: an id (prefix), or a file written by `flowgate plan --out`.
fn plan_id(reference: &str) -> Result<String, CommandError> {
    let path = std::path::Path::new(reference);
    if !path.is_file() {
        return Ok(reference.trim().to_owned());
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        CommandError::usage(
            format!("cannot read {reference}: {e}"),
            "give a plan id instead",
        )
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        CommandError::usage(
            format!(
                "{reference}:{}:{}: not a plan file: {e}",
                e.line(),
                e.column()
            ),
            "give a plan id instead",
        )
    })?;
    value["id"].as_str().map(str::to_owned).ok_or_else(|| {
        CommandError::usage(
            format!("{reference} holds no plan id"),
            "give a plan id instead",
        )
    })
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// Prints a plan the server made.
fn show_plan(remote: &Remote, plan: &Value, global: &GlobalArgs) {
    if global.format == Format::Json {
        output::out(&format!(
            "{}\n",
            serde_json::to_string_pretty(plan).unwrap_or_default()
        ));
        return;
    }
    let id = plan["id"].as_str().unwrap_or_default();
    let content = &plan["plan"];
    let mut text = format!(
        "Plan {} — {} {} → {} (on {})\n\n",
        short(id),
        content["bundle"].as_str().unwrap_or_default(),
        content["version"].as_str().unwrap_or_default(),
        content["environment"].as_str().unwrap_or_default(),
        remote.url()
    );
    text.push_str(plan["diff_text"].as_str().unwrap_or_default());
    text.push_str("\nGates:\n");
    for gate in plan["gates"].as_array().into_iter().flatten() {
        let passed = gate["passed"].as_bool() == Some(true);
        text.push_str(&format!(
            "  {} {}: {}\n",
            if passed { "✔" } else { "✖" },
            gate["gate"].as_str().unwrap_or_default(),
            gate["reason"].as_str().unwrap_or_default()
        ));
    }
    text.push_str(&format!(
        "\nReview and approve at {}/plans/{id}\n",
        remote.url()
    ));
    output::out(&text);
}

/// `flowgate plan --server`.
pub fn plan(remote: &Remote, args: &PlanArgs, global: &GlobalArgs) -> CommandResult {
    if args.out.is_some() || args.detailed_exitcode {
        return Err(CommandError::usage(
            "--out and --detailed-exitcode are for plans made locally",
            "with a server, refer to the plan by the id printed here",
        ));
    }
    let plan = remote.post(
        "/plans",
        &json!({ "snapshot": args.snapshot, "env": args.env }),
    )?;
    if args.checklist {
        let id = segment(plan["id"].as_str().unwrap_or_default());
        let text = match global.format {
            Format::Json => format!("{:#}\n", remote.get(&format!("/plans/{id}/checklist"))?),
            _ => remote.get_text(&format!("/plans/{id}/checklist?format=markdown"))?,
        };
        output::out(&text);
        return Ok(Exit::Success);
    }
    show_plan(remote, &plan, global);
    Ok(Exit::Success)
}

fn outcome_line(answer: &Value, done: &str) -> String {
    if answer["changed"].as_bool() == Some(true) {
        format!("{done}; operation #{}\n", answer["operation"])
    } else {
        format!(
            "Nothing to do: {}\n",
            answer["reason"].as_str().unwrap_or_default()
        )
    }
}

/// `flowgate promote --server`: plan, then apply when every gate passes.
pub fn promote(remote: &Remote, args: &PromoteArgs, global: &GlobalArgs) -> CommandResult {
    let plan = remote.post(
        "/plans",
        &json!({ "snapshot": args.snapshot, "env": args.env }),
    )?;
    show_plan(remote, &plan, global);
    if plan["passes"].as_bool() != Some(true) {
        return Ok(Exit::Findings);
    }
    let id = plan["id"].as_str().unwrap_or_default();
    let answer = remote.post(&format!("/plans/{}/apply", segment(id)), &json!({}))?;
    emit(
        global,
        &outcome_line(
            &answer,
            &format!("Applied plan {} to {}", short(id), args.env),
        ),
        answer.clone(),
    );
    Ok(Exit::Success)
}

/// `flowgate approve --server`.
pub fn approve(remote: &Remote, args: &ApproveArgs, global: &GlobalArgs) -> CommandResult {
    let id = plan_id(&args.plan)?;
    let body = json!({ "role": args.role, "comment": args.comment });
    let answer = remote.post(&format!("/plans/{}/approve", segment(&id)), &body)?;
    emit(
        global,
        &outcome_line(&answer, &format!("Approved plan {}", short(&id))),
        answer.clone(),
    );
    Ok(Exit::Success)
}

/// `flowgate apply --server`.
pub fn apply(remote: &Remote, args: &ApplyArgs, global: &GlobalArgs) -> CommandResult {
    let id = plan_id(&args.plan)?;
    let answer = remote.post(&format!("/plans/{}/apply", segment(&id)), &json!({}))?;
    emit(
        global,
        &outcome_line(&answer, &format!("Applied plan {}", short(&id))),
        answer.clone(),
    );
    Ok(Exit::Success)
}

/// `flowgate rollback --server`.
pub fn rollback(remote: &Remote, args: &RollbackArgs, global: &GlobalArgs) -> CommandResult {
    if args.dry_run {
        return Err(CommandError::usage(
            "--dry-run is for rollbacks made locally",
            "run it without --server to see both versions",
        ));
    }
    let Some(bundle) = &args.bundle else {
        return Err(CommandError::usage(
            "with a server, say which bundle to roll back",
            "pass --bundle BUNDLE",
        ));
    };
    let body = json!({ "bundle": bundle, "to": args.to_version, "reason": args.reason, "force": args.force });
    let answer = remote.post(
        &format!("/environments/{}/rollback", segment(&args.env)),
        &body,
    )?;
    emit(
        global,
        &outcome_line(&answer, &format!("{} rolled back and pinned", args.env)),
        answer.clone(),
    );
    Ok(Exit::Success)
}

/// `flowgate pin --server` and `flowgate unpin --server`.
pub fn pin(remote: &Remote, args: &PinArgs, pinned: bool, global: &GlobalArgs) -> CommandResult {
    let action = if pinned { "pin" } else { "unpin" };
    let body = json!({ "reason": args.reason });
    let answer = remote.post(
        &format!("/environments/{}/{action}", segment(&args.env)),
        &body,
    )?;
    let done = format!(
        "{} is {}",
        args.env,
        if pinned { "pinned" } else { "unpinned" }
    );
    emit(global, &outcome_line(&answer, &done), answer.clone());
    Ok(Exit::Success)
}
