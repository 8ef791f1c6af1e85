//! Exact tests of a current window against a control, one-sided in the direction that is bad,
//! each with an effect size:
//!
//! - counts over exposures: the conditional exact binomial test of two Poisson rates
//!   ([`poisson_rate_test`], R's `poisson.test`), with the rate ratio and its exact
//!   (Clopper–Pearson) confidence interval;
//! - events out of trials: Fisher's exact test ([`fisher_exact`], R's `fisher.test`), with
//!   the relative risk (Katz interval) and the risk difference (Wald interval);
//! - durations: the Mann–Whitney U test ([`mann_whitney`], SciPy's `mannwhitneyu`): exact
//!   without ties on small samples, otherwise the normal approximation with tie and continuity
//!   correction; with the Hodges–Lehmann shift and the rank-biserial correlation.
//!
//! Confidence intervals are two-sided at [`CI_LEVEL`].

mod fisher;
mod mann_whitney;
mod poisson;
pub mod special;

pub use fisher::{fisher_exact, FisherTest};
pub use mann_whitney::{hodges_lehmann, mann_whitney, MannWhitney, MwMethod};
pub use poisson::{poisson_rate_test, PoissonTest};

use serde::Serialize;

/// The level of every reported confidence interval (two-sided).
pub const CI_LEVEL: f64 = 0.95;

/// The alternative hypothesis about the current window relative to the control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alternative {
    /// The current value is greater (the KPI is bad `up`).
    Greater,
    /// The current value is less (the KPI is bad `down`).
    Less,
}

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound (may be 0).
    pub low: f64,
    /// Upper bound (`null` in JSON when unbounded).
    pub high: f64,
}
