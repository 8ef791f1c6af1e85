//! Salesforce flows: every child of `<Flow>` as JSON. Elements keep their settings (their
//! child elements, nested items with their `<name>`), resources (variables, formulas,
//! constants, text templates, choices) all their attributes, and the flow's own fields
//! (`apiVersion`, `processType`, `status`, `runInMode`, …) go to `properties`.
//!
//! Fields that the Metadata API declares as lists are always arrays, so a second `<rules>`
//! reads as an added item rather than a replaced value; so is any child that repeats, and any
//! child element with a `<name>` (unknown list types of newer API versions).

use crate::flow::Flow;
use flowgate_syntax::XmlElement;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// List-valued fields of the Flow metadata types (`Flow`, `FlowActionCall`, `FlowRule`,
/// `FlowScreenField`, `FlowStart`, …), from the Metadata API reference.
const LIST_FIELDS: &[&str] = &[
    "actionCalls",
    "apexPluginCalls",
    "assignees",
    "assignmentItems",
    "assignments",
    "capabilityTypes",
    "choiceReferences",
    "choices",
    "collectionProcessors",
    "conditions",
    "connectors",
    "constants",
    "customErrorMessages",
    "customErrors",
    "customProperties",
    "dataTypeMappings",
    "decisions",
    "dynamicChoiceSets",
    "entryActionInputParameters",
    "environments",
    "exitActionInputParameters",
    "fields",
    "filters",
    "formulas",
    "handlers",
    "inputAssignments",
    "inputParameters",
    "loops",
    "mapItems",
    "orchestratedStages",
    "outputAssignments",
    "outputParameters",
    "processMetadataValues",
    "queriedFields",
    "recordCreates",
    "recordDeletes",
    "recordLookups",
    "recordRollbacks",
    "recordUpdates",
    "ruleActions",
    "rules",
    "scheduledPaths",
    "screens",
    "sortOptions",
    "stageSteps",
    "stages",
    "steps",
    "subflows",
    "textTemplates",
    "transformValueActions",
    "transformValues",
    "triggers",
    "variables",
    "waitEvents",
    "waits",
];

/// Where an element sits on the canvas: layout, never compared.
const LAYOUT: &[&str] = &["locationX", "locationY"];

/// Connectors an element's graph already holds (`connections`), at the element's level.
const ELEMENT_CONNECTORS: &[&str] = &[
    "connector",
    "connectors",
    "defaultConnector",
    "faultConnector",
    "nextValueConnector",
    "noMoreValuesConnector",
];

/// Children of an element whose own `<connector>` is an outcome in `connections`.
const OUTCOMES: &[&str] = &["rules", "waitEvents", "scheduledPaths"];

/// Flow-level `<processMetadataValues>` that only tell the editor how to draw the flow.
const CANVAS_METADATA: &[&str] = &["BuilderType", "CanvasMode", "OriginBuilderType"];

/// Root children that the asset states elsewhere: its `name` and `description`.
const ASSET_FIELDS: &[&str] = &["label", "description"];

pub(super) fn reshape(map: &mut Map<String, Value>, flow: &Flow) {
    super::drop_derived(map);
    let Some(root) = flow.document.xml() else {
        return;
    };
    let at: HashMap<u32, &XmlElement> = root.children.iter().map(|c| (c.span.start, c)).collect();
    let settings = flow
        .elements
        .iter()
        .map(|element| {
            at.get(&element.span.start)
                .map_or(Value::Null, |x| element_settings(x))
        })
        .collect();
    super::attach_settings(map, settings);
    let variables = flow
        .variables
        .iter()
        .filter_map(|variable| at.get(&variable.span.start))
        .map(|xml| resource(xml))
        .collect();
    map.insert("variables".to_owned(), Value::Array(variables));
    let taken: HashSet<u32> = flow
        .elements
        .iter()
        .map(|e| e.span.start)
        .chain(flow.variables.iter().map(|v| v.span.start))
        .collect();
    map.insert("properties".to_owned(), properties(root, &taken));
}

