//! The asset graph (assets and their references) and workflow step graphs, rendered as
//! Mermaid or Graphviz DOT.

use crate::references::{Relation, Target};
use crate::workflow::EdgeKind;
use crate::{AssetId, AssetKind, AssetSpec, Model, StepAction, Workflow};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

/// Assets as nodes, resolved references as edges labelled with their [`Relation`].
#[derive(Debug, Clone, Default)]
pub struct AssetGraph {
    /// The graph; node weights are asset ids.
    pub graph: DiGraph<AssetId, Relation>,
    nodes: HashMap<AssetId, NodeIndex>,
}

impl AssetGraph {
    /// Build the graph of every resolvable reference in the model (duplicate edges between
    /// the same pair with the same relation are merged).
    pub fn build(model: &Model) -> Self {
        let mut graph = DiGraph::new();
        let mut nodes = HashMap::new();
        for asset in model.assets() {
            let index = graph.add_node(asset.id.value.clone());
            nodes.insert(asset.id.value.clone(), index);
        }
        let mut seen = BTreeSet::new();
        for asset in model.assets() {
            let Some(&from) = nodes.get(&asset.id.value) else {
                continue;
            };
            for reference in asset.references() {
                let target = match reference.target {
                    Target::Asset(id) => model.get(&id.value),
                    Target::Field(field_use) => model.field_for(&field_use.value),
                };
                let Some(target) = target else { continue };
                let Some(&to) = nodes.get(&target.id.value) else {
                    continue;
                };
                if seen.insert((from, to, reference.relation)) {
                    graph.add_edge(from, to, reference.relation);
                }
            }
        }
        Self { graph, nodes }
    }

    /// The node of an asset.
    pub fn node(&self, id: &AssetId) -> Option<NodeIndex> {
        self.nodes.get(id).copied()
    }
}

/// Which graph to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Mermaid `flowchart`.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

fn kind_shape(kind: AssetKind) -> (&'static str, &'static str, &'static str) {
    // (mermaid open, mermaid close, dot shape)
    match kind {
        AssetKind::Workflow => ("[[", "]]", "box3d"),
        AssetKind::Template => ("[/", "/]", "note"),
        AssetKind::Webhook => ("{{", "}}", "hexagon"),
        AssetKind::Form => ("[\\", "/]", "trapezium"),
        AssetKind::Field => ("([", "])", "ellipse"),
        AssetKind::Tag | AssetKind::List => ("(", ")", "oval"),
        AssetKind::Bundle => ("[(", ")]", "folder"),
        AssetKind::Consent | AssetKind::ScoringRule => ("[", "]", "box"),
    }
}

fn mermaid_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn escape_label(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "'")
}

fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Render the asset graph of `model`; with `include_bundles` false, bundle membership edges
/// are left out (they make large graphs unreadable).
pub fn render_asset_graph(model: &Model, format: GraphFormat, include_bundles: bool) -> String {
    let graph = AssetGraph::build(model);
    let mut out = String::new();
    let skip = |id: &AssetId| {
        !include_bundles
            && model
                .get(id)
                .is_some_and(|a| a.kind() == AssetKind::Bundle)
    };
    match format {
        GraphFormat::Mermaid => {
            out.push_str("flowchart LR\n");
            for asset in model.assets() {
                if skip(&asset.id.value) {
                    continue;
                }
                let (open, close, _) = kind_shape(asset.kind());
                let _ = writeln!(
                    out,
                    "  {}{}\"{}<br/><small>{}</small>\"{}",
                    mermaid_id(asset.id.as_str()),
                    open,
                    escape_label(asset.display_name()),
                    asset.kind(),
                    close
                );
            }
            for edge in graph.graph.edge_indices() {
                let Some((a, b)) = graph.graph.edge_endpoints(edge) else {
                    continue;
                };
                let (from, to) = (&graph.graph[a], &graph.graph[b]);
                if skip(from) || skip(to) {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "  {} -->|{}| {}",
                    mermaid_id(from.as_str()),
                    graph.graph[edge].label(),
                    mermaid_id(to.as_str())
                );
            }
        }
        GraphFormat::Dot => {
            out.push_str("digraph assets {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
            for asset in model.assets() {
                if skip(&asset.id.value) {
                    continue;
                }
                let (_, _, shape) = kind_shape(asset.kind());
                let _ = writeln!(
                    out,
                    "  \"{}\" [shape={}, label=\"{}\\n({})\"];",
                    dot_escape(asset.id.as_str()),
                    shape,
                    dot_escape(asset.display_name()),
                    asset.kind()
                );
            }
            for edge in graph.graph.edge_indices() {
                let Some((a, b)) = graph.graph.edge_endpoints(edge) else {
                    continue;
                };
                let (from, to) = (&graph.graph[a], &graph.graph[b]);
                if skip(from) || skip(to) {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "  \"{}\" -> \"{}\" [label=\"{}\"];",
                    dot_escape(from.as_str()),
                    dot_escape(to.as_str()),
                    graph.graph[edge].label()
                );
            }
            out.push_str("}\n");
        }
    }
    out
}

fn step_label(action: &StepAction) -> String {
    match action {
        StepAction::SendEmail { template, .. } => format!("send email {}", template.value),
        StepAction::SendSms { template, .. } => format!("send SMS {}", template.value),
        StepAction::AddTag { tag, .. } => format!("add tag {}", tag.value),
        StepAction::RemoveTag { tag, .. } => format!("remove tag {}", tag.value),
        StepAction::AddToList { list, .. } => format!("add to {}", list.value),
        StepAction::RemoveFromList { list, .. } => format!("remove from {}", list.value),
        StepAction::SetField { field, .. } => format!("set {}", field.value),
        StepAction::Wait {
            duration,
            until_field,
            until_window,
            ..
        } => match (duration, until_field, until_window) {
            (Some(d), _, _) => format!("wait {d}"),
            (_, Some(f), _) => format!("wait until {}", f.value),
            (_, _, Some(w)) => format!("wait until {}–{}", w.start, w.end),
            _ => "wait".to_owned(),
        },
        StepAction::Branch { .. } => "branch".to_owned(),
        StepAction::Split { .. } => "split".to_owned(),
        StepAction::CallWebhook { webhook, .. } => format!("call {}", webhook.value),
        StepAction::Enroll { workflow, .. } => format!("enroll in {}", workflow.value),
        StepAction::AssignOwner { strategy, .. } => format!("assign owner ({strategy:?})"),
        StepAction::AdjustScore { field, by, .. } => format!("{} {by:+}", field.value),
        StepAction::Notify { .. } => "notify".to_owned(),
        StepAction::Exit {} => "exit".to_owned(),
    }
}

fn edge_label(action: &StepAction, kind: EdgeKind) -> Option<String> {
    match (action, kind) {
        (_, EdgeKind::Next) => None,
        (StepAction::Branch { branches, .. }, EdgeKind::Branch(i)) => Some(
            branches
                .get(i)
                .map(|arm| arm.name.clone().unwrap_or_else(|| arm.condition.source.clone()))
                .unwrap_or_default(),
        ),
        (StepAction::Split { paths }, EdgeKind::Split(i)) => paths
            .get(i)
            .map(|p| format!("{}%", p.percent.value)),
        (_, EdgeKind::Default) => Some("default".to_owned()),
        (_, EdgeKind::OnError) => Some("on error".to_owned()),
        _ => None,
    }
}

/// Render the step graph of every workflow in `model` (one subgraph per workflow).
pub fn render_step_graphs(model: &Model, format: GraphFormat) -> String {
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => out.push_str("flowchart TD\n"),
        GraphFormat::Dot => out.push_str(
            "digraph steps {\n  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=rounded];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        ),
    }
    for asset in model.assets() {
        if let AssetSpec::Workflow(workflow) = &asset.spec {
            render_workflow(&mut out, asset.id.as_str(), asset.display_name(), workflow, format);
        }
    }
    if format == GraphFormat::Dot {
        out.push_str("}\n");
    }
    out
}

fn render_workflow(out: &mut String, id: &str, name: &str, workflow: &Workflow, format: GraphFormat) {
    let node = |step: &str| format!("{}__{}", mermaid_id(id), mermaid_id(step));
    match format {
        GraphFormat::Mermaid => {
            let _ = writeln!(out, "  subgraph {}[\"{}\"]", mermaid_id(id), escape_label(name));
            let start = format!("{}__start", mermaid_id(id));
            let _ = writeln!(out, "    {start}((start))");
            if let Some(first) = workflow.start_step() {
                let _ = writeln!(out, "    {start} --> {}", node(first.as_str()));
            }
            for step in &workflow.steps {
                let shape = match step.action {
                    StepAction::Branch { .. } | StepAction::Split { .. } => ("{", "}"),
                    StepAction::Exit {} => ("([", "])"),
                    _ => ("[", "]"),
                };
                let _ = writeln!(
                    out,
                    "    {}{}\"{}\"{}",
                    node(step.id.as_str()),
                    shape.0,
                    escape_label(&step_label(&step.action)),
                    shape.1
                );
                for (kind, target) in step.action.edges() {
                    match edge_label(&step.action, kind) {
                        Some(label) => {
                            let _ = writeln!(
                                out,
                                "    {} -->|\"{}\"| {}",
                                node(step.id.as_str()),
                                escape_label(&label),
                                node(target.as_str())
                            );
                        }
                        None => {
                            let _ = writeln!(
                                out,
                                "    {} --> {}",
                                node(step.id.as_str()),
                                node(target.as_str())
                            );
                        }
                    }
                }
            }
            out.push_str("  end\n");
        }
        GraphFormat::Dot => {
            let _ = writeln!(
                out,
                "  subgraph \"cluster_{}\" {{\n    label=\"{}\";",
                dot_escape(id),
                dot_escape(name)
            );
            let start = format!("{}__start", mermaid_id(id));
            let _ = writeln!(out, "    \"{start}\" [shape=circle, label=\"start\"];");
            if let Some(first) = workflow.start_step() {
                let _ = writeln!(out, "    \"{start}\" -> \"{}\";", node(first.as_str()));
            }
            for step in &workflow.steps {
                let shape = match step.action {
                    StepAction::Branch { .. } | StepAction::Split { .. } => ", shape=diamond",
                    StepAction::Exit {} => ", shape=doublecircle",
                    _ => "",
                };
                let _ = writeln!(
                    out,
                    "    \"{}\" [label=\"{}\"{}];",
                    node(step.id.as_str()),
                    dot_escape(&step_label(&step.action)),
                    shape
                );
                for (kind, target) in step.action.edges() {
                    let label = edge_label(&step.action, kind)
                        .map(|l| format!(" [label=\"{}\"]", dot_escape(&l)))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "    \"{}\" -> \"{}\"{};",
                        node(step.id.as_str()),
                        node(target.as_str()),
                        label
                    );
                }
            }
            out.push_str("  }\n");
        }
    }
}
