use super::support::{child_span, child_text, flow_display_name, start};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags record-triggered Salesforce flows (before save, after save, before delete)
    /// without a `<triggerOrder>`.
    ///
    /// Lightning Flow Scanner's `TriggerOrder` flags every autolaunched flow whose `<start>`
    /// names an object, which includes scheduled and platform-event flows; Salesforce only
    /// orders record-triggered flows, so only those are flagged here.
    ///
    /// ## Why is this bad?
    /// When several flows fire on the same object and timing, the trigger order decides which
    /// runs first, and so which one sees the other's changes. Without it, the order is left to
    /// Salesforce's tie-breaking rules, and adding or renaming an unrelated flow can silently
    /// change what this one does.
    ///
    /// ## Example
    /// ```xml
    /// <start>
    ///     <object>Opportunity</object>
    ///     <recordTriggerType>Update</recordTriggerType>
    ///     <triggerType>RecordAfterSave</triggerType>
    /// </start>
    /// ```
    ///
    /// ## How to fix
    /// Give the flow a priority (1 to 2000, lower runs first); leave gaps (10, 20, 30 …)
    /// so that flows can be inserted later:
    /// ```xml
    ///     <triggerOrder>20</triggerOrder>
    /// ```
    pub struct TriggerOrder {
        code: "FG813",
        name: "trigger-order",
        category: Salesforce,
        severity: Info,
        summary: "a record-triggered Salesforce flow has no trigger order",
        peer: "TriggerOrder",
    }
}

impl Rule for TriggerOrder {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, _, root) in ctx.salesforce_flows() {
            let Some(start) = start(root).filter(|s| s.is_record_triggered()) else {
                continue;
            };
            if child_text(root, "triggerOrder").is_some_and(|t| !t.value.trim().is_empty()) {
                continue;
            }
            let on = start
                .object()
                .map(|object| format!(" on `{}`", object.value.trim()))
                .unwrap_or_default();
            sink.report(
                asset,
                child_span(start.xml, "triggerType"),
                format!(
                    "record-triggered flow `{}`{on} has no trigger order, so its place among the other flows{on} is not fixed",
                    flow_display_name(ctx, asset)
                ),
            )
            .help("add `<triggerOrder>` with a priority such as 10, 20, 30 (lower runs first), leaving gaps for later flows");
        }
    }
}
