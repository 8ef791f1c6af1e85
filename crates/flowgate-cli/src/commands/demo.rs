//! `flowgate demo`: the main job on the bundled example, stage by stage.

use crate::cli::{DemoArgs, GlobalArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_check::{check, parse_check_config, CheckOptions};
use flowgate_diagnostics::Summary;
use flowgate_diff::render_human;
use flowgate_model::{render_asset_graph, AssetKind, AssetSpec, GraphFormat};
use flowgate_release::{changes_since_latest, freeze, FreezeOptions, Frozen, ReleaseVersion};
use flowgate_store::{AnyStore, Clock, Store, SystemClock};

/// Run the command.
pub fn run(args: &DemoArgs, global: &GlobalArgs) -> Exit {
    let global = GlobalArgs {
        workspace: args.dir.clone(),
        format: global.format,
        color: global.color,
        store: global.store.clone(),
    };
    let color = output::use_color(&global);
    let started = std::time::Instant::now();
    let (workspace, loaded) = match super::load(&global) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
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
    let config = match parse_check_config(&workspace.config_text, flowgate_load::CONFIG_FILE) {
        Ok(config) => config,
        Err(errors) => {
            for error in &errors {
                output::fatal(error, &global);
            }
            return Exit::BadInput;
        }
    };
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

    output::out("\n== 3. snapshot: freeze each bundle in the embedded store\n");
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
        super::store::with_store(&global, |store| async move {
            let exit = snapshot_bundles(&store, frozen, author).await;
            (store, exit)
        })
    };

    output::out("\n== 4. promote: plan, approve, apply, a bad release and its rollback\n");
    let promoted = match &rehearsed {
        None => {
            output::out("   skipped: nothing was frozen\n");
            Exit::Success
        }
        Some(bundle) => rehearse(&workspace, bundle),
    };

    output::out("\n== 5. graph: how the assets reference each other (Mermaid)\n");
    output::out(&render_asset_graph(model, GraphFormat::Mermaid, false));
    output::out(
        "\nNext: `flowgate diff lead-intake -C examples/acme` shows what changed since the last snapshot;\n`flowgate graph dot --steps -C examples/acme | dot -Tsvg > steps.svg` draws every workflow;\n`flowgate plan lead-intake --to dev -C examples/acme --as tom` plans a real promotion;\n`flowgate check -C examples/acme --format sarif` feeds code scanning.\n",
    );
    let failed = loaded.has_errors()
        || summary.errors > 0
        || snapshots != Exit::Success
        || promoted != Exit::Success;
    super::release(loaded);
    if failed {
        Exit::Findings
    } else {
        Exit::Success
    }
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

/// Runs the promotion rehearsal on its own runtime.
fn rehearse(workspace: &flowgate_load::Workspace, bundle: &Frozen) -> Exit {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return demo_failure(&e.to_string()),
    };
    match runtime.block_on(super::demo_release::run(workspace, bundle)) {
        Ok(()) => Exit::Success,
        Err(message) => {
            output::err(&format!("error: the promotion rehearsal: {message}\n"));
            Exit::Findings
        }
    }
}

fn demo_failure(message: &str) -> Exit {
    output::err(&format!("error: the store: {message}\n"));
    Exit::BadInput
}
