//! A blameless post-mortem in Markdown: facts first (what, where, how long, whom it harmed,
//! which releases), then a timeline merged from the incident's own record and the operation
//! log of its environment, then root causes and action items with owners and due dates.
//! Every text people typed is escaped, so a summary cannot inject Markdown or HTML.

use crate::evidence::anchor;
use crate::record::Incident;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use flowgate_store::{Operation, OperationKind};
use serde_json::Value;
use std::fmt::Write as _;

/// How long before the impact the timeline starts.
const LEAD_IN: Duration = Duration::hours(24);

/// The post-mortem of `incident`, with `log` the operation log (any order; only the incident's
/// environment and window are used), written on `today`.
pub fn postmortem(incident: &Incident, log: &[Operation], today: NaiveDate) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Post-mortem: {} {}\n",
        incident.id,
        escape(&incident.summary)
    );
    let _ = writeln!(
        out,
        "_Blameless: this describes what the systems and the process allowed, not who erred._\n"
    );
    facts(&mut out, incident);
    impact(&mut out, incident);
    releases(&mut out, incident);
    timeline(&mut out, incident, log);
    causes(&mut out, incident);
    actions(&mut out, incident, today);
    out
}

fn facts(out: &mut String, incident: &Incident) {
    let t = &incident.times;
    let _ = writeln!(out, "## Facts\n\n| | |\n|---|---|");
    let row = |out: &mut String, name: &str, value: String| {
        let _ = writeln!(out, "| {name} | {value} |");
    };
    row(out, "Severity", incident.severity.as_str().to_owned());
    row(out, "Environment", escape(&incident.env));
    row(
        out,
        "Status",
        if incident.is_open() {
            "open"
        } else {
            "resolved"
        }
        .to_owned(),
    );
    for (name, at) in [
        ("Impact start", t.impact_start),
        ("Detected", t.detected),
        ("Stakeholders notified", t.notified),
        ("Mitigation start", t.mitigation_start),
        ("Mitigated", t.mitigated),
        ("Rolled back", t.rolled_back),
        ("Resolved", t.resolved),
    ] {
        row(out, name, at.map_or("—".to_owned(), stamp));
    }
    for (name, from, to) in [
        ("Time to detect", t.impact_start, t.detected),
        ("Time to mitigate", t.impact_start, t.mitigated),
        ("Time to resolve", t.impact_start, t.resolved),
    ] {
        if let (Some(a), Some(b)) = (from, to) {
            row(out, name, human(b - a));
        }
    }
    out.push('\n');
}

fn impact(out: &mut String, incident: &Incident) {
    let i = &incident.impact;
    let tech = &incident.technical;
    let _ = writeln!(out, "## Blast radius and impact\n");
    let list = |out: &mut String, name: &str, items: Vec<&String>| {
        if !items.is_empty() {
            let items: Vec<String> = items.iter().map(|s| escape(s)).collect();
            let _ = writeln!(out, "- {name}: {}", items.join(", "));
        }
    };
    list(out, "Assets", i.assets.iter().collect());
    list(out, "Channels", i.channels.iter().collect());
    if let Some(n) = i.duplicate_sends {
        let _ = writeln!(out, "- Duplicate sends: {n}");
    }
    if let Some(n) = i.missed_slas {
        let _ = writeln!(out, "- Missed SLAs: {n}");
    }
    if let Some(c) = &i.compliance {
        let _ = writeln!(out, "- Compliance exposure: {}", escape(c));
    }
    if let Some(r) = &i.revenue_at_risk {
        let _ = writeln!(out, "- Revenue at risk: {}", escape(r));
    }
    list(out, "Workflow ids", tech.workflow_ids.iter().collect());
    list(out, "Endpoints", tech.endpoints.iter().collect());
    list(out, "Error codes", tech.error_codes.iter().collect());
    out.push('\n');
}

fn releases(out: &mut String, incident: &Incident) {
    let _ = writeln!(out, "## Releases linked\n");
    if incident.links.is_empty() {
        let _ = writeln!(out, "None confirmed.\n");
        return;
    }
    for l in &incident.links {
        let _ = writeln!(
            out,
            "- {} ({} {} in {}, log #{}), confirmed by {} at {}",
            escape(&l.release),
            escape(&l.bundle),
            escape(&l.version),
            escape(&l.env),
            l.apply_seq,
            escape(&l.by),
            stamp(l.at)
        );
    }
    out.push('\n');
}

/// One timeline line: when, and what.
struct Moment {
    at: DateTime<Utc>,
    what: String,
}

