//! Entry conditions of record-triggered flows, and when a write provably cannot meet them.
//!
//! A record-triggered flow's `<start>` holds its entry conditions: `<filters>` (a field, an
//! operator, a value) combined by `<filterLogic>` (`and`, `or` or custom logic such as
//! `1 AND (2 OR 3)`), or a `<filterFormula>`; with
//! `<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>`
//! ("only when a record is updated to meet the condition requirements") an update starts
//! the flow only when the conditions were false before it and are true after it.
//!
//! What a Create or Update Records element sets is known when it names its fields: its
//! `<inputAssignments>`. A record variable it saves may carry any field, so nothing is known
//! then. In the same save, before-save flows on the object may set more fields; every field
//! such a flow assigns to `$Record` counts as written with an unknown value, and a flow that
//! replaces `$Record` as a whole makes every field unknown. Salesforce sets
//! `LastModifiedDate`, `LastModifiedById` and `SystemModstamp` on every update.

use super::cross_flow::{DmlOperation, Write};
use super::record_trigger::{flows_on_save, is_triggering_record, Timing};
use super::support::{is_true, Start};
use crate::CheckContext;
use flowgate_syntax::XmlElement;
use std::collections::{BTreeMap, BTreeSet};

/// Fields Salesforce sets on every update, whatever the update assigns.
const SYSTEM_FIELDS: &[&str] = &["lastmodifieddate", "lastmodifiedbyid", "systemmodstamp"];

/// Tags whose text names the variable an element writes into.
const WRITE_TAGS: &[&str] = &[
    "assignToReference",
    "outputReference",
    "assignNextValueToReference",
];

/// A literal value of a condition or of a field assignment.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Literal<'a> {
    Text(&'a str),
    Number(f64),
    Boolean(bool),
    Null,
}

impl<'a> Literal<'a> {
    /// The value of `holder`'s `<value>` if it is a literal: text, number, boolean, a
    /// `$GlobalConstant` of those, or nothing at all (null). `None` for a reference to a
    /// resource or a field, and for dates, whose comparison is not attempted.
    fn of(holder: &'a XmlElement) -> Option<Self> {
        let Some(value) = holder.child("value") else {
            return Some(Self::Null);
        };
        let [child] = value.children.as_slice() else {
            return value.children.is_empty().then_some(Self::Null);
        };
        let text = child.text_str().unwrap_or_default();
        match child.name.value.as_str() {
            "stringValue" => Some(Self::Text(text)),
            "numberValue" => text.trim().parse().ok().map(Self::Number),
            "booleanValue" => Some(Self::Boolean(is_true(text))),
            "elementReference" => Self::global_constant(text.trim()),
            _ => None,
        }
    }

    fn global_constant(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "$globalconstant.true" => Some(Self::Boolean(true)),
            "$globalconstant.false" => Some(Self::Boolean(false)),
            "$globalconstant.null" => Some(Self::Null),
            "$globalconstant.emptystring" => Some(Self::Text("")),
            _ => None,
        }
    }

    /// Whether the value is null or empty text.
    fn is_blank(self) -> bool {
        matches!(self, Self::Null | Self::Text(""))
    }
}

/// Whether `field <operator> required` is certainly false when the field holds `actual`.
/// Text is compared ignoring case for `EqualTo` (so "different" means different in any
/// case) and exactly for `NotEqualTo`; operators other than `EqualTo`, `NotEqualTo` and
/// `IsNull` are never known to fail.
fn certainly_fails(operator: &str, required: Literal<'_>, actual: Literal<'_>) -> bool {
    use Literal::{Boolean, Null, Number, Text};
    match (operator, required, actual) {
        ("EqualTo", Text(a), Text(b)) => !a.eq_ignore_ascii_case(b),
        ("EqualTo", Number(a), Number(b)) => a != b,
        ("EqualTo", Boolean(a), Boolean(b)) => a != b,
        ("EqualTo", Text(a), Null) => !a.is_empty(),
        ("EqualTo", Number(_), Null) => true,
        ("NotEqualTo", Text(a), Text(b)) => a == b,
        ("NotEqualTo", Number(a), Number(b)) => a == b,
        ("NotEqualTo", Boolean(a), Boolean(b)) => a == b,
        ("NotEqualTo", Null, Null) => true,
        ("IsNull", Boolean(true), actual) => !actual.is_blank(),
        ("IsNull", Boolean(false), actual) => actual.is_blank(),
        _ => false,
    }
}

