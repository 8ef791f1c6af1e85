//! A bundle's workflows in one instance, found by their markers (never by name).

use super::marker::Held;
use super::normalise::{digest, normalised};
use serde_json::Value;
use std::collections::BTreeMap;

/// What an instance holds of one bundle in one environment.
#[derive(Debug, Default)]
pub(crate) struct BundleView {
    /// Workflows by rendered file.
    pub members: BTreeMap<String, Held>,
    /// Files that more than one workflow claims (a copy made in n8n): their workflows.
    pub claimed_twice: BTreeMap<String, Vec<Held>>,
    /// The record workflow.
    pub record: Option<Held>,
}

impl BundleView {
    /// The bundle's workflows among `all`.
    pub fn of(all: Vec<Held>, environment: &str, bundle: &str) -> Self {
        let mut view = Self::default();
        let mut records = Vec::new();
        for held in all {
            if held.is("record", environment, bundle) {
                records.push(held);
                continue;
            }
            if !held.is("workflow", environment, bundle) {
                continue;
            }
            let Some(file) = held.mark("file") else {
                continue;
            };
            if let Some(first) = view.members.remove(&file) {
                view.claimed_twice
                    .entry(file.clone())
                    .or_default()
                    .push(first);
            }
            match view.claimed_twice.get_mut(&file) {
                Some(list) => list.push(held),
                None => {
                    view.members.insert(file, held);
                }
            }
        }
        // Of several records (a copy made in n8n), the oldest is the record.
        records.sort_by_key(created);
        view.record = records.into_iter().next();
        view
    }

    /// Whether the instance holds anything of the bundle.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.claimed_twice.is_empty() && self.record.is_none()
    }

    /// The record's marker field `key`.
    pub fn record_field(&self, key: &str) -> Option<&Value> {
        self.record.as_ref()?.marker.as_ref()?.get(key)
    }

    /// The record's members: file → `{id, source, active}`.
    pub fn recorded(&self) -> BTreeMap<String, Value> {
        self.record_field("members")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }
}

fn created(held: &Held) -> String {
    super::client::text(&held.raw, "createdAt").unwrap_or_default()
}

/// Whether a workflow was changed in n8n since flowgate wrote it: its normalised content is
/// not what its marker says flowgate left there.
pub(crate) fn edited(held: &Held) -> bool {
    held.mark("content").as_deref() != Some(digest(&normalised(&held.raw)).as_str())
}
