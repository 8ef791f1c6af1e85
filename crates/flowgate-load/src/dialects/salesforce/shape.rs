//! Flow elements read by their shape: the connector tags every element shares, and the
//! elements of types flowgate does not know (`steppedStages` of API 51 orchestrations, or
//! whatever a later API version adds), which become [`ElementKind::Other`] elements whose
//! connectors are followed.
//!
//! A root child of `<Flow>` is such an element when its tag is not one flowgate knows (see
//! [`super::ELEMENT_KINDS`], [`super::VARIABLE_TAGS`] and [`NOT_ELEMENTS`]), it has a
//! non-empty `<name>`, and it has a child that only elements have: a canvas position
//! (`locationX`, `locationY`: every element has one, resources do not), a connector
//! (`connector`, `connectors`, or any `…Connector`), a child holding a `<connector>` (an
//! outcome such as `rules`, `waitEvents` or `scheduledPaths`), or steps (`stageSteps`,
//! `steps`). Its settings stay in the document; nothing about it is reported while it is read,
//! since flowgate cannot tell a malformed child from one it does not know.

use flowgate_model::flow::{Connection, ConnectionKind};
use flowgate_model::Located;
use flowgate_syntax::XmlElement;

/// Root children of `<Flow>` that are never elements, whatever they hold: flow settings and
/// resources other than the [`super::VARIABLE_TAGS`].
pub const NOT_ELEMENTS: &[&str] = &[
    "apiVersion",
    "areMetricsLoggedToDataCloud",
    "customProperties",
    "description",
    "environments",
    "interviewLabel",
    "isAdditionalPermissionRequiredToRun",
    "isOverridable",
    "isTemplate",
    "label",
    "migratedFromWorkflowRuleName",
    "overriddenFlow",
    "processMetadataValues",
    "processType",
    "runInMode",
    "sourceTemplate",
    "stages",
    "start",
    "startElementReference",
    "status",
    "timeZoneSidKey",
    "triggerOrder",
];

/// Children that hold the steps of a stage: only elements have them.
const STEP_TAGS: &[&str] = &["stageSteps", "steps"];

/// The kind of a connection written as a `tag` child of an element, when that tag is a
/// connector: `connector` and `connectors` (old `steps`) lead on, the others say how.
pub fn connector_kind(tag: &str) -> Option<ConnectionKind> {
    Some(match tag {
        "connector" | "connectors" => ConnectionKind::Next,
        "faultConnector" => ConnectionKind::Fault,
        "defaultConnector" => ConnectionKind::Default,
        "nextValueConnector" => ConnectionKind::LoopBody,
        "noMoreValuesConnector" => ConnectionKind::LoopDone,
        _ => return None,
    })
}

/// Whether a root child with tag `tag` (not a known element, resource or start) is an
/// element of a type flowgate does not know.
pub fn is_unknown_element(xml: &XmlElement) -> bool {
    let tag = xml.name.value.as_str();
    !NOT_ELEMENTS.contains(&tag)
        && xml.child_text("name").is_some_and(|n| !n.trim().is_empty())
        && xml.children.iter().any(marks_an_element)
}

fn marks_an_element(child: &XmlElement) -> bool {
    let tag = child.name.value.as_str();
    matches!(tag, "locationX" | "locationY")
        || STEP_TAGS.contains(&tag)
        || is_connector(tag)
        || child.child("connector").is_some()
}

/// `connector`, `connectors` and any `…Connector`.
fn is_connector(tag: &str) -> bool {
    connector_kind(tag).is_some() || tag.ends_with("Connector")
}

/// The connections of an element of an unknown type, in file order: each connector child
/// with a target (a known connector tag by its kind, any other `…Connector` as an outcome
/// named by its tag), and each child holding one (a scheduled path by its name or path
/// type, anything else as an outcome named by its `<name>`, else its tag).
pub fn unknown_element_connections(xml: &XmlElement) -> Vec<Connection> {
    let mut connections = Vec::new();
    for child in &xml.children {
        let tag = child.name.value.as_str();
        let found = if is_connector(tag) {
            let kind = connector_kind(tag).unwrap_or_else(|| ConnectionKind::Outcome(tag.into()));
            target(child).map(|target| (kind, target))
        } else {
            let target = child.child("connector").and_then(target);
            target.map(|target| (nested_kind(child), target))
        };
        if let Some((kind, target)) = found {
            connections.push(Connection { kind, target });
        }
    }
    connections
}

/// The kind of the connector inside `holder` (a path or an outcome).
fn nested_kind(holder: &XmlElement) -> ConnectionKind {
    let tag = holder.name.value.as_str();
    if tag == "scheduledPaths" {
        return ConnectionKind::Scheduled(scheduled_path_name(holder));
    }
    let name = holder.child_text("name").filter(|n| !n.trim().is_empty());
    ConnectionKind::Outcome(name.unwrap_or(tag).to_owned())
}

/// The name of a scheduled path of the start: its `<name>`, else its `<pathType>`
/// (`AsyncAfterCommit`, the "run asynchronously" path, has no name).
pub fn scheduled_path_name(path: &XmlElement) -> String {
    path.child_text("name")
        .or_else(|| path.child_text("pathType"))
        .unwrap_or_default()
        .to_owned()
}

/// The non-empty `<targetReference>` of a connector, located at its text.
fn target(connector: &XmlElement) -> Option<Located<String>> {
    let text = connector.child("targetReference")?.text.as_ref()?;
    (!text.value.trim().is_empty()).then(|| Located::new(text.value.clone(), text.span))
}
