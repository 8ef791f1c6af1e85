//! Incidents, post-mortems and delivery metrics, kept in the store's hash-chained operation
//! log so that they are as tamper-evident as the releases they are about.
//!
//! - [`record`]: an incident as its operations make it (times, impact, links, actions);
//! - [`patch`]: a change to an incident's fields, and its checks (order, no future times);
//! - [`fold`]: incidents rebuilt from `incident.*` operations;
//! - [`service`]: [`Incidents`], reading and changing them through a store at one clock;
//! - [`evidence`]: releases proposed as causes, from applies and what they changed;
//! - [`timebox`]: the rollback-first recommendation for incidents open too long unmitigated;
//! - [`postmortem`]: the blameless post-mortem in Markdown;
//! - [`metrics`]: deployment frequency, lead time, change failure rate, time to restore and
//!   detect, escaped defects, monthly trend; JSON and Prometheus text.
#![forbid(unsafe_code)]

pub mod collect;
pub mod evidence;
pub mod fold;
pub mod metrics;
pub mod patch;
pub mod postmortem;
pub mod record;
pub mod service;
pub mod timebox;

pub use evidence::Proposal;
pub use fold::{Folded, NewAction};
pub use metrics::{metrics, Metrics};
pub use patch::Patch;
pub use postmortem::postmortem;
pub use record::{Action, Incident, Link, Remediation, Severity, Times};
pub use service::Incidents;
pub use timebox::{recommend, Recommendation};

/// Why an incident could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    /// No incident has this id.
    #[error("no incident {0}; `flowgate incident list` shows them")]
    Unknown(String),
    /// The change is not valid for the incident.
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] flowgate_store::Error),
}
