//! Promotion through environments: plans, approvals, apply, rollback and pins, each recorded
//! as an operation in the store's hash-chained log. An environment's pointer for a bundle is
//! the ref `env/<environment>/<bundle>`; it moves only by compare-and-swap, so of two
//! concurrent applies exactly one wins.

use crate::error::{Conflict, ReleaseError, StalePlan};
use crate::gates::{evaluate, Approval, Facts, GateResult, Pin};
use crate::policy::{Environment, Policy};
use crate::refusal::{Refusal, Stranded};
use crate::render::{render, Rendered};
use crate::target::{DeployTarget, DirectoryTargets, Targets};
use chrono::{DateTime, Utc};
use flowgate_diff::{diff_documents, Diff, Documents};
use flowgate_store::{
    canonical_json, NewOperation, Operation, OperationFilter, OperationKind, Snapshot, SnapshotId,
    SnapshotKey, Store,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// The shortest plan id prefix [`Promotions::find_plan`] looks plans up by.
const MIN_PLAN_PREFIX: usize = 6;

/// The ref holding what `env` runs of `bundle`.
pub fn env_ref(env: &str, bundle: &str) -> String {
    format!("env/{env}/{bundle}")
}

/// What an environment held when a plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Base {
    /// The snapshot.
    pub snapshot: SnapshotId,
    /// Its version.
    pub version: String,
}

/// A promotion plan: what would be deployed where, against what. Its id is the hash of this
/// content, so an approval of one plan never counts for another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The bundle.
    pub bundle: String,
    /// The version promoted.
    pub version: String,
    /// Its release id (`LI-1.2.0`).
    pub release_id: Option<String>,
    /// The snapshot promoted.
    pub snapshot: SnapshotId,
    /// Who froze it.
    pub author: String,
    /// The environment promoted into.
    pub environment: String,
    /// What the environment holds now.
    pub base: Option<Base>,
    /// The rendered files and their hashes.
    pub files: BTreeMap<String, String>,
    /// The digest of the environment's gates and RACI when planned.
    pub policy: String,
}

impl Plan {
    /// The plan id: BLAKE3 of the plan's canonical JSON.
    pub fn id(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        blake3::hash(&canonical_json(&value)).to_hex().to_string()
    }
}

/// A plan with everything known about it now.
#[derive(Debug, Clone)]
pub struct PlanReport {
    /// The plan.
    pub plan: Plan,
    /// Its id.
    pub id: String,
    /// Every gate's verdict.
    pub gates: Vec<GateResult>,
    /// The rendered bundle.
    pub rendered: Rendered,
    /// The change against what the environment holds.
    pub diff: Diff,
    /// Approvals of this plan.
    pub approvals: Vec<Approval>,
    /// The environment's guardrails, as phrases.
    pub guardrails: Vec<String>,
    /// Roles consulted.
    pub consulted: Vec<String>,
    /// Roles informed.
    pub informed: Vec<String>,
}

impl PlanReport {
    /// Whether every gate passes.
    pub fn passes(&self) -> bool {
        self.gates.iter().all(|g| g.passed)
    }

    /// The plan as JSON, for `--out FILE` and `--format json`.
    pub fn to_json(&self) -> Value {
        json!({
            "flowgate_plan": 1,
            "id": self.id,
            "plan": self.plan,
            "gates": self.gates,
            "approvals": self.approvals,
            "passes": self.passes(),
            "changes": {
                "bump": self.diff.bump.as_str(),
                "assets": self.diff.assets.iter().map(|a| json!({"id": a.id, "kind": a.kind, "status": format!("{:?}", a.status).to_lowercase()})).collect::<Vec<_>>(),
            },
            "unused_values": self.rendered.unused_values,
            "guardrails": self.guardrails,
            "consulted": self.consulted,
            "informed": self.informed,
        })
    }
}

/// What an operation on an environment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The pointer moved; the operation's sequence number.
    Done(u64),
    /// Nothing to do; why.
    Unchanged(String),
}

/// Promotion against one store, with an injected clock and the workspace policy.
pub struct Promotions<'a, S: Store> {
    pub(crate) store: &'a S,
    pub(crate) policy: &'a Policy,
    pub(crate) now: DateTime<Utc>,
    host: Option<String>,
    targets: &'a dyn Targets,
}

/// The targets opened when none are given: directories only.
static DIRECTORIES: DirectoryTargets = DirectoryTargets;

/// What a rollback would do.
#[derive(Debug, Clone)]
pub enum RollbackStep {
    /// Nothing; why.
    Unchanged(String),
    /// Move the environment from `current` back to `target`.
    Move {
        /// What the environment holds now.
        current: Box<Snapshot>,
        /// What it would hold afterwards.
        target: Box<Snapshot>,
    },
}

impl<'a, S: Store> Promotions<'a, S> {
    /// Promotion against `store` under `policy`, at `now`.
    pub fn new(store: &'a S, policy: &'a Policy, now: DateTime<Utc>) -> Self {
        Self {
            store,
            policy,
            now,
            host: None,
            targets: &DIRECTORIES,
        }
    }

    /// Opens deploy targets with `targets` (the default knows directories only).
    pub fn with_targets(mut self, targets: &'a dyn Targets) -> Self {
        self.targets = targets;
        self
    }

