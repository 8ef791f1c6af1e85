//! A bundle's history: each stored version in order with what changed since the one before,
//! for changelogs (`flowgate changelog`) and the server's bundle page.

use crate::error::ReleaseError;
use crate::read::snapshot_documents;
use flowgate_diff::{diff_documents, Diff, Documents};
use flowgate_store::{compare_versions, SnapshotKey, Store, Timestamp};
use serde_json::Value;
use std::cmp::Ordering;

/// One stored version of a bundle.
#[derive(Debug, Clone)]
pub struct VersionChange {
    /// The version.
    pub version: String,
    /// Its release id (the version when the manifest names none).
    pub release_id: String,
    /// Who froze it.
    pub author: String,
    /// When it was frozen.
    pub created_at: Timestamp,
    /// What changed since the version before (against nothing for the first).
    pub diff: Diff,
}

/// The release id a manifest names, else the version.
pub fn release_id_of(manifest: &Value, version: &str) -> String {
    manifest
        .get("release_id")
        .and_then(Value::as_str)
        .map_or_else(|| version.to_owned(), str::to_owned)
}

/// Every version of `bundle` in version order, each with its diff from the one before; only
/// those after `since` are returned (all are read, to diff against their predecessor).
/// Empty when the bundle has no snapshot.
pub async fn bundle_history(
    store: &impl Store,
    bundle: &str,
    since: Option<&str>,
) -> Result<Vec<VersionChange>, ReleaseError> {
    let mut list = store.list_snapshots(Some(bundle)).await?;
    list.sort_by(|a, b| compare_versions(&a.version, &b.version));
    let mut previous = Documents::default();
    let mut out = Vec::new();
    for summary in &list {
        let Some(snapshot) = store.get_snapshot(SnapshotKey::Id(&summary.id)).await? else {
            continue;
        };
        let documents = snapshot_documents(store, &snapshot).await?;
        let diff = diff_documents(&previous, &documents);
        previous = documents;
        let after_since = since
            .is_none_or(|since| compare_versions(&snapshot.version, since) == Ordering::Greater);
        if after_since {
            out.push(VersionChange {
                release_id: release_id_of(&snapshot.manifest, &snapshot.version),
                version: snapshot.version,
                author: snapshot.author,
                created_at: snapshot.created_at,
                diff,
            });
        }
    }
    Ok(out)
}
