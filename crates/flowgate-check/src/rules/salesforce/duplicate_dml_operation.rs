use super::support::{elements, flow_display_name, SfElement};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::{ConnectionKind, ElementKind};
use std::collections::{BTreeMap, HashMap, HashSet};

declare_rule! {
    /// ## What it does
    /// Flags screens the user reaches right after the flow created, updated or deleted
    /// records since the previous screen, when the screen lets the user go back (`allowBack`
    /// not false, footer shown). Going back returns to the previous screen, and pressing
    /// Next there runs the record change again.
    ///
    /// The path is followed from each screen to the next ones: a record change on a fault
    /// path (it failed, so nothing was saved) does not count, and the first screen of a
    /// flow has nowhere to go back to.
    ///
    /// ## Why is this bad?
    /// Users go back to correct a typo. Each time they do, the flow creates another case,
    /// sends another order or updates the record a second time: duplicates, double
    /// bookings and confusing history, in a flow that looked right when tested forward.
    ///
    /// ## Example
    /// ```xml
    /// <screens>
    ///     <name>Confirmation</name>
    ///     <allowBack>true</allowBack>
    ///     <showFooter>true</showFooter>
    /// </screens>
    /// <!-- Enter_Details -> Create_Case (recordCreates) -> Confirmation -->
    /// ```
    ///
    /// ## How to fix
    /// Hide the Previous button on the screen after the record change (Flow Builder:
    /// Configure Footer), or move the record change after the last screen:
    /// ```xml
    ///     <allowBack>false</allowBack>
    /// ```
    pub struct DuplicateDmlOperation {
        code: "FG808",
        name: "duplicate-dml-operation",
        category: Salesforce,
        severity: Warning,
        summary: "a screen after a record change lets the user go back and run it again",
        peer: "DuplicateDMLOperation",
    }
}

impl Rule for DuplicateDmlOperation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root) in ctx.salesforce_flows() {
            let elements = elements(flow, root);
            // Screen index -> the record change before it, in file order of the screens.
            let mut found: BTreeMap<usize, usize> = BTreeMap::new();
            let index: HashMap<&str, usize> = elements
                .iter()
                .enumerate()
                .map(|(i, element)| (element.name(), i))
                .collect();
            for (from, screen) in elements.iter().enumerate() {
                if screen.model.kind == ElementKind::Screen {
                    changes_before_next_screens(&elements, &index, from, &mut found);
                }
            }
            for (screen, change) in found {
                let (screen, change_element) = (&elements[screen], &elements[change]);
                let (name, change) = (screen.name(), change_element.name());
                sink.report(
                    asset,
                    screen.name_span(),
                    format!(
                        "screen `{name}` of flow `{}` comes after record change `{change}` and \
                         lets the user go back: pressing Next again runs `{change}` a second \
                         time",
                        flow_display_name(ctx, asset),
                    ),
                )
                .help(format!(
                    "hide the Previous button of `{name}` (`<allowBack>false</allowBack>`, \
                     Flow Builder: Configure Footer), or move `{change}` after the last screen"
                ))
                .related(
                    asset,
                    change_element.name_span(),
                    "the record change that runs again",
                )
                .element(name);
            }
        }
    }
}

/// Whether the element creates, updates or deletes records.
fn is_record_change(element: &SfElement<'_>) -> bool {
    matches!(
        element.model.kind,
        ElementKind::RecordCreate | ElementKind::RecordUpdate | ElementKind::RecordDelete
    )
}

/// Whether the user can go back from a screen: the Previous button is on (the default)
/// and the footer that holds it is shown (the default).
fn allows_back(screen: &SfElement<'_>) -> bool {
    screen.flag_or("allowBack", true) && screen.flag_or("showFooter", true)
}

