//! The kinds of operation the log records, each spelled one way.

use serde::{Deserialize, Serialize};

/// What an operation of the log records. Its name ([`OperationKind::as_str`]) is what the
/// log stores and hashes, so a name never changes; a renamed kind keeps its old name readable
/// ([`OperationKind::legacy_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum OperationKind {
    /// A snapshot frozen from a workspace (`snapshot.create`).
    SnapshotCreate,
    /// A snapshot read from an export file (`snapshot.import`).
    SnapshotImport,
    /// A promotion plan recorded (`plan`).
    Plan,
    /// An approval of a plan (`approve`).
    Approve,
    /// A rejection of a plan by someone who could approve it (`reject`).
    Reject,
    /// An item of a plan's release checklist confirmed by hand (`checklist.confirm`).
    ChecklistConfirm,
    /// A plan applied to an environment (`apply`).
    Apply,
    /// An environment moved back to an earlier version (`rollback`).
    Rollback,
    /// An environment pinned (`pin`).
    Pin,
    /// An environment unpinned (`unpin`).
    Unpin,
    /// What an environment holds deployed again to its target (`sync`).
    Sync,
    /// A reconciliation run recorded (`reconcile.run`).
    ReconcileRun,
    /// An incident opened (`incident.open`).
    IncidentOpen,
    /// An incident's times, impact, details, causes or notes changed (`incident.update`).
    IncidentUpdate,
    /// A release linked to (or unlinked from) an incident by a person (`incident.link`).
    IncidentLink,
    /// An action item of an incident added or done (`incident.action`).
    IncidentAction,
    /// An incident resolved (`incident.resolve`).
    IncidentResolve,
    /// A watch checkpoint of a release evaluated: its verdict and report (`watch.checkpoint`).
    WatchCheckpoint,
}

impl OperationKind {
    /// Every kind.
    pub const ALL: [Self; 18] = [
        Self::SnapshotCreate,
        Self::SnapshotImport,
        Self::Plan,
        Self::Approve,
        Self::Reject,
        Self::ChecklistConfirm,
        Self::Apply,
        Self::Rollback,
        Self::Pin,
        Self::Unpin,
        Self::Sync,
        Self::ReconcileRun,
        Self::IncidentOpen,
        Self::IncidentUpdate,
        Self::IncidentLink,
        Self::IncidentAction,
        Self::IncidentResolve,
        Self::WatchCheckpoint,
    ];

    /// The kinds that make up incidents.
    pub const INCIDENT: [Self; 5] = [
        Self::IncidentOpen,
        Self::IncidentUpdate,
        Self::IncidentLink,
        Self::IncidentAction,
        Self::IncidentResolve,
    ];

    /// The name the log stores.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SnapshotCreate => "snapshot.create",
            Self::SnapshotImport => "snapshot.import",
            Self::Plan => "plan",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::ChecklistConfirm => "checklist.confirm",
            Self::Apply => "apply",
            Self::Rollback => "rollback",
            Self::Pin => "pin",
            Self::Unpin => "unpin",
            Self::Sync => "sync",
            Self::ReconcileRun => "reconcile.run",
            Self::IncidentOpen => "incident.open",
            Self::IncidentUpdate => "incident.update",
            Self::IncidentLink => "incident.link",
            Self::IncidentAction => "incident.action",
            Self::IncidentResolve => "incident.resolve",
            Self::WatchCheckpoint => "watch.checkpoint",
        }
    }

    /// The name earlier versions stored for this kind, when it had another.
    pub const fn legacy_name(self) -> Option<&'static str> {
        match self {
            Self::ReconcileRun => Some("reconcile-run"),
            _ => None,
        }
    }

    /// The kind a stored name stands for (its current or legacy name).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == name || k.legacy_name() == Some(name))
    }
}

impl std::fmt::Display for OperationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<OperationKind> for &'static str {
    fn from(kind: OperationKind) -> Self {
        kind.as_str()
    }
}

impl TryFrom<String> for OperationKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::parse(&name).ok_or_else(|| format!("unknown operation kind `{name}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::OperationKind;

    #[test]
    fn every_name_reads_back_as_its_kind() {
        for kind in OperationKind::ALL {
            assert_eq!(OperationKind::parse(kind.as_str()), Some(kind));
            if let Some(old) = kind.legacy_name() {
                assert_eq!(OperationKind::parse(old), Some(kind));
            }
        }
        assert_eq!(OperationKind::parse("promote"), None);
    }
}