/// One entry condition: `<filters>` of the `<start>` element.
#[derive(Debug)]
struct Condition<'a> {
    /// The field, lower case.
    field: String,
    operator: &'a str,
    /// The value, when it is a literal.
    value: Option<Literal<'a>>,
}

/// A record-triggered flow's entry conditions, as far as they can be reasoned about.
#[derive(Debug, Default)]
pub(super) struct EntryConditions<'a> {
    conditions: Vec<Condition<'a>>,
    /// The conditions that must all hold (indexes), when the logic is a conjunction.
    required: Option<Vec<usize>>,
    /// Whether a formula decides instead (`<filterFormula>`): nothing is known then.
    formula: bool,
    /// "Only when a record is updated to meet the condition requirements".
    only_when_changed: bool,
}

impl<'a> EntryConditions<'a> {
    /// The entry conditions of a flow's `<start>`.
    pub fn of(start: Start<'a>) -> Self {
        let conditions: Vec<Condition<'a>> = start
            .filters()
            .map(|filter| Condition {
                field: filter
                    .child_text("field")
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase(),
                operator: filter.child_text("operator").unwrap_or_default().trim(),
                value: Literal::of(filter),
            })
            .collect();
        let logic = start.filter_logic().map(|logic| logic.value.as_str());
        Self {
            required: conjunction(logic, conditions.len()),
            conditions,
            formula: start.filter_formula().is_some(),
            only_when_changed: start
                .xml
                .child_text("doesRequireRecordChangedToMeetCriteria")
                .is_some_and(is_true),
        }
    }

    /// Whether records saved by `write`, which sets `written`, certainly do not start the
    /// flow (see [`rules_out`](Self::rules_out)).
    fn ruled_out(&self, operation: DmlOperation, written: &Written<'_>) -> bool {
        if self.formula || self.conditions.is_empty() {
            return false;
        }
        self.contradicted(written)
            || (operation == DmlOperation::Update
                && (self.left_unchanged(written) || self.change_not_made(written)))
    }

    /// A condition that must hold is certainly false on the values the write sets.
    fn contradicted(&self, written: &Written<'_>) -> bool {
        self.required_conditions().any(|condition| {
            let (Some(required), Some(Some(actual))) =
                (condition.value, written.fields.get(&condition.field))
            else {
                return false;
            };
            certainly_fails(condition.operator, required, *actual)
        })
    }

    /// The flow runs only when an update makes its conditions true, and the write touches
    /// no field they test: they are as true or false as before.
    fn left_unchanged(&self, written: &Written<'_>) -> bool {
        self.only_when_changed
            && self.conditions.iter().all(|condition| {
                condition.value.is_some()
                    && !condition.field.is_empty()
                    && !condition.field.contains('.')
                    && !written.fields.contains_key(&condition.field)
            })
    }

    /// A condition that must hold is "`field` is changed", and the write leaves the field
    /// alone.
    fn change_not_made(&self, written: &Written<'_>) -> bool {
        self.required_conditions().any(|condition| {
            condition.operator == "IsChanged"
                && condition.value == Some(Literal::Boolean(true))
                && !condition.field.is_empty()
                && !written.fields.contains_key(&condition.field)
        })
    }

