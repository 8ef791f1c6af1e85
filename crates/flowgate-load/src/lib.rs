//! Loading a flowgate workspace: discovery, reading files, parsing YAML/JSON with spans,
//! validating documents into assets, and resolving references — with every problem
//! reported as a located diagnostic, never a panic.
#![forbid(unsafe_code)]

pub mod codes;
mod config;
pub mod dialects;
mod discover;
mod document;
mod lower;
mod resolve;
pub mod schema;
mod sfdx;
mod span;
pub mod synthetic;
pub mod wire;

pub use config::{
    parse_config, Config, EnvironmentConfig, FreezeWindowConfig, GatesConfig, GuardrailsConfig,
    NotifySection, OidcSection, PersonConfig, RaciConfig, SafeModeConfig, ServerSection,
    TargetConfig, Workspace, WorkspaceSection, CONFIG_FILE, DEFAULT_ASSET_GLOBS,
    DEFAULT_MAX_FILE_SIZE,
};
pub use discover::{asset_files, discover, AssetFile, Discovered, FileFormat, SFDX_PROJECT_FILE};
pub use span::value_span;

use flowgate_diagnostics::{sort_diagnostics, Diagnostic, SourceMap, SourceText};
use flowgate_model::{FileId, Model, SourceFile};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The outcome of loading a workspace: the model of every valid asset, the diagnostics
/// (sorted), and the source texts they point into.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every asset that loaded without error.
    pub model: Model,
    /// Every problem found, in a stable order.
    pub diagnostics: Vec<Diagnostic>,
    /// Source texts for rendering snippets.
    pub sources: SourceMap,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == flowgate_diagnostics::Severity::Error)
    }
}

/// Load every asset file of a workspace. Salesforce flows that share a name across the
/// package directories of an `sfdx-project.json` get distinct ids (see
/// `docs/format.md#platform-flows`).
pub fn load_workspace(workspace: &Workspace) -> Loaded {
    let found = match discover(workspace) {
        Ok(found) => found,
        Err(d) => {
            return Loaded {
                diagnostics: vec![*d],
                ..Loaded::default()
            }
        }
    };
    let max_size = workspace.config.workspace.max_file_size;
    let projects = sfdx::read_projects(&workspace.root, &found.sfdx_projects, max_size);
    let mut diagnostics = projects.diagnostics;
    let files = found.files;
    if files.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                codes::NO_ASSETS,
                format!(
                    "no asset files match {} in {}",
                    workspace.config.workspace.assets.join(", "),
                    workspace.root.display()
                ),
            )
            .with_help("add YAML or JSON asset files, or fix `workspace.assets` in flowgate.toml"),
        );
    }
    let inputs: Vec<document::Input> = files
        .into_iter()
        .map(|file| document::Input {
            absolute: workspace.root.join(&file.path),
            relative: file.path,
            format: file.format,
        })
        .collect();
    let mut outputs = document::load_files(&inputs, &workspace.root, max_size);
    sfdx::qualify_flow_ids(&mut outputs, &projects.packages);
    let mut loaded = assemble(outputs, diagnostics);
    for source in projects.sources {
        loaded.sources.insert(source);
    }
    loaded
}

/// Load platform files of one dialect from memory, as if they were files of a workspace rooted
/// at `root`.
pub fn load_platform_texts(
    root: &Path,
    dialect: flowgate_model::flow::Dialect,
    texts: &[(String, String)],
) -> Loaded {
    load_texts_as(root, texts, |_| FileFormat::Platform(dialect))
}

/// Load assets from in-memory documents, as if they were files of a workspace rooted at
/// `root` (used by tests, fuzzing and benchmarks).
pub fn load_texts(root: &Path, texts: &[(String, String)]) -> Loaded {
    load_texts_as(root, texts, |_| FileFormat::Native)
}

/// Load in-memory documents of mixed formats; `format` says how to read each path.
pub fn load_texts_as(
    root: &Path,
    texts: &[(String, String)],
    format: impl Fn(&str) -> FileFormat + Sync,
) -> Loaded {
    let outputs = document::in_parallel(
        texts,
        |i, (path, text)| {
            document::load_text(
                FileId(u32::try_from(i).unwrap_or(u32::MAX)),
                path,
                text.clone(),
                root,
                format(path),
            )
        },
        |(path, _)| document::internal_error(path),
    );
    assemble(outputs, Vec::new())
}

fn assemble(outputs: Vec<document::FileOutput>, mut diagnostics: Vec<Diagnostic>) -> Loaded {
    let mut sources = SourceMap::new();
    let mut files = Vec::with_capacity(outputs.len());
    let mut assets = Vec::new();
    let mut invalid = BTreeSet::new();
    for output in outputs {
        files.push(SourceFile {
            path: output.path.clone().into(),
        });
        diagnostics.extend(output.diagnostics);
        assets.extend(output.assets);
        invalid.extend(output.invalid_ids);
        if let Some(source) = output.source {
            sources.insert(source);
        }
    }
    // Duplicate ids: keep the first (in file order), report the others.
    let mut first_seen: BTreeMap<flowgate_model::AssetId, (FileId, flowgate_diagnostics::Span)> =
        BTreeMap::new();
    let mut unique = Vec::with_capacity(assets.len());
    for asset in assets {
        match first_seen.get(&asset.id.value) {
            Some(&(file, span)) => {
                let path = |id: FileId| {
                    files
                        .get(id.0 as usize)
                        .map(|f: &SourceFile| f.path.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                let here = sources.get(&path(asset.origin.file));
                let there = sources.get(&path(file));
                if let (Some(here), Some(there)) = (here, there) {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::DUPLICATE_ID,
                            format!("id `{}` is already used by another asset", asset.id.value),
                        )
                        .at(here, asset.id.span)
                        .with_related(there.locate(span), "first defined here")
                        .with_help("ids are unique across the workspace: rename one of them"),
                    );
                }
            }
            None => {
                first_seen.insert(asset.id.value.clone(), (asset.origin.file, asset.id.span));
                unique.push(asset);
            }
        }
    }
    let model = Model::new(files, unique);
    resolve::resolve(&model, &invalid, &sources, &mut diagnostics);
    sort_diagnostics(&mut diagnostics);
    Loaded {
        model,
        diagnostics,
        sources,
    }
}

/// Render a source text for a file that is not valid UTF-8, for snippets.
pub(crate) fn lossy_source(path: &str, bytes: &[u8]) -> SourceText {
    SourceText::new(path, String::from_utf8_lossy(bytes).into_owned())
}
