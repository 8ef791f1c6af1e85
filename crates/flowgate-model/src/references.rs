//! Every reference an asset makes to another asset, with what the reference means.

use crate::bundle::Member;
use crate::expr::{Expression, FieldUse, TemplateText};
use crate::kinds::AssetRef;
use crate::workflow::{StepAction, Trigger};
use crate::{Asset, AssetKind, AssetSpec, Located, StepId};

/// What a reference means, as an edge label in the asset graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    /// The workflow starts when something happens to the target.
    TriggeredBy,
    /// Sends the target template.
    Sends,
    /// Adds the target tag, or adds to the target list.
    Adds,
    /// Removes the target tag, or removes from the target list.
    Removes,
    /// Writes the target field.
    Writes,
    /// Reads the target field (expressions, templates, conditions).
    Reads,
    /// Calls the target webhook.
    Calls,
    /// Enrolls contacts in the target workflow.
    Enrolls,
    /// Never messages members of the target list.
    Suppresses,
    /// Requires the target consent.
    RequiresConsent,
    /// Captures the target consent (forms).
    Captures,
    /// Uses the target field as dedupe key.
    DedupesOn,
    /// Stores state in the target field (consents, scores).
    StoresIn,
    /// Includes the target in a bundle.
    Contains,
    /// Declares the target external to a bundle.
    DeclaresExternal,
    /// Reads data from the target system (integrations).
    ReadsFrom,
    /// Writes data into the target system (integrations).
    WritesTo,
    /// Names the target system as the source of truth of an entity (integrations).
    TrustsSourceOf,
    /// Needs the target integration to work.
    DependsOn,
    /// Watches the releases of the target bundle.
    Watches,
}

impl Relation {
    /// Short verb for graph labels.
    pub fn label(self) -> &'static str {
        match self {
            Self::TriggeredBy => "triggered by",
            Self::Sends => "sends",
            Self::Adds => "adds",
            Self::Removes => "removes",
            Self::Writes => "writes",
            Self::Reads => "reads",
            Self::Calls => "calls",
            Self::Enrolls => "enrolls in",
            Self::Suppresses => "suppresses",
            Self::RequiresConsent => "requires",
            Self::Captures => "captures",
            Self::DedupesOn => "dedupes on",
            Self::StoresIn => "stores in",
            Self::Contains => "contains",
            Self::DeclaresExternal => "external",
            Self::ReadsFrom => "reads from",
            Self::WritesTo => "writes to",
            Self::TrustsSourceOf => "source of truth",
            Self::DependsOn => "depends on",
            Self::Watches => "watches",
        }
    }
}

/// The target of a reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target<'a> {
    /// An asset by id.
    Asset(&'a AssetRef),
    /// A data field by `object.key`, as written in an expression or a template.
    Field(&'a Located<FieldUse>),
}

/// One reference from an asset (and possibly one of its steps) to another asset.
#[derive(Debug, Clone, Copy)]
pub struct Reference<'a> {
    /// What is referenced.
    pub target: Target<'a>,
    /// The kinds the target may have.
    pub expected: &'static [AssetKind],
    /// What the reference means.
    pub relation: Relation,
    /// The step making the reference, for workflow steps.
    pub step: Option<&'a StepId>,
}

impl Reference<'_> {
    /// Where the reference is written.
    pub fn span(&self) -> flowgate_diagnostics::Span {
        match self.target {
            Target::Asset(id) => id.span,
            Target::Field(field) => field.span,
        }
    }
}

