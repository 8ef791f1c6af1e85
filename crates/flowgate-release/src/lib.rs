//! Releases of bundles. A bundle is frozen from a loaded workspace into content-addressed
//! objects and a manifest ([`freeze`]); a stored snapshot is read back as asset documents
//! for diffs ([`snapshot_documents`]); and a new version is held against what changed since
//! the previous one ([`check_version`]). Environments render a snapshot through their overlay
//! and guardrails ([`render`]), and promotion moves it through gates, approvals, apply and
//! rollback ([`Promotions`]), every step an operation in the store's log.
#![forbid(unsafe_code)]

mod checklist;
mod dotted;
mod error;
mod freeze;
mod gates;
mod history;
mod live;
mod paths;
mod policy;
mod promote;
mod read;
mod refusal;
mod render;
mod render_n8n;
mod render_node_red;
mod secrets;
mod target;
mod version;
mod watch_record;
mod watching;

pub use checklist::{
    checklist, checklist_markdown, confirmations, confirming_roles, plan_checklist, ChecklistItem,
    Confirmation, ItemState,
};
pub use error::{Cap, ChangeReason, Conflict, ReleaseError, StalePlan, TooLarge, VersionTooSmall};
pub use freeze::{freeze, FreezeOptions, Frozen, ReleaseVersion};
pub use gates::{approvals_by_role, evaluate, human_duration, Approval, Facts, GateResult, Pin};
pub use history::{bundle_history, release_id_of, VersionChange};
pub use live::{LiveFile, LiveReport, LiveStatus};
pub use paths::{safe_relative, UnsafePath};
pub use policy::{
    BlockOn, Checkpoint, Environment, FreezeWindow, Gates, Guardrails, Person, Policy, Raci,
    SafeMode, TargetSpec, POLICY_CODE,
};
pub use promote::{
    env_ref, Base, BundleStatus, Outcome, Plan, PlanReport, Promotions, RollbackStep,
};
pub use read::{documents_from_objects, snapshot_documents};
pub use refusal::{Refusal, Stranded};
pub use render::{render, Rendered, MAX_RENDERED_BYTES, MAX_RENDERED_FILES};
pub use target::{
    DeployTarget, Deployed, DirectoryTarget, DirectoryTargets, Pulled, Staged, TargetError,
    TargetFailure, Targets, MANIFEST_FILE,
};
pub use version::{changes_since_latest, check_version, previous_snapshot, VersionVerdict};
pub use watching::{
    CheckpointResult, Consequence, DueCheckpoint, RecordedCheckpoint, WatchAction, WatchScope,
};
