//! Assets: common metadata plus one kind-specific spec.

use crate::bundle::Bundle;
use crate::integration::{Integration, System};
use crate::kinds::{Body, Consent, Field, Form, List, ScoringRule, Tag, Template, Webhook};
use crate::reconciliation::Reconciliation;
use crate::watch::Watch;
use crate::workflow::Workflow;
use crate::{AssetId, Located};
use flowgate_diagnostics::Span;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The kinds of asset, in the order they are listed and rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AssetKind {
    /// A contact/company/deal/order property.
    Field,
    /// A contact tag.
    Tag,
    /// A static list or dynamic segment.
    List,
    /// A consent purpose.
    Consent,
    /// A web form.
    Form,
    /// A lead-scoring rule.
    ScoringRule,
    /// An email or SMS template.
    Template,
    /// An outbound HTTP call.
    Webhook,
    /// A system integrations connect (ERP, CRM, PSP, …).
    System,
    /// A data flow between two systems.
    Integration,
    /// An automation.
    Workflow,
    /// A release unit.
    Bundle,
    /// A proof that two data sources agree.
    Reconciliation,
    /// The KPIs watched after a release.
    Watch,
    /// A flow imported from a platform file (Salesforce Flow, n8n, Node-RED).
    Flow,
}

impl AssetKind {
    /// Every kind.
    pub const ALL: [AssetKind; 15] = [
        Self::Field,
        Self::Tag,
        Self::List,
        Self::Consent,
        Self::Form,
        Self::ScoringRule,
        Self::Template,
        Self::Webhook,
        Self::System,
        Self::Integration,
        Self::Workflow,
        Self::Bundle,
        Self::Reconciliation,
        Self::Watch,
        Self::Flow,
    ];

    /// Kinds written in flowgate's own YAML/JSON format (flows come from platform files).
    pub const NATIVE: [AssetKind; 14] = [
        Self::Field,
        Self::Tag,
        Self::List,
        Self::Consent,
        Self::Form,
        Self::ScoringRule,
        Self::Template,
        Self::Webhook,
        Self::System,
        Self::Integration,
        Self::Workflow,
        Self::Bundle,
        Self::Reconciliation,
        Self::Watch,
    ];

    /// The name written in `kind:`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Field => "Field",
            Self::Tag => "Tag",
            Self::List => "List",
            Self::Consent => "Consent",
            Self::Form => "Form",
            Self::ScoringRule => "ScoringRule",
            Self::Template => "Template",
            Self::Webhook => "Webhook",
            Self::System => "System",
            Self::Integration => "Integration",
            Self::Workflow => "Workflow",
            Self::Bundle => "Bundle",
            Self::Reconciliation => "Reconciliation",
            Self::Watch => "Watch",
            Self::Flow => "Flow",
        }
    }

    /// The kind as a lower-case noun for messages (`scoring rule`).
    pub fn noun(self) -> &'static str {
        match self {
            Self::Field => "field",
            Self::Tag => "tag",
            Self::List => "list",
            Self::Consent => "consent",
            Self::Form => "form",
            Self::ScoringRule => "scoring rule",
            Self::Template => "template",
            Self::Webhook => "webhook",
            Self::System => "system",
            Self::Integration => "integration",
            Self::Workflow => "workflow",
            Self::Bundle => "bundle",
            Self::Reconciliation => "reconciliation",
            Self::Watch => "watch",
            Self::Flow => "flow",
        }
    }

    /// Parse the name written in `kind:`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Kind names, for "did you mean" hints and help texts.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.as_str()).collect()
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind-specific part of an asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind")]
#[allow(clippy::large_enum_variant)]
pub enum AssetSpec {
    /// A field.
    Field(Field),
    /// A tag.
    Tag(Tag),
    /// A list.
    List(List),
    /// A consent purpose.
    Consent(Consent),
    /// A form.
    Form(Form),
    /// A scoring rule.
    ScoringRule(ScoringRule),
    /// A template.
    Template(Template),
    /// A webhook.
    Webhook(Webhook),
    /// A system.
    System(System),
    /// An integration.
    Integration(Integration),
    /// A workflow.
    Workflow(Workflow),
    /// A bundle.
    Bundle(Bundle),
    /// A reconciliation.
    Reconciliation(Reconciliation),
    /// A watch.
    Watch(Watch),
    /// An imported platform flow.
    Flow(crate::flow::Flow),
}

