//! Where a system version's contracts are: `contracts/<system>/<version>/` in the workspace,
//! its database schema tree under `db_schema/`, its API contracts (Swagger 2.0 or OpenAPI 3,
//! YAML or JSON) the `.yaml`, `.yml` and `.json` files directly in the folder.

use flowgate_contract::{Document, Failure};
use flowgate_dbschema::{read_tree, ReadError, Schema};
use std::path::{Path, PathBuf};

/// Why a version's contracts cannot be read.
#[derive(Debug)]
pub enum ContractsError {
    /// A `db_schema.xml` is broken.
    Schema(ReadError),
    /// An API contract is unreadable or no Swagger/OpenAPI document (located diagnostics).
    Api(Failure),
}

impl From<ReadError> for ContractsError {
    fn from(error: ReadError) -> Self {
        Self::Schema(error)
    }
}

/// The API contract files directly in `dir`, by name.
fn api_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            path.is_file() && ["yaml", "yml", "json"].contains(&ext.to_ascii_lowercase().as_str())
        })
        .collect();
    files.sort();
    files
}

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
    /// Its API contracts, by file name.
    pub apis: Vec<Document>,
}

impl Contracts {
    /// Reads the contracts of `system` at `version`; `Ok(None)` when the workspace has no
    /// folder for that version. API contracts are shown by their path from `root`.
    pub fn read(root: &Path, system: &str, version: &str) -> Result<Option<Self>, ContractsError> {
        let Some(dir) = version_dir(root, system, version) else {
            return Ok(None);
        };
        let tree = dir.join("db_schema");
        let schema = if tree.is_dir() {
            Some(read_tree(&tree)?)
        } else {
            None
        };
        let mut apis = Vec::new();
        for path in api_files(&dir) {
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            apis.push(flowgate_contract::read(&path, &shown).map_err(ContractsError::Api)?);
        }
        Ok(Some(Self {
            version: version.to_owned(),
            dir,
            schema,
            apis,
        }))
    }
}
