//! Workflows: triggers, enrollment, settings and the step graph.

use crate::expr::Expression;
use crate::kinds::{AssetRef, Channel, Literal, StepRef};
use crate::values::{Duration, TimeOfDay};
use crate::{Located, StepId};
use serde::Serialize;
use std::collections::BTreeMap;

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// What starts a workflow for a contact (or, for commerce events, for an order's customer).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// A form was submitted.
    FormSubmitted {
        /// The form.
        form: AssetRef,
    },
    /// A tag was added to the contact.
    TagAdded {
        /// The tag.
        tag: AssetRef,
    },
    /// A tag was removed from the contact.
    TagRemoved {
        /// The tag.
        tag: AssetRef,
    },
    /// The contact joined a list.
    ListJoined {
        /// The list.
        list: AssetRef,
    },
    /// The contact left a list.
    ListLeft {
        /// The list.
        list: AssetRef,
    },
    /// A field changed (optionally: to a given value).
    FieldChanged {
        /// The field.
        field: AssetRef,
        /// Only when the new value is this.
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<Literal>,
    },
    /// A contact was created.
    ContactCreated {},
    /// An inbound webhook was received.
    WebhookReceived {
        /// The path the platform exposes.
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
    /// On a schedule.
    Schedule {
        /// Cron expression (5 fields, or 6 with seconds).
        cron: Located<String>,
        /// IANA time zone the cron is read in.
        time_zone: Located<String>,
    },
    /// A shop order was placed.
    OrderPlaced {
        /// Only orders of this store view.
        #[serde(skip_serializing_if = "Option::is_none")]
        store: Option<String>,
    },
    /// A shop order changed status.
    OrderStatusChanged {
        /// Previous status.
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        /// New status.
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    /// A cart was left without checkout.
    CartAbandoned {
        /// How long after the last cart activity.
        after: Duration,
    },
}

/// When a contact may enter the workflow again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reenrollment {
    /// Once per contact, ever.
    #[default]
    Never,
    /// Every time the trigger fires.
    Always,
    /// Again once this long has passed since the last enrollment.
    After(Duration),
}

impl Serialize for Reenrollment {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Never => serializer.serialize_str("never"),
            Self::Always => serializer.serialize_str("always"),
            Self::After(d) => serializer.collect_str(&format_args!("after {d}")),
        }
    }
}

/// Who may enter and how often.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Enrollment {
    /// Only contacts matching this condition enter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Located<Expression>>,
    /// Re-enrollment policy.
    #[serde(skip_serializing_if = "is_default")]
    pub reenroll: Located<Reenrollment>,
}

/// A day of the week.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// A daily time window in a time zone (may wrap past midnight, e.g. 21:00–08:00).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeWindow {
    /// Start of the window.
    pub start: TimeOfDay,
    /// End of the window.
    pub end: TimeOfDay,
    /// IANA time zone, or `contact` for each contact's own zone.
    pub time_zone: Located<String>,
    /// Days the window applies to (all days when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Weekday>,
}

/// At most `max` messages per `per` for one contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyCap {
    /// Message count.
    pub max: u32,
    /// The period.
    pub per: Duration,
}

/// A goal: when the condition holds the contact has converted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goal {
    /// The conversion condition.
    pub condition: Located<Expression>,
    /// Leave the workflow when the goal is met.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exit: bool,
}

/// Delivery guardrails of a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Settings {
    /// No messages are sent inside this window; they wait until it ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<Located<TimeWindow>>,
    /// Message cap per contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_cap: Option<Located<FrequencyCap>>,
    /// Lists whose members never receive messages from this workflow.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppression: Vec<AssetRef>,
    /// The consent required before sending on each channel.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub consent: BTreeMap<Channel, AssetRef>,
    /// Conversion goal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<Goal>,
    /// Contacts leave the workflow as soon as this holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_when: Option<Located<Expression>>,
}

/// One arm of a branch step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BranchArm {
    /// Label of the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The condition for taking it.
    pub condition: Located<Expression>,
    /// The step it leads to.
    pub next: StepRef,
}

/// One path of a percentage split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitPath {
    /// Label of the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Share of contacts, 0–100.
    pub percent: Located<u8>,
    /// The step it leads to.
    pub next: StepRef,
}

/// How an owner is chosen.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AssignStrategy {
    /// Always the same owner.
    Fixed,
    /// Take turns among the owners.
    RoundRobin,
    /// By territory rules of the CRM.
    Territory,
}

impl AssignStrategy {
    /// The name written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fixed => "fixed",
            Self::RoundRobin => "round_robin",
            Self::Territory => "territory",
        }
    }
}

