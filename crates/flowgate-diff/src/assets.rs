//! Asset-level diff: added, removed, changed and renamed assets, replacements, and applying
//! a diff back.

use crate::classify::{classify, Detail};
use crate::documents::{platform_identity, Documents};
use crate::semver::Bump;
pub use crate::status::Status;
use crate::tree::{self, ApplyError, Change, Identity, Path};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The difference for one asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetDiff {
    /// The asset id (the new id for renames).
    pub id: String,
    /// Its kind (`Workflow`).
    pub kind: String,
    /// What happened.
    #[serde(flatten)]
    pub status: Status,
    /// The impact of the whole asset change.
    pub bump: Bump,
    /// Reviewer-facing details, in document order.
    pub details: Vec<Detail>,
    /// The complete change list (applying it to the old document gives the new one).
    pub changes: Vec<Change>,
}

/// How one asset took another's place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migration {
    /// Kind of both assets.
    pub kind: String,
    /// The old id.
    pub from: String,
    /// The new id.
    pub to: String,
    /// `renamed` (same content, new id) or `replaced` (references moved to the new asset).
    pub how: &'static str,
    /// How many references moved from the old asset to the new one.
    pub references_moved: usize,
}

/// The difference between two sets of assets.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Diff {
    /// The required bump: the largest of all asset bumps.
    pub bump: Bump,
    /// Assets that differ, ordered by id.
    pub assets: Vec<AssetDiff>,
    /// Renames and replacements, for migration notes.
    pub migrations: Vec<Migration>,
}

impl Diff {
    /// Whether nothing differs.
    pub fn is_empty(&self) -> bool {
        self.assets.is_empty()
    }

    /// How many assets have each status: added, removed, changed, renamed.
    pub fn counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for asset in &self.assets {
            let slot = match asset.status {
                Status::Added => 0,
                Status::Removed => 1,
                Status::Changed => 2,
                Status::Renamed { .. } => 3,
            };
            counts[slot] += 1;
        }
        counts
    }

    /// The details that require the diff's bump, with their assets: the reasons for it.
    pub fn reasons(&self) -> Vec<(&AssetDiff, &Detail)> {
        self.assets
            .iter()
            .flat_map(|asset| asset.details.iter().map(move |d| (asset, d)))
            .filter(|(_, d)| d.bump == self.bump)
            .collect()
    }
}

/// Smallest similarity (shared leaves over all leaves, id and name left out) for two assets
/// of one kind with different ids to count as one renamed asset.
const RENAME_SIMILARITY: f64 = 0.75;
/// Assets with fewer content leaves than this are renamed only when identical.
const MIN_LEAVES_FOR_SIMILARITY: usize = 3;

/// Compare two sets of assets.
pub fn diff_documents(old: &Documents, new: &Documents) -> Diff {
    let removed: Vec<&String> = old.0.keys().filter(|id| !new.0.contains_key(*id)).collect();
    let added: Vec<&String> = new.0.keys().filter(|id| !old.0.contains_key(*id)).collect();
    let renames = detect_renames(old, new, &removed, &added);
    let renamed_from: BTreeSet<&str> = renames.iter().map(|(from, _)| from.as_str()).collect();
    let renamed_to: BTreeMap<&str, &str> = renames
        .iter()
        .map(|(from, to)| (to.as_str(), from.as_str()))
        .collect();

    let mut assets = Vec::new();
    for (id, before) in &old.0 {
        if let Some(after) = new.0.get(id) {
            let changes = changes_of(before, after);
            if !changes.is_empty() {
                assets.push(asset_diff(id, Status::Changed, before, after, changes));
            }
        } else if !renamed_from.contains(id.as_str()) {
            let changes = vec![whole(Some(before.clone()), None)];
            assets.push(asset_diff(
                id,
                Status::Removed,
                before,
                &Value::Null,
                changes,
            ));
        }
    }
    for id in &added {
        let after = &new.0[*id];
        match renamed_to.get(id.as_str()) {
            Some(from) => {
                let before = &old.0[*from];
                let changes = changes_of(before, after);
                let status = Status::Renamed {
                    from: (*from).to_owned(),
                };
                assets.push(asset_diff(id, status, before, after, changes));
            }
            None => {
                let changes = vec![whole(None, Some(after.clone()))];
                assets.push(asset_diff(id, Status::Added, &Value::Null, after, changes));
            }
        }
    }
    assets.sort_by(|a, b| a.id.cmp(&b.id));

    let mut migrations: Vec<Migration> = renames
        .iter()
        .map(|(from, to)| Migration {
            kind: Documents::kind_of(&old.0[from]).to_owned(),
            from: from.clone(),
            to: to.clone(),
            how: "renamed",
            references_moved: 0,
        })
        .collect();
    for ((from, to), count) in moved_references(&assets, old, new, &removed, &added) {
        match migrations.iter_mut().find(|m| m.from == from && m.to == to) {
            Some(migration) => migration.references_moved = count,
            None if !renamed_from.contains(from.as_str()) => migrations.push(Migration {
                kind: Documents::kind_of(&old.0[&from]).to_owned(),
                from,
                to,
                how: "replaced",
                references_moved: count,
            }),
            None => {}
        }
    }
    migrations.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    Diff {
        bump: assets.iter().map(|a| a.bump).max().unwrap_or_default(),
        assets,
        migrations,
    }
}

fn whole(old: Option<Value>, new: Option<Value>) -> Change {
    Change::Set {
        path: Path::default(),
        old,
        new,
        at: None,
    }
}

