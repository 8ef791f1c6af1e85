//! Finding what a request names: a snapshot by reference, a recorded plan by id (and the
//! report of planning it again now), a plan's environment.

use super::promotions;
use crate::error::ApiError;
use crate::AppState;
use flowgate_release::{Plan, PlanReport};
use flowgate_store::{AnyStore, Snapshot, SnapshotKey, Store};

/// The snapshot `reference` names.
pub async fn snapshot_named(store: &AnyStore, reference: &str) -> Result<Snapshot, ApiError> {
    let found = match reference.split_once('@') {
        Some((bundle, version)) => {
            store
                .get_snapshot(SnapshotKey::Version { bundle, version })
                .await?
        }
        None => {
            let wanted = reference.to_ascii_lowercase();
            let hex = wanted.len() >= 8 && wanted.bytes().all(|b| b.is_ascii_hexdigit());
            let all = if hex {
                store.list_snapshots(None).await?
            } else {
                Vec::new()
            };
            let matches: Vec<_> = all
                .iter()
                .filter(|s| s.id.to_string().starts_with(&wanted))
                .collect();
            match matches[..] {
                [one] => store.get_snapshot(SnapshotKey::Id(&one.id)).await?,
                _ => None,
            }
        }
    };
    found.ok_or_else(|| {
        ApiError::not_found(format!(
            "no snapshot `{reference}` in the store; name one as BUNDLE@VERSION or by id"
        ))
    })
}

/// The recorded plan `id` names (a prefix of 6+ characters will do).
pub async fn recorded(
    promotions: &flowgate_release::Promotions<'_, AnyStore>,
    id: &str,
) -> Result<Plan, ApiError> {
    promotions
        .find_plan(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no plan `{id}` is recorded")))
}

/// A plan by id (or a prefix of 6+ characters), and the report of planning it again now.
pub async fn load(
    state: &AppState,
    store: &AnyStore,
    id: &str,
    actor: Option<&str>,
) -> Result<(Plan, PlanReport, Snapshot), ApiError> {
    let promotions = promotions(store, state.policy());
    let plan = recorded(&promotions, id).await?;
    let snapshot = store
        .get_snapshot(SnapshotKey::Id(&plan.snapshot))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "the plan's snapshot {} is not in the store",
                plan.snapshot.short()
            ))
        })?;
    let report = promotions.plan(&snapshot, &plan.environment, actor).await?;
    Ok((plan, report, snapshot))
}

/// The environment of a recorded plan.
pub fn recorded_for<'a>(
    state: &'a AppState,
    plan: &Plan,
) -> Result<&'a flowgate_release::Environment, ApiError> {
    state
        .policy()
        .environment(&plan.environment)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no environment `{}` in flowgate.toml",
                plan.environment
            ))
        })
}
