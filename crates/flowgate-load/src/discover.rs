//! Finding asset files in a workspace.

use crate::{codes, Workspace};
use flowgate_diagnostics::Diagnostic;
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

/// The asset files of a workspace, relative to its root, sorted. Hidden directories
/// (`.git`, `.flowgate`), `target` and `node_modules` are skipped.
pub fn asset_files(workspace: &Workspace) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    let include = glob_set(&workspace.config.workspace.assets, "assets")?;
    let exclude = glob_set(&workspace.config.workspace.exclude, "exclude")?;
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
                    .is_some_and(|n| n.starts_with('.') || SKIPPED_DIRS.contains(&n))
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
        if include.is_match(relative) && !exclude.is_match(relative) && !is_schema {
            files.push(relative.to_path_buf());
        }
    }
    files.sort();
    Ok(files)
}
