//! Importer for Salesforce Flow metadata (`*.flow-meta.xml`, any API version): the
//! `<Flow xmlns="http://soap.sforce.com/2006/04/metadata">` document that `sf project retrieve`
//! writes, lowered into a [`Flow`].
//!
//! # Flow
//!
//! | metadata | model |
//! |---|---|
//! | `label`, `description` | `label`, `description` (also the [`Imported`] name and description) |
//! | `status` | `active`: `Active` is active; `Draft`, `Obsolete`, `InvalidDraft` or none are not |
//! | `start/triggerType` `RecordBeforeSave`, `RecordAfterSave`, `RecordBeforeDelete` | [`FlowTrigger::Record`]: `object` from `start/object`, `timing` the trigger type, `event` from `start/recordTriggerType`, `has_entry_criteria` when `start` has `filters`, `filterFormula` or `filterLogic` |
//! | `start/triggerType` `Scheduled` | [`FlowTrigger::Schedule`] |
//! | `start/triggerType` `PlatformEvent` | [`FlowTrigger::Event`] with `start/object` (the event) |
//! | `start/triggerType` `DataCloudDataChange`, `ExternalSystemChange`, `EventDrivenJourney`, `Segment` | [`FlowTrigger::Event`] with `start/object`, or the trigger type when there is no object |
//! | otherwise `processType` `Flow`, `FieldServiceMobile`, `FieldServiceWeb` (screen flows) | [`FlowTrigger::Manual`] |
//! | `processType` `Workflow` (Process Builder) | [`FlowTrigger::Record`] when the `ObjectType` process metadata value names an object (`timing` `RecordAfterSave`, `event` from the `TriggerType` value: `onCreateOnly` is `Create`, `onAllChanges` is `CreateAndUpdate`), else [`FlowTrigger::Invoked`] |
//! | `processType` `CustomEvent` (Process Builder on a platform event) | [`FlowTrigger::Event`] with the `ObjectType` value |
//! | anything else (`AutoLaunchedFlow`, `RoutingFlow`, `InvocableProcess`, orchestrations, …) | [`FlowTrigger::Invoked`] |
//!
//! # Elements
//!
//! Every child of `<Flow>` that is a flow element becomes an [`Element`] in file order: `id` is
//! its `<name>` (located at the name's text), `label` its `<label>`, `platform_type` the XML
//! tag, `span` the whole XML element; `disabled` is always false (Salesforce has no disabled
//! elements). The kinds are [`ELEMENT_KINDS`]:
//!
//! | tag | kind |
//! |---|---|
//! | `actionCalls` (every `actionType`, Apex included) | [`ElementKind::Action`] |
//! | `apexPluginCalls` | [`ElementKind::Code`] |
//! | `assignments`, `collectionProcessors`, `transforms` | [`ElementKind::Assignment`] |
//! | `decisions` | [`ElementKind::Decision`] |
//! | `loops` | [`ElementKind::Loop`] |
//! | `recordLookups` | [`ElementKind::RecordRead`] |
//! | `recordCreates` / `recordUpdates` / `recordDeletes` | [`ElementKind::RecordCreate`] / [`ElementKind::RecordUpdate`] / [`ElementKind::RecordDelete`] |
//! | `screens` | [`ElementKind::Screen`] |
//! | `subflows` | [`ElementKind::Subflow`] |
//! | `waits` | [`ElementKind::Wait`] |
//! | `customErrors`, `orchestratedStages`, `recordRollbacks`, `steps` | [`ElementKind::Other`] |
//! | `start`, or `startElementReference` (older flows and processes) | [`ElementKind::Trigger`], id [`START_ID`] |
//! | any other tag that has a `<name>` and a child only elements have (a canvas position, a connector, an outcome holding one, steps): `steppedStages`, or what a later API version adds | [`ElementKind::Other`], its connectors followed |
//!
//! **Unknown element types are read by their shape** (module `shape`): Salesforce adds
//! element types over API versions, and a flow that deploys must not be refused because
//! flowgate has not caught up. Flow settings and resources ([`NOT_ELEMENTS`],
//! [`VARIABLE_TAGS`]) are never elements. Such an element's connections are its connector
//! children (`connector`, `faultConnector`, … by their kind; any other `…Connector` as an
//! [`ConnectionKind::Outcome`] named by its tag) and the connectors inside its children
//! (outcomes by their `<name>`, scheduled paths by name or path type); a connector without a
//! target is taken for a setting, and nothing about such an element is reported while it is
//! read. Its settings stay in the document.
//!
//! **The start is an element.** Salesforce's `<start>` has no `<name>`, but it carries the
//! connectors where execution begins: the immediate path (`connector`) and the scheduled
//! paths (`scheduledPaths`, including the `AsyncAfterCommit` "run asynchronously" path). It
//! becomes a [`ElementKind::Trigger`] element with the id [`START_ID`] (`$start`: API names
//! start with a letter, so it cannot collide), located at the `start` tag, and
//! [`Flow::entries`] is `[$start]`. This keeps the [`ConnectionKind::Scheduled`] kind of
//! each path, gives trigger-level findings a place to point at, and makes Salesforce flows
//! look like n8n and Node-RED ones, where entries are trigger nodes: every other element is
//! reachable from the entries through connections, or it is unconnected. Old flows that name
//! their first element with `<startElementReference>` get the same `$start` element (spanning
//! that tag) with one `Next` connection. A flow with neither has no entries.
//!
//! # Connections
//!
//! | metadata (child of an element) | kind |
//! |---|---|
//! | `connector`, `connectors` (old `steps`) | [`ConnectionKind::Next`] |
//! | `faultConnector` | [`ConnectionKind::Fault`] |
//! | `rules/connector` (decision outcome), `waitEvents/connector` (wait event) | [`ConnectionKind::Outcome`] with the rule's or event's `<name>` |
//! | `defaultConnector` (decisions, waits) | [`ConnectionKind::Default`] |
//! | `nextValueConnector` / `noMoreValuesConnector` (loops) | [`ConnectionKind::LoopBody`] / [`ConnectionKind::LoopDone`] |
//! | `scheduledPaths/connector` (start) | [`ConnectionKind::Scheduled`] with the path's `<name>`, else its `<pathType>` |
//!
//! The target is the connector's `targetReference`, located at its text. `isGoTo` (an
//! auto-layout "Go To" connector) changes nothing: it is a connection like any other. An
//! element's `error_handling` is [`ErrorHandling::Path`] when it has a fault connector, else
//! [`ErrorHandling::Stop`].
//!
//! # Variables
//!
//! `variables`, `formulas`, `constants`, `textTemplates`, `choices` and `dynamicChoiceSets`
//! become [`Variable`]s: `name`, `data_type` from `dataType`, `declaration` the tag.
//!
//! # Diagnostics
//!
//! - XML that does not parse: one FG002 per syntax error, at the parser's location; no flow.
//! - A root other than `<Flow>`: FG005 at the root's tag; no flow.
//! - An element, variable or decision outcome without `<name>`, a connector without
//!   `<targetReference>`, a second `<start>`: FG005 at that tag; the rest still imports.
//! - Two elements with one name, a connector to an element that does not exist: FG013; the
//!   flow still imports. Where an element of an unknown type is involved (either of the two
//!   elements, or the element the connector belongs to) it is a warning, not an error.
//!
//! Everything else in the file (API version, run mode, screen fields, conditions, …) stays
//! available to dialect-specific rules through [`Flow::original`], which is the file's text,
//! byte for byte.

