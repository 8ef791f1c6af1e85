//! Deploy targets: where an applied bundle's rendered files go.
//!
//! A deployment happens in two steps so that the environment pointer in the store decides
//! who won: [`DeployTarget::stage`] writes everything where nobody reads it yet, the caller
//! moves the pointer by compare-and-swap, and only the winner calls
//! [`DeployTarget::activate`]; a loser calls [`DeployTarget::discard`].

use crate::paths::{safe_bundle, safe_part, safe_relative};
use crate::policy::{Environment, TargetSpec};
use crate::render::Rendered;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a deploy target failed; the CLI maps a [`TargetFailure::Conflict`] to exit 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetFailure {
    /// The target could not be written or read, or refused what was sent.
    Failed,
    /// The platform did not answer.
    Unreachable,
    /// The platform refused the credential (401/403) or none was given.
    Denied,
    /// The platform changed since it was read (an edit in its own editor, another deploy).
    Conflict,
}

/// A deploy target that could not be written or read.
#[derive(Debug, thiserror::Error)]
#[error("deploy target {path}: {message}")]
pub struct TargetError {
    /// The path or URL involved.
    pub path: String,
    /// What went wrong and what to do.
    pub message: String,
    /// What kind of failure it is.
    pub failure: TargetFailure,
}

impl TargetError {
    /// A failure of kind [`TargetFailure::Failed`].
    pub fn failed(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::of(TargetFailure::Failed, path, message)
    }

    /// A failure of the given kind.
    pub fn of(failure: TargetFailure, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            failure,
        }
    }
}

/// A rendering prepared but not yet live.
#[derive(Debug, Clone, PartialEq)]
pub struct Staged {
    /// The bundle.
    pub bundle: String,
    /// Where it waits (a directory for directory targets; empty for platforms).
    pub location: String,
    /// What the target needs to make it live (for platforms: the revision read and the
    /// document to send).
    pub state: Value,
}

/// What a target holds for a bundle, and how it differs from what was deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    /// The manifest written with the files.
    pub manifest: Value,
    /// Files changed, removed or added outside flowgate (`modified: path`, …).
    pub drift: Vec<String>,
}

/// What a platform runs now for a bundle, laid out like a rendering so that it can be
/// diffed against one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    /// The manifest of the last deployment flowgate made there.
    pub manifest: Value,
    /// The files as the platform holds them, by rendered path.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A place rendered bundles are deployed to.
pub trait DeployTarget: Send + Sync {
    /// How the target reads in messages.
    fn describe(&self) -> String;
    /// Whether every machine sees the same target (a platform at a URL), so that where
    /// a deploy ran does not matter; false for a directory on one machine.
    fn shared(&self) -> bool {
        false
    }
    /// Whether the rendered file at `path` is deployed to this target (a platform takes
    /// only its own flows; a directory or HTTP receiver takes every file).
    fn carries(&self, path: &str) -> bool {
        let _ = path;
        true
    }
    /// Prepares the rendering where nobody reads it yet; a platform edited outside flowgate
    /// since its last deployment is a [`TargetFailure::Conflict`].
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
    /// What the platform runs now for `bundle`, as files.
    fn pull(&self, bundle: &str) -> Result<Option<Pulled>, TargetError>;
}

/// Opens the deploy target of an environment. The release crate knows directories; a
/// front end passes one that knows platforms too.
pub trait Targets: Send + Sync {
    /// The target of `env`, if it has one.
    fn open(&self, env: &Environment) -> Result<Option<Box<dyn DeployTarget>>, TargetError>;
}

/// Opens directory targets only; any other kind is an error that says so.
#[derive(Debug, Clone, Copy, Default)]
pub struct DirectoryTargets;

impl Targets for DirectoryTargets {
    fn open(&self, env: &Environment) -> Result<Option<Box<dyn DeployTarget>>, TargetError> {
        match &env.target {
            None => Ok(None),
            Some(TargetSpec::Directory(path)) => Ok(Some(Box::new(DirectoryTarget::new(path)))),
            Some(other) => Err(TargetError::failed(
                other.describe(),
                format!(
                    "the environment {} deploys to a platform this program cannot reach; run \
                     the `flowgate` command, which can",
                    env.name
                ),
            )),
        }
    }
}