    /// The deploy target of `env`, if it has one.
    pub fn target(&self, env: &Environment) -> Result<Option<Box<dyn DeployTarget>>, ReleaseError> {
        Ok(self.targets.open(env)?)
    }

    /// Names the machine this runs on: deploys record it with their target, so that
    /// `status` on another machine (or in another checkout) does not take a target it cannot
    /// see for drift.
    pub fn on_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Where a deploy to `target` lands: this host and the target.
    fn location(&self, target: &dyn DeployTarget) -> Value {
        let host = if target.shared() {
            None
        } else {
            self.host.clone()
        };
        json!({ "host": host, "target": target.describe() })
    }

    pub(crate) fn env(&self, name: &str) -> Result<&'a Environment, ReleaseError> {
        self.policy
            .require_environment(name)
            .map_err(ReleaseError::Refused)
    }

    pub(crate) async fn snapshot(&self, id: &SnapshotId) -> Result<Snapshot, ReleaseError> {
        self.store
            .get_snapshot(SnapshotKey::Id(id))
            .await?
            .ok_or_else(|| ReleaseError::Refused(Refusal::UnknownSnapshot { id: id.short() }))
    }

    /// The object bytes of every entry, by asset id. Each stored object is read once and
    /// shared by every entry that names it (never copied per entry).
    pub(crate) async fn objects(
        &self,
        snapshot: &Snapshot,
    ) -> Result<BTreeMap<String, Arc<[u8]>>, ReleaseError> {
        let ids: Vec<_> = snapshot
            .entries
            .iter()
            .map(|e| e.object)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let stored: HashMap<_, Arc<[u8]>> = self
            .store
            .get_objects(&ids)
            .await?
            .into_iter()
            .map(|o| (o.id(), Arc::from(o.into_bytes())))
            .collect();
        Ok(snapshot
            .entries
            .iter()
            .filter_map(|e| stored.get(&e.object).map(|b| (e.id.clone(), Arc::clone(b))))
            .collect())
    }

    pub(crate) async fn current(
        &self,
        env: &str,
        bundle: &str,
    ) -> Result<Option<Snapshot>, ReleaseError> {
        match self.store.get_ref(&env_ref(env, bundle)).await? {
            None => Ok(None),
            Some(record) => Ok(Some(self.snapshot(&record.target).await?)),
        }
    }

    /// The operations that moved one ref, oldest first.
    async fn ref_ops(&self, name: &str) -> Result<Vec<Operation>, ReleaseError> {
        Ok(self
            .store
            .operations(&OperationFilter {
                ref_name: Some(name.to_owned()),
                ..OperationFilter::default()
            })
            .await?)
    }

    /// The last operation that moved one ref.
    async fn last_ref_op(&self, name: &str) -> Result<Option<Operation>, ReleaseError> {
        let mut newest = self
            .store
            .operations(&OperationFilter {
                ref_name: Some(name.to_owned()),
                newest_first: true,
                limit: Some(1),
                ..OperationFilter::default()
            })
            .await?;
        Ok(newest.pop())
    }

    async fn ops(&self, kind: OperationKind) -> Result<Vec<Operation>, ReleaseError> {
        Ok(self
            .store
            .operations(&OperationFilter {
                kind: Some(kind),
                ..OperationFilter::default()
            })
            .await?)
    }

    /// The pin on `env`, if any: the latest of its pin, unpin and rollback operations.
    pub async fn pin(&self, env: &str) -> Result<Option<Pin>, ReleaseError> {
        let mut latest: Option<Operation> = None;
        for kind in [
            OperationKind::Pin,
            OperationKind::Unpin,
            OperationKind::Rollback,
        ] {
            for op in self.ops(kind).await? {
                if op.payload.get("env").and_then(Value::as_str) == Some(env)
                    && latest.as_ref().is_none_or(|l| op.seq > l.seq)
                {
                    latest = Some(op);
                }
            }
        }
        Ok(latest
            .filter(|op| op.kind_of() != Some(OperationKind::Unpin))
            .map(|op| Pin {
                by: op.actor.clone(),
                at: op.at.to_human(),
                reason: op
                    .payload
                    .get("reason")
                    .and_then(Value::as_str)
                    .unwrap_or("rolled back")
                    .to_owned(),
            }))
    }

    /// The approvals of `plan`, and how many approvals of other plans for the same snapshot
    /// and environment there are (stale: the plan changed under them).
    async fn approvals(
        &self,
        plan: &str,
        env: &str,
        snapshot: &SnapshotId,
    ) -> Result<(Vec<Approval>, usize), ReleaseError> {
        let mut this = Vec::new();
        let mut stale = 0;
        let of_snapshot = self
            .store
            .operations(&OperationFilter {
                kind: Some(OperationKind::Approve),
                snapshot: Some(snapshot.to_string()),
                ..OperationFilter::default()
            })
            .await?;
        for op in of_snapshot {
            let p = &op.payload;
            let text = |key: &str| {
                p.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            if text("plan") == plan {
                this.push(Approval {
                    person: op.actor.clone(),
                    role: text("role"),
                    plan: plan.to_owned(),
                    at: op.at.to_rfc3339(),
                    comment: p.get("comment").and_then(Value::as_str).map(str::to_owned),
                });
            } else if text("env") == env && text("snapshot") == snapshot.to_string() {
                stale += 1;
            }
        }
        Ok((this, stale))
    }

    /// When `env` last started holding `snapshot` of `bundle`.
    pub(crate) async fn since(
        &self,
        env: &str,
        bundle: &str,
        snapshot: &SnapshotId,
    ) -> Result<Option<DateTime<Utc>>, ReleaseError> {
        let ops = self.ref_ops(&env_ref(env, bundle)).await?;
        Ok(ops
            .iter()
            .rev()
            .find(|op| op.ref_change.as_ref().is_some_and(|c| c.to == *snapshot))
            .map(|op| op.at.datetime()))
    }

    /// Overdue action items of incidents linked to releases of `bundle`, when `env` blocks on
    /// them (nothing is read otherwise).
    async fn overdue_actions(
        &self,
        env: &Environment,
        bundle: &str,
    ) -> Result<Vec<String>, ReleaseError> {
        if !env.gates.block_on_overdue_actions {
            return Ok(Vec::new());
        }
        let folded = flowgate_incidents::Incidents::new(self.store, self.now)
            .all()
            .await?;
        let today = self.now.date_naive();
        Ok(folded
            .incidents
            .values()
            .filter(|i| i.links.iter().any(|l| l.bundle == bundle))
            .flat_map(|i| {
                i.overdue_actions(today).into_iter().map(move |a| {
                    format!("{} {} ({}, due {}): {}", i.id, a.id, a.owner, a.due, a.text)
                })
            })
            .collect())
    }

    /// The plan for promoting `snapshot` into `env`, with every gate evaluated for `actor`.
    pub async fn plan(
        &self,
        snapshot: &Snapshot,
        env_name: &str,
        actor: Option<&str>,
    ) -> Result<PlanReport, ReleaseError> {
        let env = self.env(env_name)?;
        check_names(env_name, &snapshot.bundle)?;
        let objects = self.objects(snapshot).await?;
        let rendered = render(snapshot, &objects, env)?;
        let current = self.current(env_name, &snapshot.bundle).await?;
        let old_documents = match &current {
            Some(base) => {
                let objects = self.objects(base).await?;
                render(base, &objects, env)?.documents
            }
            None => BTreeMap::new(),
        };
        let diff = diff_documents(
            &Documents(old_documents),
            &Documents(rendered.documents.clone()),
        );
        let plan = Plan {
            bundle: snapshot.bundle.clone(),
            version: snapshot.version.clone(),
            release_id: snapshot
                .manifest
                .get("release_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            snapshot: snapshot.id,
            author: snapshot.author.clone(),
            environment: env_name.to_owned(),
            base: current.as_ref().map(|c| Base {
                snapshot: c.id,
                version: c.version.clone(),
            }),
            files: rendered.file_hashes(),
            policy: policy_digest(env),
        };
        let id = plan.id();
        let (approvals, stale) = self.approvals(&id, env_name, &snapshot.id).await?;
        let pinned = self.pin(env_name).await?;
        let (from_current, from_since) = match &env.gates.from {
            Some(from) => match self.store.get_ref(&env_ref(from, &snapshot.bundle)).await? {
                Some(record) => (
                    Some(record.target),
                    self.since(from, &snapshot.bundle, &record.target).await?,
                ),
                None => (None, None),
            },
            None => (None, None),
        };
        let overdue = self.overdue_actions(env, &snapshot.bundle).await?;
        let checkpoints = self.checkpoint_results(Some(&snapshot.id)).await?;
        let watch_holds = crate::watch_record::holds(&checkpoints);
        let from_checkpoints: Vec<_> = match (&env.gates.from, from_since) {
            (Some(from), Some(since)) if from_current == Some(snapshot.id) => checkpoints
                .into_iter()
                .filter(|r| r.env == *from && r.of_release(&snapshot.id, since))
                .collect(),
            _ => Vec::new(),
        };
        let gates = evaluate(&Facts {
            policy: self.policy,
            env,
            plan: &id,
            snapshot: snapshot.id,
            version: &snapshot.version,
            manifest: &snapshot.manifest,
            imported: snapshot.is_imported(),
            author: &snapshot.author,
            current_version: current.as_ref().map(|c| c.version.as_str()),
            actor,
            now: self.now,
            pinned: pinned.as_ref(),
            approvals: &approvals,
            stale_approvals: stale,
            from_current,
            from_since,
            render_problems: &rendered.problems,
            overdue_actions: &overdue,
            watch_holds: &watch_holds,
            from_checkpoints: &from_checkpoints,
        });
        Ok(PlanReport {
            plan,
            id,
            gates,
            rendered,
            diff,
            approvals,
            guardrails: env.guardrails.summary(),
            consulted: env.raci.consulted.clone(),
            informed: env.raci.informed.clone(),
        })
    }

    /// Records a plan in the log (once per plan id), so that approvals and applies can name
    /// it by id.
    pub async fn record_plan(&self, report: &PlanReport, actor: &str) -> Result<(), ReleaseError> {
        if self.find_plan(&report.id).await?.is_some() {
            return Ok(());
        }
        self.store
            .append_operation(&NewOperation::new(
                actor,
                OperationKind::Plan,
                json!({
                    "plan": report.id,
                    "env": report.plan.environment,
                    "bundle": report.plan.bundle,
                    "version": report.plan.version,
                    "content": report.plan,
                }),
            ))
            .await?;
        Ok(())
    }

    /// A recorded plan by id or unambiguous id prefix (at least 6 characters).
    pub async fn find_plan(&self, prefix: &str) -> Result<Option<Plan>, ReleaseError> {
        if prefix.len() < MIN_PLAN_PREFIX {
            return Err(ReleaseError::Refused(Refusal::PlanIdTooShort {
                prefix: prefix.to_owned(),
                min: MIN_PLAN_PREFIX,
            }));
        }
        let mut found: Vec<Plan> = Vec::new();
        let recorded = self
            .store
            .operations(&OperationFilter {
                kind: Some(OperationKind::Plan),
                plan_prefix: Some(prefix.to_owned()),
                ..OperationFilter::default()
            })
            .await?;
        for op in recorded {
            let id = op
                .payload
                .get("plan")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if id.starts_with(prefix) {
                if let Some(plan) = op
                    .payload
                    .get("content")
                    .and_then(|c| serde_json::from_value::<Plan>(c.clone()).ok())
                {
                    if !found.iter().any(|p| p.id() == plan.id()) {
                        found.push(plan);
                    }
                }
            }
        }
        match found.len() {
            0 | 1 => Ok(found.pop()),
            matches => Err(ReleaseError::Refused(Refusal::AmbiguousPlan {
                prefix: prefix.to_owned(),
                matches,
            })),
        }
    }

    /// Signs `plan` as `person` (in `role`, or the one approving role they hold).
    pub async fn approve(
        &self,
        plan: &Plan,
        person: &str,
        role: Option<&str>,
        comment: Option<&str>,
    ) -> Result<Outcome, ReleaseError> {
        let env = self.env(&plan.environment)?;
        let Some(who) = self.policy.people.get(person) else {
            return Err(ReleaseError::Refused(Refusal::UnknownApprover {
                person: person.to_owned(),
            }));
        };
        let approvers = env.raci.approvers();
        let eligible: Vec<&String> = who.roles.iter().filter(|r| approvers.contains(r)).collect();
        let role = match (role, eligible.as_slice()) {
            (Some(role), _) if eligible.iter().any(|r| *r == role) => role.to_owned(),
            (Some(role), _) => {
                return Err(ReleaseError::Refused(Refusal::CannotApproveAs {
                    person: person.to_owned(),
                    role: role.to_owned(),
                    env: env.name.clone(),
                    holds: who.roles.clone(),
                    approvers,
                }))
            }
            (None, [one]) => (*one).clone(),
            (None, []) => {
                return Err(ReleaseError::Refused(Refusal::NotAnApprover {
                    person: person.to_owned(),
                    env: env.name.clone(),
                    holds: who.roles.clone(),
                    approvers,
                }))
            }
            (None, many) => {
                return Err(ReleaseError::Refused(Refusal::WhichRole {
                    person: person.to_owned(),
                    roles: many.iter().map(|r| (*r).clone()).collect(),
                }))
            }
        };
        let id = plan.id();
        let (existing, _) = self
            .approvals(&id, &plan.environment, &plan.snapshot)
            .await?;
        if existing
            .iter()
            .any(|a| a.person == person && a.role == role)
        {
            return Ok(Outcome::Unchanged(format!(
                "{person} already approved this plan as {role}"
            )));
        }
        let op = self
            .store
            .append_operation(&NewOperation::new(
                person,
                OperationKind::Approve,
                json!({
                    "plan": id,
                    "env": plan.environment,
                    "bundle": plan.bundle,
                    "version": plan.version,
                    "snapshot": plan.snapshot,
                    "role": role,
                    "comment": comment,
                }),
            ))
            .await?;
        Ok(Outcome::Done(op.seq))
    }

    /// Applies `plan` as `actor`: the plan must still be what a plan made now would be, every
    /// gate must pass, then the files are staged, the pointer moves by compare-and-swap, and
    /// only then the staged files go live.
    pub async fn apply(&self, plan: &Plan, actor: &str) -> Result<Outcome, ReleaseError> {
        let id = plan.id();
        let env = self.env(&plan.environment)?;
        let snapshot = self.snapshot(&plan.snapshot).await?;
        let report = self.plan(&snapshot, &plan.environment, Some(actor)).await?;
        let current = report.plan.base.clone();
        if current != plan.base {
            if current.as_ref().map(|b| b.snapshot) == Some(plan.snapshot)
                && self.last_apply_plan(env, &plan.bundle).await?.as_deref() == Some(id.as_str())
            {
                self.ensure_live(env, &snapshot, &report).await?;
                return Ok(Outcome::Unchanged(format!(
                    "{} already holds {} from this plan",
                    env.name, plan.version
                )));
            }
            return Err(ReleaseError::Conflict(Box::new(Conflict::MovedSincePlan {
                env: env.name.clone(),
                held: plan.base.clone(),
                now: current,
            })));
        }
        if plan.base.as_ref().map(|b| b.snapshot) == Some(plan.snapshot) {
            self.ensure_live(env, &snapshot, &report).await?;
            return Ok(Outcome::Unchanged(format!(
                "{} already holds {} {}",
                env.name, plan.bundle, plan.version
            )));
        }
        if report.id != id {
            return Err(ReleaseError::Stale(StalePlan {
                env: env.name.clone(),
                bundle: plan.bundle.clone(),
                version: plan.version.clone(),
            }));
        }
        if !report.passes() {
            return Err(ReleaseError::Blocked(report.gates));
        }
        let payload = json!({
            "plan": id,
            "env": env.name,
            "bundle": plan.bundle,
            "version": plan.version,
            "release_id": plan.release_id,
            "snapshot": plan.snapshot,
            "from_version": plan.base.as_ref().map(|b| b.version.clone()),
            "approvals": report.approvals,
        });
        let expected = plan.base.as_ref().map(|b| b.snapshot);
        self.move_pointer(
            env,
            &snapshot,
            &report.rendered,
            expected,
            actor,
            OperationKind::Apply,
            payload,
        )
        .await
    }

    async fn last_apply_plan(
        &self,
        env: &Environment,
        bundle: &str,
    ) -> Result<Option<String>, ReleaseError> {
        let last = self.last_ref_op(&env_ref(&env.name, bundle)).await?;
        Ok(last
            .filter(|op| op.kind_of() == Some(OperationKind::Apply))
            .and_then(|op| {
                op.payload
                    .get("plan")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }))
    }

    #[allow(clippy::too_many_arguments)]
    async fn move_pointer(
        &self,
        env: &Environment,
        snapshot: &Snapshot,
        rendered: &Rendered,
        expected: Option<SnapshotId>,
        actor: &str,
        kind: OperationKind,
        payload: Value,
    ) -> Result<Outcome, ReleaseError> {
        check_names(&env.name, &snapshot.bundle)?;
        let target = self.target(env)?;
        let mut payload = payload;
        if let (Some(target), Some(fields)) = (&target, payload.as_object_mut()) {
            fields.insert("deployed".to_owned(), self.location(target.as_ref()));
        }
        let staged = match &target {
            Some(target) => {
                Some(target.stage(&snapshot.bundle, rendered, &deploy_manifest(env, snapshot))?)
            }
            None => None,
        };
        // A platform checks its own revision when a deployment goes live, so it goes live
        // first and the pointer then records what the platform runs; a directory is only
        // switched by the winner of the pointer's compare-and-swap.
        let live_first = target.as_ref().is_some_and(|t| t.shared());
        if let (true, Some(target), Some(staged)) = (live_first, &target, &staged) {
            target.activate(staged)?;
        }
        let moved = self
            .store
            .compare_and_swap_ref(
                &env_ref(&env.name, &snapshot.bundle),
                expected.as_ref(),
                &snapshot.id,
                &NewOperation::new(actor, kind, payload),
            )
            .await;
        match moved {
            Ok(record) => {
                if let (false, Some(target), Some(staged)) = (live_first, &target, &staged) {
                    target.activate(staged)?;
                }
                let last = self
                    .last_ref_op(&env_ref(&env.name, &snapshot.bundle))
                    .await?;
                let seq = last.map(|op| op.seq).unwrap_or(record.version);
                Ok(Outcome::Done(seq))
            }
            Err(e) => {
                if let (false, Some(target), Some(staged)) = (live_first, &target, &staged) {
                    target.discard(staged);
                }
                match e {
                    flowgate_store::Error::Conflict { .. } => {
                        let conflict = if live_first {
                            Conflict::MovedAfterDeploy {
                                env: env.name.clone(),
                                version: snapshot.version.clone(),
                            }
                        } else {
                            Conflict::MovedFirst {
                                env: env.name.clone(),
                            }
                        };
                        Err(ReleaseError::Conflict(Box::new(conflict)))
                    }
                    other => Err(other.into()),
                }
            }
        }
    }

    /// Makes the target show `snapshot` when the pointer already does (after a crash between
    /// the pointer move and the switch of the files).
    async fn ensure_live(
        &self,
        env: &Environment,
        snapshot: &Snapshot,
        report: &PlanReport,
    ) -> Result<(), ReleaseError> {
        let Some(target) = self.target(env)? else {
            return Ok(());
        };
        let live = target.inspect(&snapshot.bundle)?;
        let holds = live.as_ref().and_then(|d| {
            d.manifest
                .get("snapshot")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        if holds.as_deref() != Some(snapshot.id.to_string().as_str())
            || live.is_some_and(|d| !d.drift.is_empty())
        {
            let staged = target.stage(
                &snapshot.bundle,
                &report.rendered,
                &deploy_manifest(env, snapshot),
            )?;
            target.activate(&staged)?;
        }
        Ok(())
    }

    /// What `rollback` would do, without doing it: the version `env` holds of `bundle` and the
    /// one it would go back to (`to`, or the one before the current), or why nothing would
    /// change.
    pub async fn plan_rollback(
        &self,
        env_name: &str,
        bundle: &str,
        to: Option<&str>,
    ) -> Result<RollbackStep, ReleaseError> {
        self.env(env_name)?;
        let Some(current) = self.current(env_name, bundle).await? else {
            return Err(ReleaseError::Refused(Refusal::NothingToRollBack {
                env: env_name.to_owned(),
                bundle: bundle.to_owned(),
            }));
        };
        let ops = self.ref_ops(&env_ref(env_name, bundle)).await?;
        let target = match to {
            Some(version) => self
                .store
                .get_snapshot(SnapshotKey::Version { bundle, version })
                .await?
                .ok_or_else(|| {
                    ReleaseError::Refused(Refusal::UnknownVersion {
                        bundle: bundle.to_owned(),
                        version: version.to_owned(),
                    })
                })?,
            None => {
                if let Some(last) = ops
                    .last()
                    .filter(|op| op.kind_of() == Some(OperationKind::Rollback))
                {
                    return Ok(RollbackStep::Unchanged(format!(
                        "{env_name} was already rolled back to {} by {} at {}; give --to VERSION to go further back",
                        current.version,
                        last.actor,
                        last.at.to_human()
                    )));
                }
                let previous = ops
                    .iter()
                    .rev()
                    .filter_map(|op| op.ref_change.as_ref().and_then(|c| c.from))
                    .find(|from| *from != current.id);
                let Some(previous) = previous else {
                    return Err(ReleaseError::Refused(Refusal::NoEarlierVersion {
                        env: env_name.to_owned(),
                        bundle: bundle.to_owned(),
                        version: current.version.clone(),
                    }));
                };
                self.snapshot(&previous).await?
            }
        };
        if target.id == current.id {
            return Ok(RollbackStep::Unchanged(format!(
                "{env_name} already holds {bundle} {}",
                current.version
            )));
        }
        Ok(RollbackStep::Move {
            current: Box::new(current),
            target: Box::new(target),
        })
    }

    /// Re-deploys an earlier snapshot of `bundle` into `env` as a whole, pins `env`, and
    /// records it. Without `to`, the version before the current one; a second rollback
    /// without `to` changes nothing.
    pub async fn rollback(
        &self,
        env_name: &str,
        bundle: &str,
        to: Option<&str>,
        actor: &str,
        reason: &str,
        force: bool,
    ) -> Result<Outcome, ReleaseError> {
        let env = self.env(env_name)?;
        let (current, target) = match self.plan_rollback(env_name, bundle, to).await? {
            RollbackStep::Unchanged(why) => {
                self.require_promoter(env, actor)?;
                return Ok(Outcome::Unchanged(why));
            }
            RollbackStep::Move { current, target } => (current, target),
        };
        self.require_promoter(env, actor)?;
        if !force {
            self.check_stranding(env_name, bundle, &current, &target)
                .await?;
        }
        check_names(env_name, bundle)?;
        let objects = self.objects(&target).await?;
        let rendered = render(&target, &objects, env)?;
        if let Some(problem) = rendered.problems.first() {
            return Err(ReleaseError::Refused(Refusal::DoesNotRender {
                bundle: bundle.to_owned(),
                version: target.version.clone(),
                env: env_name.to_owned(),
                problem: problem.clone(),
            }));
        }
        let payload = json!({
            "env": env_name,
            "bundle": bundle,
            "version": target.version,
            "release_id": target.manifest.get("release_id"),
            "snapshot": target.id,
            "from_version": current.version,
            "reason": reason,
        });
        self.move_pointer(
            env,
            &target,
            &rendered,
            Some(current.id),
            actor,
            OperationKind::Rollback,
            payload,
        )
        .await
    }

    /// Refuses a rollback that would remove an asset another bundle in the environment uses.
    async fn check_stranding(
        &self,
        env: &str,
        bundle: &str,
        current: &Snapshot,
        target: &Snapshot,
    ) -> Result<(), ReleaseError> {
        let kept: BTreeSet<&str> = target.entries.iter().map(|e| e.id.as_str()).collect();
        let removed: BTreeSet<&str> = current
            .entries
            .iter()
            .map(|e| e.id.as_str())
            .filter(|id| !kept.contains(id))
            .collect();
        if removed.is_empty() {
            return Ok(());
        }
        let mut stranded = Vec::new();
        for record in self.store.list_refs(Some(&format!("env/{env}/"))).await? {
            let other = self.snapshot(&record.target).await?;
            if other.bundle == bundle {
                continue;
            }
            let uses: Vec<&str> = other
                .manifest
                .pointer("/externals/declared")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|id| removed.contains(id))
                .collect();
            if !uses.is_empty() {
                stranded.push(Stranded {
                    bundle: other.bundle.clone(),
                    version: other.version.clone(),
                    uses: uses.into_iter().map(str::to_owned).collect(),
                });
            }
        }
        if stranded.is_empty() {
            Ok(())
        } else {
            Err(ReleaseError::Refused(Refusal::WouldStrand {
                bundle: bundle.to_owned(),
                version: target.version.clone(),
                env: env.to_owned(),
                stranded,
            }))
        }
    }

    pub(crate) fn require_promoter(
        &self,
        env: &Environment,
        actor: &str,
    ) -> Result<(), ReleaseError> {
        if self.policy.people.is_empty() {
            return Ok(());
        }
        let Some(person) = self.policy.people.get(actor) else {
            return Err(ReleaseError::Refused(Refusal::UnknownActor {
                actor: actor.to_owned(),
            }));
        };
        let allowed = &env.gates.promoters;
        if allowed.is_empty() || person.roles.iter().any(|r| allowed.contains(r)) {
            Ok(())
        } else {
            Err(ReleaseError::Refused(Refusal::NotAPromoter {
                actor: actor.to_owned(),
                env: env.name.clone(),
                holds: person.roles.clone(),
                allowed: allowed.clone(),
            }))
        }
    }

    /// Pins or unpins `env`.
    pub async fn set_pin(
        &self,
        env_name: &str,
        pinned: bool,
        actor: &str,
        reason: &str,
    ) -> Result<Outcome, ReleaseError> {
        let env = self.env(env_name)?;
        self.require_promoter(env, actor)?;
        let now_pinned = self.pin(env_name).await?.is_some();
        if now_pinned == pinned {
            return Ok(Outcome::Unchanged(format!(
                "{env_name} is already {}",
                if pinned { "pinned" } else { "unpinned" }
            )));
        }
        let op = self
            .store
            .append_operation(&NewOperation::new(
                actor,
                if pinned {
                    OperationKind::Pin
                } else {
                    OperationKind::Unpin
                },
                json!({ "env": env_name, "reason": reason }),
            ))
            .await?;
        Ok(Outcome::Done(op.seq))
    }
}

/// Refuses an environment or bundle name that cannot name a ref and a target directory,
/// before anything is rendered or staged.
fn check_names(env: &str, bundle: &str) -> Result<(), ReleaseError> {
    crate::paths::safe_bundle(bundle).map_err(|path| ReleaseError::UnsafePath {
        what: "the bundle name".to_owned(),
        path,
    })?;
    let name = env_ref(env, bundle);
    flowgate_store::validate_ref_name(&name).map_err(|why| {
        ReleaseError::Refused(Refusal::BadEnvironmentName {
            env: env.to_owned(),
            reference: name.clone(),
            why,
        })
    })
}

fn deploy_manifest(env: &Environment, snapshot: &Snapshot) -> Value {
    json!({
        "environment": env.name,
        "bundle": snapshot.bundle,
        "version": snapshot.version,
        "release_id": snapshot.manifest.get("release_id"),
        "snapshot": snapshot.id,
    })
}

fn policy_digest(env: &Environment) -> String {
    let gates = &env.gates;
    let value = json!({
        "from": gates.from,
        "block_on": gates.block_on.as_str(),
        "soak": gates.soak.map(|d| d.as_seconds()),
        "promoters": gates.promoters,
        "author_may_approve_alone": gates.author_may_approve_alone,
        "freeze": gates.freeze.iter().map(|w| w.describe()).collect::<Vec<_>>(),
        "approvers": env.raci.approvers(),
    });
    blake3::hash(&canonical_json(&value)).to_hex().to_string()
}

/// What one environment holds of one bundle.
#[derive(Debug, Clone, Serialize)]
pub struct BundleStatus {
    /// The environment.
    pub env: String,
    /// The bundle.
    pub bundle: String,
    /// The version held.
    pub version: String,
    /// Its release id.
    pub release_id: Option<String>,
    /// The snapshot held.
    pub snapshot: SnapshotId,
    /// The operation that put it there (`apply`, `rollback`).
    pub by_operation: Option<String>,
    /// Who did it.
    pub by: Option<String>,
    /// When (RFC 3339).
    pub at: Option<String>,
    /// The pin on the environment.
    pub pinned: Option<Pin>,
    /// The deploy target, if any.
    pub target: Option<String>,
    /// Set when the last deploy went to another machine or checkout: why its files are not
    /// checked here (not drift).
    pub elsewhere: Option<String>,
    /// Drift: target files changed outside flowgate, or a target behind the pointer.
    pub drift: Vec<String>,
}

impl<S: Store> Promotions<'_, S> {
    /// What every environment holds, in promotion order.
    pub async fn status(&self) -> Result<Vec<BundleStatus>, ReleaseError> {
        let mut out = Vec::new();
        for env in &self.policy.environments {
            let pinned = self.pin(&env.name).await?;
            for record in self
                .store
                .list_refs(Some(&format!("env/{}/", env.name)))
                .await?
            {
                let snapshot = self.snapshot(&record.target).await?;
                let newest = self.last_ref_op(&record.name).await?;
                let last = newest.as_ref();
                let target = self.target(env)?;
                let elsewhere = match &target {
                    Some(target) => {
                        self.elsewhere(env, &snapshot.bundle, target.as_ref())
                            .await?
                    }
                    None => None,
                };
                let drift = match (&target, &elsewhere) {
                    (Some(target), None) => target_drift(target.as_ref(), &snapshot)?,
                    _ => Vec::new(),
                };
                out.push(BundleStatus {
                    env: env.name.clone(),
                    bundle: snapshot.bundle.clone(),
                    version: snapshot.version.clone(),
                    release_id: snapshot
                        .manifest
                        .get("release_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    snapshot: snapshot.id,
                    by_operation: last.map(|op| op.kind.clone()),
                    by: last.map(|op| op.actor.clone()),
                    at: last.map(|op| op.at.to_human()),
                    pinned: pinned.clone(),
                    target: target.map(|t| t.describe()),
                    elsewhere,
                    drift,
                });
            }
        }
        Ok(out)
    }

    /// Where the last deploy of `bundle` into `env` went, when that is not this machine's
    /// target (another host, or another checkout's directory): its files cannot be seen here.
    async fn elsewhere(
        &self,
        env: &Environment,
        bundle: &str,
        target: &dyn DeployTarget,
    ) -> Result<Option<String>, ReleaseError> {
        let mut latest: Option<Operation> = None;
        for kind in [
            OperationKind::Apply,
            OperationKind::Rollback,
            OperationKind::Sync,
        ] {
            for op in self.ops(kind).await? {
                let p = &op.payload;
                if p.get("env").and_then(Value::as_str) == Some(env.name.as_str())
                    && p.get("bundle").and_then(Value::as_str) == Some(bundle)
                    && latest.as_ref().is_none_or(|l| op.seq > l.seq)
                {
                    latest = Some(op);
                }
            }
        }
        let Some(deployed) = latest.and_then(|op| op.payload.get("deployed").cloned()) else {
            return Ok(None);
        };
        let here = self.location(target);
        let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let same_host = text(&deployed, "host") == text(&here, "host");
        let same_target = text(&deployed, "target") == text(&here, "target");
        if same_host && same_target {
            return Ok(None);
        }
        let place = text(&deployed, "target").unwrap_or_else(|| "its target".to_owned());
        Ok(Some(match text(&deployed, "host") {
            Some(host) if !same_host => format!(
                "deployed to {place} on {host}, not on this machine; run `flowgate status` there to see its files"
            ),
            _ => format!(
                "deployed to {place}, not to this checkout's target; run `flowgate status` where it was applied"
            ),
        }))
    }

    /// Re-deploys what `env` holds of `bundle` to its target, repairing drift, and records a
    /// `sync` operation. Refused while `env` is pinned, unless `force` (with a reason).
    pub async fn sync(
        &self,
        env_name: &str,
        bundle: &str,
        actor: &str,
        reason: Option<&str>,
        force: bool,
    ) -> Result<Outcome, ReleaseError> {
        let env = self.env(env_name)?;
        let Some(target) = self.target(env)? else {
            return Err(ReleaseError::Refused(Refusal::NoTarget {
                env: env_name.to_owned(),
            }));
        };
        let Some(current) = self.current(env_name, bundle).await? else {
            return Err(ReleaseError::Refused(Refusal::NothingToSync {
                env: env_name.to_owned(),
                bundle: bundle.to_owned(),
            }));
        };
        self.require_promoter(env, actor)?;
        self.require_unpinned_or_forced(env_name, reason, force)
            .await?;
        let drift = target_drift(target.as_ref(), &current)?;
        if drift.is_empty()
            && self
                .elsewhere(env, bundle, target.as_ref())
                .await?
                .is_none()
        {
            return Ok(Outcome::Unchanged(format!(
                "the target of {env_name} already holds {bundle} {} as deployed",
                current.version
            )));
        }
        check_names(env_name, bundle)?;
        let objects = self.objects(&current).await?;
        let rendered = render(&current, &objects, env)?;
        if let Some(problem) = rendered.problems.first() {
            return Err(ReleaseError::Refused(Refusal::DoesNotRender {
                bundle: bundle.to_owned(),
                version: current.version.clone(),
                env: env_name.to_owned(),
                problem: problem.clone(),
            }));
        }
        // A repair overwrites edits made on the platform: that is what sync is for.
        let mut manifest = deploy_manifest(env, &current);
        manifest["repair"] = Value::Bool(true);
        let staged = target.stage(bundle, &rendered, &manifest)?;
        let payload = json!({
            "env": env_name,
            "bundle": bundle,
            "version": current.version,
            "release_id": current.manifest.get("release_id"),
            "snapshot": current.id,
            "reason": reason,
            "forced": force,
            "repaired": drift,
            "deployed": self.location(target.as_ref()),
        });
        if target.shared() {
            // The platform checks its own revision; the log then records what it runs.
            target.activate(&staged)?;
        }
        let op = match self
            .store
            .append_operation(&NewOperation::new(actor, OperationKind::Sync, payload))
            .await
        {
            Ok(op) => op,
            Err(e) => {
                target.discard(&staged);
                return Err(e.into());
            }
        };
        if !target.shared() {
            target.activate(&staged)?;
        }
        Ok(Outcome::Done(op.seq))
    }

    async fn require_unpinned_or_forced(
        &self,
        env: &str,
        reason: Option<&str>,
        force: bool,
    ) -> Result<(), ReleaseError> {
        let Some(pin) = self.pin(env).await? else {
            return Ok(());
        };
        let has_reason = reason.is_some_and(|r| !r.trim().is_empty());
        if force && has_reason {
            return Ok(());
        }
        Err(ReleaseError::Refused(Refusal::Pinned {
            env: env.to_owned(),
            pin,
            forced: force,
        }))
    }
}

/// How a target differs from what it should hold of `snapshot`: nothing deployed, another
/// version, or files changed outside flowgate.
fn target_drift(
    target: &dyn DeployTarget,
    snapshot: &Snapshot,
) -> Result<Vec<String>, ReleaseError> {
    let mut drift = Vec::new();
    match target.inspect(&snapshot.bundle)? {
        None => drift.push("the target holds nothing of this bundle".to_owned()),
        Some(deployed) => {
            let holds = deployed.manifest.get("snapshot").and_then(Value::as_str);
            if holds != Some(snapshot.id.to_string().as_str()) {
                drift.push(format!(
                    "the target holds {}, not {}; re-run the apply or rollback",
                    deployed
                        .manifest
                        .get("version")
                        .and_then(Value::as_str)
                        .unwrap_or("an unknown version"),
                    snapshot.version
                ));
            }
            drift.extend(deployed.drift);
        }
    }
    Ok(drift)
}
