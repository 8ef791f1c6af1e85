//! From a current and a control measure to a verdict: the test for the unit, one-sided in the
//! bad direction, the relative worsening, the thresholds, and the reason in words.

use crate::sources::Measure;
use crate::stats::{self, Alternative, FisherTest, MannWhitney, PoissonTest};
use flowgate_model::{BadDirection, Kpi, KpiUnit, Thresholds};
use serde::Serialize;

/// The outcome of one KPI, or of a whole watch (the worst of its KPIs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No material worsening.
    Pass,
    /// Too little data to judge; never a pass.
    Insufficient,
    /// A material worsening with weak evidence (p below `marginal`, not below `alpha`).
    Marginal,
    /// The KPI could not be measured (a source failed); never a pass.
    Error,
    /// A material worsening with strong evidence (p below `alpha`).
    Fail,
}

impl Verdict {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Insufficient => "insufficient",
            Self::Marginal => "marginal",
            Self::Error => "error",
            Self::Fail => "fail",
        }
    }
}

/// The test that judged a KPI, with its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum TestOutcome {
    /// Counts over exposures.
    PoissonRate(PoissonTest),
    /// Events out of trials.
    FisherExact(FisherTest),
    /// Durations.
    MannWhitney(MannWhitney),
}

impl TestOutcome {
    /// The one-sided p-value.
    pub fn p_value(&self) -> f64 {
        match self {
            Self::PoissonRate(t) => t.p_value,
            Self::FisherExact(t) => t.p_value,
            Self::MannWhitney(t) => t.p_value,
        }
    }
}

/// The judgement of one KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in words, with the figures that decided.
    pub reason: String,
    /// The test, when there was enough data to run it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<TestOutcome>,
    /// The relative change in the bad direction (0.5 = 50 % worse; negative = better).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worsening: Option<f64>,
    /// The p-value after Holm's adjustment for the KPIs tested at the same checkpoint (the
    /// one the thresholds were applied to), when more than one was tested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_adjusted: Option<f64>,
    /// The figures behind the verdict, as the reason quotes them.
    #[serde(skip)]
    pub figures: String,
}

impl Judgement {
    /// A judgement without a test.
    pub fn without_test(verdict: Verdict, reason: String) -> Self {
        Self {
            verdict,
            reason,
            test: None,
            worsening: None,
            p_adjusted: None,
            figures: String::new(),
        }
    }

    fn insufficient(reason: String) -> Self {
        Self::without_test(Verdict::Insufficient, reason)
    }

    /// Decide again with `p_adjusted`, the p-value adjusted for the `tested` KPIs judged
    /// together; a judgement without a test stays as it is.
    pub fn adjust(&mut self, p_adjusted: f64, tested: usize, t: &Thresholds) {
        let (Some(test), Some(worsening)) = (self.test.take(), self.worsening) else {
            return;
        };
        let figures = std::mem::take(&mut self.figures);
        *self = decide(test, worsening, figures, t, Some((p_adjusted, tested)));
    }
}

/// Judge a KPI from its current and control measures; `exposures` are the current and control
/// exposures of a count (hours, weighted by cohort share), unused otherwise.
pub fn judge(kpi: &Kpi, current: &Measure, control: &Measure, exposures: (f64, f64)) -> Judgement {
    let t = &kpi.thresholds;
    let alt = match kpi.bad {
        BadDirection::Up => Alternative::Greater,
        BadDirection::Down => Alternative::Less,
    };
    match (kpi.unit, current, control) {
        (KpiUnit::Count, Measure::Count(c1), Measure::Count(c0)) => {
            judge_count(*c1, *c0, exposures, alt, t)
        }
        (
            KpiUnit::Rate,
            Measure::Rate {
                events: e1,
                trials: n1,
            },
            Measure::Rate {
                events: e0,
                trials: n0,
            },
        ) => judge_rate((*e1, *n1), (*e0, *n0), alt, t),
        (KpiUnit::Duration, Measure::Durations(x), Measure::Durations(y)) => {
            judge_durations(x, y, alt, t)
        }
        _ => Judgement::without_test(
            Verdict::Error,
            "the measures do not match the KPI's unit".to_owned(),
        ),
    }
}

/// The relative worsening from a ratio current / control.
fn worsening_of_ratio(ratio: f64, alt: Alternative) -> f64 {
    match alt {
        Alternative::Greater => ratio - 1.0,
        Alternative::Less => 1.0 - ratio,
    }
}

fn judge_count(
    c1: u64,
    c0: u64,
    (t1, t0): (f64, f64),
    alt: Alternative,
    t: &Thresholds,
) -> Judgement {
    if c1 + c0 < t.min_events {
        return Judgement::insufficient(format!(
            "{} events in the current and control windows together, fewer than the {} needed (`min_events`)",
            c1 + c0,
            t.min_events
        ));
    }
    if !(t1 > 0.0 && t0 > 0.0) {
        return Judgement::insufficient("a window has no length".to_owned());
    }
    let test = stats::poisson_rate_test(c1, t1, c0, t0, alt);
    let worsening = worsening_of_ratio(test.rate_ratio, alt);
    let figures = format!(
        "{c1} events against {:.1} expected from the control (rate ratio {}, 95 % CI {}–{})",
        c0 as f64 * t1 / t0,
        number(test.rate_ratio),
        number(test.ci.low),
        number(test.ci.high)
    );
    decide(TestOutcome::PoissonRate(test), worsening, figures, t, None)
}

