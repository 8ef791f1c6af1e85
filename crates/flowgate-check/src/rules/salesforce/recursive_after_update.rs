use super::record_trigger::{flows_on_save, update_target, Timing, UpdateTarget};
use super::support::{elements, flow_display_name};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

/// What to do about updates of other records of the triggering object.
const NARROW_ENTRY_CONDITIONS: &str = "narrow the entry conditions (for example to records whose fields changed) so that this update cannot start the flow again";

declare_rule! {
    /// ## What it does
    /// Flags Update Records elements of after-save record-triggered flows (`RecordAfterSave`,
    /// on create, update or both) that write to records which run the flow again:
    ///
    /// - the triggering record (`<inputReference>$Record</inputReference>`, or the triggering
    ///   object filtered by `Id` equal to `$Record.Id`), whatever the trigger event: the
    ///   record is saved a second time;
    /// - when the flow runs on update, records of the triggering object that a Get Records
    ///   element stored (`<inputReference>` is the lookup or its output variable) or that the
    ///   element's own filters select on that object.
    ///
    /// Updates of related records (`$Record.Account`) and of other objects are not flagged.
    /// Lightning Flow Scanner's `RecursiveAfterUpdate` flags the first two cases (the lookup
    /// only by its element name); the filter case and the output variable are additions.
    ///
    /// ## Why is this bad?
    /// Updating the triggering record after it was saved starts a whole new save: validation
    /// rules, triggers, before-save and after-save flows run again, this one included. At
    /// best it costs a second DML and CPU time on every save; at worst the flow keeps
    /// re-triggering itself until Salesforce stops the transaction, and bulk loads fail.
    /// Updating other records of the same object from an update-triggered flow starts the
    /// flow for each of them in turn.
    ///
    /// ## Example
    /// ```xml
    /// <recordUpdates>
    ///     <name>Stamp_Last_Review</name>
    ///     <inputAssignments>
    ///         <field>Last_Review__c</field>
    ///         <value><elementReference>$Flow.CurrentDate</elementReference></value>
    ///     </inputAssignments>
    ///     <inputReference>$Record</inputReference>
    /// </recordUpdates>
    /// <start>
    ///     <object>Case</object>
    ///     <recordTriggerType>CreateAndUpdate</recordTriggerType>
    ///     <triggerType>RecordAfterSave</triggerType>
    /// </start>
    /// ```
    ///
    /// ## How to fix
    /// Set fields of the triggering record in a before-save flow, by assigning them to
    /// `$Record` (no DML at all). For other records of the same object, narrow the entry
    /// conditions (`<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>`,
    /// `ISCHANGED`) so that the update cannot start the flow again.
    pub struct RecursiveAfterUpdate {
        code: "FG811",
        name: "recursive-after-update",
        category: Salesforce,
        severity: Warning,
        summary: "an after-save Salesforce flow updates records that trigger it again",
        peer: "RecursiveAfterUpdate",
    }
}

impl Rule for RecursiveAfterUpdate {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root, trigger) in flows_on_save(ctx, Timing::AfterSave) {
            let all = elements(flow, root);
            let lookups: Vec<_> = all
                .iter()
                .filter(|e| e.tag() == "recordLookups")
                .copied()
                .collect();
            for update in all.iter().filter(|e| e.tag() == "recordUpdates") {
                let Some(target) = update_target(update, &trigger, &lookups) else {
                    continue;
                };
                let (what, consequence, help) = match target {
                    UpdateTarget::TriggeringRecord => (
                        format!("the {} that triggered it", trigger.record()),
                        if trigger.on_update() {
                            "the record is saved again and the flow runs again"
                        } else {
                            "the record is saved a second time, running every update automation on it"
                        },
                        "set these fields in a before-save flow by assigning them to `$Record`, which needs no DML",
                    ),
                    UpdateTarget::LookedUp(lookup) if trigger.on_update() => (
                        format!("{} found by `{lookup}`", trigger.records()),
                        "each of them starts the flow again",
                        NARROW_ENTRY_CONDITIONS,
                    ),
                    UpdateTarget::Filtered if trigger.on_update() => (
                        format!("{} selected by its filters", trigger.records()),
                        "each of them starts the flow again",
                        NARROW_ENTRY_CONDITIONS,
                    ),
                    UpdateTarget::LookedUp(_) | UpdateTarget::Filtered => continue,
                };
                sink.report(
                    asset,
                    update.name_span(),
                    format!(
                        "`{}` in after-save flow `{}` updates {what}: {consequence}",
                        update.name(),
                        flow_display_name(ctx, asset)
                    ),
                )
                .help(help)
                .related(
                    asset,
                    trigger.span(),
                    format!("the flow {}", trigger.describe()),
                )
                .element(update.name());
            }
        }
    }
}
