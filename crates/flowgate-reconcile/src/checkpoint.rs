//! Incremental runs: the first level's checksums of the last run, kept as a checkpoint, and
//! re-checked only where rows changed since.
//!
//! A segment is checksummed again when, on either side, a row in it carries a watermark at
//! or after the previous run's scan (less [`MARGIN`], for transactions that were open then)
//! or its row count changed (deletions leave no watermark). Everything else keeps its
//! checksums. This trusts the watermark: every change must move it, as Magento's
//! `updated_at` (`ON UPDATE CURRENT_TIMESTAMP`) does. A full run re-proves everything.

use crate::types::Segments;
use serde::{Deserialize, Serialize};

/// How far before the previous scan changed rows are looked for.
pub const MARGIN: chrono::Duration = chrono::Duration::hours(1);

/// The first level of a run, to continue from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version of this structure.
    pub format: u32,
    /// What the checksums mean: the asset's content hash (a changed asset needs a full run).
    pub fingerprint: String,
    /// Where the line starts.
    pub lo: u64,
    /// The first level's segment width.
    pub width: u64,
    /// The left side.
    pub left: SideCheckpoint,
    /// The right side.
    pub right: SideCheckpoint,
}

/// One side's first level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideCheckpoint {
    /// The database's clock (UTC, `YYYY-MM-DD HH:MM:SS`) when the checksums were taken.
    pub as_of: String,
    /// `[segment, rows, checksum]`, by segment.
    pub segments: Vec<(u64, u64, String)>,
}

/// The format written by this version.
pub const FORMAT: u32 = 1;

impl SideCheckpoint {
    /// From a level's segments.
    pub(crate) fn new(as_of: String, segments: &Segments) -> Self {
        Self {
            as_of,
            segments: segments
                .iter()
                .map(|(s, (n, sum))| (*s, *n, sum.clone()))
                .collect(),
        }
    }

    /// Back to segments.
    pub(crate) fn to_segments(&self) -> Segments {
        self.segments
            .iter()
            .map(|(s, n, sum)| (*s, (*n, sum.clone())))
            .collect()
    }

    /// The instant from which changes are looked for: `as_of` less the margin.
    pub(crate) fn since(&self) -> Option<chrono::NaiveDateTime> {
        chrono::NaiveDateTime::parse_from_str(&self.as_of, "%Y-%m-%d %H:%M:%S")
            .ok()
            .map(|t| t - MARGIN)
    }
}

impl Checkpoint {
    /// Serialised for the store.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Read back; `None` for anything this version does not understand.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|c| c.format == FORMAT)
    }
}

/// What an incremental run re-checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Incremental {
    /// Changes were looked for from this instant (left database's clock, UTC).
    pub since_left: String,
    /// Changes were looked for from this instant (right database's clock, UTC).
    pub since_right: String,
    /// Segments with rows changed after `since`, both sides together.
    pub changed_segments: u64,
    /// Segments whose row count changed.
    pub recounted_segments: u64,
    /// Segments checksummed again.
    pub rechecked_segments: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    #[test]
    fn checkpoints_round_trip_and_refuse_other_formats() {
        let mut segments = Segments::new();
        segments.insert(3, (17, "123456789012345678901".to_owned()));
        let cp = Checkpoint {
            format: FORMAT,
            fingerprint: "abc".to_owned(),
            lo: 1,
            width: 512,
            left: SideCheckpoint::new("2026-07-01 10:00:00".to_owned(), &segments),
            right: SideCheckpoint::new("2026-07-01 10:00:01".to_owned(), &Segments::new()),
        };
        assert_eq!(Checkpoint::from_bytes(&cp.to_bytes()), Some(cp.clone()));
        assert_eq!(cp.left.to_segments(), segments);
        assert_eq!(cp.left.since(), Some(at("2026-07-01 09:00:00")));
        let mut other = cp;
        other.format = FORMAT + 1;
        assert_eq!(Checkpoint::from_bytes(&other.to_bytes()), None);
        assert_eq!(Checkpoint::from_bytes(b"not json"), None);
    }
}
