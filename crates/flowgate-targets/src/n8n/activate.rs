//! Activation: carrying out a staged plan. Each workflow is read again right before it is
//! written, and a workflow that changed since staging (its `updatedAt`/`versionId`) stops
//! the deployment with a conflict; the record is written last.

use super::client::{text, Api};
use super::marker::{record_body, updated_at, with_marker, workflow_marker, Held};
use super::normalise::{digest, normalised, unresolved_credentials};
use super::reset::{reset_left_out, MARKER_KEY as RESET_KEY};
use flowgate_release::{TargetError, TargetFailure};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Carries out a staged plan (see [`super::stage::plan`]).
pub(crate) fn run(api: &Api, state: &Value) -> Result<(), TargetError> {
    let manifest = &state["manifest"];
    let tags = TagIds::ensure(api, state)?;
    let mut members = Map::new();
    for item in state["items"].as_array().into_iter().flatten() {
        let (id, active) = deploy_item(api, manifest, item, &tags)?;
        members.insert(
            text(item, "file").unwrap_or_default(),
            json!({ "id": id, "source": item["digest"], "active": active }),
        );
    }
    for gone in state["remove"].as_array().into_iter().flatten() {
        remove(api, gone)?;
    }
    write_record(api, state, manifest, &members, &tags)
}

/// The ids of the deployment's tags (created when missing).
struct TagIds {
    /// `env:…` and `release:…` ids.
    wanted: Vec<String>,
    /// Every tag id whose name starts with `release:`.
    releases: Vec<String>,
    /// The `env:…` tag id.
    env: Option<String>,
}

impl TagIds {
    fn ensure(api: &Api, state: &Value) -> Result<Self, TargetError> {
        let mut all: BTreeMap<String, String> = api
            .tags()?
            .into_iter()
            .map(|(id, name)| (name, id))
            .collect();
        let mut wanted = Vec::new();
        for name in state["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let id = match all.get(name) {
                Some(id) => id.clone(),
                None => {
                    let id = create_tag(api, name)?;
                    all.insert(name.to_owned(), id.clone());
                    id
                }
            };
            wanted.push(id);
        }
        let releases = all
            .iter()
            .filter(|(name, _)| name.starts_with("release:"))
            .map(|(_, id)| id.clone())
            .collect();
        Ok(Self {
            env: wanted.first().cloned(),
            wanted,
            releases,
        })
    }

    /// The tag ids a workflow should carry: its own tags but stale release tags, and ours.
    fn for_workflow(&self, current: &[(String, String)]) -> Vec<String> {
        let mut ids: Vec<String> = current
            .iter()
            .map(|(id, _)| id.clone())
            .filter(|id| !self.releases.contains(id) || self.wanted.contains(id))
            .collect();
        for id in &self.wanted {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        ids
    }
}

/// Creates a tag; one made meanwhile by another deploy (409) is looked up instead.
fn create_tag(api: &Api, name: &str) -> Result<String, TargetError> {
    match api.create_tag(name) {
        Ok(id) => Ok(id),
        Err(e) if e.failure == TargetFailure::Conflict => api
            .tags()?
            .into_iter()
            .find(|(_, n)| n == name)
            .map(|(id, _)| id)
            .ok_or(e),
        Err(e) => Err(e),
    }
}

/// The workflow `id` as it is now, refused when it changed since `seen`.
fn fresh(api: &Api, id: &str, seen: &str, name: &str) -> Result<Held, TargetError> {
    let conflict = |what: &str| {
        TargetError::of(
            TargetFailure::Conflict,
            api.place(),
            format!(
                "workflow \"{name}\" ({id}) {what} since this deployment read it; nothing more \
                 was changed, apply again"
            ),
        )
    };
    let raw = api
        .workflow(id)?
        .ok_or_else(|| conflict("was deleted in n8n"))?;
    if updated_at(&raw) != seen {
        return Err(conflict("was changed in n8n"));
    }
    Held::from_api(raw).ok_or_else(|| conflict("came back without an id"))
}

/// Creates or updates one workflow, then sets its activation and tags; its id and whether
/// it is active.
fn deploy_item(
    api: &Api,
    manifest: &Value,
    item: &Value,
    tags: &TagIds,
) -> Result<(String, bool), TargetError> {
    let name = text(item, "name").unwrap_or_default();
    let current = match (text(item, "id"), text(item, "seen")) {
        (Some(id), Some(seen)) => Some(fresh(api, &id, &seen, &name)?),
        _ => None,
    };
    let held = if item["write"].as_bool() == Some(true) {
        write(api, manifest, item, current.as_ref(), &name)?
    } else {
        current
            .ok_or_else(|| TargetError::failed(api.place(), "a staged step names no workflow"))?
    };
    let want = item["active"].as_bool().unwrap_or(false);
    if held.active != want {
        api.set_active(&held.id, want, &name)?;
    }
    let ids = tags.for_workflow(&held.tags);
    let mut now: Vec<&String> = held.tags.iter().map(|(id, _)| id).collect();
    let mut new: Vec<&String> = ids.iter().collect();
    now.sort();
    new.sort();
    if now != new {
        api.set_tags(&held.id, &ids, &name)?;
    }
    Ok((held.id, want))
}

