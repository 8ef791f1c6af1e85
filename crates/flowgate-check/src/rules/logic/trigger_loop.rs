use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_lang::{required_comparisons, CelLiteral, CompareOp, Comparison};
use flowgate_model::{
    Asset, AssetId, AssetSpec, Duration, Expression, Located, Reenrollment, Step, StepAction,
    StepId, Trigger, Workflow,
};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

declare_rule! {
    /// ## What it does
    /// Flags workflows whose own steps cause an event that starts them again, directly or
    /// through a chain of other workflows:
    ///
    /// * `add_tag` / `remove_tag` start workflows triggered by `tag_added` / `tag_removed`;
    /// * `add_to_list` / `remove_from_list` start `list_joined` / `list_left` workflows;
    /// * `set_field` and `adjust_score` start `field_changed` workflows (a `to:` value that
    ///   differs from the value set does not match), and can make the contact join or leave
    ///   dynamic lists whose filter reads the field;
    /// * `enroll` starts the named workflow directly.
    ///
    /// A loop only counts when every workflow on it lets contacts enter again
    /// (`reenroll: always` or `after <duration>`), and when no enrollment filter or list filter
    /// on the way is made false by a value the loop itself sets (a step that sets
    /// `lifecycle_stage` to `mql` cannot re-enter a workflow that requires `"lead"`).
    ///
    /// ## Why is this bad?
    /// A loop re-runs every step on it for the same contact: duplicate emails and SMS, scores
    /// that climb without limit, owners re-assigned, CRM calls repeated. With
    /// `reenroll: always` it runs as fast as the platform processes events, until someone
    /// notices the send volume; with `after <duration>` it repeats at that interval forever.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: vip-onboarding
    /// triggers: [{ type: tag_added, tag: vip }]
    /// enrollment: { reenroll: always }
    /// steps:
    ///   - id: refresh-vip
    ///     type: remove_tag
    ///     tag: vip
    ///     next: re-add-vip
    ///   - id: re-add-vip          # tag_added vip starts vip-onboarding again
    ///     type: add_tag
    ///     tag: vip
    /// ```
    ///
    /// ## How to fix
    /// Break the loop: let contacts enter one of the workflows only once
    /// (`reenroll: never`), or give it an enrollment filter that the loop's own steps make
    /// false, e.g. require a stage the loop moves contacts out of:
    /// ```yaml
    /// enrollment:
    ///   filter: contact.lifecycle_stage == "lead"
    ///   reenroll: always
    /// ```
    pub struct TriggerLoop {
        code: "FG101",
        name: "trigger-loop",
        category: Logic,
        severity: Error,
        summary: "workflows whose own steps trigger them again, directly or through others",
    }
}

impl Rule for TriggerLoop {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let (index, graph) = Index::build(ctx).graph();
        report_cycles(&index, &graph, sink);
    }
}

// Assets are referred to by their position in the model; facts by a key packing what the
// fact is about (a tag, a list or a field) with the asset's position.
type Key = u64;
const TAG: u64 = 0;
const LIST: u64 = 1;
const FIELD: u64 = 2;

fn key(kind: u64, asset: u32) -> Key {
    (kind << 32) | u64::from(asset)
}

/// What is known about a contact: has a tag / is in a list, or a field's value (an index
/// into [`Index::values`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fact {
    Member(bool),
    Value(u32),
}

/// Facts at a point of a workflow, sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct State(Vec<(Key, Fact)>);

impl State {
    fn get(&self, key: Key) -> Option<Fact> {
        let at = self.0.binary_search_by_key(&key, |(k, _)| *k).ok()?;
        self.0.get(at).map(|(_, fact)| *fact)
    }

    fn set(&mut self, key: Key, fact: Fact) {
        match self.0.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(at) => self.0[at].1 = fact,
            Err(at) => self.0.insert(at, (key, fact)),
        }
    }

    fn remove(&mut self, key: Key) {
        if let Ok(at) = self.0.binary_search_by_key(&key, |(k, _)| *k) {
            self.0.remove(at);
        }
    }

    /// What both states know alike.
    fn meet(&self, other: &State) -> State {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while let (Some(a), Some(b)) = (self.0.get(i), other.0.get(j)) {
            match a.0.cmp(&b.0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    if a.1 == b.1 {
                        out.push(*a);
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        State(out)
    }
}

/// A required comparison of a condition, on a field of the model.
struct Requirement {
    field: u32,
    comparison: Comparison,
    /// The value an `==` requires, interned.
    equals: Option<u32>,
}

/// The kinds of event workflows are triggered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    TagAdded,
    TagRemoved,
    ListJoined,
    ListLeft,
    FieldChanged,
}

/// A workflow waiting for an event, with its trigger's `to:` value (interned).
type Subscription = (usize, Option<u32>);

/// What workflows subscribe to: an event kind on an asset, and for a field change the value
/// set when known (`to:` triggers only match that value).
type Channel = (Kind, u32, Option<u32>);

/// Something a step makes happen to a contact.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// `via`: the field whose change moves the contact into or out of a dynamic list.
    Channel {
        kind: Kind,
        asset: u32,
        value: Option<u32>,
        via: Option<u32>,
    },
    /// Enrolls in the workflow at this position.
    Enroll(usize),
}

