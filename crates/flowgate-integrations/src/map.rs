//! The data-flow map: systems as nodes, integrations as labelled edges coloured by risk
//! class, as Mermaid, Graphviz DOT or SVG.
//!
//! The SVG is laid out here, without Graphviz: the busiest system (the shop, in a commerce
//! landscape) is the middle column; systems that mostly send to it go left of it, systems
//! that mostly receive go right, and systems further away one column further out. Rows are
//! ordered by the mean row of their neighbours (a few barycentre sweeps) to keep edges
//! short, and parallel edges between two systems are fanned out so their labels do not
//! overlap.

use crate::risk::{RiskAssessment, RiskClass};
use crate::Inventory;
use flowgate_model::{dot_escape, mermaid_escape, Direction, Lifecycle};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One edge of the map.
#[derive(Debug, Clone)]
struct Edge {
    id: String,
    label: String,
    from: String,
    to: String,
    class: RiskClass,
    both_ways: bool,
    deprecated: bool,
}

/// Systems and flows to draw.
struct Graph {
    /// System id → (name, category).
    nodes: BTreeMap<String, (String, String)>,
    edges: Vec<Edge>,
}

fn graph(inventory: &Inventory<'_>, risks: &[RiskAssessment]) -> Graph {
    let class: BTreeMap<&str, RiskClass> = risks.iter().map(|r| (r.id.as_str(), r.class)).collect();
    let mut nodes = BTreeMap::new();
    for (id, (asset, system)) in &inventory.systems {
        nodes.insert(
            (*id).to_owned(),
            (
                asset.display_name().to_owned(),
                system.category.as_str().to_owned(),
            ),
        );
    }
    let mut edges = Vec::new();
    for flow in &inventory.flows {
        for end in [&flow.spec.source, &flow.spec.target] {
            nodes
                .entry(end.as_str().to_owned())
                .or_insert_with(|| (end.as_str().to_owned(), "unknown".to_owned()));
        }
        edges.push(Edge {
            id: flow.id().to_owned(),
            label: flow.asset.display_name().to_owned(),
            from: flow.spec.source.as_str().to_owned(),
            to: flow.spec.target.as_str().to_owned(),
            class: class.get(flow.id()).copied().unwrap_or(RiskClass::Low),
            both_ways: flow.spec.direction.value == Direction::Bidirectional,
            deprecated: flow.spec.lifecycle.value == Lifecycle::Deprecated,
        });
    }
    Graph { nodes, edges }
}

fn colour(class: RiskClass) -> &'static str {
    match class {
        RiskClass::High => "#c62828",
        RiskClass::Medium => "#ef8f00",
        RiskClass::Low => "#2e7d32",
    }
}

/// The map as a Mermaid flowchart.
pub fn mermaid(inventory: &Inventory<'_>, risks: &[RiskAssessment]) -> String {
    let g = graph(inventory, risks);
    let index: BTreeMap<&str, usize> = g
        .nodes
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let node = |id: &str| format!("s{}", index.get(id).copied().unwrap_or(0));
    let mut out = String::from("flowchart LR\n");
    for (id, (name, category)) in &g.nodes {
        let _ = writeln!(
            out,
            "  {}[(\"{}<br/><small>{}</small>\")]",
            node(id),
            mermaid_escape(name),
            category
        );
    }
    for edge in &g.edges {
        let arrow = match (edge.both_ways, edge.deprecated) {
            (true, true) => "<-.->",
            (true, false) => "<-->",
            (false, true) => "-.->",
            (false, false) => "-->",
        };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            node(&edge.from),
            mermaid_escape(&edge.label),
            node(&edge.to)
        );
    }
    for (i, edge) in g.edges.iter().enumerate() {
        let _ = writeln!(
            out,
            "  linkStyle {i} stroke:{},stroke-width:2px",
            colour(edge.class)
        );
    }
    out
}

