//! Integrations and the systems they connect: the inventory of every data flow between the
//! shop and its ERP, CRM, payment, logistics, marketing and analytics systems.

use crate::kinds::{AssetRef, Backoff};
use crate::{Duration, Located};
use serde::Serialize;

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize,
            serde::Deserialize, schemars::JsonSchema,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$(Self::$variant),*];

            /// The text written in asset files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// What role a system plays in the landscape.
    pub enum SystemCategory {
        /// The shop platform (Magento / Adobe Commerce).
        Commerce = "commerce",
        /// Enterprise resource planning.
        Erp = "erp",
        /// Customer relationship management.
        Crm = "crm",
        /// Payment service provider.
        Payment = "payment",
        /// Carrier, shipping-label or logistics service.
        Logistics = "logistics",
        /// Warehouse management.
        Wms = "wms",
        /// Marketing automation.
        Marketing = "marketing",
        /// Business intelligence, warehouse, reporting.
        Bi = "bi",
        /// A file server, queue broker or other piece of plumbing.
        Middleware = "middleware",
        /// Something built in-house.
        Internal = "internal",
    }
}

wire_enum! {
    /// Which way data moves, seen from the shop.
    pub enum Direction {
        /// Data leaves the shop (source to target).
        Outbound = "outbound",
        /// Data enters the shop (source to target).
        Inbound = "inbound",
        /// Both ways: source to target, and back.
        Bidirectional = "bidirectional",
    }
}

wire_enum! {
    /// How an integration attaches to a system.
    pub enum HookType {
        /// REST API calls.
        Rest = "rest",
        /// GraphQL API calls.
        Graphql = "graphql",
        /// SOAP API calls.
        Soap = "soap",
        /// A Magento event observer (`events.xml`).
        EventObserver = "event_observer",
        /// A Magento plugin / interceptor (`di.xml`) around a core method.
        Plugin = "plugin",
        /// A scheduled job (`crontab.xml` or an external scheduler).
        Cron = "cron",
        /// A message-queue consumer or publisher (`queue_consumer.xml`, RabbitMQ, AMQP).
        MessageQueue = "message_queue",
        /// Reads or writes the platform's database tables directly.
        DirectDatabase = "direct_database",
        /// Files dropped on and picked up from a file server (CSV over SFTP).
        FileExchange = "file_exchange",
        /// An HTTP callback one system sends to the other.
        Webhook = "webhook",
        /// A call made from the shopper's browser (tag, pixel, JavaScript SDK).
        FrontendCall = "frontend_call",
    }
}

impl HookType {
    /// Whether the integration runs when something happens (and so assumes the state of the
    /// record at that moment), as opposed to on a schedule.
    pub fn is_event_driven(self) -> bool {
        matches!(
            self,
            Self::EventObserver | Self::Plugin | Self::MessageQueue | Self::Webhook
        )
    }
}

wire_enum! {
    /// How much the business depends on a flow.
    pub enum Criticality {
        /// Nice to have.
        Low = "low",
        /// Noticed within a day.
        Medium = "medium",
        /// Noticed within hours; revenue or customers affected.
        High = "high",
        /// Orders, money or stock stop.
        Critical = "critical",
    }
}

wire_enum! {
    /// How far an integration is from what the platform or a vendor ships.
    pub enum Customization {
        /// A vendor's connector or the platform's own feature, unchanged.
        Native = "native",
        /// A vendor's connector, configured.
        Configured = "configured",
        /// A vendor's connector with custom code around it.
        Extended = "extended",
        /// Built in-house.
        Custom = "custom",
    }
}

wire_enum! {
    /// Where an integration is in its life.
    pub enum Lifecycle {
        /// In use and maintained.
        Active = "active",
        /// Still running, to be replaced; nothing new should depend on it.
        Deprecated = "deprecated",
    }
}

wire_enum! {
    /// What happens to a record that fails while the rest of a batch succeeds.
    pub enum RecordFailure {
        /// It is retried with the retry policy.
        Retry = "retry",
        /// It is parked in the dead letter for replay.
        DeadLetter = "dead_letter",
        /// The whole run stops and is reported.
        Halt = "halt",
        /// It is skipped; the run goes on.
        Skip = "skip",
    }
}

wire_enum! {
    /// How a run where some records failed is reported.
    pub enum PartialFailure {
        /// Everything is rolled back.
        Rollback = "rollback",
        /// The run is reported as failed (and alerted).
        Fail = "fail",
        /// The run is reported as succeeded.
        Succeed = "succeed",
    }
}

/// A system an integration reads from or writes to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct System {
    /// Its role.
    pub category: SystemCategory,
    /// Product and vendor (`Microsoft Dynamics 365 Business Central`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The version in use (`2.4.6-p4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Whom to call when it is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<String>,
}

/// One field mapping of an entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldMapping {
    /// The field in the source system (`sales_order.grand_total`).
    pub from: String,
    /// The field in the target system (`SalesHeader.AmountIncludingVAT`).
    pub to: String,
    /// How the value is changed on the way (`round(2)`, `EUR -> company currency`,
    /// `status vocabulary: processing -> Released`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transform: Option<String>,
    /// The value used when the source is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// An entity carried by an integration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityFlow {
    /// The entity (`order`, `stock`, `customer`).
    pub entity: Located<String>,
    /// The system that owns the truth about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_of_truth: Option<AssetRef>,
    /// What wins when both sides changed the same record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict_rule: Option<String>,
    /// Field mappings with their transforms.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldMapping>,
}

