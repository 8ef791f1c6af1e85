//! SFDX projects: the package directories an `sfdx-project.json` lists, and the ids of
//! Salesforce flows that share a name across them.
//!
//! A flow's id is its file name without `.flow-meta.xml` ([`crate::dialects::id_from_path`]),
//! and Salesforce allows one flow name in several package directories of a project (each
//! package deploys its own). When flows of one id lie in different package directories, the
//! one in the first package directory keeps the plain id and every other one is qualified
//! with its package directory: `<package-slug>.<Name>`. Package directories are ranked by
//! project (in path order), then the `"default": true` one, then the order of
//! `packageDirectories`. A flow that no other package shares a name with keeps its plain id,
//! so adding a package directory, or a same-named flow in a new package, renames nothing that
//! existed. The slug is the package directory's path relative to the workspace root, with
//! every character other than a letter, digit, `-` or `_` made `-` (`packages/sales` is
//! `packages-sales`); Salesforce API names hold no `.`, so the first `.` of a qualified id
//! ends the slug.

use crate::codes;
use crate::dialects::{slug, truncate_id};
use crate::document::FileOutput;
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_model::flow::Dialect;
use flowgate_model::{AssetId, AssetSpec};
use flowgate_syntax::Node;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// One package directory of an SFDX project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackageDir {
    /// Its path relative to the workspace root.
    pub path: PathBuf,
    /// The qualifier of the ids of its flows that share a name with another package's.
    pub slug: String,
}

/// What reading the workspace's `sfdx-project.json` files gives: the package directories
/// in rank order, problems (warnings: the files are read only to tell packages apart), and
/// the texts those problems point into.
#[derive(Debug, Default)]
pub(crate) struct Projects {
    /// Package directories, best ranked first.
    pub packages: Vec<PackageDir>,
    /// Warnings about the project files.
    pub diagnostics: Vec<Diagnostic>,
    /// Texts of the project files that have diagnostics.
    pub sources: Vec<SourceText>,
}

/// Read the `sfdx-project.json` files at `projects` (relative to `root`, sorted).
pub(crate) fn read_projects(root: &Path, projects: &[PathBuf], max_size: u64) -> Projects {
    let mut read = Projects::default();
    for project in projects {
        let path = project.to_string_lossy().into_owned();
        let text = match read_text(&root.join(project), max_size) {
            Ok(text) => text,
            Err(message) => {
                let source = SourceText::new(path.as_str(), "");
                read.diagnostics.push(
                    Diagnostic::warning(codes::UNREADABLE, format!("{path}: {message}"))
                        .at(&source, Span::point(0))
                        .with_help(NO_PACKAGES_HELP),
                );
                read.sources.push(source);
                continue;
            }
        };
        let source = SourceText::new(path.as_str(), text);
        let dir = project.parent().unwrap_or(Path::new(""));
        let before = read.diagnostics.len();
        read.packages
            .extend(package_dirs(&source, dir, &mut read.diagnostics));
        if read.diagnostics.len() > before {
            read.sources.push(source);
        }
    }
    read
}

const NO_PACKAGES_HELP: &str = "without its package directories, Salesforce flows of one name in \
                                different packages are reported as duplicate ids (FG007)";