const FIELD: &[AssetKind] = &[AssetKind::Field];
const TAG: &[AssetKind] = &[AssetKind::Tag];
const LIST: &[AssetKind] = &[AssetKind::List];
const FORM: &[AssetKind] = &[AssetKind::Form];
const TEMPLATE: &[AssetKind] = &[AssetKind::Template];
const WEBHOOK: &[AssetKind] = &[AssetKind::Webhook];
const WORKFLOW: &[AssetKind] = &[AssetKind::Workflow];
const CONSENT: &[AssetKind] = &[AssetKind::Consent];
const SYSTEM: &[AssetKind] = &[AssetKind::System];
const INTEGRATION: &[AssetKind] = &[AssetKind::Integration];
const BUNDLE: &[AssetKind] = &[AssetKind::Bundle];
const ANY_MEMBER: &[AssetKind] = &[
    AssetKind::Flow,
    AssetKind::Field,
    AssetKind::Tag,
    AssetKind::List,
    AssetKind::Consent,
    AssetKind::Form,
    AssetKind::ScoringRule,
    AssetKind::Template,
    AssetKind::Webhook,
    AssetKind::System,
    AssetKind::Integration,
    AssetKind::Workflow,
];

struct Collector<'a> {
    out: Vec<Reference<'a>>,
    step: Option<&'a StepId>,
}

impl<'a> Collector<'a> {
    fn asset(&mut self, target: &'a AssetRef, expected: &'static [AssetKind], relation: Relation) {
        self.out.push(Reference {
            target: Target::Asset(target),
            expected,
            relation,
            step: self.step,
        });
    }

    fn template(&mut self, text: &'a TemplateText) {
        for field in &text.fields {
            self.out.push(Reference {
                target: Target::Field(field),
                expected: FIELD,
                relation: Relation::Reads,
                step: self.step,
            });
        }
    }

    fn expression(&mut self, expression: &'a Expression) {
        for field in &expression.fields {
            self.out.push(Reference {
                target: Target::Field(field),
                expected: FIELD,
                relation: Relation::Reads,
                step: self.step,
            });
        }
    }
}

impl Asset {
    /// Every reference this asset makes, in source order.
    pub fn references(&self) -> Vec<Reference<'_>> {
        let mut c = Collector {
            out: Vec::new(),
            step: None,
        };
        match &self.spec {
            AssetSpec::Field(_)
            | AssetSpec::Tag(_)
            | AssetSpec::Webhook(_)
            | AssetSpec::System(_) => {}
            AssetSpec::Integration(integration) => {
                c.asset(&integration.source, SYSTEM, Relation::ReadsFrom);
                c.asset(&integration.target, SYSTEM, Relation::WritesTo);
                for entity in &integration.entities {
                    if let Some(truth) = &entity.source_of_truth {
                        c.asset(truth, SYSTEM, Relation::TrustsSourceOf);
                    }
                }
                for dependency in &integration.depends_on {
                    c.asset(dependency, INTEGRATION, Relation::DependsOn);
                }
            }
            AssetSpec::Reconciliation(_) => {}
            AssetSpec::Watch(watch) => {
                if let Some(bundle) = &watch.bundle {
                    c.asset(bundle, BUNDLE, Relation::Watches);
                }
            }
            AssetSpec::Flow(_) => {}
            AssetSpec::Template(template) => {
                let contents = std::iter::once(&template.content)
                    .chain(template.locales.values().map(|l| &l.value));
                for content in contents {
                    let texts = [&content.subject, &content.preheader]
                        .into_iter()
                        .flatten()
                        .map(|t| &t.value)
                        .chain(std::iter::once(content.body.text()));
                    for text in texts {
                        c.template(text);
                    }
                }
            }
            AssetSpec::List(list) => {
                if let Some(filter) = &list.filter {
                    c.expression(filter);
                }
            }
            AssetSpec::Consent(consent) => {
                c.asset(&consent.status_field, FIELD, Relation::StoresIn);
                for f in [&consent.timestamp_field, &consent.source_field]
                    .into_iter()
                    .flatten()
                {
                    c.asset(f, FIELD, Relation::StoresIn);
                }
            }
            AssetSpec::Form(form) => {
                for f in &form.fields {
                    c.asset(&f.field, FIELD, Relation::Writes);
                }
                for h in &form.hidden {
                    c.asset(&h.field, FIELD, Relation::Writes);
                }
                if let Some(key) = &form.dedupe_key {
                    c.asset(key, FIELD, Relation::DedupesOn);
                }
                for consent in &form.consent {
                    c.asset(&consent.consent, CONSENT, Relation::Captures);
                }
            }
            AssetSpec::ScoringRule(rule) => {
                c.asset(&rule.score_field, FIELD, Relation::StoresIn);
                c.expression(&rule.condition);
            }
            AssetSpec::Workflow(workflow) => {
                for trigger in &workflow.triggers {
                    trigger_refs(&mut c, trigger);
                }
                if let Some(filter) = &workflow.enrollment.filter {
                    c.expression(filter);
                }
                let settings = &workflow.settings;
                for list in &settings.suppression {
                    c.asset(list, LIST, Relation::Suppresses);
                }
                for consent in settings.consent.values() {
                    c.asset(consent, CONSENT, Relation::RequiresConsent);
                }
                if let Some(goal) = &settings.goal {
                    c.expression(&goal.condition);
                }
                if let Some(exit) = &settings.exit_when {
                    c.expression(exit);
                }
                for step in &workflow.steps {
                    c.step = Some(&step.id.value);
                    step_refs(&mut c, &step.action);
                }
            }
            AssetSpec::Bundle(bundle) => {
                for member in &bundle.members {
                    if let Member::Id(id) = member {
                        c.asset(id, ANY_MEMBER, Relation::Contains);
                    }
                }
                for external in &bundle.externals {
                    c.asset(external, ANY_MEMBER, Relation::DeclaresExternal);
                }
            }
        }
        c.out
    }
}

