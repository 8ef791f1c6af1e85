//! What an instance holds of a bundle, with drift: workflows edited, deactivated or deleted
//! in n8n, and workflows of an unfinished deployment.

use super::view::{edited, BundleView};
use flowgate_release::Deployed;
use serde_json::{json, Value};

/// The deployment the record names, and how the instance differs from it.
pub(crate) fn deployed(view: &BundleView) -> Option<Deployed> {
    if view.is_empty() {
        return None;
    }
    let recorded = view.recorded();
    let mut drift = Vec::new();
    if view.record.is_none() {
        drift
            .push("missing: the record of the deployment (a deployment did not finish)".to_owned());
    }
    for (file, member) in &recorded {
        let Some(held) = view.members.get(file) else {
            drift.push(format!("missing: workflow of `{file}` (deleted in n8n)"));
            continue;
        };
        let name = &held.name;
        if member.get("id").and_then(Value::as_str) != Some(held.id.as_str()) {
            drift.push(format!("modified: workflow \"{name}\" (replaced in n8n)"));
        } else if edited(held) {
            drift.push(format!("modified: workflow \"{name}\" (edited in n8n)"));
        } else if held.mark("source").as_deref() != member.get("source").and_then(Value::as_str) {
            drift.push(format!(
                "modified: workflow \"{name}\" (holds another deployment)"
            ));
        }
        if let Some(active) = member.get("active").and_then(Value::as_bool) {
            if active != held.active {
                let what = if held.active {
                    "activated"
                } else {
                    "deactivated"
                };
                drift.push(format!("modified: workflow \"{name}\" ({what} in n8n)"));
            }
        }
    }
    for (file, held) in &view.members {
        if !recorded.contains_key(file) {
            drift.push(format!(
                "added: workflow \"{}\" (`{file}`, from a deployment that did not finish)",
                held.name
            ));
        }
    }
    for file in view.claimed_twice.keys() {
        drift.push(format!(
            "added: a copy of the workflow of `{file}` made in n8n"
        ));
    }
    let mut manifest = view
        .record_field("manifest")
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(fields) = manifest.as_object_mut() {
        let ids: serde_json::Map<String, Value> = recorded
            .iter()
            .map(|(file, m)| (file.clone(), m.get("id").cloned().unwrap_or(Value::Null)))
            .collect();
        fields.insert("workflows".to_owned(), json!(ids));
    }
    Some(Deployed { manifest, drift })
}
