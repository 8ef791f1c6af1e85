//! Re-entry analysis: which workflows start themselves again through their own steps,
//! directly or through a chain of other workflows.
//!
//! It runs in three stages:
//!
//! 1. [`index`] indexes the model: workflows that let contacts enter again, what each
//!    subscribes to (a tag, list or field event, or `enroll` steps), dynamic lists and the
//!    fields their filters read, and the comparisons enrollment filters require.
//! 2. [`dataflow`] computes, for each step of such a workflow, what is known about the
//!    contact before it (a [`state::State`] of tags, lists and field values, met where paths join),
//!    and from that the events the step really causes: adding a tag the contact is known to
//!    have causes nothing, and setting a field to a value an enrollment filter rejects does
//!    not enter that workflow.
//! 3. [`graph`] joins the workflows through those events into a loop graph, and [`cycles`]
//!    finds its strongly connected groups and the shortest loop through each.
//!
//! [`Reentry`] is the entry point; positions and interned values in its results are
//! resolved with its accessors.

mod cycles;
mod dataflow;
mod events;
mod flow;
mod graph;
mod index;
mod state;

pub(crate) use cycles::{Hop, Loop};
pub(crate) use events::{Entry, Event, Kind};

use crate::CheckContext;
use flowgate_lang::CelLiteral;
use flowgate_model::{Asset, Workflow};
use graph::LoopGraph;
use index::Index;

/// The re-entry analysis of a model.
pub(crate) struct Reentry<'a> {
    index: Index<'a>,
    graph: LoopGraph,
}

impl<'a> Reentry<'a> {
    /// Analyse the model of `ctx`.
    pub(crate) fn analyse(ctx: &'a CheckContext<'a>) -> Self {
        let mut index = Index::build(ctx);
        let graph = LoopGraph::build(&mut index);
        Reentry { index, graph }
    }

    /// One loop per group of workflows that start each other (only workflows that let
    /// contacts enter again take part), in the order of each group's first workflow by id.
    pub(crate) fn loops(&self) -> Vec<Loop> {
        cycles::loops(&self.graph, self.index.workflows.len())
    }

    /// The workflow at a position (as in [`Hop::workflow`] and [`Event::Enroll`]).
    pub(crate) fn workflow(&self, at: usize) -> Option<(&'a Asset, &'a Workflow)> {
        let info = self.index.workflows.get(at)?;
        Some((info.asset, info.workflow))
    }

    /// The id of the asset at a position in the model (as in [`Event::Channel`] and
    /// [`Entry::Trigger`]), `?` for none.
    pub(crate) fn asset_id(&self, at: u32) -> &'a str {
        self.index.asset_id(at)
    }

    /// An interned value (as in [`Event::Channel`] and [`Entry::Trigger`]).
    pub(crate) fn value(&self, id: u32) -> Option<&CelLiteral> {
        self.index.value(id)
    }
}
