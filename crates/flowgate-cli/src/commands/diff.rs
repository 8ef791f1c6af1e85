//! `flowgate diff`: what changed between two snapshots, workspaces or the working tree.

use super::store::{fail, find_snapshot, not_found, with_store};
use crate::cli::{DiffArgs, Format, GlobalArgs};
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
pub fn run(args: &DiffArgs, global: &GlobalArgs) -> Exit {
    let needs_store = !is_tree(&args.from) || !is_tree(&args.to);
    if !needs_store {
        let (Some(from), Some(to)) = (
            tree_side(&args.from, None, global),
            tree_side(&args.to, None, global),
        ) else {
            return Exit::BadInput;
        };
        return report(args, global, &from, &to);
    }
    with_store(global, |store| async move {
        let from = resolve(&store, &args.from, None, global).await;
        let Some(from) = from else {
            return (store, Exit::BadInput);
        };
        let to = resolve(&store, &args.to, from.bundle.as_deref(), global).await;
        let Some(to) = to else {
            return (store, Exit::BadInput);
        };
        // A snapshot compared with a tree: the tree's side is the same bundle.
        let from = if from.bundle.is_none() && to.bundle.is_some() && is_tree(&args.from) {
            match tree_side(&args.from, to.bundle.as_deref(), global) {
                Some(side) => side,
                None => return (store, Exit::BadInput),
            }
        } else {
            from
        };
        let exit = report(args, global, &from, &to);
        (store, exit)
    })
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
) -> Option<Side> {
    if is_tree(spec) {
        return tree_side(spec, bundle, global);
    }
    match find_snapshot(store, spec).await {
        Ok(Some(snapshot)) => match snapshot_documents(store, &snapshot).await {
            Ok(documents) => Some(Side {
                documents,
                label: format!("{}@{}", snapshot.bundle, snapshot.version),
                bundle: Some(snapshot.bundle.clone()),
                version: Some(snapshot.version.clone()),
            }),
            Err(e) => {
                fail(
                    global,
                    &e.to_string(),
                    "`flowgate snapshot verify` checks the store",
                );
                None
            }
        },
        Ok(None) => {
            not_found(global, spec);
            None
        }
        Err(e) => {
            fail(global, &e.to_string(), "check --store");
            None
        }
    }
}

/// The working tree (or another workspace), limited to `bundle`'s members when given.
fn tree_side(spec: &str, bundle: Option<&str>, global: &GlobalArgs) -> Option<Side> {
    let dir = if spec == "working" || spec == "." {
        global.workspace.clone()
    } else {
        Path::new(spec).to_path_buf()
    };
    let workspace = match Workspace::discover(&dir) {
        Ok(workspace) => workspace,
        Err(d) => {
            output::fatal(&d, global);
            return None;
        }
    };
    let loaded = load_workspace(&workspace);
    if loaded.has_errors() {
        output::out(&output::human_diagnostics(
            &loaded.diagnostics,
            &loaded.sources,
            output::use_color(global),
        ));
        output::err("error: the workspace does not load cleanly; fix the problems above first\n");
        return None;
    }
    let documents = match bundle {
        None => Documents::from_model(&loaded.model),
        Some(bundle) => {
            let members = members(&loaded.model, bundle);
            Documents::from_model_where(&loaded.model, |id| members.contains(id))
        }
    };
    super::release(loaded);
    Some(Side {
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
