//! `flowgate status`: what each environment holds.

use super::store::with_promotions;
use crate::cli::GlobalArgs;
use crate::error::CommandResult;
use crate::exit::Exit;
use crate::output::emit;
use serde_json::json;

/// `flowgate status`.
pub fn run(global: &GlobalArgs) -> CommandResult {
    with_promotions(global, |session| async move {
        let statuses = match session.promotions().status().await {
            Ok(statuses) => statuses,
            Err(e) => return (session, Err(super::promote::release_error(e))),
        };
        let mut text = String::new();
        for env in &session.policy.environments {
            let held: Vec<_> = statuses.iter().filter(|s| s.env == env.name).collect();
            text.push_str(&format!(
                "{}{}\n",
                env.name,
                match held.first().and_then(|s| s.pinned.as_ref()) {
                    Some(pin) =>
                        format!("  [pinned by {} since {}: {}]", pin.by, pin.at, pin.reason),
                    None => String::new(),
                }
            ));
            if held.is_empty() {
                text.push_str("  (nothing applied yet)\n");
            }
            for s in held {
                text.push_str(&format!(
                    "  {} {}{}  snapshot {}  {} by {} at {}\n",
                    s.bundle,
                    s.version,
                    s.release_id
                        .as_ref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default(),
                    s.snapshot.short(),
                    s.by_operation.as_deref().unwrap_or("set"),
                    s.by.as_deref().unwrap_or("?"),
                    s.at.as_deref().unwrap_or("?"),
                ));
                if let (Some(target), Some(elsewhere)) = (&s.target, &s.elsewhere) {
                    text.push_str(&format!(
                        "    target {target}: not checked here, {elsewhere}\n"
                    ));
                } else if let Some(target) = &s.target {
                    if s.drift.is_empty() {
                        text.push_str(&format!("    target {target}: in sync\n"));
                    } else {
                        text.push_str(&format!("    target {target}: DRIFT\n"));
                        for d in &s.drift {
                            text.push_str(&format!("      {d}\n"));
                        }
                    }
                }
            }
        }
        let drifted = statuses.iter().any(|s| !s.drift.is_empty());
        emit(
            global,
            &text,
            json!({ "version": 1, "environments": statuses, "drift": drifted }),
        );
        let exit = if drifted {
            Exit::Findings
        } else {
            Exit::Success
        };
        (session, Ok(exit))
    })
}
