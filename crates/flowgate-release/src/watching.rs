//! Watch checkpoints in the operation log: which checkpoints of the releases an environment
//! holds are due, recording a checkpoint's result, and acting on it (pin the environment, or
//! roll the bundle back). The judging itself happens elsewhere; this module sees verdicts.

use crate::error::ReleaseError;
use crate::promote::{env_ref, Outcome, Promotions};
pub use crate::watch_record::RecordedCheckpoint;
use chrono::{DateTime, SecondsFormat, Utc};
use flowgate_store::{NewOperation, OperationFilter, OperationKind, SnapshotId, Store};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Which releases of an environment a watch covers: those of one bundle, or all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchScope {
    /// The watch's asset id.
    pub watch: String,
    /// Its bundle; `None` covers every bundle released into the environment.
    pub bundle: Option<String>,
}

/// A checkpoint of a release that has passed and has no recorded result yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueCheckpoint {
    /// The environment.
    pub env: String,
    /// The bundle released.
    pub bundle: String,
    /// Its version.
    pub version: String,
    /// Its snapshot.
    pub snapshot: SnapshotId,
    /// When the environment started holding it.
    pub release_at: DateTime<Utc>,
    /// The watch.
    pub watch: String,
    /// The checkpoint as configured (`4h`).
    pub checkpoint: String,
    /// The checkpoint's time: the end of the window watched.
    pub at: DateTime<Utc>,
}

/// What a watch asks of the environment, as the log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchAction {
    /// Nothing.
    None,
    /// Hold the next promotion of the version.
    Hold,
    /// Pin the environment and recommend a rollback.
    Pin,
    /// Roll the bundle back.
    Rollback,
}

/// The result of one checkpoint, to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointResult {
    /// The checkpoint evaluated.
    pub due: DueCheckpoint,
    /// `pass`, `marginal`, `insufficient`, `error` or `fail`.
    pub verdict: String,
    /// What it asks.
    pub action: WatchAction,
    /// The report's summary in words.
    pub summary: String,
    /// The whole report (versioned JSON).
    pub report: Value,
}

