//! Two proportions: Fisher's exact test, one-sided, on the 2×2 table
//! `[[e1, n1 − e1], [e0, n0 − e0]]` (current first).

use super::special::{ln_choose, normal_quantile};
use super::{Alternative, Interval, CI_LEVEL};
use serde::Serialize;

/// The outcome of [`fisher_exact`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FisherTest {
    /// One-sided p-value.
    pub p_value: f64,
    /// Current proportion over control proportion.
    pub relative_risk: f64,
    /// Katz log interval of the relative risk (½ added to empty cells).
    pub relative_risk_ci: Interval,
    /// Current proportion minus control proportion.
    pub difference: f64,
    /// Wald interval of the difference.
    pub difference_ci: Interval,
}

/// log P(X = x) for X ~ Hypergeometric(total, successes, draws).
fn ln_pmf(x: u64, total: u64, successes: u64, draws: u64) -> f64 {
    ln_choose(successes as f64, x as f64)
        + ln_choose((total - successes) as f64, (draws - x) as f64)
        - ln_choose(total as f64, draws as f64)
}

/// P(X ≥ a) for X ~ Hypergeometric(total, successes, draws), summing the shorter tail from
/// its largest term outward.
pub(crate) fn hypergeometric_upper(a: u64, total: u64, successes: u64, draws: u64) -> f64 {
    let lo = draws.saturating_sub(total - successes);
    let hi = successes.min(draws);
    if a <= lo {
        return 1.0;
    }
    if a > hi {
        return 0.0;
    }
    let (k, n, m) = (successes as f64, draws as f64, total as f64);
    let mean = n * k / m;
    if a as f64 >= mean {
        let (mut term, mut sum) = (1.0_f64, 1.0_f64);
        for x in a..hi {
            let xf = x as f64;
            term *= (k - xf) * (n - xf) / ((xf + 1.0) * (m - k - n + xf + 1.0));
            sum += term;
            if term < sum * 1e-17 {
                break;
            }
        }
        (ln_pmf(a, total, successes, draws).exp() * sum).clamp(0.0, 1.0)
    } else {
        let start = a - 1;
        let (mut term, mut sum) = (1.0_f64, 1.0_f64);
        let mut x = start;
        while x > lo {
            let xf = x as f64;
            term *= xf * (m - k - n + xf) / ((k - xf + 1.0) * (n - xf + 1.0));
            sum += term;
            x -= 1;
            if term < sum * 1e-17 {
                break;
            }
        }
        (1.0 - ln_pmf(start, total, successes, draws).exp() * sum).clamp(0.0, 1.0)
    }
}

/// Compare `e1` events out of `n1` trials (current) with `e0` out of `n0` (control).
/// Counts must satisfy `e ≤ n` and `n1, n0 > 0`.
pub fn fisher_exact(e1: u64, n1: u64, e0: u64, n0: u64, alt: Alternative) -> FisherTest {
    let (total, successes) = (n1 + n0, e1 + e0);
    let p_value = match alt {
        Alternative::Greater => hypergeometric_upper(e1, total, successes, n1),
        Alternative::Less => 1.0 - hypergeometric_upper(e1 + 1, total, successes, n1),
    };
    let (p1, p0) = (e1 as f64 / n1 as f64, e0 as f64 / n0 as f64);
    let z = normal_quantile(1.0 - (1.0 - CI_LEVEL) / 2.0);
    let relative_risk = if e0 == 0 {
        if e1 == 0 {
            f64::NAN
        } else {
            f64::INFINITY
        }
    } else {
        p1 / p0
    };
    let empty = e1 == 0 || e0 == 0 || e1 == n1 || e0 == n0;
    let half = if empty { 0.5 } else { 0.0 };
    let (a, c) = (e1 as f64 + half, e0 as f64 + half);
    let (na, nc) = (n1 as f64 + 2.0 * half, n0 as f64 + 2.0 * half);
    let log_rr = (a / na).ln() - (c / nc).ln();
    let se = (1.0 / a - 1.0 / na + 1.0 / c - 1.0 / nc).max(0.0).sqrt();
    let se_diff = (p1 * (1.0 - p1) / n1 as f64 + p0 * (1.0 - p0) / n0 as f64).sqrt();
    FisherTest {
        p_value: p_value.clamp(0.0, 1.0),
        relative_risk,
        relative_risk_ci: Interval {
            low: (log_rr - z * se).exp(),
            high: (log_rr + z * se).exp(),
        },
        difference: p1 - p0,
        difference_ci: Interval {
            low: p1 - p0 - z * se_diff,
            high: p1 - p0 + z * se_diff,
        },
    }
}