    fn required_conditions(&self) -> impl Iterator<Item = &Condition<'a>> {
        self.required
            .iter()
            .flatten()
            .filter_map(|&i| self.conditions.get(i))
    }

    /// Whether `write`, a write of `writer` (its `<Flow>` root), certainly does not start a
    /// flow with these entry conditions, given what before-save flows set in the same save.
    pub fn rules_out(
        &self,
        write: &Write<'_>,
        writer: &XmlElement,
        before_save: &BeforeSaveWrites,
    ) -> bool {
        let Some(object) = write.object else {
            return false;
        };
        Written::of(write, writer, object, before_save)
            .is_some_and(|written| self.ruled_out(write.operation, &written))
    }
}

/// The conditions (indexes) that must all hold under `logic`, if it is a conjunction: `and`,
/// custom logic made of numbers and `AND` only, or a single condition without logic.
fn conjunction(logic: Option<&str>, count: usize) -> Option<Vec<usize>> {
    let Some(logic) = logic.map(str::trim) else {
        return (count == 1).then(|| vec![0]);
    };
    if logic.eq_ignore_ascii_case("and") {
        return Some((0..count).collect());
    }
    let spaced = logic.replace(['(', ')'], " ");
    let mut required = Vec::new();
    for token in spaced.split_whitespace() {
        if token.eq_ignore_ascii_case("and") {
            continue;
        }
        let number: usize = token.parse().ok()?;
        required.push(number.checked_sub(1)?);
    }
    Some(required)
}

/// The fields a save sets, lower case, with their values when literal.
struct Written<'a> {
    fields: BTreeMap<String, Option<Literal<'a>>>,
}

impl<'a> Written<'a> {
    /// What saving the records of `write` (on `object`) sets: the write's own assignments,
    /// the fields before-save flows on the object assign (values unknown) and, on update,
    /// the system fields. `None` when some field may be set without being named.
    fn of(
        write: &Write<'a>,
        writer: &'a XmlElement,
        object: &str,
        before_save: &BeforeSaveWrites,
    ) -> Option<Self> {
        let mut fields = assignments(write, writer)?;
        for field in before_save.fields(object)? {
            fields.insert(field.clone(), None);
        }
        if write.operation == DmlOperation::Update {
            for field in SYSTEM_FIELDS {
                fields.insert((*field).to_owned(), None);
            }
        }
        Some(Self { fields })
    }
}

/// The fields a Create or Update Records element sets, with their values when literal:
/// its `<inputAssignments>` when it saves the records it filters or creates
/// (`<object>`) or the triggering record (`$Record`, plus every field the flow assigns to
/// `$Record`). `None` when it saves a record variable, which may carry any field.
fn assignments<'a>(
    write: &Write<'a>,
    writer: &'a XmlElement,
) -> Option<BTreeMap<String, Option<Literal<'a>>>> {
    let xml = write.element.xml;
    let mut fields: BTreeMap<String, Option<Literal<'a>>> = xml
        .children_named("inputAssignments")
        .filter_map(|assignment| {
            let field = assignment.child_text("field")?.trim().to_ascii_lowercase();
            Some((field, Literal::of(assignment)))
        })
        .collect();
    match xml.child_text("inputReference") {
        None => Some(fields),
        Some(input) if is_triggering_record(input) && !fields.is_empty() => {
            for field in record_fields_set(writer)? {
                fields.insert(field, None);
            }
            Some(fields)
        }
        Some(_) => None,
    }
}

/// The fields of `$Record` a flow sets anywhere (assignments, output assignments, Update
/// Records of `$Record`), lower case; `None` when it replaces `$Record` as a whole.
fn record_fields_set(root: &XmlElement) -> Option<BTreeSet<String>> {
    let mut fields = BTreeSet::new();
    for xml in root.descendants() {
        let tag = xml.name.value.as_str();
        if WRITE_TAGS.contains(&tag) {
            let target = xml.text_str().unwrap_or_default().trim();
            if is_triggering_record(target) {
                return None;
            }
            if let Some(field) = record_field(target) {
                fields.insert(field);
            }
        } else if tag == "recordUpdates"
            && xml
                .child_text("inputReference")
                .is_some_and(is_triggering_record)
        {
            fields.extend(
                xml.children_named("inputAssignments")
                    .filter_map(|a| a.child_text("field"))
                    .map(|field| field.trim().to_ascii_lowercase()),
            );
        }
    }
    Some(fields)
}