fn judge_rate(
    (e1, n1): (u64, u64),
    (e0, n0): (u64, u64),
    alt: Alternative,
    t: &Thresholds,
) -> Judgement {
    if n1 < t.min_trials || n0 < t.min_trials {
        return Judgement::insufficient(format!(
            "{n1} trials in the current window and {n0} in the control; each needs {} (`min_trials`)",
            t.min_trials
        ));
    }
    if e1 + e0 < t.min_events {
        return Judgement::insufficient(format!(
            "{} events in the current and control windows together, fewer than the {} needed (`min_events`)",
            e1 + e0,
            t.min_events
        ));
    }
    let test = stats::fisher_exact(e1, n1, e0, n0, alt);
    let worsening = worsening_of_ratio(test.relative_risk, alt);
    let figures = format!(
        "{e1}/{n1} ({}) against {e0}/{n0} ({}) in the control (relative risk {}, 95 % CI {}–{})",
        percent(e1 as f64 / n1 as f64),
        percent(e0 as f64 / n0 as f64),
        number(test.relative_risk),
        number(test.relative_risk_ci.low),
        number(test.relative_risk_ci.high)
    );
    decide(TestOutcome::FisherExact(test), worsening, figures, t, None)
}

fn judge_durations(x: &[f64], y: &[f64], alt: Alternative, t: &Thresholds) -> Judgement {
    let (n1, n0) = (x.len() as u64, y.len() as u64);
    if n1 < t.min_observations || n0 < t.min_observations {
        return Judgement::insufficient(format!(
            "{n1} observations in the current window and {n0} in the control; each needs {} (`min_observations`)",
            t.min_observations
        ));
    }
    let test = stats::mann_whitney(x, y, alt);
    let control_median = median(y);
    let relative = if control_median > 0.0 {
        test.hodges_lehmann / control_median
    } else if test.hodges_lehmann == 0.0 {
        0.0
    } else {
        test.hodges_lehmann.signum() * f64::INFINITY
    };
    let worsening = match alt {
        Alternative::Greater => relative,
        Alternative::Less => -relative,
    };
    let figures = format!(
        "median {} s against {} s in the control (Hodges–Lehmann shift {} s, rank-biserial {})",
        number(median(x)),
        number(control_median),
        number(test.hodges_lehmann),
        number(test.rank_biserial)
    );
    decide(TestOutcome::MannWhitney(test), worsening, figures, t, None)
}

/// The thresholds applied to a test's p-value (or its adjustment for the number of KPIs
/// tested, when given) and the worsening.
fn decide(
    test: TestOutcome,
    worsening: f64,
    figures: String,
    t: &Thresholds,
    adjusted: Option<(f64, usize)>,
) -> Judgement {
    let raw = test.p_value();
    let p = adjusted.map_or(raw, |(p, _)| p);
    let shown = match adjusted {
        Some((p, tested)) => format!(
            "p = {} (Holm-adjusted for {tested} KPIs: {})",
            number(raw),
            number(p)
        ),
        None => format!("p = {}", number(p)),
    };
    let material = worsening >= t.min_effect;
    let change = format!("{} worse", percent(worsening));
    let (verdict, reason) = if material && p < t.alpha {
        (
            Verdict::Fail,
            format!("{change}, {shown} < alpha {}: {figures}", t.alpha),
        )
    } else if material && p < t.marginal {
        (
            Verdict::Marginal,
            format!(
                "{change}, {shown} < {} but not below alpha {}: {figures}",
                t.marginal, t.alpha
            ),
        )
    } else if p < t.marginal {
        (
            Verdict::Pass,
            format!(
                "significant ({shown}) but {change}, below `min_effect` {}: {figures}",
                percent(t.min_effect)
            ),
        )
    } else {
        (
            Verdict::Pass,
            format!("no significant worsening ({shown}): {figures}"),
        )
    };
    Judgement {
        verdict,
        reason,
        test: Some(test),
        worsening: Some(worsening),
        p_adjusted: adjusted.map(|(p, _)| p),
        figures,
    }
}

/// Holm's step-down adjustment: the adjusted p-values, in the order given. The family-wise
/// error rate of rejecting any true null stays below the level the adjusted values are
/// compared with, whatever the dependence between the tests.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![1.0; m];
    let mut running: f64 = 0.0;
    for (rank, &index) in order.iter().enumerate() {
        let scaled = ((m - rank) as f64 * p[index]).min(1.0);
        running = running.max(scaled);
        adjusted[index] = running;
    }
    adjusted
}

/// The median of a non-empty sample (NaN when empty).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

fn number(x: f64) -> String {
    if x.is_infinite() {
        "∞".to_owned()
    } else if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.2e}")
    } else {
        format!("{x:.3}")
    }
}

fn percent(x: f64) -> String {
    if x.is_infinite() {
        "∞ %".to_owned()
    } else {
        format!("{:.1} %", x * 100.0)
    }
}