mod shape;

pub use shape::NOT_ELEMENTS;

use super::{id_from_path, Imported};
use crate::codes;
use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_model::flow::{
    Connection, ConnectionKind, Dialect, Element, ElementKind, ErrorHandling, Flow, FlowDocument,
    FlowTrigger, Variable,
};
use flowgate_model::Located;
use flowgate_syntax::{parse_xml, XmlElement};
use std::collections::HashMap;
use std::sync::Arc;

/// The id of the [`ElementKind::Trigger`] element that stands for a flow's `<start>` (or its
/// `<startElementReference>`). Salesforce API names begin with a letter, so no element of
/// the file can have it.
pub const START_ID: &str = "$start";

/// The file-name suffixes of Salesforce flows: source format (`sf project retrieve`) and
/// Metadata API format (`flows/<Name>.flow`). The asset id is the file name without it.
pub const SUFFIXES: &[&str] = &[".flow-meta.xml", ".flow"];

/// The flow elements: each XML tag that is one, and the kind it lowers to.
pub const ELEMENT_KINDS: &[(&str, ElementKind)] = &[
    ("actionCalls", ElementKind::Action),
    ("apexPluginCalls", ElementKind::Code),
    ("assignments", ElementKind::Assignment),
    ("collectionProcessors", ElementKind::Assignment),
    ("customErrors", ElementKind::Other),
    ("decisions", ElementKind::Decision),
    ("loops", ElementKind::Loop),
    ("orchestratedStages", ElementKind::Other),
    ("recordCreates", ElementKind::RecordCreate),
    ("recordDeletes", ElementKind::RecordDelete),
    ("recordLookups", ElementKind::RecordRead),
    ("recordRollbacks", ElementKind::Other),
    ("recordUpdates", ElementKind::RecordUpdate),
    ("screens", ElementKind::Screen),
    ("steps", ElementKind::Other),
    ("subflows", ElementKind::Subflow),
    ("transforms", ElementKind::Assignment),
    ("waits", ElementKind::Wait),
];

/// The resources that become [`Variable`]s.
pub const VARIABLE_TAGS: &[&str] = &[
    "variables",
    "formulas",
    "constants",
    "textTemplates",
    "choices",
    "dynamicChoiceSets",
];

/// The kind of the flow element written as `tag`, or `None` when `tag` is not one.
pub fn element_kind(tag: &str) -> Option<ElementKind> {
    ELEMENT_KINDS
        .iter()
        .find(|(name, _)| *name == tag)
        .map(|(_, kind)| *kind)
}

/// The record trigger types of `start/triggerType`.
const RECORD_TRIGGER_TYPES: &[&str] =
    &["RecordBeforeSave", "RecordAfterSave", "RecordBeforeDelete"];

/// The `start/triggerType` values of flows started by an event other than a record change.
const EVENT_TRIGGER_TYPES: &[&str] = &[
    "PlatformEvent",
    "DataCloudDataChange",
    "ExternalSystemChange",
    "EventDrivenJourney",
    "Segment",
];

/// The process types of screen flows, which people start.
const SCREEN_PROCESS_TYPES: &[&str] = &["Flow", "FieldServiceMobile", "FieldServiceWeb"];

/// How many dangling references get a "did you mean" search (each costs a pass over the ids).
const MAX_SUGGESTIONS: usize = 100;

/// Import one Salesforce Flow metadata file.
///
/// Returns `None` (with diagnostics) when the file is not well-formed XML or its root is not
/// `<Flow>`; otherwise the flow, with diagnostics for the parts that could not be lowered.
pub fn import(source: &SourceText) -> (Option<Imported>, Vec<Diagnostic>) {
    let text = source.text();
    let document = parse_xml(text);
    let mut diagnostics = Vec::new();
    if !document.errors.is_empty() {
        for error in &document.errors {
            diagnostics.push(
                Diagnostic::error(codes::SYNTAX, error.message.clone())
                    .at(source, error.span)
                    .with_help(error.help.clone().unwrap_or_else(|| {
                        "a Salesforce flow file must be well-formed XML; fix the markup here"
                            .to_owned()
                    })),
            );
        }
        return (None, diagnostics);
    }
    let Some(root) = document.root else {
        // The parser reports a document without a root; this is only a safety net.
        diagnostics.push(
            Diagnostic::error(codes::SYNTAX, "the file holds no XML element")
                .at(source, Span::point(0))
                .with_help("a Salesforce flow file has a <Flow> root element"),
        );
        return (None, diagnostics);
    };
    if root.name.value != "Flow" {
        diagnostics.push(
            Diagnostic::error(
                codes::WRONG_TYPE,
                format!(
                    "expected a <Flow> root element, found <{}>",
                    root.name.value
                ),
            )
            .at(source, root.name.span)
            .with_help(
                "a Salesforce flow file has a <Flow> root element \
                 (`<Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\">`)",
            ),
        );
        return (None, diagnostics);
    }

    let mut lowering = Lowering {
        source,
        diagnostics,
    };
    let root = Arc::new(root);
    let flow = lowering.flow(&root);
    let mut diagnostics = lowering.diagnostics;
    check_graph(source, &flow, &mut diagnostics);
    let imported = Imported {
        id: id_from_path(source.path(), SUFFIXES),
        name: flow.label.clone(),
        description: flow.description.clone(),
        flow,
    };
    (Some(imported), diagnostics)
}

/// Lowers one `<Flow>` element, collecting diagnostics.
struct Lowering<'s> {
    source: &'s SourceText,
    diagnostics: Vec<Diagnostic>,
}