/// How a workflow is entered.
#[derive(Debug, Clone, Copy)]
enum Entry {
    Enrolled,
    /// By a trigger on an asset, with the trigger's `to:` value.
    Trigger(Kind, u32, Option<u32>),
}

/// What a step does to the facts, compiled once.
#[derive(Debug, Clone, Copy)]
enum Effect {
    Nothing,
    Tag(u32, bool),
    List(u32, bool),
    Set(u32, u32),
    Adjust(u32),
    Enroll(usize),
}

/// A workflow's steps by position: effects and successors.
struct Flow {
    effects: Vec<Effect>,
    /// Successors of step `i`: `next[next_at[i]..next_at[i + 1]]`.
    next: Vec<usize>,
    next_at: Vec<usize>,
    start: Option<usize>,
}

impl Flow {
    fn successors(&self, step: usize) -> &[usize] {
        match (self.next_at.get(step), self.next_at.get(step + 1)) {
            (Some(&from), Some(&to)) => self.next.get(from..to).unwrap_or(&[]),
            _ => &[],
        }
    }
}

struct WorkflowInfo<'a> {
    asset: &'a Asset,
    workflow: &'a Workflow,
    /// Contacts may enter again (`reenroll` is not `never`).
    reenters: bool,
    /// It lets contacts enter again and some step can start it (a trigger on a tag, list
    /// or field, or an `enroll` step).
    enterable: bool,
    /// The comparisons its enrollment filter requires (only for enterable workflows).
    filter: Vec<Requirement>,
}

/// An edge of the loop graph.
enum Link {
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
struct ChannelInfo {
    node: usize,
    subscribers: Vec<(usize, Entry)>,
    requirements: Vec<(usize, usize)>,
}

/// The loop graph: one node per workflow (same position), then one per channel.
struct Graph {
    out: Vec<Vec<(usize, Link)>>,
    channels: BTreeMap<Channel, ChannelInfo>,
}

impl Graph {
    fn add_node(&mut self) -> usize {
        self.out.push(Vec::new());
        self.out.len() - 1
    }

    /// Add an edge unless one already joins the two nodes. Workflow nodes have few edges;
    /// channel nodes get theirs once, without duplicates.
    fn add_edge(&mut self, from: usize, to: usize, link: Link) {
        if let Some(out) = self.out.get_mut(from) {
            if !out.iter().any(|(t, _)| *t == to) {
                out.push((to, link));
            }
        }
    }
}

struct Index<'a> {
    ctx: &'a CheckContext<'a>,
    workflows: Vec<WorkflowInfo<'a>>,
    workflow_of_asset: BTreeMap<u32, usize>,
    /// Workflows (that let contacts enter again) by the trigger they wait for, with `to:`.
    subscribers: BTreeMap<(Kind, u32), Vec<Subscription>>,
    /// Dynamic lists whose filter reads a field, and the filters' requirements.
    lists_reading: BTreeMap<u32, Vec<u32>>,
    list_filters: BTreeMap<u32, Vec<Requirement>>,
    /// Workflows some `enroll` step enters directly (what their triggers imply may not hold).
    enrolled: BTreeSet<u32>,
    /// Literal values, interned.
    values: Vec<CelLiteral>,
    value_ids: HashMap<String, u32>,
}

