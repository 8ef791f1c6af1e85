//! Where a system version's contracts are: `contracts/<system>/<version>/` in the workspace,
//! its database schema tree under `db_schema/` (or the version folder itself).

use flowgate_dbschema::{read_tree, ReadError, Schema};
use std::path::{Path, PathBuf};

/// The folder of `system` at `version` under `root/contracts`: the exact version, else the
/// longest version folder it starts with (`2.4.6-p4` uses `2.4.6`).
pub fn version_dir(root: &Path, system: &str, version: &str) -> Option<PathBuf> {
    let base = root.join("contracts").join(system);
    let exact = base.join(version);
    if exact.is_dir() {
        return Some(exact);
    }
    let mut best: Option<(usize, PathBuf)> = None;
    for entry in std::fs::read_dir(&base).ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let prefix =
            version.starts_with(&name) && version[name.len()..].starts_with(['-', '.', '+']);
        if prefix && entry.path().is_dir() && best.as_ref().is_none_or(|(n, _)| name.len() > *n) {
            best = Some((name.len(), entry.path()));
        }
    }
    best.map(|(_, path)| path)
}

/// What is known of one version of a system.
#[derive(Debug)]
pub struct Contracts {
    /// The version.
    pub version: String,
    /// The folder read.
    pub dir: PathBuf,
    /// Its database schema, when the folder has one.
    pub schema: Option<Schema>,
}

impl Contracts {
    /// Reads the contracts of `system` at `version`; `Ok(None)` when the workspace has no
    /// folder for that version.
    pub fn read(root: &Path, system: &str, version: &str) -> Result<Option<Self>, ReadError> {
        let Some(dir) = version_dir(root, system, version) else {
            return Ok(None);
        };
        let tree = dir.join("db_schema");
        let schema = if tree.is_dir() {
            Some(read_tree(&tree)?)
        } else {
            None
        };
        Ok(Some(Self {
            version: version.to_owned(),
            dir,
            schema,
        }))
    }
}
