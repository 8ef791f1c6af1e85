//! How `flowgate watch` reads to people: each checkpoint with its KPIs and what was done,
//! the next checkpoint, and the recorded results.

use crate::output::inert;
use chrono::{DateTime, Utc};
use flowgate_release::{Consequence, DueCheckpoint, RecordedCheckpoint};
use flowgate_watch::{Report, Verdict};
use serde_json::{json, Value};

/// One checkpoint evaluated: what was due, the report, and what recording it did.
pub struct Evaluated {
    /// The checkpoint.
    pub due: DueCheckpoint,
    /// The watch's report.
    pub report: Report,
    /// The operation recorded and its consequence (`None` with `--dry-run`).
    pub recorded: Option<(u64, Consequence)>,
}

impl Evaluated {
    /// Whether this checkpoint should make the command exit 1: a failed KPI, an unreadable
    /// source, or an action that could not be taken.
    pub fn alarming(&self) -> bool {
        matches!(self.report.verdict, Verdict::Fail | Verdict::Error)
            || matches!(self.recorded, Some((_, Consequence::Refused { .. })))
    }

    /// As `flowgate watch --format json` writes it.
    pub fn to_json(&self) -> Value {
        json!({
            "checkpoint": self.due,
            "verdict": self.report.verdict,
            "action": self.report.action,
            "summary": self.report.summary,
            "operation": self.recorded.as_ref().map(|(seq, _)| seq),
            "consequence": self.recorded.as_ref().map(|(_, c)| c),
            "report": self.report,
        })
    }
}

fn minute(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// One evaluated checkpoint: a heading, one line per KPI, and what followed.
pub fn checkpoint_text(done: &Evaluated) -> String {
    let due = &done.due;
    let report = &done.report;
    let mut text = format!(
        "{} · {} {} (released {}) · {} at {}: {}\n",
        due.env,
        due.bundle,
        due.version,
        minute(due.release_at),
        due.watch,
        due.checkpoint,
        report.verdict.as_str().to_uppercase()
    );
    let width = report.kpis.iter().map(|k| k.id.len()).max().unwrap_or(0);
    for kpi in &report.kpis {
        text.push_str(&format!(
            "  {:<12} {:<width$}  {}\n",
            kpi.judgement.verdict.as_str(),
            kpi.id,
            inert(&kpi.judgement.reason)
        ));
    }
    text.push_str(&consequence_text(done));
    text.push('\n');
    text
}

fn consequence_text(done: &Evaluated) -> String {
    let due = &done.due;
    let rollback = format!(
        "flowgate rollback {} --bundle {} --reason …",
        due.env, due.bundle
    );
    match &done.recorded {
        None => format!(
            "  → not recorded (--dry-run); it would ask: {}\n",
            serde_json::to_value(done.report.action)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ),
        Some((seq, consequence)) => {
            let line = match consequence {
                Consequence::Recorded => format!("recorded as operation #{seq}"),
                Consequence::Held => format!(
                    "recorded as operation #{seq}; the next promotion of {} {} is held until a \
                     later checkpoint passes",
                    due.bundle, due.version
                ),
                Consequence::Pinned {
                    seq: pin,
                    instead_of_rollback,
                } => format!(
                    "recorded as operation #{seq}; {} is pinned{}{}: roll back with `{rollback}`",
                    due.env,
                    pin.map(|p| format!(" (operation #{p})"))
                        .unwrap_or_else(|| " (it already was)".to_owned()),
                    instead_of_rollback
                        .as_ref()
                        .map(|why| format!(" instead of rolled back ({why})"))
                        .unwrap_or_default()
                ),
                Consequence::RolledBack {
                    seq: Some(back), ..
                } => format!(
                    "recorded as operation #{seq}; {} rolled back in {} (operation #{back}) and pinned",
                    due.bundle, due.env
                ),
                Consequence::RolledBack {
                    unchanged: why, ..
                } => format!(
                    "recorded as operation #{seq}; nothing rolled back: {}",
                    why.as_deref().unwrap_or("nothing earlier")
                ),
                Consequence::Refused { reason } => format!(
                    "recorded as operation #{seq}, but the {} was refused: {reason}",
                    match done.report.verdict {
                        Verdict::Fail => "pin or rollback",
                        _ => "action",
                    }
                ),
            };
            format!("  → {line}\n")
        }
    }
}

/// The line about the next checkpoint.
pub fn next_text(env: &str, next: Option<DateTime<Utc>>, dry_run: bool) -> String {
    let tail = if dry_run {
        " Nothing was recorded (--dry-run).\n"
    } else {
        "\n"
    };
    match next {
        Some(at) => format!("Next checkpoint in {env}: {}.{tail}", minute(at)),
        None => format!("No checkpoint left for {env}'s releases.{tail}"),
    }
}

/// The recorded results of an environment, newest first.
pub fn results_text(env: &str, results: &[RecordedCheckpoint]) -> String {
    if results.is_empty() {
        return format!("No watch results recorded for {env} yet; `flowgate watch {env}` evaluates the checkpoints due.\n");
    }
    let mut text = String::new();
    for r in results {
        text.push_str(&format!(
            "#{:<5} {}  {} {}  {} at {:<4}  {:<12}  {}\n",
            r.seq,
            r.recorded_at,
            r.bundle,
            r.version,
            r.watch,
            r.checkpoint,
            r.verdict,
            inert(&r.summary)
        ));
    }
    text
}
