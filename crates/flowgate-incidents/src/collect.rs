//! The delivery metrics of an environment read from a store: the operations and incidents
//! they are computed from, and which releases the pre-release net caught.

use crate::metrics::{metrics, Inputs, Metrics};
use crate::record::Incident;
use crate::Incidents;
use chrono::{DateTime, Utc};
use flowgate_store::{Operation, OperationFilter, OperationKind, SnapshotId, SnapshotKey, Store};
use serde_json::Value;
use std::collections::BTreeSet;

/// The metrics of `env` from `since` to `until`, from everything `store` holds.
pub async fn collect<S: Store>(
    store: &S,
    env: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Metrics, flowgate_store::Error> {
    let mut log = Vec::new();
    for kind in [
        OperationKind::Apply,
        OperationKind::Rollback,
        OperationKind::SnapshotCreate,
    ] {
        log.extend(store.operations(&of_kind(kind)).await?);
    }
    let folded = Incidents::new(store, until).all().await?;
    let incidents: Vec<Incident> = folded.incidents.into_values().collect();
    let mut caught = failing_checks(store, &log, &incidents).await?;
    caught.extend(flagged_elsewhere(store, env).await?);
    Ok(metrics(&Inputs {
        env,
        since,
        until,
        log: &log,
        incidents: &incidents,
        caught: &caught,
    }))
}

fn of_kind(kind: OperationKind) -> OperationFilter {
    OperationFilter {
        kind: Some(kind),
        ..OperationFilter::default()
    }
}

/// The snapshots of releases linked to incidents whose check found errors when frozen.
async fn failing_checks<S: Store>(
    store: &S,
    log: &[Operation],
    incidents: &[Incident],
) -> Result<BTreeSet<String>, flowgate_store::Error> {
    let mut failing = BTreeSet::new();
    let seqs: BTreeSet<u64> = incidents
        .iter()
        .flat_map(|i| i.links.iter().map(|l| l.apply_seq))
        .collect();
    for op in log.iter().filter(|op| seqs.contains(&op.seq)) {
        let Some(id) = op
            .payload
            .get("snapshot")
            .and_then(Value::as_str)
            .and_then(|id| id.parse::<SnapshotId>().ok())
        else {
            continue;
        };
        let errors = store
            .get_snapshot(SnapshotKey::Id(&id))
            .await?
            .and_then(|s| s.manifest.pointer("/check/errors").and_then(Value::as_u64))
            .unwrap_or(0);
        if errors > 0 {
            failing.insert(id.to_string());
        }
    }
    Ok(failing)
}

/// The snapshots a watch checkpoint failed or found marginal in an environment other than
/// `env` (one a release passes before it reaches `env`): a defect it flagged did not escape
/// the net, even if the release went on.
async fn flagged_elsewhere<S: Store>(
    store: &S,
    env: &str,
) -> Result<BTreeSet<String>, flowgate_store::Error> {
    Ok(store
        .operations(&of_kind(OperationKind::WatchCheckpoint))
        .await?
        .iter()
        .filter(|op| {
            let text = |key: &str| op.payload.get(key).and_then(Value::as_str);
            text("env") != Some(env) && matches!(text("verdict"), Some("fail" | "marginal"))
        })
        .filter_map(|op| op.payload.get("snapshot").and_then(Value::as_str))
        .map(str::to_owned)
        .collect())
}
