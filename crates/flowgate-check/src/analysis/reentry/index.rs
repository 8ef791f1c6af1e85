//! The model as the analysis sees it: workflows by position, who subscribes to which
//! event, dynamic lists and the fields their filters read, and interned literal values.

use super::events::{Kind, Subscription};
use super::state::{key, Fact, State, FIELD};
use crate::CheckContext;
use flowgate_lang::{required_comparisons, CelLiteral, CompareOp, Comparison};
use flowgate_model::{
    Asset, AssetId, AssetSpec, Expression, List, Located, Reenrollment, StepAction, Trigger,
    Workflow,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A required comparison of a condition, on a field of the model.
pub(super) struct Requirement {
    /// The field's position.
    pub(super) field: u32,
    pub(super) comparison: Comparison,
    /// The value an `==` requires, interned.
    pub(super) equals: Option<u32>,
}

/// A workflow and what the analysis needs to know about entering it.
pub(super) struct WorkflowInfo<'a> {
    pub(super) asset: &'a Asset,
    pub(super) workflow: &'a Workflow,
    /// Contacts may enter again (`reenroll` is not `never`).
    pub(super) reenters: bool,
    /// It lets contacts enter again and some step can start it (a trigger on a tag, list
    /// or field, or an `enroll` step).
    pub(super) enterable: bool,
    /// The comparisons its enrollment filter requires (only for enterable workflows).
    pub(super) filter: Vec<Requirement>,
}

/// The model, indexed for the analysis. Assets are referred to by their position in the
/// model, workflows by their position in [`Index::workflows`].
pub(super) struct Index<'a> {
    pub(super) ctx: &'a CheckContext<'a>,
    pub(super) workflows: Vec<WorkflowInfo<'a>>,
    pub(super) workflow_of_asset: BTreeMap<u32, usize>,
    /// Workflows (that let contacts enter again) by the trigger they wait for, with `to:`.
    pub(super) subscribers: BTreeMap<(Kind, u32), Vec<Subscription>>,
    /// Dynamic lists whose filter reads a field, and the filters' requirements.
    pub(super) lists_reading: BTreeMap<u32, Vec<u32>>,
    pub(super) list_filters: BTreeMap<u32, Vec<Requirement>>,
    /// Workflows some `enroll` step enters directly (what their triggers imply may not hold).
    pub(super) enrolled: BTreeSet<u32>,
    /// Literal values, interned.
    values: Vec<CelLiteral>,
    value_ids: HashMap<String, u32>,
}

impl<'a> Index<'a> {
    /// Index the model of `ctx`.
    pub(super) fn build(ctx: &'a CheckContext<'a>) -> Self {
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
                AssetSpec::Workflow(workflow) => index.add_workflow(asset, workflow),
                AssetSpec::List(list) => index.add_list(asset, list),
                _ => {}
            }
        }
        index.settle_filters();
        index
    }

    fn add_workflow(&mut self, asset: &'a Asset, workflow: &'a Workflow) {
        let at = self.workflows.len();
        if let Some(id) = self.position(asset) {
            self.workflow_of_asset.insert(id, at);
        }
        for step in &workflow.steps {
            if let StepAction::Enroll { workflow, .. } = &step.action {
                if let Some(id) = self.asset(&workflow.value) {
                    self.enrolled.insert(id);
                }
            }
        }
        // Only workflows contacts can enter again can be on a loop.
        let reenters = workflow.enrollment.reenroll.value != Reenrollment::Never;
        let mut subscribed = false;
        if reenters {
            for trigger in &workflow.triggers {
                subscribed |= self.subscribe(&trigger.value, at);
            }
        }
        self.workflows.push(WorkflowInfo {
            asset,
            workflow,
            reenters,
            enterable: subscribed,
            filter: Vec::new(),
        });
    }

    fn add_list(&mut self, asset: &'a Asset, list: &'a List) {
        let (Some(filter), Some(list_id)) = (&list.filter, self.asset(&asset.id.value)) else {
            return;
        };
        let mut read = BTreeSet::new();
        for field_use in &filter.fields {
            if let Some(field) = self.ctx.model.field_for(&field_use.value) {
                read.extend(self.position(field));
            }
        }
        for field in read {
            self.lists_reading.entry(field).or_default().push(list_id);
        }
        let requirements = self.requirements(filter);
        self.list_filters.insert(list_id, requirements);
    }

    /// Decide which workflows can be entered again, and compile their filters: a workflow no
    /// step can start is on no loop, so its filter is not needed.
    fn settle_filters(&mut self) {
        for at in 0..self.workflows.len() {
            let Some(info) = self.workflows.get(at) else {
                continue;
            };
            let enrolled = self
                .position(info.asset)
                .is_some_and(|id| self.enrolled.contains(&id));
            let enterable = info.reenters && (info.enterable || enrolled);
            let filter = match (&info.workflow.enrollment.filter, enterable) {
                (Some(filter), true) => self.requirements(filter),
                _ => Vec::new(),
            };
            if let Some(info) = self.workflows.get_mut(at) {
                info.enterable = enterable;
                info.filter = filter;
            }
        }
    }

    /// The position of an asset in the model.
    pub(super) fn asset(&self, id: &AssetId) -> Option<u32> {
        self.position(self.ctx.model.get(id)?)
    }

    /// The position of an asset the model handed out: references point into its sorted list,
    /// so the offset gives the position (checked, with a search as fallback).
    pub(super) fn position(&self, found: &Asset) -> Option<u32> {
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

    /// The id of the asset at a position, `?` for none.
    pub(super) fn asset_id(&self, at: u32) -> &'a str {
        self.ctx
            .model
            .assets()
            .get(at as usize)
            .map_or("?", |a| a.id.as_str())
    }

    /// The id of a value, added when new.
    pub(super) fn intern(&mut self, value: CelLiteral) -> u32 {
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

    /// The value with this id.
    pub(super) fn value(&self, id: u32) -> Option<&CelLiteral> {
        self.values.get(id as usize)
    }

    /// The id of a value already interned.
    pub(super) fn value_id(&self, value: &CelLiteral) -> Option<u32> {
        self.value_ids.get(&value.to_string()).copied()
    }

    /// Whether two interned values are the same value.
    pub(super) fn same_value(&self, a: u32, b: u32) -> bool {
        a == b || matches!((self.value(a), self.value(b)), (Some(a), Some(b)) if a.equals(b))
    }

    /// Whether the state makes one of the requirements false.
    pub(super) fn falsified<'r>(
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

    /// The requirements of the enrollment filter of the workflow at `at`.
    pub(super) fn filter_of(&self, at: usize) -> &[Requirement] {
        self.workflows.get(at).map_or(&[][..], |w| &w.filter[..])
    }
}