/// `field` (lower case) for a reference to `$Record.field`; `None` for anything else,
/// fields of related records included.
fn record_field(reference: &str) -> Option<String> {
    let (head, field) = reference.split_once('.')?;
    (is_triggering_record(head) && !field.contains('.')).then(|| field.to_ascii_lowercase())
}

/// The fields that before-save flows of the workspace set on the records of each object.
#[derive(Debug, Default)]
pub(super) struct BeforeSaveWrites {
    /// Object (lower case) → the fields set (lower case), or `None` when a flow replaces
    /// `$Record` as a whole.
    by_object: BTreeMap<String, Option<BTreeSet<String>>>,
}

impl BeforeSaveWrites {
    /// Read every before-save flow that runs on create or update.
    pub fn of_workspace(ctx: &CheckContext<'_>) -> Self {
        let mut by_object: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
        for (_, _, root, trigger) in flows_on_save(ctx, Timing::BeforeSave) {
            let Some(object) = trigger.object else {
                continue;
            };
            let entry = by_object
                .entry(object.to_ascii_lowercase())
                .or_insert_with(|| Some(BTreeSet::new()));
            match (entry.as_mut(), record_fields_set(root)) {
                (Some(all), Some(fields)) => all.extend(fields),
                _ => *entry = None,
            }
        }
        Self { by_object }
    }

    /// The fields before-save flows set on `object`'s records; `None` when any field may be
    /// set.
    fn fields(&self, object: &str) -> Option<&BTreeSet<String>> {
        static NONE: BTreeSet<String> = BTreeSet::new();
        match self.by_object.get(&object.to_ascii_lowercase()) {
            None => Some(&NONE),
            Some(fields) => fields.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Literal::{Boolean, Null, Number, Text};

    #[test]
    fn only_certainly_false_conditions_fail() {
        assert!(certainly_fails("EqualTo", Text("Accepted"), Text("Draft")));
        assert!(!certainly_fails(
            "EqualTo",
            Text("Accepted"),
            Text("accepted")
        ));
        assert!(certainly_fails("EqualTo", Boolean(true), Boolean(false)));
        assert!(certainly_fails("EqualTo", Number(3.0), Null));
        assert!(!certainly_fails("EqualTo", Text(""), Null));
        assert!(!certainly_fails("EqualTo", Boolean(true), Null));
        assert!(!certainly_fails("EqualTo", Text("1"), Number(1.0)));
        assert!(certainly_fails("NotEqualTo", Text("Draft"), Text("Draft")));
        assert!(!certainly_fails("NotEqualTo", Text("Draft"), Text("draft")));
        assert!(certainly_fails("IsNull", Boolean(true), Text("x")));
        assert!(certainly_fails("IsNull", Boolean(false), Null));
        assert!(!certainly_fails("GreaterThan", Number(3.0), Number(1.0)));
    }

    #[test]
    fn conjunctions_name_the_conditions_that_must_hold() {
        assert_eq!(conjunction(Some("and"), 3), Some(vec![0, 1, 2]));
        assert_eq!(conjunction(None, 1), Some(vec![0]));
        assert_eq!(conjunction(None, 2), None);
        assert_eq!(conjunction(Some("or"), 2), None);
        assert_eq!(conjunction(Some("1 AND (2 and 3)"), 3), Some(vec![0, 1, 2]));
        assert_eq!(conjunction(Some("1 AND (2 OR 3)"), 3), None);
        assert_eq!(conjunction(Some("NOT 1"), 1), None);
        assert_eq!(conjunction(Some("0 AND 1"), 1), None);
    }

    #[test]
    fn fields_of_the_triggering_record() {
        assert_eq!(record_field("$Record.Status__c"), Some("status__c".into()));
        assert_eq!(record_field("$Record.Account.Name"), None);
        assert_eq!(record_field("$Record__Prior.Status__c"), None);
        assert_eq!(record_field("Other.Status__c"), None);
    }
}
