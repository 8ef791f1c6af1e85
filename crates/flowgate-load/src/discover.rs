//! Finding asset files in a workspace.

use crate::{codes, Workspace};
use flowgate_diagnostics::Diagnostic;
use flowgate_model::flow::Dialect;
use globset::{GlobSet, GlobSetBuilder};
use std::path::PathBuf;

/// Directories never searched for assets.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

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

/// The asset files of a workspace, relative to its root, sorted. Platform globs
/// (`salesforce`, `n8n`, `node_red`) win over `assets`, so an n8n export under a JSON glob is
/// imported as n8n. Hidden directories (`.git`, `.flowgate`), `target` and `node_modules` are
/// skipped.
pub fn asset_files(workspace: &Workspace) -> Result<Vec<AssetFile>, Box<Diagnostic>> {
    let section = &workspace.config.workspace;
    let include = glob_set(&section.assets, "assets")?;
    let exclude = glob_set(&section.exclude, "exclude")?;
    let platforms = [
        (
            glob_set(&section.salesforce, "salesforce")?,
            Dialect::Salesforce,
        ),
        (glob_set(&section.n8n, "n8n")?, Dialect::N8n),
        (glob_set(&section.node_red, "node_red")?, Dialect::NodeRed),
    ];
    // `target` and `node_modules` are skipped unless a glob names them (Node-RED keeps its
    // example flows inside node_modules).
    let all_globs: Vec<&String> = section
        .assets
        .iter()
        .chain(&section.salesforce)
        .chain(&section.n8n)
        .chain(&section.node_red)
        .collect();
    let skipped: Vec<&str> = SKIPPED_DIRS
        .iter()
        .copied()
        .filter(|d| !all_globs.iter().any(|g| g.contains(d)))
        .collect();
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(&workspace.root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || !entry.file_type().is_dir()
                || !entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.') || skipped.contains(&n))
        });
    for entry in walker {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(&workspace.root) else {
            continue;
        };
        // The editor schema `flowgate init` writes is not an asset.
        let is_schema = relative
            .file_name()
            .is_some_and(|n| n == "flowgate.schema.json");
        if exclude.is_match(relative) || is_schema {
            continue;
        }
        let format = match platforms.iter().find(|(set, _)| set.is_match(relative)) {
            Some((_, dialect)) => FileFormat::Platform(*dialect),
            None if include.is_match(relative) => FileFormat::Native,
            None => continue,
        };
        files.push(AssetFile {
            path: relative.to_path_buf(),
            format,
        });
    }
    files.sort();
    Ok(files)
}
