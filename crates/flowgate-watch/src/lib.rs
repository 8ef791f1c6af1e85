//! Post-release watch: read each KPI of a `kind: Watch` from its source for the window since
//! the release and for a control (the same weekday and hours of previous weeks, or a holdout
//! cohort), judge it with an exact one-sided test in the direction that is bad, and report
//! pass, marginal, fail or insufficient data, with the figures and the reason in words.
//!
//! Modules: [`stats`] (the tests), [`judge`] (thresholds → verdicts), [`sources`] (SQL,
//! PromQL, CSV/JSONL), [`window`] (the windows compared), [`evaluate()`] (all of it, into a
//! [`Report`]) and [`generate`] (realistic event data with a planted regression, for tests and
//! demonstrations). Nothing here prints; front ends render the report.
#![forbid(unsafe_code)]

mod evaluate;
pub mod judge;
pub mod report;
pub mod sources;
pub mod stats;
pub mod window;

pub use evaluate::{evaluate, evaluate_kpi, EvaluateError};
pub use judge::{judge, Judgement, TestOutcome, Verdict};
pub use report::{Action, KpiReport, Report, REPORT_VERSION};
pub use sources::{Connections, Measure, SourceContext, SourceError};
pub use window::Window;
pub mod generate;
