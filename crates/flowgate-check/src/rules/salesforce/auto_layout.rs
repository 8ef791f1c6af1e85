use super::support::{
    flow_display_name, flow_span, is_process_builder, process_metadata_value, string_value,
};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

/// The canvas mode of auto-layout.
const AUTO_LAYOUT: &str = "AUTO_LAYOUT_CANVAS";

declare_rule! {
    /// ## What it does
    /// Flags Salesforce flows saved in Flow Builder (they carry `processMetadataValues`)
    /// whose `CanvasMode` is not `AUTO_LAYOUT_CANVAS`: free-form flows, and flows saved
    /// before auto-layout existed (no `CanvasMode` at all). Flows written without Flow
    /// Builder's metadata, and Process Builder processes, are left alone.
    ///
    /// ## Why is this bad?
    /// In auto-layout Flow Builder places, spaces and connects the elements itself, so
    /// every flow of the team reads top to bottom the same way, and a change never leaves an
    /// element lying on top of another one or a connector crossing the canvas. Free-form
    /// flows drift into layouts only their author can follow.
    ///
    /// ## Example
    /// ```xml
    /// <processMetadataValues>
    ///     <name>CanvasMode</name>
    ///     <value>
    ///         <stringValue>FREE_FORM_CANVAS</stringValue>
    ///     </value>
    /// </processMetadataValues>
    /// ```
    ///
    /// ## How to fix
    /// Open the flow in Flow Builder, switch the canvas to Auto-Layout and save:
    /// ```xml
    ///         <stringValue>AUTO_LAYOUT_CANVAS</stringValue>
    /// ```
    pub struct AutoLayout {
        code: "FG802",
        name: "auto-layout",
        category: Salesforce,
        severity: Info,
        summary: "a Salesforce flow is laid out free-form instead of with auto-layout",
        peer: "AutoLayout",
    }
}

impl Rule for AutoLayout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let help = "open the flow in Flow Builder, switch the canvas to Auto-Layout and save it";
        for (asset, _, root) in ctx.salesforce_flows() {
            // Process Builder has no auto-layout; flows without Flow Builder's metadata
            // were not laid out in it.
            if root.child("processMetadataValues").is_none() || is_process_builder(root) {
                continue;
            }
            let flow = flow_display_name(ctx, asset);
            let mode = process_metadata_value(root, "CanvasMode");
            match mode.and_then(string_value) {
                Some(value) if value.value.trim() == AUTO_LAYOUT => {}
                Some(value) => {
                    sink.report(
                        asset,
                        value.span,
                        format!(
                            "flow `{flow}` is laid out in canvas mode `{}`, not auto-layout",
                            value.value.trim()
                        ),
                    )
                    .help(help);
                }
                None => {
                    let span = mode.map_or_else(|| flow_span(root), |entry| entry.name.span);
                    sink.report(
                        asset,
                        span,
                        format!(
                            "flow `{flow}` has no `CanvasMode` process metadata value: it is \
                             laid out free-form, not with auto-layout"
                        ),
                    )
                    .help(help);
                }
            }
        }
    }
}
