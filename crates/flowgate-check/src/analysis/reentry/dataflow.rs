//! The data-flow pass: what is known about a contact before each step of a workflow, and
//! the events each step causes given that knowledge.

use super::events::{Effect, Event, Kind};
use super::flow::Flow;
use super::index::{Index, WorkflowInfo};
use super::state::{key, Fact, Key, State, FIELD, LIST, TAG};
use flowgate_lang::CelLiteral;
use flowgate_model::Trigger;

/// Steps of work per step of a workflow before the pass gives up (a guard: it ends anyway).
const BUDGET_PER_STEP: usize = 64;

impl<'a> Index<'a> {
    /// What is known about a contact entering a workflow: the equalities its filter requires,
    /// and what all its triggers imply (unless `enroll` steps enter it directly).
    pub(super) fn entry_state(&self, info: &WorkflowInfo<'a>) -> State {
        let enrolled = self
            .position(info.asset)
            .is_none_or(|id| self.enrolled.contains(&id));
        let mut state = State::default();
        if !enrolled {
            let mut common: Option<State> = None;
            for trigger in &info.workflow.triggers {
                let mut implied = State::default();
                if let Some((k, fact)) = self.trigger_fact(&trigger.value) {
                    implied.set(k, fact);
                }
                common = Some(match common {
                    None => implied,
                    Some(previous) => previous.meet(&implied),
                });
            }
            state = common.unwrap_or_default();
        }
        for requirement in &info.filter {
            let Some(value) = requirement.equals else {
                continue;
            };
            let k = key(FIELD, requirement.field);
            if state.get(k).is_none() {
                state.set(k, Fact::Value(value));
            }
        }
        state
    }

    /// What a trigger implies about the contact it starts a workflow for.
    fn trigger_fact(&self, trigger: &Trigger) -> Option<(Key, Fact)> {
        match trigger {
            Trigger::TagAdded { tag } => self
                .asset(&tag.value)
                .map(|t| (key(TAG, t), Fact::Member(true))),
            Trigger::TagRemoved { tag } => self
                .asset(&tag.value)
                .map(|t| (key(TAG, t), Fact::Member(false))),
            Trigger::ListJoined { list } => self
                .asset(&list.value)
                .map(|l| (key(LIST, l), Fact::Member(true))),
            Trigger::ListLeft { list } => self
                .asset(&list.value)
                .map(|l| (key(LIST, l), Fact::Member(false))),
            Trigger::FieldChanged {
                field,
                to: Some(to),
            } => self.asset(&field.value).and_then(|f| {
                let value = self.value_id(&CelLiteral::from_literal(to))?;
                Some((key(FIELD, f), Fact::Value(value)))
            }),
            _ => None,
        }
    }

    /// The state after a step.
    pub(super) fn transfer(&self, effect: Effect, before: &State) -> State {
        let mut state = before.clone();
        match effect {
            Effect::Tag(tag, present) => state.set(key(TAG, tag), Fact::Member(present)),
            Effect::List(list, member) => state.set(key(LIST, list), Fact::Member(member)),
            Effect::Set(field, value) => {
                state.set(key(FIELD, field), Fact::Value(value));
                self.forget_lists(field, &mut state);
            }
            Effect::Adjust(field) => {
                state.remove(key(FIELD, field));
                self.forget_lists(field, &mut state);
            }
            Effect::Nothing | Effect::Enroll(_) => {}
        }
        state
    }

    /// Forget membership of the dynamic lists whose filter reads `field`.
    fn forget_lists(&self, field: u32, state: &mut State) {
        for &list in self.lists_reading.get(&field).into_iter().flatten() {
            state.remove(key(LIST, list));
        }
    }

    /// The state before each step, by position; `None` for steps no path from the start
    /// reaches.
    pub(super) fn states(&self, info: &WorkflowInfo<'a>, flow: &Flow) -> Vec<Option<State>> {
        let mut before: Vec<Option<State>> = vec![None; flow.effects.len()];
        let Some(start) = flow.start.filter(|&s| s < before.len()) else {
            return before;
        };
        before[start] = Some(self.entry_state(info));
        let mut work = vec![start];
        // States only lose facts, so this ends; the budget is a guard against surprises.
        let mut budget = (flow.effects.len() + 1) * BUDGET_PER_STEP;
        while let Some(at) = work.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let (Some(&effect), Some(Some(state))) = (flow.effects.get(at), before.get(at)) else {
                continue;
            };
            let after = self.transfer(effect, state);
            for &next in flow.successors(at) {
                let merged = match before.get(next) {
                    Some(None) => after.clone(),
                    Some(Some(old)) => {
                        let merged = old.meet(&after);
                        if &merged == old {
                            continue;
                        }
                        merged
                    }
                    None => continue,
                };
                before[next] = Some(merged);
                work.push(next);
            }
        }
        before
    }

    /// The events a step causes, given what is known before and after it.
    pub(super) fn events(
        &self,
        effect: Effect,
        before: &State,
        after: &State,
        out: &mut Vec<Event>,
    ) {
        out.clear();
        let channel = |kind, asset, value| Event::Channel {
            kind,
            asset,
            value,
            via: None,
        };
        match effect {
            Effect::Tag(tag, present) => {
                let kinds = (Kind::TagAdded, Kind::TagRemoved);
                out.extend(membership_event(before, TAG, tag, present, kinds));
            }
            Effect::List(list, member) => {
                let kinds = (Kind::ListJoined, Kind::ListLeft);
                out.extend(membership_event(before, LIST, list, member, kinds));
            }
            Effect::Set(field, value) => {
                let unchanged = match before.get(key(FIELD, field)) {
                    Some(Fact::Value(old)) => self.same_value(old, value),
                    _ => false,
                };
                if !unchanged {
                    out.push(channel(Kind::FieldChanged, field, Some(value)));
                    self.list_events(field, before, after, out);
                }
            }
            Effect::Adjust(field) => {
                out.push(channel(Kind::FieldChanged, field, None));
                self.list_events(field, before, after, out);
            }
            Effect::Enroll(workflow) => out.push(Event::Enroll(workflow)),
            Effect::Nothing => {}
        }
    }

    /// Joining or leaving the dynamic lists whose filter reads a changed field: a contact
    /// known to be in the list cannot join it, one known to be out cannot leave it, and one
    /// whose data now makes the filter false cannot join.
    fn list_events(&self, field: u32, before: &State, after: &State, out: &mut Vec<Event>) {
        for &list in self.lists_reading.get(&field).into_iter().flatten() {
            let member = match before.get(key(LIST, list)) {
                Some(Fact::Member(member)) => Some(member),
                _ => None,
            };
            let impossible = self
                .list_filters
                .get(&list)
                .is_some_and(|requirements| self.falsified(requirements, after));
            let event = |kind| Event::Channel {
                kind,
                asset: list,
                value: None,
                via: Some(field),
            };
            if member != Some(true) && !impossible {
                out.push(event(Kind::ListJoined));
            }
            if member != Some(false) {
                out.push(event(Kind::ListLeft));
            }
        }
    }
}

/// The event of adding (`member`) or removing a tag or list (`what`: [`TAG`] or [`LIST`]),
/// unless the contact is known to be so already; `kinds` are the events of adding and of
/// removing.
fn membership_event(
    before: &State,
    what: u64,
    asset: u32,
    member: bool,
    (added, removed): (Kind, Kind),
) -> Option<Event> {
    if before.get(key(what, asset)) == Some(Fact::Member(member)) {
        return None;
    }
    let kind = if member { added } else { removed };
    Some(Event::Channel {
        kind,
        asset,
        value: None,
        via: None,
    })
}
