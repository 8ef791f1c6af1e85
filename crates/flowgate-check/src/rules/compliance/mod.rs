//! Compliance rules (FG2xx): suppression, quiet hours, consent, unsubscribe, STOP/HELP,
//! consent audit fields, frequency caps, verified senders.

mod consent_without_audit_fields;
mod email_without_unsubscribe;
mod marketing_without_frequency_cap;
mod send_without_consent;
mod send_without_suppression;
mod sms_without_quiet_hours;
mod sms_without_stop_help;
mod support;
mod unverified_sender;

pub use consent_without_audit_fields::ConsentWithoutAuditFields;
pub use email_without_unsubscribe::EmailWithoutUnsubscribe;
pub use marketing_without_frequency_cap::MarketingWithoutFrequencyCap;
pub use send_without_consent::SendWithoutConsent;
pub use send_without_suppression::SendWithoutSuppression;
pub use sms_without_quiet_hours::SmsWithoutQuietHours;
pub use sms_without_stop_help::SmsWithoutStopHelp;
pub use unverified_sender::UnverifiedSender;

use crate::Rule;

/// The rules of this category.
pub const RULES: &[&dyn Rule] = &[
    &SendWithoutSuppression,
    &SmsWithoutQuietHours,
    &SendWithoutConsent,
    &EmailWithoutUnsubscribe,
    &SmsWithoutStopHelp,
    &ConsentWithoutAuditFields,
    &MarketingWithoutFrequencyCap,
    &UnverifiedSender,
];
