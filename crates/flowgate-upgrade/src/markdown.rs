//! The upgrade plan as a Markdown page for the team running the upgrade.

use crate::plan::UpgradePlan;
use std::fmt::Write as _;

/// Text people wrote, on one line, with HTML and Markdown escaped (a table cell included).
fn cell(text: &str) -> String {
    flowgate_model::markdown::escape(&text.replace(['\n', '\r'], " "))
}

/// Text people wrote as a code span: nothing inside is Markdown, so only backticks and line
/// breaks are replaced.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'").replace(['\n', '\r'], " "))
}

/// The plan as Markdown: a summary table, the phases, then each integration's changes and
/// validation steps.
pub fn markdown(plan: &UpgradePlan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Upgrade plan: {} {} → {}\n",
        cell(&plan.system),
        cell(&plan.from),
        cell(&plan.to)
    );
    let _ = writeln!(
        out,
        "{} schema change(s) and {} API change(s) between the versions; {} integration(s) touch {}.\n",
        plan.schema_changes,
        plan.api_changes,
        plan.integrations.len(),
        cell(&plan.system)
    );
    for (old, new) in &plan.api_contracts {
        let _ = writeln!(
            out,
            "API contract compared: {} → {}\n",
            code(old),
            code(new)
        );
    }
    let _ = writeln!(out, "| integration | phase | writes | columns used | API calls | changes on what it uses | breaking |\n|---|---|---|---|---|---|---|");
    for i in &plan.integrations {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&i.integration),
            i.phase,
            if i.writes { "yes" } else { "no" },
            i.uses.len(),
            i.api_calls.len(),
            i.schema_changes.len() + i.api_changes.len(),
            i.breaking
        );
    }
    out.push_str("\n## Phases\n\n");
    for phase in &plan.phases {
        let _ = writeln!(
            out,
            "{}. **{}**: {}",
            phase.number,
            phase.title,
            phase
                .integrations
                .iter()
                .map(|i| cell(i))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for i in &plan.integrations {
        let _ = writeln!(out, "\n## {} ({})\n", cell(&i.name), cell(&i.integration));
        if i.schema_changes.is_empty() && i.api_changes.is_empty() {
            out.push_str("No schema or API change touches what it uses.\n");
        }
        for c in &i.schema_changes {
            let _ = writeln!(
                out,
                "- **{:?}** `{}` {}: {}",
                c.level,
                c.check,
                cell(&c.table),
                cell(&c.detail)
            );
        }
        for c in &i.api_changes {
            let field = c
                .field
                .as_deref()
                .map_or_else(String::new, |f| format!(" field {}", code(f)));
            let at = c
                .old
                .as_ref()
                .or(c.new.as_ref())
                .map_or_else(String::new, |l| {
                    format!(" ({}:{}:{})", cell(&l.path), l.start.line, l.start.column)
                });
            let _ = writeln!(
                out,
                "- **{}** `{}` {}{field}: {}{at}",
                if c.level == "breaking" {
                    "Breaking"
                } else {
                    "Warning"
                },
                c.check,
                code(&c.operation),
                cell(&c.message)
            );
        }
        for p in &i.problems {
            let _ = writeln!(out, "- **problem**: {}", cell(&p.message));
        }
        if !i.validation.is_empty() {
            out.push_str("\nValidate:\n\n");
            for (n, step) in i.validation.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", n + 1, cell(step));
            }
        }
    }
    out
}