fn timeline(out: &mut String, incident: &Incident, log: &[Operation]) {
    let mut moments = reported(incident);
    moments.extend(incident.history.iter().map(|c| Moment {
        at: c.at,
        what: format!("{} recorded: {}", escape(&c.by), escape(&c.what)),
    }));
    let from = anchor(incident) - LEAD_IN;
    let to = incident.times.resolved.unwrap_or(DateTime::<Utc>::MAX_UTC);
    moments.extend(
        log.iter()
            .filter(|op| op.at.datetime() >= from && op.at.datetime() <= to)
            .filter_map(|op| release_moment(op, &incident.env)),
    );
    moments.sort_by_key(|m| m.at);
    let _ = writeln!(out, "## Timeline (UTC)\n");
    for m in moments {
        let _ = writeln!(out, "- {} {}", stamp(m.at), m.what);
    }
    out.push('\n');
}

/// The times people reported, as moments.
fn reported(incident: &Incident) -> Vec<Moment> {
    let t = &incident.times;
    [
        ("impact started", t.impact_start),
        ("detected", t.detected),
        ("stakeholders notified", t.notified),
        ("mitigation started", t.mitigation_start),
        ("mitigated", t.mitigated),
        ("rolled back", t.rolled_back),
        ("resolved", t.resolved),
    ]
    .into_iter()
    .filter_map(|(what, at)| {
        at.map(|at| Moment {
            at,
            what: format!("**{what}**"),
        })
    })
    .collect()
}

/// A log operation of the environment as a moment: applies, approvals, rollbacks, pins,
/// watch checkpoints.
fn release_moment(op: &Operation, env: &str) -> Option<Moment> {
    let p = &op.payload;
    let text = |k: &str| escape(p.get(k).and_then(Value::as_str).unwrap_or_default());
    if p.get("env").and_then(Value::as_str) != Some(env) {
        return None;
    }
    let what = match op.kind_of()? {
        OperationKind::Apply => format!("{} {} applied", text("bundle"), text("version")),
        OperationKind::Approve => {
            format!(
                "{} {} approved as {}",
                text("bundle"),
                text("version"),
                text("role")
            )
        }
        OperationKind::Rollback => format!(
            "{} rolled back from {} to {}",
            text("bundle"),
            text("from_version"),
            text("version")
        ),
        OperationKind::Pin => format!("{env} pinned: {}", text("reason")),
        OperationKind::Unpin => format!("{env} unpinned: {}", text("reason")),
        OperationKind::Sync => format!("{} {} synced", text("bundle"), text("version")),
        OperationKind::WatchCheckpoint => format!(
            "watch {} of {} {} at {} (window to {}): {} — {}",
            text("watch"),
            text("bundle"),
            text("version"),
            text("checkpoint"),
            text("checkpoint_at"),
            text("verdict"),
            text("summary")
        ),
        _ => return None,
    };
    Some(Moment {
        at: op.at.datetime(),
        what: format!("{what} (log #{}, {})", op.seq, escape(&op.actor)),
    })
}

fn causes(out: &mut String, incident: &Incident) {
    let _ = writeln!(out, "## Root causes\n");
    if incident.causes.is_empty() {
        let _ = writeln!(
            out,
            "_None recorded yet: `flowgate incident update {} --cause \"…\"`._\n",
            incident.id
        );
        return;
    }
    for c in &incident.causes {
        let _ = writeln!(out, "- {} ({})", escape(&c.text), escape(&c.by));
    }
    out.push('\n');
}

fn actions(out: &mut String, incident: &Incident, today: NaiveDate) {
    let _ = writeln!(out, "## Action items\n");
    if incident.actions.is_empty() {
        let _ = writeln!(
            out,
            "_None recorded yet: `flowgate incident action add {} …`._",
            incident.id
        );
        return;
    }
    let _ = writeln!(
        out,
        "| id | action | type | owner | due | status |\n|---|---|---|---|---|---|"
    );
    for a in &incident.actions {
        let status = match (&a.done, a.overdue(today)) {
            (Some((at, by)), _) => format!("done {} by {}", stamp(*at), escape(by)),
            (None, true) => "**overdue**".to_owned(),
            (None, false) => "open".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {status} |",
            a.id,
            escape(&a.text),
            a.remediation.as_str(),
            escape(&a.owner),
            a.due
        );
    }
}

/// `text` on one line, with Markdown and HTML escaped.
fn escape(text: &str) -> String {
    flowgate_model::markdown::escape(&text.replace(['\r', '\n'], " "))
}

/// A time to the minute, UTC.
pub fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// A duration in days, hours and minutes.
pub fn human(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 1440, (minutes % 1440) / 60, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (days, h, _) => format!("{days} d {h} h"),
    }
}
