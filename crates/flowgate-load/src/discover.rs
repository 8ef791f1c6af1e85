//! Finding asset files in a workspace.

use crate::{codes, Workspace, WorkspaceSection};
use flowgate_diagnostics::Diagnostic;
use flowgate_model::flow::Dialect;
use globset::{GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// Directories never searched for assets.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Files of other tools that broad globs such as the default `**/*.json` would otherwise take
/// for assets: package manifests, compiler settings, and the Salesforce CLI's project files.
const TOOL_FILES: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "tsconfig.json",
    "jsconfig.json",
    "composer.json",
    "project-scratch-def.json",
    "renovate.json",
];

/// Whether a file is never an asset: a hidden file (`.eslintrc.json`) or another tool's file.
fn is_tool_file(name: &str) -> bool {
    name.starts_with('.') || TOOL_FILES.contains(&name)
}

fn glob_set(globs: &[String], what: &str) -> Result<GlobSet, Box<Diagnostic>> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        // `*` stops at `/` as in shells; `**` crosses directories.
        let glob = globset::GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                Box::new(
                    Diagnostic::error(
                        codes::CONFIG,
                        format!("invalid glob in `workspace.{what}`: {e}"),
                    )
                    .with_help("globs look like `assets/**/*.yaml`"),
                )
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| {
        Box::new(Diagnostic::error(
            codes::CONFIG,
            format!("invalid globs in `workspace.{what}`: {e}"),
        ))
    })
}

/// How a discovered file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileFormat {
    /// flowgate's own YAML or JSON assets.
    Native,
    /// A platform file, imported as a flow.
    Platform(Dialect),
}

/// A file to load, relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AssetFile {
    /// Path relative to the root.
    pub path: PathBuf,
    /// How to read it.
    pub format: FileFormat,
}

/// The file name of an SFDX project's configuration. It is never an asset: discovery
/// records where it is, and the loader reads its package directories.
pub const SFDX_PROJECT_FILE: &str = "sfdx-project.json";

/// The editor schema `flowgate init` writes: never an asset.
const SCHEMA_FILE: &str = "flowgate.schema.json";

/// What discovery finds in a workspace, relative to its root, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovered {
    /// The asset files.
    pub files: Vec<AssetFile>,
    /// The `sfdx-project.json` files (not excluded by `workspace.exclude`).
    pub sfdx_projects: Vec<PathBuf>,
}

/// The asset files of a workspace, relative to its root, sorted. Platform globs
/// (`salesforce`, `n8n`, `node_red`) win over `assets`, so an n8n export under a JSON glob is
/// imported as n8n. Hidden directories (`.git`, `.flowgate`), `target` and `node_modules` are
/// skipped, and so are the editor schema and `sfdx-project.json` files.
pub fn asset_files(workspace: &Workspace) -> Result<Vec<AssetFile>, Box<Diagnostic>> {
    discover(workspace).map(|found| found.files)
}

/// The asset files and SFDX project files of a workspace (see [`asset_files`]).
pub fn discover(workspace: &Workspace) -> Result<Discovered, Box<Diagnostic>> {
    let globs = Globs::new(&workspace.config.workspace)?;
    let mut found = Discovered::default();
    for relative in walk(&workspace.root, &globs.skipped) {
        if globs.exclude.is_match(&relative) {
            continue;
        }
        let name = relative.file_name().and_then(|n| n.to_str());
        if name == Some(SFDX_PROJECT_FILE) {
            found.sfdx_projects.push(relative);
        } else if !name.is_some_and(|n| n == SCHEMA_FILE || is_tool_file(n)) {
            if let Some(format) = globs.format(&relative) {
                found.files.push(AssetFile {
                    path: relative,
                    format,
                });
            }
        }
    }
    found.files.sort();
    found.sfdx_projects.sort();
    Ok(found)
}

/// The compiled globs of `[workspace]`.
struct Globs {
    include: GlobSet,
    exclude: GlobSet,
    platforms: [(GlobSet, Dialect); 3],
    /// The [`SKIPPED_DIRS`] that no glob names.
    skipped: Vec<&'static str>,
}

impl Globs {
    fn new(section: &WorkspaceSection) -> Result<Self, Box<Diagnostic>> {
        // `target` and `node_modules` are skipped unless a glob names them (Node-RED keeps
        // its example flows inside node_modules).
        let all_globs: Vec<&String> = section
            .assets
            .iter()
            .chain(&section.salesforce)
            .chain(&section.n8n)
            .chain(&section.node_red)
            .collect();
        Ok(Self {
            include: glob_set(&section.assets, "assets")?,
            exclude: glob_set(&section.exclude, "exclude")?,
            platforms: [
                (
                    glob_set(&section.salesforce, "salesforce")?,
                    Dialect::Salesforce,
                ),
                (glob_set(&section.n8n, "n8n")?, Dialect::N8n),
                (glob_set(&section.node_red, "node_red")?, Dialect::NodeRed),
            ],
            skipped: SKIPPED_DIRS
                .iter()
                .copied()
                .filter(|d| !all_globs.iter().any(|g| g.contains(d)))
                .collect(),
        })
    }

    /// How the file at `relative` is read, or `None` when no glob takes it.
    fn format(&self, relative: &Path) -> Option<FileFormat> {
        match self
            .platforms
            .iter()
            .find(|(set, _)| set.is_match(relative))
        {
            Some((_, dialect)) => Some(FileFormat::Platform(*dialect)),
            None if self.include.is_match(relative) => Some(FileFormat::Native),
            None => None,
        }
    }
}

/// Every file below `root`, relative to it, outside hidden and `skipped` directories;
/// symbolic links are not followed.
fn walk<'w>(root: &'w Path, skipped: &'w [&str]) -> impl Iterator<Item = PathBuf> + 'w {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(move |entry| {
            entry.depth() == 0
                || !entry.file_type().is_dir()
                || !entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.') || skipped.contains(&n))
        })
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(move |entry| {
            let relative = entry.path().strip_prefix(root).ok()?;
            Some(relative.to_path_buf())
        })
}
