//! Pre-flight checks: the release checklist as static rules.
//!
//! Each rule lives in its own file under `rules/<category>/`, declared with
//! [`declare_rule!`] (code, name, category, default severity, and a doc comment with
//! What / Why / Example / How to fix). [`check`] runs the selected rules and returns located
//! diagnostics; configuration comes from the `[check]` section of `flowgate.toml`.
#![forbid(unsafe_code)]

mod analysis;
pub mod codes;
mod config;
mod context;
mod engine;
mod reference;
pub mod registry;
mod rule;
pub mod rules;
mod secrets;

pub use config::{
    parse_check_config, unknown_selectors, CheckConfig, EnvironmentChecks, Exception, FailOn,
    FlowOptions, Level, SalesforceOptions, VersionRequirement,
};
pub use context::{reachable_steps, CheckContext, Finding, Sink};
pub use engine::{check, CheckOptions, CheckReport};
pub use reference::{rules_reference, REFERENCE_PATH};
pub use rule::{Category, Rule, RuleMeta};

/// A rule's documentation as Markdown (the doc comment without its leading spaces).
pub fn rule_doc(meta: &RuleMeta) -> String {
    meta.doc
        .lines()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rule metadata in the form the SARIF renderer takes.
pub fn rule_infos() -> Vec<flowgate_diagnostics::RuleInfo> {
    registry::all()
        .iter()
        .map(|r| {
            let meta = r.meta();
            flowgate_diagnostics::RuleInfo {
                code: meta.code.to_owned(),
                name: meta.name.to_owned(),
                summary: meta.summary.to_owned(),
                doc: rule_doc(meta),
                default_severity: meta.default_severity,
            }
        })
        .collect()
}
