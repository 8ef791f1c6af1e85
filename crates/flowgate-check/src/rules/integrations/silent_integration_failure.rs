use super::support::integrations;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::{PartialFailure, RecordFailure};

declare_rule! {
    /// ## What it does
    /// Flags the ways an integration fails without anyone noticing:
    /// - no error handling documented at all;
    /// - errors are logged, but nobody is alerted;
    /// - failed records are skipped and never retried;
    /// - a run where some records failed is reported as a success.
    ///
    /// ## Why is this bad?
    /// A silent failure is found weeks later, by a customer or an auditor: orders missing in
    /// the ERP, a price list half applied. Upgrades multiply such failures exactly when
    /// attention is elsewhere.
    ///
    /// ## Example
    /// ```yaml
    /// errors:
    ///   log: var/log/dropship.log
    ///   on_record_failure: skip
    ///   partial_failure: succeed
    /// ```
    ///
    /// ## How to fix
    /// ```yaml
    /// errors:
    ///   retries: { max: 5, backoff: exponential, initial: 1m }
    ///   dead_letter: table:dropship_export_failed
    ///   alert: email:purchasing@acme-outdoor.example
    ///   on_record_failure: dead_letter
    ///   partial_failure: fail
    /// ```
    pub struct SilentIntegrationFailure {
        code: "FG511",
        name: "silent-integration-failure",
        category: Integrations,
        severity: Warning,
        summary: "an integration can fail without anyone being told",
    }
}

impl Rule for SilentIntegrationFailure {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, integration) in integrations(ctx) {
            let id = &asset.id.value;
            let Some(errors) = &integration.errors else {
                sink.report(
                    asset,
                    asset.id.span,
                    format!("integration `{id}` does not document what happens when it fails"),
                )
                .help("add `errors:` with retries, a dead letter, an alert and what a partial failure does");
                continue;
            };
            let e = &errors.value;
            let alerted = e.alert.is_some()
                || integration
                    .observability
                    .as_ref()
                    .is_some_and(|o| !o.alerts.is_empty());
            if e.log.is_some() && !alerted {
                sink.report(
                    asset,
                    errors.span,
                    format!("integration `{id}` logs its errors but alerts nobody"),
                )
                .help("add `errors.alert: …` (pager, chat channel or mailbox): a log nobody reads is silence");
            }
            if let Some(failure) = &e.on_record_failure {
                if failure.value == RecordFailure::Skip && e.retries.is_none() {
                    sink.report(
                        asset,
                        failure.span,
                        format!("integration `{id}` skips records that fail and never retries them"),
                    )
                    .help("retry them (`retries:`) or park them for replay (`on_record_failure: dead_letter` with `dead_letter:`)");
                }
            }
            if let Some(partial) = &e.partial_failure {
                if partial.value == PartialFailure::Succeed {
                    sink.report(
                        asset,
                        partial.span,
                        format!("integration `{id}` reports a run where records failed as a success"),
                    )
                    .help("set `partial_failure: fail` (or `rollback`) so a partly failed run is seen");
                }
            }
        }
    }
}
