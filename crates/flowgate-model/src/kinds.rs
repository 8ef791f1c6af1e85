//! The asset kinds: validated domain types built by the loader from wire documents.
//!
//! Each type serializes back into the native file format (the loader reads what these
//! write), which is what the round-trip property tests rely on.

use crate::expr::{Expression, TemplateText};
use crate::values::{Duration, SecretRef};
use crate::{AssetId, Located, StepId};
use serde::Serialize;
use std::collections::BTreeMap;

/// A reference to another asset, with where it was written.
pub type AssetRef = Located<AssetId>;
/// A reference to a step of the same workflow.
pub type StepRef = Located<StepId>;

fn is_false(b: &bool) -> bool {
    !*b
}

/// A literal value (field defaults, values set by steps).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Literal {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
    /// Text.
    String(String),
}

/// The record a field belongs to, and the root name used in expressions (`contact.email`).
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
    Default,
)]
#[serde(rename_all = "snake_case")]
pub enum DataObject {
    /// A person.
    #[default]
    Contact,
    /// An organisation.
    Company,
    /// A sales opportunity.
    Deal,
    /// A shop order.
    Order,
    /// A shop cart (abandoned-cart programs).
    Cart,
    /// The event that triggered the workflow (webhook payloads, commerce events).
    Event,
}

impl DataObject {
    /// The expression root name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Company => "company",
            Self::Deal => "deal",
            Self::Order => "order",
            Self::Cart => "cart",
            Self::Event => "event",
        }
    }
}

/// The value type of a field.
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
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text.
    String,
    /// A number.
    Number,
    /// True or false.
    Bool,
    /// A calendar date.
    Date,
    /// A point in time.
    Datetime,
    /// One of a fixed set of options.
    Enum,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A web address.
    Url,
}

/// One option of an enum field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumOption {
    /// The stored value.
    pub value: String,
    /// What people see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A contact, company, deal or order property.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    /// The record the field belongs to.
    pub object: DataObject,
    /// Value type (absent only in files that a check should flag).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub field_type: Option<FieldType>,
    /// Options of an enum field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<EnumOption>,
    /// Value given to new records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Literal>,
    /// Holds personal data.
    #[serde(skip_serializing_if = "is_false")]
    pub pii: bool,
}

/// A contact tag.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Tag {}

/// How a list gets its members.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum ListType {
    /// Members are added and removed explicitly.
    #[default]
    Static,
    /// Members are the contacts matching a filter.
    Dynamic,
}

/// A static list or a dynamic segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct List {
    /// Static or dynamic.
    #[serde(rename = "type")]
    pub list_type: ListType,
    /// Membership condition of a dynamic list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Located<Expression>>,
}

/// A visible form field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormField {
    /// The field it writes.
    pub field: AssetRef,
    /// Must be filled in.
    #[serde(skip_serializing_if = "is_false")]
    pub required: bool,
    /// Label shown on the form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A hidden form field, filled from the page URL (UTM parameters and the like).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HiddenField {
    /// The field it writes.
    pub field: AssetRef,
    /// The URL query parameter it is read from (`utm_source`).
    pub param: String,
}

/// A consent checkbox on a form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentCapture {
    /// The consent it records.
    pub consent: AssetRef,
    /// The checkbox wording shown to the person.
    pub text: String,
    /// Whether submitting requires ticking it.
    #[serde(skip_serializing_if = "is_false")]
    pub required: bool,
}

/// A web form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Form {
    /// Visible fields.
    pub fields: Vec<FormField>,
    /// Hidden fields (UTM parameters, referrer, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hidden: Vec<HiddenField>,
    /// The field that identifies an existing contact (email, phone or external id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dedupe_key: Option<AssetRef>,
    /// Consent checkboxes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consent: Vec<ConsentCapture>,
}

/// A messaging channel.
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
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email.
    Email,
    /// Text message.
    Sms,
    /// Phone call.
    Phone,
    /// WhatsApp message.
    Whatsapp,
    /// Push notification.
    Push,
}

impl Channel {
    /// The channel's name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Phone => "phone",
            Self::Whatsapp => "whatsapp",
            Self::Push => "push",
        }
    }
}

