//! Deploy targets: where an applied bundle's rendered files go.
//!
//! A deployment happens in two steps so that the environment pointer in the store decides
//! who won: [`DeployTarget::stage`] writes everything where nobody reads it yet, the caller
//! moves the pointer by compare-and-swap, and only the winner calls
//! [`DeployTarget::activate`]; a loser calls [`DeployTarget::discard`].

use crate::render::Rendered;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A deploy target that could not be written or read.
#[derive(Debug, thiserror::Error)]
#[error("deploy target {path}: {message}")]
pub struct TargetError {
    /// The path involved.
    pub path: String,
    /// What went wrong and what to do.
    pub message: String,
}

/// A rendering written but not yet visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// The bundle.
    pub bundle: String,
    /// Where the files are.
    pub location: PathBuf,
}

/// What a target holds for a bundle, and how it differs from what was deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    /// The manifest written with the files.
    pub manifest: Value,
    /// Files changed, removed or added outside flowgate (`modified: path`, …).
    pub drift: Vec<String>,
}

/// A place rendered bundles are deployed to.
pub trait DeployTarget {
    /// How the target reads in messages.
    fn describe(&self) -> String;
    /// Writes the rendering where nobody reads it yet.
    fn stage(
        &self,
        bundle: &str,
        rendered: &Rendered,
        manifest: &Value,
    ) -> Result<Staged, TargetError>;
    /// Makes a staged rendering the live one, in one atomic step.
    fn activate(&self, staged: &Staged) -> Result<(), TargetError>;
    /// Removes a staged rendering that lost.
    fn discard(&self, staged: &Staged);
    /// What is live for `bundle`, with drift.
    fn inspect(&self, bundle: &str) -> Result<Option<Deployed>, TargetError>;
}

/// Writes each bundle's files under `<root>/.releases/<bundle>/<release>/` and points the
/// symbolic link `<root>/<bundle>` at the live one; the link is replaced by a rename, which
/// is atomic, so a reader sees the old files or the new ones, never a mix.
#[derive(Debug, Clone)]
pub struct DirectoryTarget {
    root: PathBuf,
}

/// The manifest file written beside the rendered files.
pub const MANIFEST_FILE: &str = "flowgate-manifest.json";

/// How many earlier releases are kept beside the live one (for a fast look back).
const KEEP: usize = 3;

impl DirectoryTarget {
    /// A target rooted at `root` (created on the first deployment).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn err(&self, path: &Path, message: impl std::fmt::Display) -> TargetError {
        TargetError {
            path: path.display().to_string(),
            message: message.to_string(),
        }
    }

    fn releases(&self, bundle: &str) -> PathBuf {
        self.root.join(".releases").join(bundle)
    }

    fn live(&self, bundle: &str) -> PathBuf {
        self.root.join(bundle)
    }

    fn prune(&self, bundle: &str, keep: &Path) {
        let Ok(entries) = std::fs::read_dir(self.releases(bundle)) else {
            return;
        };
        let mut old: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p != keep)
            .filter_map(|p| {
                let modified = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
                Some((modified, p))
            })
            .collect();
        old.sort();
        let excess = old.len().saturating_sub(KEEP);
        for (_, path) in old.into_iter().take(excess) {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}-{nanos}", std::process::id())
}

impl DeployTarget for DirectoryTarget {
    fn describe(&self) -> String {
        format!("directory {}", self.root.display())
    }

    fn stage(
        &self,
        bundle: &str,
        rendered: &Rendered,
        manifest: &Value,
    ) -> Result<Staged, TargetError> {
        let releases = self.releases(bundle);
        std::fs::create_dir_all(&releases).map_err(|e| self.err(&releases, e))?;
        let location = releases.join(format!(".staging-{}", unique_suffix()));
        // A file the live release already holds with the same content is hard-linked, not
        // written again: staging costs grow with the change, not with the bundle.
        let live = self.live(bundle);
        let live_hashes = live_file_hashes(&live);
        let mut made_dirs = std::collections::HashSet::new();
        let mut ensure_parent = |path: &Path| -> Result<(), TargetError> {
            if let Some(parent) = path.parent() {
                if made_dirs.insert(parent.to_path_buf()) {
                    std::fs::create_dir_all(parent).map_err(|e| self.err(parent, e))?;
                }
            }
            Ok(())
        };
        let hashes = rendered.file_hashes();
        let result = (|| {
            for (relative, bytes) in &rendered.files {
                let path = location.join(relative);
                ensure_parent(&path)?;
                if live_hashes.get(relative) == hashes.get(relative)
                    && link_if_same(&live.join(relative), &path, bytes)
                {
                    continue;
                }
                std::fs::write(&path, bytes).map_err(|e| self.err(&path, e))?;
            }
            let mut full = manifest.clone();
            full["files"] = json!(hashes);
            let mut text = serde_json::to_vec_pretty(&full).unwrap_or_default();
            text.push(b'\n');
            let path = location.join(MANIFEST_FILE);
            ensure_parent(&path)?;
            std::fs::write(&path, &text).map_err(|e| self.err(&path, e))
        })();
        let staged = Staged {
            bundle: bundle.to_owned(),
            location,
        };
        if let Err(e) = result {
            self.discard(&staged);
            return Err(e);
        }
        Ok(staged)
    }

