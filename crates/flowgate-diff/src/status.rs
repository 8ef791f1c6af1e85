//! What happened to an asset between two sides: shared by the asset diff and the
//! classification of its changes.

use serde::Serialize;

/// What happened to an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// New in the second side.
    Added,
    /// Gone from the second side.
    Removed,
    /// In both, different.
    Changed,
    /// The same asset under a new id.
    Renamed {
        /// The old id.
        from: String,
    },
}
