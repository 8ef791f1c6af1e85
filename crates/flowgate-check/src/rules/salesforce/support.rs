//! Reading the `<Flow>` document of a Salesforce flow: its elements as XML next to their
//! model counterparts, flow-level settings (`apiVersion`, `processType`, `runInMode`, the
//! `start` element), process metadata values, and every text value with its span.
//!
//! Everything here returns spans into the flow's file, so rules can point at the exact
//! tag or text they complain about. Salesforce writes booleans as `true` / `false` text;
//! [`is_true`] reads them.

use crate::CheckContext;
use flowgate_diagnostics::Span;
use flowgate_model::flow::{Element, ElementKind, Flow};
use flowgate_model::{Asset, Located};
use flowgate_syntax::{Spanned, XmlElement};

/// One flow element: the model's element and the XML it was lowered from.
#[derive(Debug, Clone, Copy)]
pub struct SfElement<'a> {
    /// The model element (`id` is the API name located at its text, `kind`, connections).
    pub model: &'a Element,
    /// The XML element (`recordLookups`, `screens`, …; `start` for the start element).
    pub xml: &'a XmlElement,
}

impl<'a> SfElement<'a> {
    /// The API name (`<name>`), or `$start` for the start element.
    pub fn name(&self) -> &'a str {
        &self.model.id.value
    }

    /// Where to point at the element: its `<name>` text, or the `start` tag for the start.
    pub fn name_span(&self) -> Span {
        self.model.id.span
    }

    /// The XML tag (`recordLookups`), which is also the model's `platform_type`.
    pub fn tag(&self) -> &'a str {
        &self.xml.name.value
    }

    /// Whether this is the start element (`<start>` or `<startElementReference>`).
    pub fn is_start(&self) -> bool {
        self.model.kind == ElementKind::Trigger
    }

    /// The text of the child `name` with its span (`<allowBack>true</allowBack>`).
    pub fn child_text(&self, name: &str) -> Option<&'a Spanned<String>> {
        child_text(self.xml, name)
    }

    /// Whether the child `name` holds `true`.
    pub fn flag(&self, name: &str) -> bool {
        self.xml.child_text(name).is_some_and(is_true)
    }

    /// The boolean child `name`, or `default` when it is not written (Salesforce's default
    /// for that setting).
    pub fn flag_or(&self, name: &str, default: bool) -> bool {
        match self.xml.child_text(name) {
            Some(text) if is_true(text) => true,
            Some(text) if text.trim().eq_ignore_ascii_case("false") => false,
            _ => default,
        }
    }
}

/// The flow's elements in file order, the start element included, each with its XML.
///
/// The model's elements are the children of `<Flow>` that are flow elements (the loader
/// knows the tags), in file order, so they are matched to the XML by their span. Elements the
/// loader skipped (no `<name>`) are not yielded.
pub fn elements<'a>(flow: &'a Flow, root: &'a XmlElement) -> Vec<SfElement<'a>> {
    let mut children = root.children.iter();
    let mut out = Vec::with_capacity(flow.elements.len());
    for model in &flow.elements {
        // Both lists are in file order; the model's is a subsequence of the XML's.
        for xml in children.by_ref() {
            if xml.span == model.span {
                out.push(SfElement { model, xml });
                break;
            }
        }
    }
    out
}

/// The element named `name` (API name), with its XML.
pub fn element<'a>(flow: &'a Flow, root: &'a XmlElement, name: &str) -> Option<SfElement<'a>> {
    elements(flow, root)
        .into_iter()
        .find(|element| element.name() == name)
}

/// The text of the first child `name` of `xml`, with its span.
pub fn child_text<'a>(xml: &'a XmlElement, name: &str) -> Option<&'a Spanned<String>> {
    xml.child(name).and_then(|child| child.text.as_ref())
}