/// A consent purpose and where its state is recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consent {
    /// What the person agrees to (`marketing email`, `appointment reminders by SMS`).
    pub purpose: String,
    /// The channel it covers.
    pub channel: Channel,
    /// The field holding the consent status.
    pub status_field: AssetRef,
    /// The field holding when consent was given or withdrawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_field: Option<AssetRef>,
    /// The field holding where consent was captured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_field: Option<AssetRef>,
}

/// Points taken off a score when it ages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreDecay {
    /// Points removed each period.
    pub points: i64,
    /// The period.
    pub every: Duration,
}

/// A lead-scoring rule: add points to a score field when a condition holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoringRule {
    /// The number field holding the score.
    pub score_field: AssetRef,
    /// When the points apply.
    pub condition: Located<Expression>,
    /// Points added (negative to subtract).
    pub points: i64,
    /// Upper bound for the score from this rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Ageing of the points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decay: Option<ScoreDecay>,
}

/// Whether a message is marketing (needs consent and unsubscribe) or transactional.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum MessageCategory {
    /// Promotional content.
    #[default]
    Marketing,
    /// Service messages the person expects (receipts, reminders they booked).
    Transactional,
}

/// Who a message comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sender {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address, phone number or alphanumeric sender id.
    pub address: String,
}

/// A message body: written inline or read from a file beside the asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Body {
    /// Written in the asset.
    #[serde(rename = "body")]
    Inline(TemplateText),
    /// Read from a file (path relative to the asset file).
    #[serde(rename = "body_file")]
    File(BodyFile),
}

impl Body {
    /// The template text, wherever it was written.
    pub fn text(&self) -> &TemplateText {
        match self {
            Self::Inline(text) => text,
            Self::File(file) => &file.text,
        }
    }
}

/// A body read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyFile {
    /// The path as written in the asset.
    pub path: String,
    /// The file's analysed content.
    pub text: TemplateText,
}

impl Serialize for BodyFile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.path)
    }
}

/// The localisable parts of a template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageContent {
    /// Email subject line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Located<TemplateText>>,
    /// Email preview text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preheader: Option<Located<TemplateText>>,
    /// The message body.
    #[serde(flatten)]
    pub body: Located<Body>,
}

/// An email or SMS template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    /// Email or SMS.
    pub channel: Channel,
    /// Marketing or transactional.
    pub category: MessageCategory,
    /// The sender identity.
    #[serde(rename = "from", skip_serializing_if = "Option::is_none")]
    pub sender: Option<Located<Sender>>,
    /// The default-locale content.
    #[serde(flatten)]
    pub content: MessageContent,
    /// Other locales (`de`, `fr-CA`, …).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub locales: BTreeMap<String, Located<MessageContent>>,
}

/// An HTTP method.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

/// How a webhook authenticates.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AuthScheme {
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// HTTP basic authentication.
    Basic,
    /// The secret in a named header.
    Header,
    /// An HMAC signature of the body.
    Hmac,
}

/// Webhook authentication, by secret reference only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookAuth {
    /// The scheme.
    pub scheme: AuthScheme,
    /// Where the secret lives (`env:CRM_TOKEN`).
    pub secret: Located<SecretRef>,
    /// Header name for the `header` and `hmac` schemes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

/// How the delay between retries grows.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same delay each time.
    Fixed,
    /// The delay doubles each time.
    Exponential,
}

/// Retry policy of a webhook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub max: u32,
    /// How delays grow.
    pub backoff: Backoff,
    /// The first delay.
    pub initial: Duration,
    /// The largest delay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_delay: Option<Duration>,
}

/// A call to an external HTTP endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    /// HTTP method.
    pub method: HttpMethod,
    /// The endpoint used in every environment without its own entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Located<String>>,
    /// Endpoints per environment (`dev`, `stage`, `prod`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub endpoints: BTreeMap<String, Located<String>>,
    /// Authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<WebhookAuth>,
    /// Extra request headers (never secrets).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Located<String>>,
    /// Request timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Retry policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<RetryPolicy>,
    /// Where failed deliveries go (a queue, table or another webhook).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter: Option<String>,
    /// Where failures are announced (`slack:#ops-alerts`, `email:ops@acme.example`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
}

impl Webhook {
    /// The endpoint for an environment: its own entry, else the common one.
    pub fn endpoint_for(&self, environment: &str) -> Option<&Located<String>> {
        self.endpoints.get(environment).or(self.endpoint.as_ref())
    }
}
