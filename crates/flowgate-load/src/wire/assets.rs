//! Wire types of every asset kind except workflows.

use super::{asset_wire, EnumOptionWire, LiteralWire, MemberWire};
use flowgate_model::{
    AuthScheme, Backoff, Channel, DataObject, FieldType, HttpMethod, ListType, MessageCategory,
};
use flowgate_syntax::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

flowgate_syntax::tagged_enum! {
    /// One asset document. `kind` selects the asset type.
    #[derive(Debug, Clone, PartialEq)]
    pub enum AssetWire, tag = "kind" {
        /// A contact, company, deal or order property.
        Field = "Field" (FieldWire),
        /// A contact tag.
        Tag = "Tag" (TagWire),
        /// A static list or dynamic segment.
        List = "List" (ListWire),
        /// A consent purpose and the fields recording it.
        Consent = "Consent" (ConsentWire),
        /// A web form.
        Form = "Form" (FormWire),
        /// A lead-scoring rule.
        ScoringRule = "ScoringRule" (ScoringRuleWire),
        /// An email or SMS template.
        Template = "Template" (TemplateWire),
        /// An outbound HTTP call.
        Webhook = "Webhook" (WebhookWire),
        /// A system integrations connect (ERP, CRM, payment service, …).
        System = "System" (super::SystemWire),
        /// A data flow between two systems.
        Integration = "Integration" (super::IntegrationWire),
        /// An automation.
        Workflow = "Workflow" (super::WorkflowWire),
        /// A release unit.
        Bundle = "Bundle" (BundleWire),
        /// A proof that two data sources agree, run repeatedly and tracked for drift.
        Reconciliation = "Reconciliation" (ReconciliationWire),
        /// The KPIs watched after a release, their sources and how they are judged.
        Watch = "Watch" (WatchWire),
    }
}

asset_wire! {
    /// A contact, company, deal or order property.
    pub struct FieldWire {
        /// The record it belongs to (default `contact`); expressions read it as `contact.<id>`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub object: Option<DataObject>,
        /// Value type.
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        pub field_type: Option<Spanned<FieldType>>,
        /// Options of an `enum` field.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub options: Vec<Spanned<EnumOptionWire>>,
        /// Value given to new records.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub default: Option<Spanned<LiteralWire>>,
        /// The field holds personal data.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub pii: bool,
    }
}

asset_wire! {
    /// A contact tag.
    pub struct TagWire {}
}

asset_wire! {
    /// A static list, or a dynamic segment defined by a filter.
    pub struct ListWire {
        /// `static` (default) or `dynamic`.
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        pub list_type: Option<Spanned<ListType>>,
        /// CEL membership condition of a dynamic list, e.g. `contact.score >= 50`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub filter: Option<Spanned<String>>,
    }
}

/// A visible form field.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormFieldWire {
    /// The field it writes (a Field id).
    pub field: Spanned<String>,
    /// Must be filled in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Label shown on the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A hidden field filled from a URL parameter.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HiddenFieldWire {
    /// The field it writes (a Field id).
    pub field: Spanned<String>,
    /// The URL query parameter (`utm_source`).
    pub param: Spanned<String>,
}

/// A consent checkbox.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentCaptureWire {
    /// The consent it records (a Consent id).
    pub consent: Spanned<String>,
    /// The checkbox wording.
    pub text: Spanned<String>,
    /// Submitting requires ticking it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

asset_wire! {
    /// A web form.
    pub struct FormWire {
        /// Visible fields.
        pub fields: Vec<FormFieldWire>,
        /// Hidden fields (UTM parameters and the like).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub hidden: Vec<HiddenFieldWire>,
        /// The field identifying an existing contact (email, phone or external id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dedupe_key: Option<Spanned<String>>,
        /// Consent checkboxes.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub consent: Vec<ConsentCaptureWire>,
    }
}

asset_wire! {
    /// A consent purpose and the fields where its state is recorded.
    pub struct ConsentWire {
        /// What the person agrees to.
        pub purpose: String,
        /// The channel it covers.
        pub channel: Channel,
        /// Field holding the status.
        pub status_field: Spanned<String>,
        /// Field holding when it was given or withdrawn.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub timestamp_field: Option<Spanned<String>>,
        /// Field holding where it was captured.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub source_field: Option<Spanned<String>>,
    }
}

/// Points removed as a score ages.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreDecayWire {
    /// Points removed each period.
    pub points: i64,
    /// The period (`30d`).
    pub every: Spanned<String>,
}

asset_wire! {
    /// Adds points to a score field when a condition holds.
    pub struct ScoringRuleWire {
        /// The number field holding the score.
        pub score_field: Spanned<String>,
        /// CEL condition, e.g. `contact.job_title.contains("Director")`.
        pub condition: Spanned<String>,
        /// Points added (negative subtracts).
        pub points: i64,
        /// Cap on points from this rule.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub max: Option<i64>,
        /// Ageing of the points.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub decay: Option<ScoreDecayWire>,
    }
}

