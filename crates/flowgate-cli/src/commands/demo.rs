//! `flowgate demo`: the main job on the bundled example, stage by stage.

use crate::cli::{DemoArgs, GlobalArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_check::{check, parse_check_config, CheckOptions};
use flowgate_diagnostics::Summary;
use flowgate_model::{render_asset_graph, AssetKind, AssetSpec, GraphFormat};

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

    output::out("\n== 3. graph: how the assets reference each other (Mermaid)\n");
    output::out(&render_asset_graph(model, GraphFormat::Mermaid, false));
    output::out(
        "\nNext: `flowgate graph dot --steps -C examples/acme | dot -Tsvg > steps.svg` draws every workflow;\n`flowgate check -C examples/acme --format sarif` feeds code scanning.\n",
    );
    let failed = loaded.has_errors() || summary.errors > 0;
    super::release(loaded);
    if failed {
        Exit::Findings
    } else {
        Exit::Success
    }
}
