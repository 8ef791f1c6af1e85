use super::support::{child_text, elements, flow_display_name, is_true, SfElement};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_syntax::XmlElement;
use std::collections::{HashMap, HashSet};

/// Resources whose value is computed from other resources and elements, so that using them
/// uses what they mention.
const DERIVED_RESOURCES: &[&str] = &["formulas", "textTemplates"];

/// Decision operators that test for "nothing there".
const NULL_OPERATORS: &[&str] = &["IsNull", "IsBlank", "IsEmpty"];

/// Global constants a condition compares with to test for "nothing there".
const NULL_CONSTANTS: &[&str] = &["$GlobalConstant.Null", "$GlobalConstant.EmptyString"];

/// Reference tags that write their variable rather than read it.
const WRITE_TAGS: &[&str] = &["outputReference", "assignNextValueToReference"];

declare_rule! {
    /// ## What it does
    /// Flags Get Records elements (`recordLookups`) whose result is used by an element that
    /// some path from the lookup reaches without passing through a decision that checks the
    /// result for null.
    ///
    /// - The result is the element itself (`storeOutputAutomatically`), its
    ///   `<outputReference>` variable or the variables of its `<outputAssignments>`.
    /// - A use is a reference to the result or one of its fields (`Get_Account`,
    ///   `Get_Account.Name`, `{!Get_Account.Name}`) in another element, directly or through
    ///   formulas and text templates built on it. Writing the whole variable is not a use.
    /// - Looping over the records found is not a use either: a loop whose
    ///   `<collectionReference>` is the collection result (a lookup with
    ///   `<getFirstRecordOnly>false</getFirstRecordOnly>` storing its output automatically,
    ///   or its `<outputReference>` collection variable) runs no iteration over an empty
    ///   collection. The elements the loop leads to are still checked.
    /// - A null check is a decision condition on the result or one of its fields with the
    ///   operator `IsNull`, `IsBlank` or `IsEmpty` (either answer: the decision routes both
    ///   cases), or `EqualTo` / `NotEqualTo` `$GlobalConstant.Null` (or `EmptyString`).
    ///
    /// Lightning Flow Scanner's `MissingNullHandler` accepts a check anywhere in the flow,
    /// only `IsNull` equal to false, and (in recent versions) skips lookups with a fault
    /// connector or without `assignNullValuesIfNoRecordsFound`; a fault connector does not
    /// fire when nothing is found, so neither is an exemption here, and the check must lie
    /// on the way from the lookup to the use.
    ///
    /// ## Why is this bad?
    /// When no record matches, Get Records does not fail: it returns null and the flow goes
    /// on. The next element that reads a field of the missing record, updates it or passes it
    /// to an action fails with an unhandled fault ("The flow tried to update these records:
    /// null"), or quietly works with blank values, sending an email to nobody or assigning
    /// nothing. It works in every test where the record exists.
    ///
    /// ## Example
    /// ```xml
    /// <recordLookups>
    ///     <name>Get_Account</name>
    ///     <connector><targetReference>Set_Name</targetReference></connector>
    ///     <object>Account</object>
    ///     <storeOutputAutomatically>true</storeOutputAutomatically>
    /// </recordLookups>
    /// <assignments>
    ///     <name>Set_Name</name>
    ///     <assignmentItems>
    ///         <assignToReference>Get_Account.Name</assignToReference>
    ///         <operator>Assign</operator>
    ///         <value><stringValue>Acme</stringValue></value>
    ///     </assignmentItems>
    /// </assignments>
    /// ```
    ///
    /// ## How to fix
    /// Put a decision between the lookup and its uses, and handle the "not found" outcome:
    /// ```xml
    /// <decisions>
    ///     <name>Account_Found</name>
    ///     <defaultConnector><targetReference>Report_Missing_Account</targetReference></defaultConnector>
    ///     <rules>
    ///         <name>Found</name>
    ///         <conditionLogic>and</conditionLogic>
    ///         <conditions>
    ///             <leftValueReference>Get_Account</leftValueReference>
    ///             <operator>IsNull</operator>
    ///             <rightValue><booleanValue>false</booleanValue></rightValue>
    ///         </conditions>
    ///         <connector><targetReference>Set_Name</targetReference></connector>
    ///     </rules>
    /// </decisions>
    /// ```
    pub struct MissingNullHandler {
        code: "FG809",
        name: "missing-null-handler",
        category: Salesforce,
        severity: Warning,
        summary: "a Salesforce flow uses the result of a Get Records without checking that something was found",
        peer: "MissingNullHandler",
    }
}

