use super::support::{report_work_in_loops, LoopWork};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::ElementKind;

declare_rule! {
    /// ## What it does
    /// Flags elements that create, update or delete records (Salesforce Create Records,
    /// Update Records, Delete Records) inside the body of a loop: on a path from the loop's
    /// "For Each Item" connector back to the loop. An element from which every path ends
    /// the flow instead (a fault path that ends, a branch without a connector back) runs at
    /// most once per loop, and is not flagged.
    ///
    /// ## Why is this bad?
    /// Each pass through the loop is a separate DML statement. A Salesforce transaction
    /// allows 150 of them, and a record-triggered flow shares that budget with every other
    /// automation on the object: the flow works in a sandbox with five records and fails in
    /// production with a data load of two hundred, rolling back the whole save.
    ///
    /// ## Example
    /// ```xml
    /// <loops>
    ///     <name>Each_Account</name>
    ///     <collectionReference>Accounts</collectionReference>
    ///     <nextValueConnector><targetReference>Create_Case</targetReference></nextValueConnector>
    /// </loops>
    /// <recordCreates>
    ///     <name>Create_Case</name>                     <!-- one insert per account -->
    ///     <connector><targetReference>Each_Account</targetReference></connector>
    ///     <inputReference>NewCase</inputReference>
    /// </recordCreates>
    /// ```
    ///
    /// ## How to fix
    /// In the loop, add each record to a collection variable (an Assignment with the "Add"
    /// operator); after the loop ("After Last Item"), create, update or delete the whole
    /// collection with one element.
    pub struct DmlInLoop {
        code: "FG704",
        name: "dml-in-loop",
        category: Flows,
        severity: Error,
        summary: "a flow creates, updates or deletes records once per item of a loop",
        peer: "DMLStatementInLoop",
    }
}

/// What this rule looks for.
const WORK: LoopWork = LoopWork {
    applies: |_, element| {
        matches!(
            element.kind,
            ElementKind::RecordCreate | ElementKind::RecordUpdate | ElementKind::RecordDelete
        )
    },
    salesforce_cost: "every item costs a DML statement, and a transaction allows 150",
    cost: "every item is a separate database write",
    help: "collect the records in a collection variable inside the loop and create, update or \
           delete them with one element after the loop (its \"After Last Item\" path)",
};

impl Rule for DmlInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        report_work_in_loops(ctx, sink, &WORK);
    }
}
