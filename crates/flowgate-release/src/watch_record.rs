//! A watch checkpoint's result as the operation log holds it.

use chrono::{DateTime, Utc};
use flowgate_store::{Operation, SnapshotId};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// A checkpoint result read back from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedCheckpoint {
    /// The operation's sequence number.
    pub seq: u64,
    /// When it was recorded (RFC 3339, to the second).
    pub recorded_at: String,
    /// The environment.
    pub env: String,
    /// The bundle.
    pub bundle: String,
    /// Its version.
    pub version: String,
    /// Its snapshot.
    pub snapshot: String,
    /// When the release was made (RFC 3339).
    pub release_at: String,
    /// The watch.
    pub watch: String,
    /// The checkpoint (`4h`).
    pub checkpoint: String,
    /// Its verdict.
    pub verdict: String,
    /// What it asked.
    pub action: String,
    /// In words.
    pub summary: String,
}

impl RecordedCheckpoint {
    pub(crate) fn from_op(op: &Operation) -> Self {
        let text = |key: &str| {
            op.payload
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            seq: op.seq,
            recorded_at: op.at.to_human(),
            env: text("env"),
            bundle: text("bundle"),
            version: text("version"),
            snapshot: text("snapshot"),
            release_at: text("release_at"),
            watch: text("watch"),
            checkpoint: text("checkpoint"),
            verdict: text("verdict"),
            action: text("action"),
            summary: text("summary"),
        }
    }

    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.verdict == "pass"
    }

    /// Whether it belongs to the release of `snapshot` made at `release_at`.
    pub(crate) fn of_release(&self, snapshot: &SnapshotId, release_at: DateTime<Utc>) -> bool {
        self.snapshot == snapshot.to_string()
            && DateTime::parse_from_rfc3339(&self.release_at)
                .is_ok_and(|at| at.with_timezone(&Utc) == release_at)
    }
}

/// For each environment and watch, the latest of `results` (one snapshot's, oldest first),
/// described when it did not pass.
pub(crate) fn holds(results: &[RecordedCheckpoint]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    results
        .iter()
        .rev()
        .filter(|r| seen.insert((r.env.clone(), r.watch.clone())))
        .filter(|r| !r.passed())
        .map(|r| {
            format!(
                "watch {} in {} ended {} at the {} checkpoint ({})",
                r.watch, r.env, r.verdict, r.checkpoint, r.summary
            )
        })
        .collect()
}