    fn activate(&self, staged: &Staged) -> Result<(), TargetError> {
        let releases = self.releases(&staged.bundle);
        let name = format!("release-{}", unique_suffix());
        let release = releases.join(&name);
        std::fs::rename(&staged.location, &release).map_err(|e| self.err(&release, e))?;
        let live = self.live(&staged.bundle);
        if let Ok(meta) = std::fs::symlink_metadata(&live) {
            if !meta.file_type().is_symlink() {
                return Err(self.err(
                    &live,
                    "exists and is not a link made by flowgate; move it away so that flowgate \
                     can manage this bundle's directory",
                ));
            }
        }
        let link = self
            .root
            .join(format!(".{}.link-{}", staged.bundle, unique_suffix()));
        let relative = Path::new(".releases").join(&staged.bundle).join(&name);
        make_link(&relative, &link).map_err(|e| self.err(&link, e))?;
        std::fs::rename(&link, &live).map_err(|e| {
            let _ = std::fs::remove_file(&link);
            self.err(&live, e)
        })?;
        self.prune(&staged.bundle, &release);
        Ok(())
    }

    fn discard(&self, staged: &Staged) {
        let _ = std::fs::remove_dir_all(&staged.location);
    }

    fn inspect(&self, bundle: &str) -> Result<Option<Deployed>, TargetError> {
        let live = self.live(bundle);
        if std::fs::symlink_metadata(&live).is_err() {
            return Ok(None);
        }
        let manifest_path = live.join(MANIFEST_FILE);
        let text = match std::fs::read(&manifest_path) {
            Ok(text) => text,
            Err(_) => {
                return Ok(Some(Deployed {
                    manifest: Value::Null,
                    drift: vec![format!("missing: {MANIFEST_FILE}")],
                }))
            }
        };
        let manifest: Value = serde_json::from_slice(&text).map_err(|e| {
            self.err(
                &manifest_path,
                format!("is not the JSON flowgate wrote ({e}); re-apply the environment"),
            )
        })?;
        let expected: BTreeMap<String, String> = manifest
            .get("files")
            .and_then(|f| serde_json::from_value(f.clone()).ok())
            .unwrap_or_default();
        let mut found = BTreeMap::new();
        collect_files(&live, &live, &mut found);
        found.remove(MANIFEST_FILE);
        let mut drift = Vec::new();
        for (path, hash) in &expected {
            match found.get(path) {
                None => drift.push(format!("missing: {path}")),
                Some(actual) if actual != hash => drift.push(format!("modified: {path}")),
                Some(_) => {}
            }
        }
        for path in found.keys().filter(|p| !expected.contains_key(*p)) {
            drift.push(format!("added: {path}"));
        }
        Ok(Some(Deployed { manifest, drift }))
    }
}

/// The file hashes the live release's manifest records (empty when there is none).
fn live_file_hashes(live: &Path) -> BTreeMap<String, String> {
    std::fs::read(live.join(MANIFEST_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .and_then(|m| m.get("files").cloned())
        .and_then(|files| serde_json::from_value(files).ok())
        .unwrap_or_default()
}

/// Hard-links `from` to `to` when `from` really holds `bytes` (a drifted live file is never
/// carried over); false when it does not or the link fails.
fn link_if_same(from: &Path, to: &Path, bytes: &[u8]) -> bool {
    match std::fs::read(from) {
        Ok(actual) if actual == bytes => std::fs::hard_link(from, to).is_ok(),
        _ => false,
    }
}

fn collect_files(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            collect_files(base, &path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            let relative = path
                .strip_prefix(base)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            out.insert(relative, blake3::hash(&bytes).to_hex().to_string());
        }
    }
}

#[cfg(unix)]
fn make_link(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn make_link(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "directory targets need symbolic links (Linux or macOS)",
    ))
}
