//! Holding a new version against what changed since the previous snapshot.

use crate::error::{ChangeReason, ReleaseError, VersionTooSmall};
use crate::freeze::Frozen;
use crate::read::snapshot_documents;
use flowgate_diff::{diff_documents, Bump, Diff, Documents};
use flowgate_store::{compare_versions, SnapshotComparison, SnapshotKey, SnapshotSummary, Store};
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
/// `None` before the bundle's first snapshot. Only the entries that differ are read from the
/// store (by comparing its tree with the frozen entries' tree), and only their documents, so
/// the cost grows with the change, not with the bundle.
pub async fn changes_since_latest(
    store: &impl Store,
    frozen: &Frozen,
) -> Result<Option<(SnapshotSummary, Diff)>, ReleaseError> {
    let Some(previous) = previous_snapshot(store, &frozen.bundle).await? else {
        return Ok(None);
    };
    let comparison = store
        .compare_snapshot(SnapshotKey::Id(&previous.id), &frozen.entries)
        .await?
        .ok_or_else(|| ReleaseError::Unreadable {
            snapshot: previous.id.short(),
            reason: "listed but not found".to_owned(),
        })?;
    let changed = changed_ids(&comparison, frozen);
    let mut partial = comparison.snapshot;
    // An asset whose dialect alone changed is in both entry sets alike: its stored entry is
    // the frozen one.
    let mut old_entries = std::mem::take(&mut partial.entries);
    let taken: BTreeSet<String> = old_entries.iter().map(|e| e.id.clone()).collect();
    let added: BTreeSet<&str> = comparison.added.iter().map(|e| e.id.as_str()).collect();
    old_entries.extend(
        frozen
            .entries
            .iter()
            .filter(|e| changed.contains(&e.id) && !taken.contains(&e.id))
            .filter(|e| !added.contains(e.id.as_str()))
            .cloned(),
    );
    old_entries.sort();
    partial.entries = old_entries;
    let old = snapshot_documents(store, &partial).await?;
    let new = Documents(
        changed
            .iter()
            .filter_map(|id| frozen.documents.0.get_key_value(id))
            .map(|(id, doc)| (id.clone(), doc.clone()))
            .collect(),
    );
    Ok(Some((previous, diff_documents(&old, &new))))
}

/// The assets whose document may differ between the stored snapshot and `frozen`: a different
/// object or path, present on one side only (the comparison's entries), or a different
/// platform dialect. An asset with the same object and dialect has the same document, and
/// the diff compares assets one by one, so reading only these gives the whole diff at a cost
/// that grows with the change.
fn changed_ids(comparison: &SnapshotComparison, frozen: &Frozen) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = comparison
        .snapshot
        .entries
        .iter()
        .chain(&comparison.added)
        .map(|e| e.id.clone())
        .collect();
    let dialects = |flows: Option<&Value>| -> BTreeMap<String, Value> {
        flows
            .and_then(Value::as_object)
            .map(|flows| flows.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let old = dialects(comparison.snapshot.manifest.get("platform_flows"));
    let new = dialects(frozen.manifest.get("platform_flows"));
    ids.extend(
        old.keys()
            .chain(new.keys())
            .filter(|id| old.get(*id) != new.get(*id))
            .cloned(),
    );
    ids
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
