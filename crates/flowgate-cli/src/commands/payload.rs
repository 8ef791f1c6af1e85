//! `flowgate payload infer|diff`: payload drift of an integration from captured payloads.

use crate::cli::{Format, GlobalArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output::{emit, inert, out};
use crate::payload_args::{InferArgs, PayloadCommand, PayloadDiffArgs};
use flowgate_payload::schema::to_json_schema;
use flowgate_payload::{diff, infer, Change, InferError, Shape};
use serde_json::json;
use std::path::Path;

/// `flowgate payload …`.
pub fn run(command: &PayloadCommand, global: &GlobalArgs) -> CommandResult {
    match command {
        PayloadCommand::Infer(args) => infer_schema(args, global),
        PayloadCommand::Diff(args) => compare(args, global),
    }
}

fn read(path: &Path) -> Result<(Shape, u64), CommandError> {
    infer(path).map_err(|e| match e {
        InferError::Io { .. } => CommandError::new(
            ErrorKind::Usage,
            e.to_string(),
            "give a readable JSON Lines file: one captured payload per line",
        ),
        InferError::Json { .. } => CommandError::new(
            ErrorKind::Usage,
            e.to_string(),
            "each line must hold one JSON value; fix or remove that line",
        ),
    })
}

fn infer_schema(args: &InferArgs, global: &GlobalArgs) -> CommandResult {
    let (shape, records) = read(&args.samples)?;
    let schema = to_json_schema(&shape, records);
    match global.format {
        Format::Json => out(&format!(
            "{:#}\n",
            json!({ "version": 1, "file": args.samples.display().to_string(), "records": records, "schema": schema })
        )),
        _ => out(&format!("{schema:#}\n")),
    }
    Ok(Exit::Success)
}

fn compare(args: &PayloadDiffArgs, global: &GlobalArgs) -> CommandResult {
    let (before, before_records) = read(&args.before)?;
    let (after, after_records) = read(&args.after)?;
    let changes = diff(&before, &after);
    let breaking = changes.iter().filter(|c| c.kind.breaking()).count();
    let mut text = format!(
        "{} ({before_records} records) → {} ({after_records} records): {} change(s), {breaking} that may break a consumer\n",
        args.before.display(),
        args.after.display(),
        changes.len()
    );
    let width = changes.iter().map(|c| c.path.len()).max().unwrap_or(0);
    for change in &changes {
        text.push_str(&line(change, width));
    }
    let items: Vec<_> = changes
        .iter()
        .map(|c| json!({ "kind": c.kind, "breaking": c.kind.breaking(), "path": c.path, "detail": c.detail, "count": c.count, "example": c.example }))
        .collect();
    emit(
        global,
        &text,
        json!({
            "version": 1,
            "before": { "file": args.before.display().to_string(), "records": before_records },
            "after": { "file": args.after.display().to_string(), "records": after_records },
            "changes": items,
        }),
    );
    Ok(if breaking > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}

fn line(change: &Change, width: usize) -> String {
    let kind = serde_json::to_value(change.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let example = change
        .example
        .map(|n| format!(" (first: line {n})"))
        .unwrap_or_default();
    format!(
        "  {} {kind:<21} {:<width$}  {}{example}\n",
        if change.kind.breaking() { "✗" } else { "·" },
        inert(&change.path),
        inert(&change.detail)
    )
}