/// The map as Graphviz DOT.
pub fn dot(inventory: &Inventory<'_>, risks: &[RiskAssessment]) -> String {
    let g = graph(inventory, risks);
    let mut out = String::from(
        "digraph integrations {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f7fa\", fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for (id, (name, category)) in &g.nodes {
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\\n({})\"];",
            dot_escape(id),
            dot_escape(name),
            category
        );
    }
    for edge in &g.edges {
        let mut attrs = vec![
            format!("label=\"{}\"", dot_escape(&edge.label)),
            format!("color=\"{}\"", colour(edge.class)),
            format!("fontcolor=\"{}\"", colour(edge.class)),
            format!("tooltip=\"{} ({} risk)\"", dot_escape(&edge.id), edge.class),
        ];
        if edge.both_ways {
            attrs.push("dir=both".to_owned());
        }
        if edge.deprecated {
            attrs.push("style=dashed".to_owned());
        }
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [{}];",
            dot_escape(&edge.from),
            dot_escape(&edge.to),
            attrs.join(", ")
        );
    }
    out.push_str("}\n");
    out
}

/// Column of every system: the hub in the middle, senders left, receivers right.
fn layers(g: &Graph) -> BTreeMap<String, i32> {
    let mut degree: BTreeMap<&str, usize> = g.nodes.keys().map(|k| (k.as_str(), 0)).collect();
    for e in &g.edges {
        *degree.entry(e.from.as_str()).or_default() += 1;
        *degree.entry(e.to.as_str()).or_default() += 1;
    }
    let mut layer: BTreeMap<String, i32> = BTreeMap::new();
    let mut remaining: BTreeSet<&str> = g.nodes.keys().map(String::as_str).collect();
    // Net flow between two systems: positive when `a` mostly sends to `b`.
    let net = |a: &str, b: &str| -> i32 {
        g.edges
            .iter()
            .map(|e| {
                let sends = i32::from(e.from == a && e.to == b);
                let receives = i32::from(e.from == b && e.to == a);
                sends - receives
            })
            .sum()
    };
    while !remaining.is_empty() {
        // The busiest system not yet placed anchors its connected part.
        let Some(hub) = remaining
            .iter()
            .copied()
            .max_by(|a, b| degree[a].cmp(&degree[b]).then(b.cmp(a)))
        else {
            break;
        };
        remaining.remove(hub);
        layer.insert(hub.to_owned(), 0);
        // The hub's neighbours: the half that sends most to it goes left, the rest right,
        // so both sides share the edges.
        let mut around: Vec<(i32, &str)> = g
            .edges
            .iter()
            .flat_map(|e| [e.from.as_str(), e.to.as_str()])
            .filter(|n| remaining.contains(n))
            .filter(|n| {
                g.edges
                    .iter()
                    .any(|e| (e.from == *n && e.to == hub) || (e.to == *n && e.from == hub))
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|n| (net(hub, n), n))
            .collect();
        around.sort();
        let left = around.len() / 2;
        let mut frontier = Vec::new();
        for (i, (_, n)) in around.into_iter().enumerate() {
            remaining.remove(n);
            layer.insert(n.to_owned(), if i < left { -1 } else { 1 });
            frontier.push(n.to_owned());
        }
        // Further out: one column beyond the neighbour that reaches them.
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for placed in &frontier {
                let base = layer.get(placed).copied().unwrap_or(0);
                let reached: BTreeSet<&str> = g
                    .edges
                    .iter()
                    .filter_map(|e| {
                        if e.from == *placed && remaining.contains(e.to.as_str()) {
                            Some(e.to.as_str())
                        } else if e.to == *placed && remaining.contains(e.from.as_str()) {
                            Some(e.from.as_str())
                        } else {
                            None
                        }
                    })
                    .collect();
                for neighbour in reached {
                    remaining.remove(neighbour);
                    let side = if base == 0 { 1 } else { base.signum() };
                    layer.insert(neighbour.to_owned(), base + side);
                    next.push(neighbour.to_owned());
                }
            }
            frontier = next;
        }
    }
    let min = layer.values().copied().min().unwrap_or(0);
    layer.values_mut().for_each(|l| *l -= min);
    layer
}

const NODE_W: f64 = 200.0;
const NODE_H: f64 = 58.0;
const COLUMN_GAP: f64 = 340.0;
const ROW_GAP: f64 = 76.0;
const MARGIN: f64 = 40.0;
const TOP: f64 = 70.0;

