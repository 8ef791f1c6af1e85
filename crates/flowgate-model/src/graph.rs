//! The asset graph (assets and their references) and workflow step graphs, rendered as
//! Mermaid or Graphviz DOT.

use crate::references::Relation;
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
                let Some(target) = model.target(&reference) else {
                    continue;
                };
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
        AssetKind::Workflow | AssetKind::Flow => ("[[", "]]", "box3d"),
        AssetKind::Template => ("[/", "/]", "note"),
        AssetKind::Webhook => ("{{", "}}", "hexagon"),
        AssetKind::System => ("[(", ")]", "cylinder"),
        AssetKind::Integration => ("[>", "]", "cds"),
        AssetKind::Form => ("[\\", "/]", "trapezium"),
        AssetKind::Field => ("([", "])", "ellipse"),
        AssetKind::Tag | AssetKind::List => ("(", ")", "oval"),
        AssetKind::Bundle => ("[(", ")]", "folder"),
        AssetKind::Reconciliation => ("[/", "\\]", "parallelogram"),
        AssetKind::Watch => ("((", "))", "circle"),
        AssetKind::Consent | AssetKind::ScoringRule => ("[", "]", "box"),
    }
}

/// Node ids in rendered graphs are positional (`a0`, `w3s1`): asset and step ids may contain
/// characters Mermaid treats specially, differ only in `-` versus `_`, or be keywords
/// such as `end`.
fn asset_node(index: usize) -> String {
    format!("a{index}")
}

/// A character that a diagram cannot carry: a C0 control other than tab, line feed and
/// carriage return (they are folded where it matters), DEL, a C1 control, or one of the
/// noncharacters U+FFFE and U+FFFF. XML 1.0 forbids most of them, so an SVG rendered from the
/// diagram would not parse, and a terminal acts on them.
fn unprintable(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// Text for the inside of a quoted Graphviz DOT string (`label="…"`): `\` and `"` are
/// escaped, a line break becomes DOT's centred line break `\n`, and characters a diagram
/// cannot carry become U+FFFD, so a label always closes where flowgate closes it.
pub fn dot_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            c if unprintable(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for the inside of a quoted Mermaid label (`["…"]`, `|"…"|`), shown as written:
/// HTML and Mermaid's own syntax become Mermaid entity codes (`#lt;`, `#gt;`, `#amp;`,
/// `#quot;`, and `#35;` for `#` so that asset text cannot spell an entity itself), line
/// breaks become spaces, and characters a diagram cannot carry become U+FFFD. Mermaid renders
/// labels as HTML, so a `<script>` or `<img>` in a name never reaches its sanitizer as markup.
pub fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push(' '),
            c if unprintable(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Render the asset graph of `model`; with `include_bundles` false, bundle membership edges
/// are left out (they make large graphs unreadable).
pub fn render_asset_graph(model: &Model, format: GraphFormat, include_bundles: bool) -> String {
    let graph = AssetGraph::build(model);
    let position: HashMap<&AssetId, usize> = model
        .assets()
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.id.value, i))
        .collect();
    let node = |id: &AssetId| asset_node(position.get(id).copied().unwrap_or(usize::MAX));
    let mut out = String::new();
    let skip = |id: &AssetId| {
        !include_bundles && model.get(id).is_some_and(|a| a.kind() == AssetKind::Bundle)
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
                    node(&asset.id.value),
                    open,
                    mermaid_escape(asset.display_name()),
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
                    node(from),
                    graph.graph[edge].label(),
                    node(to)
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
        StepAction::AssignOwner { strategy, .. } => {
            format!("assign owner ({})", strategy.as_str())
        }
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
                .map(|arm| {
                    arm.name
                        .clone()
                        .unwrap_or_else(|| arm.condition.source.clone())
                })
                .unwrap_or_default(),
        ),
        (StepAction::Split { paths }, EdgeKind::Split(i)) => paths.get(i).map(|p| match &p.name {
            Some(name) => format!("{name} {}%", p.percent.value),
            None => format!("{}%", p.percent.value),
        }),
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
    for (index, asset) in model.assets().iter().enumerate() {
        if let AssetSpec::Workflow(workflow) = &asset.spec {
            render_workflow(&mut out, index, asset.display_name(), workflow, format);
        }
    }
    if format == GraphFormat::Dot {
        out.push_str("}\n");
    }
    out
}

fn render_workflow(
    out: &mut String,
    index: usize,
    name: &str,
    workflow: &Workflow,
    format: GraphFormat,
) {
    let positions: HashMap<&str, usize> = workflow
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let node = |step: &str| match positions.get(step) {
        Some(i) => format!("w{index}s{i}"),
        None => format!("w{index}_missing"),
    };
    let id = format!("w{index}");
    let start = format!("w{index}start");
    match format {
        GraphFormat::Mermaid => {
            let _ = writeln!(out, "  subgraph {id}[\"{}\"]", mermaid_escape(name));
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
                    mermaid_escape(&step_label(&step.action)),
                    shape.1
                );
                for (kind, target) in step.action.edges() {
                    match edge_label(&step.action, kind) {
                        Some(label) => {
                            let _ = writeln!(
                                out,
                                "    {} -->|\"{}\"| {}",
                                node(step.id.as_str()),
                                mermaid_escape(&label),
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
                "  subgraph \"cluster_{id}\" {{\n    label=\"{}\";",
                dot_escape(name)
            );
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

/// The asset graph as a JSON document: `{"nodes": [{id, kind, name}], "edges": [{from, to, relation}]}`.
pub fn asset_graph_json(model: &Model) -> serde_json::Value {
    let graph = AssetGraph::build(model);
    let nodes: Vec<_> = model
        .assets()
        .iter()
        .map(|a| {
            serde_json::json!({
                "id": a.id.as_str(),
                "kind": a.kind().as_str(),
                "name": a.display_name(),
            })
        })
        .collect();
    let edges: Vec<_> = graph
        .graph
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = graph.graph.edge_endpoints(e)?;
            Some(serde_json::json!({
                "from": graph.graph[a].as_str(),
                "to": graph.graph[b].as_str(),
                "relation": graph.graph[e].label(),
            }))
        })
        .collect();
    serde_json::json!({ "nodes": nodes, "edges": edges })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_labels_always_close() {
        assert_eq!(dot_escape("plain name"), "plain name");
        assert_eq!(dot_escape("trailing\\"), "trailing\\\\");
        assert_eq!(dot_escape("say \"hi\""), "say \\\"hi\\\"");
        assert_eq!(dot_escape("two\r\nlines\nthree"), "two\\nlines\\nthree");
        assert_eq!(dot_escape("esc\u{1b}[2K"), "esc\u{fffd}[2K");
    }

    #[test]
    fn mermaid_labels_show_html_and_entities_as_written() {
        assert_eq!(mermaid_escape("Order export"), "Order export");
        assert_eq!(
            mermaid_escape("<script>alert(1)</script>"),
            "#lt;script#gt;alert(1)#lt;/script#gt;"
        );
        assert_eq!(
            mermaid_escape("a \"b\" & #lt; c|d `e`"),
            "a #quot;b#quot; #amp; #35;lt; c#124;d #96;e#96;"
        );
        assert_eq!(mermaid_escape("one\r\ntwo\nthree"), "one two three");
        assert_eq!(mermaid_escape("bell\u{7}\u{9b}"), "bell\u{fffd}\u{fffd}");
    }
}
