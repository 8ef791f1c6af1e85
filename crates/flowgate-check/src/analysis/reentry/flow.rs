//! A workflow's steps compiled for the analysis: what each step does, and where it leads.

use super::events::Effect;
use super::index::Index;
use flowgate_lang::CelLiteral;
use flowgate_model::{StepAction, StepId, Workflow};
use std::collections::HashMap;

/// Workflows with more steps than this look steps up by hashing; smaller ones search.
const HASHED_ABOVE: usize = 32;

/// A workflow's steps by position: effects and successors.
pub(super) struct Flow {
    pub(super) effects: Vec<Effect>,
    /// Successors of step `i`: `next[next_at[i]..next_at[i + 1]]`.
    next: Vec<usize>,
    next_at: Vec<usize>,
    /// The first step, if the workflow has one.
    pub(super) start: Option<usize>,
}

impl Flow {
    /// The steps a step leads to, by position.
    pub(super) fn successors(&self, step: usize) -> &[usize] {
        match (self.next_at.get(step), self.next_at.get(step + 1)) {
            (Some(&from), Some(&to)) => self.next.get(from..to).unwrap_or(&[]),
            _ => &[],
        }
    }
}

impl<'a> Index<'a> {
    /// A workflow's steps, compiled.
    pub(super) fn flow(&mut self, workflow: &'a Workflow) -> Flow {
        let steps = &workflow.steps;
        // Small workflows: a linear search beats hashing.
        let by_id: Option<HashMap<&StepId, usize>> = (steps.len() > HASHED_ABOVE).then(|| {
            steps
                .iter()
                .enumerate()
                .map(|(i, s)| (&s.id.value, i))
                .collect()
        });
        let position = |id: &StepId| match &by_id {
            Some(map) => map.get(id).copied(),
            None => steps.iter().position(|s| &s.id.value == id),
        };
        let mut next = Vec::with_capacity(steps.len() + 1);
        let mut next_at = Vec::with_capacity(steps.len() + 1);
        for step in steps {
            next_at.push(next.len());
            for_each_successor(&step.action, |id| next.extend(position(id)));
        }
        next_at.push(next.len());
        let start = workflow.start_step().and_then(position);
        let effects = steps.iter().map(|step| self.effect(&step.action)).collect();
        Flow {
            effects,
            next,
            next_at,
            start,
        }
    }

    /// What a step does to the facts.
    fn effect(&mut self, action: &StepAction) -> Effect {
        let effect = match action {
            StepAction::AddTag { tag, .. } => self.asset(&tag.value).map(|t| Effect::Tag(t, true)),
            StepAction::RemoveTag { tag, .. } => {
                self.asset(&tag.value).map(|t| Effect::Tag(t, false))
            }
            StepAction::AddToList { list, .. } => {
                self.asset(&list.value).map(|l| Effect::List(l, true))
            }
            StepAction::RemoveFromList { list, .. } => {
                self.asset(&list.value).map(|l| Effect::List(l, false))
            }
            StepAction::SetField { field, value, .. } => self.asset(&field.value).map(|f| {
                let value = self.intern(CelLiteral::from_literal(&value.value));
                Effect::Set(f, value)
            }),
            StepAction::AdjustScore { field, by, .. } if *by != 0 => {
                self.asset(&field.value).map(Effect::Adjust)
            }
            StepAction::Enroll { workflow, .. } => self
                .asset(&workflow.value)
                .and_then(|w| self.workflow_of_asset.get(&w).copied())
                .map(Effect::Enroll),
            _ => None,
        };
        effect.unwrap_or(Effect::Nothing)
    }
}

/// Call `f` with each step a step leads to, like [`StepAction::edges`] without collecting.
fn for_each_successor(action: &StepAction, mut f: impl FnMut(&StepId)) {
    match action {
        StepAction::SendEmail { next, .. }
        | StepAction::SendSms { next, .. }
        | StepAction::AddTag { next, .. }
        | StepAction::RemoveTag { next, .. }
        | StepAction::AddToList { next, .. }
        | StepAction::RemoveFromList { next, .. }
        | StepAction::SetField { next, .. }
        | StepAction::Wait { next, .. }
        | StepAction::Enroll { next, .. }
        | StepAction::AssignOwner { next, .. }
        | StepAction::AdjustScore { next, .. }
        | StepAction::Notify { next, .. } => next.iter().for_each(|n| f(&n.value)),
        StepAction::CallWebhook { next, on_error, .. } => {
            next.iter().chain(on_error).for_each(|n| f(&n.value));
        }
        StepAction::Branch { branches, default } => {
            branches.iter().for_each(|arm| f(&arm.next.value));
            default.iter().for_each(|n| f(&n.value));
        }
        StepAction::Split { paths } => paths.iter().for_each(|p| f(&p.next.value)),
        StepAction::Exit {} => {}
    }
}

/// Whether a step can cause an event that starts a workflow.
pub(super) fn causes_events(action: &StepAction) -> bool {
    matches!(
        action,
        StepAction::AddTag { .. }
            | StepAction::RemoveTag { .. }
            | StepAction::AddToList { .. }
            | StepAction::RemoveFromList { .. }
            | StepAction::SetField { .. }
            | StepAction::AdjustScore { .. }
            | StepAction::Enroll { .. }
    )
}
