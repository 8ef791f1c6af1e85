//! Loops in the loop graph: its strongly connected groups, and for each the shortest loop
//! through its first workflow, as hops from workflow to workflow.

use super::events::{Entry, Event};
use super::graph::{Link, LoopGraph, Node};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, VecDeque};

/// One workflow of a loop: the step that leads on, and how the next workflow is entered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hop {
    /// The workflow, by position.
    pub(crate) workflow: usize,
    /// The step of the workflow, by position, that causes the event.
    pub(crate) step: usize,
    /// What the step makes happen.
    pub(crate) event: Event,
    /// How the next workflow on the loop is entered.
    pub(crate) entry: Entry,
}

/// A group of workflows that start each other, and the shortest loop through its first
/// workflow (by id).
#[derive(Debug, Clone)]
pub(crate) struct Loop {
    /// The loop, from its first workflow back to it: the last hop enters the first workflow.
    pub(crate) hops: Vec<Hop>,
    /// How many workflows are in the group, on this loop or on others through it.
    pub(crate) members: usize,
}

/// One loop per group of workflows that start each other, in the order of their first
/// workflow. `workflows` is how many workflow nodes the graph begins with.
pub(super) fn loops(graph: &LoopGraph, workflows: usize) -> Vec<Loop> {
    let components = components(graph);
    let mut component_of = vec![usize::MAX; graph.graph.node_count()];
    for (c, component) in components.iter().enumerate() {
        for &node in component {
            if let Some(slot) = component_of.get_mut(node) {
                *slot = c;
            }
        }
    }
    let mut found = Vec::new();
    for (c, component) in components.iter().enumerate() {
        // Workflow nodes come first, so the smallest node is the first workflow by id.
        let Some(&first) = component.first().filter(|&&n| n < workflows) else {
            continue;
        };
        let first_node = NodeIndex::new(first);
        let self_loop = graph.graph.find_edge(first_node, first_node).is_some();
        if component.len() == 1 && !self_loop {
            continue;
        }
        let members = component.iter().filter(|&&n| n < workflows).count();
        let inside = |node: usize| component_of.get(node) == Some(&c);
        if let Some(hops) = shortest_cycle(first, inside, graph) {
            found.push(Loop { hops, members });
        }
    }
    found
}

/// The strongly connected components, each sorted, in order.
fn components(graph: &LoopGraph) -> Vec<Vec<usize>> {
    let mut components: Vec<Vec<usize>> = tarjan_scc(&graph.graph)
        .into_iter()
        .map(|component| {
            let mut nodes: Vec<usize> = component.into_iter().map(NodeIndex::index).collect();
            nodes.sort_unstable();
            nodes
        })
        .collect();
    components.sort_unstable();
    components
}

/// The shortest loop through workflow `start` inside a strongly connected component, as hops
/// from workflow to workflow.
fn shortest_cycle(
    start: usize,
    inside: impl Fn(usize) -> bool,
    graph: &LoopGraph,
) -> Option<Vec<Hop>> {
    // parent[node] = the edge that reached it first
    let mut parent: HashMap<usize, EdgeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(at) = queue.pop_front() {
        let mut out: Vec<(usize, EdgeIndex)> = graph
            .graph
            .edges(NodeIndex::new(at))
            .map(|edge| (edge.target().index(), edge.id()))
            .collect();
        out.sort_by_key(|&(to, _)| to);
        for (next, edge) in out {
            if next == start {
                closing = Some(edge);
                break 'search;
            }
            if inside(next) && !parent.contains_key(&next) {
                parent.insert(next, edge);
                queue.push_back(next);
            }
        }
    }
    // The edges of the loop, from the start back to it.
    let closing = closing?;
    let mut edges = vec![closing];
    let mut current = graph.graph.edge_endpoints(closing)?.0.index();
    while current != start {
        let &edge = parent.get(&current)?;
        edges.push(edge);
        current = graph.graph.edge_endpoints(edge)?.0.index();
    }
    edges.reverse();
    fold_hops(graph, &edges)
}

/// The hops of a loop given as edges: channel nodes fold into the hops of the workflows
/// before them.
fn fold_hops(graph: &LoopGraph, edges: &[EdgeIndex]) -> Option<Vec<Hop>> {
    let mut hops = Vec::new();
    let mut pending: Option<(usize, usize, Event)> = None;
    for &edge in edges {
        let from = graph.graph.edge_endpoints(edge)?.0;
        match *graph.graph.edge_weight(edge)? {
            Link::Step { step, event, entry } => {
                if graph.graph.node_weight(from) != Some(&Node::Workflow) {
                    return None;
                }
                let from = from.index();
                match entry {
                    Some(entry) => hops.push(Hop {
                        workflow: from,
                        step,
                        event,
                        entry,
                    }),
                    None => pending = Some((from, step, event)),
                }
            }
            Link::Enter(entry) => {
                let (workflow, step, event) = pending.take()?;
                hops.push(Hop {
                    workflow,
                    step,
                    event,
                    entry,
                });
            }
        }
    }
    Some(hops)
}
