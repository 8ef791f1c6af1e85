use super::support::{flow_display_name, is_process_builder, process_type};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

/// What starts a Process Builder process of this `processType`.
fn started_by(process_type: &str) -> &'static str {
    match process_type {
        "CustomEvent" => "a platform event",
        "InvocableProcess" => "another process",
        _ => "a record change",
    }
}

declare_rule! {
    /// ## What it does
    /// Flags Process Builder processes: flow files whose `<processType>` is `Workflow`
    /// (started by a record change), `CustomEvent` (started by a platform event) or
    /// `InvocableProcess` (started by another process).
    ///
    /// Lightning Flow Scanner's `ProcessBuilder` rule flags `Workflow` only; the other two
    /// are Process Builder processes as well and are retired with it, so they are flagged too.
    ///
    /// ## Why is this bad?
    /// Salesforce has retired Process Builder: new processes cannot be created, existing ones
    /// get no fixes or support, and they run slower than record-triggered flows (each process
    /// re-evaluates every criteria node on every save). A release that still ships or changes
    /// a process carries automation nobody can support, and whose order against flows and
    /// triggers is hard to predict.
    ///
    /// ## Example
    /// ```xml
    /// <Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    ///     <label>Opportunity Stage Updates</label>
    ///     <processType>Workflow</processType>
    /// </Flow>
    /// ```
    ///
    /// ## How to fix
    /// Rebuild the process as a record-triggered flow (Setup → Migrate to Flow does most of
    /// it), test it, activate the flow and deactivate the process:
    /// ```xml
    ///     <processType>AutoLaunchedFlow</processType>
    ///     <start>
    ///         <object>Opportunity</object>
    ///         <recordTriggerType>Update</recordTriggerType>
    ///         <triggerType>RecordAfterSave</triggerType>
    ///     </start>
    /// ```
    pub struct ProcessBuilder {
        code: "FG810",
        name: "process-builder",
        category: Salesforce,
        severity: Warning,
        summary: "a Salesforce flow file is a Process Builder process (retired)",
        peer: "ProcessBuilder",
    }
}

impl Rule for ProcessBuilder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _, root) in ctx.salesforce_flows() {
            let Some(kind) = process_type(root).filter(|_| is_process_builder(root)) else {
                continue;
            };
            let started_by = started_by(kind.value.trim());
            sink.report(
                asset,
                kind.span,
                format!(
                    "`{}` is a Process Builder process (started by {started_by}); Process Builder is retired",
                    flow_display_name(ctx, asset)
                ),
            )
            .help("migrate it to a flow (Setup → Migrate to Flow), activate the flow and deactivate the process");
        }
    }
}
