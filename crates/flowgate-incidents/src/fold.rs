//! Incidents rebuilt from the operation log: each `incident.*` operation, in log order, applied
//! to the incident it names. A record this version cannot read is reported, never guessed at.

use crate::patch::Patch;
use crate::record::{Action, Change, Incident, Link, Remediation, Severity};
use chrono::{DateTime, NaiveDate, Utc};
use flowgate_store::{Operation, OperationKind};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The incidents of a log, by id, and the records that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// Incidents by id (`INC-<seq>`), in id order.
    pub incidents: BTreeMap<String, Incident>,
    /// Records that could not be read: sequence number and why.
    pub problems: Vec<(u64, String)>,
}

/// The id of the incident opened by the operation at `seq`.
pub fn incident_id(seq: u64) -> String {
    format!("INC-{seq}")
}

/// A payload of `incident.open` (with `env`) or `incident.update` (with `incident`): that
/// key, and the rest read as a [`Patch`], which refuses unknown keys.
fn keyed_patch(payload: &Value, key: &str) -> Result<(String, Patch), String> {
    let mut fields = payload.as_object().cloned().unwrap_or_default();
    let named = fields
        .remove(key)
        .and_then(|v| v.as_str().map(str::to_owned))
        .ok_or_else(|| format!("cannot be read: missing field `{key}`"))?;
    let patch = read(&Value::Object(fields))?;
    Ok((named, patch))
}

/// `incident.link`'s payload: a link confirmed, or one removed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkRecord {
    #[serde(rename = "incident")]
    _incident: String,
    #[serde(default)]
    unlink: Option<String>,
    #[serde(default)]
    release: Option<String>,
    #[serde(default)]
    env: Option<String>,
    #[serde(default)]
    bundle: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    apply_seq: Option<u64>,
}

/// `incident.action`'s payload: an item added, or one done.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionRecord {
    #[serde(rename = "incident")]
    _incident: String,
    #[serde(default)]
    add: Option<NewAction>,
    #[serde(default)]
    done: Option<String>,
}

/// A new action item, as `incident.action` carries it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    /// What is to be done.
    pub text: String,
    /// Who owns it.
    pub owner: String,
    /// When it is due.
    pub due: NaiveDate,
    /// Its remediation type.
    #[serde(rename = "type")]
    pub remediation: Remediation,
}

/// `incident.resolve`'s payload.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Resolve {
    #[serde(rename = "incident")]
    _incident: String,
    resolved: DateTime<Utc>,
    #[serde(default)]
    note: Option<String>,
}

/// Rebuilds every incident from `operations` (any order; only `incident.*` ones count).
pub fn fold(operations: &[Operation]) -> Folded {
    let mut ops: Vec<&Operation> = operations.iter().collect();
    ops.sort_by_key(|op| op.seq);
    let mut folded = Folded::default();
    for op in ops {
        let Some(kind) = op.kind_of() else { continue };
        if !OperationKind::INCIDENT.contains(&kind) {
            continue;
        }
        if let Err(why) = folded.apply(kind, op) {
            folded.problems.push((op.seq, why));
        }
    }
    folded
}

/// `incident` after one more operation of its own (one just appended), without reading the
/// log again.
pub fn fold_onto(incident: Incident, op: &Operation) -> Result<Incident, String> {
    let id = incident.id.clone();
    let mut folded = Folded::default();
    folded.incidents.insert(id.clone(), incident);
    let kind = op.kind_of().ok_or("is not an incident operation")?;
    folded.apply(kind, op)?;
    folded
        .incidents
        .remove(&id)
        .ok_or_else(|| format!("lost {id}"))
}

impl Folded {
    fn apply(&mut self, kind: OperationKind, op: &Operation) -> Result<(), String> {
        let at = op.at.datetime();
        let by = op.actor.as_str();
        if kind == OperationKind::IncidentOpen {
            let (env, patch) = keyed_patch(&op.payload, "env")?;
            let incident = opened(op, env, &patch);
            self.incidents.insert(incident.id.clone(), incident);
            return Ok(());
        }
        let name = op.payload.get("incident").and_then(Value::as_str);
        let incident = name
            .and_then(|id| self.incidents.get_mut(id))
            .ok_or_else(|| format!("names no known incident ({name:?})"))?;
        let what = match kind {
            OperationKind::IncidentUpdate => {
                let (_, patch) = keyed_patch(&op.payload, "incident")?;
                patch.apply(incident, by, at);
                patch.describe()
            }
            OperationKind::IncidentLink => link(incident, read(&op.payload)?, by, at)?,
            OperationKind::IncidentAction => action(incident, read(&op.payload)?, by, at)?,
            _ => {
                let resolve: Resolve = read(&op.payload)?;
                incident.times.resolved = Some(resolve.resolved);
                let note = resolve.note.map(|n| format!(": {n}")).unwrap_or_default();
                format!("resolved at {}{note}", resolve.resolved.to_rfc3339())
            }
        };
        incident.history.push(change(op, what));
        Ok(())
    }
}