/// Where to point at a child `name` of `xml`: its text, else its tag, else `xml`'s tag.
pub fn child_span(xml: &XmlElement, name: &str) -> Span {
    match xml.child(name) {
        Some(child) => child
            .text
            .as_ref()
            .map_or(child.name.span, |text| text.span),
        None => xml.name.span,
    }
}

/// Whether a Salesforce boolean is true (`true`, any case, surrounding spaces ignored).
pub fn is_true(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("true")
}

/// The flow's API version (`<apiVersion>58.0</apiVersion>`).
#[derive(Debug, Clone, Copy)]
pub struct ApiVersion<'a> {
    /// The text as written, with its span.
    pub text: &'a Spanned<String>,
    /// The number, when the text is one.
    pub value: Option<f64>,
}

/// The `<apiVersion>` of the flow, if it has one with text.
pub fn api_version(root: &XmlElement) -> Option<ApiVersion<'_>> {
    child_text(root, "apiVersion").map(|text| ApiVersion {
        text,
        value: text.value.trim().parse::<f64>().ok(),
    })
}

/// The `<processType>` (`Flow`, `AutoLaunchedFlow`, `Workflow`, …).
pub fn process_type(root: &XmlElement) -> Option<&Spanned<String>> {
    child_text(root, "processType")
}

/// The `<runInMode>` (`DefaultMode`, `SystemModeWithSharing`, `SystemModeWithoutSharing`).
pub fn run_in_mode(root: &XmlElement) -> Option<&Spanned<String>> {
    child_text(root, "runInMode")
}

/// The process types of flows people run through screens (Lightning Flow Scanner's
/// "visual" types).
pub const SCREEN_PROCESS_TYPES: &[&str] = &[
    "Flow",
    "IndividualObjectLinkingFlow",
    "LoginFlow",
    "RoutingFlow",
    "Appointments",
    "ActionCadenceStepFlow",
    "ContactRequestFlow",
    "CustomerLifecycle",
    "FieldServiceMobile",
    "FieldServiceWeb",
    "SurveyEnrich",
];

/// The process types of flows that run without a user interface (record-triggered,
/// scheduled, platform-event and invoked flows, orchestrations, Process Builder on events).
pub const BACKGROUND_PROCESS_TYPES: &[&str] = &[
    "AutoLaunchedFlow",
    "CustomEvent",
    "InvocableProcess",
    "Orchestrator",
    "EvaluationFlow",
    "ActionCadenceAutolaunchedFlow",
];

/// The process types of Process Builder processes: on a record change (`Workflow`), on a
/// platform event (`CustomEvent`), or invoked (`InvocableProcess`).
pub const PROCESS_BUILDER_TYPES: &[&str] = &["Workflow", "CustomEvent", "InvocableProcess"];

/// Whether the flow is a Process Builder process (one of [`PROCESS_BUILDER_TYPES`]), which
/// rules about flows built in Flow Builder leave alone.
pub fn is_process_builder(root: &XmlElement) -> bool {
    process_type(root).is_some_and(|t| PROCESS_BUILDER_TYPES.contains(&t.value.trim()))
}

/// Whether the flow runs screens: its process type is one of [`SCREEN_PROCESS_TYPES`].
pub fn is_screen_flow(root: &XmlElement) -> bool {
    process_type(root).is_some_and(|t| SCREEN_PROCESS_TYPES.contains(&t.value.trim()))
}

/// The `<start>` element of a flow built in Flow Builder (API 49 and later).
#[derive(Debug, Clone, Copy)]
pub struct Start<'a> {
    /// The `<start>` element.
    pub xml: &'a XmlElement,
}