/// An element's settings: its children but its name, label, connectors and position.
fn element_settings(xml: &XmlElement) -> Value {
    if xml.children.is_empty() {
        // `<startElementReference>`: a connector, already in `connections`.
        return Value::Null;
    }
    let settings = children(xml, |child| {
        let name = child.name.value.as_str();
        if name == "name"
            || name == "label"
            || ELEMENT_CONNECTORS.contains(&name)
            || LAYOUT.contains(&name)
        {
            None
        } else if OUTCOMES.contains(&name) {
            Some(children(child, |c| {
                (c.name.value != "connector").then(|| convert(c))
            }))
        } else {
            Some(convert(child))
        }
    });
    if settings.as_object().is_some_and(Map::is_empty) {
        Value::Null
    } else {
        settings
    }
}

/// A resource: its name, what it is (`formulas`), and every attribute.
fn resource(xml: &XmlElement) -> Value {
    let mut map = Map::new();
    map.insert(
        "name".to_owned(),
        Value::from(xml.child_text("name").unwrap_or_default()),
    );
    map.insert(
        "declaration".to_owned(),
        Value::from(xml.name.value.clone()),
    );
    if let Value::Object(attributes) =
        children(xml, |c| (c.name.value != "name").then(|| convert(c)))
    {
        map.extend(attributes);
    }
    Value::Object(map)
}

/// The flow's own fields: every root child that is no element, resource, name or
/// description, without the editor's canvas metadata.
fn properties(root: &XmlElement, taken: &HashSet<u32>) -> Value {
    children(root, |child| {
        let name = child.name.value.as_str();
        if taken.contains(&child.span.start)
            || ASSET_FIELDS.contains(&name)
            || name == "start"
            || name == "startElementReference"
            || (name == "processMetadataValues"
                && child
                    .child_text("name")
                    .is_some_and(|n| CANVAS_METADATA.contains(&n)))
        {
            None
        } else {
            Some(convert(child))
        }
    })
}

/// The children of `xml` as an object, each converted by `each` (`None` leaves it out).
fn children(xml: &XmlElement, mut each: impl FnMut(&XmlElement) -> Option<Value>) -> Value {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for child in &xml.children {
        *counts.entry(child.name.value.as_str()).or_default() += 1;
    }
    let mut map = Map::new();
    for child in &xml.children {
        let key = child.name.value.as_str();
        let Some(value) = each(child) else {
            continue;
        };
        let listed = LIST_FIELDS.contains(&key) || counts[key] > 1 || child.child("name").is_some();
        match map.get_mut(key) {
            Some(Value::Array(items)) if listed => items.push(value),
            _ if listed => {
                map.insert(key.to_owned(), Value::Array(vec![value]));
            }
            _ => {
                map.insert(key.to_owned(), value);
            }
        }
    }
    Value::Object(map)
}

/// One XML element: its text when it has no children, else its children as an object;
/// attributes (`xsi:nil`) as `@name` members. Layout children are left out.
fn convert(xml: &XmlElement) -> Value {
    let attributes: Vec<_> = xml
        .attributes
        .iter()
        .filter(|(name, _)| !name.value.starts_with("xmlns"))
        .collect();
    let mut value = if xml.children.is_empty() {
        xml.text
            .as_ref()
            .map_or(Value::Null, |text| Value::String(text.value.clone()))
    } else {
        children(xml, |child| {
            (!LAYOUT.contains(&child.name.value.as_str())).then(|| convert(child))
        })
    };
    if !attributes.is_empty() {
        let mut map = match value {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            text => Map::from_iter([("#text".to_owned(), text)]),
        };
        for (name, attribute) in attributes {
            map.insert(
                format!("@{}", name.value),
                Value::from(attribute.value.clone()),
            );
        }
        value = Value::Object(map);
    }
    value
}