impl Lowering<'_> {
    fn flow(&mut self, root: &Arc<XmlElement>) -> Flow {
        let mut elements = Vec::new();
        let mut variables = Vec::new();
        let mut start: Option<usize> = None;
        for child in &root.children {
            let tag = child.name.value.as_str();
            if let Some(kind) = element_kind(tag) {
                if let Some(element) = self.element(child, kind) {
                    elements.push(element);
                }
            } else if VARIABLE_TAGS.contains(&tag) {
                if let Some(variable) = self.variable(child) {
                    variables.push(variable);
                }
            } else if tag == "start" || tag == "startElementReference" {
                self.start(child, &mut elements, &mut start);
            } else if shape::is_unknown_element(child) {
                elements.extend(self.unknown_element(child));
            }
        }
        let entries = start
            .and_then(|index| elements.get(index))
            .map(|element: &Element| vec![element.id.clone()])
            .unwrap_or_default();
        Flow {
            dialect: Dialect::Salesforce,
            label: root.child_text("label").map(str::to_owned),
            description: root.child_text("description").map(str::to_owned),
            trigger: trigger(root),
            active: root.child_text("status") == Some("Active"),
            elements,
            entries,
            variables,
            original: self.source.shared_text(),
            document: FlowDocument::Xml(Arc::clone(root)),
        }
    }

    /// A flow element (not the start).
    fn element(&mut self, xml: &XmlElement, kind: ElementKind) -> Option<Element> {
        let id = self.name(xml, "flow element")?;
        let connections = self.connections(xml);
        Some(named_element(xml, id, kind, connections))
    }

    /// An element of a type flowgate does not know, read by its shape (see [`shape`]).
    fn unknown_element(&mut self, xml: &XmlElement) -> Option<Element> {
        let id = self.name(xml, "flow element")?;
        let connections = shape::unknown_element_connections(xml);
        Some(named_element(xml, id, ElementKind::Other, connections))
    }

    /// `<start>` or `<startElementReference>`: both lower into the one `$start` element.
    fn start(&mut self, xml: &XmlElement, elements: &mut Vec<Element>, start: &mut Option<usize>) {
        let existing = start.and_then(|index| elements.get_mut(index));
        if xml.name.value == "startElementReference" {
            let Some(target) = self.target(xml) else {
                return;
            };
            let connection = Connection {
                kind: ConnectionKind::Next,
                target,
            };
            match existing {
                Some(element) => element.connections.push(connection),
                None => {
                    *start = Some(elements.len());
                    elements.push(start_element(xml, vec![connection]));
                }
            }
            return;
        }
        match existing {
            Some(element) if element.platform_type == "start" => {
                self.diagnostics.push(
                    Diagnostic::error(codes::WRONG_TYPE, "a second <start> element")
                        .at(self.source, xml.name.span)
                        .with_help("a flow has one <start> element; merge or remove this one"),
                );
            }
            Some(element) => {
                // A <startElementReference> came first: the <start> takes its place.
                let mut connections = self.connections(xml);
                connections.append(&mut element.connections);
                *element = start_element(xml, connections);
            }
            None => {
                let connections = self.connections(xml);
                *start = Some(elements.len());
                elements.push(start_element(xml, connections));
            }
        }
    }

    fn variable(&mut self, xml: &XmlElement) -> Option<Variable> {
        let name = self.name(xml, "resource")?;
        Some(Variable {
            name,
            data_type: xml.child_text("dataType").map(str::to_owned),
            declaration: xml.name.value.clone(),
            span: xml.span,
        })
    }

    /// The `<name>` of `xml`, located at its text; FG005 when it has none.
    fn name(&mut self, xml: &XmlElement, what: &str) -> Option<Located<String>> {
        let text = xml.child("name").and_then(|name| name.text.as_ref());
        match text {
            Some(text) if !text.value.trim().is_empty() => {
                Some(Located::new(text.value.clone(), text.span))
            }
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!("this <{}> {what} has no <name>", xml.name.value),
                    )
                    .at(self.source, xml.name.span)
                    .with_help(
                        "every flow element and resource has a unique API name in a <name> \
                         child; add one (the element is skipped until then)",
                    ),
                );
                None
            }
        }
    }

    /// The outgoing connections of an element (or of the start), in file order.
    fn connections(&mut self, xml: &XmlElement) -> Vec<Connection> {
        let mut connections = Vec::new();
        for child in &xml.children {
            let tag = child.name.value.as_str();
            let kind = match (shape::connector_kind(tag), tag) {
                (Some(kind), _) => kind,
                (None, "rules" | "waitEvents") => {
                    // An outcome without a connector ends the flow there: no connection.
                    let Some(connector) = child.child("connector") else {
                        continue;
                    };
                    let name = self.outcome_name(child);
                    self.push(&mut connections, ConnectionKind::Outcome(name), connector);
                    continue;
                }
                (None, "scheduledPaths") => {
                    let Some(connector) = child.child("connector") else {
                        continue;
                    };
                    let name = shape::scheduled_path_name(child);
                    self.push(&mut connections, ConnectionKind::Scheduled(name), connector);
                    continue;
                }
                _ => continue,
            };
            self.push(&mut connections, kind, child);
        }
        connections
    }

    fn push(
        &mut self,
        connections: &mut Vec<Connection>,
        kind: ConnectionKind,
        connector: &XmlElement,
    ) {
        let target = connector
            .child("targetReference")
            .and_then(|reference| self.target(reference));
        match target {
            Some(target) => connections.push(Connection { kind, target }),
            None if connector.child("targetReference").is_none() => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!("this <{}> has no <targetReference>", connector.name.value),
                    )
                    .at(self.source, connector.name.span)
                    .with_help(
                        "a connector names the element it leads to in a <targetReference> \
                         child; add it, or remove the connector",
                    ),
                );
            }
            None => {}
        }
    }

    /// The text of a `<targetReference>` (or `<startElementReference>`), located; FG005 when
    /// it is empty.
    fn target(&mut self, reference: &XmlElement) -> Option<Located<String>> {
        match &reference.text {
            Some(text) if !text.value.trim().is_empty() => {
                Some(Located::new(text.value.clone(), text.span))
            }
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!("this <{}> is empty", reference.name.value),
                    )
                    .at(self.source, reference.name.span)
                    .with_help("write the API name of the element it leads to"),
                );
                None
            }
        }
    }

    /// The name of a decision outcome or wait event; FG005 (and an empty name) without one.
    fn outcome_name(&mut self, xml: &XmlElement) -> String {
        match xml.child_text("name") {
            Some(name) if !name.trim().is_empty() => name.to_owned(),
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!("this <{}> outcome has no <name>", xml.name.value),
                    )
                    .at(self.source, xml.name.span)
                    .with_help("every decision outcome and wait event has an API name in <name>"),
                );
                String::new()
            }
        }
    }
}

/// The element `xml`, named `id`.
fn named_element(
    xml: &XmlElement,
    id: Located<String>,
    kind: ElementKind,
    connections: Vec<Connection>,
) -> Element {
    Element {
        id,
        label: xml.child_text("label").map(str::to_owned),
        kind,
        platform_type: xml.name.value.clone(),
        platform_id: None,
        error_handling: error_handling(&connections),
        connections,
        disabled: false,
        span: xml.span,
    }
}

fn start_element(xml: &XmlElement, connections: Vec<Connection>) -> Element {
    let id = Located::new(START_ID.to_owned(), xml.name.span);
    let mut element = named_element(xml, id, ElementKind::Trigger, connections);
    // A `<start>` has no label of its own (a `<label>` inside it would be a setting).
    element.label = None;
    element
}

fn error_handling(connections: &[Connection]) -> ErrorHandling {
    if connections
        .iter()
        .any(|connection| connection.kind == ConnectionKind::Fault)
    {
        ErrorHandling::Path
    } else {
        ErrorHandling::Stop
    }
}

/// How the flow starts; see the module documentation for the mapping.
fn trigger(root: &XmlElement) -> FlowTrigger {
    let start = root.child("start");
    let start_text = |name: &str| start.and_then(|start| start.child_text(name));
    if let Some(trigger_type) = start_text("triggerType") {
        if RECORD_TRIGGER_TYPES.contains(&trigger_type) {
            let has_entry_criteria = start.is_some_and(|start| {
                ["filters", "filterFormula", "filterLogic"]
                    .iter()
                    .any(|name| start.child(name).is_some())
            });
            return FlowTrigger::Record {
                object: start_text("object").map(str::to_owned),
                timing: trigger_type.to_owned(),
                event: start_text("recordTriggerType").map(str::to_owned),
                has_entry_criteria,
            };
        }
        if trigger_type == "Scheduled" {
            return FlowTrigger::Schedule;
        }
        if EVENT_TRIGGER_TYPES.contains(&trigger_type) {
            let object = match start_text("object") {
                Some(object) => object,
                None if trigger_type == "PlatformEvent" => "",
                None => trigger_type,
            };
            return FlowTrigger::Event(object.to_owned());
        }
    }
    match root.child_text("processType") {
        Some(process) if SCREEN_PROCESS_TYPES.contains(&process) => FlowTrigger::Manual,
        Some("Workflow") => match process_metadata(root, "ObjectType") {
            Some(object) if !object.is_empty() => FlowTrigger::Record {
                object: Some(object.to_owned()),
                timing: "RecordAfterSave".to_owned(),
                event: process_metadata(root, "TriggerType").map(|event| {
                    match event {
                        "onCreateOnly" => "Create",
                        "onAllChanges" => "CreateAndUpdate",
                        other => other,
                    }
                    .to_owned()
                }),
                has_entry_criteria: false,
            },
            _ => FlowTrigger::Invoked,
        },
        Some("CustomEvent") => FlowTrigger::Event(
            process_metadata(root, "ObjectType")
                .unwrap_or_default()
                .to_owned(),
        ),
        _ => FlowTrigger::Invoked,
    }
}

