//! `flowgate rule CODE` and `flowgate rules`.

use crate::cli::{Format, GlobalArgs, RuleArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_check::{registry, rule_doc, RuleMeta};

fn meta_json(meta: &RuleMeta) -> serde_json::Value {
    serde_json::json!({
        "code": meta.code,
        "name": meta.name,
        "category": meta.category.as_str(),
        "severity": meta.default_severity.as_str(),
        "summary": meta.summary,
    })
}

/// `flowgate rule CODE`.
pub fn explain(args: &RuleArgs, global: &GlobalArgs) -> Exit {
    let Some(rule) = registry::find(&args.rule) else {
        output::err(&format!(
            "error: no rule `{}`\n  = help: `flowgate rules` lists every code and name\n",
            args.rule
        ));
        return Exit::BadInput;
    };
    let meta = rule.meta();
    match global.format {
        Format::Json => {
            let mut value = meta_json(meta);
            value["doc"] = serde_json::json!(rule_doc(meta));
            output::out(&format!("{value:#}\n"));
        }
        _ => output::out(&format!(
            "{} {} ({}, default severity: {})\n\n{}\n",
            meta.code,
            meta.name,
            meta.category,
            meta.default_severity,
            rule_doc(meta).trim_end()
        )),
    }
    Exit::Success
}

/// `flowgate rules`.
pub fn list(global: &GlobalArgs) -> Exit {
    let rules = registry::all();
    match global.format {
        Format::Json => {
            let list: Vec<_> = rules.iter().map(|r| meta_json(r.meta())).collect();
            output::out(&format!("{:#}\n", serde_json::json!(list)));
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
    Exit::Success
}
