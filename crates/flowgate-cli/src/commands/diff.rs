//! `flowgate diff`: what changed between two snapshots, workspaces or the working tree.

use super::store::{snapshot_named, with_store};
use crate::cli::{DiffArgs, Format, GlobalArgs};
use crate::error::{CommandError, CommandResult};
use crate::exit::Exit;
use crate::output;
use flowgate_diff::{diff_documents, render_human, render_markdown, Bump, Diff, Documents};
use flowgate_load::{load_workspace, Workspace};
use flowgate_model::{AssetSpec, Model};
use flowgate_release::snapshot_documents;
use flowgate_store::AnyStore;
use serde_json::json;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// One side of a diff, resolved.
struct Side {
    /// The documents.
    documents: Documents,
    /// The bundle it is a snapshot of, if any.
    bundle: Option<String>,
    /// Its version, if it is a snapshot.
    version: Option<String>,
    /// A label for output.
    label: String,
}

/// Run the command.
pub fn run(args: &DiffArgs, global: &GlobalArgs) -> CommandResult {
    let needs_store = !is_tree(&args.from) || !is_tree(&args.to);
    if !needs_store {
        let from = tree_side(&args.from, None, global)?;
        let to = tree_side(&args.to, None, global)?;
        return Ok(report(args, global, &from, &to));
    }
    with_store(global, |store| async move {
        let result = diff_with_store(&store, args, global).await;
        (store, result)
    })
}

async fn diff_with_store(store: &AnyStore, args: &DiffArgs, global: &GlobalArgs) -> CommandResult {
    let from = resolve(store, &args.from, None, global).await?;
    let to = resolve(store, &args.to, from.bundle.as_deref(), global).await?;
    // A snapshot compared with a tree: the tree's side is the same bundle.
    let from = if from.bundle.is_none() && to.bundle.is_some() && is_tree(&args.from) {
        tree_side(&args.from, to.bundle.as_deref(), global)?
    } else {
        from
    };
    Ok(report(args, global, &from, &to))
}

/// Whether a side names the working tree or a workspace directory.
fn is_tree(spec: &str) -> bool {
    spec == "working" || spec == "." || Path::new(spec).join("flowgate.toml").is_file()
}

async fn resolve(
    store: &AnyStore,
    spec: &str,
    bundle: Option<&str>,
    global: &GlobalArgs,
) -> Result<Side, CommandError> {
    if is_tree(spec) {
        return tree_side(spec, bundle, global);
    }
    let snapshot = snapshot_named(store, spec).await?;
    let documents = snapshot_documents(store, &snapshot).await?;
    Ok(Side {
        documents,
        label: format!("{}@{}", snapshot.bundle, snapshot.version),
        bundle: Some(snapshot.bundle.clone()),
        version: Some(snapshot.version.clone()),
    })
}

/// The working tree (or another workspace), limited to `bundle`'s members when given.
fn tree_side(spec: &str, bundle: Option<&str>, global: &GlobalArgs) -> Result<Side, CommandError> {
    let dir = if spec == "working" || spec == "." {
        global.workspace.clone()
    } else {
        Path::new(spec).to_path_buf()
    };
    let workspace = Workspace::discover(&dir).map_err(|d| super::config_error(*d))?;
    let loaded = load_workspace(&workspace);
    if loaded.has_errors() {
        return Err(super::unclean(&loaded, global, "it cannot be compared"));
    }
    let documents = match bundle {
        None => Documents::from_model(&loaded.model),
        Some(bundle) => {
            let members = members(&loaded.model, bundle);
            Documents::from_model_where(&loaded.model, |id| members.contains(id))
        }
    };
    super::release(loaded);
    Ok(Side {
        documents,
        bundle: bundle.map(str::to_owned),
        version: None,
        label: if spec == "working" {
            "working tree".to_owned()
        } else {
            spec.to_owned()
        },
    })
}

/// A bundle's member ids and its own id.
fn members(model: &Model, bundle: &str) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = match model.get_str(bundle).map(|a| &a.spec) {
        Some(AssetSpec::Bundle(spec)) => model
            .bundle_members(spec)
            .into_iter()
            .map(|id| id.as_str().to_owned())
            .collect(),
        _ => BTreeSet::new(),
    };
    ids.insert(bundle.to_owned());
    ids
}

fn report(args: &DiffArgs, global: &GlobalArgs, from: &Side, to: &Side) -> Exit {
    let diff = diff_documents(&from.documents, &to.documents);
    if args.suggest_version {
        return suggest(global, from, &diff);
    }
    match global.format {
        Format::Json => output::out(&format!(
            "{}\n",
            json!({"version": 1, "from": from.label, "to": to.label, "diff": diff})
        )),
        Format::Markdown => output::out(&render_markdown(&diff)),
        _ => output::out(&format!(
            "{} → {}\n{}",
            from.label,
            to.label,
            render_human(&diff)
        )),
    }
    Exit::Success
}

fn suggest(global: &GlobalArgs, from: &Side, diff: &Diff) -> Exit {
    let next = from
        .version
        .as_deref()
        .and_then(|v| semver::Version::parse(v.trim_start_matches('v')).ok())
        .map(|v| diff.bump.max(Bump::Patch).apply(&v).to_string());
    if global.format == Format::Json {
        let reasons: Vec<_> = diff
            .reasons()
            .iter()
            .map(|(a, d)| json!({"asset": a.id, "kind": a.kind, "path": d.path, "change": d.text}))
            .collect();
        output::out(&format!(
            "{}\n",
            json!({"version": 1, "bump": diff.bump, "next_version": next, "reasons": reasons})
        ));
        return Exit::Success;
    }
    let mut text = match (&next, diff.bump) {
        (_, Bump::None) => "no changes: no new version needed\n".to_owned(),
        (Some(next), bump) => format!("{bump}: {next}\n"),
        (None, bump) => format!("{bump}\n"),
    };
    for (asset, detail) in diff.reasons() {
        let _ = writeln!(text, "  - {} `{}`: {}", asset.kind, asset.id, detail.text);
    }
    output::out(&text);
    Exit::Success
}