/// Text for SVG character data or a quoted attribute: `& < > " '` become entities, and the
/// characters XML 1.0 cannot carry (C0 controls other than tab, line feed and carriage
/// return, U+FFFE, U+FFFF) become U+FFFD, so the document stays well-formed whatever an asset
/// name holds.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || matches!(c, '\u{fffe}' | '\u{ffff}') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Place systems in columns and rows; returns id → (column, row index, rows in column).
fn place(g: &Graph) -> BTreeMap<String, (i32, usize)> {
    let layer = layers(g);
    let columns = layer.values().copied().max().unwrap_or(0);
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); columns as usize + 1];
    for (id, l) in &layer {
        rows[*l as usize].push(id.clone());
    }
    // Barycentre sweeps: order each column by the mean row of its neighbours.
    let neighbours = |id: &str| -> Vec<&str> {
        g.edges
            .iter()
            .filter_map(|e| {
                if e.from == id {
                    Some(e.to.as_str())
                } else if e.to == id {
                    Some(e.from.as_str())
                } else {
                    None
                }
            })
            .collect()
    };
    for _ in 0..4 {
        let position: BTreeMap<String, f64> = rows
            .iter()
            .flat_map(|column| {
                let n = column.len() as f64;
                column
                    .iter()
                    .enumerate()
                    .map(move |(i, id)| (id.clone(), i as f64 - (n - 1.0) / 2.0))
            })
            .collect();
        for column in rows.iter_mut() {
            let mut keyed: Vec<(f64, String)> = column
                .iter()
                .map(|id| {
                    let near = neighbours(id);
                    let mean = if near.is_empty() {
                        position.get(id).copied().unwrap_or(0.0)
                    } else {
                        near.iter()
                            .map(|n| position.get(*n).copied().unwrap_or(0.0))
                            .sum::<f64>()
                            / near.len() as f64
                    };
                    (mean, id.clone())
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *column = keyed.into_iter().map(|(_, id)| id).collect();
        }
    }
    let mut out = BTreeMap::new();
    for (l, column) in rows.iter().enumerate() {
        for (i, id) in column.iter().enumerate() {
            out.insert(id.clone(), (l as i32, i));
        }
    }
    out
}

/// Where each system's box sits: its column and row, and the rows' spacing.
struct Layout {
    placed: BTreeMap<String, (i32, usize)>,
    per_column: BTreeMap<i32, usize>,
    height_body: f64,
    columns: i32,
}

impl Layout {
    fn of(g: &Graph) -> Self {
        let placed = place(g);
        let columns = placed.values().map(|(l, _)| *l).max().unwrap_or(0) + 1;
        let mut per_column: BTreeMap<i32, usize> = BTreeMap::new();
        for (l, _) in placed.values() {
            *per_column.entry(*l).or_default() += 1;
        }
        // Room per row: parallel edges need vertical space for their labels.
        let busiest = per_column.values().copied().max().unwrap_or(1);
        let height_body = busiest as f64 * (NODE_H + ROW_GAP);
        Self {
            placed,
            per_column,
            height_body,
            columns,
        }
    }

    /// The centre of a system's box.
    fn centre(&self, id: &str) -> (f64, f64) {
        let (l, i) = self.placed.get(id).copied().unwrap_or((0, 0));
        let n = self.per_column.get(&l).copied().unwrap_or(1) as f64;
        let x = MARGIN + l as f64 * (NODE_W + COLUMN_GAP) + NODE_W / 2.0;
        let y = TOP + self.height_body / 2.0 + (i as f64 - (n - 1.0) / 2.0) * (NODE_H + ROW_GAP);
        (x, y)
    }

    fn width(&self) -> f64 {
        MARGIN * 2.0 + self.columns as f64 * NODE_W + (self.columns - 1).max(0) as f64 * COLUMN_GAP
    }

    fn height(&self) -> f64 {
        TOP + self.height_body + 90.0
    }
}

/// The map as a standalone SVG document.
pub fn svg(inventory: &Inventory<'_>, risks: &[RiskAssessment], title: &str) -> String {
    let g = graph(inventory, risks);
    let layout = Layout::of(&g);
    let mut out = svg_head(layout.width(), layout.height(), title);
    let labels = svg_edges(&g, &layout, &mut out);
    // Nodes above edges, labels above nodes.
    svg_nodes(&g, &layout, &mut out);
    out.push_str(&labels);
    svg_legend(layout.height() - 40.0, &mut out);
    out.push_str("</svg>\n");
    out
}

/// The document's start: size, arrow markers, background and title.
fn svg_head(width: f64, height: f64, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"Helvetica, Arial, sans-serif\">"
    );
    out.push_str("  <defs>\n");
    for class in [RiskClass::High, RiskClass::Medium, RiskClass::Low] {
        let _ = writeln!(
            out,
            "    <marker id=\"arrow-{class}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker>",
            colour(class)
        );
    }
    out.push_str("  </defs>\n");
    let _ = writeln!(
        out,
        "  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n  <text x=\"{MARGIN}\" y=\"36\" font-size=\"20\" font-weight=\"bold\" fill=\"#1f2933\">{}</text>",
        xml(title)
    );
    out
}

