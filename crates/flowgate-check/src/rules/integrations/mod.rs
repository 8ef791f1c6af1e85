//! Integration rules (FG5xx): non-production endpoints calling production, literal secrets,
//! plain-http endpoints, retries, dead letters, alerts and error paths of webhooks; and the
//! governance of the integration inventory (FG508–FG515): direct database access, owners,
//! timing assumptions, silent failures, queue dead letters, conflict rules, fragile couplings
//! and refactor candidates.

mod coupling_to_fragile_integration;
mod direct_database_integration;
mod inbound_without_conflict_rule;
mod insecure_endpoint;
mod integration_refactor_candidate;
mod integration_without_owner;
mod literal_secret;
mod nonprod_endpoint_targets_prod;
mod queue_consumer_without_dead_letter;
mod silent_integration_failure;
mod support;
mod undocumented_timing_assumption;
mod webhook_step_without_error_path;
mod webhook_without_alert;
mod webhook_without_dead_letter;
mod webhook_without_retries;

pub use coupling_to_fragile_integration::CouplingToFragileIntegration;
pub use direct_database_integration::DirectDatabaseIntegration;
pub use inbound_without_conflict_rule::InboundWithoutConflictRule;
pub use insecure_endpoint::InsecureEndpoint;
pub use integration_refactor_candidate::IntegrationRefactorCandidate;
pub use integration_without_owner::IntegrationWithoutOwner;
pub use literal_secret::LiteralSecret;
pub use nonprod_endpoint_targets_prod::NonprodEndpointTargetsProd;
pub use queue_consumer_without_dead_letter::QueueConsumerWithoutDeadLetter;
pub use silent_integration_failure::SilentIntegrationFailure;
pub use undocumented_timing_assumption::UndocumentedTimingAssumption;
pub use webhook_step_without_error_path::WebhookStepWithoutErrorPath;
pub use webhook_without_alert::WebhookWithoutAlert;
pub use webhook_without_dead_letter::WebhookWithoutDeadLetter;
pub use webhook_without_retries::WebhookWithoutRetries;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[
    &NonprodEndpointTargetsProd,
    &LiteralSecret,
    &InsecureEndpoint,
    &WebhookWithoutRetries,
    &WebhookWithoutDeadLetter,
    &WebhookWithoutAlert,
    &WebhookStepWithoutErrorPath,
    &DirectDatabaseIntegration,
    &IntegrationWithoutOwner,
    &UndocumentedTimingAssumption,
    &SilentIntegrationFailure,
    &QueueConsumerWithoutDeadLetter,
    &InboundWithoutConflictRule,
    &CouplingToFragileIntegration,
    &IntegrationRefactorCandidate,
];
