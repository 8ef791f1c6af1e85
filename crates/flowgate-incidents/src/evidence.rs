//! Which releases may have caused an incident, from evidence in the log: the applies (and
//! rollbacks) into its environment before its impact began, what each changed, and whether
//! that touches the assets the incident affected. A proposal is never a link: a person
//! confirms it (`incident.link`).

use crate::record::Incident;
use crate::IncidentError;
use chrono::{DateTime, Duration, Utc};
use flowgate_store::{Operation, OperationFilter, OperationKind, SnapshotId, SnapshotKey, Store};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// How far back before the impact an apply is still a candidate.
pub const LOOKBACK_DAYS: i64 = 30;

/// A release that may have caused an incident, with the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// The release id, else the version.
    pub release: String,
    /// The bundle.
    pub bundle: String,
    /// The version applied.
    pub version: String,
    /// The log sequence number of the apply or rollback.
    pub apply_seq: u64,
    /// `apply` or `rollback`.
    pub operation: String,
    /// When it was applied (store clock).
    pub at: DateTime<Utc>,
    /// Who applied it.
    pub by: String,
    /// Assets it changed (`Kind:id`, as the store names kinds).
    pub changed: Vec<String>,
    /// Of those, the ones the incident affected.
    pub touched_affected: Vec<String>,
    /// Watch checkpoints of this release in the environment that failed or were marginal
    /// (`lead-intake-watch at 4h: fail`).
    pub watch_findings: Vec<String>,
    /// Whether it is the last change to its bundle in the environment before the impact.
    pub last_before_impact: bool,
    /// The evidence in words, strongest first.
    pub reasons: Vec<String>,
}

impl Proposal {
    /// Whether the evidence is strong: it changed an affected asset, or a watch of this
    /// release failed.
    pub fn strong(&self) -> bool {
        !self.touched_affected.is_empty() || !self.watch_findings.is_empty()
    }
}

/// The time evidence is read up to: the impact's start, else detection, else opening.
pub fn anchor(incident: &Incident) -> DateTime<Utc> {
    incident
        .times
        .impact_start
        .or(incident.times.detected)
        .unwrap_or(incident.opened_at)
}

/// The candidates, strongest first (affected assets touched, then the last change per bundle,
/// then newest first).
pub async fn proposals<S: Store>(
    store: &S,
    incident: &Incident,
) -> Result<Vec<Proposal>, IncidentError> {
    let until = anchor(incident);
    let since = until - Duration::days(LOOKBACK_DAYS);
    let mut ops = Vec::new();
    for kind in [OperationKind::Apply, OperationKind::Rollback] {
        let filter = OperationFilter {
            kind: Some(kind),
            ..OperationFilter::default()
        };
        ops.extend(store.operations(&filter).await?.into_iter().filter(|op| {
            let at = op.at.datetime();
            text(&op.payload, "env") == incident.env && at <= until && at >= since
        }));
    }
    ops.sort_by_key(|op| std::cmp::Reverse(op.seq));
    let checkpoints = watch_checkpoints(store, &incident.env).await?;
    let mut seen_bundles = BTreeSet::new();
    let mut found = Vec::new();
    for op in &ops {
        let last = seen_bundles.insert(text(&op.payload, "bundle"));
        let mut proposal = proposal(store, op, incident, last).await?;
        proposal.watch_findings = watch_findings(&checkpoints, op);
        if !proposal.watch_findings.is_empty() {
            proposal.reasons.insert(
                0,
                format!(
                    "its watch did not pass: {}",
                    proposal.watch_findings.join("; ")
                ),
            );
        }
        found.push(proposal);
    }
    found.sort_by_key(|p| {
        (
            !p.strong(),
            !p.last_before_impact,
            std::cmp::Reverse(p.apply_seq),
        )
    });
    Ok(found)
}

