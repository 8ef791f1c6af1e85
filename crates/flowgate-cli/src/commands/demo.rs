//! `flowgate demo`: the main job on the bundled example, stage by stage.
//!
//! The demo only reads the workspace it is shown. Everything it writes (its stores, the files
//! it deploys, the graph) goes to a directory of its own under the system's temporary
//! directory, one per workspace, so that running it again shows what changed since.

use crate::cli::{DemoArgs, GlobalArgs};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::exit::Exit;
use crate::output;
use flowgate_check::{check, parse_check_config, CheckOptions};
use flowgate_diagnostics::Summary;
use flowgate_diff::render_human;
use flowgate_model::{render_asset_graph, AssetKind, AssetSpec, GraphFormat};
use flowgate_release::{changes_since_latest, freeze, FreezeOptions, Frozen, ReleaseVersion};
use flowgate_store::{AnyStore, Clock, Object, SqliteStore, Store, SystemClock};
use std::future::Future;
use std::path::{Path, PathBuf};

/// The example workspace of a source checkout, used when the demo is started there.
const EXAMPLE: &str = "examples/acme";

/// Where the demo runs: the workspace it reads and the directory it writes to.
struct Place {
    /// The workspace, as a command would name it.
    workspace: PathBuf,
    /// The demo's own directory: its stores, the files it deploys, the graph.
    dir: PathBuf,
}

impl Place {
    /// `DIR`, else `-C`, else `examples/acme` when at hand, else the embedded example written
    /// into the demo's directory.
    fn choose(args: &DemoArgs, global: &GlobalArgs) -> Result<Place, String> {
        let given = args
            .dir
            .clone()
            .or_else(|| (global.workspace != Path::new(".")).then(|| global.workspace.clone()));
        let example = Path::new(EXAMPLE);
        let given = given.or_else(|| {
            example
                .join(flowgate_load::CONFIG_FILE)
                .is_file()
                .then(|| example.to_path_buf())
        });
        if let Some(workspace) = given {
            let key = std::fs::canonicalize(&workspace).unwrap_or_else(|_| workspace.clone());
            let dir = demo_dir(&key.to_string_lossy());
            return Ok(Place { workspace, dir });
        }
        let dir = demo_dir("the embedded example");
        let workspace = dir.join("acme");
        write_example(&workspace).map_err(|e| format!("{}: {e}", workspace.display()))?;
        Ok(Place { workspace, dir })
    }

    /// The store the demo freezes the bundles into (a rehearsal store).
    fn store(&self) -> PathBuf {
        self.dir.join("store.db")
    }
}

/// The demo's directory for `key`, private to the user.
fn demo_dir(key: &str) -> PathBuf {
    let user = std::env::var("USER").unwrap_or_default();
    let id = Object::from_json(&serde_json::json!(["flowgate demo", user, key])).id();
    std::env::temp_dir().join(format!("flowgate-demo-{}", id.short()))
}

