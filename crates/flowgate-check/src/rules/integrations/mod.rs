//! Integration rules (FG5xx): non-production endpoints calling production, literal secrets,
//! plain-http endpoints, retries, dead letters, alerts and error paths of webhooks.

mod insecure_endpoint;
mod literal_secret;
mod nonprod_endpoint_targets_prod;
mod webhook_step_without_error_path;
mod webhook_without_alert;
mod webhook_without_dead_letter;
mod webhook_without_retries;

pub use insecure_endpoint::InsecureEndpoint;
pub use literal_secret::LiteralSecret;
pub use nonprod_endpoint_targets_prod::NonprodEndpointTargetsProd;
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
];
