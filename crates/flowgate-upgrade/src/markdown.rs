//! The upgrade plan as a Markdown page for the team running the upgrade.

use crate::plan::UpgradePlan;
use std::fmt::Write as _;

/// Text people wrote, on one line, with HTML and Markdown escaped (a table cell included).
fn cell(text: &str) -> String {
    flowgate_model::markdown::escape(&text.replace(['\n', '\r'], " "))
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
        "{} schema change(s) between the versions; {} integration(s) touch {}.\n",
        plan.schema_changes,
        plan.integrations.len(),
        cell(&plan.system)
    );
    let _ = writeln!(out, "| integration | phase | writes | uses | changes on what it uses | breaking |\n|---|---|---|---|---|---|");
    for i in &plan.integrations {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&i.integration),
            i.phase,
            if i.writes { "yes" } else { "no" },
            i.uses.len(),
            i.schema_changes.len(),
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
        if i.schema_changes.is_empty() {
            out.push_str("No schema change touches what it uses.\n");
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