/// The changes inside one asset, items identified as its kind requires.
fn changes_of(before: &Value, after: &Value) -> Vec<Change> {
    tree::diff_with(before, after, &Identity::of_kind(Documents::kind_of(after)))
}

fn asset_diff(
    id: &str,
    status: Status,
    before: &Value,
    after: &Value,
    changes: Vec<Change>,
) -> AssetDiff {
    let kind = Documents::kind_of(if after.is_null() { before } else { after }).to_owned();
    let details = classify(&kind, &status, before, after, &changes);
    AssetDiff {
        id: id.to_owned(),
        kind,
        bump: details.iter().map(|d| d.bump).max().unwrap_or(Bump::Patch),
        status,
        details,
        changes,
    }
}

/// Pair removed and added assets of one kind that are the same asset under a new id.
fn detect_renames(
    old: &Documents,
    new: &Documents,
    removed: &[&String],
    added: &[&String],
) -> Vec<(String, String)> {
    let mut candidates = Vec::new();
    for from in removed {
        let before = &old.0[*from];
        let before_leaves = content_leaves(before);
        for to in added {
            let after = &new.0[*to];
            if Documents::kind_of(before) != Documents::kind_of(after) {
                continue;
            }
            let after_leaves = content_leaves(after);
            let score = if before_leaves == after_leaves || same_platform_identity(before, after) {
                1.0
            } else if before_leaves.len().min(after_leaves.len()) < MIN_LEAVES_FOR_SIMILARITY {
                0.0
            } else {
                let shared = before_leaves.intersection(&after_leaves).count();
                2.0 * shared as f64 / (before_leaves.len() + after_leaves.len()) as f64
            };
            if score >= RENAME_SIMILARITY && (score < 1.0 || !before_leaves.is_empty()) {
                candidates.push((score, (*from).clone(), (*to).clone()));
            }
        }
    }
    // Best pairs first; each asset takes part in one rename at most.
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| (&a.1, &a.2).cmp(&(&b.1, &b.2)))
    });
    let (mut used_from, mut used_to) = (BTreeSet::new(), BTreeSet::new());
    let mut renames = Vec::new();
    for (_, from, to) in candidates {
        if used_from.contains(&from) || used_to.contains(&to) {
            continue;
        }
        used_from.insert(from.clone());
        used_to.insert(to.clone());
        renames.push((from, to));
    }
    renames
}

/// Whether two flow documents are the same workflow on the platform: a file renamed.
fn same_platform_identity(before: &Value, after: &Value) -> bool {
    platform_identity(before).is_some_and(|id| platform_identity(after) == Some(id))
        && before.get("dialect") == after.get("dialect")
}

/// `(path, scalar)` pairs of a document, without its identity (`id`, `name`).
fn content_leaves(document: &Value) -> BTreeSet<(String, String)> {
    let mut leaves = BTreeSet::new();
    if let Value::Object(map) = document {
        for (key, value) in map {
            if key != "id" && key != "name" {
                collect_leaves(key, value, &mut leaves);
            }
        }
    }
    leaves
}

fn collect_leaves(path: &str, value: &Value, out: &mut BTreeSet<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                collect_leaves(&format!("{path}.{key}"), child, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_leaves(&format!("{path}[{i}]"), child, out);
            }
        }
        scalar => {
            out.insert((path.to_owned(), scalar.to_string()));
        }
    }
}

/// References that moved from a removed asset to an added one of the same kind, counted
/// over the changed assets: evidence that the new asset replaces the old.
fn moved_references(
    assets: &[AssetDiff],
    old: &Documents,
    new: &Documents,
    removed: &[&String],
    added: &[&String],
) -> BTreeMap<(String, String), usize> {
    let removed: BTreeSet<&str> = removed.iter().map(|s| s.as_str()).collect();
    let added: BTreeSet<&str> = added.iter().map(|s| s.as_str()).collect();
    let mut moved = BTreeMap::new();
    for asset in assets.iter().filter(|a| a.status == Status::Changed) {
        for change in &asset.changes {
            let Change::Set {
                old: Some(before),
                new: Some(after),
                ..
            } = change
            else {
                continue;
            };
            let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
            collect_leaves("", before, &mut a);
            collect_leaves("", after, &mut b);
            let after_at: BTreeMap<&String, &String> = b.iter().map(|(p, v)| (p, v)).collect();
            for (path, value) in &a {
                let Some(replacement) = after_at.get(path) else {
                    continue;
                };
                let (from, to) = (unquote(value), unquote(replacement));
                if removed.contains(from)
                    && added.contains(to)
                    && Documents::kind_of(&old.0[from]) == Documents::kind_of(&new.0[to])
                {
                    *moved.entry((from.to_owned(), to.to_owned())).or_insert(0) += 1;
                }
            }
        }
    }
    moved
}

fn unquote(scalar: &str) -> &str {
    scalar
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(scalar)
}

/// Apply a diff to the documents it was computed from, giving the documents it was
/// computed to.
pub fn apply_diff(old: &Documents, diff: &Diff) -> Result<Documents, ApplyError> {
    let mut documents = old.clone();
    for asset in &diff.assets {
        match &asset.status {
            Status::Removed => {
                documents.0.remove(&asset.id);
            }
            Status::Added | Status::Changed => {
                let mut document = documents.0.remove(&asset.id).unwrap_or(Value::Null);
                tree::apply(&mut document, &asset.changes)?;
                documents.0.insert(asset.id.clone(), document);
            }
            Status::Renamed { from } => {
                let mut document = documents.0.remove(from).unwrap_or(Value::Null);
                tree::apply(&mut document, &asset.changes)?;
                documents.0.insert(asset.id.clone(), document);
            }
        }
    }
    Ok(documents)
}
