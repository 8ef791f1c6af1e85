//! What every part of a run shares: the tuning knobs, the [`Progress`] trait, the shape of a
//! level's checksums, which half of the asset a side reads, and the scales values are compared
//! at. It depends on nothing else in the crate, so the sides, the normalisation, the
//! checkpoint and the engine all build on it and never on each other the wrong way round.

use flowgate_model::{AggregateCheck, ReconcileSource, Reconciliation, SideColumn};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Receives progress while a run goes on (the CLI draws a bar on a terminal).
pub trait Progress: Send + Sync {
    /// One step done: a short description of where the run is.
    fn step(&self, message: &str);
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn step(&self, _message: &str) {}
}

/// Tuning knobs of the bisection.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Rows per segment aimed at in the first level.
    pub first_level_rows: u64,
    /// Rows per segment aimed at when a differing segment is split.
    pub split_rows: u64,
    /// Segments with at most this many rows (on the larger side) are fetched.
    pub fetch_rows: u64,
    /// Segments per query when refining or fetching without `segment_by` (each such query
    /// scans the table; key ranges go a few dozen to a query).
    pub batch: usize,
    /// Queries run at once on each side: the first level is split into this many key
    /// ranges (with `segment_by`), and refining or fetching batches run side by side.
    pub parallel: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            first_level_rows: 128,
            split_rows: 16,
            fetch_rows: 64,
            batch: 2000,
            parallel: 2,
        }
    }
}

/// The scale decimals are compared at when a column names none.
pub(crate) const DEFAULT_SCALE: u32 = 4;

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

/// Queries done out of queries planned in one pass, both sides together, shown as a bar.
pub(crate) struct Tally<'a> {
    progress: &'a dyn Progress,
    label: String,
    done: AtomicU64,
    total: AtomicU64,
}

impl<'a> Tally<'a> {
    /// A pass called `label`, drawn on `progress`.
    pub(crate) fn new(progress: &'a dyn Progress, label: String) -> Self {
        progress.step(&label);
        Self {
            progress,
            label,
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
        }
    }

    /// More queries planned.
    pub(crate) fn add(&self, queries: u64) {
        self.total.fetch_add(queries, Ordering::Relaxed);
        self.draw();
    }

    /// One query done.
    pub(crate) fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.draw();
    }

    fn draw(&self) {
        const WIDTH: u64 = 24;
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed).max(1);
        let filled = (done * WIDTH / total).min(WIDTH) as usize;
        self.progress.step(&format!(
            "[{}{}] {:>3}%  {}",
            "#".repeat(filled),
            ".".repeat(WIDTH as usize - filled),
            done * 100 / total,
            self.label
        ));
    }
}

/// Which half of the asset a side reads.
#[derive(Clone, Copy)]
pub(crate) struct Pick {
    pub(crate) source: fn(&Reconciliation) -> &ReconcileSource,
    pub(crate) key: fn(&flowgate_model::KeyPart) -> &SideColumn,
    pub(crate) column: fn(&flowgate_model::ColumnMapping) -> &SideColumn,
    pub(crate) segment: fn(&flowgate_model::SegmentBy) -> &str,
    pub(crate) aggregate: fn(&AggregateCheck) -> &str,
}

/// The left half of the asset.
pub(crate) const LEFT: Pick = Pick {
    source: |spec| &spec.left,
    key: |k| &k.left,
    column: |c| &c.left,
    segment: |s| &s.left,
    aggregate: |a| &a.left,
};

/// The right half of the asset.
pub(crate) const RIGHT: Pick = Pick {
    source: |spec| &spec.right,
    key: |k| &k.right,
    column: |c| &c.right,
    segment: |s| &s.right,
    aggregate: |a| &a.right,
};

/// A decimal text as an integer count of `10^-scale` units (`"12.345"` at scale 4 is 123450).
pub fn parse_decimal(text: &str, scale: u32) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let mut units: i128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac_digits: Vec<u32> = frac.chars().filter_map(|c| c.to_digit(10)).collect();
    for i in 0..scale as usize {
        units = units.checked_mul(10)? + i128::from(*frac_digits.get(i).unwrap_or(&0));
    }
    // Round half away from zero on the first dropped digit.
    if frac_digits.get(scale as usize).is_some_and(|&d| d >= 5) {
        units += 1;
    }
    Some(if negative { -units } else { units })
}

/// The scale a column is checksummed at: coarse enough that values within `tolerance` of
/// each other may still hash alike, fine enough that equal hashes prove them within it.
pub(crate) fn checksum_scale(scale: u32, tolerance: Option<&str>) -> u32 {
    let Some(units) = tolerance.and_then(|t| parse_decimal(t, scale)) else {
        return scale;
    };
    if units <= 0 {
        return scale;
    }
    // Equal after rounding to s decimals implies a difference below 10^-s <= tolerance.
    let digits = units.to_string().len() as u32 - 1;
    scale.saturating_sub(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_into_units() {
        assert_eq!(parse_decimal("12.345", 4), Some(123_450));
        assert_eq!(parse_decimal("-0.01", 2), Some(-1));
        assert_eq!(parse_decimal("7", 2), Some(700));
        assert_eq!(parse_decimal("1.005", 2), Some(101));
        assert_eq!(parse_decimal("abc", 2), None);
        assert_eq!(parse_decimal(".", 2), None);
    }

    #[test]
    fn checksum_scale_follows_the_tolerance() {
        assert_eq!(checksum_scale(4, Some("0.01")), 2);
        assert_eq!(checksum_scale(4, Some("0.005")), 3);
        assert_eq!(checksum_scale(4, None), 4);
        assert_eq!(checksum_scale(4, Some("0")), 4);
        assert_eq!(checksum_scale(2, Some("5")), 0);
    }
}