impl Rule for MissingNullHandler {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root) in ctx.salesforce_flows() {
            let all = elements(flow, root);
            let by_name: HashMap<&str, &SfElement<'_>> = all
                .iter()
                .map(|element| (element.name(), element))
                .collect();
            for lookup in all.iter().filter(|e| e.tag() == "recordLookups") {
                let results = Results::of(lookup, root);
                let Some((user, at)) = unguarded_use(lookup, &by_name, &results) else {
                    continue;
                };
                let object = child_text(lookup.xml, "object")
                    .map(|object| format!("`{}` ", object.value.trim()))
                    .unwrap_or_default();
                sink.report(
                    asset,
                    lookup.name_span(),
                    format!(
                        "`{}` in flow `{}` gets {object}records and `{}` uses the result, but no decision on the way checks that anything was found",
                        lookup.name(),
                        flow_display_name(ctx, asset),
                        user.name()
                    ),
                )
                .help(format!(
                    "add a decision after `{}` that tests `{}` with Is Null (or Is Blank) and route the not-found case away from `{}`",
                    lookup.name(),
                    results.names.first().copied().unwrap_or_else(|| lookup.name()),
                    user.name()
                ))
                .related(asset, at, format!("`{}` uses the result here", user.name()))
                .element(lookup.name());
            }
        }
    }
}

/// The names a Get Records element's result can be read under: the element (automatic
/// output), its output variable, the variables of its output assignments. The element's own
/// name comes first when it stores its output automatically, and is always accepted.
fn result_names<'a>(lookup: &SfElement<'a>) -> Vec<&'a str> {
    let variable = lookup.xml.child_text("outputReference").map(str::trim);
    let assigned = lookup
        .xml
        .children_named("outputAssignments")
        .filter_map(|assignment| assignment.child_text("assignToReference"))
        .map(str::trim);
    let mut names: Vec<&str> = variable.into_iter().chain(assigned).collect();
    if lookup.flag("storeOutputAutomatically") || names.is_empty() {
        names.insert(0, lookup.name());
    } else {
        names.push(lookup.name());
    }
    names
}

/// `results` plus the formulas and text templates computed from them, directly or through
/// one another.
fn derived_names<'a>(root: &'a XmlElement, results: &[&'a str]) -> Vec<&'a str> {
    let mut names = results.to_vec();
    let resources: Vec<(&str, &XmlElement)> = root
        .children
        .iter()
        .filter(|child| DERIVED_RESOURCES.contains(&child.name.value.as_str()))
        .filter_map(|child| child.child_text("name").map(|name| (name.trim(), child)))
        .collect();
    let mut added = true;
    while added {
        added = false;
        for (name, xml) in &resources {
            if !names.contains(name) && first_use(xml, &names).is_some() {
                names.push(name);
                added = true;
            }
        }
    }
    names
}

/// How a Get Records element's result can be read.
struct Results<'a> {
    /// The names of the result (see [`result_names`]).
    names: Vec<&'a str>,
    /// `names` plus the formulas and text templates computed from them.
    uses: Vec<&'a str>,
    /// The names under which the result is a collection of records.
    collections: Vec<&'a str>,
}

impl<'a> Results<'a> {
    fn of(lookup: &SfElement<'a>, root: &'a XmlElement) -> Self {
        let names = result_names(lookup);
        let uses = derived_names(root, &names);
        Self {
            names,
            uses,
            collections: collection_names(lookup, root),
        }
    }

