//! The time box: an incident open longer than a set time (30 minutes unless configured)
//! without anyone mitigating it gets a recommendation to roll back the releases linked to it
//! first and to investigate second.

use crate::record::Incident;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// The time box when none is configured.
pub const DEFAULT_MINUTES: i64 = 30;

/// The time box a workspace configures (`[incidents] timebox`), as a span of time.
pub fn limit(configured: flowgate_model::Duration) -> Duration {
    Duration::seconds(i64::try_from(configured.as_seconds()).unwrap_or(i64::MAX))
}

/// A recommendation to roll back before investigating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// The incident.
    pub incident: String,
    /// Minutes it has been open without mitigation (since detection).
    pub minutes_open: i64,
    /// The rollbacks to run first, as commands.
    pub rollbacks: Vec<String>,
    /// The recommendation in words.
    pub text: String,
}

/// The recommendation for `incident` at `now`, when it is open past `limit` without
/// mitigation.
pub fn recommend(
    incident: &Incident,
    limit: Duration,
    now: DateTime<Utc>,
) -> Option<Recommendation> {
    if !incident.is_open() || incident.mitigating() {
        return None;
    }
    let since = incident.times.detected.unwrap_or(incident.opened_at);
    let open = now - since;
    if open <= limit {
        return None;
    }
    let rollbacks: Vec<String> = incident
        .links
        .iter()
        .map(|l| {
            format!(
                "flowgate rollback {} --bundle {} --reason \"{}\"",
                l.env, l.bundle, incident.id
            )
        })
        .collect();
    let minutes = open.num_minutes();
    let text = if rollbacks.is_empty() {
        format!(
            "{} has been open {minutes} min without mitigation: find the release that caused \
             it (`flowgate incident link {} --propose`), roll it back first and investigate \
             second",
            incident.id, incident.id
        )
    } else {
        let releases: Vec<&str> = incident.links.iter().map(|l| l.release.as_str()).collect();
        format!(
            "{} has been open {minutes} min without mitigation: roll back {} first, \
             investigate second",
            incident.id,
            releases.join(", ")
        )
    };
    Some(Recommendation {
        incident: incident.id.clone(),
        minutes_open: minutes,
        rollbacks,
        text,
    })
}
