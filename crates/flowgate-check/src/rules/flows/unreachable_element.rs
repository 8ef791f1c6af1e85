use super::support::{describe, flow_noun, FlowGraph};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::{Dialect, ElementKind};

declare_rule! {
    /// ## What it does
    /// Flags flow elements that no path from where the flow starts leads to:
    ///
    /// - Salesforce: elements no connector, decision outcome, loop path, scheduled path or
    ///   fault path leads to from the start element.
    /// - n8n: nodes no connection leads to from a trigger or an Error Trigger node. AI
    ///   sub-nodes (models, memories, tools) count as reached when the node that uses them
    ///   is.
    /// - Node-RED: nodes no wire or link leads to from an input node (`inject`, `http in`,
    ///   `mqtt in`, `catch`, `status`, …, the input of a subflow). Unwired nodes of
    ///   contributed packages are taken as input nodes, since their type does not tell
    ///   whether they have an input port.
    ///
    /// Comments and sticky notes, disabled nodes and flows without any start are left alone.
    ///
    /// ## Why is this bad?
    /// The element never runs. Whatever it was meant to do (update a record, notify a
    /// channel, respond to a request) silently does not happen, while the canvas still
    /// shows it and reviewers assume it does. It is usually left over after a connector was
    /// moved, or a new element was added and never connected.
    ///
    /// ## Example
    /// ```xml
    /// <start>
    ///     <connector><targetReference>Set_Owner</targetReference></connector>
    /// </start>
    /// <assignments>
    ///     <name>Set_Owner</name>              <!-- reached -->
    /// </assignments>
    /// <recordUpdates>
    ///     <name>Update_Case</name>            <!-- nothing leads here -->
    /// </recordUpdates>
    /// ```
    ///
    /// ## How to fix
    /// Connect the element from the element before it, or delete it if it is left over:
    /// ```xml
    /// <assignments>
    ///     <name>Set_Owner</name>
    ///     <connector><targetReference>Update_Case</targetReference></connector>
    /// </assignments>
    /// ```
    /// In n8n and Node-RED, disabling a node you keep for later also silences this rule.
    pub struct UnreachableElement {
        code: "FG701",
        name: "unreachable-element",
        category: Flows,
        severity: Warning,
        summary: "a flow element that no path from the flow's start reaches",
        peer: "UnconnectedElement",
    }
}

impl Rule for UnreachableElement {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow) in ctx.flows() {
            let graph = FlowGraph::new(flow);
            let starts = graph.starts();
            if starts.is_empty() {
                continue;
            }
            let reachable = graph.reachable_from(&starts, |_| true);
            let (from, help) = match flow.dialect {
                Dialect::Salesforce => (
                    "no path from the start leads to it",
                    "connect it from the element that should run before it (a connector, decision \
                     outcome or fault path), or delete it if it is left over",
                ),
                Dialect::N8n => (
                    "no connection from a trigger leads to it",
                    "connect it to the node that should run before it, or delete it; disable it \
                     if you keep it for later",
                ),
                Dialect::NodeRed => (
                    "no wire or link from an input node leads to it",
                    "wire it to the node that should send it messages, or delete it; disable it \
                     if you keep it for later",
                ),
            };
            for (i, element) in flow.elements.iter().enumerate() {
                if reachable[i] || element.disabled || element.kind == ElementKind::Note {
                    continue;
                }
                sink.report(
                    asset,
                    element.id.span,
                    format!(
                        "{} of {} `{}` never runs: {from}",
                        describe(flow, element),
                        flow_noun(flow),
                        asset.id.value
                    ),
                )
                .help(help)
                .element(element.id.value.clone());
            }
        }
    }
}