/// Writes the embedded example into `root`, replacing what an earlier run left there.
fn write_example(root: &Path) -> std::io::Result<()> {
    if root.exists() {
        std::fs::remove_dir_all(root)?;
    }
    for (path, text) in super::demo_example::FILES {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// Run the command.
pub fn run(args: &DemoArgs, global: &GlobalArgs) -> CommandResult {
    let place = Place::choose(args, global).map_err(|message| {
        CommandError::usage(
            format!("cannot write the example workspace: {message}"),
            "run the demo where it may write a temporary directory (set TMPDIR), or pass a workspace directory",
        )
    })?;
    let global = GlobalArgs {
        workspace: place.workspace.clone(),
        format: global.format,
        color: global.color,
        store: None,
        server: None,
    };
    let color = output::use_color(&global);
    let started = std::time::Instant::now();
    let (workspace, loaded) = super::load(&global)?;
    let model = &loaded.model;
    output::out(&format!(
        "== 1. validate: load and resolve workspace `{}` ({})\n",
        workspace.config.workspace.name,
        workspace.root.display()
    ));
    if !loaded.diagnostics.is_empty() {
        output::out(&output::human_diagnostics(
            &loaded.diagnostics,
            &loaded.sources,
            color,
        ));
    }
    let counts: Vec<String> = AssetKind::ALL
        .iter()
        .map(|&k| (k, model.of_kind(k).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    output::out(&format!(
        "   {} assets in {} files, every reference resolved, in {:.1?}\n   {}\n",
        model.assets().len(),
        model.files().len(),
        started.elapsed(),
        counts.join(", ")
    ));
    for bundle in model.of_kind(AssetKind::Bundle) {
        if let AssetSpec::Bundle(spec) = &bundle.spec {
            output::out(&format!(
                "   bundle {} ({}): {} members\n",
                bundle.id.value,
                bundle.display_name(),
                model.bundle_members(spec).len()
            ));
        }
    }

    output::out("\n== 2. check: the release checklist for prod\n");
    let config = parse_check_config(&workspace.config_text, flowgate_load::CONFIG_FILE)
        .map_err(|errors| CommandError::from_diagnostics(ErrorKind::Config, errors))?;
    let environments: Vec<String> = workspace.config.environments.keys().cloned().collect();
    let started = std::time::Instant::now();
    let report = check(
        model,
        &loaded.sources,
        &config,
        &CheckOptions {
            environment: Some("prod"),
            environments: &environments,
            only: None,
        },
    );
    if !report.diagnostics.is_empty() {
        output::out(&output::human_diagnostics(
            &report.diagnostics,
            &loaded.sources,
            color,
        ));
    }
    let summary = Summary::of(&report.diagnostics);
    output::out(&format!(
        "   {} rules over {} assets in {:.1?}: {} errors, {} warnings, {} infos\n",
        report.rules_run,
        model.assets().len(),
        started.elapsed(),
        summary.errors,
        summary.warnings,
        summary.infos
    ));

    output::out("\n== 3. snapshot: freeze each bundle in the demo's own store\n");
    let author = demo_author(&workspace);
    let frozen: Vec<Frozen> = if loaded.has_errors() || summary.errors > 0 {
        output::out("   skipped: a release needs a workspace without errors\n");
        Vec::new()
    } else {
        let options = FreezeOptions {
            author: author.clone(),
            environments: environments.clone(),
            ..FreezeOptions::default()
        };
        model
            .of_kind(AssetKind::Bundle)
            .filter_map(|bundle| {
                freeze(
                    &workspace.root,
                    &loaded,
                    &config,
                    bundle.id.as_str(),
                    &options,
                )
                .ok()
            })
            .collect()
    };
    let rehearsed = frozen
        .iter()
        .find(|f| f.bundle == "lead-intake")
        .or_else(|| frozen.first())
        .cloned();
    let snapshots = if frozen.is_empty() {
        Exit::Success
    } else {
        block_on(snapshot_into(place.store(), frozen, author))
    };

    output::out("\n== 4. promote: plan, approve, apply, a bad release and its rollback\n");
    let promoted = match &rehearsed {
        None => {
            output::out("   skipped: nothing was frozen\n");
            Exit::Success
        }
        Some(bundle) => block_on(rehearse(&workspace, bundle, place.dir.join("rehearsal"))),
    };

    output::out("\n== 5. graph: how the assets reference each other (Mermaid)\n");
    let graph = write_graph(&place, model);
    output::out(&next_steps(
        &place,
        rehearsed.as_ref().map(|f| f.bundle.as_str()),
    ));
    let failed = loaded.has_errors()
        || summary.errors > 0
        || snapshots != Exit::Success
        || promoted != Exit::Success
        || graph != Exit::Success;
    super::release(loaded);
    Ok(if failed {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// Who the demo's snapshots are by: the person git names, else the story's builder; a
/// person id either way.
fn demo_author(workspace: &flowgate_load::Workspace) -> String {
    let policy = flowgate_release::Policy::from_workspace(workspace).ok();
    policy
        .and_then(|policy| super::store::resolve_person(&policy, None, &workspace.root).ok())
        .unwrap_or_else(|| super::demo_release::BUILDER.to_owned())
}

/// Store each frozen bundle as a new version when it changed: 1.0.0 the first time, then the
/// version its changes require, with the diff that requires it.
async fn snapshot_bundles(store: &AnyStore, frozen: Vec<Frozen>, author: String) -> Exit {
    output::out(&format!("   store: {}\n", store.location()));
    for bundle in frozen {
        let (previous, version, diff) = match changes_since_latest(store, &bundle).await {
            Err(e) => return demo_failure(&e.to_string()),
            Ok(None) => (None, "1.0.0".to_owned(), None),
            Ok(Some((previous, diff))) => {
                if diff.is_empty() {
                    output::out(&format!(
                        "   {} {}: unchanged since the last snapshot\n",
                        bundle.bundle, previous.version
                    ));
                    continue;
                }
                let Ok(before) = semver::Version::parse(&previous.version) else {
                    return demo_failure(&format!("`{}` is not a version", previous.version));
                };
                let version = diff.bump.apply(&before).to_string();
                (Some(previous), version, Some(diff))
            }
        };
        let snapshot = bundle.to_snapshot(
            &ReleaseVersion {
                version: &version,
                author: author.clone(),
                previous: previous.as_ref().map(|p| p.version.as_str()),
                required: diff.as_ref().map(|d| d.bump),
                override_reason: None,
            },
            SystemClock.now(),
        );
        match store.create_snapshot(&snapshot, &bundle.objects).await {
            Ok(created) => output::out(&format!(
                "   {} {} ({}): {} assets, {} new objects, id {}\n",
                bundle.bundle,
                version,
                bundle.release_id(&version),
                snapshot.entries.len(),
                created.new_objects,
                created.id.short()
            )),
            Err(e) => return demo_failure(&e.to_string()),
        }
        if let Some(diff) = diff {
            for line in render_human(&diff).lines() {
                let indent = if line.is_empty() { "" } else { "     " };
                output::out(&format!("{indent}{line}\n"));
            }
        }
    }
    Exit::Success
}

/// Runs `future` on a single-threaded runtime.
fn block_on(future: impl Future<Output = Exit>) -> Exit {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(future),
        Err(e) => demo_failure(&e.to_string()),
    }
}

/// Freezes the bundles into the demo's store at `path`, a rehearsal store made on first use.
async fn snapshot_into(path: PathBuf, frozen: Vec<Frozen>, author: String) -> Exit {
    let store = match open_rehearsal_store(&path).await {
        Ok(store) => store,
        Err(e) => return demo_failure(&format!("{}: {e}", path.display())),
    };
    let exit = snapshot_bundles(&store, frozen, author).await;
    store.close().await;
    exit
}

/// The SQLite store at `path`, marked as a rehearsal store when it is new.
async fn open_rehearsal_store(path: &Path) -> Result<AnyStore, flowgate_store::Error> {
    let store = SqliteStore::open(path).await?;
    if !store.is_rehearsal().await? {
        store.mark_rehearsal().await?;
    }
    Ok(AnyStore::Sqlite(store))
}

/// Runs the promotion rehearsal in `dir`.
async fn rehearse(workspace: &flowgate_load::Workspace, bundle: &Frozen, dir: PathBuf) -> Exit {
    match super::demo_release::run(workspace, bundle, &dir).await {
        Ok(()) => Exit::Success,
        Err(message) => {
            output::err(&format!("error: the promotion rehearsal: {message}\n"));
            Exit::Findings
        }
    }
}

/// Writes the Mermaid graph into the demo's directory and says where.
fn write_graph(place: &Place, model: &flowgate_model::Model) -> Exit {
    let path = place.dir.join("graph.mmd");
    let graph = render_asset_graph(model, GraphFormat::Mermaid, false);
    match std::fs::write(&path, &graph) {
        Ok(()) => {
            output::out(&format!(
                "   {} lines written to {} (paste it into a Markdown file or mermaid.live)\n",
                graph.lines().count(),
                path.display()
            ));
            Exit::Success
        }
        Err(e) => {
            output::err(&format!("error: {}: {e}\n", path.display()));
            Exit::BadInput
        }
    }
}

/// `path` as it can be pasted into a shell.
fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// What to try next, on the workspace and the stores this run used.
fn next_steps(place: &Place, bundle: Option<&str>) -> String {
    let ws = if place.workspace == Path::new(".") {
        "flowgate".to_owned()
    } else {
        format!("flowgate -C {}", shell_word(&place.workspace))
    };
    let store = shell_word(&place.store());
    let rehearsal = shell_word(&place.dir.join("rehearsal").join("store.db"));
    let mut next = String::from("\nNext:\n");
    if let Some(bundle) = bundle {
        next.push_str(&format!(
            "  {ws} --store {store} diff {bundle}\n      what changed since the demo's last snapshot\n"
        ));
    }
    next.push_str(&format!(
        "  flowgate --store {rehearsal} log\n      the rehearsal's audit trail\n\
         \x20 {ws} graph dot --steps | dot -Tsvg > steps.svg\n      every workflow's steps\n\
         \x20 {ws} check --env prod --format sarif\n      the release checklist for code scanning\n"
    ));
    if let Some(bundle) = bundle {
        next.push_str(&format!(
            "  {ws} snapshot create {bundle} --version 1.0.0 --as tom\n      a real release, in the workspace's own store (docs/releases.md)\n"
        ));
    }
    next
}

/// A store failure inside the demo's steps: reported, and the demo goes on to its next step.
fn demo_failure(message: &str) -> Exit {
    output::err(&format!("error: the store: {message}\n"));
    Exit::Unavailable
}
