//! `flowgate graph`: the asset graph or the step graphs as Mermaid or DOT.

use crate::cli::{GlobalArgs, GraphArgs, GraphSyntax};
use crate::exit::Exit;
use crate::output;
use flowgate_model::{render_asset_graph, render_step_graphs, GraphFormat};

/// Run the command.
pub fn run(args: &GraphArgs, global: &GlobalArgs) -> Exit {
    let (_, loaded) = match super::load(global) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    if loaded.has_errors() {
        output::err(&output::human_diagnostics(&loaded.diagnostics, &loaded.sources, false));
        output::err("the graph below leaves out the assets that failed to load\n");
    }
    let format = match args.syntax {
        GraphSyntax::Mermaid => GraphFormat::Mermaid,
        GraphSyntax::Dot => GraphFormat::Dot,
    };
    let text = if args.steps {
        render_step_graphs(&loaded.model, format)
    } else {
        render_asset_graph(&loaded.model, format, args.bundles)
    };
    output::out(&text);
    if loaded.has_errors() {
        Exit::Findings
    } else {
        Exit::Success
    }
}