/// What starts an integration and what it assumes at that moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntegrationTrigger {
    /// The event, schedule or action (`sales_order_place_after`, `*/5 * * * *`).
    pub event: Located<String>,
    /// What the flow assumes about the data at that moment ("the order is final when
    /// state = processing").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<Located<String>>,
}

/// Limits the other side imposes.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Constraints {
    /// Rate limit (`600/min`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<String>,
    /// Call timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Largest payload or file (`5MB`, `500 lines`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload_limit: Option<String>,
    /// Fields the other side rejects a record without.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_fields: Vec<String>,
    /// How it authenticates (`oauth2 client credentials`, `sftp key`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
}

impl Constraints {
    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// How often and how much.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Volume {
    /// How often it runs (`real time`, `every 5 min`, `nightly 02:00`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// Records per hour on an average day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_per_hour: Option<u64>,
    /// Records per hour at peak.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_per_hour: Option<u64>,
    /// When the peaks come (`Black Friday`, `end of season sale`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub seasonal_peaks: Vec<String>,
}

/// Retries of an integration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntegrationRetries {
    /// Attempts after the first.
    pub max: u32,
    /// How delays grow.
    pub backoff: Backoff,
    /// The first delay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial: Option<Duration>,
}

/// What happens when it fails.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ErrorHandling {
    /// Retry policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<IntegrationRetries>,
    /// Where records that fail for good are parked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter: Option<String>,
    /// Where failures are announced (`pagerduty:commerce`, `slack:#erp-sync`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    /// Where errors are logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// What happens to one failed record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_record_failure: Option<Located<RecordFailure>>,
    /// How a run with some failed records is reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial_failure: Option<Located<PartialFailure>>,
}

/// What can be seen of it while it runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Observability {
    /// Metrics exported (`erp_order_export_lag_seconds`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<String>,
    /// Where its logs go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logs: Option<String>,
    /// Alerts defined on it (`lag > 15 min`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<String>,
    /// A dashboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<String>,
}

/// A deprecated API the integration still calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeprecatedApi {
    /// The API (`SOAP v1 catalogInventoryStockItemUpdate`).
    pub api: Located<String>,
    /// What replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// The platform version that removes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<String>,
}

/// Platform versions an integration is known to work with.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PlatformConstraint {
    /// The platform (`magento`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Oldest version it works with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<String>,
    /// Newest version it is verified with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_verified: Option<String>,
}

/// One data flow between two systems.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Integration {
    /// What it is for, in a sentence a new team member understands.
    pub purpose: String,
    /// Where data comes from (a System id).
    pub source: AssetRef,
    /// Where data goes (a System id).
    pub target: AssetRef,
    /// Which way data moves, seen from the shop; data always flows from `source` to
    /// `target`, and for `bidirectional` also back.
    pub direction: Located<Direction>,
    /// How it attaches.
    pub hook: Located<HookType>,
    /// Whom to escalate to when the owner does not answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<String>,
    /// What starts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<IntegrationTrigger>,
    /// Entities carried, with field mappings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<EntityFlow>,
    /// Limits of the other side.
    #[serde(skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
    /// Frequency and volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Volume>,
    /// Error handling; absent when nobody wrote it down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Located<ErrorHandling>>,
    /// Observability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observability: Option<Observability>,
    /// Integrations it needs to have run (or be running) to work.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<AssetRef>,
    /// Must never break (orders, inventory, payments, customers).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub safe_zone: bool,
    /// Business criticality.
    pub criticality: Criticality,
    /// Distance from what vendors ship.
    pub customization: Customization,
    /// Active or deprecated.
    pub lifecycle: Located<Lifecycle>,
    /// Deprecated APIs still in use.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deprecated_apis: Vec<DeprecatedApi>,
    /// The platform feature it re-implements, if any (`Magento MSI source sync`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicates_native: Option<Located<String>>,
    /// Platform versions it works with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<PlatformConstraint>,
    /// How to verify it works after a change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validation: Vec<String>,
    /// Operations of a system's API it calls.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_calls: Vec<ApiCall>,
    /// Tables and columns of a system's database it uses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<TableUse>,
}

/// One operation of a system's API an integration calls, and the fields it relies on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiCall {
    /// The system (a System id).
    pub system: Located<String>,
    /// `GET /V1/orders/{id}`.
    pub operation: Located<String>,
    /// Request and response fields relied on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Located<String>>,
}

wire_enum! {
    /// How an integration uses a table.
    pub enum TableAccess {
        /// It reads.
        Read = "read",
        /// It writes.
        Write = "write",
        /// Both.
        ReadWrite = "read_write",
    }
}

/// Tables and columns of a system's database an integration uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableUse {
    /// The system (a System id).
    pub system: Located<String>,
    /// The table.
    pub table: Located<String>,
    /// The columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Located<String>>,
    /// Read, write or both.
    pub access: TableAccess,
}

impl Integration {
    /// The entities carried, by name.
    pub fn entity_names(&self) -> impl Iterator<Item = &str> {
        self.entities.iter().map(|e| e.entity.value.as_str())
    }
}
