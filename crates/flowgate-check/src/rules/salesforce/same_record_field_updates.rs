use super::record_trigger::{flows_on_save, update_target, Timing, UpdateTarget};
use super::support::{elements, flow_display_name};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Update Records elements that update the triggering record
    /// (`<inputReference>$Record</inputReference>`) in a before-save record-triggered flow
    /// (`RecordBeforeSave`, on create, update or both).
    ///
    /// This is what Lightning Flow Scanner's `SameRecordFieldUpdates` checks. Update Records
    /// on `$Record` in an *after-save* flow is a different problem, a second save of the
    /// record, and is reported by `recursive-after-update` (FG811).
    ///
    /// ## Why is this bad?
    /// A before-save flow changes the record before Salesforce writes it: assigning values to
    /// `$Record` fields is all it takes, and it is the fast-field-update idiom every reviewer
    /// recognises. An Update Records element reads as a second write of the record (a DML
    /// with its own limits and automation) and hides which fields change among the element's
    /// settings. If the flow is ever switched to after-save, the element silently becomes a
    /// real second save that re-runs every trigger on the record.
    ///
    /// ## Example
    /// ```xml
    /// <recordUpdates>
    ///     <name>Set_Rating</name>
    ///     <inputAssignments>
    ///         <field>Rating</field>
    ///         <value><stringValue>Hot</stringValue></value>
    ///     </inputAssignments>
    ///     <inputReference>$Record</inputReference>
    /// </recordUpdates>
    /// <start>
    ///     <object>Account</object>
    ///     <recordTriggerType>Create</recordTriggerType>
    ///     <triggerType>RecordBeforeSave</triggerType>
    /// </start>
    /// ```
    ///
    /// ## How to fix
    /// Replace the element with an Assignment to the fields of `$Record`:
    /// ```xml
    /// <assignments>
    ///     <name>Set_Rating</name>
    ///     <assignmentItems>
    ///         <assignToReference>$Record.Rating</assignToReference>
    ///         <operator>Assign</operator>
    ///         <value><stringValue>Hot</stringValue></value>
    ///     </assignmentItems>
    /// </assignments>
    /// ```
    pub struct SameRecordFieldUpdates {
        code: "FG812",
        name: "same-record-field-updates",
        category: Salesforce,
        severity: Warning,
        summary: "a before-save Salesforce flow updates the triggering record with Update Records instead of assigning to $Record",
        peer: "SameRecordFieldUpdates",
    }
}

impl Rule for SameRecordFieldUpdates {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root, trigger) in flows_on_save(ctx, Timing::BeforeSave) {
            for update in elements(flow, root)
                .iter()
                .filter(|e| e.tag() == "recordUpdates")
            {
                if update_target(update, &trigger, &[]) != Some(UpdateTarget::TriggeringRecord) {
                    continue;
                }
                sink.report(
                    asset,
                    update.name_span(),
                    format!(
                        "`{}` in before-save flow `{}` updates the triggering {} with Update Records; assigning to `$Record` fields does the same",
                        update.name(),
                        flow_display_name(ctx, asset),
                        trigger.record()
                    ),
                )
                .help("replace the Update Records element with an Assignment to the `$Record` fields it sets")
                .related(asset, trigger.span(), format!("the flow {}", trigger.describe()))
                .element(update.name());
            }
        }
    }
}
