//! The rules reference page (`docs/rules.md`), generated from the registry.

use crate::{registry, rule_doc, Category};
use std::fmt::Write as _;

/// Where the generated page lives, relative to the repository root.
pub const REFERENCE_PATH: &str = "docs/rules.md";

/// The Markdown reference of every rule: an index table, then each rule's documentation.
pub fn rules_reference() -> String {
    let mut out = String::from(
        "# Check rules\n\n<!-- Generated from the rule sources by `flowgate-check`; do not edit. Regenerate with\n     FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-check --test reference -->\n\n`flowgate check` runs these rules; `flowgate rule CODE` prints one of these pages.\nSeverities are defaults: change them per rule and per environment in `[check]` of\n`flowgate.toml` (see docs/checks.md).\n\n",
    );
    for category in Category::ALL {
        let rules: Vec<_> = registry::all()
            .iter()
            .filter(|r| r.meta().category == category)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {} ({}xx)\n", title(category), category.prefix());
        out.push_str("| code | name | severity | flags |\n|---|---|---|---|\n");
        for rule in &rules {
            let meta = rule.meta();
            let _ = writeln!(
                out,
                "| [{}](#{}) | `{}` | {} | {} |",
                meta.code,
                meta.code.to_lowercase(),
                meta.name,
                meta.default_severity,
                meta.summary
            );
        }
        out.push('\n');
    }
    for rule in registry::all() {
        let meta = rule.meta();
        let _ = writeln!(
            out,
            "## {}\n\n`{}` · {} · default severity: {}{}\n",
            meta.code,
            meta.name,
            meta.category,
            meta.default_severity,
            meta.peer
                .map(|p| format!(" · Lightning Flow Scanner: `{p}`"))
                .unwrap_or_default()
        );
        let doc = rule_doc(meta).replace("\n## ", "\n#### ");
        let doc = doc
            .strip_prefix("## ")
            .map_or(doc.clone(), |d| format!("#### {d}"));
        out.push_str(doc.trim_end());
        out.push_str("\n\n");
    }
    out
}

fn title(category: Category) -> &'static str {
    match category {
        Category::Logic => "Logic",
        Category::Compliance => "Compliance",
        Category::DataModel => "Data model",
        Category::Messaging => "Messaging",
        Category::Integrations => "Integrations",
        Category::Hygiene => "Release hygiene",
        Category::Flows => "Platform flows",
        Category::Salesforce => "Salesforce flows",
    }
}