impl<'a> Start<'a> {
    /// `<object>`: the object of a record-triggered flow, or the event of an event flow.
    pub fn object(&self) -> Option<&'a Spanned<String>> {
        child_text(self.xml, "object")
    }

    /// `<triggerType>`: `RecordBeforeSave`, `RecordAfterSave`, `RecordBeforeDelete`,
    /// `Scheduled`, `PlatformEvent`, …
    pub fn trigger_type(&self) -> Option<&'a Spanned<String>> {
        child_text(self.xml, "triggerType")
    }

    /// `<recordTriggerType>`: `Create`, `Update`, `CreateAndUpdate` or `Delete`.
    pub fn record_trigger_type(&self) -> Option<&'a Spanned<String>> {
        child_text(self.xml, "recordTriggerType")
    }

    /// Whether the flow is record-triggered (before save, after save or before delete).
    pub fn is_record_triggered(&self) -> bool {
        self.trigger_type().is_some_and(|t| {
            matches!(
                t.value.trim(),
                "RecordBeforeSave" | "RecordAfterSave" | "RecordBeforeDelete"
            )
        })
    }

    /// The entry conditions (`<filters>`), in file order.
    pub fn filters(&self) -> impl Iterator<Item = &'a XmlElement> {
        self.xml.children_named("filters")
    }

    /// `<filterFormula>`: a formula entry condition.
    pub fn filter_formula(&self) -> Option<&'a Spanned<String>> {
        child_text(self.xml, "filterFormula")
    }

    /// `<filterLogic>`: `and`, `or`, or custom logic such as `1 AND (2 OR 3)`.
    pub fn filter_logic(&self) -> Option<&'a Spanned<String>> {
        child_text(self.xml, "filterLogic")
    }

    /// Whether entry conditions narrow which records start the flow.
    pub fn has_entry_conditions(&self) -> bool {
        self.filters().next().is_some() || self.filter_formula().is_some()
    }
}

/// The flow's `<start>` element, if it has one.
pub fn start(root: &XmlElement) -> Option<Start<'_>> {
    root.child("start").map(|xml| Start { xml })
}

/// The `<processMetadataValues>` entry of `xml` named `name` (`CanvasMode`, `BuilderType`).
pub fn process_metadata_value<'a>(xml: &'a XmlElement, name: &str) -> Option<&'a XmlElement> {
    xml.children_named("processMetadataValues")
        .find(|entry| entry.child_text("name").map(str::trim) == Some(name))
}

/// The `<stringValue>` of a `<processMetadataValues>` (or any `value` holder) entry.
pub fn string_value(entry: &XmlElement) -> Option<&Spanned<String>> {
    entry
        .child("value")
        .and_then(|value| child_text(value, "stringValue"))
}

/// Every text value in the document, depth-first in file order, each with the element
/// that holds it (`<stringValue>`, `<description>`, `<formula>`, …).
pub fn texts(root: &XmlElement) -> impl Iterator<Item = (&XmlElement, &Spanned<String>)> {
    std::iter::once(root)
        .chain(root.descendants())
        .filter_map(|xml| xml.text.as_ref().map(|text| (xml, text)))
}

/// The element or resource (variable, formula, constant, text template, choice) that
/// contains `span`, as its API name located at its `<name>`: what a text belongs to. `None`
/// for flow-level settings (`<label>`, `<processMetadataValues>`, …) and for the start
/// element, which has no name.
pub fn declaration_at(flow: &Flow, span: Span) -> Option<&Located<String>> {
    let contains = |outer: Span| outer.start <= span.start && span.end <= outer.end;
    flow.elements
        .iter()
        .filter(|element| element.kind != ElementKind::Trigger)
        .find(|element| contains(element.span))
        .map(|element| &element.id)
        .or_else(|| {
            flow.variables
                .iter()
                .find(|variable| contains(variable.span))
                .map(|variable| &variable.name)
        })
}

/// The span of `part`, found at byte `offset` of the value of `text`, in the file.
///
/// When the value is written as read (no entity or CDATA), offsets in the value are offsets
/// in the file. Otherwise `part` is looked for in the written text (the same occurrence:
/// as many before it as in the value), which works for parts without escapes, such as
/// ids and URLs. The whole text's span when neither works.
pub fn text_part_span(flow: &Flow, text: &Spanned<String>, offset: usize, part: &str) -> Span {
    let start = text.span.start as usize;
    let Some(written) = flow.original.get(start..text.span.end as usize) else {
        return text.span;
    };
    if written == text.value {
        return Span::new(start + offset, start + offset + part.len());
    }
    let before = text
        .value
        .get(..offset)
        .map_or(0, |head| head.matches(part).count());
    written
        .match_indices(part)
        .nth(before)
        .map_or(text.span, |(at, _)| {
            Span::new(start + at, start + at + part.len())
        })
}

