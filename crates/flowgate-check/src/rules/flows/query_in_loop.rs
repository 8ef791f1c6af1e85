use super::support::{report_work_in_loops, LoopWork};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::ElementKind;

declare_rule! {
    /// ## What it does
    /// Flags elements that read records (Salesforce Get Records) inside the body of a loop:
    /// on a path from the loop's "For Each Item" connector back to the loop. An element from
    /// which every path ends the flow instead runs at most once per loop, and is not
    /// flagged.
    ///
    /// ## Why is this bad?
    /// Each pass through the loop is a separate SOQL query. A Salesforce transaction allows
    /// 100 of them, shared with every other automation of the save: the flow passes its
    /// tests with a handful of records and fails on a bulk update, rolling back the whole
    /// transaction. It is also slow: one round trip per item instead of one for all.
    ///
    /// ## Example
    /// ```xml
    /// <loops>
    ///     <name>Each_Opportunity</name>
    ///     <nextValueConnector><targetReference>Get_Owner</targetReference></nextValueConnector>
    /// </loops>
    /// <recordLookups>
    ///     <name>Get_Owner</name>                       <!-- one query per opportunity -->
    ///     <connector><targetReference>Each_Opportunity</targetReference></connector>
    ///     <object>User</object>
    /// </recordLookups>
    /// ```
    ///
    /// ## How to fix
    /// Get all the records you need once, before the loop (filter with the `In` operator on
    /// a collection of ids), and pick the matching one inside the loop with a Decision or a
    /// collection filter.
    pub struct QueryInLoop {
        code: "FG705",
        name: "query-in-loop",
        category: Flows,
        severity: Error,
        summary: "a flow queries records once per item of a loop",
        peer: "SOQLQueryInLoop",
    }
}

/// What this rule looks for.
const WORK: LoopWork = LoopWork {
    applies: |_, element| element.kind == ElementKind::RecordRead,
    salesforce_cost: "every item costs a SOQL query, and a transaction allows 100",
    cost: "every item is a separate query",
    help: "get the records once before the loop (filter with `In` on a collection of ids) and \
           pick the matching record inside the loop",
};

impl Rule for QueryInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        report_work_in_loops(ctx, sink, &WORK);
    }
}
