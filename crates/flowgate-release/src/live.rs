//! What a deploy target runs now against what its environment holds: the files a platform
//! serves, compared with the held snapshot rendered for that environment, change by change.
//! Edits made in a platform's own editor show up here, to be adopted or undone.

use crate::error::ReleaseError;
use crate::promote::Promotions;
use crate::refusal::Refusal;
use crate::render::platform_sources;
use crate::render::render;
use flowgate_diff::tree::{diff_with, Change, Identity};
use flowgate_store::{Snapshot, SnapshotId, Store};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// How one file differs on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LiveStatus {
    /// On the platform only.
    Added,
    /// Rendered, but not on the platform.
    Removed,
    /// On both, with other content.
    Modified,
}

/// One file that differs between the held rendering and the platform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveFile {
    /// The rendered path (`platform/node-red/orders.json`).
    pub path: String,
    /// How it differs.
    pub status: LiveStatus,
    /// For JSON on both sides: every change from the held rendering to the platform's.
    pub changes: Vec<Change>,
    /// The workspace file the held version was frozen from (platform files only).
    pub source: Option<String>,
}

/// What a platform runs of a bundle, against what the environment holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveReport {
    /// The environment.
    pub env: String,
    /// The bundle.
    pub bundle: String,
    /// The version the environment holds.
    pub version: String,
    /// Its snapshot.
    pub snapshot: SnapshotId,
    /// The target, as it reads in messages.
    pub target: String,
    /// The snapshot the platform says flowgate last deployed there (from its manifest).
    pub deployed_snapshot: Option<String>,
    /// Whether the platform holds nothing of the bundle.
    pub empty: bool,
    /// Files that differ, by path.
    pub files: Vec<LiveFile>,
}

impl LiveReport {
    /// Whether the platform runs exactly what the environment holds.
    pub fn in_sync(&self) -> bool {
        !self.empty && self.files.is_empty()
    }
}

impl<S: Store> Promotions<'_, S> {
    /// Reads what the target of `env` runs of `bundle` and compares it, file by file and
    /// change by change, with the held snapshot rendered for `env`.
    pub async fn live(&self, env_name: &str, bundle: &str) -> Result<LiveReport, ReleaseError> {
        let env = self.env(env_name)?;
        let Some(target) = self.target(env)? else {
            return Err(ReleaseError::Refused(Refusal::NoTarget {
                env: env_name.to_owned(),
            }));
        };
        let Some(held) = self.current(env_name, bundle).await? else {
            return Err(ReleaseError::Refused(Refusal::NothingToSync {
                env: env_name.to_owned(),
                bundle: bundle.to_owned(),
            }));
        };
        let objects = self.objects(&held).await?;
        let rendered = render(&held, &objects, env)?;
        let pulled = target.pull(bundle)?;
        let deployed_snapshot = pulled
            .as_ref()
            .and_then(|p| p.manifest.get("snapshot"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let empty = pulled.is_none();
        let live = pulled.map(|p| p.files).unwrap_or_default();
        let expected: BTreeMap<&String, &[u8]> = rendered
            .files
            .iter()
            .filter(|(path, _)| target.carries(path))
            .map(|(path, bytes)| (path, bytes.as_ref()))
            .collect();
        Ok(LiveReport {
            env: env_name.to_owned(),
            bundle: bundle.to_owned(),
            version: held.version.clone(),
            snapshot: held.id,
            target: target.describe(),
            deployed_snapshot,
            empty,
            files: with_sources(compare(&expected, &live), &held),
        })
    }
}

/// `files` with the workspace file each platform file was frozen from.
fn with_sources(mut files: Vec<LiveFile>, held: &Snapshot) -> Vec<LiveFile> {
    let sources = platform_sources(held);
    for file in &mut files {
        file.source = sources.get(&file.path).cloned();
    }
    files
}

/// Every file that differs between the expected rendering and the live files.
fn compare(expected: &BTreeMap<&String, &[u8]>, live: &BTreeMap<String, Vec<u8>>) -> Vec<LiveFile> {
    let mut files = Vec::new();
    for (path, want) in expected {
        match live.get(*path) {
            None => files.push(LiveFile {
                path: (*path).clone(),
                status: LiveStatus::Removed,
                changes: Vec::new(),
                source: None,
            }),
            Some(have) if have.as_slice() == *want => {}
            Some(have) => {
                let changes = json_changes(path, want, have);
                // Equal JSON written differently is not a change.
                if changes.as_ref().is_some_and(Vec::is_empty) {
                    continue;
                }
                files.push(LiveFile {
                    path: (*path).clone(),
                    status: LiveStatus::Modified,
                    changes: changes.unwrap_or_default(),
                    source: None,
                });
            }
        }
    }
    for path in live.keys().filter(|p| !expected.contains_key(p)) {
        files.push(LiveFile {
            path: path.clone(),
            status: LiveStatus::Added,
            changes: Vec::new(),
            source: None,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The changes from `old` to `new` when both are JSON (platform flows matched by element
/// id, native assets by step id); `None` when either is not JSON.
fn json_changes(path: &str, old: &[u8], new: &[u8]) -> Option<Vec<Change>> {
    let old: Value = serde_json::from_slice(old).ok()?;
    let new: Value = serde_json::from_slice(new).ok()?;
    let identity = if path.starts_with("platform/") {
        Identity::FLOW
    } else {
        Identity::NATIVE
    };
    Some(diff_with(&old, &new, &identity))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn map(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn edits_removals_and_additions_are_named_by_file_and_change() {
        let want = map(&[
            (
                "platform/node-red/a.json",
                r#"[{"id":"n1","url":"http://a"}]"#,
            ),
            ("assets/webhook/h.json", "{}"),
            ("same.json", r#"{"a": 1}"#),
        ]);
        let have = map(&[
            (
                "platform/node-red/a.json",
                r#"[{"id":"n1","url":"http://b"}]"#,
            ),
            ("same.json", "{\n  \"a\": 1\n}"),
            ("extra.txt", "x"),
        ]);
        let expected = want.iter().map(|(p, b)| (p, b.as_slice())).collect();
        let files = compare(&expected, &have);
        let summary: Vec<(&str, LiveStatus, usize)> = files
            .iter()
            .map(|f| (f.path.as_str(), f.status, f.changes.len()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("assets/webhook/h.json", LiveStatus::Removed, 0),
                ("extra.txt", LiveStatus::Added, 0),
                ("platform/node-red/a.json", LiveStatus::Modified, 1),
            ]
        );
        assert_eq!(files[2].changes[0].path().to_string(), "[n1].url");
    }
}
