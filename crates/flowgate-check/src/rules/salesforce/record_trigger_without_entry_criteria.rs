use super::support::{flow_display_name, start};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::FlowTrigger;

declare_rule! {
    /// ## What it does
    /// Flags record-triggered Salesforce flows (a `<start>` with an `<object>` and a
    /// `<triggerType>` of `RecordBeforeSave` or `RecordAfterSave`) that have no entry
    /// conditions: no `<filters>` and no `<filterFormula>` on the start element (a
    /// `<filterLogic>` left without conditions narrows nothing). Such a flow runs on every
    /// save of every record of its object.
    ///
    /// Before-delete flows and Process Builder processes are not checked. Lightning Flow
    /// Scanner's beta rule `MissingFilterRecordTrigger` flags the same flows.
    ///
    /// ## Why is this bad?
    /// Every insert or update of the object, by a user, an integration, a data load or
    /// another automation, starts the flow, even when nothing it cares about changed. The
    /// work (and its queries and DML) counts against the governor limits of that
    /// transaction: bulk loads slow down or fail, and the flow's decisions end up doing the
    /// filtering that the entry conditions would have done for free.
    ///
    /// ## Example
    /// ```xml
    /// <start>
    ///     <connector><targetReference>Notify_Owner</targetReference></connector>
    ///     <object>Opportunity</object>
    ///     <recordTriggerType>CreateAndUpdate</recordTriggerType>
    ///     <triggerType>RecordAfterSave</triggerType>
    /// </start>
    /// ```
    ///
    /// ## How to fix
    /// Add entry conditions so that only the records the flow is for start it, and on
    /// updates only when they change to meet them:
    /// ```xml
    ///     <doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>
    ///     <filterLogic>and</filterLogic>
    ///     <filters>
    ///         <field>StageName</field>
    ///         <operator>EqualTo</operator>
    ///         <value><stringValue>Closed Won</stringValue></value>
    ///     </filters>
    /// ```
    pub struct RecordTriggerWithoutEntryCriteria {
        code: "FG816",
        name: "record-trigger-without-entry-criteria",
        category: Salesforce,
        severity: Warning,
        summary: "a record-triggered Salesforce flow has no entry conditions and runs on every save",
        peer: "MissingFilterRecordTrigger",
    }
}

impl Rule for RecordTriggerWithoutEntryCriteria {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root) in ctx.salesforce_flows() {
            let FlowTrigger::Record {
                object: Some(object),
                timing,
                event,
                has_entry_criteria,
            } = &flow.trigger
            else {
                continue;
            };
            let when = match timing.as_str() {
                "RecordBeforeSave" => "before",
                "RecordAfterSave" => "after",
                _ => continue,
            };
            // The model derives a record trigger for Process Builder processes too; only a
            // Flow Builder `<start>` has entry conditions to add. A `<filterLogic>` without
            // any condition narrows nothing.
            let Some(start) = start(root).filter(|s| s.trigger_type().is_some()) else {
                continue;
            };
            if *has_entry_criteria && start.has_entry_conditions() {
                continue;
            }
            let saved = match event.as_deref().map(str::trim) {
                Some("Create") => "created",
                Some("Update") => "updated",
                Some("Delete") => "deleted",
                _ => "created or updated",
            };
            sink.report(
                asset,
                start.xml.name.span,
                format!(
                    "record-triggered flow `{}` has no entry conditions: it runs {when} every `{object}` record is {saved}",
                    flow_display_name(ctx, asset)
                ),
            )
            .help(format!(
                "add entry conditions to `<start>` (`<filters>` with `<filterLogic>`, or a `<filterFormula>`) so that only the `{object}` records the flow is for start it{}",
                if saved.contains("updated") {
                    "; `<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>` also skips updates that change nothing it cares about"
                } else {
                    ""
                }
            ));
        }
    }
}