    /// Where `element` uses the result, if it does. A loop over the collection of records
    /// found is not a use: over no records it runs no iteration.
    fn used_by(&self, element: &SfElement<'_>) -> Option<Span> {
        let loops_over = |child: &XmlElement| {
            element.tag() == "loops"
                && child.name.value == "collectionReference"
                && child.text.as_ref().is_some_and(|text| {
                    let text = text.value.trim();
                    self.collections
                        .iter()
                        .any(|name| text.eq_ignore_ascii_case(name))
                })
        };
        first_use_among(
            element.xml.descendants().filter(|child| !loops_over(child)),
            &self.uses,
        )
    }
}

/// The names under which a Get Records element's result is a collection: the element, when
/// it stores all records found automatically (`getFirstRecordOnly` false), and its
/// `<outputReference>` when that names a collection variable.
fn collection_names<'a>(lookup: &SfElement<'a>, root: &'a XmlElement) -> Vec<&'a str> {
    let automatic = (lookup.flag("storeOutputAutomatically")
        && !lookup.flag_or("getFirstRecordOnly", true))
    .then(|| lookup.name());
    let variable = lookup
        .xml
        .child_text("outputReference")
        .map(str::trim)
        .filter(|name| is_collection_variable(root, name));
    automatic.into_iter().chain(variable).collect()
}

/// Whether the flow declares `name` as a collection variable.
fn is_collection_variable(root: &XmlElement, name: &str) -> bool {
    root.children_named("variables").any(|variable| {
        variable
            .child_text("name")
            .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
            && variable.child_text("isCollection").is_some_and(is_true)
    })
}

/// The first element that a path from `lookup` reaches without passing through a null check
/// of the result and that uses it, with where it does.
fn unguarded_use<'a>(
    lookup: &SfElement<'a>,
    by_name: &HashMap<&str, &SfElement<'a>>,
    results: &Results<'_>,
) -> Option<(SfElement<'a>, Span)> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = successors(lookup).collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name) || name == lookup.name() {
            continue;
        }
        let Some(element) = by_name.get(name) else {
            continue;
        };
        if element.tag() == "decisions" && checks_for_null(element.xml, &results.names) {
            continue;
        }
        if let Some(at) = results.used_by(element) {
            return Some((**element, at));
        }
        stack.extend(successors(element));
    }
    None
}

/// The elements an element's connections lead to.
fn successors<'a>(element: &SfElement<'a>) -> impl Iterator<Item = &'a str> {
    element
        .model
        .connections
        .iter()
        .map(|connection| connection.target.value.as_str())
}

/// Whether one of a decision's conditions tests one of `results` (or a field of it) for
/// null or blank.
fn checks_for_null(decision: &XmlElement, results: &[&str]) -> bool {
    decision
        .children_named("rules")
        .flat_map(|rule| rule.children_named("conditions"))
        .any(|condition| {
            let Some(left) = condition.child_text("leftValueReference") else {
                return false;
            };
            if !results.iter().any(|result| refers_to(left, result)) {
                return false;
            }
            let operator = condition.child_text("operator").map(str::trim);
            let right = condition
                .child("rightValue")
                .and_then(|value| value.child_text("elementReference"))
                .map(str::trim);
            operator.is_some_and(|op| NULL_OPERATORS.contains(&op))
                || (matches!(operator, Some("EqualTo" | "NotEqualTo"))
                    && right
                        .is_some_and(|r| NULL_CONSTANTS.iter().any(|c| r.eq_ignore_ascii_case(c))))
        })
}

/// Where `xml` first reads one of `names`: a reference tag (`elementReference`,
/// `leftValueReference`, `inputReference`, …) naming it or one of its fields, an
/// `assignToReference` writing one of its fields, or a merge field (`{!name}`,
/// `{!name.Field}`) in any text.
fn first_use(xml: &XmlElement, names: &[&str]) -> Option<Span> {
    first_use_among(xml.descendants(), names)
}