/// Follow every path from screen `from` up to the next screens; record in `found` each such
/// screen that allows going back and is reached through a record change (the first one on
/// the path), unless it is recorded already.
fn changes_before_next_screens(
    elements: &[SfElement<'_>],
    index: &HashMap<&str, usize>,
    from: usize,
    found: &mut BTreeMap<usize, usize>,
) {
    // (element, the record change met since `from`); each element is visited once without
    // and once with a change behind it.
    let mut stack: Vec<(usize, Option<usize>)> = Vec::new();
    let mut seen: HashSet<(usize, bool)> = HashSet::new();
    push_successors(elements, index, from, None, &mut stack);
    while let Some((at, change)) = stack.pop() {
        if !seen.insert((at, change.is_some())) {
            continue;
        }
        let element = &elements[at];
        if element.model.kind == ElementKind::Screen {
            if let Some(change) = change {
                if allows_back(element) {
                    found.entry(at).or_insert(change);
                }
            }
            continue;
        }
        push_successors(elements, index, at, change, &mut stack);
    }
}

/// Push the elements `at` leads to, each with the record change met on the way there.
fn push_successors(
    elements: &[SfElement<'_>],
    index: &HashMap<&str, usize>,
    at: usize,
    change: Option<usize>,
    stack: &mut Vec<(usize, Option<usize>)>,
) {
    let element = &elements[at];
    for connection in &element.model.connections {
        let Some(&next) = index.get(connection.target.value.as_str()) else {
            continue;
        };
        // A record change that failed saved nothing: its fault path does not count it.
        let change = match change {
            None if is_record_change(element) && connection.kind != ConnectionKind::Fault => {
                Some(at)
            }
            change => change,
        };
        stack.push((next, change));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::salesforce::support::testing::{flow_xml, run};
    use crate::CheckConfig;

    fn screen(name: &str, next: Option<&str>, footer: &str) -> String {
        let connector = next.map_or_else(String::new, |next| {
            format!("<connector><targetReference>{next}</targetReference></connector>")
        });
        format!("<screens><name>{name}</name>{connector}{footer}</screens>")
    }

    fn create(name: &str, next: &str, fault: Option<&str>) -> String {
        let fault = fault.map_or_else(String::new, |fault| {
            format!("<faultConnector><targetReference>{fault}</targetReference></faultConnector>")
        });
        format!(
            "<recordCreates><name>{name}</name><connector><targetReference>{next}\
             </targetReference></connector>{fault}<object>Case</object></recordCreates>"
        )
    }

    /// The screens flagged, with the record change each one names.
    fn flagged(parts: &[String], first: &str) -> Vec<(String, String)> {
        let body = format!(
            "<processType>Flow</processType><start><connector><targetReference>{first}\
             </targetReference></connector></start>{}",
            parts.concat()
        );
        let text = flow_xml(&body);
        run(
            &DuplicateDmlOperation,
            &[("Log_Complaint.flow-meta.xml", &text)],
            &CheckConfig::default(),
        )
        .into_iter()
        .map(|f| (f.element.unwrap_or_default(), f.related[0].2.clone()))
        .map(|(screen, _)| {
            let change = parts
                .iter()
                .find(|part| part.starts_with("<recordCreates>"))
                .map(|_| "change".to_owned())
                .unwrap_or_default();
            (screen, change)
        })
        .collect()
    }

    fn screens(parts: &[String], first: &str) -> Vec<String> {
        flagged(parts, first).into_iter().map(|(s, _)| s).collect()
    }

    const BACK: &str = "<allowBack>true</allowBack><showFooter>true</showFooter>";
    const NO_BACK: &str = "<allowBack>false</allowBack><showFooter>true</showFooter>";

    #[test]
    fn only_a_screen_after_a_screen_and_a_record_change_is_flagged() {
        // The first screen has nowhere to go back to.
        let parts = [
            create("Create", "Thanks", None),
            screen("Thanks", None, BACK),
        ];
        assert!(screens(&parts, "Create").is_empty());
        // Back and footer are on unless written otherwise.
        let parts = [
            screen("Enter", Some("Create"), NO_BACK),
            create("Create", "Thanks", None),
            screen("Thanks", None, ""),
        ];
        assert_eq!(screens(&parts, "Enter"), ["Thanks"]);
        let parts = [
            screen("Enter", Some("Create"), NO_BACK),
            create("Create", "Thanks", None),
            screen("Thanks", None, "<showFooter>false</showFooter>"),
        ];
        assert!(screens(&parts, "Enter").is_empty());
    }

    #[test]
    fn a_screen_in_between_or_a_failed_change_clears_the_path() {
        // Enter -> Create -> Upload (no back) -> Done (back): going back from Done returns
        // to Upload, after the change. A failed change saved nothing.
        let parts = [
            screen("Enter", Some("Create"), BACK),
            create("Create", "Upload", Some("Failed")),
            screen("Upload", Some("Done"), NO_BACK),
            screen("Done", None, BACK),
            screen("Failed", None, BACK),
        ];
        assert!(screens(&parts, "Enter").is_empty());
    }

    #[test]
    fn one_finding_per_screen_with_the_change_as_related() {
        let text = flow_xml(&format!(
            "<processType>Flow</processType><start><connector><targetReference>Enter\
             </targetReference></connector></start>{}{}{}{}",
            screen("Enter", Some("Create"), BACK),
            create("Create", "Thanks", None),
            create("Create_Again", "Thanks", None),
            screen("Thanks", Some("Create_Again"), BACK),
        ));
        let findings = run(
            &DuplicateDmlOperation,
            &[("Log_Complaint.flow-meta.xml", &text)],
            &CheckConfig::default(),
        );
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].element.as_deref(), Some("Thanks"));
        assert!(findings[0].message.contains("record change `Create`"));
        assert_eq!(findings[0].related.len(), 1);
    }
}
