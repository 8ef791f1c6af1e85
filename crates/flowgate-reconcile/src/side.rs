//! One side of a reconciliation, whatever serves it: the engine asks each side for
//! checksums per segment, for the rows of differing segments and for aggregate groups.

use crate::db::TextRow;
use crate::engine::Tuning;
use crate::error::Result;
use crate::sql_side::{Pick, SqlSide};
use flowgate_model::{AggregateCheck, Reconciliation};
use std::collections::BTreeMap;

/// Per segment: its row count and the exact sum of its row hashes, as decimal text.
pub(crate) type Segments = BTreeMap<u64, (u64, String)>;

/// Where a level looks.
pub(crate) enum Scope<'a> {
    /// Every row; the line spans `span` values from its lower bound.
    All {
        /// Values the line spans.
        span: u64,
    },
    /// The rows of these segments of a coarser width.
    Within {
        /// The coarser width.
        width: u64,
        /// Its segments that differed.
        segments: &'a [u64],
    },
}

/// A side of the comparison.
pub(crate) enum Side {
    /// MySQL/MariaDB or PostgreSQL, with the work pushed into the database.
    Sql(SqlSide),
}

impl Side {
    /// Open the side `name` (`left`, `right`) at `url`.
    pub(crate) async fn open(
        name: &str,
        url: &str,
        spec: &Reconciliation,
        pick: Pick,
        tuning: Tuning,
    ) -> Result<Self> {
        Ok(Self::Sql(
            SqlSide::connect(name, url, spec, pick, tuning).await?,
        ))
    }

    /// The smallest and largest value of `segment_by`, if any row exists.
    pub(crate) async fn bounds(&self) -> Result<(Option<i128>, Option<i128>)> {
        match self {
            Self::Sql(s) => s.bounds().await,
        }
    }

    /// About how many rows the side holds.
    pub(crate) async fn estimate(&self) -> Result<u64> {
        match self {
            Self::Sql(s) => s.estimate().await,
        }
    }

    /// Count and checksum per segment of `width`, from `lo`, within `scope`.
    pub(crate) async fn level(&self, lo: u64, width: u64, scope: &Scope<'_>) -> Result<Segments> {
        match self {
            Self::Sql(s) => s.level(lo, width, scope).await,
        }
    }

    /// The normalised rows of these segments: key parts, columns, then the watermark.
    pub(crate) async fn fetch(
        &self,
        lo: u64,
        width: u64,
        segments: &[u64],
    ) -> Result<Vec<TextRow>> {
        match self {
            Self::Sql(s) => s.fetch(lo, width, segments).await,
        }
    }

    /// The groups and measures of an aggregate check (`query` is this side's).
    pub(crate) async fn aggregate(
        &self,
        check: &AggregateCheck,
        query: &str,
        cutoff: Option<&str>,
    ) -> Result<Vec<TextRow>> {
        match self {
            Self::Sql(s) => s.aggregate(check, query, cutoff).await,
        }
    }

    /// Queries (or passes) run so far.
    pub(crate) fn queries(&self) -> u64 {
        match self {
            Self::Sql(s) => s.queries(),
        }
    }

    /// Release connections.
    pub(crate) async fn close(&self) {
        match self {
            Self::Sql(s) => s.close().await,
        }
    }
}

/// The left half of the asset.
pub(crate) const LEFT: Pick = Pick {
    source: |spec| &spec.left,
    key: |k| &k.left,
    column: |c| &c.left,
    segment: |s| &s.left,
};

/// The right half of the asset.
pub(crate) const RIGHT: Pick = Pick {
    source: |spec| &spec.right,
    key: |k| &k.right,
    column: |c| &c.right,
    segment: |s| &s.right,
};
