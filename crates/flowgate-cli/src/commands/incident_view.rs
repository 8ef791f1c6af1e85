//! Incidents as text for people: one incident, a list line, release proposals, action rows.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use flowgate_incidents::postmortem::{human, stamp};
use flowgate_incidents::record::TIME_FIELDS;
use flowgate_incidents::{recommend, Action, Incident, Proposal};
use std::fmt::Write as _;

/// One incident in full, after `what` happened to it.
pub fn incident_text(
    incident: &Incident,
    now: DateTime<Utc>,
    limit: Duration,
    what: &str,
) -> String {
    let mut out = String::new();
    let state = if incident.is_open() {
        "open"
    } else {
        "resolved"
    };
    let _ = writeln!(
        out,
        "{} [{}] {} in {} ({state}; {what})",
        incident.id,
        incident.severity.as_str(),
        incident.summary,
        incident.env
    );
    if let Some(advice) = recommend(incident, limit, now) {
        let _ = writeln!(out, "  ! {}", advice.text);
        for command in &advice.rollbacks {
            let _ = writeln!(out, "      {command}");
        }
    }
    for name in TIME_FIELDS {
        if let Some(at) = incident.times.get(name) {
            let _ = writeln!(out, "  {:<17} {}", name.replace('_', " "), stamp(at));
        }
    }
    impact_lines(&mut out, incident);
    for link in &incident.links {
        let _ = writeln!(
            out,
            "  linked release   {} ({} {}, log #{}; confirmed by {})",
            link.release, link.bundle, link.version, link.apply_seq, link.by
        );
    }
    for cause in &incident.causes {
        let _ = writeln!(out, "  root cause       {}", cause.text);
    }
    let today = now.date_naive();
    for action in &incident.actions {
        let _ = writeln!(out, "  action {}", action_status(action, today));
    }
    let _ = writeln!(out, "  history");
    for change in &incident.history {
        let _ = writeln!(
            out,
            "    #{} {} {}: {}",
            change.seq,
            stamp(change.at),
            change.by,
            change.what
        );
    }
    out
}

fn impact_lines(out: &mut String, incident: &Incident) {
    let i = &incident.impact;
    let t = &incident.technical;
    let joined = |set: &std::collections::BTreeSet<String>| {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    };
    for (name, set) in [
        ("assets", &i.assets),
        ("channels", &i.channels),
        ("workflow ids", &t.workflow_ids),
        ("endpoints", &t.endpoints),
        ("error codes", &t.error_codes),
    ] {
        if !set.is_empty() {
            let _ = writeln!(out, "  {name:<17}{}", joined(set));
        }
    }
    if let Some(n) = i.duplicate_sends {
        let _ = writeln!(out, "  duplicate sends  {n}");
    }
    if let Some(n) = i.missed_slas {
        let _ = writeln!(out, "  missed SLAs      {n}");
    }
    if let Some(c) = &i.compliance {
        let _ = writeln!(out, "  compliance       {c}");
    }
    if let Some(r) = &i.revenue_at_risk {
        let _ = writeln!(out, "  revenue at risk  {r}");
    }
}

/// An action item with its status on `today`.
fn action_status(action: &Action, today: NaiveDate) -> String {
    let status = match &action.done {
        Some((at, by)) => format!("done {} by {by}", stamp(*at)),
        None if action.overdue(today) => "OVERDUE".to_owned(),
        None => "open".to_owned(),
    };
    format!(
        "{} [{}] {} (owner {}, due {}): {status}",
        action.id,
        action.remediation.as_str(),
        action.text,
        action.owner,
        action.due
    )
}

/// One line per incident, with its age or duration and the time-box flag.
pub fn list_line(incident: &Incident, now: DateTime<Utc>, limit: Duration) -> String {
    let start = flowgate_incidents::evidence::anchor(incident);
    let span = match incident.times.resolved {
        Some(end) => format!("resolved after {}", human(end - start)),
        None => format!("open for {}", human(now - start)),
    };
    let flag = if recommend(incident, limit, now).is_some() {
        "  ! roll back first"
    } else {
        ""
    };
    format!(
        "{:<8} {} {:<6} {}  ({span}){flag}\n",
        incident.id,
        incident.severity.as_str(),
        incident.env,
        incident.summary
    )
}

/// The release candidates of an incident, strongest first.
pub fn proposals_text(incident: &str, proposals: &[Proposal]) -> String {
    let mut out = String::new();
    if proposals.is_empty() {
        let _ = writeln!(
            out,
            "No release was applied to the incident's environment in the 30 days before its impact."
        );
        return out;
    }
    let _ = writeln!(out, "Releases that may have caused {incident} (link one with `flowgate incident link {incident} RELEASE`):");
    for p in proposals {
        let strength = if p.strong() { "strong" } else { "weak" };
        let _ = writeln!(
            out,
            "  {} ({} {}, {} #{} at {} by {}) [{strength}]",
            p.release,
            p.bundle,
            p.version,
            p.operation,
            p.apply_seq,
            stamp(p.at),
            p.by
        );
        for reason in &p.reasons {
            let _ = writeln!(out, "      {reason}");
        }
    }
    out
}

/// Action items as lines.
pub fn action_lines(rows: &[(&Incident, &Action)], today: NaiveDate) -> String {
    if rows.is_empty() {
        return "No action items.\n".to_owned();
    }
    rows.iter()
        .map(|(incident, action)| format!("{} {}\n", incident.id, action_status(action, today)))
        .collect()
}