impl TargetSpec {
    /// How the target reads in messages (never with a credential).
    pub fn describe(&self) -> String {
        match self {
            Self::Directory(path) => format!("directory {}", path.display()),
            Self::NodeRed { url, .. } => format!("Node-RED {url}"),
            Self::N8n { url, .. } => format!("n8n {url}"),
            Self::Http { url, .. } => format!("HTTP {url}"),
        }
    }
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
        TargetError::failed(path.display().to_string(), message.to_string())
    }

    /// Refuses a bundle name that is not a plain id, before anything is created for it.
    fn check_bundle<'b>(&self, bundle: &'b str) -> Result<&'b str, TargetError> {
        safe_bundle(bundle).map_err(|e| {
            self.err(
                &self.root,
                format!(
                    "refuses the bundle name {e}; nothing was written. Bundle names are ids, \
                     such as lead-intake"
                ),
            )
        })
    }

    /// `relative` inside `dir`, or an error naming the path when it would lie outside.
    fn inside(&self, dir: &Path, relative: &str) -> Result<PathBuf, TargetError> {
        safe_relative(relative)
            .map(|safe| dir.join(safe))
            .map_err(|e| {
                self.err(
                    dir,
                    format!(
                        "refuses to write the file {e}: it would not lie inside the release; \
                     nothing was made live. Render the snapshot again with this flowgate"
                    ),
                )
            })
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
                let modified = std::fs::symlink_metadata(&p)
                    .and_then(|m| m.modified())
                    .ok()?;
                Some((modified, p))
            })
            .collect();
        old.sort();
        let excess = old.len().saturating_sub(KEEP);
        for (_, path) in old.into_iter().take(excess) {
            let _ = std::fs::remove_dir_all(path);
        }
    }

    /// Writes every rendered file and the manifest under `location`.
    fn write_release(
        &self,
        bundle: &str,
        location: &Path,
        rendered: &Rendered,
        manifest: &Value,
    ) -> Result<(), TargetError> {
        // A file the live release already holds with the same content is hard-linked, not
        // written again: staging costs grow with the change, not with the bundle.
        let live = self.live_release(bundle).ok();
        let live_hashes = live.as_deref().map(live_file_hashes).unwrap_or_default();
        let mut made_dirs = std::collections::HashSet::new();
        let mut ensure_parent = |path: &Path| -> Result<(), TargetError> {
            if let Some(parent) = path.parent() {
                if made_dirs.insert(parent.to_path_buf()) {
                    make_dirs(parent).map_err(|e| self.err(parent, e))?;
                }
            }
            Ok(())
        };
        let hashes = rendered.file_hashes();
        for (relative, bytes) in &rendered.files {
            let path = self.inside(location, relative)?;
            ensure_parent(&path)?;
            let same = live_hashes.get(relative) == hashes.get(relative);
            if let (true, Some(live)) = (same, &live) {
                if link_if_same(&self.inside(live, relative)?, &path, bytes) {
                    continue;
                }
            }
            write_private(&path, bytes).map_err(|e| self.err(&path, e))?;
        }
        let mut full = manifest.clone();
        full["files"] = json!(hashes);
        let mut text = serde_json::to_vec_pretty(&full).unwrap_or_default();
        text.push(b'\n');
        let path = location.join(MANIFEST_FILE);
        ensure_parent(&path)?;
        write_private(&path, &text).map_err(|e| self.err(&path, e))
    }

    /// Where the live link of `bundle` points, when that is a release directory flowgate
    /// made (`.releases/<bundle>/<name>`, a real directory); else why not.
    fn live_release(&self, bundle: &str) -> Result<PathBuf, String> {
        let target = std::fs::read_link(self.live(bundle))
            .map_err(|_| format!("{bundle} is not a symbolic link made by flowgate"))?;
        let expected = Path::new(".releases").join(bundle);
        let name = target
            .strip_prefix(&expected)
            .ok()
            .and_then(|rest| rest.to_str())
            .and_then(|rest| safe_part(rest).ok());
        let Some(name) = name else {
            return Err(format!(
                "{bundle} points at {}, not at a release flowgate made",
                target.display()
            ));
        };
        let release = self.releases(bundle).join(name);
        match std::fs::symlink_metadata(&release) {
            Ok(meta) if meta.is_dir() => Ok(release),
            _ => Err(format!(
                "{bundle} points at {}, which is not a release directory",
                target.display()
            )),
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
        let bundle = self.check_bundle(bundle)?;
        // Every path is checked before the first directory is made.
        for relative in rendered.files.keys() {
            self.inside(&self.root, relative)?;
        }
        let releases = self.releases(bundle);
        make_dirs(&releases).map_err(|e| self.err(&releases, e))?;
        let location = releases.join(format!(".staging-{}", unique_suffix()));
        make_dirs(&location).map_err(|e| self.err(&location, e))?;
        let staged = Staged {
            bundle: bundle.to_owned(),
            location: location.to_string_lossy().into_owned(),
            state: Value::Null,
        };
        if let Err(e) = self.write_release(bundle, &location, rendered, manifest) {
            self.discard(&staged);
            return Err(e);
        }
        Ok(staged)
    }

    fn activate(&self, staged: &Staged) -> Result<(), TargetError> {
        let bundle = self.check_bundle(&staged.bundle)?;
        let releases = self.releases(bundle);
        let location = Path::new(&staged.location);
        if location.parent() != Some(releases.as_path()) {
            return Err(self.err(
                location,
                "is not a staging directory of this target; stage the rendering again",
            ));
        }
        let name = format!("release-{}", unique_suffix());
        let release = releases.join(&name);
        std::fs::rename(location, &release).map_err(|e| self.err(&release, e))?;
        let live = self.live(bundle);
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
            .join(format!(".{bundle}.link-{}", unique_suffix()));
        let relative = Path::new(".releases").join(bundle).join(&name);
        make_link(&relative, &link).map_err(|e| self.err(&link, e))?;
        std::fs::rename(&link, &live).map_err(|e| {
            let _ = std::fs::remove_file(&link);
            self.err(&live, e)
        })?;
        self.prune(bundle, &release);
        Ok(())
    }

    fn discard(&self, staged: &Staged) {
        let location = Path::new(&staged.location);
        if location.parent() == Some(self.releases(&staged.bundle).as_path()) {
            let _ = std::fs::remove_dir_all(location);
        }
    }

    fn inspect(&self, bundle: &str) -> Result<Option<Deployed>, TargetError> {
        let bundle = self.check_bundle(bundle)?;
        if std::fs::symlink_metadata(self.live(bundle)).is_err() {
            return Ok(None);
        }
        let release = match self.live_release(bundle) {
            Ok(release) => release,
            Err(why) => {
                return Ok(Some(Deployed {
                    manifest: Value::Null,
                    drift: vec![format!("live link: {why}")],
                }))
            }
        };
        let manifest_path = release.join(MANIFEST_FILE);
        let Some(text) = read_regular(&manifest_path, MAX_MANIFEST_BYTES) else {
            return Ok(Some(Deployed {
                manifest: Value::Null,
                drift: vec![format!(
                    "missing: {MANIFEST_FILE} (or not a regular file flowgate wrote)"
                )],
            }));
        };
        let manifest: Value = serde_json::from_slice(&text).map_err(|e| {
            self.err(
                &manifest_path,
                format!("is not the JSON flowgate wrote ({e}); re-apply the environment"),
            )
        })?;
        let drift = drift(&manifest, &release);
        Ok(Some(Deployed { manifest, drift }))
    }

    fn pull(&self, bundle: &str) -> Result<Option<Pulled>, TargetError> {
        let bundle = self.check_bundle(bundle)?;
        if std::fs::symlink_metadata(self.live(bundle)).is_err() {
            return Ok(None);
        }
        let release = self
            .live_release(bundle)
            .map_err(|why| self.err(&self.live(bundle), why))?;
        let manifest = read_regular(&release.join(MANIFEST_FILE), MAX_MANIFEST_BYTES)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or(Value::Null);
        let mut found = BTreeMap::new();
        collect_files(&release, &release, &mut found);
        found.remove(MANIFEST_FILE);
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        for (path, kind) in found {
            if !matches!(kind, Found::File(_)) {
                continue;
            }
            let full = self.inside(&release, &path)?;
            let bytes = read_regular(&full, crate::render::MAX_RENDERED_BYTES)
                .ok_or_else(|| self.err(&full, "could not be read; check its permissions"))?;
            total += bytes.len() as u64;
            if total > crate::render::MAX_RENDERED_BYTES {
                return Err(self.err(&release, "holds more than 1 GiB; it is not a release"));
            }
            files.insert(path, bytes);
        }
        Ok(Some(Pulled { manifest, files }))
    }
}