fn trigger_refs<'a>(c: &mut Collector<'a>, trigger: &'a Trigger) {
    match trigger {
        Trigger::FormSubmitted { form } => c.asset(form, FORM, Relation::TriggeredBy),
        Trigger::TagAdded { tag } | Trigger::TagRemoved { tag } => {
            c.asset(tag, TAG, Relation::TriggeredBy)
        }
        Trigger::ListJoined { list } | Trigger::ListLeft { list } => {
            c.asset(list, LIST, Relation::TriggeredBy)
        }
        Trigger::FieldChanged { field, .. } => c.asset(field, FIELD, Relation::TriggeredBy),
        Trigger::ContactCreated {}
        | Trigger::WebhookReceived { .. }
        | Trigger::Schedule { .. }
        | Trigger::OrderPlaced { .. }
        | Trigger::OrderStatusChanged { .. }
        | Trigger::CartAbandoned { .. } => {}
    }
}

fn step_refs<'a>(c: &mut Collector<'a>, action: &'a StepAction) {
    match action {
        StepAction::SendEmail { template, .. } | StepAction::SendSms { template, .. } => {
            c.asset(template, TEMPLATE, Relation::Sends)
        }
        StepAction::AddTag { tag, .. } => c.asset(tag, TAG, Relation::Adds),
        StepAction::RemoveTag { tag, .. } => c.asset(tag, TAG, Relation::Removes),
        StepAction::AddToList { list, .. } => c.asset(list, LIST, Relation::Adds),
        StepAction::RemoveFromList { list, .. } => c.asset(list, LIST, Relation::Removes),
        StepAction::SetField { field, .. } | StepAction::AdjustScore { field, .. } => {
            c.asset(field, FIELD, Relation::Writes)
        }
        StepAction::Wait { until_field, .. } => {
            if let Some(field) = until_field {
                c.asset(field, FIELD, Relation::Reads);
            }
        }
        StepAction::Branch { branches, .. } => {
            for arm in branches {
                c.expression(&arm.condition);
            }
        }
        StepAction::CallWebhook { webhook, .. } => c.asset(webhook, WEBHOOK, Relation::Calls),
        StepAction::Enroll { workflow, .. } => c.asset(workflow, WORKFLOW, Relation::Enrolls),
        StepAction::Split { .. }
        | StepAction::AssignOwner { .. }
        | StepAction::Notify { .. }
        | StepAction::Exit {} => {}
    }
}