/// A cubic Bézier curve: start, two control points, end.
#[derive(Clone, Copy)]
struct Curve {
    s: (f64, f64),
    c1: (f64, f64),
    c2: (f64, f64),
    e: (f64, f64),
}

impl Curve {
    /// The point at `t` (0 at the start, 1 at the end).
    fn at(&self, t: f64) -> (f64, f64) {
        let u = 1.0 - t;
        let mix = |a: f64, b: f64, c: f64, d: f64| {
            u * u * u * a + 3.0 * u * u * t * b + 3.0 * u * t * t * c + t * t * t * d
        };
        (
            mix(self.s.0, self.c1.0, self.c2.0, self.e.0),
            mix(self.s.1, self.c1.1, self.c2.1, self.e.1),
        )
    }
}

/// Every edge's curve into `out`; their labels, returned, go above the nodes. Parallel edges
/// between the same two systems fan out.
fn svg_edges(g: &Graph, layout: &Layout, out: &mut String) -> String {
    let mut groups: BTreeMap<(String, String), Vec<&Edge>> = BTreeMap::new();
    for e in &g.edges {
        let key = if e.from <= e.to {
            (e.from.clone(), e.to.clone())
        } else {
            (e.to.clone(), e.from.clone())
        };
        groups.entry(key).or_default().push(e);
    }
    let mut labels = String::new();
    let mut placed_labels: Vec<(f64, f64, f64)> = Vec::new();
    for edges in groups.values() {
        let n = edges.len() as f64;
        for (k, e) in edges.iter().enumerate() {
            let spread = (k as f64 - (n - 1.0) / 2.0) * 26.0;
            let curve = edge_curve(layout.centre(&e.from), layout.centre(&e.to), spread);
            svg_edge_path(e, &curve, out);
            edge_label(g, e, &curve, &mut placed_labels, &mut labels);
        }
    }
    labels
}

/// The curve of an edge between two box centres, `spread` away from its parallel edges.
fn edge_curve((fx, fy): (f64, f64), (tx, ty): (f64, f64), spread: f64) -> Curve {
    let half = NODE_W / 2.0;
    let (sx, ex, c1x, c2x);
    if (fx - tx).abs() < 1.0 {
        // Same column: loop out to the right.
        sx = fx + half;
        ex = tx + half;
        c1x = sx + 120.0 + spread.abs();
        c2x = ex + 120.0 + spread.abs();
    } else if fx < tx {
        sx = fx + half;
        ex = tx - half;
        c1x = sx + COLUMN_GAP * 0.45;
        c2x = ex - COLUMN_GAP * 0.45;
    } else {
        sx = fx - half;
        ex = tx + half;
        c1x = sx - COLUMN_GAP * 0.45;
        c2x = ex + COLUMN_GAP * 0.45;
    }
    // Attach each end towards the other system, so edges leave a busy system spread along
    // its side instead of from one point.
    let toward = |from_y: f64, to_y: f64| {
        ((to_y - from_y) * 0.1).clamp(-NODE_H / 2.0 + 8.0, NODE_H / 2.0 - 8.0)
    };
    let sy = fy + (toward(fy, ty) + spread * 0.3).clamp(-NODE_H / 2.0 + 4.0, NODE_H / 2.0 - 4.0);
    let ey = ty + (toward(ty, fy) + spread * 0.3).clamp(-NODE_H / 2.0 + 4.0, NODE_H / 2.0 - 4.0);
    Curve {
        s: (sx, sy),
        c1: (c1x, sy + spread * 1.5),
        c2: (c2x, ey + spread * 1.5),
        e: (ex, ey),
    }
}