/// The largest deploy manifest read back (a manifest lists one hash per file).
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// What a directory entry of a live release is, as far as drift goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    /// A regular file and the BLAKE3 hash of its content.
    File(String),
    /// A symbolic link (never followed).
    Link,
    /// A FIFO, socket or device (never opened).
    Special,
}

/// How the files of `release` differ from those its manifest lists.
fn drift(manifest: &Value, release: &Path) -> Vec<String> {
    let expected: BTreeMap<String, String> = manifest
        .get("files")
        .and_then(|f| serde_json::from_value(f.clone()).ok())
        .unwrap_or_default();
    let mut found = BTreeMap::new();
    collect_files(release, release, &mut found);
    found.remove(MANIFEST_FILE);
    let mut drift = Vec::new();
    for (path, hash) in &expected {
        match found.get(path) {
            None => drift.push(format!("missing: {path}")),
            Some(Found::File(actual)) if actual == hash => {}
            Some(other) => drift.push(format!("modified: {path}{}", what_is(other))),
        }
    }
    for (path, kind) in found.iter().filter(|(p, _)| !expected.contains_key(*p)) {
        drift.push(format!("added: {path}{}", what_is(kind)));
    }
    drift
}

fn what_is(found: &Found) -> &'static str {
    match found {
        Found::File(_) => "",
        Found::Link => " (a symbolic link, not a deployed file)",
        Found::Special => " (not a regular file)",
    }
}