/// Sends a workflow's body with its marker; what n8n stored. A body that n8n stored
/// differently from what was sent (normalised) gets its marker corrected, so that the next
/// deployment does not take flowgate's own write for an edit.
fn write(
    api: &Api,
    manifest: &Value,
    item: &Value,
    current: Option<&Held>,
    name: &str,
) -> Result<Held, TargetError> {
    let file = text(item, "file").unwrap_or_default();
    let source = text(item, "digest").unwrap_or_default();
    let mut body = item["body"].clone();
    let reset = current.map_or_else(Vec::new, |h| reset_left_out(&mut body, &h.raw));
    let marker = marker_of(manifest, &file, &source, &source, &reset);
    body["staticData"] = with_marker(current.map(|h| &h.raw), marker);
    let stored = match current {
        Some(held) => api.update(&held.id, &body, name)?,
        None => api.create(&body, name)?,
    };
    let mut held = Held::from_api(stored).ok_or_else(|| {
        TargetError::failed(api.place(), format!("stored \"{name}\" without an id"))
    })?;
    if let Some(current) = current {
        held.tags = current.tags.clone();
        if held.raw.get("active").is_none() {
            held.active = current.active;
        }
    }
    let missing = unresolved_credentials(&held.raw);
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|(t, n)| format!("\"{n}\" ({t})"))
            .collect();
        return Err(TargetError::failed(
            api.place(),
            format!(
                "workflow \"{name}\" refers to credentials n8n does not have: {}; create them \
                 in n8n under these names (flowgate never copies credentials), then apply again",
                list.join(", ")
            ),
        ));
    }
    let content = digest(&normalised(&held.raw));
    if content != source {
        let mut fix = item["body"].clone();
        for key in ["nodes", "connections", "settings"] {
            fix[key] = held.raw.get(key).cloned().unwrap_or(Value::Null);
        }
        let marker = marker_of(manifest, &file, &source, &content, &reset);
        fix["staticData"] = with_marker(Some(&held.raw), marker);
        let stored = api.update(&held.id, &fix, name)?;
        let tags = std::mem::take(&mut held.tags);
        held = Held::from_api(stored).unwrap_or(held);
        held.tags = tags;
    }
    Ok(held)
}

/// A workflow marker that also lists the settings this write reset (see [`super::reset`]).
fn marker_of(manifest: &Value, file: &str, source: &str, content: &str, reset: &[String]) -> Value {
    let mut marker = workflow_marker(manifest, file, source, content);
    if !reset.is_empty() {
        marker[RESET_KEY] = json!(reset);
    }
    marker
}

/// Deactivates and deletes a workflow the bundle no longer renders.
fn remove(api: &Api, gone: &Value) -> Result<(), TargetError> {
    let id = text(gone, "id").unwrap_or_default();
    let name = text(gone, "name").unwrap_or_default();
    let held = fresh(api, &id, &text(gone, "seen").unwrap_or_default(), &name)?;
    if held.active {
        api.set_active(&id, false, &name)?;
    }
    api.delete(&id, &name)
}

/// Writes the record of the deployment, unless it already says the same.
fn write_record(
    api: &Api,
    state: &Value,
    manifest: &Value,
    members: &Map<String, Value>,
    tags: &TagIds,
) -> Result<(), TargetError> {
    let record = &state["record"];
    let body = record_body(manifest, members, None);
    let marker = &body["staticData"][super::marker::KEY];
    if record.get("marker") == Some(marker) {
        return Ok(());
    }
    let env_tag: Vec<String> = tags.env.iter().cloned().collect();
    let name = text(&body, "name").unwrap_or_default();
    match (text(record, "id"), text(record, "seen")) {
        (Some(id), Some(seen)) => {
            let current = fresh(api, &id, &seen, &name)?;
            let body = record_body(manifest, members, Some(&current.raw));
            api.update(&id, &body, &name)?;
        }
        _ => {
            let made = api.create(&body, &name)?;
            if let Some(id) = text(&made, "id") {
                api.set_tags(&id, &env_tag, &name)?;
            }
        }
    }
    Ok(())
}