/// The value of the flow-level `<processMetadataValues>` named `name` (its first value
/// child: `stringValue`, `elementReference`, …).
fn process_metadata<'x>(root: &'x XmlElement, name: &str) -> Option<&'x str> {
    root.children_named("processMetadataValues")
        .find(|values| values.child_text("name") == Some(name))
        .and_then(|values| values.child("value"))
        .and_then(|value| value.children.first())
        .and_then(XmlElement::text_str)
}

/// FG013 for duplicate element names and for connections to elements that do not exist.
/// Where an element of a type flowgate does not know is involved they are warnings: it was
/// read by its shape, and a guess never blocks an export.
fn check_graph(source: &SourceText, flow: &Flow, diagnostics: &mut Vec<Diagnostic>) {
    let ids = check_names(source, flow, diagnostics);
    check_targets(source, flow, &ids, diagnostics);
}

/// Whether `element` is of a type flowgate does not know.
fn is_unknown(element: &Element) -> bool {
    element.kind == ElementKind::Other && element_kind(&element.platform_type).is_none()
}

/// An FG013 error, or a warning when `unknown` (see [`check_graph`]).
fn graph_finding(unknown: bool, message: String) -> Diagnostic {
    if unknown {
        Diagnostic::warning(codes::STEP_GRAPH, message)
    } else {
        Diagnostic::error(codes::STEP_GRAPH, message)
    }
}

/// The elements by name (each name's first element, and whether it is of an unknown type),
/// reporting the later ones.
fn check_names<'f>(
    source: &SourceText,
    flow: &'f Flow,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<&'f str, (Span, bool)> {
    let mut ids: HashMap<&str, (Span, bool)> = HashMap::with_capacity(flow.elements.len());
    for element in &flow.elements {
        if element.kind == ElementKind::Trigger && element.id.value == START_ID {
            continue;
        }
        let unknown = is_unknown(element);
        if let Some(&(first, first_unknown)) = ids.get(element.id.value.as_str()) {
            let message = format!("two flow elements are named `{}`", element.id.value);
            diagnostics.push(
                graph_finding(unknown || first_unknown, message)
                    .at(source, element.id.span)
                    .with_related(source.locate(first), "the first one")
                    .with_help("API names are unique within a flow; rename one of them"),
            );
        } else {
            ids.insert(&element.id.value, (element.id.span, unknown));
        }
    }
    ids
}