/// The file hashes the live release's manifest records (empty when there is none).
fn live_file_hashes(release: &Path) -> BTreeMap<String, String> {
    read_regular(&release.join(MANIFEST_FILE), MAX_MANIFEST_BYTES)
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .and_then(|m| m.get("files").cloned())
        .and_then(|files| serde_json::from_value(files).ok())
        .unwrap_or_default()
}

/// The bytes of `path` when it is a regular file (not a link, FIFO or device) of at most
/// `limit` bytes.
fn read_regular(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > limit {
        return None;
    }
    std::fs::read(path).ok()
}

/// Hard-links `from` to `to` when `from` is a private regular file that really holds `bytes`
/// (a drifted live file, a link or a file others may read is never carried over); false
/// when it is not or the link fails.
fn link_if_same(from: &Path, to: &Path, bytes: &[u8]) -> bool {
    let private = std::fs::symlink_metadata(from).is_ok_and(|m| m.is_file() && is_private(&m));
    if !private {
        return false;
    }
    match read_regular(from, bytes.len() as u64) {
        Some(actual) if actual == bytes => std::fs::hard_link(from, to).is_ok(),
        _ => false,
    }
}

/// Every entry under `dir`, by path relative to `base`. Links are reported, never followed,
/// and only regular files are read, so a link loop or a link to a large tree costs nothing.
fn collect_files(base: &Path, dir: &Path, out: &mut BTreeMap<String, Found>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            collect_files(base, &path, out);
            continue;
        }
        let found = if meta.file_type().is_symlink() {
            Found::Link
        } else if !meta.is_file() {
            Found::Special
        } else {
            match hash_file(&path) {
                Some(hash) => Found::File(hash),
                None => continue,
            }
        };
        let relative = path
            .strip_prefix(base)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        out.insert(relative, found);
    }
}

/// The BLAKE3 hash of a regular file, read in pieces.
fn hash_file(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = blake3::Hasher::new();
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some(hasher.finalize().to_hex().to_string())
}

/// Creates `path` and its missing parents, private to the user (0700) on unix.
fn make_dirs(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Writes a new file (never through an existing one or a link), private to the user (0600)
/// on unix.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, bytes)
}

/// Whether only the user may read a file (always true where modes do not exist).
fn is_private(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o077 == 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
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