impl<'a> Index<'a> {
    fn build(ctx: &'a CheckContext<'a>) -> Self {
        let mut index = Index {
            ctx,
            workflows: Vec::new(),
            workflow_of_asset: BTreeMap::new(),
            subscribers: BTreeMap::new(),
            lists_reading: BTreeMap::new(),
            list_filters: BTreeMap::new(),
            enrolled: BTreeSet::new(),
            values: Vec::new(),
            value_ids: HashMap::new(),
        };
        for asset in ctx.model.assets() {
            match &asset.spec {
                AssetSpec::Workflow(workflow) => {
                    let at = index.workflows.len();
                    if let Some(id) = index.position(asset) {
                        index.workflow_of_asset.insert(id, at);
                    }
                    for step in &workflow.steps {
                        if let StepAction::Enroll { workflow, .. } = &step.action {
                            if let Some(id) = index.asset(&workflow.value) {
                                index.enrolled.insert(id);
                            }
                        }
                    }
                    // Only workflows contacts can enter again can be on a loop.
                    let reenters = workflow.enrollment.reenroll.value != Reenrollment::Never;
                    let mut subscribed = false;
                    if reenters {
                        for trigger in &workflow.triggers {
                            subscribed |= index.subscribe(&trigger.value, at);
                        }
                    }
                    index.workflows.push(WorkflowInfo {
                        asset,
                        workflow,
                        reenters,
                        enterable: subscribed,
                        filter: Vec::new(),
                    });
                }
                AssetSpec::List(list) => {
                    let (Some(filter), Some(list_id)) =
                        (&list.filter, index.asset(&asset.id.value))
                    else {
                        continue;
                    };
                    let mut read = BTreeSet::new();
                    for field_use in &filter.fields {
                        if let Some(field) = ctx.model.field_for(&field_use.value) {
                            read.extend(index.position(field));
                        }
                    }
                    for field in read {
                        index.lists_reading.entry(field).or_default().push(list_id);
                    }
                    let requirements = index.requirements(filter);
                    index.list_filters.insert(list_id, requirements);
                }
                _ => {}
            }
        }
        // A workflow no step can start is on no loop: its filter is not needed.
        for at in 0..index.workflows.len() {
            let Some(info) = index.workflows.get(at) else {
                continue;
            };
            let enrolled = index
                .position(info.asset)
                .is_some_and(|id| index.enrolled.contains(&id));
            let enterable = info.reenters && (info.enterable || enrolled);
            let filter = match (&info.workflow.enrollment.filter, enterable) {
                (Some(filter), true) => index.requirements(filter),
                _ => Vec::new(),
            };
            if let Some(info) = index.workflows.get_mut(at) {
                info.enterable = enterable;
                info.filter = filter;
            }
        }
        index
    }

    /// The position of an asset in the model.
    fn asset(&self, id: &AssetId) -> Option<u32> {
        self.position(self.ctx.model.get(id)?)
    }

    /// The position of an asset the model handed out: references point into its sorted list,
    /// so the offset gives the position (checked, with a search as fallback).
    fn position(&self, found: &Asset) -> Option<u32> {
        let all = self.ctx.model.assets();
        let offset = (found as *const Asset as usize).checked_sub(all.as_ptr() as usize)?;
        let at = offset / std::mem::size_of::<Asset>().max(1);
        let at = if all.get(at).is_some_and(|a| std::ptr::eq(a, found)) {
            at
        } else {
            all.iter().position(|a| std::ptr::eq(a, found))?
        };
        u32::try_from(at).ok()
    }

