//! Relations between the Salesforce flows of one workspace: which flow a subflow element
//! calls (by API name), which records each flow writes, and which flows those writes start.
//!
//! Only what the XML states is used: the `<object>` of a Create / Update / Delete Records
//! element, or the type of the record it saves (`$Record` is the triggering object; a
//! variable or a Transform element declares its `<objectType>`; a Get Records element that
//! stores its output automatically names its `<object>`). Field types, relationships (`$Record.Account`) and
//! the org's schema are unknown here, so writes through them are left out.

use super::support::{elements, flow_api_name, is_true, SfElement};
use crate::CheckContext;
use flowgate_diagnostics::Span;
use flowgate_model::flow::{ElementKind, ErrorHandling, Flow, FlowTrigger};
use flowgate_model::Asset;
use flowgate_syntax::XmlElement;
use std::collections::HashMap;

/// One Salesforce flow of the workspace.
#[derive(Clone, Copy)]
pub(super) struct SfFlow<'a> {
    /// The asset.
    pub asset: &'a Asset,
    /// The model flow.
    pub flow: &'a Flow,
    /// Its `<Flow>` root element.
    pub root: &'a XmlElement,
}

/// Every Salesforce flow of the workspace with its API name (the file name up to the first
/// dot, without a legacy version number), in model order.
pub(super) fn workspace_flows<'a>(ctx: &CheckContext<'a>) -> Vec<(String, SfFlow<'a>)> {
    ctx.salesforce_flows()
        .map(|(asset, flow, root)| {
            let name = flow_api_name(ctx, asset).unwrap_or_else(|| asset.id.value.to_string());
            (name, SfFlow { asset, flow, root })
        })
        .collect()
}

/// Find a flow by API name, as a `<flowName>` names it (API names are unique regardless of
/// case).
pub(super) fn by_api_name<'f, 'a>(
    flows: &'f [(String, SfFlow<'a>)],
    name: &str,
) -> Option<(usize, &'f SfFlow<'a>)> {
    let name = name.trim();
    flows
        .iter()
        .position(|(api_name, _)| api_name == name)
        .or_else(|| {
            flows
                .iter()
                .position(|(api_name, _)| api_name.eq_ignore_ascii_case(name))
        })
        .map(|i| (i, &flows[i].1))
}

/// What a DML element does to records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DmlOperation {
    /// `recordCreates`.
    Create,
    /// `recordUpdates`.
    Update,
    /// `recordDeletes`.
    Delete,
}

impl DmlOperation {
    /// The operation of a flow element tag, if it is a DML element.
    fn of_tag(tag: &str) -> Option<Self> {
        match tag {
            "recordCreates" => Some(Self::Create),
            "recordUpdates" => Some(Self::Update),
            "recordDeletes" => Some(Self::Delete),
            _ => None,
        }
    }

    /// `creates`, `updates`, `deletes`.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Create => "creates",
            Self::Update => "updates",
            Self::Delete => "deletes",
        }
    }
}

/// A Create, Update or Delete Records element and what it writes.
#[derive(Clone, Copy)]
pub(super) struct Write<'a> {
    /// The element.
    pub element: SfElement<'a>,
    /// What it does.
    pub operation: DmlOperation,
    /// The object of the records, when the XML states it.
    pub object: Option<&'a str>,
}

impl Write<'_> {
    /// "creates `Task` records" (or "creates records"), for messages.
    pub fn describe(&self) -> String {
        match self.object {
            Some(object) => format!("{} `{object}` records", self.operation.verb()),
            None => format!("{} records", self.operation.verb()),
        }
    }

    /// Whether a fault connector handles the element's failures.
    pub fn handles_faults(&self) -> bool {
        self.element.model.error_handling == ErrorHandling::Path
    }
}

/// The elements of a flow that a path from the start reaches, in file order, with their XML.
pub(super) fn reachable_elements<'a>(flow: &'a Flow, root: &'a XmlElement) -> Vec<SfElement<'a>> {
    let reachable = reachable(flow);
    elements(flow, root)
        .into_iter()
        .filter(|element| reachable.get(element.name()).copied().unwrap_or(false))
        .collect()
}

/// The DML elements of a flow that a path from the start reaches, in file order.
pub(super) fn writes<'a>(flow: &'a Flow, root: &'a XmlElement) -> Vec<Write<'a>> {
    let trigger_object = match &flow.trigger {
        FlowTrigger::Record { object, .. } => object.as_deref(),
        _ => None,
    };
    reachable_elements(flow, root)
        .into_iter()
        .filter_map(|element| {
            let operation = DmlOperation::of_tag(element.tag())?;
            let object = written_object(&element, root, trigger_object);
            Some(Write {
                element,
                operation,
                object,
            })
        })
        .collect()
}

/// The object whose records `element` writes: its `<object>`, else the type of the record
/// its `<inputReference>` names: `$Record` is `trigger_object`, a variable or a Transform
/// element declares an `<objectType>`, a Get Records element storing its output
/// automatically has an `<object>`.
fn written_object<'a>(
    element: &SfElement<'a>,
    root: &'a XmlElement,
    trigger_object: Option<&'a str>,
) -> Option<&'a str> {
    if let Some(object) = element.xml.child_text("object") {
        return Some(object.trim());
    }
    let reference = element.xml.child_text("inputReference")?.trim();
    if reference.eq_ignore_ascii_case("$Record") {
        return trigger_object.map(str::trim);
    }
    let named = |child: &XmlElement| child.child_text("name").map(str::trim) == Some(reference);
    root.children
        .iter()
        .find_map(|child| match child.name.value.as_str() {
            "variables" | "transforms" if named(child) => {
                child.child_text("objectType").map(str::trim)
            }
            "recordLookups"
                if named(child)
                    && child
                        .child_text("storeOutputAutomatically")
                        .is_some_and(is_true) =>
            {
                child.child_text("object").map(str::trim)
            }
            _ => None,
        })
}

/// Which elements a path from the flow's entries reaches, by API name.
fn reachable(flow: &Flow) -> HashMap<&str, bool> {
    let mut seen: HashMap<&str, bool> = flow
        .elements
        .iter()
        .map(|element| (element.id.value.as_str(), false))
        .collect();
    let mut stack: Vec<&str> = flow.entries.iter().map(|e| e.value.as_str()).collect();
    while let Some(id) = stack.pop() {
        match seen.get_mut(id) {
            Some(visited) if !*visited => *visited = true,
            _ => continue,
        }
        if let Some(element) = flow.element(id) {
            stack.extend(element.connections.iter().map(|c| c.target.value.as_str()));
        }
    }
    seen
}

/// Where to point at what starts a flow: its start element (the `<start>` tag).
pub(super) fn start_span(flow: &Flow, root: &XmlElement) -> Span {
    flow.elements
        .iter()
        .find(|element| element.kind == ElementKind::Trigger)
        .map_or(root.name.span, |start| start.id.span)
}
