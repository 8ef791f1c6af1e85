//! The rules reference page (`docs/rules.md`), generated from the registry.

use crate::{registry, rule_doc, Category, RuleMeta};
use std::fmt::Write as _;

/// Where the generated page lives, relative to the repository root.
pub const REFERENCE_PATH: &str = "docs/rules.md";

/// The Markdown reference of every rule: an index table, then each rule's documentation.
pub fn rules_reference() -> String {
    let mut out = String::from(
        "# Check rules\n\n<!-- Generated from the rule sources by `flowgate-check`; do not edit. Regenerate with\n     FLOWGATE_UPDATE_DOCS=1 cargo test -p flowgate-check --test it reference:: -->\n\n`flowgate check` runs these rules; `flowgate rule CODE` prints one of these pages.\nSeverities are defaults: change them per rule and per environment in `[check]` of\n`flowgate.toml` (see docs/checks.md).\n\n",
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
                "| {} | `{}` | {} | {} |",
                link(meta.code),
                meta.name,
                meta.default_severity,
                meta.summary
            );
        }
        out.push('\n');
    }
    out.push_str(&scanner_table());
    out.push_str(&loader_codes());
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

/// The rules that do the job of a Lightning Flow Scanner rule, by the scanner's name.
fn scanner_table() -> String {
    let mut peers: Vec<(&str, &RuleMeta)> = registry::all()
        .iter()
        .filter_map(|rule| rule.meta().peer.map(|peer| (peer, rule.meta())))
        .collect();
    peers.sort_by_key(|(peer, _)| peer.to_ascii_lowercase());
    let mut out = String::from(
        "## Lightning Flow Scanner\n\nThese rules do the job of a Lightning Flow Scanner rule and answer to its name \
         wherever a code is accepted: `flowgate rule DMLStatementInLoop`, and `select`, `ignore`, \
         `severity` and `exceptions` in `[check]`.\n\n| Lightning Flow Scanner | code | name |\n|---|---|---|\n",
    );
    for (peer, meta) in peers {
        let _ = writeln!(out, "| `{peer}` | {} | `{}` |", link(meta.code), meta.name);
    }
    out.push('\n');
    out
}

/// The loader and configuration codes (FG0xx) and their pages, as `flowgate rule FG015`
/// prints them: they are not rules (nothing selects or silences them), but they are codes
/// of the same table.
fn loader_codes() -> String {
    let mut out = String::from(
        "## Loading and configuration (FG0xx)\n\nThe loader and the configuration readers report these codes; they always run and \
         cannot be selected, ignored or waived. `flowgate rule FG015` prints a page.\n\n| code | reports |\n|---|---|\n",
    );
    for code in flowgate_load::codes::ALL {
        let _ = writeln!(out, "| {} | {} |", link(code.code), code.summary);
    }
    out.push('\n');
    for code in flowgate_load::codes::ALL {
        let doc = code.doc.replace("## ", "#### ");
        let _ = writeln!(out, "### {}\n\n{}\n", code.code, doc.trim_end());
    }
    out
}

/// A link to a code's section of the page: `[FG101](#fg101)`.
fn link(code: &str) -> String {
    format!("[{code}](#{})", code.to_lowercase())
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
