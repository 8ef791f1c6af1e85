//! Wire types of workflows: triggers, enrollment, settings and steps.

use super::{asset_wire, step_wire, LiteralWire};
use flowgate_model::{AssignStrategy, Weekday};
use flowgate_syntax::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Declares a trigger struct.
macro_rules! trigger_wire {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name { $( $(#[$fmeta])* pub $field: $ty, )* }
    };
}

trigger_wire! {
    /// A form was submitted.
    pub struct FormTriggerWire {
        /// The form (a Form id).
        pub form: Spanned<String>,
    }
}
trigger_wire! {
    /// A tag was added or removed.
    pub struct TagTriggerWire {
        /// The tag (a Tag id).
        pub tag: Spanned<String>,
    }
}
trigger_wire! {
    /// The contact joined or left a list.
    pub struct ListTriggerWire {
        /// The list (a List id).
        pub list: Spanned<String>,
    }
}
trigger_wire! {
    /// A field changed.
    pub struct FieldTriggerWire {
        /// The field (a Field id).
        pub field: Spanned<String>,
        /// Only when the new value is this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub to: Option<LiteralWire>,
    }
}
trigger_wire! {
    /// A trigger without parameters.
    pub struct EmptyTriggerWire {}
}
trigger_wire! {
    /// An inbound webhook.
    pub struct WebhookTriggerWire {
        /// The path the platform exposes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub path: Option<String>,
    }
}
trigger_wire! {
    /// On a schedule.
    pub struct ScheduleTriggerWire {
        /// Cron expression: `0 9 * * MON` (5 fields) or with seconds (6 fields).
        pub cron: Spanned<String>,
        /// IANA time zone, e.g. `Europe/Berlin`.
        pub time_zone: Spanned<String>,
    }
}
trigger_wire! {
    /// A shop order was placed.
    pub struct OrderPlacedTriggerWire {
        /// Only orders of this store view.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub store: Option<String>,
    }
}
trigger_wire! {
    /// A shop order changed status.
    pub struct OrderStatusTriggerWire {
        /// Previous status.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub from: Option<String>,
        /// New status (`complete`, `canceled`, …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub to: Option<String>,
    }
}
trigger_wire! {
    /// A cart was abandoned.
    pub struct CartAbandonedTriggerWire {
        /// How long after the last cart activity (`1h`).
        pub after: Spanned<String>,
    }
}

flowgate_syntax::tagged_enum! {
    /// What starts the workflow.
    #[derive(Debug, Clone, PartialEq)]
    pub enum TriggerWire, tag = "type" {
        /// A form was submitted.
        FormSubmitted = "form_submitted" (FormTriggerWire),
        /// A tag was added.
        TagAdded = "tag_added" (TagTriggerWire),
        /// A tag was removed.
        TagRemoved = "tag_removed" (TagTriggerWire),
        /// The contact joined a list.
        ListJoined = "list_joined" (ListTriggerWire),
        /// The contact left a list.
        ListLeft = "list_left" (ListTriggerWire),
        /// A field changed.
        FieldChanged = "field_changed" (FieldTriggerWire),
        /// A contact was created.
        ContactCreated = "contact_created" (EmptyTriggerWire),
        /// An inbound webhook arrived.
        WebhookReceived = "webhook_received" (WebhookTriggerWire),
        /// On a schedule.
        Schedule = "schedule" (ScheduleTriggerWire),
        /// A shop order was placed.
        OrderPlaced = "order_placed" (OrderPlacedTriggerWire),
        /// A shop order changed status.
        OrderStatusChanged = "order_status_changed" (OrderStatusTriggerWire),
        /// A cart was abandoned.
        CartAbandoned = "cart_abandoned" (CartAbandonedTriggerWire),
    }
}

/// Who may enter and how often.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct EnrollmentWire {
    /// CEL condition contacts must meet to enter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Spanned<String>>,
    /// `never` (default), `always`, or `after <duration>` (`after 30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reenroll: Option<Spanned<String>>,
}

/// A daily time window.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeWindowWire {
    /// Start, `HH:MM`.
    pub start: Spanned<String>,
    /// End, `HH:MM` (may be earlier than start: the window wraps past midnight).
    pub end: Spanned<String>,
    /// IANA time zone (`Europe/Berlin`) or `contact` for each contact's own zone.
    pub time_zone: Spanned<String>,
    /// Days it applies to (all when absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<Weekday>,
}

/// A message cap per contact.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrequencyCapWire {
    /// Messages.
    pub max: u32,
    /// Per period (`7d`).
    pub per: Spanned<String>,
}

/// A conversion goal.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalWire {
    /// CEL condition for conversion.
    pub condition: Spanned<String>,
    /// Leave the workflow when met.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exit: bool,
}

/// Delivery guardrails.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SettingsWire {
    /// No sends inside this window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<Spanned<TimeWindowWire>>,
    /// Message cap per contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_cap: Option<Spanned<FrequencyCapWire>>,
    /// Lists whose members never get messages from this workflow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppression: Vec<Spanned<String>>,
    /// Consent required per channel: `{ email: consent-id, sms: consent-id }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub consent: BTreeMap<String, Spanned<String>>,
    /// Conversion goal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<GoalWire>,
    /// CEL condition that removes a contact from the workflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_when: Option<Spanned<String>>,
}