/// One edge's path, coloured by its risk class, dashed when deprecated.
fn svg_edge_path(e: &Edge, curve: &Curve, out: &mut String) {
    let Curve {
        s: (sx, sy),
        c1: (c1x, c1y),
        c2: (c2x, c2y),
        e: (ex, ey),
    } = *curve;
    let stroke = colour(e.class);
    let dash = if e.deprecated {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    let start = if e.both_ways {
        format!(" marker-start=\"url(#arrow-{})\"", e.class)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  <path d=\"M{sx:.1},{sy:.1} C{c1x:.1},{c1y:.1} {c2x:.1},{c2y:.1} {ex:.1},{ey:.1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\"{dash}{start} marker-end=\"url(#arrow-{})\"><title>{} ({} risk)</title></path>",
        e.class,
        xml(&e.id),
        e.class
    );
}

/// An edge's label on its curve, nearer the end with fewer edges (away from the hub), moved
/// along y to the nearest place no other label holds.
fn edge_label(
    g: &Graph,
    e: &Edge,
    curve: &Curve,
    placed: &mut Vec<(f64, f64, f64)>,
    labels: &mut String,
) {
    let busier_start = degree_of(g, &e.from) >= degree_of(g, &e.to);
    let (mx, my) = curve.at(if busier_start { 0.62 } else { 0.38 });
    let text = shorten(&e.label, 36);
    let w = text.chars().count() as f64 * 6.2 + 10.0;
    let free = |y: f64, placed: &[(f64, f64, f64)]| {
        placed
            .iter()
            .all(|(px, py, pw)| (mx - px).abs() * 2.0 >= w + pw + 4.0 || (y - py).abs() >= 19.0)
    };
    let y = (0..40)
        .map(|k| {
            let step = f64::from((k + 1) / 2) * 10.0;
            if k % 2 == 0 {
                my + step
            } else {
                my - step
            }
        })
        .find(|y| free(*y, placed))
        .unwrap_or(my);
    placed.push((mx, y, w));
    let stroke = colour(e.class);
    let _ = writeln!(
        labels,
        "  <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"16\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"{stroke}\" stroke-width=\"0.8\"/>\n  <text x=\"{mx:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{stroke}\">{}</text>",
        mx - w / 2.0,
        y - 8.0,
        y + 4.0,
        xml(&text)
    );
}

/// Every system as a box with its name and category.
fn svg_nodes(g: &Graph, layout: &Layout, out: &mut String) {
    for (id, (name, category)) in &g.nodes {
        let (x, y) = layout.centre(id);
        let _ = writeln!(
            out,
            "  <g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"8\" fill=\"#eef2f7\" stroke=\"#52606d\" stroke-width=\"1.5\"/>\n  <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#1f2933\">{}</text>\n  <text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#52606d\">{}</text></g>",
            xml(id),
            x - NODE_W / 2.0,
            y - NODE_H / 2.0,
            y - 3.0,
            xml(&shorten(name, 26)),
            y + 15.0,
            xml(category)
        );
    }
}

/// The legend at `ly`: the three risk colours and the dashed deprecated line.
fn svg_legend(ly: f64, out: &mut String) {
    let mut lx = MARGIN;
    for (class, text) in [
        (RiskClass::High, "high risk"),
        (RiskClass::Medium, "medium risk"),
        (RiskClass::Low, "low risk"),
    ] {
        let _ = writeln!(
            out,
            "  <line x1=\"{lx}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{}\" stroke-width=\"3\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1f2933\">{text}</text>",
            lx + 30.0,
            colour(class),
            lx + 36.0,
            ly + 4.0
        );
        lx += 130.0;
    }
    let _ = writeln!(
        out,
        "  <line x1=\"{lx}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"#52606d\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1f2933\">deprecated</text>",
        lx + 30.0,
        lx + 36.0,
        ly + 4.0
    );
}

fn degree_of(g: &Graph, id: &str) -> usize {
    g.edges
        .iter()
        .filter(|e| e.from == id || e.to == id)
        .count()
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}
