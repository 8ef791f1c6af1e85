//! Running the rules: severity and selection from configuration, exceptions, scoping to
//! changed assets, and turning findings into located diagnostics.

use crate::config::CheckConfig;
use crate::context::{CheckContext, Sink};
use crate::registry;
use flowgate_diagnostics::{sort_diagnostics, Diagnostic, SourceMap};
use flowgate_model::{AssetId, Model};
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
    for rule in registry::all() {
        let meta = rule.meta();
        let Some(severity) = config.effective_severity(meta, options.environment) else {
            continue;
        };
        report.rules_run += 1;
        let mut sink = Sink::new();
        rule.check(&ctx, &mut sink);
        for finding in sink.into_findings() {
            if options
                .only
                .is_some_and(|only| !only.contains(&finding.asset))
            {
                continue;
            }
            if let Some(exception) = config.exception_for(meta, finding.asset.as_str()) {
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
                Diagnostic::new(meta.code, severity, finding.message).with_label(meta.name);
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