asset_wire! {
    /// An automation: triggers, enrollment, guardrails and steps.
    pub struct WorkflowWire {
        /// What starts it (any one of them).
        pub triggers: Vec<Spanned<TriggerWire>>,
        /// Who may enter, and how often.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub enrollment: Option<EnrollmentWire>,
        /// Delivery guardrails.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub settings: Option<SettingsWire>,
        /// The first step (default: the first listed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub start: Option<Spanned<String>>,
        /// The steps.
        pub steps: Vec<Spanned<StepWire>>,
    }
}

step_wire! {
    /// Send an email or SMS template.
    pub struct SendStepWire {
        /// The template (a Template id).
        pub template: Spanned<String>,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Add or remove a tag.
    pub struct TagStepWire {
        /// The tag (a Tag id).
        pub tag: Spanned<String>,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Add to or remove from a list.
    pub struct ListStepWire {
        /// The list (a List id).
        pub list: Spanned<String>,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Set a field.
    pub struct SetFieldStepWire {
        /// The field (a Field id).
        pub field: Spanned<String>,
        /// The value.
        pub value: Spanned<LiteralWire>,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Wait: give exactly one of `duration`, `until_field`, `until_window`.
    pub struct WaitStepWire {
        /// A fixed delay (`3d`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub duration: Option<Spanned<String>>,
        /// Until the date in this field (a Field id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub until_field: Option<Spanned<String>>,
        /// Until this window opens.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub until_window: Option<TimeWindowWire>,
        /// Stop waiting after this long.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub timeout: Option<Spanned<String>>,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}

/// One conditional arm.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchArmWire {
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// CEL condition.
    pub condition: Spanned<String>,
    /// Step taken when it holds.
    pub next: Spanned<String>,
}

step_wire! {
    /// Take the first arm whose condition holds, else `default`.
    pub struct BranchStepWire {
        /// Conditional arms, in order.
        pub branches: Vec<BranchArmWire>,
        /// Step for contacts matching no arm.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub default: Option<Spanned<String>>,
    }
}

/// One path of a split.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitPathWire {
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Share of contacts, 0–100.
    pub percent: Spanned<u8>,
    /// Step taken.
    pub next: Spanned<String>,
}

step_wire! {
    /// Random percentage split (A/B test).
    pub struct SplitStepWire {
        /// The paths; percentages should add up to 100.
        pub paths: Vec<SplitPathWire>,
    }
}
step_wire! {
    /// Call a webhook.
    pub struct WebhookStepWire {
        /// The webhook (a Webhook id).
        pub webhook: Spanned<String>,
        /// Following step on success.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
        /// Following step when the call fails after retries.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub on_error: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Enroll the contact in another workflow.
    pub struct EnrollStepWire {
        /// The workflow (a Workflow id).
        pub workflow: Spanned<String>,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Assign an owner (lead routing).
    pub struct AssignOwnerStepWire {
        /// `fixed`, `round_robin` or `territory`.
        pub strategy: AssignStrategy,
        /// Candidate owners.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub owners: Vec<String>,
        /// A CRM queue instead of people.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub queue: Option<String>,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Add to or subtract from a score field.
    pub struct AdjustScoreStepWire {
        /// The score field (a Field id).
        pub field: Spanned<String>,
        /// Points (negative subtracts).
        pub by: i64,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Notify people inside the company.
    pub struct NotifyStepWire {
        /// Recipients (`email:sales@acme.example`, `slack:#leads`, `owner`).
        pub to: Vec<String>,
        /// The message.
        pub message: String,
        /// Following step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub next: Option<Spanned<String>>,
    }
}
step_wire! {
    /// Leave the workflow.
    pub struct ExitStepWire {}
}

flowgate_syntax::tagged_enum! {
    /// One step; `type` selects what it does.
    #[derive(Debug, Clone, PartialEq)]
    pub enum StepWire, tag = "type" {
        /// Send an email template.
        SendEmail = "send_email" (SendStepWire),
        /// Send an SMS template.
        SendSms = "send_sms" (SendStepWire),
        /// Add a tag.
        AddTag = "add_tag" (TagStepWire),
        /// Remove a tag.
        RemoveTag = "remove_tag" (TagStepWire),
        /// Add to a static list.
        AddToList = "add_to_list" (ListStepWire),
        /// Remove from a static list.
        RemoveFromList = "remove_from_list" (ListStepWire),
        /// Set a field.
        SetField = "set_field" (SetFieldStepWire),
        /// Wait.
        Wait = "wait" (WaitStepWire),
        /// Conditional branch.
        Branch = "branch" (BranchStepWire),
        /// Percentage split.
        Split = "split" (SplitStepWire),
        /// Call a webhook.
        CallWebhook = "call_webhook" (WebhookStepWire),
        /// Enroll in another workflow.
        Enroll = "enroll" (EnrollStepWire),
        /// Assign an owner.
        AssignOwner = "assign_owner" (AssignOwnerStepWire),
        /// Adjust a score.
        AdjustScore = "adjust_score" (AdjustScoreStepWire),
        /// Internal notification.
        Notify = "notify" (NotifyStepWire),
        /// Leave the workflow.
        Exit = "exit" (ExitStepWire),
    }
}
