//! The drift detector: an EWMA level of the mismatch rate plus a one-sided CUSUM that flags
//! a sustained rise even while every single run stays below an absolute threshold.
//!
//! The baseline is the mean of the first `warmup` runs; the deviation scale `sigma` is their
//! standard deviation, never less than 10 % of the baseline or one difference per million
//! rows (identical runs must not make every later blip a "rise"). The CUSUM accumulates
//! `rate - (baseline + sigma/2)` and flags drift when it exceeds `threshold * sigma`.

use flowgate_model::DriftPolicy;
use serde::Serialize;

/// The detector's view of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftPoint {
    /// The run's mismatch rate.
    pub rate: f64,
    /// EWMA level after this run.
    pub level: f64,
    /// CUSUM statistic after this run.
    pub cusum: f64,
    /// The run is above `max_rate`.
    pub over_limit: bool,
    /// A sustained rise has been detected at this run.
    pub drift: bool,
}

/// Smoothing factor of the EWMA level.
pub const EWMA_ALPHA: f64 = 0.3;

/// Evaluate a series of mismatch rates, oldest first.
pub fn evaluate(rates: &[f64], policy: Option<&DriftPolicy>) -> Vec<DriftPoint> {
    let warmup = policy.and_then(|p| p.warmup).unwrap_or(5).max(1) as usize;
    let threshold = policy.and_then(|p| p.threshold).unwrap_or(5.0);
    let max_rate = policy.and_then(|p| p.max_rate);
    let base: Vec<f64> = rates.iter().take(warmup).copied().collect();
    let mean = if base.is_empty() {
        0.0
    } else {
        base.iter().sum::<f64>() / base.len() as f64
    };
    let variance = if base.len() > 1 {
        base.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (base.len() - 1) as f64
    } else {
        0.0
    };
    let sigma = variance.sqrt().max(mean * 0.1).max(1e-6);
    let mut level = None;
    let mut cusum: f64 = 0.0;
    rates
        .iter()
        .enumerate()
        .map(|(i, &rate)| {
            let next = match level {
                None => rate,
                Some(l) => EWMA_ALPHA * rate + (1.0 - EWMA_ALPHA) * l,
            };
            level = Some(next);
            let judged = i >= warmup;
            if judged {
                cusum = (cusum + rate - mean - sigma / 2.0).max(0.0);
            }
            DriftPoint {
                rate,
                level: next,
                cusum,
                over_limit: max_rate.is_some_and(|m| rate > m),
                drift: judged && cusum > threshold * sigma,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_series_never_drifts() {
        let points = evaluate(&[1e-4; 20], None);
        assert!(points.iter().all(|p| !p.drift));
    }

    #[test]
    fn a_sustained_small_rise_drifts_but_one_spike_does_not() {
        let mut rates = vec![1e-4; 8];
        rates.push(1.3e-4);
        rates.extend([1e-4; 3]);
        let spike = evaluate(&rates, None);
        assert!(spike.iter().all(|p| !p.drift), "{spike:?}");
        let mut rising = vec![1e-4; 8];
        rising.extend([1.5e-4; 12]);
        let points = evaluate(&rising, None);
        assert!(points.last().is_some_and(|p| p.drift), "{points:?}");
        // Each run stays below an absolute limit of 2e-4.
        assert!(points.iter().all(|p| p.rate < 2e-4));
    }

    #[test]
    fn the_absolute_limit_is_reported_separately() {
        let policy = DriftPolicy {
            max_rate: Some(1e-3),
            warmup: Some(2),
            threshold: None,
        };
        let points = evaluate(&[0.0, 0.0, 0.01], Some(&policy));
        assert!(points[2].over_limit);
    }
}
