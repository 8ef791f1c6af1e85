//! An incident as its operations make it: severity, the times of its phases, blast radius,
//! customer impact, technical details, linked releases, root causes, action items and notes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How bad an incident is, `sev1` (worst) to `sev4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Customers harmed now, or a compliance breach: everyone stops.
    Sev1,
    /// A major path broken for many customers.
    Sev2,
    /// A degraded path or a contained harm.
    Sev3,
    /// Minor; no customer noticed.
    Sev4,
}

impl Severity {
    /// Every severity, worst first.
    pub const ALL: [Self; 4] = [Self::Sev1, Self::Sev2, Self::Sev3, Self::Sev4];

    /// The name written and read (`sev1` …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sev1 => "sev1",
            Self::Sev2 => "sev2",
            Self::Sev3 => "sev3",
            Self::Sev4 => "sev4",
        }
    }

    /// The severity named `text` (`sev2`, `SEV2` or `2`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase();
        let digit = text.strip_prefix("sev").unwrap_or(&text);
        Self::ALL.into_iter().find(|s| &s.as_str()[3..] == digit)
    }
}

/// The moments of an incident, each as a person reported it (the log also records when they
/// said so, by the store's clock).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Times {
    /// When customers or systems were first affected.
    pub impact_start: Option<DateTime<Utc>>,
    /// When someone (or a watch) noticed.
    pub detected: Option<DateTime<Utc>>,
    /// When stakeholders were told.
    pub notified: Option<DateTime<Utc>>,
    /// When work to stop the harm began.
    pub mitigation_start: Option<DateTime<Utc>>,
    /// When the harm stopped.
    pub mitigated: Option<DateTime<Utc>>,
    /// When a release was rolled back for it.
    pub rolled_back: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved: Option<DateTime<Utc>>,
}

/// The names of [`Times`] fields, in the order an incident passes through them.
pub const TIME_FIELDS: [&str; 7] = [
    "impact_start",
    "detected",
    "notified",
    "mitigation_start",
    "mitigated",
    "rolled_back",
    "resolved",
];

impl Times {
    /// The field named `name`.
    pub fn get(&self, name: &str) -> Option<DateTime<Utc>> {
        match name {
            "impact_start" => self.impact_start,
            "detected" => self.detected,
            "notified" => self.notified,
            "mitigation_start" => self.mitigation_start,
            "mitigated" => self.mitigated,
            "rolled_back" => self.rolled_back,
            "resolved" => self.resolved,
            _ => None,
        }
    }

    /// Sets the field named `name`; false for an unknown name.
    pub fn set(&mut self, name: &str, at: DateTime<Utc>) -> bool {
        let slot = match name {
            "impact_start" => &mut self.impact_start,
            "detected" => &mut self.detected,
            "notified" => &mut self.notified,
            "mitigation_start" => &mut self.mitigation_start,
            "mitigated" => &mut self.mitigated,
            "rolled_back" => &mut self.rolled_back,
            "resolved" => &mut self.resolved,
            _ => return false,
        };
        *slot = Some(at);
        true
    }
}

/// What an incident touched and whom it harmed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    /// Affected assets by id (workflows, segments, templates, integrations …).
    pub assets: BTreeSet<String>,
    /// Affected channels (`email`, `sms`, `webhook` …).
    pub channels: BTreeSet<String>,
    /// Messages sent twice.
    pub duplicate_sends: Option<u64>,
    /// Service levels missed (e.g. leads not routed within the promised time).
    pub missed_slas: Option<u64>,
    /// Compliance exposure, in words (consent, quiet hours, data protection).
    pub compliance: Option<String>,
    /// Revenue at risk, as written (`EUR 12000`).
    pub revenue_at_risk: Option<String>,
}

/// Technical details for the people who fix it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Technical {
    /// Platform workflow ids.
    pub workflow_ids: BTreeSet<String>,
    /// Endpoints involved.
    pub endpoints: BTreeSet<String>,
    /// Error codes seen.
    pub error_codes: BTreeSet<String>,
}

/// A release a person linked to the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The release id (`LI-2.4.1 (2025-09-17)`), else the version.
    pub release: String,
    /// The environment it was applied to.
    pub env: String,
    /// The bundle.
    pub bundle: String,
    /// The version.
    pub version: String,
    /// The log sequence number of the apply.
    pub apply_seq: u64,
    /// Who confirmed the link.
    pub by: String,
    /// When (store clock).
    pub at: DateTime<Utc>,
}

