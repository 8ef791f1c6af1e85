//! Wire types of systems and integrations.

use super::asset_wire;
use flowgate_model::{
    Backoff, Criticality, Customization, Direction, HookType, Lifecycle, PartialFailure,
    RecordFailure, SystemCategory, TableAccess,
};
use flowgate_syntax::Spanned;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

asset_wire! {
    /// A system integrations connect: the shop, an ERP, CRM, payment service, carrier, …
    pub struct SystemWire {
        /// `commerce`, `erp`, `crm`, `payment`, `logistics`, `wms`, `marketing`, `bi`,
        /// `middleware` or `internal`.
        pub category: SystemCategory,
        /// Product and vendor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub product: Option<String>,
        /// The version in use.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub version: Option<String>,
        /// Whom to call when it is down.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub escalation: Option<String>,
    }
}

/// One field mapping.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldMappingWire {
    /// The source field (`sales_order.grand_total`).
    pub from: String,
    /// The target field.
    pub to: String,
    /// How the value changes on the way (`round(2)`, `status: processing -> Released`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<String>,
    /// Value used when the source is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// An entity carried by an integration.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntityFlowWire {
    /// The entity (`order`, `stock`, `customer`).
    pub entity: Spanned<String>,
    /// The system owning the truth about it (a System id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_of_truth: Option<Spanned<String>>,
    /// What wins when both sides changed the same record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_rule: Option<String>,
    /// Field mappings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldMappingWire>,
}

/// What starts an integration.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrationTriggerWire {
    /// The event, schedule or action (`sales_order_place_after`, `*/5 * * * *`).
    pub event: Spanned<String>,
    /// What the flow assumes about the data at that moment
    /// ("the order is final when state = processing").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Spanned<String>>,
}

/// Limits the other side imposes.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConstraintsWire {
    /// Rate limit (`600/min`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<String>,
    /// Call timeout (`30s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Spanned<String>>,
    /// Largest payload or file (`5MB`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_limit: Option<String>,
    /// Fields the other side rejects a record without.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_fields: Vec<String>,
    /// How it authenticates (`oauth2 client credentials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
}

/// How often and how much.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeWire {
    /// How often it runs (`real time`, `every 5 min`, `nightly 02:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// Records per hour on an average day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_per_hour: Option<u64>,
    /// Records per hour at peak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_per_hour: Option<u64>,
    /// When peaks come (`Black Friday`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seasonal_peaks: Vec<String>,
}

/// Retries of an integration.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrationRetriesWire {
    /// Attempts after the first.
    pub max: u32,
    /// `fixed` or `exponential` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
    /// First delay (`30s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<Spanned<String>>,
}

/// What happens when it fails.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorHandlingWire {
    /// Retry policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<IntegrationRetriesWire>,
    /// Where records that fail for good are parked (`rabbitmq:erp.orders.dlq`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter: Option<String>,
    /// Where failures are announced (`pagerduty:commerce`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    /// Where errors are logged (`var/log/erp.log`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// One failed record: `retry`, `dead_letter`, `halt` or `skip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_record_failure: Option<Spanned<RecordFailure>>,
    /// A run where some records failed is reported as: `rollback`, `fail` or `succeed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_failure: Option<Spanned<PartialFailure>>,
}

/// What can be seen of it while it runs.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservabilityWire {
    /// Metrics exported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<String>,
    /// Where its logs go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<String>,
    /// Alerts defined on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
    /// A dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<String>,
}

/// A deprecated API still in use.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeprecatedApiWire {
    /// The API.
    pub api: Spanned<String>,
    /// What replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// The platform version that removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<String>,
}

/// Platform versions it works with.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformConstraintWire {
    /// The platform (`magento`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Oldest version it works with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    /// Newest version it is verified with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_verified: Option<String>,
}

asset_wire! {
    /// One data flow between two systems.
    pub struct IntegrationWire {
        /// What it is for, in a sentence a new team member understands.
        pub purpose: Spanned<String>,
        /// Where data comes from (a System id).
        pub source: Spanned<String>,
        /// Where data goes (a System id).
        pub target: Spanned<String>,
        /// Seen from the shop: `outbound` (data leaves it), `inbound` (data enters it) or
        /// `bidirectional` (both; data also flows back from target to source).
        pub direction: Spanned<Direction>,
        /// How it attaches: `rest`, `graphql`, `soap`, `event_observer`, `plugin`, `cron`,
        /// `message_queue`, `direct_database`, `file_exchange`, `webhook`, `frontend_call`.
        pub hook: Spanned<HookType>,
        /// Whom to escalate to when the owner does not answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub escalation: Option<String>,
        /// What starts it and what it assumes at that moment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trigger: Option<IntegrationTriggerWire>,
        /// Entities carried, with field mappings.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub entities: Vec<EntityFlowWire>,
        /// Limits of the other side.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub constraints: Option<ConstraintsWire>,
        /// Frequency and volume.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub volume: Option<VolumeWire>,
        /// Retries, dead letter, alerting, partial failures.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub errors: Option<Spanned<ErrorHandlingWire>>,
        /// Metrics, logs, alerts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub observability: Option<ObservabilityWire>,
        /// Integrations it needs (Integration ids).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub depends_on: Vec<Spanned<String>>,
        /// Must never break (orders, inventory, payments, customers).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub safe_zone: bool,
        /// `low`, `medium` (default), `high` or `critical`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub criticality: Option<Criticality>,
        /// `native`, `configured`, `extended` or `custom` (default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub customization: Option<Customization>,
        /// `active` (default) or `deprecated`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub lifecycle: Option<Spanned<Lifecycle>>,
        /// Deprecated APIs still in use.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub deprecated_apis: Vec<DeprecatedApiWire>,
        /// The platform feature it re-implements (`Magento MSI source sync`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub duplicates_native: Option<Spanned<String>>,
        /// Platform versions it works with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub platform: Option<PlatformConstraintWire>,
        /// How to verify it works after a change.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub validation: Vec<String>,
        /// Operations of a system's API it calls, with the fields it relies on (checked
        /// against the system's contract by `flowgate upgrade plan`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub api_calls: Vec<ApiCallWire>,
        /// Tables and columns of a system's database it reads or writes (`direct_database`
        /// and cron hooks); entity field mappings (`from: sales_order.grand_total`) count too.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub tables: Vec<TableUseWire>,
    }
}

/// One operation of a system's API an integration calls.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiCallWire {
    /// The system whose API it is (a System id).
    pub system: Spanned<String>,
    /// The operation: method and path template, `GET /V1/orders/{id}`.
    pub operation: Spanned<String>,
    /// Request and response fields relied on (`items[].sku`, `grand_total`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Spanned<String>>,
}

/// Tables and columns of a system's database an integration uses.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableUseWire {
    /// The system whose database it is (a System id).
    pub system: Spanned<String>,
    /// The table.
    pub table: Spanned<String>,
    /// The columns used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Spanned<String>>,
    /// `read` (default), `write` or `read_write`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<TableAccess>,
}
