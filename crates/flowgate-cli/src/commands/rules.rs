//! `flowgate rule CODE` and `flowgate rules`.

use crate::cli::{Format, GlobalArgs, RuleArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output;
use flowgate_check::{registry, rule_doc, RuleMeta};
use flowgate_diagnostics::Diagnostic;
use flowgate_load::codes::{self, CodeDoc};

/// Version of the JSON document `flowgate rule --format json` writes (see docs/json.md).
const RULE_JSON_VERSION: u32 = 1;

/// A rule's metadata as JSON fields, as both `flowgate rule` and `flowgate rules` write them.
fn meta_json(meta: &RuleMeta) -> serde_json::Map<String, serde_json::Value> {
    let fields = serde_json::json!({
        "code": meta.code,
        "name": meta.name,
        "category": meta.category.as_str(),
        "severity": meta.default_severity.as_str(),
        "summary": meta.summary,
        "lightning_flow_scanner": meta.peer,
    });
    match fields {
        serde_json::Value::Object(fields) => fields,
        _ => serde_json::Map::new(),
    }
}

/// `flowgate rule CODE`: the rule by code, name or Lightning Flow Scanner name, or the page
/// of a loader or configuration code (`FG003`, `FG015`).
pub fn explain(args: &RuleArgs, global: &GlobalArgs) -> CommandResult {
    if let Some(code) = codes::find(&args.rule) {
        explain_code(code, global);
        return Ok(Exit::Success);
    }
    let Some(rule) = registry::find(&args.rule) else {
        if let Some(check) = flowgate_contract::checks::find(&args.rule) {
            super::contract::explain(check, global);
            return Ok(Exit::Success);
        }
        return Err(unknown_rule(&args.rule));
    };
    let meta = rule.meta();
    match global.format {
        Format::Json => {
            let mut value = serde_json::Map::new();
            value.insert("version".to_owned(), serde_json::json!(RULE_JSON_VERSION));
            value.extend(meta_json(meta));
            value.insert("doc".to_owned(), serde_json::json!(rule_doc(meta)));
            output::out(&format!("{:#}\n", serde_json::Value::Object(value)));
        }
        _ => output::out(&format!(
            "{} {} ({}, default severity: {}){}\n\n{}\n",
            meta.code,
            meta.name,
            meta.category,
            meta.default_severity,
            meta.peer
                .map(|peer| format!("\nLightning Flow Scanner: {peer}"))
                .unwrap_or_default(),
            rule_doc(meta).trim_end()
        )),
    }
    Ok(Exit::Success)
}

/// A loader or configuration code's page: what it means, an example, how to fix it.
fn explain_code(code: &CodeDoc, global: &GlobalArgs) {
    match global.format {
        Format::Json => {
            let value = serde_json::json!({
                "version": RULE_JSON_VERSION,
                "code": code.code,
                "name": null,
                "category": "loading",
                "severity": "error",
                "summary": code.summary,
                "lightning_flow_scanner": null,
                "doc": code.doc,
            });
            output::out(&format!("{value:#}\n"));
        }
        _ => output::out(&format!(
            "{} ({}, reported by the loader, the configuration readers and the commands)\n\n{}\n",
            code.code,
            code.summary,
            code.doc.trim_end()
        )),
    }
}

/// The error for a key no rule answers to, with the closest rules.
fn unknown_rule(key: &str) -> CommandError {
    let listed =
        "`flowgate rules` lists every code and name; Lightning Flow Scanner names work too";
    let help = match registry::closest(key) {
        Some(close) => format!("{close} {listed}"),
        None => listed.to_owned(),
    };
    CommandError::from_diagnostic(
        ErrorKind::Usage,
        Diagnostic::error(codes::UNKNOWN_RULE, format!("no rule `{key}`")).with_help(help),
    )
}

/// `flowgate rules`.
pub fn list(global: &GlobalArgs) -> CommandResult {
    let rules = registry::all();
    match global.format {
        Format::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| serde_json::Value::Object(meta_json(r.meta())))
                .collect();
            let document = serde_json::json!({"version": RULE_JSON_VERSION, "rules": list});
            output::out(&format!("{document:#}\n"));
        }
        _ => {
            let width = rules.iter().map(|r| r.meta().name.len()).max().unwrap_or(0);
            let mut text = String::new();
            for rule in rules {
                let meta = rule.meta();
                text.push_str(&format!(
                    "{}  {:width$}  {:15}  {:7}  {}\n",
                    meta.code,
                    meta.name,
                    meta.category.as_str(),
                    meta.default_severity.as_str(),
                    meta.summary,
                ));
            }
            text.push_str(&format!(
                "\n{} rules. `flowgate rule CODE` explains one.\n",
                rules.len()
            ));
            output::out(&text);
        }
    }
    Ok(Exit::Success)
}