    fn asset_id(&self, at: u32) -> &'a str {
        self.ctx
            .model
            .assets()
            .get(at as usize)
            .map_or("?", |a| a.id.as_str())
    }

    fn intern(&mut self, value: CelLiteral) -> u32 {
        let text = value.to_string();
        if let Some(&id) = self.value_ids.get(&text) {
            return id;
        }
        let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push(value);
        self.value_ids.insert(text, id);
        id
    }

    /// Subscribe a workflow to its trigger's channel; whether the trigger has one.
    fn subscribe(&mut self, trigger: &'a Trigger, at: usize) -> bool {
        let (kind, asset, to) = match trigger {
            Trigger::TagAdded { tag } => (Kind::TagAdded, tag, None),
            Trigger::TagRemoved { tag } => (Kind::TagRemoved, tag, None),
            Trigger::ListJoined { list } => (Kind::ListJoined, list, None),
            Trigger::ListLeft { list } => (Kind::ListLeft, list, None),
            Trigger::FieldChanged { field, to } => (Kind::FieldChanged, field, to.as_ref()),
            _ => return false,
        };
        let Some(asset) = self.asset(&asset.value) else {
            return false;
        };
        let to = to.map(|t| self.intern(CelLiteral::from_literal(t)));
        self.subscribers
            .entry((kind, asset))
            .or_default()
            .push((at, to));
        true
    }

    /// The comparisons a condition requires, on fields of the model.
    fn requirements(&mut self, condition: &Located<Expression>) -> Vec<Requirement> {
        let mut out = Vec::new();
        for comparison in required_comparisons(&condition.source) {
            if comparison.path.len() != 1 {
                continue;
            }
            let Some(field_use) = comparison.field_use() else {
                continue;
            };
            let Some(field) = self
                .ctx
                .model
                .field_for(&field_use)
                .and_then(|f| self.position(f))
            else {
                continue;
            };
            let equals =
                (comparison.op == CompareOp::Eq).then(|| self.intern(comparison.value.clone()));
            out.push(Requirement {
                field,
                comparison,
                equals,
            });
        }
        out
    }

    fn value(&self, id: u32) -> Option<&CelLiteral> {
        self.values.get(id as usize)
    }

    fn value_id(&self, value: &CelLiteral) -> Option<u32> {
        self.value_ids.get(&value.to_string()).copied()
    }

    /// Whether the state makes one of the requirements false.
    fn falsified<'r>(
        &self,
        requirements: impl IntoIterator<Item = &'r Requirement>,
        state: &State,
    ) -> bool {
        requirements
            .into_iter()
            .any(|r| match state.get(key(FIELD, r.field)) {
                Some(Fact::Value(id)) => self
                    .value(id)
                    .is_some_and(|v| r.comparison.admits(v) == Some(false)),
                _ => false,
            })
    }

    /// A workflow's steps, compiled.
    fn flow(&mut self, workflow: &'a Workflow) -> Flow {
        let steps = &workflow.steps;
        // Small workflows: a linear search beats hashing.
        let by_id: Option<HashMap<&StepId, usize>> = (steps.len() > 32).then(|| {
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
        let mut effects = Vec::with_capacity(steps.len());
        for step in steps {
            let effect = match &step.action {
                StepAction::AddTag { tag, .. } => {
                    self.asset(&tag.value).map(|t| Effect::Tag(t, true))
                }
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
            effects.push(effect.unwrap_or(Effect::Nothing));
        }
        Flow {
            effects,
            next,
            next_at,
            start,
        }
    }

    /// What is known about a contact entering a workflow: the equalities its filter requires,
    /// and what all its triggers imply (unless `enroll` steps enter it directly).
    fn entry_state(&self, info: &WorkflowInfo<'a>) -> State {
        let mut state = State::default();
        let enrolled = self
            .position(info.asset)
            .is_none_or(|id| self.enrolled.contains(&id));
        if !enrolled {
            let mut common: Option<State> = None;
            for trigger in &info.workflow.triggers {
                let mut implied = State::default();
                let fact = match &trigger.value {
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
                };
                if let Some((k, fact)) = fact {
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

    /// The state after a step.
    fn transfer(&self, effect: Effect, before: &State) -> State {
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

    fn forget_lists(&self, field: u32, state: &mut State) {
        for &list in self.lists_reading.get(&field).into_iter().flatten() {
            state.remove(key(LIST, list));
        }
    }

    /// The state before each step, by position; `None` for steps no path from the start
    /// reaches.
    fn states(&self, info: &WorkflowInfo<'a>, flow: &Flow) -> Vec<Option<State>> {
        let mut before: Vec<Option<State>> = vec![None; flow.effects.len()];
        let Some(start) = flow.start.filter(|&s| s < before.len()) else {
            return before;
        };
        before[start] = Some(self.entry_state(info));
        let mut work = vec![start];
        // States only lose facts, so this ends; the budget is a guard against surprises.
        let mut budget = (flow.effects.len() + 1) * 64;
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
    fn events(&self, effect: Effect, before: &State, after: &State, out: &mut Vec<Event>) {
        out.clear();
        let channel = |kind, asset, value| Event::Channel {
            kind,
            asset,
            value,
            via: None,
        };
        match effect {
            Effect::Tag(tag, present) => {
                if before.get(key(TAG, tag)) != Some(Fact::Member(present)) {
                    let kind = if present {
                        Kind::TagAdded
                    } else {
                        Kind::TagRemoved
                    };
                    out.push(channel(kind, tag, None));
                }
            }
            Effect::List(list, member) => {
                if before.get(key(LIST, list)) != Some(Fact::Member(member)) {
                    let kind = if member {
                        Kind::ListJoined
                    } else {
                        Kind::ListLeft
                    };
                    out.push(channel(kind, list, None));
                }
            }
            Effect::Set(field, value) => {
                let unchanged = match before.get(key(FIELD, field)) {
                    Some(Fact::Value(old)) => {
                        old == value
                            || matches!((self.value(old), self.value(value)), (Some(a), Some(b)) if a.equals(b))
                    }
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

    /// The channel's node, created with its subscribers on first use; `None` when nothing
    /// subscribes to it.
    fn channel_node(&self, graph: &mut Graph, channel: Channel) -> Option<usize> {
        if let Some(info) = graph.channels.get(&channel) {
            return (!info.subscribers.is_empty()).then_some(info.node);
        }
        let (kind, asset, value) = channel;
        let subscribers: Vec<(usize, Entry)> = self
            .subscribers
            .get(&(kind, asset))
            .into_iter()
            .flatten()
            .filter(|(_, to)| match (to, value) {
                (Some(to), Some(value)) => {
                    *to == value
                        || matches!((self.value(*to), self.value(value)), (Some(a), Some(b)) if a.equals(b))
                }
                _ => true,
            })
            .map(|&(at, to)| (at, Entry::Trigger(kind, asset, to)))
            .collect();
        let mut requirements = Vec::new();
        let mut distinct_equals = BTreeSet::new();
        let mut distinct = BTreeSet::new();
        for &(at, _) in &subscribers {
            for (i, requirement) in self.filter_of(at).iter().enumerate() {
                let new = match requirement.equals {
                    Some(value) => distinct_equals.insert((requirement.field, value)),
                    None => {
                        distinct.insert((requirement.field, requirement.comparison.to_string()))
                    }
                };
                if new {
                    requirements.push((at, i));
                }
            }
        }
        let node = graph.add_node();
        if let Some(out) = graph.out.get_mut(node) {
            // Subscribers are in workflow order: a workflow with two matching triggers is
            // entered by the first.
            let mut last = None;
            for &(at, entry) in &subscribers {
                if last != Some(at) {
                    out.push((at, Link::Enter(entry)));
                    last = Some(at);
                }
            }
        }
        let used = !subscribers.is_empty();
        graph.channels.insert(
            channel,
            ChannelInfo {
                node,
                subscribers,
                requirements,
            },
        );
        used.then_some(node)
    }

    fn filter_of(&self, at: usize) -> &[Requirement] {
        self.workflows.get(at).map_or(&[][..], |w| &w.filter[..])
    }

    /// The loop graph over the workflows contacts can enter again. A step's event goes to
    /// its channel node, unless what the step sets makes some subscriber's filter false:
    /// then it goes straight to the subscribers that can still be entered.
    fn graph(mut self) -> (Self, Graph) {
        let mut graph = Graph {
            out: Vec::new(),
            channels: BTreeMap::new(),
        };
        for _ in &self.workflows {
            graph.add_node();
        }
        for from in 0..self.workflows.len() {
            let (enterable, workflow) = match self.workflows.get(from) {
                Some(info) => (info.enterable, info.workflow),
                None => continue,
            };
            if !enterable || !workflow.steps.iter().any(|s| causes_events(&s.action)) {
                continue;
            }
            let flow = self.flow(workflow);
            let Some(info) = self.workflows.get(from) else {
                continue;
            };
            // Steps without a state are unreachable.
            let states = self.states(info, &flow);
            let mut events = Vec::new();
            for (step, (before, &effect)) in states.iter().zip(&flow.effects).enumerate() {
                let Some(before) = before else {
                    continue;
                };
                if matches!(effect, Effect::Nothing) {
                    continue;
                }
                let after = self.transfer(effect, before);
                self.events(effect, before, &after, &mut events);
                for &event in &events {
                    let (kind, asset, value) = match event {
                        Event::Enroll(to) => {
                            let entered = self.workflows.get(to).is_some_and(|w| w.enterable)
                                && !self.falsified(self.filter_of(to), &after);
                            if entered {
                                graph.add_edge(
                                    from,
                                    to,
                                    Link::Step {
                                        step,
                                        event,
                                        entry: Some(Entry::Enrolled),
                                    },
                                );
                            }
                            continue;
                        }
                        Event::Channel {
                            kind, asset, value, ..
                        } => (kind, asset, value),
                    };
                    let channel = (kind, asset, value);
                    let Some(node) = self.channel_node(&mut graph, channel) else {
                        continue;
                    };
                    let Some(channel_info) = graph.channels.get(&channel) else {
                        continue;
                    };
                    let prunes = channel_info.requirements.iter().any(|&(at, i)| {
                        self.filter_of(at)
                            .get(i)
                            .is_some_and(|r| self.falsified([r], &after))
                    });
                    if !prunes {
                        graph.add_edge(
                            from,
                            node,
                            Link::Step {
                                step,
                                event,
                                entry: None,
                            },
                        );
                        continue;
                    }
                    let direct: Vec<(usize, Entry)> = channel_info
                        .subscribers
                        .iter()
                        .filter(|(to, _)| !self.falsified(self.filter_of(*to), &after))
                        .copied()
                        .collect();
                    for (to, entry) in direct {
                        graph.add_edge(
                            from,
                            to,
                            Link::Step {
                                step,
                                event,
                                entry: Some(entry),
                            },
                        );
                    }
                }
            }
        }
        (self, graph)
    }

    fn describe_entry(&self, entry: Entry) -> String {
        match entry {
            Entry::Enrolled => "enrolled".to_owned(),
            Entry::Trigger(kind, asset, to) => {
                let name = match kind {
                    Kind::TagAdded => "tag_added",
                    Kind::TagRemoved => "tag_removed",
                    Kind::ListJoined => "list_joined",
                    Kind::ListLeft => "list_left",
                    Kind::FieldChanged => "field_changed",
                };
                let to = to
                    .and_then(|t| self.value(t))
                    .map_or_else(String::new, |v| format!(" to `{}`", plain(v)));
                format!("triggered by {name} `{}`{to}", self.asset_id(asset))
            }
        }
    }

    /// What a step does, as it matters for the loop.
    fn effect(&self, step: &Step, event: Event) -> String {
        let base = match &step.action {
            StepAction::AddTag { tag, .. } => format!("adds tag `{}`", tag.value),
            StepAction::RemoveTag { tag, .. } => format!("removes tag `{}`", tag.value),
            StepAction::AddToList { list, .. } => format!("adds to list `{}`", list.value),
            StepAction::RemoveFromList { list, .. } => {
                format!("removes from list `{}`", list.value)
            }
            StepAction::SetField { field, value, .. } => format!(
                "sets `{}` to `{}`",
                field.value,
                plain(&CelLiteral::from_literal(&value.value))
            ),
            StepAction::AdjustScore { field, by, .. } => {
                format!("adjusts `{}` by {by}", field.value)
            }
            StepAction::Enroll { workflow, .. } => format!("enrolls in `{}`", workflow.value),
            other => other.type_name().to_owned(),
        };
        match event {
            Event::Channel {
                kind: Kind::ListJoined,
                asset,
                via: Some(_),
                ..
            } => format!(
                "{base}, which can make the contact join `{}`",
                self.asset_id(asset)
            ),
            Event::Channel {
                kind: Kind::ListLeft,
                asset,
                via: Some(_),
                ..
            } => format!(
                "{base}, which can make the contact leave `{}`",
                self.asset_id(asset)
            ),
            _ => base,
        }
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
fn causes_events(action: &StepAction) -> bool {
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

/// A value as written in a YAML file: text without quotes.
fn plain(value: &CelLiteral) -> String {
    match value {
        CelLiteral::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// One workflow of a loop: the step that leads on, and how the next workflow is entered.
struct Hop {
    workflow: usize,
    step: usize,
    event: Event,
    entry: Entry,
}

fn report_cycles(index: &Index<'_>, graph: &Graph, sink: &mut Sink) {
    let mut petgraph: DiGraph<(), ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = graph.out.iter().map(|_| petgraph.add_node(())).collect();
    for (from, out) in graph.out.iter().enumerate() {
        for (to, _) in out {
            if let (Some(&a), Some(&b)) = (nodes.get(from), nodes.get(*to)) {
                petgraph.add_edge(a, b, ());
            }
        }
    }
    let workflows = index.workflows.len();
    let mut components: Vec<Vec<usize>> = tarjan_scc(&petgraph)
        .into_iter()
        .map(|component| {
            let mut nodes: Vec<usize> = component.into_iter().map(NodeIndex::index).collect();
            nodes.sort_unstable();
            nodes
        })
        .collect();
    components.sort_unstable();
    let mut component_of = vec![usize::MAX; graph.out.len()];
    for (c, component) in components.iter().enumerate() {
        for &node in component {
            if let Some(slot) = component_of.get_mut(node) {
                *slot = c;
            }
        }
    }
    for (c, component) in components.iter().enumerate() {
        // Workflow nodes come first, so the smallest node is the first workflow by id.
        let Some(&first) = component.first().filter(|&&n| n < workflows) else {
            continue;
        };
        let self_loop = graph
            .out
            .get(first)
            .is_some_and(|out| out.iter().any(|(to, _)| *to == first));
        if component.len() == 1 && !self_loop {
            continue;
        }
        let members = component.iter().filter(|&&n| n < workflows).count();
        let inside = |node: usize| component_of.get(node) == Some(&c);
        if let Some(hops) = shortest_cycle(first, inside, graph, workflows) {
            report_cycle(index, &hops, members, sink);
        }
    }
}

/// The shortest loop through workflow `start` inside a strongly connected component, as hops
/// from workflow to workflow.
fn shortest_cycle(
    start: usize,
    inside: impl Fn(usize) -> bool,
    graph: &Graph,
    workflows: usize,
) -> Option<Vec<Hop>> {
    // parent[node] = (previous node, index of the edge in the previous node's list)
    let mut parent: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut closing = None;
    'search: while let Some(at) = queue.pop_front() {
        let out = graph.out.get(at)?;
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by_key(|&i| out[i].0);
        for i in order {
            let next = out[i].0;
            if next == start {
                closing = Some((at, i));
                break 'search;
            }
            if inside(next) && !parent.contains_key(&next) {
                parent.insert(next, (at, i));
                queue.push_back(next);
            }
        }
    }
    // The edges of the loop, from the start back to it.
    let closing = closing?;
    let mut edges = vec![closing];
    let mut current = closing.0;
    while current != start {
        let &(previous, i) = parent.get(&current)?;
        edges.push((previous, i));
        current = previous;
    }
    edges.reverse();
    // Fold channel nodes into the hops of the workflows before them.
    let mut hops = Vec::new();
    let mut pending: Option<(usize, usize, Event)> = None;
    for (from, i) in edges {
        let (_, link) = graph.out.get(from)?.get(i)?;
        match *link {
            Link::Step { step, event, entry } => {
                if from >= workflows {
                    return None;
                }
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

/// The most workflows a loop's path lists in full.
const MAX_PATH_SHOWN: usize = 10;

fn report_cycle(index: &Index<'_>, hops: &[Hop], members: usize, sink: &mut Sink) {
    let step_of = |hop: &Hop| -> Option<(&WorkflowInfo<'_>, &Step)> {
        let info = index.workflows.get(hop.workflow)?;
        Some((info, info.workflow.steps.get(hop.step)?))
    };
    let Some((first, first_step)) = hops.first().and_then(step_of) else {
        return;
    };
    let first_id = &first.asset.id.value;
    let mut parts = Vec::with_capacity(hops.len() + 1);
    for (i, hop) in hops.iter().enumerate() {
        let Some((info, step)) = step_of(hop) else {
            return;
        };
        let what = format!("step `{}` {}", step.id.value, index.effect(step, hop.event));
        let entered = i
            .checked_sub(1)
            .and_then(|p| hops.get(p))
            .map(|previous| format!("{}; ", index.describe_entry(previous.entry)))
            .unwrap_or_default();
        parts.push(format!("{} ({entered}{what})", info.asset.id.value));
    }
    // Very long loops: the start and the end of the path are enough to find it.
    if parts.len() > MAX_PATH_SHOWN {
        let hidden = parts.len() - MAX_PATH_SHOWN + 1;
        let tail = parts.split_off(parts.len() - MAX_PATH_SHOWN / 2);
        parts.truncate(MAX_PATH_SHOWN / 2 - 1);
        parts.push(format!("… {hidden} more workflows …"));
        parts.extend(tail);
    }
    parts.push(first_id.to_string());
    let path = parts.join(" → ");
    let period: Option<Duration> = hops
        .iter()
        .filter_map(|hop| {
            match index
                .workflows
                .get(hop.workflow)?
                .workflow
                .enrollment
                .reenroll
                .value
            {
                Reenrollment::After(d) => Some(d),
                _ => None,
            }
        })
        .max();
    let more = if members > hops.len() {
        format!(
            " ({} more workflows take part in loops with it)",
            members - hops.len()
        )
    } else {
        String::new()
    };
    let message = match period {
        None => format!("workflow `{first_id}` re-triggers itself: {path}{more}"),
        Some(d) => format!(
            "workflow `{first_id}` re-triggers itself as often as re-enrollment allows (every {d}): {path}{more}"
        ),
    };
    let finding = sink.report(first.asset, first_step.id.span, message);
    let shown = hops.len().saturating_sub(MAX_PATH_SHOWN).max(1);
    for (i, hop) in hops.iter().enumerate().skip(shown) {
        if let Some((info, step)) = step_of(hop) {
            let what = format!("step `{}` {}", step.id.value, index.effect(step, hop.event));
            let note = if i + 1 == hops.len() {
                format!("closes the loop: {what}")
            } else {
                what
            };
            finding.related(info.asset, step.id.span, note);
        }
    }
    finding.help(match period {
        None => "break the loop: set `reenroll: never` on one of these workflows, or give one an enrollment filter that the loop's own steps make false",
        Some(_) => "if repeating at that interval is intended, add an exception with the reason under [[check.exceptions]]; otherwise set `reenroll: never` on one of these workflows, or give one an enrollment filter that the loop's own steps make false",
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use crate::{check, CheckConfig, CheckOptions};
    use std::path::Path;

    /// The FG101 messages for a set of YAML documents.
    fn loops(yaml: &str) -> Vec<String> {
        let loaded = flowgate_load::load_texts(
            Path::new("."),
            &[("assets.yaml".to_owned(), yaml.to_owned())],
        );
        assert!(!loaded.has_errors(), "{:#?}", loaded.diagnostics);
        let config = CheckConfig {
            select: vec!["FG101".into()],
            ..CheckConfig::default()
        };
        check(
            &loaded.model,
            &loaded.sources,
            &config,
            &CheckOptions::default(),
        )
        .diagnostics
        .into_iter()
        .map(|d| d.message)
        .collect()
    }

    const TAGS: &str = "kind: Tag\nid: t1\n---\nkind: Tag\nid: t2\n---\nkind: Tag\nid: t3\n---\n";

    fn workflow(id: &str, trigger: &str, reenroll: &str, steps: &str) -> String {
        format!(
            "kind: Workflow\nid: {id}\ntriggers: [{trigger}]\nenrollment: {{ reenroll: {reenroll} }}\nsteps:\n{steps}---\n"
        )
    }

    fn add_tag(id: &str, tag: &str, next: Option<&str>) -> String {
        let next = next.map_or_else(String::new, |n| format!("    next: {n}\n"));
        format!("  - id: {id}\n    type: add_tag\n    tag: {tag}\n{next}")
    }

    #[test]
    fn one_finding_per_group_of_loops_on_the_first_workflow() {
        // a → b → a and b → c → b: one strongly connected group.
        let yaml = [
            TAGS.to_owned(),
            workflow(
                "c",
                "{ type: tag_added, tag: t3 }",
                "always",
                &add_tag("to-b", "t2", None),
            ),
            workflow(
                "a",
                "{ type: tag_added, tag: t1 }",
                "always",
                &add_tag("to-b", "t2", None),
            ),
            workflow(
                "b",
                "{ type: tag_added, tag: t2 }",
                "always",
                &format!(
                    "  - id: drop-t1\n    type: remove_tag\n    tag: t1\n    next: to-a\n{}{}",
                    add_tag("to-a", "t1", Some("to-c")),
                    add_tag("to-c", "t3", None)
                ),
            ),
        ]
        .concat();
        let found = loops(&yaml);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("workflow `a` re-triggers itself: a (step `to-b` adds tag `t2`) → b (triggered by tag_added `t2`; step `to-a` adds tag `t1`) → a"), "{}", found[0]);
        assert!(
            found[0].contains("(1 more workflows take part"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn a_workflow_entered_once_ends_the_loop() {
        let yaml = [
            TAGS.to_owned(),
            workflow(
                "a",
                "{ type: tag_added, tag: t1 }",
                "never",
                &add_tag("to-b", "t2", None),
            ),
            workflow(
                "b",
                "{ type: tag_added, tag: t2 }",
                "always",
                "  - id: back\n    type: enroll\n    workflow: a\n",
            ),
        ]
        .concat();
        assert!(loops(&yaml).is_empty());
    }

    #[test]
    fn values_set_earlier_in_the_workflow_make_the_filter_false() {
        let yaml = [
            TAGS.to_owned(),
            "kind: Field\nid: stage\ntype: enum\noptions: [lead, customer]\n---\n".to_owned(),
            workflow(
                "a",
                "{ type: tag_added, tag: t1 }",
                "always",
                "  - id: won\n    type: set_field\n    field: stage\n    value: customer\n    next: hand-over\n  - id: hand-over\n    type: enroll\n    workflow: b\n",
            ),
            "kind: Workflow\nid: b\ntriggers: [{ type: contact_created }]\nenrollment:\n  filter: contact.stage == \"lead\"\n  reenroll: always\nsteps:\n  - id: retag\n    type: remove_tag\n    tag: t1\n    next: add\n  - id: add\n    type: add_tag\n    tag: t1\n---\n".to_owned(),
        ]
        .concat();
        assert!(loops(&yaml).is_empty(), "{:?}", loops(&yaml));
        // Without the filter, the loop is real.
        let unfiltered = yaml.replace("  filter: contact.stage == \"lead\"\n", "");
        assert_eq!(loops(&unfiltered).len(), 1);
    }

    #[test]
    fn a_filter_made_false_prunes_only_its_own_workflow() {
        let yaml = [
            TAGS.to_owned(),
            "kind: Field\nid: stage\ntype: enum\noptions: [lead, customer]\n---\n".to_owned(),
            workflow(
                "a",
                "{ type: tag_added, tag: t2 }",
                "always",
                &format!(
                    "  - id: won\n    type: set_field\n    field: stage\n    value: customer\n    next: tag\n{}",
                    add_tag("tag", "t1", None)
                ),
            ),
            "kind: Workflow\nid: b\ntriggers: [{ type: tag_added, tag: t1 }]\nenrollment:\n  filter: contact.stage == \"lead\"\n  reenroll: always\nsteps:\n  - id: back\n    type: add_tag\n    tag: t2\n---\n".to_owned(),
            workflow(
                "c",
                "{ type: tag_added, tag: t1 }",
                "always",
                "  - id: tell\n    type: notify\n    to: [\"slack:#x\"]\n    message: hi\n",
            ),
        ]
        .concat();
        assert!(loops(&yaml).is_empty(), "{:?}", loops(&yaml));
        let unfiltered = yaml.replace("  filter: contact.stage == \"lead\"\n", "");
        let found = loops(&unfiltered);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("a (step `tag` adds tag `t1`) → b (triggered by tag_added `t1`; step `back` adds tag `t2`) → a"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn field_changed_to_the_value_set_loops() {
        let yaml = [
            "kind: Field\nid: status\ntype: string\n---\n".to_owned(),
            workflow(
                "toggle",
                "{ type: field_changed, field: status, to: active }",
                "always",
                "  - id: pause\n    type: set_field\n    field: status\n    value: paused\n    next: resume\n  - id: resume\n    type: set_field\n    field: status\n    value: active\n",
            ),
        ]
        .concat();
        let found = loops(&yaml);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("step `resume` sets `status` to `active`"),
            "{}",
            found[0]
        );
    }

    #[test]
    fn many_workflows_are_fast_enough() {
        let mut yaml = String::new();
        for i in 0..2000 {
            yaml.push_str(&format!("kind: Tag\nid: t{i}\n---\n"));
        }
        for i in 0..2000 {
            let next = (i + 1) % 2000;
            yaml.push_str(&workflow(
                &format!("w{i:05}"),
                &format!("{{ type: tag_added, tag: t{i} }}"),
                "always",
                &add_tag("next", &format!("t{next}"), None),
            ));
        }
        let started = std::time::Instant::now();
        // One loop through all of them.
        let found = loops(&yaml);
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with(
            "workflow `w00000` re-triggers itself: w00000 (step `next` adds tag `t1`) → w00001"
        ));
        assert!(
            found[0].contains(" → … 1991 more workflows … → w01995 ("),
            "{}",
            found[0]
        );
        assert!(
            found[0].ends_with("step `next` adds tag `t0`) → w00000"),
            "{}",
            found[0]
        );
        // Generous: debug build, loading included.
        assert!(started.elapsed().as_secs() < 20);
    }
}
