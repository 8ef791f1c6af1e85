//! Holding a new version against what changed since the previous snapshot.

use crate::error::{ChangeReason, ReleaseError, VersionTooSmall};
use crate::freeze::Frozen;
use crate::read::snapshot_documents;
use flowgate_diff::{diff_documents, Bump, Diff, Documents};
use flowgate_store::{compare_versions, Snapshot, SnapshotKey, SnapshotSummary, Store};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Whether a proposed version fits the changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionVerdict {
    /// The first release of the bundle: any version will do.
    First,
    /// The version moves at least as far as the changes require.
    Fits {
        /// The bump the changes require.
        required: Bump,
    },
}

/// The latest snapshot of `bundle` by version, if any.
pub async fn previous_snapshot(
    store: &impl Store,
    bundle: &str,
) -> Result<Option<SnapshotSummary>, ReleaseError> {
    let mut snapshots = store.list_snapshots(Some(bundle)).await?;
    snapshots.sort_by(|a, b| compare_versions(&a.version, &b.version));
    Ok(snapshots.pop())
}

/// The latest snapshot of a frozen bundle, and the diff from it to the frozen assets;
/// `None` before the bundle's first snapshot.
pub async fn changes_since_latest(
    store: &impl Store,
    frozen: &Frozen,
) -> Result<Option<(SnapshotSummary, Diff)>, ReleaseError> {
    let Some(previous) = previous_snapshot(store, &frozen.bundle).await? else {
        return Ok(None);
    };
    let snapshot = store
        .get_snapshot(SnapshotKey::Id(&previous.id))
        .await?
        .ok_or_else(|| ReleaseError::Unreadable {
            snapshot: previous.id.short(),
            reason: "listed but not found".to_owned(),
        })?;
    let changed = changed_ids(&snapshot, frozen);
    let mut partial = snapshot;
    partial.entries.retain(|e| changed.contains(&e.id));
    let old = snapshot_documents(store, &partial).await?;
    let new = Documents(
        frozen
            .documents
            .0
            .iter()
            .filter(|(id, _)| changed.contains(*id))
            .map(|(id, doc)| (id.clone(), doc.clone()))
            .collect(),
    );
    Ok(Some((previous, diff_documents(&old, &new))))
}

/// The assets whose document may differ between `old` and `frozen`: a different object, a
/// different platform dialect, or present on one side only. An asset with the same object
/// and dialect has the same document, and the diff compares assets one by one, so reading
/// only these gives the whole diff at a cost that grows with the change.
fn changed_ids(old: &Snapshot, frozen: &Frozen) -> BTreeSet<String> {
    let objects =
        |entries: &[flowgate_store::Entry]| -> BTreeMap<String, flowgate_store::ObjectId> {
            entries.iter().map(|e| (e.id.clone(), e.object)).collect()
        };
    let (before, after) = (objects(&old.entries), objects(&frozen.entries));
    let old_dialects = old.manifest.get("platform_flows");
    let new_dialects = frozen.manifest.get("platform_flows");
    let dialect = |dialects: Option<&Value>, id: &str| dialects.and_then(|d| d.get(id)).cloned();
    let mut ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    ids.extend(frozen.documents.0.keys());
    ids.into_iter()
        .filter(|id| {
            before.get(*id) != after.get(*id)
                || !after.contains_key(*id)
                || dialect(old_dialects, id) != dialect(new_dialects, id)
        })
        .cloned()
        .collect()
}

/// Check `version` against the previous version and the diff from it. A version that is
/// not greater than the previous, or moves less than the diff requires, is refused with the
/// reasons, unless `allow` carries a reason to accept it anyway.
pub fn check_version(
    version: &str,
    previous: Option<&str>,
    diff: Option<&Diff>,
    allow: Option<&str>,
) -> Result<VersionVerdict, ReleaseError> {
    let next = semver::Version::parse(version)
        .map_err(|_| ReleaseError::BadVersion(version.to_owned()))?;
    let (Some(previous), Some(diff)) = (previous, diff) else {
        return Ok(VersionVerdict::First);
    };
    let before = semver::Version::parse(previous.trim_start_matches('v'))
        .map_err(|_| ReleaseError::BadVersion(previous.to_owned()))?;
    let required = diff.bump;
    let given = Bump::between(&before, &next);
    let fits = match given {
        Some(given) => given >= required,
        None => false,
    };
    if fits || allow.is_some_and(|reason| !reason.trim().is_empty()) {
        return Ok(VersionVerdict::Fits { required });
    }
    let suggestion = required.max(Bump::Patch).apply(&before);
    let reasons = diff
        .reasons()
        .iter()
        .take(8)
        .map(|(asset, detail)| ChangeReason {
            kind: asset.kind.clone(),
            id: asset.id.clone(),
            detail: detail.text.clone(),
        })
        .collect();
    Err(ReleaseError::VersionTooSmall(Box::new(VersionTooSmall {
        version: next,
        previous: before,
        given,
        required,
        suggestion,
        reasons,
    })))
}
