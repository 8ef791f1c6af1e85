//! The windows compared: the current one since the release, and the control windows.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// A half-open time window `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Start, included.
    pub from: DateTime<Utc>,
    /// End, excluded.
    pub to: DateTime<Utc>,
}

impl Window {
    /// The window `[from, to)`; `None` unless `from < to`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Self> {
        (from < to).then_some(Self { from, to })
    }

    /// Its length in seconds.
    pub fn seconds(&self) -> i64 {
        (self.to - self.from).num_seconds()
    }

    /// Its length in hours (the exposure of a count).
    pub fn hours(&self) -> f64 {
        self.seconds() as f64 / 3600.0
    }

    /// The same window `weeks` weeks earlier: the same weekday and hours.
    pub fn weeks_before(&self, weeks: u32) -> Self {
        let shift = Duration::weeks(i64::from(weeks));
        Self {
            from: self.from - shift,
            to: self.to - shift,
        }
    }
}

/// The control windows of a `weeks: N` comparison, most recent first.
pub fn baseline_windows(current: Window, weeks: u32) -> Vec<Window> {
    (1..=weeks).map(|k| current.weeks_before(k)).collect()
}