/// [`first_use`] among some elements.
fn first_use_among<'x>(
    mut elements: impl Iterator<Item = &'x XmlElement>,
    names: &[&str],
) -> Option<Span> {
    elements.find_map(|child| {
        let text = child.text.as_ref()?;
        let tag = child.name.value.as_str();
        let value = text.value.as_str();
        let read = if tag == "assignToReference" {
            names.iter().any(|name| refers_to_field(value, name))
        } else if tag.ends_with("Reference")
            && tag != "targetReference"
            && !WRITE_TAGS.contains(&tag)
        {
            names.iter().any(|name| refers_to(value, name))
        } else {
            false
        };
        (read || names.iter().any(|name| merges(value, name))).then_some(text.span)
    })
}

/// Whether `reference` is `name` or a field path below it (`name.Field`), ignoring case as
/// Salesforce does.
fn refers_to(reference: &str, name: &str) -> bool {
    let reference = reference.trim();
    reference.eq_ignore_ascii_case(name) || refers_to_field(reference, name)
}

/// Whether `reference` is a field path below `name` (`name.Field`), ignoring case.
fn refers_to_field(reference: &str, name: &str) -> bool {
    let reference = reference.trim();
    reference
        .get(..name.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(name))
        && reference.as_bytes().get(name.len()) == Some(&b'.')
}

/// Whether `text` holds a merge field of `name` or of one of its fields.
fn merges(text: &str, name: &str) -> bool {
    if !text.contains("{!") {
        return false;
    }
    let text = text.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    text.contains(&format!("{{!{name}}}")) || text.contains(&format!("{{!{name}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::salesforce::support::testing::{flow_xml, run};
    use crate::CheckConfig;

    /// A flow that gets all open cases, loops over them, then runs `after` (an element
    /// named `After`).
    fn loop_then(after: &str) -> String {
        flow_xml(&format!(
            "<loops><name>Each_Case</name><collectionReference>Get_Cases</collectionReference>\
             <nextValueConnector><targetReference>Each_Case</targetReference></nextValueConnector>\
             <noMoreValuesConnector><targetReference>After</targetReference></noMoreValuesConnector></loops>\
             <processType>AutoLaunchedFlow</processType>\
             <recordLookups><name>Get_Cases</name><connector><targetReference>Each_Case</targetReference></connector>\
             <getFirstRecordOnly>false</getFirstRecordOnly><object>Case</object>\
             <storeOutputAutomatically>true</storeOutputAutomatically></recordLookups>\
             {after}\
             <start><connector><targetReference>Get_Cases</targetReference></connector></start>"
        ))
    }

    #[test]
    fn a_loop_over_the_records_found_is_not_a_use_but_what_follows_may_be() {
        let config = CheckConfig::default();
        let harmless = loop_then(
            "<assignments><name>After</name><assignmentItems><assignToReference>done</assignToReference>\
             <operator>Assign</operator><value><booleanValue>true</booleanValue></value></assignmentItems></assignments>\
             <variables><name>done</name><dataType>Boolean</dataType></variables>",
        );
        assert!(run(
            &MissingNullHandler,
            &[("Loop.flow-meta.xml", &harmless)],
            &config
        )
        .is_empty());
        let update = loop_then(
            "<recordUpdates><name>After</name><inputReference>Get_Cases</inputReference></recordUpdates>",
        );
        let findings = run(
            &MissingNullHandler,
            &[("Loop.flow-meta.xml", &update)],
            &config,
        );
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].message.contains("`After` uses"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn references_match_whole_names_and_field_paths() {
        assert!(refers_to("Get_Account", "Get_Account"));
        assert!(refers_to(" get_account.Name ", "Get_Account"));
        assert!(!refers_to("Get_Accounts", "Get_Account"));
        assert!(!refers_to("Get_Acc", "Get_Account"));
        assert!(!refers_to_field("Get_Account", "Get_Account"));
        assert!(merges("Hello {!Get_Account.Name}!", "Get_Account"));
        assert!(merges("{!get_account}", "Get_Account"));
        assert!(!merges("{!Get_Accounts.Name}", "Get_Account"));
    }
}
