//! The loop graph: which workflows a workflow's steps can start, through the events they
//! cause. One node per workflow (at the workflow's position), then one per channel (an
//! event that workflows subscribe to).

use super::events::{Channel, Effect, Entry, Event};
use super::flow::causes_events;
use super::index::Index;
use super::state::State;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};

/// A node of the loop graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    /// A workflow; its index is the workflow's position.
    Workflow,
    /// A channel; see [`LoopGraph::channels`].
    Channel,
}

/// An edge of the loop graph.
#[derive(Debug, Clone, Copy)]
pub(super) enum Link {
    /// A step (by position) of a workflow causes an event: to the channel's node, or straight
    /// to a workflow (`entry` set).
    Step {
        step: usize,
        event: Event,
        entry: Option<Entry>,
    },
    /// A channel starts a subscribed workflow.
    Enter(Entry),
}

/// The workflows (that let contacts enter again) subscribed to a channel, and the distinct
/// requirements of their enrollment filters (workflow, requirement).
pub(super) struct ChannelInfo {
    node: NodeIndex,
    subscribers: Vec<(usize, Entry)>,
    requirements: Vec<(usize, usize)>,
}

/// The loop graph over the workflows contacts can enter again.
pub(super) struct LoopGraph {
    pub(super) graph: DiGraph<Node, Link>,
    /// The channel nodes, created on first use.
    channels: BTreeMap<Channel, ChannelInfo>,
}

impl LoopGraph {
    /// Build the graph. A step's event goes to its channel node, unless what the step sets
    /// makes some subscriber's filter false: then it goes straight to the subscribers that
    /// can still be entered.
    pub(super) fn build(index: &mut Index<'_>) -> Self {
        let mut graph = LoopGraph {
            graph: DiGraph::new(),
            channels: BTreeMap::new(),
        };
        for _ in &index.workflows {
            graph.graph.add_node(Node::Workflow);
        }
        for from in 0..index.workflows.len() {
            graph.add_workflow(index, from);
        }
        graph
    }

    /// Add an edge unless one already joins the two nodes. Workflow nodes have few edges;
    /// channel nodes get theirs once, without duplicates.
    fn add_edge(&mut self, from: usize, to: NodeIndex, link: Link) {
        let from = NodeIndex::new(from);
        let nodes = self.graph.node_count();
        if from.index() < nodes && to.index() < nodes && self.graph.find_edge(from, to).is_none() {
            self.graph.add_edge(from, to, link);
        }
    }

    /// The edges from the workflow at `from`, if contacts can enter it again.
    fn add_workflow(&mut self, index: &mut Index<'_>, from: usize) {
        let (enterable, workflow) = match index.workflows.get(from) {
            Some(info) => (info.enterable, info.workflow),
            None => return,
        };
        if !enterable || !workflow.steps.iter().any(|s| causes_events(&s.action)) {
            return;
        }
        let flow = index.flow(workflow);
        let Some(info) = index.workflows.get(from) else {
            return;
        };
        // Steps without a state are unreachable.
        let states = index.states(info, &flow);
        let mut events = Vec::new();
        for (step, (before, &effect)) in states.iter().zip(&flow.effects).enumerate() {
            let Some(before) = before else {
                continue;
            };
            if matches!(effect, Effect::Nothing) {
                continue;
            }
            let after = index.transfer(effect, before);
            index.events(effect, before, &after, &mut events);
            for &event in &events {
                self.add_event(index, from, step, event, &after);
            }
        }
    }

    /// The edges for one event that step `step` of workflow `from` causes, leaving the
    /// contact in state `after`.
    fn add_event(
        &mut self,
        index: &Index<'_>,
        from: usize,
        step: usize,
        event: Event,
        after: &State,
    ) {
        let channel = match event {
            Event::Enroll(to) => {
                let entered = index.workflows.get(to).is_some_and(|w| w.enterable)
                    && !index.falsified(index.filter_of(to), after);
                if entered {
                    let entry = Some(Entry::Enrolled);
                    self.add_edge(from, NodeIndex::new(to), Link::Step { step, event, entry });
                }
                return;
            }
            Event::Channel {
                kind, asset, value, ..
            } => (kind, asset, value),
        };
        let Some(node) = self.channel_node(index, channel) else {
            return;
        };
        let Some(channel_info) = self.channels.get(&channel) else {
            return;
        };
        let prunes = channel_info.requirements.iter().any(|&(at, i)| {
            index
                .filter_of(at)
                .get(i)
                .is_some_and(|r| index.falsified([r], after))
        });
        if !prunes {
            let entry = None;
            self.add_edge(from, node, Link::Step { step, event, entry });
            return;
        }
        let direct: Vec<(usize, Entry)> = channel_info
            .subscribers
            .iter()
            .filter(|(to, _)| !index.falsified(index.filter_of(*to), after))
            .copied()
            .collect();
        for (to, entry) in direct {
            let entry = Some(entry);
            self.add_edge(from, NodeIndex::new(to), Link::Step { step, event, entry });
        }
    }

    /// The channel's node, created with its subscribers on first use; `None` when nothing
    /// subscribes to it.
    fn channel_node(&mut self, index: &Index<'_>, channel: Channel) -> Option<NodeIndex> {
        if let Some(info) = self.channels.get(&channel) {
            return (!info.subscribers.is_empty()).then_some(info.node);
        }
        let subscribers = subscribers(index, channel);
        let requirements = distinct_requirements(index, &subscribers);
        let node = self.graph.add_node(Node::Channel);
        // Subscribers are in workflow order: a workflow with two matching triggers is
        // entered by the first.
        let mut last = None;
        for &(at, entry) in &subscribers {
            if last != Some(at) {
                self.graph
                    .add_edge(node, NodeIndex::new(at), Link::Enter(entry));
                last = Some(at);
            }
        }
        let used = !subscribers.is_empty();
        self.channels.insert(
            channel,
            ChannelInfo {
                node,
                subscribers,
                requirements,
            },
        );
        used.then_some(node)
    }
}

/// The workflows a channel starts, in workflow order, with how each is entered: a field
/// change to a value only starts `to:` triggers on that value.
fn subscribers(index: &Index<'_>, (kind, asset, value): Channel) -> Vec<(usize, Entry)> {
    index
        .subscribers
        .get(&(kind, asset))
        .into_iter()
        .flatten()
        .filter(|(_, to)| match (to, value) {
            (Some(to), Some(value)) => index.same_value(*to, value),
            _ => true,
        })
        .map(|&(at, to)| (at, Entry::Trigger(kind, asset, to)))
        .collect()
}

/// The distinct requirements of the subscribers' filters, as (workflow, requirement).
fn distinct_requirements(index: &Index<'_>, subscribers: &[(usize, Entry)]) -> Vec<(usize, usize)> {
    let mut requirements = Vec::new();
    let mut distinct_equals = BTreeSet::new();
    let mut distinct = BTreeSet::new();
    for &(at, _) in subscribers {
        for (i, requirement) in index.filter_of(at).iter().enumerate() {
            let new = match requirement.equals {
                Some(value) => distinct_equals.insert((requirement.field, value)),
                None => distinct.insert((requirement.field, requirement.comparison.to_string())),
            };
            if new {
                requirements.push((at, i));
            }
        }
    }
    requirements
}