async fn proposal<S: Store>(
    store: &S,
    op: &Operation,
    incident: &Incident,
    last_before_impact: bool,
) -> Result<Proposal, IncidentError> {
    let changed = changed_assets(store, op).await?;
    let touched_affected: Vec<String> = changed
        .iter()
        .filter(|asset| affects(incident, asset))
        .cloned()
        .collect();
    let operation = op.kind.clone();
    let mut reasons = Vec::new();
    if !touched_affected.is_empty() {
        reasons.push(format!(
            "it changed affected assets: {}",
            touched_affected.join(", ")
        ));
    }
    if last_before_impact {
        reasons.push(format!(
            "it is the last {operation} of {} into {} before the impact",
            text(&op.payload, "bundle"),
            incident.env
        ));
    }
    let release = match text(&op.payload, "release_id") {
        "" => text(&op.payload, "version").to_owned(),
        id => id.to_owned(),
    };
    Ok(Proposal {
        release,
        bundle: text(&op.payload, "bundle").to_owned(),
        version: text(&op.payload, "version").to_owned(),
        apply_seq: op.seq,
        operation,
        at: op.at.datetime(),
        by: op.actor.clone(),
        changed,
        touched_affected,
        watch_findings: Vec::new(),
        last_before_impact,
        reasons,
    })
}

/// The watch checkpoints recorded for releases into `env` that failed or were marginal.
async fn watch_checkpoints<S: Store>(
    store: &S,
    env: &str,
) -> Result<Vec<Operation>, IncidentError> {
    let filter = OperationFilter {
        kind: Some(OperationKind::WatchCheckpoint),
        ..OperationFilter::default()
    };
    Ok(store
        .operations(&filter)
        .await?
        .into_iter()
        .filter(|op| {
            text(&op.payload, "env") == env
                && matches!(text(&op.payload, "verdict"), "fail" | "marginal")
        })
        .collect())
}

/// The findings of `checkpoints` about the release `op` made: same snapshot, released at
/// the time of `op`.
fn watch_findings(checkpoints: &[Operation], op: &Operation) -> Vec<String> {
    let released = op.at.datetime();
    checkpoints
        .iter()
        .filter(|c| {
            text(&c.payload, "snapshot") == text(&op.payload, "snapshot")
                && DateTime::parse_from_rfc3339(text(&c.payload, "release_at"))
                    .is_ok_and(|at| at.with_timezone(&Utc) == released)
        })
        .map(|c| {
            format!(
                "{} at {}: {} ({})",
                text(&c.payload, "watch"),
                text(&c.payload, "checkpoint"),
                text(&c.payload, "verdict"),
                text(&c.payload, "summary")
            )
        })
        .collect()
}

/// Whether `asset` (`Kind:id`) is one the incident names (by `kind:id`, the kind in any case,
/// or by id).
fn affects(incident: &Incident, asset: &str) -> bool {
    let id = asset.split_once(':').map_or(asset, |(_, id)| id);
    incident
        .impact
        .assets
        .iter()
        .any(|a| a.eq_ignore_ascii_case(asset) || a == id)
}

/// The assets (`kind:id`) whose content differs between what the environment held before the
/// operation and what it held after; every asset when it held nothing before.
async fn changed_assets<S: Store>(store: &S, op: &Operation) -> Result<Vec<String>, IncidentError> {
    let Some(change) = &op.ref_change else {
        return Ok(Vec::new());
    };
    let after = entries(store, &change.to).await?;
    let before = match &change.from {
        Some(from) => entries(store, from).await?,
        None => BTreeMap::new(),
    };
    let mut changed: BTreeSet<String> = after
        .iter()
        .filter(|(key, object)| before.get(*key) != Some(*object))
        .map(|(key, _)| key.clone())
        .collect();
    changed.extend(before.keys().filter(|k| !after.contains_key(*k)).cloned());
    Ok(changed.into_iter().collect())
}

async fn entries<S: Store>(
    store: &S,
    id: &SnapshotId,
) -> Result<BTreeMap<String, String>, IncidentError> {
    let snapshot = store.get_snapshot(SnapshotKey::Id(id)).await?;
    Ok(snapshot
        .map(|s| {
            s.entries
                .into_iter()
                .map(|e| (format!("{}:{}", e.kind, e.id), e.object.to_string()))
                .collect()
        })
        .unwrap_or_default())
}

fn text<'v>(payload: &'v Value, key: &str) -> &'v str {
    payload.get(key).and_then(Value::as_str).unwrap_or_default()
}
