//! `flowgate pull`: what an environment's platform runs now, against what the environment
//! holds, as a semantic diff.

use super::promote::release_error;
use super::rollback::bundle_of;
use super::store::{with_promotions, PromotionSession};
use crate::cli::{GlobalArgs, PullArgs};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output::emit;
use flowgate_diff::tree::Change;
use flowgate_release::{LiveReport, LiveStatus};
use serde_json::{json, Value};

/// The longest value shown on a change line.
const MAX_SHOWN: usize = 120;

/// `flowgate pull ENV [--bundle B]`: exit 0 when the platform runs what the environment holds,
/// 1 when it differs.
pub fn run(args: &PullArgs, global: &GlobalArgs) -> CommandResult {
    with_promotions(global, |session| async move {
        let result = async {
            let report = live_report(&session, &args.env, args.bundle.as_deref()).await?;
            emit(global, &human(&report), report_json(&report));
            Ok(if report.in_sync() {
                Exit::Success
            } else {
                Exit::Findings
            })
        }
        .await;
        (session, result)
    })
}

/// What the target of `env` runs of `bundle` (or of the one bundle `env` holds), against what
/// `env` holds.
pub async fn live_report(
    session: &PromotionSession,
    env: &str,
    bundle: Option<&str>,
) -> Result<LiveReport, CommandError> {
    session.environment(env)?;
    let bundle = bundle_of(session, env, bundle).await?;
    session
        .promotions()
        .live(env, &bundle)
        .await
        .map_err(release_error)
}

/// The versioned JSON of a live report (documented in docs/json.md).
pub fn report_json(report: &LiveReport) -> Value {
    json!({
        "version": 1,
        "env": report.env,
        "bundle": report.bundle,
        "holds": report.version,
        "snapshot": report.snapshot,
        "target": report.target,
        "deployed_snapshot": report.deployed_snapshot,
        "empty": report.empty,
        "in_sync": report.in_sync(),
        "files": report.files,
    })
}

fn human(report: &LiveReport) -> String {
    let mut out = format!(
        "{} in {} holds {} ({}); {}:\n",
        report.bundle,
        report.env,
        report.version,
        report.snapshot.short(),
        report.target
    );
    if report.empty {
        out.push_str("  the platform runs nothing of this bundle\n");
        out.push_str(&format!(
            "  Deploy it again: flowgate sync {}\n",
            report.env
        ));
        return out;
    }
    if report.files.is_empty() {
        out.push_str("  the platform runs exactly what the environment holds\n");
        return out;
    }
    for file in &report.files {
        let status = match file.status {
            LiveStatus::Added => "added on the platform",
            LiveStatus::Removed => "missing on the platform",
            LiveStatus::Modified => "changed on the platform",
        };
        out.push_str(&format!("  {}: {status}\n", file.path));
        for change in &file.changes {
            out.push_str(&format!("    {}\n", change_line(change)));
        }
    }
    out.push_str(&format!(
        "Keep these changes: flowgate adopt {env} --version NEXT   Undo them: flowgate sync {env}\n",
        env = report.env
    ));
    out
}

/// One change on one line: `path: old → new`.
fn change_line(change: &Change) -> String {
    match change {
        Change::Set { path, old, new, .. } => match (old, new) {
            (None, Some(new)) => format!("+ {path}: {}", shown(new)),
            (Some(old), None) => format!("- {path}: {}", shown(old)),
            (Some(old), Some(new)) => format!("~ {path}: {} → {}", shown(old), shown(new)),
            (None, None) => format!("~ {path}"),
        },
        Change::Order { path, .. } => format!("~ {path}: new order"),
    }
}

/// A value on one line, shortened.
fn shown(value: &Value) -> String {
    let text: String = value
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > MAX_SHOWN {
        let short: String = text.chars().take(MAX_SHOWN).collect();
        format!("{short}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_shortened_on_one_line() {
        let long = Value::from("x\n".repeat(200));
        let line = shown(&long);
        assert!(line.ends_with('…'));
        assert!(!line.contains('\n'));
        assert_eq!(line.chars().count(), MAX_SHOWN + 1);
    }
}