impl AssetSpec {
    /// The kind of this spec.
    pub fn kind(&self) -> AssetKind {
        match self {
            Self::Field(_) => AssetKind::Field,
            Self::Tag(_) => AssetKind::Tag,
            Self::List(_) => AssetKind::List,
            Self::Consent(_) => AssetKind::Consent,
            Self::Form(_) => AssetKind::Form,
            Self::ScoringRule(_) => AssetKind::ScoringRule,
            Self::Template(_) => AssetKind::Template,
            Self::Webhook(_) => AssetKind::Webhook,
            Self::System(_) => AssetKind::System,
            Self::Integration(_) => AssetKind::Integration,
            Self::Workflow(_) => AssetKind::Workflow,
            Self::Bundle(_) => AssetKind::Bundle,
            Self::Reconciliation(_) => AssetKind::Reconciliation,
            Self::Watch(_) => AssetKind::Watch,
            Self::Flow(_) => AssetKind::Flow,
        }
    }
}

/// Index of a source file in [`crate::Model::files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// Where an asset was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Origin {
    /// The file.
    pub file: FileId,
    /// The document inside the file.
    pub span: Span,
}

/// One versionable thing.
#[derive(Debug, Clone, Serialize)]
pub struct Asset {
    /// Unique id across the workspace.
    pub id: Located<AssetId>,
    /// Human-readable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who is responsible for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free-form labels (`program: nurture`), used by bundle selectors.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The kind-specific part.
    #[serde(flatten)]
    pub spec: AssetSpec,
    /// Where it was read from.
    #[serde(skip)]
    pub origin: Origin,
}

impl PartialEq for Asset {
    /// Assets are equal when they mean the same; where they were read from does not count.
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.name == other.name
            && self.description == other.description
            && self.owner == other.owner
            && self.labels == other.labels
            && self.spec == other.spec
    }
}

impl Asset {
    /// The asset's kind.
    pub fn kind(&self) -> AssetKind {
        self.spec.kind()
    }

    /// The display name, or the id when there is none.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.id.as_str())
    }

    /// The asset as one self-contained JSON document: what a snapshot freezes and a diff
    /// compares. It is the native format (the loader reads it back), with body files inlined
    /// as `body` so that nothing outside the document is needed. Platform flows give what the
    /// platform stores, element by element, without canvas layout (see `flow_document`);
    /// their original file is kept beside it by whoever needs the bytes.
    pub fn document(&self) -> serde_json::Value {
        let mut document = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let AssetSpec::Flow(flow) = &self.spec {
            crate::flow_document::reshape(&mut document, flow);
        }
        if let (AssetSpec::Template(template), Some(object)) =
            (&self.spec, document.as_object_mut())
        {
            inline_body(object, &template.content.body.value);
            if let Some(serde_json::Value::Object(locales)) = object.get_mut("locales") {
                for (locale, content) in &template.locales {
                    if let Some(serde_json::Value::Object(entry)) = locales.get_mut(locale) {
                        inline_body(entry, &content.value.body.value);
                    }
                }
            }
        }
        document
    }
}

/// Replace `body_file` with the file's text as `body`.
fn inline_body(object: &mut serde_json::Map<String, serde_json::Value>, body: &Body) {
    if let Body::File(file) = body {
        object.remove("body_file");
        object.insert(
            "body".to_owned(),
            serde_json::Value::String(file.text.source.clone()),
        );
    }
}
