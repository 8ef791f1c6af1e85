//! Releases of bundles. A bundle is frozen from a loaded workspace into content-addressed
//! objects and a manifest ([`freeze`]); a stored snapshot is read back as asset documents
//! for diffs ([`snapshot_documents`]); and a new version is held against what changed since
//! the previous one ([`check_version`]).
#![forbid(unsafe_code)]

mod error;
mod freeze;
mod read;
mod version;

pub use error::ReleaseError;
pub use freeze::{freeze, FreezeOptions, Frozen, ReleaseVersion};
pub use read::{documents_from_objects, snapshot_documents};
pub use version::{changes_since_latest, check_version, previous_snapshot, VersionVerdict};