/// The sender identity.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SenderWire {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email address, phone number or alphanumeric sender id.
    pub address: Spanned<String>,
}

/// Subject, preheader and body of one locale.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentWire {
    /// Email subject (template text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Spanned<String>>,
    /// Email preview text (template text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preheader: Option<Spanned<String>>,
    /// The body (template text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Spanned<String>>,
    /// A file holding the body, relative to this asset file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_file: Option<Spanned<String>>,
}

asset_wire! {
    /// An email or SMS template in MiniJinja (Jinja2) syntax:
    /// `Hi {{ contact.first_name | default("there") }}`.
    pub struct TemplateWire {
        /// `email` or `sms`.
        pub channel: Spanned<Channel>,
        /// `marketing` (default; needs consent and unsubscribe) or `transactional`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub category: Option<MessageCategory>,
        /// Sender identity.
        #[serde(rename = "from", default, skip_serializing_if = "Option::is_none")]
        pub sender: Option<Spanned<SenderWire>>,
        /// Email subject.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub subject: Option<Spanned<String>>,
        /// Email preview text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub preheader: Option<Spanned<String>>,
        /// The body, inline.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub body: Option<Spanned<String>>,
        /// Or a file holding the body, relative to this asset file.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub body_file: Option<Spanned<String>>,
        /// Other locales (`de`, `fr-CA`) with their own subject, preheader and body.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub locales: BTreeMap<String, Spanned<ContentWire>>,
    }
}

/// Webhook authentication.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthWire {
    /// `bearer`, `basic`, `header` or `hmac`.
    pub scheme: AuthScheme,
    /// Secret reference: `env:NAME` or `vault:path#key`. Never the secret itself.
    pub secret: Spanned<String>,
    /// Header name for `header` and `hmac`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

/// Retry policy.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryWire {
    /// Attempts after the first.
    pub max: u32,
    /// `fixed` or `exponential` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
    /// First delay (default `1s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<Spanned<String>>,
    /// Largest delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay: Option<Spanned<String>>,
}

asset_wire! {
    /// An outbound HTTP call.
    pub struct WebhookWire {
        /// HTTP method (default `POST`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub method: Option<HttpMethod>,
        /// The endpoint for environments without their own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub endpoint: Option<Spanned<String>>,
        /// Endpoints per environment (`dev`, `stage`, `prod`).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub endpoints: BTreeMap<String, Spanned<String>>,
        /// Authentication by secret reference.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub auth: Option<AuthWire>,
        /// Extra headers (never secrets).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub headers: BTreeMap<String, Spanned<String>>,
        /// Request timeout (`10s`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub timeout: Option<Spanned<String>>,
        /// Retry policy.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub retries: Option<RetryWire>,
        /// Where failed deliveries go.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub dead_letter: Option<String>,
        /// Where failures are announced (`slack:#ops-alerts`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub alert: Option<String>,
    }
}

asset_wire! {
    /// A named release unit.
    pub struct BundleWire {
        /// Members: asset ids, or selectors `{ kind, labels, id_prefix }`.
        pub members: Vec<MemberWire>,
        /// Assets outside the bundle that members may use.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub externals: Vec<Spanned<String>>,
        /// Where the bundle's failures are announced.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub alert: Option<String>,
        /// Prefix of release ids (`LI` gives `LI-2.4.1`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub release_prefix: Option<String>,
    }
}

/// One side of a reconciliation.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconcileSourceWire {
    /// Connection URL by secret reference (`env:ERP_DB_URL`), never the URL itself: it
    /// holds a password. The URL's scheme picks the database (`mysql:`, `postgres:`).
    pub url: Spanned<String>,
    /// A table (`sales_order`, `erp.orders`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Spanned<String>>,
    /// A query in the database's own SQL, instead of a table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Spanned<String>>,
    /// A predicate in the database's own SQL selecting the rows to compare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The last-modified column (`updated_at`): rows changed within `grace` are in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<Spanned<String>>,
    /// Time zone naive timestamps are stored in (`Europe/Berlin`; default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Spanned<String>>,
}

asset_wire! {
    /// A reconciliation: rows of two sources matched by key and compared column by column
    /// after transforms, plus aggregate checks.
    pub struct ReconciliationWire {
        /// The left source (usually the shop).
        pub left: ReconcileSourceWire,
        /// The right source (usually the ERP).
        pub right: ReconcileSourceWire,
        /// The row key, part by part (`increment_id` + `store_id` against `document_no` + `store`).
        pub key: Spanned<Vec<flowgate_model::KeyPart>>,
        /// A numeric column both sides agree on, for index-served key ranges.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub segment_by: Option<flowgate_model::SegmentBy>,
        /// Compared columns with their transforms.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub columns: Vec<Spanned<flowgate_model::ColumnMapping>>,
        /// Rows changed more recently than this are in flight and not reported (`15m`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub grace: Option<Spanned<String>>,
        /// Aggregate checks (counts and sums per group).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub aggregates: Vec<Spanned<flowgate_model::AggregateCheck>>,
        /// When a run counts as drifting.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub drift: Option<flowgate_model::DriftPolicy>,
    }
}