fn read_text(path: &Path, max_size: u64) -> Result<String, String> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > max_size {
        return Err(format!(
            "{size} bytes, larger than the {max_size}-byte limit"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
}

/// The package directories of one project file, in rank order (the default one first).
fn package_dirs(source: &SourceText, dir: &Path, out: &mut Vec<Diagnostic>) -> Vec<PackageDir> {
    let parsed = flowgate_syntax::parse_json(source.text());
    for error in parsed.errors {
        out.push(warning(codes::SYNTAX, error.message, source, error.span));
    }
    let Some(root) = parsed.docs.first() else {
        return Vec::new();
    };
    let Some(list) = root.get("packageDirectories") else {
        let span = Span::point(root.span.start as usize);
        let message = "`packageDirectories` is missing".to_owned();
        out.push(warning(codes::MISSING_FIELD, message, source, span));
        return Vec::new();
    };
    let Some(items) = list.as_seq() else {
        let message = format!("`packageDirectories` is {}, not a list", list.type_name());
        out.push(warning(codes::WRONG_TYPE, message, source, list.span));
        return Vec::new();
    };
    let mut found: Vec<(bool, PackageDir)> = items
        .iter()
        .filter_map(|item| package_dir(item, source, dir, out))
        .collect();
    // Stable: the default one first, the others in the order written.
    found.sort_by_key(|(default, _)| !default);
    found.into_iter().map(|(_, package)| package).collect()
}

/// One entry of `packageDirectories`: whether it is the default, and the directory.
fn package_dir(
    item: &Node,
    source: &SourceText,
    dir: &Path,
    out: &mut Vec<Diagnostic>,
) -> Option<(bool, PackageDir)> {
    let Some(text) = item.get("path").and_then(Node::as_str) else {
        let message = "a package directory without a `path` string".to_owned();
        out.push(warning(codes::MISSING_FIELD, message, source, item.span));
        return None;
    };
    let path = normalise(&dir.join(text.replace('\\', "/")));
    let joined: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let slug = slug(&joined.join("-"), |_| false);
    let slug = if slug.is_empty() {
        "root".to_owned()
    } else {
        slug
    };
    let default = item.get("default").and_then(Node::as_bool) == Some(true);
    Some((default, PackageDir { path, slug }))
}

/// `path` without `.` components, `..` applied, and no trailing separator.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}

fn warning(code: &str, message: String, source: &SourceText, span: Span) -> Diagnostic {
    Diagnostic::warning(code, format!("{}: {message}", source.path()))
        .at(source, span)
        .with_help(NO_PACKAGES_HELP)
}

/// Give the Salesforce flows that share an id across package directories distinct ids (see
/// the module documentation). Flows of one id in one package directory, or outside every
/// package directory, keep it: they are duplicates (FG007).
pub(crate) fn qualify_flow_ids(outputs: &mut [FileOutput], packages: &[PackageDir]) {
    if packages.len() < 2 {
        return;
    }
    // Per id: (package rank, output index, asset index) of each Salesforce flow.
    let mut by_id: BTreeMap<AssetId, Vec<(Option<usize>, usize, usize)>> = BTreeMap::new();
    for (o, output) in outputs.iter().enumerate() {
        let rank = package_of(Path::new(&output.path), packages);
        for (a, asset) in output.assets.iter().enumerate() {
            if matches!(&asset.spec, AssetSpec::Flow(flow) if flow.dialect == Dialect::Salesforce) {
                by_id
                    .entry(asset.id.value.clone())
                    .or_default()
                    .push((rank, o, a));
            }
        }
    }
    for (id, mut flows) in by_id {
        // In a package before outside of every package, then by rank, then by file.
        flows.sort_by_key(|&(rank, o, _)| (rank.is_none(), rank, o));
        let first = flows.first().and_then(|&(rank, _, _)| rank);
        for &(rank, o, a) in flows.iter().skip(1) {
            let Some(package) = rank.filter(|&r| Some(r) != first).map(|r| &packages[r]) else {
                continue;
            };
            let qualified = truncate_id(&format!("{}.{}", package.slug, id));
            if let Ok(qualified) = AssetId::new(qualified) {
                outputs[o].assets[a].id.value = qualified;
            }
        }
    }
}

/// The rank of the package directory that holds `file`: the innermost one, should they nest.
fn package_of(file: &Path, packages: &[PackageDir]) -> Option<usize> {
    packages
        .iter()
        .enumerate()
        .filter(|(_, package)| file.starts_with(&package.path))
        .max_by_key(|&(rank, package)| (package.path.components().count(), usize::MAX - rank))
        .map(|(rank, _)| rank)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn dirs(text: &str, dir: &str) -> (Vec<(String, String)>, Vec<Diagnostic>) {
        let source = SourceText::new("sfdx-project.json", text);
        let mut diagnostics = Vec::new();
        let found = package_dirs(&source, Path::new(dir), &mut diagnostics)
            .into_iter()
            .map(|p| (p.path.to_string_lossy().into_owned(), p.slug))
            .collect();
        (found, diagnostics)
    }

    #[test]
    fn package_directories_in_rank_order_with_slugs() {
        let (found, diagnostics) = dirs(
            r#"{"packageDirectories": [
                {"path": "packages/sales.v2/"},
                {"path": "./force-app", "default": true},
                {"path": "..\\shared\\utils", "package": "Utils"}
            ], "sourceApiVersion": "61.0"}"#,
            "sf",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        let found: Vec<(&str, &str)> = found
            .iter()
            .map(|(p, s)| (p.as_str(), s.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("sf/force-app", "sf-force-app"),
                ("sf/packages/sales.v2", "sf-packages-sales-v2"),
                ("shared/utils", "shared-utils"),
            ]
        );
    }

    #[test]
    fn broken_project_files_are_located_warnings() {
        for (text, code) in [
            ("{\"packageDirectories\": [", codes::SYNTAX),
            ("{\"name\": \"x\"}", codes::MISSING_FIELD),
            ("{\"packageDirectories\": {}}", codes::WRONG_TYPE),
            (
                "{\"packageDirectories\": [{\"default\": true}]}",
                codes::MISSING_FIELD,
            ),
        ] {
            let (found, diagnostics) = dirs(text, "");
            assert!(found.is_empty(), "{text}");
            assert_eq!(diagnostics.len(), 1, "{text}: {diagnostics:#?}");
            let d = &diagnostics[0];
            assert_eq!(d.code, code, "{text}");
            assert_eq!(d.severity, flowgate_diagnostics::Severity::Warning);
            assert!(d.location.is_some());
            assert!(
                d.message.starts_with("sfdx-project.json: "),
                "{}",
                d.message
            );
        }
    }
}
