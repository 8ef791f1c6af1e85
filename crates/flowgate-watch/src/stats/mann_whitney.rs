//! Two samples of durations: the Mann–Whitney U test and the Hodges–Lehmann shift.

use super::special::normal_sf;
use super::Alternative;
use serde::Serialize;

/// Largest `n1 + n2` for the exact null distribution (its counts fit in `u128`).
const EXACT_MAX_TOTAL: usize = 120;
/// Largest `n1 · n2` for the exact null distribution (its support).
const EXACT_MAX_PRODUCT: usize = 3_600;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MwMethod {
    /// The exact null distribution of U (no ties, small samples).
    Exact,
    /// The normal approximation with tie and continuity correction.
    Normal,
}

/// The outcome of [`mann_whitney`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// U of the current sample: the number of (current, control) pairs where the current value
    /// is larger, ties counting one half.
    pub u: f64,
    /// One-sided p-value.
    pub p_value: f64,
    /// How the p-value was computed.
    pub method: MwMethod,
    /// The z statistic of the normal approximation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub z: Option<f64>,
    /// 2U / (n1 n2) − 1, in [−1, 1]: positive when current values tend to be larger.
    pub rank_biserial: f64,
    /// The Hodges–Lehmann shift: the median of every current − control difference.
    pub hodges_lehmann: f64,
}

/// Ranks of the pooled samples (mid-ranks for ties): the rank sum of `current` and
/// Σ(t³ − t) over tie groups.
fn rank_sum(current: &[f64], control: &[f64]) -> (f64, f64) {
    let mut pooled: Vec<(f64, bool)> = current
        .iter()
        .map(|&v| (v, true))
        .chain(control.iter().map(|&v| (v, false)))
        .collect();
    pooled.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let (mut sum, mut ties, mut i) = (0.0, 0.0, 0);
    while i < pooled.len() {
        let mut j = i + 1;
        while j < pooled.len() && pooled[j].0 == pooled[i].0 {
            j += 1;
        }
        let t = (j - i) as f64;
        let mid = (i + j + 1) as f64 / 2.0;
        let in_current = pooled[i..j].iter().filter(|p| p.1).count() as f64;
        sum += mid * in_current;
        ties += t * t * t - t;
        i = j;
    }
    (sum, ties)
}

/// Counts of each U value under the null (no ties): the coefficients of the Gaussian
/// binomial [n1 + n2 choose n1] in q. `None` when a count overflows.
fn exact_counts(n1: usize, n2: usize) -> Option<Vec<u128>> {
    let degree = n1 * n2;
    let mut poly = vec![0u128; degree + 1];
    poly[0] = 1;
    for i in 1..=n1 {
        // Divide by (1 − q^i): a running sum with stride i …
        for k in i..=degree {
            poly[k] = poly[k].checked_add(poly[k - i])?;
        }
        // … then multiply by (1 − q^(n2 + i)).
        let m = n2 + i;
        for k in (m..=degree).rev() {
            poly[k] = poly[k].checked_sub(poly[k - m])?;
        }
    }
    Some(poly)
}

/// P(U ≥ u) from the exact null distribution.
fn exact_upper(u: f64, n1: usize, n2: usize) -> Option<f64> {
    let counts = exact_counts(n1, n2)?;
    let total: u128 = counts.iter().try_fold(0u128, |a, &c| a.checked_add(c))?;
    let from = u.ceil().max(0.0) as usize;
    let upper: u128 = counts.iter().skip(from).sum();
    Some(upper as f64 / total as f64)
}

/// The one-sided Mann–Whitney U test of `current` against `control`. Both samples must be
/// non-empty and free of NaN.
pub fn mann_whitney(current: &[f64], control: &[f64], alt: Alternative) -> MannWhitney {
    let (n1, n2) = (current.len(), control.len());
    let (f1, f2) = (n1 as f64, n2 as f64);
    let (r1, ties) = rank_sum(current, control);
    let u = r1 - f1 * (f1 + 1.0) / 2.0;
    // U of the tested direction: large values speak for the alternative.
    let u_alt = match alt {
        Alternative::Greater => u,
        Alternative::Less => f1 * f2 - u,
    };
    let exact = ties == 0.0 && n1 + n2 <= EXACT_MAX_TOTAL && n1 * n2 <= EXACT_MAX_PRODUCT;
    let exact_p = if exact {
        exact_upper(u_alt, n1, n2)
    } else {
        None
    };
    let (p_value, method, z) = match exact_p {
        Some(p) => (p, MwMethod::Exact, None),
        None => {
            let n = f1 + f2;
            let variance = f1 * f2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
            if variance <= 0.0 {
                (1.0, MwMethod::Normal, None)
            } else {
                let z = (u_alt - f1 * f2 / 2.0 - 0.5) / variance.sqrt();
                (normal_sf(z), MwMethod::Normal, Some(z))
            }
        }
    };
    MannWhitney {
        u,
        p_value: p_value.clamp(0.0, 1.0),
        method,
        z,
        rank_biserial: 2.0 * u / (f1 * f2) - 1.0,
        hodges_lehmann: hodges_lehmann(current, control),
    }
}

/// The median of every difference `current[i] − control[j]`, found without forming the
/// n1·n2 differences: bisection on the value with a linear count per step over sorted copies.
pub fn hodges_lehmann(current: &[f64], control: &[f64]) -> f64 {
    if current.is_empty() || control.is_empty() {
        return f64::NAN;
    }
    let mut x = current.to_vec();
    let mut y = control.to_vec();
    x.sort_unstable_by(f64::total_cmp);
    y.sort_unstable_by(f64::total_cmp);
    let pairs = (x.len() as u128) * (y.len() as u128);
    let k_low = pairs.div_ceil(2);
    let k_high = pairs / 2 + 1;
    let low = kth_difference(&x, &y, k_low);
    if k_high == k_low {
        low
    } else {
        (low + kth_difference(&x, &y, k_high)) / 2.0
    }
}

/// How many differences `x[i] − y[j]` are ≤ `d` (both sorted ascending).
fn count_at_most(x: &[f64], y: &[f64], d: f64) -> u128 {
    // For each x[i], the y[j] with y[j] ≥ x[i] − d; as x grows the bound moves right.
    let (mut count, mut j) = (0u128, 0usize);
    for &xi in x {
        while j < y.len() && y[j] < xi - d {
            j += 1;
        }
        count += (y.len() - j) as u128;
    }
    count
}

/// The k-th smallest difference (1-based), to the resolution of f64.
fn kth_difference(x: &[f64], y: &[f64], k: u128) -> f64 {
    let (Some(&x_min), Some(&x_max), Some(&y_min), Some(&y_max)) =
        (x.first(), x.last(), y.first(), y.last())
    else {
        return f64::NAN;
    };
    let (mut lo, mut hi) = (x_min - y_max, x_max - y_min);
    for _ in 0..100 {
        let mid = lo + (hi - lo) / 2.0;
        if mid <= lo || mid >= hi {
            break;
        }
        if count_at_most(x, y, mid) >= k {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}
