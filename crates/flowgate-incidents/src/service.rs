//! Reading and changing incidents through the store: every change is one operation in the
//! hash-chained log, checked against the incident as the log has it before it is appended.

use crate::evidence::{proposals, Proposal};
use crate::fold::{fold, Folded, NewAction};
use crate::patch::Patch;
use crate::record::{Incident, Severity};
use crate::IncidentError;
use chrono::{DateTime, Utc};
use flowgate_store::{NewOperation, Operation, OperationFilter, OperationKind, Store};
use serde_json::{json, Value};

/// Incidents in one store, at one clock.
pub struct Incidents<'a, S: Store> {
    store: &'a S,
    now: DateTime<Utc>,
}

impl<'a, S: Store> Incidents<'a, S> {
    /// Incidents in `store`; `now` is the time reported times are checked against (the
    /// server's clock, or this machine's).
    pub fn new(store: &'a S, now: DateTime<Utc>) -> Self {
        Self { store, now }
    }

    /// The time this service runs at.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The store.
    pub fn store(&self) -> &'a S {
        self.store
    }

    /// Every incident, rebuilt from the log (one query per incident operation kind).
    pub async fn all(&self) -> Result<Folded, flowgate_store::Error> {
        let mut ops = Vec::new();
        for kind in OperationKind::INCIDENT {
            let filter = OperationFilter {
                kind: Some(kind),
                ..OperationFilter::default()
            };
            ops.extend(self.store.operations(&filter).await?);
        }
        Ok(fold(&ops))
    }

    /// The incident `id` (`INC-12`, or `12`).
    pub async fn get(&self, id: &str) -> Result<Incident, IncidentError> {
        let id = normalise_id(id);
        self.all()
            .await?
            .incidents
            .remove(&id)
            .ok_or(IncidentError::Unknown(id))
    }

    /// Opens an incident in `env`; detection defaults to now.
    pub async fn open(
        &self,
        actor: &str,
        env: &str,
        severity: Severity,
        summary: &str,
        mut patch: Patch,
    ) -> Result<Incident, IncidentError> {
        if env.trim().is_empty() || summary.trim().is_empty() {
            return Err(IncidentError::Invalid(
                "an incident needs an environment and a summary".to_owned(),
            ));
        }
        patch.severity = Some(severity);
        patch.summary = Some(summary.to_owned());
        patch.times.entry("detected".to_owned()).or_insert(self.now);
        patch
            .check(&Default::default(), self.now)
            .map_err(IncidentError::Invalid)?;
        let mut payload = serde_json::to_value(&patch).unwrap_or(Value::Null);
        payload["env"] = Value::from(env);
        let op = self
            .append(actor, OperationKind::IncidentOpen, payload)
            .await?;
        fold(std::slice::from_ref(&op))
            .incidents
            .remove(&crate::fold::incident_id(op.seq))
            .ok_or_else(|| IncidentError::Invalid("the opening could not be read back".into()))
    }

    /// Changes an open or resolved incident's fields.
    pub async fn update(
        &self,
        actor: &str,
        id: &str,
        patch: Patch,
    ) -> Result<Incident, IncidentError> {
        let incident = self.get(id).await?;
        if patch.is_empty() {
            return Err(IncidentError::Invalid("nothing to change".to_owned()));
        }
        patch
            .check(&incident.times, self.now)
            .map_err(IncidentError::Invalid)?;
        let mut payload = serde_json::to_value(&patch).unwrap_or(Value::Null);
        payload["incident"] = Value::from(incident.id.clone());
        self.record(actor, OperationKind::IncidentUpdate, payload, incident)
            .await
    }

    /// Adds an action item.
    pub async fn add_action(
        &self,
        actor: &str,
        id: &str,
        action: NewAction,
    ) -> Result<Incident, IncidentError> {
        let incident = self.get(id).await?;
        if action.text.trim().is_empty() || action.owner.trim().is_empty() {
            return Err(IncidentError::Invalid(
                "an action item needs a text and an owner".to_owned(),
            ));
        }
        let payload = json!({ "incident": incident.id, "add": action });
        self.record(actor, OperationKind::IncidentAction, payload, incident)
            .await
    }

    /// Marks action item `action` (`A2`) done.
    pub async fn complete_action(
        &self,
        actor: &str,
        id: &str,
        action: &str,
    ) -> Result<Incident, IncidentError> {
        let incident = self.get(id).await?;
        let action = action.trim().to_ascii_uppercase();
        match incident.actions.iter().find(|a| a.id == action) {
            None => {
                return Err(IncidentError::Invalid(format!(
                    "{} has no action {action}; `flowgate incident show {}` lists them",
                    incident.id, incident.id
                )))
            }
            Some(a) if a.done.is_some() => {
                return Err(IncidentError::Invalid(format!("{action} is already done")))
            }
            Some(_) => {}
        }
        let payload = json!({ "incident": incident.id, "done": action });
        self.record(actor, OperationKind::IncidentAction, payload, incident)
            .await
    }

    /// The releases that may have caused the incident, from evidence in the log.
    pub async fn proposals(&self, id: &str) -> Result<Vec<Proposal>, IncidentError> {
        let incident = self.get(id).await?;
        proposals(self.store, &incident).await
    }

    /// Links a release a person confirms: it must be one of the applies the log has in the
    /// incident's environment before detection (see [`Incidents::proposals`]).
    pub async fn link(
        &self,
        actor: &str,
        id: &str,
        release: &str,
    ) -> Result<Incident, IncidentError> {
        let incident = self.get(id).await?;
        let found = proposals(self.store, &incident).await?;
        let chosen = found
            .iter()
            .find(|p| p.release == release || p.apply_seq.to_string() == release)
            .ok_or_else(|| {
                IncidentError::Invalid(format!(
                    "`{release}` is not a release applied to {} before the incident was detected; \
                 `flowgate incident link {} --propose` lists the candidates",
                    incident.env, incident.id
                ))
            })?;
        let payload = json!({
            "incident": incident.id, "release": chosen.release, "env": incident.env,
            "bundle": chosen.bundle, "version": chosen.version, "apply_seq": chosen.apply_seq,
        });
        self.record(actor, OperationKind::IncidentLink, payload, incident)
            .await
    }

    /// Removes a link.
    pub async fn unlink(
        &self,
        actor: &str,
        id: &str,
        release: &str,
    ) -> Result<Incident, IncidentError> {
        let incident = self.get(id).await?;
        if !incident.links.iter().any(|l| l.release == release) {
            return Err(IncidentError::Invalid(format!(
                "{} is not linked to {release}",
                incident.id
            )));
        }
        let payload = json!({ "incident": incident.id, "unlink": release });
        self.record(actor, OperationKind::IncidentLink, payload, incident)
            .await
    }

    /// Resolves an open incident at `at` (default now).
    pub async fn resolve(
        &self,
        actor: &str,
        id: &str,
        at: Option<DateTime<Utc>>,
        note: Option<&str>,
    ) -> Result<Incident, IncidentError> {
        let incident = self.get(id).await?;
        if !incident.is_open() {
            return Err(IncidentError::Invalid(format!(
                "{} is already resolved",
                incident.id
            )));
        }
        let at = at.unwrap_or(self.now);
        let patch = Patch {
            times: [("resolved".to_owned(), at)].into_iter().collect(),
            ..Patch::default()
        };
        patch
            .check(&incident.times, self.now)
            .map_err(IncidentError::Invalid)?;
        let payload = json!({ "incident": incident.id, "resolved": at, "note": note });
        self.record(actor, OperationKind::IncidentResolve, payload, incident)
            .await
    }

    /// Appends a change to `incident` (as just read); the incident after it, folded from the
    /// operation the store recorded rather than from the whole log read again.
    async fn record(
        &self,
        actor: &str,
        kind: OperationKind,
        payload: Value,
        incident: Incident,
    ) -> Result<Incident, IncidentError> {
        let op = self.append(actor, kind, payload).await?;
        crate::fold::fold_onto(incident, &op).map_err(IncidentError::Invalid)
    }

    async fn append(
        &self,
        actor: &str,
        kind: OperationKind,
        payload: Value,
    ) -> Result<Operation, IncidentError> {
        let payload = strip_nulls(payload);
        let op = NewOperation::new(actor, kind, payload);
        Ok(self.store.append_operation(&op).await?)
    }
}

/// `12` and `inc-12` as `INC-12`.
pub fn normalise_id(id: &str) -> String {
    let id = id.trim();
    let digits = id
        .strip_prefix("INC-")
        .or_else(|| id.strip_prefix("inc-"))
        .unwrap_or(id);
    format!("INC-{digits}")
}

fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}
