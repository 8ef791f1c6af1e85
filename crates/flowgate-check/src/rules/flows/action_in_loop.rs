use super::support::{report_work_in_loops, LoopWork};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::Dialect;

/// The Salesforce elements that call an action or Apex.
const ACTION_TAGS: &[&str] = &["actionCalls", "apexPluginCalls"];

declare_rule! {
    /// ## What it does
    /// Flags Salesforce action calls (Action elements: Apex actions, quick actions, email
    /// alerts, external services, …, and legacy Apex plug-ins) inside the body of a loop: on
    /// a path from the loop's "For Each Item" connector back to the loop. An element from
    /// which every path ends the flow instead runs at most once per loop, and is not
    /// flagged.
    ///
    /// n8n is left alone: its Loop Over Items node exists to call a service once per batch
    /// (rate limits, pagination), so a call in its body is the point of the loop.
    ///
    /// ## Why is this bad?
    /// Each pass through the loop calls the action separately. Invocable Apex is built to
    /// take a list and do its queries and DML once; called per item, every call spends its
    /// own share of the transaction's 100 queries, 150 DML statements and 100 callouts, and
    /// a bulk update of a few hundred records fails.
    ///
    /// ## Example
    /// ```xml
    /// <loops>
    ///     <name>Each_Contact</name>
    ///     <nextValueConnector><targetReference>Score_Contact</targetReference></nextValueConnector>
    /// </loops>
    /// <actionCalls>
    ///     <name>Score_Contact</name>                   <!-- one Apex call per contact -->
    ///     <actionType>apex</actionType>
    ///     <connector><targetReference>Each_Contact</targetReference></connector>
    /// </actionCalls>
    /// ```
    ///
    /// ## How to fix
    /// Collect the inputs in a collection variable inside the loop and call the action once
    /// after the loop with the whole collection (an invocable method takes a `List`).
    pub struct ActionInLoop {
        code: "FG706",
        name: "action-in-loop",
        category: Flows,
        severity: Error,
        summary: "a Salesforce flow calls an action once per item of a loop",
        peer: "ActionCallsInLoop",
    }
}

/// What this rule looks for.
const WORK: LoopWork = LoopWork {
    applies: |flow, element| {
        flow.dialect == Dialect::Salesforce && ACTION_TAGS.contains(&element.platform_type.as_str())
    },
    salesforce_cost:
        "every item is a separate call, with its own share of the transaction's limits",
    cost: "every item is a separate call",
    help: "collect the inputs in a collection variable inside the loop and call the action once \
           after the loop with the whole collection",
};

impl Rule for ActionInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        report_work_in_loops(ctx, sink, &WORK);
    }
}