/// The type of a watch source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WatchSourceType {
    /// PostgreSQL (`url: env:NAME`).
    Postgres,
    /// MySQL or MariaDB (`url: env:NAME`).
    Mysql,
    /// An SQLite file (`path:` relative to the workspace).
    Sqlite,
    /// A Prometheus HTTP API (`url: http://prometheus:9090` or `env:NAME`).
    Prometheus,
    /// A CSV file with a header row (`path:`, `time_field:`).
    Csv,
    /// A JSON Lines file (`path:`, `time_field:`).
    Jsonl,
}

/// Where a watch reads data.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchSourceWire {
    /// `postgres`, `mysql` (MariaDB too), `sqlite`, `prometheus`, `csv` or `jsonl`.
    #[serde(rename = "type")]
    pub source_type: Spanned<WatchSourceType>,
    /// The connection URL: a secret reference (`env:EVENTS_DB_URL`) for databases; for
    /// Prometheus a plain URL without credentials, or a secret reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Spanned<String>>,
    /// A file relative to the workspace root (`sqlite`, `csv`, `jsonl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Spanned<String>>,
    /// The column or member holding each row's time (`csv`, `jsonl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_field: Option<Spanned<String>>,
}

/// What the current window is compared with: `{ weeks: 4 }` or `{ holdout: … }`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareWire {
    /// The same weekday and hours over the previous N weeks (1 to 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<Spanned<u32>>,
    /// A holdout cohort in the same window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout: Option<Spanned<HoldoutWire>>,
}

/// A holdout cohort.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldoutWire {
    /// The cohort value of those who got the release (bound as `:cohort` / `$cohort`).
    pub treatment: Spanned<String>,
    /// The cohort value of the holdout.
    pub control: Spanned<String>,
    /// The holdout's share of the audience (0 to 1), needed by `count` KPIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_share: Option<Spanned<f64>>,
}

/// Judgement thresholds; every field is optional and has a documented default.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsWire {
    /// One-sided p-value below which a material worsening fails (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// One-sided p-value below which a material worsening is marginal (default 0.05).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marginal: Option<f64>,
    /// Smallest relative worsening that matters (default 0.2, i.e. 20 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_effect: Option<f64>,
    /// Fewest events, current and control together, for counts and rates (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_events: Option<u64>,
    /// Fewest trials per side for rates (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_trials: Option<u64>,
    /// Fewest observations per side for durations (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_observations: Option<u64>,
}

/// One watched KPI.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiWire {
    /// The KPI's id, unique in the watch (`bounce-rate`).
    pub id: Spanned<String>,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The name of a source under `sources`.
    pub source: Spanned<String>,
    /// `count` (events per time), `rate` (events out of trials) or `duration` (seconds).
    pub unit: Spanned<flowgate_model::KpiUnit>,
    /// What a rate's trials are (`send`), for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Which way is worse: `up` or `down`.
    pub bad: Spanned<flowgate_model::BadDirection>,
    /// SQL returning the aggregate (`:from`, `:to`, `:cohort` are bound parameters), PromQL
    /// (`$window`, `$cohort` are filled in), or a file filter (`type = bounce`).
    pub query: Spanned<String>,
    /// The trials of a rate, for PromQL and file sources (SQL returns `events` and `trials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Spanned<String>>,
    /// The field holding a duration in seconds, for file sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Spanned<String>>,
    /// The comparison, overriding the watch's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<Spanned<CompareWire>>,
    /// Thresholds, overriding the watch's field by field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Spanned<ThresholdsWire>>,
    /// Most duration observations read per window (default 100000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_samples: Option<Spanned<u32>>,
    /// `pin` (default) or `rollback`, overriding the watch's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_fail: Option<flowgate_model::OnFail>,
}

asset_wire! {
    /// The KPIs watched after a release of a bundle or into an environment.
    pub struct WatchWire {
        /// The bundle whose releases are watched (a Bundle id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub bundle: Option<Spanned<String>>,
        /// The environment watched (`prod`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub environment: Option<Spanned<String>>,
        /// The sources by name (`events: { type: postgres, url: env:EVENTS_DB_URL }`).
        pub sources: Spanned<BTreeMap<String, Spanned<WatchSourceWire>>>,
        /// The comparison of every KPI (default `{ weeks: 4 }`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub compare: Option<Spanned<CompareWire>>,
        /// Thresholds of every KPI.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub thresholds: Option<Spanned<ThresholdsWire>>,
        /// What a failed KPI does: `pin` (default) or `rollback`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub on_fail: Option<flowgate_model::OnFail>,
        /// The KPIs.
        pub kpis: Spanned<Vec<Spanned<KpiWire>>>,
    }
}
