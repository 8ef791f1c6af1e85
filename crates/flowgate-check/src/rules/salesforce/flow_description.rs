use super::support::{flow_display_name, flow_span, process_type};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

/// Process types the rule leaves alone: surveys (built in the survey builder, which has
/// no flow description) and Process Builder record processes (retired; see the
/// Process Builder rule).
const EXEMPT_PROCESS_TYPES: &[&str] = &["Survey", "Workflow"];

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flows without a `<description>` (or with an empty one). Surveys and
    /// Process Builder record processes (`processType` `Survey`, `Workflow`) are exempt.
    ///
    /// ## Why is this bad?
    /// The label says what a flow is called, not what it is for, what starts it, what it
    /// changes or who relies on it. Without a description, whoever has to change, debug or
    /// deactivate the flow must reverse-engineer it from the canvas, and the release review
    /// cannot tell whether a change matches the intent.
    ///
    /// ## Example
    /// ```xml
    /// <Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    ///     <apiVersion>60.0</apiVersion>
    ///     <label>Order Update</label>
    /// ```
    ///
    /// ## How to fix
    /// Describe the purpose, the trigger and the owner (Flow Builder: the flow's properties):
    /// ```xml
    ///     <description>Keeps the order status in sync with shipments. Started when a
    ///     Shipment__c changes. Owner: sales-ops.</description>
    /// ```
    pub struct FlowDescription {
        code: "FG804",
        name: "flow-description",
        category: Salesforce,
        severity: Error,
        summary: "a Salesforce flow has no description",
        peer: "FlowDescription",
    }
}

impl Rule for FlowDescription {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root) in ctx.salesforce_flows() {
            if flow
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty())
                || process_type(root)
                    .is_some_and(|t| EXEMPT_PROCESS_TYPES.contains(&t.value.trim()))
            {
                continue;
            }
            sink.report(
                asset,
                flow_span(root),
                format!(
                    "flow `{}` has no description",
                    flow_display_name(ctx, asset)
                ),
            )
            .help(
                "add a `<description>` saying what the flow is for, what starts it, what it \
                 changes and who owns it (Flow Builder: the flow's properties)",
            );
        }
    }
}
