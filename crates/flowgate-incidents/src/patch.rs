//! A change to an incident's fields, as `incident.open` and `incident.update` carry it, and
//! its checks: known time names, times in order and not in the future.

use crate::record::{Incident, Severity, Times, TIME_FIELDS};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fields to set or add; what is absent stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// A new severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// A new summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Times to set, by [`TIME_FIELDS`] name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub times: BTreeMap<String, DateTime<Utc>>,
    /// Affected assets to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<String>,
    /// Affected channels to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// Platform workflow ids to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workflow_ids: Vec<String>,
    /// Endpoints to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    /// Error codes to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_codes: Vec<String>,
    /// Messages sent twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_sends: Option<u64>,
    /// Service levels missed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_slas: Option<u64>,
    /// Compliance exposure, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<String>,
    /// Revenue at risk, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_at_risk: Option<String>,
    /// A root cause to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// A note to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Patch {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Why it cannot be applied to `times` at `now`: an unknown time name, a time in the
    /// future, or times out of order once applied.
    pub fn check(&self, times: &Times, now: DateTime<Utc>) -> Result<(), String> {
        for text in [&self.summary, &self.cause, &self.note]
            .into_iter()
            .flatten()
        {
            if text.trim().is_empty() {
                return Err("a summary, cause or note cannot be empty".to_owned());
            }
        }
        let mut after = *times;
        for (name, at) in &self.times {
            if !after.set(name, *at) {
                return Err(format!(
                    "unknown time `{name}`; the times are {}",
                    TIME_FIELDS.join(", ")
                ));
            }
            if *at > now {
                return Err(format!(
                    "{name} {} is in the future (now is {})",
                    at.to_rfc3339(),
                    now.to_rfc3339()
                ));
            }
        }
        check_order(&after)
    }

    /// Applies it to `incident`.
    pub fn apply(&self, incident: &mut Incident, by: &str, at: DateTime<Utc>) {
        if let Some(severity) = self.severity {
            incident.severity = severity;
        }
        if let Some(summary) = &self.summary {
            incident.summary.clone_from(summary);
        }
        for (name, when) in &self.times {
            incident.times.set(name, *when);
        }
        let impact = &mut incident.impact;
        impact.assets.extend(self.assets.iter().cloned());
        impact.channels.extend(self.channels.iter().cloned());
        let tech = &mut incident.technical;
        tech.workflow_ids.extend(self.workflow_ids.iter().cloned());
        tech.endpoints.extend(self.endpoints.iter().cloned());
        tech.error_codes.extend(self.error_codes.iter().cloned());
        impact.duplicate_sends = self.duplicate_sends.or(impact.duplicate_sends);
        impact.missed_slas = self.missed_slas.or(impact.missed_slas);
        if self.compliance.is_some() {
            impact.compliance.clone_from(&self.compliance);
        }
        if self.revenue_at_risk.is_some() {
            impact.revenue_at_risk.clone_from(&self.revenue_at_risk);
        }
        let remark = |text: &String| crate::record::Remark {
            text: text.clone(),
            by: by.to_owned(),
            at,
        };
        incident.causes.extend(self.cause.iter().map(remark));
        incident.notes.extend(self.note.iter().map(remark));
    }

    /// The change in words, for the timeline.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.severity {
            parts.push(format!("severity {}", s.as_str()));
        }
        if let Some(s) = &self.summary {
            parts.push(format!("summary \"{s}\""));
        }
        for (name, at) in &self.times {
            parts.push(format!("{} {}", name.replace('_', " "), at.to_rfc3339()));
        }
        let lists = [
            ("assets", &self.assets),
            ("channels", &self.channels),
            ("workflow ids", &self.workflow_ids),
            ("endpoints", &self.endpoints),
            ("error codes", &self.error_codes),
        ];
        for (name, list) in lists {
            if !list.is_empty() {
                parts.push(format!("{name} + {}", list.join(", ")));
            }
        }
        if let Some(n) = self.duplicate_sends {
            parts.push(format!("{n} duplicate sends"));
        }
        if let Some(n) = self.missed_slas {
            parts.push(format!("{n} missed SLAs"));
        }
        if let Some(c) = &self.compliance {
            parts.push(format!("compliance: {c}"));
        }
        if let Some(r) = &self.revenue_at_risk {
            parts.push(format!("revenue at risk {r}"));
        }
        if let Some(c) = &self.cause {
            parts.push(format!("root cause: {c}"));
        }
        if let Some(n) = &self.note {
            parts.push(format!("note: {n}"));
        }
        parts.join("; ")
    }
}

/// Pairs of times where the first may not come after the second.
const ORDER: [(&str, &str); 8] = [
    ("impact_start", "detected"),
    ("impact_start", "mitigation_start"),
    ("impact_start", "mitigated"),
    ("impact_start", "resolved"),
    ("mitigation_start", "mitigated"),
    ("detected", "resolved"),
    ("mitigation_start", "resolved"),
    ("mitigated", "resolved"),
];

fn check_order(times: &Times) -> Result<(), String> {
    for (first, then) in ORDER {
        if let (Some(a), Some(b)) = (times.get(first), times.get(then)) {
            if a > b {
                return Err(format!(
                    "{} ({}) is after {} ({}); correct one of them",
                    first.replace('_', " "),
                    a.to_rfc3339(),
                    then.replace('_', " "),
                    b.to_rfc3339()
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn times(pairs: &[(&str, u32)]) -> Patch {
        Patch {
            times: pairs
                .iter()
                .map(|(n, h)| ((*n).to_owned(), at(*h)))
                .collect(),
            ..Patch::default()
        }
    }

    #[test]
    fn times_out_of_order_in_the_future_or_unknown_are_refused() {
        let now = at(12);
        let base = Times::default();
        assert!(times(&[("impact_start", 8), ("detected", 9)])
            .check(&base, now)
            .is_ok());
        let late = times(&[("impact_start", 10), ("detected", 9)]).check(&base, now);
        assert!(late.is_err_and(|e| e.contains("impact start")));
        let future = times(&[("detected", 13)]).check(&base, now);
        assert!(future.is_err_and(|e| e.contains("future")));
        let unknown = times(&[("lunch", 9)]).check(&base, now);
        assert!(unknown.is_err_and(|e| e.contains("unknown time `lunch`")));
        // Order holds against what the incident already has.
        let mut held = Times::default();
        held.set("mitigated", at(10));
        let before = times(&[("mitigation_start", 11)]).check(&held, now);
        assert!(before.is_err());
    }

    #[test]
    fn empty_text_is_refused() {
        let patch = Patch {
            note: Some("  ".into()),
            ..Patch::default()
        };
        assert!(patch.check(&Times::default(), at(12)).is_err());
        assert!(Patch::default().is_empty());
    }
}