/// The flow's API name: its file name up to the first dot (`Order_Update` for
/// `Order_Update.flow-meta.xml`), which is what Salesforce deploys it as, without the
/// version number of legacy versioned files (`Order_Update` for
/// `Order_Update-2.flow-meta.xml`: an API name has no `-`). The asset id may differ (ids are
/// normalised); `None` when the source is unknown.
pub fn flow_api_name(ctx: &CheckContext<'_>, asset: &Asset) -> Option<String> {
    let source = ctx.source(asset)?;
    let file = std::path::Path::new(source.path()).file_name()?;
    let file = file.to_string_lossy();
    let stem = api_name_of_stem(file.split('.').next().unwrap_or_default());
    (!stem.is_empty()).then(|| stem.to_owned())
}

/// A flow file's stem without the legacy version suffix `-<digits>` (`Order_Update-2`).
fn api_name_of_stem(stem: &str) -> &str {
    match stem.rsplit_once('-') {
        Some((name, version))
            if !name.is_empty()
                && !version.is_empty()
                && version.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name
        }
        _ => stem,
    }
}

/// How to name the flow in messages: its API name, else the asset id.
pub fn flow_display_name(ctx: &CheckContext<'_>, asset: &Asset) -> String {
    flow_api_name(ctx, asset).unwrap_or_else(|| asset.id.value.to_string())
}

/// Where to point at the flow as a whole: the `<label>` text, else the `<Flow` tag.
pub fn flow_span(root: &XmlElement) -> Span {
    child_text(root, "label").map_or(root.name.span, |label| label.span)
}

#[cfg(test)]
mod tests {
    use super::api_name_of_stem;

    #[test]
    fn the_legacy_version_number_is_not_part_of_the_api_name() {
        assert_eq!(api_name_of_stem("Order_Update-2"), "Order_Update");
        assert_eq!(api_name_of_stem("Order_Update-12"), "Order_Update");
        assert_eq!(api_name_of_stem("Order_Update"), "Order_Update");
        assert_eq!(api_name_of_stem("Order_Update-v2"), "Order_Update-v2");
        assert_eq!(api_name_of_stem("Order_Update-"), "Order_Update-");
        assert_eq!(api_name_of_stem("-2"), "-2");
    }
}

/// Running one rule over in-memory flows, for unit tests of options and edge cases that
/// the fixtures cannot express.
#[cfg(test)]
pub(crate) mod testing {
    use crate::{CheckConfig, CheckContext, Finding, Rule, Sink};
    use flowgate_load::load_platform_texts;
    use flowgate_model::flow::Dialect;
    use std::path::Path;

    /// Wrap the children of `<Flow>` in a flow document.
    pub(crate) fn flow_xml(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <Flow xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n{body}\n</Flow>\n"
        )
    }

    /// The findings of `rule` on `files` (`(path, text)`, Salesforce flows) under `config`.
    /// Panics when a file does not load cleanly.
    pub(crate) fn run(
        rule: &dyn Rule,
        files: &[(&str, &str)],
        config: &CheckConfig,
    ) -> Vec<Finding> {
        let texts: Vec<(String, String)> = files
            .iter()
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect();
        let loaded = load_platform_texts(Path::new("."), Dialect::Salesforce, &texts);
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        let ctx = CheckContext::new(&loaded.model, &loaded.sources, config, None, &[]);
        let mut sink = Sink::new();
        rule.check(&ctx, &mut sink);
        sink.into_findings()
    }
}
