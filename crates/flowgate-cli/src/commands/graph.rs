//! `flowgate graph`: the asset graph or the step graphs as Mermaid, DOT or JSON.

use crate::cli::{Format, GlobalArgs, GraphArgs, GraphSyntax};
use crate::error::CommandResult;
use crate::exit::Exit;
use crate::output;
use flowgate_model::{
    asset_graph_json, render_asset_graph, render_step_graphs, AssetSpec, GraphFormat, Model,
};

/// Run the command.
pub fn run(args: &GraphArgs, global: &GlobalArgs) -> CommandResult {
    let (_, loaded) = super::load(global)?;
    if global.format == Format::Json {
        let graph = if args.steps {
            steps_json(&loaded.model)
        } else {
            asset_graph_json(&loaded.model)
        };
        let document = serde_json::json!({
            "version": 1,
            "graph": graph,
            "diagnostics": loaded.diagnostics,
        });
        output::out(&format!("{document:#}\n"));
    } else {
        if loaded.has_errors() {
            output::err(&output::human_diagnostics(
                &loaded.diagnostics,
                &loaded.sources,
                false,
            ));
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
    }
    let exit = if loaded.has_errors() {
        Exit::Findings
    } else {
        Exit::Success
    };
    super::release(loaded);
    Ok(exit)
}

fn steps_json(model: &Model) -> serde_json::Value {
    let workflows: Vec<_> = model
        .assets()
        .iter()
        .filter_map(|asset| match &asset.spec {
            AssetSpec::Workflow(workflow) => Some(serde_json::json!({
                "id": asset.id.as_str(),
                "start": workflow.start_step().map(|s| s.as_str()),
                "steps": workflow.steps.iter().map(|step| serde_json::json!({
                    "id": step.id.as_str(),
                    "type": step.action.type_name(),
                    "next": step.action.edges().iter().map(|(_, to)| to.as_str()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })),
            _ => None,
        })
        .collect();
    serde_json::json!({ "workflows": workflows })
}