/// What kind of remediation an action item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Remediation {
    /// A pre-flight check rule that would have caught it.
    PreflightRule,
    /// A monitor or watch KPI that would have detected it sooner.
    Monitor,
    /// A change to who may do what.
    AccessControl,
    /// A change to how releases roll out (soak, stages, flags).
    RolloutStrategy,
    /// Anything else.
    Other,
}

impl Remediation {
    /// Every type.
    pub const ALL: [Self; 5] = [
        Self::PreflightRule,
        Self::Monitor,
        Self::AccessControl,
        Self::RolloutStrategy,
        Self::Other,
    ];

    /// The name written and read.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PreflightRule => "preflight-rule",
            Self::Monitor => "monitor",
            Self::AccessControl => "access-control",
            Self::RolloutStrategy => "rollout-strategy",
            Self::Other => "other",
        }
    }

    /// The type named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        let text = if text == "pre-flight-rule" {
            "preflight-rule"
        } else {
            &text
        };
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// One action item: what, who, by when, and whether it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// `A1`, `A2` … within the incident.
    pub id: String,
    /// What is to be done.
    pub text: String,
    /// Who owns it.
    pub owner: String,
    /// When it is due.
    pub due: NaiveDate,
    /// Its remediation type.
    #[serde(rename = "type")]
    pub remediation: Remediation,
    /// When it was done, and by whom.
    pub done: Option<(DateTime<Utc>, String)>,
}

impl Action {
    /// Whether it is open after its due date, on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.done.is_none() && today > self.due
    }
}

/// A dated remark (a root cause or a note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remark {
    /// The text.
    pub text: String,
    /// Who wrote it.
    pub by: String,
    /// When (store clock).
    pub at: DateTime<Utc>,
}

/// One change to an incident, for its timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The log sequence number.
    pub seq: u64,
    /// When it was recorded (store clock).
    pub at: DateTime<Utc>,
    /// Who made it.
    pub by: String,
    /// What it did, in words.
    pub what: String,
}

/// An incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// `INC-<seq>`: the sequence number of the operation that opened it.
    pub id: String,
    /// The environment it happened in.
    pub env: String,
    /// How bad it is.
    pub severity: Severity,
    /// One line on what happened.
    pub summary: String,
    /// Who opened it.
    pub opened_by: String,
    /// When it was opened (store clock).
    pub opened_at: DateTime<Utc>,
    /// The moments of the incident.
    pub times: Times,
    /// What it touched and whom it harmed.
    pub impact: Impact,
    /// Details for the people who fix it.
    pub technical: Technical,
    /// Releases confirmed as linked.
    pub links: Vec<Link>,
    /// Root causes.
    pub causes: Vec<Remark>,
    /// Action items.
    pub actions: Vec<Action>,
    /// Notes.
    pub notes: Vec<Remark>,
    /// Every change, oldest first.
    pub history: Vec<Change>,
}

impl Incident {
    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.times.resolved.is_none()
    }

    /// Whether someone began mitigating it.
    pub fn mitigating(&self) -> bool {
        self.times.mitigation_start.is_some() || self.times.mitigated.is_some()
    }

    /// Its action items that are open after their due date on `today`.
    pub fn overdue_actions(&self, today: NaiveDate) -> Vec<&Action> {
        self.actions.iter().filter(|a| a.overdue(today)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert_eq!(Severity::parse("SEV2"), Some(Severity::Sev2));
        assert_eq!(Severity::parse("2"), Some(Severity::Sev2));
        assert_eq!(Severity::parse("sev5"), None);
        for r in Remediation::ALL {
            assert_eq!(Remediation::parse(r.as_str()), Some(r));
        }
        assert_eq!(
            Remediation::parse("pre-flight rule"),
            Some(Remediation::PreflightRule)
        );
        assert_eq!(Remediation::parse("prayer"), None);
    }

    #[test]
    fn every_time_field_is_settable_and_readable() {
        let mut times = Times::default();
        let at = DateTime::<Utc>::UNIX_EPOCH;
        for name in TIME_FIELDS {
            assert!(times.get(name).is_none());
            assert!(times.set(name, at));
            assert_eq!(times.get(name), Some(at));
        }
        assert!(!times.set("lunch", at));
    }
}
