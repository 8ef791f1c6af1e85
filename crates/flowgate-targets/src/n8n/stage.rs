//! Staging: reading the instance, refusing when a workflow of the bundle was edited in n8n,
//! and working out what activation will create, update, (de)activate, tag and delete.

use super::marker::Held;
use super::normalise::{desired, digest, normalised, unresolved_credentials, Desired};
use super::view::{edited, BundleView};
use flowgate_release::{Rendered, TargetError, TargetFailure};
use serde_json::{json, Value};

/// Where rendered n8n workflows lie in a rendering.
pub(crate) const PREFIX: &str = "platform/n8n/";

/// The longest tag name n8n stores.
const TAG_MAX: usize = 24;

/// The desired workflows of a rendering, by rendered path.
pub(crate) fn desired_workflows(
    place: &str,
    rendered: &Rendered,
) -> Result<Vec<(String, Desired)>, TargetError> {
    rendered
        .files
        .iter()
        .filter(|(path, _)| path.starts_with(PREFIX))
        .map(|(path, bytes)| {
            desired(bytes).map(|d| (path.clone(), d)).map_err(|why| {
                TargetError::failed(
                    place,
                    format!("cannot deploy `{path}`: it {why}; nothing was changed"),
                )
            })
        })
        .collect()
}

/// The tags a deployment gives its workflows: `env:<environment>` and `release:<id>` (the
/// release id, else the version), each cut to n8n's 24 characters.
pub(crate) fn deployment_tags(manifest: &Value) -> Vec<String> {
    let field = |k: &str| manifest.get(k).and_then(Value::as_str).unwrap_or("");
    let release = match field("release_id") {
        "" => field("version"),
        id => id,
    };
    [
        format!("env:{}", field("environment")),
        format!("release:{release}"),
    ]
    .into_iter()
    .map(|t| t.chars().take(TAG_MAX).collect())
    .collect()
}

/// Refuses when a workflow of the bundle was edited in n8n, or a file is claimed twice. An
/// edit the rendering already holds (a version adopted from this instance) is no conflict,
/// nor is a workflow an interrupted deployment of this same rendering left half-written.
pub(crate) fn check_conflicts(
    place: &str,
    view: &BundleView,
    wanted: &[(String, Desired)],
) -> Result<(), TargetError> {
    let recorded = view.recorded();
    let holds = |file: &str, held: &Held| {
        let Some((_, want)) = wanted.iter().find(|(f, _)| f == file) else {
            return false;
        };
        // Written by an unfinished deployment of this very rendering (its marker names the
        // rendering, the record does not yet): flowgate's own half-done write, resumed.
        let source = held.mark("source");
        let recorded_source = recorded
            .get(file)
            .and_then(|m| m.get("source"))
            .and_then(Value::as_str);
        let unfinished =
            source.as_deref() == Some(want.digest.as_str()) && recorded_source != source.as_deref();
        unfinished || want.digest == digest(&normalised(&held.raw))
    };
    let mut found: Vec<String> = view
        .members
        .iter()
        .filter(|(file, h)| edited(h) && !holds(file, h))
        .map(|(_, h)| format!("workflow \"{}\" ({}) was edited in n8n", h.name, h.id))
        .collect();
    for (file, list) in &view.claimed_twice {
        let ids: Vec<&str> = list.iter().map(|h| h.id.as_str()).collect();
        found.push(format!(
            "`{file}` is claimed by workflows {} (a copy made in n8n); delete the copy",
            ids.join(", ")
        ));
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(TargetError::of(
        TargetFailure::Conflict,
        place,
        format!(
            "changed outside flowgate since its last deployment: {}. Nothing was deployed; \
             bring the change into the workspace (`flowgate pull`) or undo it in n8n, then \
             apply again",
            found.join("; ")
        ),
    ))
}

/// One workflow's step: what activation does to it.
pub(crate) fn item(file: &str, want: &Desired, held: Option<&Held>) -> Value {
    let write = match held {
        None => true,
        // Written again when it holds another rendering, lacks credentials, or does not hold
        // what its marker says (a repair, or a write an interrupted deployment left half-done).
        Some(h) => {
            h.mark("source").as_deref() != Some(want.digest.as_str())
                || !unresolved_credentials(&h.raw).is_empty()
                || edited(h)
        }
    };
    json!({
        "file": file,
        "name": want.name,
        "id": held.map(|h| h.id.clone()),
        "seen": held.map(|h| h.updated_at.clone()),
        "write": write,
        "body": if write { want.body.clone() } else { Value::Null },
        "digest": want.digest,
        "active": want.active,
    })
}

/// The staged plan: every item, the workflows to delete, the record and the tags.
pub(crate) fn plan(view: &BundleView, wanted: &[(String, Desired)], manifest: &Value) -> Value {
    let items: Vec<Value> = wanted
        .iter()
        .map(|(file, want)| item(file, want, view.members.get(file)))
        .collect();
    let remove: Vec<Value> = view
        .members
        .iter()
        .filter(|(file, _)| !wanted.iter().any(|(f, _)| f == *file))
        .map(|(_, h)| json!({ "id": h.id, "name": h.name, "seen": h.updated_at, "active": h.active }))
        .collect();
    let record = view
        .record
        .as_ref()
        .map(|r| json!({ "id": r.id, "seen": r.updated_at, "marker": r.marker }));
    json!({
        "manifest": manifest,
        "items": items,
        "remove": remove,
        "record": record,
        "tags": deployment_tags(manifest),
    })
}
