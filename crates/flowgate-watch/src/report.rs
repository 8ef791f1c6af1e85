//! The report of one evaluation: serializable, `"version": 1` at the top (see docs/watch.md).

use crate::judge::{Judgement, Verdict};
use crate::sources::{Measure, SourceError};
use crate::window::Window;
use chrono::{DateTime, Utc};
use flowgate_model::{BadDirection, Comparison, KpiUnit, OnFail, Thresholds};
use serde::Serialize;

/// The report format's version; fields are only ever added within a version.
pub const REPORT_VERSION: u32 = 1;

/// What the watch asks of the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing: every KPI passed.
    None,
    /// Hold the next promotion of the bundle (a KPI is marginal, lacks data or could not be
    /// measured).
    Hold,
    /// Pin the environment and recommend a rollback (a KPI failed).
    Pin,
    /// Roll back (a KPI with `on_fail: rollback` failed).
    Rollback,
}

/// What one side of a comparison measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// The windows measured (one for the current side; N weeks or the same window for the
    /// control).
    pub windows: Vec<WindowFigures>,
    /// Events (counts and rates), pooled over the windows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// Trials (rates), pooled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trials: Option<u64>,
    /// Observations read (durations), pooled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observations: Option<u64>,
    /// Their median in seconds (durations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// The exposure of a count (hours, times the cohort's share for a holdout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<f64>,
    /// The cohort of a holdout comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
}

/// One window and what it measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowFigures {
    /// Start, included.
    pub from: DateTime<Utc>,
    /// End, excluded.
    pub to: DateTime<Utc>,
    /// Events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
    /// Trials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trials: Option<u64>,
    /// Observations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observations: Option<u64>,
}

impl WindowFigures {
    /// The figures of one measured window.
    pub fn of(window: &Window, measure: &Measure) -> Self {
        let (events, trials, observations) = match measure {
            Measure::Count(c) => (Some(*c), None, None),
            Measure::Rate { events, trials } => (Some(*events), Some(*trials), None),
            Measure::Durations(d) => (None, None, Some(d.len() as u64)),
        };
        Self {
            from: window.from,
            to: window.to,
            events,
            trials,
            observations,
        }
    }
}

/// The outcome of one KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    /// The KPI's id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its unit.
    pub unit: KpiUnit,
    /// What a rate's trials are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Which way is worse.
    pub bad: BadDirection,
    /// The source's name.
    pub source: String,
    /// The comparison.
    pub compare: Comparison,
    /// The thresholds applied.
    pub thresholds: Thresholds,
    /// What a failure does.
    pub on_fail: OnFail,
    /// The verdict, reason, test and worsening.
    #[serde(flatten)]
    pub judgement: Judgement,
    /// The current side (absent when a source failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Side>,
    /// The control side (absent when a source failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<Side>,
    /// The source's failure, for the `error` verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<SourceError>,
}

/// The report of one evaluation of a watch at a checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// The watch's id.
    pub watch: String,
    /// The watched bundle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// The watched environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// When the release was applied (the current window's start).
    pub release_at: DateTime<Utc>,
    /// The checkpoint (the current window's end).
    pub checkpoint_at: DateTime<Utc>,
    /// The worst verdict of the KPIs.
    pub verdict: Verdict,
    /// What the environment should do.
    pub action: Action,
    /// One sentence for people.
    pub summary: String,
    /// Each KPI, in the order written.
    pub kpis: Vec<KpiReport>,
}

/// The overall verdict and action of a set of KPI reports.
pub fn overall(kpis: &[KpiReport]) -> (Verdict, Action) {
    let verdict = kpis
        .iter()
        .map(|k| k.judgement.verdict)
        .max()
        .unwrap_or(Verdict::Insufficient);
    let action = kpis
        .iter()
        .map(|k| match (k.judgement.verdict, k.on_fail) {
            (Verdict::Pass, _) => Action::None,
            (Verdict::Fail, OnFail::Rollback) => Action::Rollback,
            (Verdict::Fail, OnFail::Pin) => Action::Pin,
            _ => Action::Hold,
        })
        .max()
        .unwrap_or(Action::Hold);
    (verdict, action)
}

/// One sentence: how many KPIs ended how, worst first.
pub fn summary(kpis: &[KpiReport]) -> String {
    let mut parts = Vec::new();
    for v in [
        Verdict::Fail,
        Verdict::Error,
        Verdict::Marginal,
        Verdict::Insufficient,
        Verdict::Pass,
    ] {
        let ids: Vec<&str> = kpis
            .iter()
            .filter(|k| k.judgement.verdict == v)
            .map(|k| k.id.as_str())
            .collect();
        if !ids.is_empty() {
            parts.push(format!("{} {} ({})", ids.len(), v.as_str(), ids.join(", ")));
        }
    }
    if parts.is_empty() {
        "no KPIs".to_owned()
    } else {
        parts.join("; ")
    }
}
