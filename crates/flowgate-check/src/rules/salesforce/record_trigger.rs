//! Record-triggered flows: the object and save timing that start them, and the Update
//! Records elements that write back to the records of that object (the triggering record
//! itself, records a Get Records found, records matched by filters).

use super::support::{child_text, is_true, start, SfElement, Start};
use crate::CheckContext;
use flowgate_diagnostics::Span;
use flowgate_model::flow::Flow;
use flowgate_model::Asset;
use flowgate_syntax::XmlElement;

/// The global variable that holds the record a record-triggered flow runs for.
const TRIGGERING_RECORD: &str = "$Record";

/// When a record-triggered flow runs, relative to the save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timing {
    /// `RecordBeforeSave`: fast field updates, before the record is written.
    BeforeSave,
    /// `RecordAfterSave`: after the record is written, in the same transaction.
    AfterSave,
    /// `RecordBeforeDelete`.
    BeforeDelete,
}

/// How a record-triggered flow starts, read from its `<start>`.
#[derive(Debug, Clone, Copy)]
pub(super) struct RecordTrigger<'a> {
    /// The `<start>` element.
    pub start: Start<'a>,
    /// `<triggerType>`.
    pub timing: Timing,
    /// `<object>`, trimmed.
    pub object: Option<&'a str>,
    /// `<recordTriggerType>`, trimmed: `Create`, `Update`, `CreateAndUpdate` or `Delete`.
    pub event: Option<&'a str>,
}

impl RecordTrigger<'_> {
    /// Whether the flow runs when a record is created or updated (not deleted).
    pub fn on_save(&self) -> bool {
        matches!(self.event, Some("Create" | "Update" | "CreateAndUpdate"))
    }

    /// Whether the flow runs when a record is updated.
    pub fn on_update(&self) -> bool {
        matches!(self.event, Some("Update" | "CreateAndUpdate"))
    }

    /// "`Case` record" (or "record" when the object is unknown), for messages.
    pub fn record(&self) -> String {
        self.object.map_or_else(
            || "record".to_owned(),
            |object| format!("`{object}` record"),
        )
    }

    /// "`Case` records" (or "records"), for messages.
    pub fn records(&self) -> String {
        format!("{}s", self.record())
    }

    /// Where to point at the trigger: the `<recordTriggerType>` text, else the
    /// `<triggerType>` text.
    pub fn span(&self) -> Span {
        child_text(self.start.xml, "recordTriggerType")
            .or_else(|| child_text(self.start.xml, "triggerType"))
            .map_or(self.start.xml.name.span, |text| text.span)
    }

    /// "runs after `Case` records are created or updated", for related locations.
    pub fn describe(&self) -> String {
        let when = if self.timing == Timing::AfterSave {
            "after"
        } else {
            "before"
        };
        let event = match (self.timing, self.event) {
            (Timing::BeforeDelete, _) | (_, Some("Delete")) => "deleted",
            (_, Some("Create")) => "created",
            (_, Some("Update")) => "updated",
            (_, Some("CreateAndUpdate")) => "created or updated",
            _ => "saved",
        };
        format!("runs {when} {} are {event}", self.records())
    }
}

/// The record trigger of a flow whose `<start>` has a record `<triggerType>`.
pub(super) fn record_trigger(root: &XmlElement) -> Option<RecordTrigger<'_>> {
    let start = start(root)?;
    let timing = match start.trigger_type()?.value.trim() {
        "RecordBeforeSave" => Timing::BeforeSave,
        "RecordAfterSave" => Timing::AfterSave,
        "RecordBeforeDelete" => Timing::BeforeDelete,
        _ => return None,
    };
    Some(RecordTrigger {
        start,
        timing,
        object: start.object().map(|object| object.value.trim()),
        event: start.record_trigger_type().map(|event| event.value.trim()),
    })
}

/// The Salesforce flows that run with `timing` when a record is created or updated, with
/// their trigger.
pub(super) fn flows_on_save<'a>(
    ctx: &CheckContext<'a>,
    timing: Timing,
) -> impl Iterator<Item = (&'a Asset, &'a Flow, &'a XmlElement, RecordTrigger<'a>)> + 'a {
    ctx.salesforce_flows()
        .filter_map(move |(asset, flow, root)| {
            let trigger = record_trigger(root)?;
            (trigger.timing == timing && trigger.on_save()).then_some((asset, flow, root, trigger))
        })
}

/// Whether a reference is the triggering record itself (`$Record`, not one of its fields or
/// related records such as `$Record.Account`).
pub(super) fn is_triggering_record(reference: &str) -> bool {
    reference.trim().eq_ignore_ascii_case(TRIGGERING_RECORD)
}

/// Which records of the triggering object an Update Records element writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UpdateTarget<'a> {
    /// The triggering record: `<inputReference>$Record</inputReference>`, or the
    /// triggering object filtered by `Id` equal to `$Record.Id`.
    TriggeringRecord,
    /// Records of the triggering object stored by the Get Records element named here
    /// (`<inputReference>` is the lookup or its output variable).
    LookedUp(&'a str),
    /// Records of the triggering object matched by the element's own filters.
    Filtered,
}

/// What `update` (a `recordUpdates` element) writes among the records of the triggering
/// object, if anything; `lookups` are the flow's `recordLookups` elements.
pub(super) fn update_target<'a>(
    update: &SfElement<'a>,
    trigger: &RecordTrigger<'_>,
    lookups: &[SfElement<'a>],
) -> Option<UpdateTarget<'a>> {
    let same_object = |object: Option<&str>| match (object, trigger.object) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b),
        _ => false,
    };
    if let Some(input) = update.xml.child_text("inputReference") {
        if is_triggering_record(input) {
            return Some(UpdateTarget::TriggeringRecord);
        }
        let input = input.trim();
        return lookups
            .iter()
            .find(|lookup| {
                same_object(lookup.xml.child_text("object"))
                    && lookup_outputs(lookup).any(|output| output.eq_ignore_ascii_case(input))
            })
            .map(|lookup| UpdateTarget::LookedUp(lookup.name()));
    }
    if !same_object(update.xml.child_text("object")) {
        return None;
    }
    if update
        .xml
        .children_named("filters")
        .any(filters_on_record_id)
    {
        Some(UpdateTarget::TriggeringRecord)
    } else {
        Some(UpdateTarget::Filtered)
    }
}

/// The names under which a Get Records element's records can be referenced as a whole: the
/// element itself when it stores its output automatically, else its `<outputReference>`.
fn lookup_outputs<'a>(lookup: &SfElement<'a>) -> impl Iterator<Item = &'a str> {
    let automatic = lookup
        .xml
        .child_text("storeOutputAutomatically")
        .is_some_and(is_true)
        .then(|| lookup.name());
    let variable = lookup.xml.child_text("outputReference").map(str::trim);
    automatic.into_iter().chain(variable)
}

/// Whether a `<filters>` condition is `Id` equal to `$Record.Id`.
fn filters_on_record_id(filter: &XmlElement) -> bool {
    let field = filter.child_text("field").map(str::trim);
    let operator = filter.child_text("operator").map(str::trim);
    let value = filter
        .child("value")
        .and_then(|value| value.child_text("elementReference"))
        .map(str::trim);
    field.is_some_and(|f| f.eq_ignore_ascii_case("Id"))
        && operator == Some("EqualTo")
        && value.is_some_and(|v| v.eq_ignore_ascii_case("$Record.Id"))
}