fn read<T: for<'de> Deserialize<'de>>(payload: &Value) -> Result<T, String> {
    T::deserialize(payload).map_err(|e| format!("cannot be read: {e}"))
}

fn change(op: &Operation, what: String) -> Change {
    Change {
        seq: op.seq,
        at: op.at.datetime(),
        by: op.actor.clone(),
        what,
    }
}

fn opened(op: &Operation, env: String, patch: &Patch) -> Incident {
    let severity = patch.severity.unwrap_or(Severity::Sev3);
    let summary = patch.summary.clone().unwrap_or_default();
    let mut incident = Incident {
        id: incident_id(op.seq),
        env,
        severity,
        summary,
        opened_by: op.actor.clone(),
        opened_at: op.at.datetime(),
        times: Default::default(),
        impact: Default::default(),
        technical: Default::default(),
        links: Vec::new(),
        causes: Vec::new(),
        actions: Vec::new(),
        notes: Vec::new(),
        history: Vec::new(),
    };
    patch.apply(&mut incident, &op.actor, op.at.datetime());
    let what = format!("opened in {}: {}", incident.env, patch.describe());
    incident.history.push(change(op, what));
    incident
}

fn link(
    incident: &mut Incident,
    record: LinkRecord,
    by: &str,
    at: DateTime<Utc>,
) -> Result<String, String> {
    if let Some(release) = record.unlink {
        incident.links.retain(|l| l.release != release);
        return Ok(format!("unlinked release {release}"));
    }
    let (Some(release), Some(env), Some(bundle), Some(version), Some(apply_seq)) = (
        record.release,
        record.env,
        record.bundle,
        record.version,
        record.apply_seq,
    ) else {
        return Err("a link needs release, env, bundle, version and apply_seq".to_owned());
    };
    let what = format!("linked release {release} ({bundle} {version} in {env}, log #{apply_seq})");
    incident.links.retain(|l| l.release != release);
    incident.links.push(Link {
        release,
        env,
        bundle,
        version,
        apply_seq,
        by: by.to_owned(),
        at,
    });
    Ok(what)
}

fn action(
    incident: &mut Incident,
    record: ActionRecord,
    by: &str,
    at: DateTime<Utc>,
) -> Result<String, String> {
    match (record.add, record.done) {
        (Some(add), None) => {
            let id = format!("A{}", incident.actions.len() + 1);
            let what = format!(
                "action {id} ({}, {}, due {}): {}",
                add.remediation.as_str(),
                add.owner,
                add.due,
                add.text
            );
            incident.actions.push(Action {
                id,
                text: add.text,
                owner: add.owner,
                due: add.due,
                remediation: add.remediation,
                done: None,
            });
            Ok(what)
        }
        (None, Some(id)) => {
            let item = incident
                .actions
                .iter_mut()
                .find(|a| a.id == id)
                .ok_or_else(|| format!("names no action {id}"))?;
            item.done = Some((at, by.to_owned()));
            Ok(format!("action {id} done"))
        }
        _ => Err("an action record either adds an item or marks one done".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowgate_store::{OpHash, Timestamp};
    use serde_json::json;

    fn op(seq: u64, kind: OperationKind, payload: Value) -> Operation {
        Operation {
            seq,
            at: Timestamp::from_datetime(DateTime::<Utc>::UNIX_EPOCH),
            actor: "ben".into(),
            kind: kind.as_str().into(),
            payload,
            ref_change: None,
            prev_hash: OpHash::GENESIS,
            hash: OpHash::GENESIS,
        }
    }

    #[test]
    fn unknown_keys_and_values_are_problems_not_guesses() {
        let ops = [
            op(
                1,
                OperationKind::IncidentOpen,
                json!({ "env": "prod", "summary": "x" }),
            ),
            op(
                2,
                OperationKind::IncidentUpdate,
                json!({ "incident": "INC-1", "colour": "red" }),
            ),
            op(
                3,
                OperationKind::IncidentUpdate,
                json!({ "incident": "INC-1", "severity": "sev9" }),
            ),
            op(
                4,
                OperationKind::IncidentAction,
                json!({ "incident": "INC-1" }),
            ),
            op(
                5,
                OperationKind::IncidentLink,
                json!({ "incident": "INC-1", "release": "R" }),
            ),
            op(
                6,
                OperationKind::IncidentResolve,
                json!({ "incident": "INC-2", "resolved": "2026-01-01T00:00:00Z" }),
            ),
            op(
                7,
                OperationKind::IncidentOpen,
                json!({ "summary": "no env" }),
            ),
            op(
                8,
                OperationKind::IncidentUpdate,
                json!({ "incident": "INC-1", "severity": "sev1" }),
            ),
        ];
        let folded = fold(&ops);
        let seqs: Vec<u64> = folded.problems.iter().map(|(s, _)| *s).collect();
        assert_eq!(seqs, vec![2, 3, 4, 5, 6, 7], "{:?}", folded.problems);
        let incident = &folded.incidents["INC-1"];
        assert_eq!(incident.severity, Severity::Sev1);
        assert_eq!(incident.history.len(), 2);
    }
}
