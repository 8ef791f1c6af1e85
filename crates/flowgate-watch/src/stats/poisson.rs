//! Two Poisson rates: the conditional exact binomial test.
//!
//! Given `c1` events over exposure `t1` and `c0` over `t0`, conditionally on the total
//! `n = c1 + c0` the current count is Binomial(n, t1 / (t1 + t0)) when the rates are equal.

use super::special::{beta_inc, beta_inc_inv};
use super::{Alternative, Interval, CI_LEVEL};
use serde::Serialize;

/// The outcome of [`poisson_rate_test`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoissonTest {
    /// One-sided p-value.
    pub p_value: f64,
    /// Current rate over control rate (infinite when the control has no events).
    pub rate_ratio: f64,
    /// Exact confidence interval of the rate ratio.
    pub ci: Interval,
}

/// P(X ≥ k) for X ~ Binomial(n, p).
pub(crate) fn binomial_upper(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    beta_inc(k as f64, (n - k + 1) as f64, p)
}

/// Compare `c1` events over exposure `t1` (current) with `c0` over `t0` (control).
/// Exposures must be positive.
pub fn poisson_rate_test(c1: u64, t1: f64, c0: u64, t0: f64, alt: Alternative) -> PoissonTest {
    let n = c1 + c0;
    let share = t1 / (t1 + t0);
    let p_value = match alt {
        Alternative::Greater => binomial_upper(c1, n, share),
        Alternative::Less => 1.0 - binomial_upper(c1 + 1, n, share),
    };
    let ratio = |pi: f64| {
        if pi >= 1.0 {
            f64::INFINITY
        } else {
            pi / (1.0 - pi) * t0 / t1
        }
    };
    let tail = (1.0 - CI_LEVEL) / 2.0;
    let (x, nf) = (c1 as f64, n as f64);
    let low = if c1 == 0 {
        0.0
    } else {
        beta_inc_inv(x, nf - x + 1.0, tail)
    };
    let high = if c1 == n {
        1.0
    } else {
        beta_inc_inv(x + 1.0, nf - x, 1.0 - tail)
    };
    let rate_ratio = if c0 == 0 {
        if c1 == 0 {
            f64::NAN
        } else {
            f64::INFINITY
        }
    } else {
        (x / t1) / (c0 as f64 / t0)
    };
    PoissonTest {
        p_value: p_value.clamp(0.0, 1.0),
        rate_ratio,
        ci: Interval {
            low: ratio(low),
            high: ratio(high),
        },
    }
}