/// What recording a checkpoint led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Consequence {
    /// Nothing beyond the record.
    Recorded,
    /// The next promotion of the version is held (the `watch` gate).
    Held,
    /// The environment was pinned (operation `seq`), or already was.
    Pinned {
        /// The pin operation, when one was recorded now.
        seq: Option<u64>,
        /// Why the environment was pinned instead of rolled back, when the KPI asked for a
        /// rollback that could not be made (no earlier version).
        #[serde(skip_serializing_if = "Option::is_none")]
        instead_of_rollback: Option<String>,
    },
    /// The bundle was rolled back (operation `seq`), or there was nothing to roll back to.
    RolledBack {
        /// The rollback operation, when one was recorded now.
        seq: Option<u64>,
        /// Why nothing moved, when it did not.
        unchanged: Option<String>,
    },
    /// The action was refused (not a promoter, nothing earlier to go back to, …).
    Refused {
        /// Why, and what to do.
        reason: String,
    },
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl<S: Store> Promotions<'_, S> {
    /// The recorded checkpoint results, oldest first; only those of `snapshot` when given.
    pub async fn checkpoint_results(
        &self,
        snapshot: Option<&SnapshotId>,
    ) -> Result<Vec<RecordedCheckpoint>, ReleaseError> {
        let ops = self
            .store
            .operations(&OperationFilter {
                kind: Some(OperationKind::WatchCheckpoint),
                snapshot: snapshot.map(ToString::to_string),
                ..OperationFilter::default()
            })
            .await?;
        Ok(ops
            .iter()
            .map(RecordedCheckpoint::from_op)
            .filter(|r| snapshot.is_none_or(|s| r.snapshot == s.to_string()))
            .collect())
    }

    /// The checkpoints of `env`'s releases that `scopes` cover, with no result yet: those
    /// passed (`due`) and the earliest still to come (`next`).
    pub async fn checkpoints(
        &self,
        env_name: &str,
        scopes: &[WatchScope],
    ) -> Result<(Vec<DueCheckpoint>, Option<DateTime<Utc>>), ReleaseError> {
        let env = self.env(env_name)?;
        let recorded = self.checkpoint_results(None).await?;
        let mut due = Vec::new();
        let mut next: Option<DateTime<Utc>> = None;
        for record in self
            .store
            .list_refs(Some(&format!("env/{env_name}/")))
            .await?
        {
            let snapshot = self.snapshot(&record.target).await?;
            let Some(release_at) = self.since(env_name, &snapshot.bundle, &snapshot.id).await?
            else {
                continue;
            };
            let results: Vec<&RecordedCheckpoint> = recorded
                .iter()
                .filter(|r| r.env == env_name && r.of_release(&snapshot.id, release_at))
                .collect();
            for scope in scopes
                .iter()
                .filter(|s| s.bundle.as_ref().is_none_or(|b| *b == snapshot.bundle))
            {
                for checkpoint in &env.watch_checkpoints {
                    let seconds = i64::try_from(checkpoint.after.as_seconds()).unwrap_or(i64::MAX);
                    let at = release_at + chrono::Duration::seconds(seconds);
                    let done = results
                        .iter()
                        .any(|r| r.watch == scope.watch && r.checkpoint == checkpoint.label);
                    if done {
                        continue;
                    }
                    if at > self.now {
                        next = Some(next.map_or(at, |n| n.min(at)));
                        continue;
                    }
                    due.push(DueCheckpoint {
                        env: env_name.to_owned(),
                        bundle: snapshot.bundle.clone(),
                        version: snapshot.version.clone(),
                        snapshot: snapshot.id,
                        release_at,
                        watch: scope.watch.clone(),
                        checkpoint: checkpoint.label.clone(),
                        at,
                    });
                }
            }
        }
        due.sort_by(|a, b| (a.at, &a.bundle, &a.watch).cmp(&(b.at, &b.bundle, &b.watch)));
        Ok((due, next))
    }

    /// Records `result` as a `watch.checkpoint` operation by `actor`, then acts on it: a
    /// failure pins the environment or rolls the bundle back (when the KPI says so), as
    /// `actor`. The record stays even when the action is refused.
    pub async fn record_checkpoint(
        &self,
        result: &CheckpointResult,
        actor: &str,
    ) -> Result<(u64, Consequence), ReleaseError> {
        let due = &result.due;
        let op = self
            .store
            .append_operation(&NewOperation::new(
                actor,
                OperationKind::WatchCheckpoint,
                json!({
                    "env": due.env,
                    "bundle": due.bundle,
                    "version": due.version,
                    "snapshot": due.snapshot,
                    "release_at": rfc3339(due.release_at),
                    "watch": due.watch,
                    "checkpoint": due.checkpoint,
                    "checkpoint_at": rfc3339(due.at),
                    "verdict": result.verdict,
                    "action": result.action,
                    "summary": result.summary,
                    "report": result.report,
                }),
            ))
            .await?;
        let consequence = self.act_on(result, actor).await?;
        Ok((op.seq, consequence))
    }

    async fn act_on(
        &self,
        result: &CheckpointResult,
        actor: &str,
    ) -> Result<Consequence, ReleaseError> {
        let due = &result.due;
        let reason = format!(
            "watch {} of {} {} failed at {}: {}",
            due.watch, due.bundle, due.version, due.checkpoint, result.summary
        );
        let acted = match result.action {
            WatchAction::None => return Ok(Consequence::Recorded),
            WatchAction::Hold => return Ok(Consequence::Held),
            WatchAction::Pin => self.pin_watched(due, actor, &reason, None).await,
            WatchAction::Rollback => match self.roll_back_watched(due, actor, &reason).await {
                Err(ReleaseError::Refused(why)) if self.require_promoter_of(&due.env, actor) => {
                    self.pin_watched(due, actor, &reason, Some(why.to_string()))
                        .await
                }
                other => other,
            },
        };
        match acted {
            Ok(consequence) => Ok(consequence),
            Err(ReleaseError::Refused(refusal)) => Ok(Consequence::Refused {
                reason: refusal.to_string(),
            }),
            Err(other) => Err(other),
        }
    }

    async fn pin_watched(
        &self,
        due: &DueCheckpoint,
        actor: &str,
        reason: &str,
        instead_of_rollback: Option<String>,
    ) -> Result<Consequence, ReleaseError> {
        let outcome = self.set_pin(&due.env, true, actor, reason).await?;
        Ok(Consequence::Pinned {
            seq: done_seq(&outcome),
            instead_of_rollback,
        })
    }

    /// Whether `actor` may promote into `env` (and so pin it).
    fn require_promoter_of(&self, env: &str, actor: &str) -> bool {
        self.env(env)
            .and_then(|e| self.require_promoter(e, actor))
            .is_ok()
    }

    /// Rolls `due.bundle` back in `due.env`, unless the environment no longer holds the
    /// version watched (someone moved it since).
    async fn roll_back_watched(
        &self,
        due: &DueCheckpoint,
        actor: &str,
        reason: &str,
    ) -> Result<Consequence, ReleaseError> {
        let holds = self
            .store
            .get_ref(&env_ref(&due.env, &due.bundle))
            .await?
            .is_some_and(|r| r.target == due.snapshot);
        if !holds {
            return Ok(Consequence::RolledBack {
                seq: None,
                unchanged: Some(format!(
                    "{} no longer holds {} {}",
                    due.env, due.bundle, due.version
                )),
            });
        }
        let outcome = self
            .rollback(&due.env, &due.bundle, None, actor, reason, false)
            .await?;
        Ok(match outcome {
            Outcome::Done(seq) => Consequence::RolledBack {
                seq: Some(seq),
                unchanged: None,
            },
            Outcome::Unchanged(why) => Consequence::RolledBack {
                seq: None,
                unchanged: Some(why),
            },
        })
    }

    /// Why the watch results hold a promotion of `snapshot`: for each environment and watch,
    /// the latest recorded checkpoint of the snapshot, when it did not pass.
    pub async fn watch_holds(&self, snapshot: &SnapshotId) -> Result<Vec<String>, ReleaseError> {
        Ok(crate::watch_record::holds(
            &self.checkpoint_results(Some(snapshot)).await?,
        ))
    }
}

fn done_seq(outcome: &Outcome) -> Option<u64> {
    match outcome {
        Outcome::Done(seq) => Some(*seq),
        Outcome::Unchanged(_) => None,
    }
}