/// Report connections to names that are not elements, with a "did you mean".
fn check_targets(
    source: &SourceText,
    flow: &Flow,
    ids: &HashMap<&str, (Span, bool)>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut suggestions_left = MAX_SUGGESTIONS;
    // Sorted, so that a tie goes to the smaller name whatever the hash order.
    let mut names: Vec<&str> = ids.keys().copied().collect();
    names.sort_unstable();
    for element in &flow.elements {
        for connection in &element.connections {
            let target = &connection.target;
            if ids.contains_key(target.value.as_str()) {
                continue;
            }
            let suggestion = if suggestions_left > 0 {
                suggestions_left -= 1;
                did_you_mean(&target.value, names.iter().copied())
            } else {
                None
            };
            let help = match suggestion {
                Some(name) => format!("did you mean `{name}`?"),
                None => "point the connector at an element of this flow, or remove it".to_owned(),
            };
            let message = format!(
                "`{}` connects to `{}`, which is not an element of this flow",
                element.id.value, target.value
            );
            diagnostics.push(
                graph_finding(is_unknown(element), message)
                    .at(source, target.span)
                    .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use flowgate_diagnostics::Severity;

    const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                        <Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n";
    const TAIL: &str = "</Flow>\n";

    fn wrap(body: &str) -> String {
        format!("{HEAD}{body}{TAIL}")
    }

    fn run(text: &str) -> (Option<Imported>, Vec<Diagnostic>, SourceText) {
        let source = SourceText::new("flows/My_Flow.flow-meta.xml", text);
        let (imported, diagnostics) = import(&source);
        (imported, diagnostics, source)
    }

    /// Import `body` inside `<Flow>`, expecting no diagnostic.
    fn import_body(body: &str) -> Flow {
        let (imported, diagnostics, _) = run(&wrap(body));
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        imported.unwrap().flow
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    fn codes_of(diagnostics: &[Diagnostic]) -> Vec<&str> {
        diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    fn kinds(element: &Element) -> Vec<(ConnectionKind, &str)> {
        element
            .connections
            .iter()
            .map(|c| (c.kind.clone(), c.target.value.as_str()))
            .collect()
    }

    fn trigger_of(body: &str) -> FlowTrigger {
        import_body(body).trigger
    }

    #[test]
    fn flow_level_fields() {
        let text = wrap(
            "    <description>Routes &quot;hot&quot; leads</description>\n\
             <label>Lead Routing</label>\n<processType>AutoLaunchedFlow</processType>\n\
             <status>Active</status>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let imported = imported.unwrap();
        assert_eq!(imported.id, "My_Flow");
        assert_eq!(imported.name.as_deref(), Some("Lead Routing"));
        assert_eq!(
            imported.description.as_deref(),
            Some("Routes \"hot\" leads")
        );
        let flow = imported.flow;
        assert_eq!(flow.dialect, Dialect::Salesforce);
        assert_eq!(flow.label.as_deref(), Some("Lead Routing"));
        assert_eq!(flow.description.as_deref(), Some("Routes \"hot\" leads"));
        assert!(flow.active);
        assert_eq!(&*flow.original, text.as_str());
        assert!(flow.elements.is_empty());
        assert!(flow.entries.is_empty());

        for (status, active) in [
            ("Active", true),
            ("Draft", false),
            ("Obsolete", false),
            ("InvalidDraft", false),
        ] {
            let f = import_body(&format!("<status>{status}</status>"));
            assert_eq!(f.active, active, "{status}");
        }
        let bare = import_body("");
        assert!(!bare.active);
        assert_eq!(bare.label, None);
        assert_eq!(bare.description, None);
        assert_eq!(bare.trigger, FlowTrigger::Invoked);
    }

    #[test]
    fn record_triggers() {
        let t = trigger_of(
            "<processType>AutoLaunchedFlow</processType>\n<start>\n\
             <object>Account</object><recordTriggerType>Create</recordTriggerType>\n\
             <triggerType>RecordBeforeSave</triggerType></start>",
        );
        assert_eq!(
            t,
            FlowTrigger::Record {
                object: Some("Account".into()),
                timing: "RecordBeforeSave".into(),
                event: Some("Create".into()),
                has_entry_criteria: false,
            }
        );
        for criteria in [
            "<filterLogic>and</filterLogic><filters><field>Rating</field>\
             <operator>EqualTo</operator><value><stringValue>Hot</stringValue></value></filters>",
            "<filterFormula>{!$Record.Rating} = 'Hot'</filterFormula>",
            "<filterLogic>and</filterLogic>",
        ] {
            let t = trigger_of(&format!(
                "<start><object>Lead</object><recordTriggerType>CreateAndUpdate\
                 </recordTriggerType>{criteria}<triggerType>RecordAfterSave</triggerType></start>"
            ));
            assert_eq!(
                t,
                FlowTrigger::Record {
                    object: Some("Lead".into()),
                    timing: "RecordAfterSave".into(),
                    event: Some("CreateAndUpdate".into()),
                    has_entry_criteria: true,
                },
                "{criteria}"
            );
        }
        let t = trigger_of(
            "<start><object>Case</object><recordTriggerType>Delete</recordTriggerType>\
             <triggerType>RecordBeforeDelete</triggerType></start>",
        );
        assert!(matches!(
            t,
            FlowTrigger::Record { ref timing, event: Some(ref event), .. }
                if timing == "RecordBeforeDelete" && event == "Delete"
        ));
        // Without an object or event, the trigger is still a record trigger.
        let t = trigger_of("<start><triggerType>RecordAfterSave</triggerType></start>");
        assert_eq!(
            t,
            FlowTrigger::Record {
                object: None,
                timing: "RecordAfterSave".into(),
                event: None,
                has_entry_criteria: false,
            }
        );
    }

    #[test]
    fn other_triggers() {
        let schedule = "<processType>AutoLaunchedFlow</processType><start><schedule>\
                        <frequency>Daily</frequency><startDate>2024-01-01</startDate>\
                        <startTime>02:00:00.000Z</startTime></schedule>\
                        <triggerType>Scheduled</triggerType></start>";
        assert_eq!(trigger_of(schedule), FlowTrigger::Schedule);
        assert_eq!(
            trigger_of(
                "<processType>AutoLaunchedFlow</processType><start><object>Order_Event__e\
                 </object><triggerType>PlatformEvent</triggerType></start>"
            ),
            FlowTrigger::Event("Order_Event__e".into())
        );
        assert_eq!(
            trigger_of("<start><triggerType>PlatformEvent</triggerType></start>"),
            FlowTrigger::Event(String::new())
        );
        assert_eq!(
            trigger_of("<start><triggerType>DataCloudDataChange</triggerType></start>"),
            FlowTrigger::Event("DataCloudDataChange".into())
        );
        assert_eq!(
            trigger_of("<processType>Flow</processType><start/>"),
            FlowTrigger::Manual
        );
        assert_eq!(
            trigger_of("<processType>FieldServiceMobile</processType>"),
            FlowTrigger::Manual
        );
        assert_eq!(
            trigger_of("<processType>AutoLaunchedFlow</processType><start/>"),
            FlowTrigger::Invoked
        );
        assert_eq!(
            trigger_of("<processType>RoutingFlow</processType>"),
            FlowTrigger::Invoked
        );
        assert_eq!(
            trigger_of("<processType>InvocableProcess</processType>"),
            FlowTrigger::Invoked
        );
        // An unknown trigger type falls back to the process type.
        assert_eq!(
            trigger_of(
                "<processType>Flow</processType><start><triggerType>Mystery</triggerType></start>"
            ),
            FlowTrigger::Manual
        );
    }

    #[test]
    fn process_builder_triggers() {
        let metadata = |name: &str, value: &str| {
            format!(
                "<processMetadataValues><name>{name}</name><value>{value}</value>\
                 </processMetadataValues>\n"
            )
        };
        let body = format!(
            "{}{}{}<processType>Workflow</processType>\n\
             <startElementReference>myDecision</startElementReference>\n\
             <decisions><name>myDecision</name><label>myDecision</label></decisions>\n",
            metadata("ObjectType", "<stringValue>Case</stringValue>"),
            metadata(
                "ObjectVariable",
                "<elementReference>myVariable_current</elementReference>"
            ),
            metadata("TriggerType", "<stringValue>onAllChanges</stringValue>"),
        );
        assert_eq!(
            trigger_of(&body),
            FlowTrigger::Record {
                object: Some("Case".into()),
                timing: "RecordAfterSave".into(),
                event: Some("CreateAndUpdate".into()),
                has_entry_criteria: false,
            }
        );
        let body = format!(
            "{}{}<processType>Workflow</processType>",
            metadata("ObjectType", "<stringValue>Account</stringValue>"),
            metadata("TriggerType", "<stringValue>onCreateOnly</stringValue>"),
        );
        assert!(matches!(
            trigger_of(&body),
            FlowTrigger::Record { event: Some(ref e), .. } if e == "Create"
        ));
        // A process without object information is invoked (by another process).
        assert_eq!(
            trigger_of("<processType>Workflow</processType>"),
            FlowTrigger::Invoked
        );
        let body = format!(
            "{}<processType>CustomEvent</processType>",
            metadata("ObjectType", "<stringValue>Alert__e</stringValue>")
        );
        assert_eq!(trigger_of(&body), FlowTrigger::Event("Alert__e".into()));
    }

    #[test]
    fn every_element_tag_maps_to_its_kind() {
        let mut body = String::new();
        for (i, (tag, _)) in ELEMENT_KINDS.iter().enumerate() {
            body.push_str(&format!(
                "    <{tag}>\n        <name>e{i}</name>\n        <label>Element {i}</label>\n    </{tag}>\n"
            ));
        }
        // Not elements: flow properties and resources.
        body.push_str("<apiVersion>62.0</apiVersion><interviewLabel>x</interviewLabel>\n");
        let text = wrap(&body);
        let (imported, diagnostics, _) = run(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let flow = imported.unwrap().flow;
        assert_eq!(flow.elements.len(), ELEMENT_KINDS.len());
        for (i, ((tag, kind), element)) in ELEMENT_KINDS.iter().zip(&flow.elements).enumerate() {
            assert_eq!(element.kind, *kind, "{tag}");
            assert_eq!(element.platform_type, *tag);
            assert_eq!(element.id.value, format!("e{i}"));
            assert_eq!(slice(&text, element.id.span), format!("e{i}"));
            assert_eq!(
                element.label.as_deref(),
                Some(format!("Element {i}").as_str())
            );
            let whole = slice(&text, element.span);
            assert!(whole.starts_with(&format!("<{tag}>")), "{whole}");
            assert!(whole.ends_with(&format!("</{tag}>")), "{whole}");
            assert!(!element.disabled);
            assert_eq!(element.error_handling, ErrorHandling::Stop);
            assert!(element.connections.is_empty());
            assert_eq!(element_kind(tag), Some(*kind));
        }
        assert_eq!(element_kind("variables"), None);
        assert_eq!(element_kind("start"), None);
        // The kinds the brief asks for, spelled out.
        assert_eq!(element_kind("actionCalls"), Some(ElementKind::Action));
        assert_eq!(element_kind("apexPluginCalls"), Some(ElementKind::Code));
        assert_eq!(element_kind("recordLookups"), Some(ElementKind::RecordRead));
        assert_eq!(element_kind("transforms"), Some(ElementKind::Assignment));
        assert_eq!(element_kind("waits"), Some(ElementKind::Wait));
    }

    #[test]
    fn next_and_fault_connectors() {
        let text = wrap(
            "<recordLookups><name>Get_Contact</name><label>Get Contact</label>\
             <connector><targetReference>Check</targetReference></connector>\
             <faultConnector><isGoTo>true</isGoTo><targetReference>Log_Error</targetReference>\
             </faultConnector><object>Contact</object></recordLookups>\n\
             <assignments><name>Check</name></assignments>\n\
             <assignments><name>Log_Error</name></assignments>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let flow = imported.unwrap().flow;
        let get = flow.element("Get_Contact").unwrap();
        assert_eq!(
            kinds(get),
            [
                (ConnectionKind::Next, "Check"),
                (ConnectionKind::Fault, "Log_Error")
            ]
        );
        assert_eq!(slice(&text, get.connections[1].target.span), "Log_Error");
        assert_eq!(get.error_handling, ErrorHandling::Path);
        assert_eq!(
            flow.element("Check").unwrap().error_handling,
            ErrorHandling::Stop
        );
    }

    #[test]
    fn decision_outcomes() {
        let f = import_body(
            "<decisions><name>Route</name><label>Route</label>\
             <defaultConnector><targetReference>Other</targetReference></defaultConnector>\
             <defaultConnectorLabel>Default Outcome</defaultConnectorLabel>\
             <rules><name>Is_Hot</name><conditionLogic>and</conditionLogic>\
             <connector><targetReference>Hot</targetReference></connector><label>Hot</label></rules>\
             <rules><name>Is_Cold</name><connector><targetReference>Cold</targetReference>\
             </connector></rules>\
             <rules><name>Dead_End</name><label>No connector: the flow ends</label></rules>\
             </decisions>\
             <assignments><name>Hot</name></assignments><assignments><name>Cold</name></assignments>\
             <assignments><name>Other</name></assignments>",
        );
        assert_eq!(
            kinds(f.element("Route").unwrap()),
            [
                (ConnectionKind::Default, "Other"),
                (ConnectionKind::Outcome("Is_Hot".into()), "Hot"),
                (ConnectionKind::Outcome("Is_Cold".into()), "Cold"),
            ]
        );
    }

    #[test]
    fn loop_connectors() {
        let f = import_body(
            "<loops><name>Each</name><collectionReference>items</collectionReference>\
             <nextValueConnector><targetReference>Body</targetReference></nextValueConnector>\
             <noMoreValuesConnector><targetReference>Done</targetReference></noMoreValuesConnector>\
             </loops><assignments><name>Body</name><connector><targetReference>Each\
             </targetReference></connector></assignments><recordCreates><name>Done</name>\
             </recordCreates>",
        );
        assert_eq!(
            kinds(f.element("Each").unwrap()),
            [
                (ConnectionKind::LoopBody, "Body"),
                (ConnectionKind::LoopDone, "Done")
            ]
        );
        assert_eq!(
            kinds(f.element("Body").unwrap()),
            [(ConnectionKind::Next, "Each")]
        );
    }

    #[test]
    fn wait_events_and_subflows() {
        let f = import_body(
            "<waits><name>Pause</name><defaultConnector><targetReference>Later</targetReference>\
             </defaultConnector><waitEvents><name>Three_Days</name><connector>\
             <targetReference>Remind</targetReference></connector><eventType>AlarmEvent\
             </eventType></waitEvents><faultConnector><targetReference>Later</targetReference>\
             </faultConnector></waits>\
             <subflows><name>Remind</name><connector><targetReference>Later</targetReference>\
             </connector><flowName>Send_Reminder</flowName></subflows>\
             <steps><name>Later</name><connectors><targetReference>Remind</targetReference>\
             </connectors></steps>",
        );
        let wait = f.element("Pause").unwrap();
        assert_eq!(wait.kind, ElementKind::Wait);
        assert_eq!(
            kinds(wait),
            [
                (ConnectionKind::Default, "Later"),
                (ConnectionKind::Outcome("Three_Days".into()), "Remind"),
                (ConnectionKind::Fault, "Later"),
            ]
        );
        assert_eq!(wait.error_handling, ErrorHandling::Path);
        let sub = f.element("Remind").unwrap();
        assert_eq!(sub.kind, ElementKind::Subflow);
        assert_eq!(kinds(sub), [(ConnectionKind::Next, "Later")]);
        assert_eq!(
            kinds(f.element("Later").unwrap()),
            [(ConnectionKind::Next, "Remind")]
        );
    }

    #[test]
    fn start_is_the_entry_element() {
        let text = wrap(
            "<assignments><name>First</name></assignments>\n\
             <assignments><name>Async_Work</name></assignments>\n\
             <assignments><name>Reminder</name></assignments>\n\
             <start>\n<connector><targetReference>First</targetReference></connector>\n\
             <object>Opportunity</object><recordTriggerType>Update</recordTriggerType>\n\
             <scheduledPaths><connector><targetReference>Async_Work</targetReference></connector>\
             <pathType>AsyncAfterCommit</pathType></scheduledPaths>\n\
             <scheduledPaths><name>Three_Days_Later</name><connector><targetReference>Reminder\
             </targetReference></connector><label>3 days</label><offsetNumber>3</offsetNumber>\
             <offsetUnit>Days</offsetUnit><timeSource>RecordField</timeSource></scheduledPaths>\n\
             <triggerType>RecordAfterSave</triggerType>\n</start>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let flow = imported.unwrap().flow;
        assert_eq!(flow.elements.len(), 4);
        let start = flow.element(START_ID).unwrap();
        assert_eq!(start.kind, ElementKind::Trigger);
        assert_eq!(start.platform_type, "start");
        assert_eq!(start.label, None);
        assert_eq!(slice(&text, start.id.span), "start");
        assert!(slice(&text, start.span).starts_with("<start>"));
        assert!(slice(&text, start.span).ends_with("</start>"));
        assert_eq!(
            kinds(start),
            [
                (ConnectionKind::Next, "First"),
                (
                    ConnectionKind::Scheduled("AsyncAfterCommit".into()),
                    "Async_Work"
                ),
                (
                    ConnectionKind::Scheduled("Three_Days_Later".into()),
                    "Reminder"
                ),
            ]
        );
        assert_eq!(flow.entries.len(), 1);
        assert_eq!(flow.entries[0].value, START_ID);
        assert_eq!(flow.entries[0].span, start.id.span);
        // Elements stay in file order: the start comes where it is written.
        assert_eq!(flow.elements[3].id.value, START_ID);
    }

    #[test]
    fn start_element_reference_of_old_flows() {
        let text = wrap(
            "<decisions><name>myDecision</name></decisions>\n\
             <startElementReference>myDecision</startElementReference>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let flow = imported.unwrap().flow;
        let start = flow.element(START_ID).unwrap();
        assert_eq!(start.platform_type, "startElementReference");
        assert_eq!(kinds(start), [(ConnectionKind::Next, "myDecision")]);
        assert_eq!(slice(&text, start.connections[0].target.span), "myDecision");
        assert_eq!(
            slice(&text, start.span),
            "<startElementReference>myDecision</startElementReference>"
        );
        assert_eq!(flow.entries[0].value, START_ID);
        // A start without connectors is still the entry.
        let f = import_body("<start><locationX>0</locationX></start>");
        assert_eq!(f.entries.len(), 1);
        assert!(f.elements[0].connections.is_empty());
    }

    #[test]
    fn elements_of_unknown_types_are_read_by_their_shape() {
        let text = wrap(
            "<steppedStages><name>Submit</name><label>Submit it</label><locationX>0</locationX>\
             <locationY>0</locationY><connector><targetReference>Review</targetReference>\
             </connector><steps><name>Submit_Step</name><actionName>Send</actionName>\
             <actionType>createWorkItem</actionType></steps></steppedStages>\n\
             <approvalGates><name>Review</name><faultConnector><targetReference>Log\
             </targetReference></faultConnector><outcomes><name>Approved</name><connector>\
             <targetReference>Done</targetReference></connector></outcomes><timeoutConnector>\
             <targetReference>Log</targetReference></timeoutConnector><scheduledPaths>\
             <pathType>AsyncAfterCommit</pathType><connector><targetReference>Done\
             </targetReference></connector></scheduledPaths><retryConnector><isGoTo>true\
             </isGoTo></retryConnector></approvalGates>\n\
             <auditEntries><name>Log</name><locationX>10</locationX><locationY>20</locationY>\
             <message>Rejected</message></auditEntries>\n\
             <assignments><name>Done</name></assignments>\n\
             <start><connector><targetReference>Submit</targetReference></connector></start>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let flow = imported.unwrap().flow;
        let ids: Vec<&str> = flow.elements.iter().map(|e| e.id.value.as_str()).collect();
        assert_eq!(ids, ["Submit", "Review", "Log", "Done", START_ID]);
        let submit = flow.element("Submit").unwrap();
        assert_eq!(submit.kind, ElementKind::Other);
        assert_eq!(submit.platform_type, "steppedStages");
        assert_eq!(submit.label.as_deref(), Some("Submit it"));
        assert_eq!(slice(&text, submit.id.span), "Submit");
        assert!(slice(&text, submit.span).starts_with("<steppedStages>"));
        assert!(slice(&text, submit.span).ends_with("</steppedStages>"));
        assert_eq!(kinds(submit), [(ConnectionKind::Next, "Review")]);
        let review = flow.element("Review").unwrap();
        assert_eq!(
            kinds(review),
            [
                (ConnectionKind::Fault, "Log"),
                (ConnectionKind::Outcome("Approved".into()), "Done"),
                (ConnectionKind::Outcome("timeoutConnector".into()), "Log"),
                (ConnectionKind::Scheduled("AsyncAfterCommit".into()), "Done"),
            ]
        );
        assert_eq!(review.error_handling, ErrorHandling::Path);
        assert_eq!(slice(&text, review.connections[1].target.span), "Done");
        let log = flow.element("Log").unwrap();
        assert_eq!((log.kind, log.connections.len()), (ElementKind::Other, 0));
    }

    #[test]
    fn root_children_that_are_not_elements_stay_out() {
        let f = import_body(
            "<apiVersion>61.0</apiVersion><environments>Default</environments>\
             <interviewLabel>x {!$Flow.CurrentDateTime}</interviewLabel>\
             <processMetadataValues><name>BuilderType</name><value><stringValue>\
             LightningFlowBuilder</stringValue></value><connector><targetReference>Nowhere\
             </targetReference></connector></processMetadataValues>\
             <stages><name>Intake</name><isActive>true</isActive><label>Intake</label>\
             <stageOrder>1</stageOrder></stages>\
             <promptTemplates><name>Greeting</name><text>Hello</text></promptTemplates>\
             <canvasNotes><locationX>0</locationX><locationY>0</locationY></canvasNotes>\
             <runInMode>SystemModeWithoutSharing</runInMode><triggerOrder>10</triggerOrder>",
        );
        assert!(f.elements.is_empty(), "{:#?}", f.elements);
        assert!(f.variables.is_empty());
        for tag in NOT_ELEMENTS {
            assert_eq!(element_kind(tag), None, "{tag}");
            assert!(!VARIABLE_TAGS.contains(tag), "{tag}");
        }
    }

    #[test]
    fn graph_problems_of_unknown_elements_are_warnings() {
        let text = wrap(
            "<steppedStages><name>Stage</name><connector><targetReference>Gone\
             </targetReference></connector></steppedStages>\n\
             <assignments><name>Stage</name><connector><targetReference>Lost\
             </targetReference></connector></assignments>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        let found: Vec<(&str, Severity, &str)> = diagnostics
            .iter()
            .map(|d| {
                let span = d.location.as_ref().unwrap().span;
                (d.code.as_str(), d.severity, slice(&text, span))
            })
            .collect();
        assert_eq!(
            found,
            [
                (codes::STEP_GRAPH, Severity::Warning, "Stage"),
                (codes::STEP_GRAPH, Severity::Warning, "Gone"),
                // A flowgate-known element still gets an error.
                (codes::STEP_GRAPH, Severity::Error, "Lost"),
            ]
        );
        assert_eq!(imported.unwrap().flow.elements.len(), 2);
    }

    #[test]
    fn variables_and_resources() {
        let mut body = String::new();
        for (i, tag) in VARIABLE_TAGS.iter().enumerate() {
            body.push_str(&format!(
                "<{tag}><name>v{i}</name><dataType>String</dataType></{tag}>\n"
            ));
        }
        body.push_str("<variables><name>untyped</name></variables>\n");
        let text = wrap(&body);
        let (imported, diagnostics, _) = run(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let flow = imported.unwrap().flow;
        assert!(flow.elements.is_empty());
        assert_eq!(flow.variables.len(), VARIABLE_TAGS.len() + 1);
        for (i, (tag, variable)) in VARIABLE_TAGS.iter().zip(&flow.variables).enumerate() {
            assert_eq!(variable.declaration, *tag);
            assert_eq!(variable.name.value, format!("v{i}"));
            assert_eq!(slice(&text, variable.name.span), format!("v{i}"));
            assert_eq!(variable.data_type.as_deref(), Some("String"));
            assert!(slice(&text, variable.span).starts_with(&format!("<{tag}>")));
        }
        assert_eq!(flow.variables.last().unwrap().data_type, None);
    }

    #[test]
    fn not_xml_is_a_located_syntax_error() {
        for text in [
            "{\n  \"nodes\": []\n}\n",
            "",
            "<Flow><label>x</label>",
            "<Flow><label>x</lable></Flow>",
        ] {
            let (imported, diagnostics, _) = run(text);
            assert!(imported.is_none(), "{text:?}");
            assert!(!diagnostics.is_empty(), "{text:?}");
            for d in &diagnostics {
                assert_eq!(d.code, codes::SYNTAX);
                assert_eq!(d.severity, Severity::Error);
                assert!(d.location.is_some());
                assert!(d.help.is_some());
            }
        }
        let (_, diagnostics, _) = run("<Flow>\n  <label>x</label>\n  <status>Act");
        let location = diagnostics[0].location.as_ref().unwrap();
        assert_eq!(location.start.line, 3, "{diagnostics:#?}");
    }

    #[test]
    fn wrong_root_is_wrong_type() {
        let text = "<?xml version=\"1.0\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\"/>\n";
        let (imported, diagnostics, _) = run(text);
        assert!(imported.is_none());
        assert_eq!(codes_of(&diagnostics), [codes::WRONG_TYPE]);
        let d = &diagnostics[0];
        assert!(d.message.contains("<CustomObject>"), "{}", d.message);
        assert!(d
            .help
            .as_deref()
            .unwrap()
            .contains("a Salesforce flow file has a <Flow> root element"));
        let location = d.location.as_ref().unwrap();
        assert_eq!(slice(text, location.span), "CustomObject");
        assert_eq!((location.start.line, location.start.column), (2, 2));
    }

    #[test]
    fn elements_without_a_name_are_reported_and_skipped() {
        let text = wrap(
            "<assignments>\n<label>No name</label></assignments>\n\
             <assignments><name>Kept</name></assignments>\n\
             <variables><dataType>String</dataType></variables>\n\
             <decisions><name>D</name><rules><connector><targetReference>Kept</targetReference>\
             </connector></rules></decisions>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        assert_eq!(
            codes_of(&diagnostics),
            [codes::WRONG_TYPE, codes::WRONG_TYPE, codes::WRONG_TYPE],
            "{diagnostics:#?}"
        );
        let spans: Vec<&str> = diagnostics
            .iter()
            .map(|d| slice(&text, d.location.as_ref().unwrap().span))
            .collect();
        assert_eq!(spans, ["assignments", "variables", "rules"]);
        let flow = imported.unwrap().flow;
        let ids: Vec<&str> = flow.elements.iter().map(|e| e.id.value.as_str()).collect();
        assert_eq!(ids, ["Kept", "D"]);
        assert!(flow.variables.is_empty());
        assert_eq!(
            kinds(flow.element("D").unwrap()),
            [(ConnectionKind::Outcome(String::new()), "Kept")]
        );
    }

    #[test]
    fn connectors_without_a_target_are_reported() {
        let text = wrap(
            "<assignments><name>A</name><connector><isGoTo>true</isGoTo></connector>\
             <faultConnector><targetReference> </targetReference></faultConnector></assignments>",
        );
        let (imported, diagnostics, _) = run(&text);
        assert_eq!(
            codes_of(&diagnostics),
            [codes::WRONG_TYPE, codes::WRONG_TYPE]
        );
        let spans: Vec<&str> = diagnostics
            .iter()
            .map(|d| slice(&text, d.location.as_ref().unwrap().span))
            .collect();
        assert_eq!(spans, ["connector", "targetReference"]);
        let flow = imported.unwrap().flow;
        assert!(flow.elements[0].connections.is_empty());
        assert_eq!(flow.elements[0].error_handling, ErrorHandling::Stop);
    }

    #[test]
    fn dangling_targets_are_broken_graph_errors() {
        let text = wrap(
            "<assignments><name>Set_Owner</name><connector><targetReference>Send_Emial\
             </targetReference></connector></assignments>\n\
             <actionCalls><name>Send_Email</name><faultConnector><targetReference>Nowhere\
             </targetReference></faultConnector></actionCalls>\n\
             <start><connector><targetReference>Set_Ownr</targetReference></connector></start>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        assert_eq!(
            codes_of(&diagnostics),
            [codes::STEP_GRAPH, codes::STEP_GRAPH, codes::STEP_GRAPH],
            "{diagnostics:#?}"
        );
        let d = &diagnostics[0];
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(
            slice(&text, d.location.as_ref().unwrap().span),
            "Send_Emial"
        );
        assert!(d.message.contains("`Send_Emial`"), "{}", d.message);
        assert_eq!(d.help.as_deref(), Some("did you mean `Send_Email`?"));
        assert_eq!(
            slice(&text, diagnostics[1].location.as_ref().unwrap().span),
            "Nowhere"
        );
        assert!(!diagnostics[1]
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean"));
        assert_eq!(
            slice(&text, diagnostics[2].location.as_ref().unwrap().span),
            "Set_Ownr"
        );
        assert!(diagnostics[2].message.starts_with("`$start`"));
        // The flow still imports, connections included.
        let flow = imported.unwrap().flow;
        assert_eq!(flow.elements.len(), 3);
        assert_eq!(
            kinds(flow.element("Set_Owner").unwrap()),
            [(ConnectionKind::Next, "Send_Emial")]
        );
        // `$start` is not a target one can write.
        let (_, diagnostics, _) = run(&wrap(
            "<assignments><name>A</name><connector><targetReference>$start</targetReference>\
             </connector></assignments><start/>",
        ));
        assert_eq!(codes_of(&diagnostics), [codes::STEP_GRAPH]);
    }

    #[test]
    fn duplicate_names_are_broken_graph_errors() {
        let text = wrap(
            "<assignments><name>Twin</name></assignments>\n\
             <decisions><name>Twin</name></decisions>\n",
        );
        let (imported, diagnostics, _) = run(&text);
        assert_eq!(codes_of(&diagnostics), [codes::STEP_GRAPH]);
        let d = &diagnostics[0];
        assert_eq!(d.location.as_ref().unwrap().start.line, 4);
        assert_eq!(d.related.len(), 1);
        assert_eq!(d.related[0].location.start.line, 3);
        assert_eq!(imported.unwrap().flow.elements.len(), 2);
    }

    #[test]
    fn second_start_is_reported() {
        let (imported, diagnostics, _) = run(&wrap(
            "<assignments><name>A</name></assignments>\
             <start><connector><targetReference>A</targetReference></connector></start>\
             <start><connector><targetReference>B</targetReference></connector></start>",
        ));
        assert_eq!(codes_of(&diagnostics), [codes::WRONG_TYPE]);
        let flow = imported.unwrap().flow;
        assert_eq!(flow.elements.len(), 2);
        assert_eq!(
            kinds(flow.element(START_ID).unwrap()),
            [(ConnectionKind::Next, "A")]
        );
    }

    #[test]
    fn truncation_at_every_byte_never_panics() {
        let text = wrap(
            "<decisions><name>D</name><defaultConnector><targetReference>A</targetReference>\
             </defaultConnector><rules><name>R</name><connector><targetReference>A\
             </targetReference></connector></rules></decisions>\n\
             <assignments><name>A</name><label>&amp; é</label></assignments>\n\
             <label>T</label><start><connector><targetReference>D</targetReference></connector>\
             <triggerType>RecordAfterSave</triggerType></start><status>Active</status>\n\
             <variables><name>v</name><dataType>String</dataType></variables>\n",
        );
        let complete = text.rfind("</Flow>").unwrap() + "</Flow>".len();
        for end in 0..=text.len() {
            let Some(prefix) = text.get(..end) else {
                continue;
            };
            let (imported, diagnostics, source) = run(prefix);
            for d in &diagnostics {
                let location = d.location.as_ref().expect("every diagnostic is located");
                assert!(location.span.end as usize <= prefix.len());
            }
            if end < complete {
                assert!(imported.is_none(), "{prefix:?}");
                assert!(
                    diagnostics.iter().any(|d| d.code == codes::SYNTAX),
                    "{prefix:?}"
                );
            } else {
                assert!(diagnostics.is_empty(), "{diagnostics:#?}");
                assert_eq!(&*imported.unwrap().flow.original, source.text());
            }
        }
    }
}
