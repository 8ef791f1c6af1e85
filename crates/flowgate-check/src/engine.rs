//! Running the rules: severity and selection from configuration, exceptions, scoping to
//! changed assets, and turning findings into located diagnostics.

use crate::config::CheckConfig;
use crate::context::{CheckContext, Sink};
use crate::registry;
use flowgate_diagnostics::{sort_diagnostics, Diagnostic, SourceMap};
use flowgate_model::{AssetId, Model};
use rayon::prelude::*;
use std::collections::BTreeSet;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions<'a> {
    /// The environment the check is for (its severity overrides apply).
    pub environment: Option<&'a str>,
    /// Every environment name, in promotion order.
    pub environments: &'a [String],
    /// Report only findings on these assets (`--changed-since`); `None` reports all.
    pub only: Option<&'a BTreeSet<AssetId>>,
}

/// The result of a check run.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Findings, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings switched off by an exception: `(rule code, asset id, reason)`.
    pub suppressed: Vec<(String, String, String)>,
    /// How many rules ran.
    pub rules_run: usize,
    /// The codes of the rules that ran, in registry order.
    pub rules: Vec<&'static str>,
}

/// Run every selected rule over the model.
pub fn check(
    model: &Model,
    sources: &SourceMap,
    config: &CheckConfig,
    options: &CheckOptions<'_>,
) -> CheckReport {
    let ctx = CheckContext::new(
        model,
        sources,
        config,
        options.environment,
        options.environments,
    );
    let mut report = CheckReport::default();
    let selected: Vec<_> = registry::all()
        .iter()
        .filter_map(|rule| {
            config
                .effective_severity(rule.meta(), options.environment)
                .map(|severity| (*rule, severity))
        })
        .collect();
    report.rules_run = selected.len();
    report.rules = selected.iter().map(|(rule, _)| rule.meta().code).collect();
    for ((rule, severity), findings) in selected.iter().zip(run_rules(&ctx, &selected)) {
        let meta = rule.meta();
        let Some(findings) = findings else {
            report.diagnostics.push(
                Diagnostic::error(
                    meta.code,
                    format!(
                        "internal error: rule {} stopped unexpectedly, so its findings are missing",
                        meta.name
                    ),
                )
                .with_help(
                    "this is a bug in flowgate: please report it with the workspace if you can",
                ),
            );
            continue;
        };
        for finding in findings {
            if options
                .only
                .is_some_and(|only| !only.contains(&finding.asset))
            {
                continue;
            }
            if let Some(exception) =
                config.exception_for(meta, finding.asset.as_str(), finding.element.as_deref())
            {
                report.suppressed.push((
                    meta.code.to_owned(),
                    finding.asset.to_string(),
                    exception.reason.clone(),
                ));
                continue;
            }
            let Some(asset) = model.get(&finding.asset) else {
                continue;
            };
            let mut diagnostic =
                Diagnostic::new(meta.code, *severity, finding.message).with_label(meta.name);
            diagnostic.secrets = finding.secrets;
            if let Some(location) = ctx.locate(asset, finding.span) {
                diagnostic = diagnostic.with_location(location);
            }
            if let Some(help) = finding.help {
                diagnostic = diagnostic.with_help(help);
            }
            for (id, span, message) in finding.related {
                if let Some(location) = model.get(&id).and_then(|a| ctx.locate(a, span)) {
                    diagnostic = diagnostic.with_related(location, message);
                }
            }
            report.diagnostics.push(diagnostic);
        }
    }
    sort_diagnostics(&mut report.diagnostics);
    report.suppressed.sort();
    report
}

/// Run the rules on every core, keeping their order: rules only read the model, so they
/// share it.
/// A rule that panics yields `None`, reported as an internal error rather than as "clean".
fn run_rules(
    ctx: &CheckContext<'_>,
    rules: &[(&'static dyn crate::Rule, flowgate_diagnostics::Severity)],
) -> Vec<Option<Vec<crate::Finding>>> {
    rules
        .par_iter()
        .map(|(rule, _)| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut sink = Sink::new();
                rule.check(ctx, &mut sink);
                sink.into_findings()
            }))
            .ok()
        })
        .collect()
}