/// What a step does. Steps without `next` end the contact's path.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepAction {
    /// Send an email template.
    SendEmail {
        /// The template.
        template: AssetRef,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Send an SMS template.
    SendSms {
        /// The template.
        template: AssetRef,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Add a tag.
    AddTag {
        /// The tag.
        tag: AssetRef,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Remove a tag.
    RemoveTag {
        /// The tag.
        tag: AssetRef,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Add the contact to a static list.
    AddToList {
        /// The list.
        list: AssetRef,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Remove the contact from a static list.
    RemoveFromList {
        /// The list.
        list: AssetRef,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Set a field to a value.
    SetField {
        /// The field.
        field: AssetRef,
        /// The new value.
        value: Located<Literal>,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Wait for a duration, until a date field, or until a time window opens.
    Wait {
        /// Fixed delay.
        #[serde(skip_serializing_if = "Option::is_none")]
        duration: Option<Duration>,
        /// Until the date or datetime in this field.
        #[serde(skip_serializing_if = "Option::is_none")]
        until_field: Option<AssetRef>,
        /// Until the next opening of this window.
        #[serde(skip_serializing_if = "Option::is_none")]
        until_window: Option<TimeWindow>,
        /// Give up waiting after this long.
        #[serde(skip_serializing_if = "Option::is_none")]
        timeout: Option<Duration>,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Take the first arm whose condition holds, else the default.
    Branch {
        /// The conditional arms, in order.
        branches: Vec<BranchArm>,
        /// Where contacts matching no arm go.
        #[serde(skip_serializing_if = "Option::is_none")]
        default: Option<StepRef>,
    },
    /// Send shares of contacts down different paths.
    Split {
        /// The paths.
        paths: Vec<SplitPath>,
    },
    /// Call a webhook.
    CallWebhook {
        /// The webhook.
        webhook: AssetRef,
        /// Following step on success.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
        /// Following step when the call fails after its retries.
        #[serde(skip_serializing_if = "Option::is_none")]
        on_error: Option<StepRef>,
    },
    /// Enroll the contact in another workflow.
    Enroll {
        /// The workflow.
        workflow: AssetRef,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Assign a record owner (lead routing).
    AssignOwner {
        /// How the owner is chosen.
        strategy: AssignStrategy,
        /// Candidate owners (user names or emails).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        owners: Vec<String>,
        /// A CRM queue instead of people.
        #[serde(skip_serializing_if = "Option::is_none")]
        queue: Option<String>,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Add to (or subtract from) a score field.
    AdjustScore {
        /// The score field.
        field: AssetRef,
        /// Points to add (negative subtracts).
        by: i64,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Notify people inside the company.
    Notify {
        /// Recipients (`email:…`, `slack:#channel`, an owner role).
        to: Vec<String>,
        /// The message.
        message: String,
        /// Following step.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<StepRef>,
    },
    /// Leave the workflow.
    Exit {},
}

/// The kind of a step edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// The normal continuation.
    Next,
    /// A conditional branch arm (index).
    Branch(usize),
    /// The default path of a branch.
    Default,
    /// A split path (index).
    Split(usize),
    /// The failure path of a webhook call.
    OnError,
}

impl StepAction {
    /// The type name as written in files.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::SendEmail { .. } => "send_email",
            Self::SendSms { .. } => "send_sms",
            Self::AddTag { .. } => "add_tag",
            Self::RemoveTag { .. } => "remove_tag",
            Self::AddToList { .. } => "add_to_list",
            Self::RemoveFromList { .. } => "remove_from_list",
            Self::SetField { .. } => "set_field",
            Self::Wait { .. } => "wait",
            Self::Branch { .. } => "branch",
            Self::Split { .. } => "split",
            Self::CallWebhook { .. } => "call_webhook",
            Self::Enroll { .. } => "enroll",
            Self::AssignOwner { .. } => "assign_owner",
            Self::AdjustScore { .. } => "adjust_score",
            Self::Notify { .. } => "notify",
            Self::Exit {} => "exit",
        }
    }

    /// Outgoing edges of the step, in a stable order.
    pub fn edges(&self) -> Vec<(EdgeKind, &StepRef)> {
        let mut out = Vec::new();
        match self {
            Self::SendEmail { next, .. }
            | Self::SendSms { next, .. }
            | Self::AddTag { next, .. }
            | Self::RemoveTag { next, .. }
            | Self::AddToList { next, .. }
            | Self::RemoveFromList { next, .. }
            | Self::SetField { next, .. }
            | Self::Wait { next, .. }
            | Self::Enroll { next, .. }
            | Self::AssignOwner { next, .. }
            | Self::AdjustScore { next, .. }
            | Self::Notify { next, .. } => out.extend(next.iter().map(|n| (EdgeKind::Next, n))),
            Self::CallWebhook { next, on_error, .. } => {
                out.extend(next.iter().map(|n| (EdgeKind::Next, n)));
                out.extend(on_error.iter().map(|n| (EdgeKind::OnError, n)));
            }
            Self::Branch { branches, default } => {
                out.extend(
                    branches
                        .iter()
                        .enumerate()
                        .map(|(i, arm)| (EdgeKind::Branch(i), &arm.next)),
                );
                out.extend(default.iter().map(|n| (EdgeKind::Default, n)));
            }
            Self::Split { paths } => out.extend(
                paths
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (EdgeKind::Split(i), &p.next)),
            ),
            Self::Exit {} => {}
        }
        out
    }
}

/// One step of a workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Stable id, unique inside the workflow; diffs match steps by it.
    pub id: Located<StepId>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it does.
    #[serde(flatten)]
    pub action: StepAction,
    /// Where the step was written.
    #[serde(skip)]
    pub span: flowgate_diagnostics::Span,
}

/// An automation: triggers, who may enter, guardrails and a graph of steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workflow {
    /// What starts it (any of them).
    pub triggers: Vec<Located<Trigger>>,
    /// Who may enter, and how often.
    #[serde(skip_serializing_if = "is_default")]
    pub enrollment: Enrollment,
    /// Delivery guardrails.
    #[serde(skip_serializing_if = "is_default")]
    pub settings: Settings,
    /// The first step (the first listed when not given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<StepRef>,
    /// The steps.
    pub steps: Vec<Step>,
}

impl PartialEq for Step {
    /// Steps are equal when they mean the same; where they were written does not count.
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.name == other.name && self.action == other.action
    }
}

impl Workflow {
    /// The step contacts enter at.
    pub fn start_step(&self) -> Option<&StepId> {
        self.start
            .as_ref()
            .map(|s| &s.value)
            .or_else(|| self.steps.first().map(|s| &s.id.value))
    }

    /// Look a step up by id.
    pub fn step(&self, id: &StepId) -> Option<&Step> {
        self.steps.iter().find(|s| &s.id.value == id)
    }
}
