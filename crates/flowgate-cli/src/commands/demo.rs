//! `flowgate demo`: the main job on the bundled example, stage by stage.

use crate::cli::{DemoArgs, GlobalArgs};
use crate::exit::Exit;
use crate::output;
use flowgate_model::{render_asset_graph, AssetKind, GraphFormat};

/// Run the command.
pub fn run(args: &DemoArgs, global: &GlobalArgs) -> Exit {
    let global = GlobalArgs {
        workspace: args.dir.clone(),
        format: global.format,
        color: global.color,
    };
    let started = std::time::Instant::now();
    let (workspace, loaded) = match super::load(&global) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    output::out(&format!(
        "== 1. validate: workspace `{}` at {}\n",
        workspace.config.workspace.name,
        workspace.root.display()
    ));
    if !loaded.diagnostics.is_empty() {
        output::out(&output::human_diagnostics(
            &loaded.diagnostics,
            &loaded.sources,
            output::use_color(&global),
        ));
    }
    let model = &loaded.model;
    let counts: Vec<String> = AssetKind::ALL
        .iter()
        .map(|&k| (k, model.of_kind(k).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    output::out(&format!(
        "   {} assets in {} files loaded and resolved in {:.1?}: {}\n",
        model.assets().len(),
        model.files().len(),
        started.elapsed(),
        counts.join(", ")
    ));
    for bundle in model.of_kind(AssetKind::Bundle) {
        if let flowgate_model::AssetSpec::Bundle(spec) = &bundle.spec {
            let members = model.bundle_members(spec);
            output::out(&format!(
                "   bundle {}: {} members\n",
                bundle.id.value,
                members.len()
            ));
        }
    }
    output::out("\n== 2. graph: how the assets reference each other (Mermaid)\n");
    output::out(&render_asset_graph(model, GraphFormat::Mermaid, false));
    output::out(
        "\nNext: `flowgate graph dot --steps -C examples/acme | dot -Tsvg > steps.svg` draws every workflow.\n",
    );
    if loaded.has_errors() {
        Exit::Findings
    } else {
        Exit::Success
    }
}
