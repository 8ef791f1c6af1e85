//! One evaluation of a watch at a checkpoint: windows, queries, judgements, report.

use crate::judge::{judge, median, Judgement, Verdict};
use crate::report::{overall, summary, KpiReport, Report, Side, WindowFigures, REPORT_VERSION};
use crate::sources::{fetch, Connections, Measure, Request, SourceContext, SourceError};
use crate::window::{baseline_windows, Window};
use chrono::{DateTime, Utc};
use flowgate_model::{Comparison, Kpi, Watch};

/// Why a watch could not be evaluated at all (a KPI's own failure is in the report).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluateError {
    /// The checkpoint is not after the release.
    #[error("the checkpoint {checkpoint_at} is not after the release at {release_at}: evaluate a checkpoint that has passed")]
    EmptyWindow {
        /// The release.
        release_at: DateTime<Utc>,
        /// The checkpoint.
        checkpoint_at: DateTime<Utc>,
    },
}

/// Evaluate every KPI of `watch` (asset id `watch_id`) over the window
/// `[release_at, checkpoint_at)` against its control, and report.
pub async fn evaluate(
    watch_id: &str,
    watch: &Watch,
    release_at: DateTime<Utc>,
    checkpoint_at: DateTime<Utc>,
    context: &SourceContext,
) -> Result<Report, EvaluateError> {
    let current = Window::new(release_at, checkpoint_at).ok_or(EvaluateError::EmptyWindow {
        release_at,
        checkpoint_at,
    })?;
    let mut connections = Connections::default();
    let mut kpis = Vec::with_capacity(watch.kpis.len());
    for kpi in &watch.kpis {
        kpis.push(evaluate_kpi(watch, kpi, current, context, &mut connections).await);
    }
    connections.close().await;
    adjust_for_multiplicity(&mut kpis);
    let (verdict, action) = overall(&kpis);
    Ok(Report {
        version: REPORT_VERSION,
        watch: watch_id.to_owned(),
        bundle: watch.bundle.as_ref().map(|b| b.value.to_string()),
        environment: watch.environment.as_ref().map(|e| e.value.clone()),
        release_at,
        checkpoint_at,
        verdict,
        action,
        summary: summary(&kpis),
        kpis,
    })
}

/// Applies Holm's adjustment to the p-values of the KPIs that were tested, and decides them
/// again: with six KPIs at alpha 0.01, an unadjusted normal release would fail some KPI at
/// one checkpoint in about 6 % of releases; adjusted, in at most 1 %.
pub fn adjust_for_multiplicity(kpis: &mut [KpiReport]) {
    let tested: Vec<usize> = (0..kpis.len())
        .filter(|&i| kpis[i].judgement.test.is_some())
        .collect();
    if tested.len() < 2 {
        return;
    }
    let raw: Vec<f64> = tested
        .iter()
        .filter_map(|&i| kpis[i].judgement.test.as_ref().map(|t| t.p_value()))
        .collect();
    for (&i, p) in tested.iter().zip(crate::judge::holm(&raw)) {
        let thresholds = kpis[i].thresholds;
        kpis[i].judgement.adjust(p, tested.len(), &thresholds);
    }
}

/// Evaluate one KPI; a failing source becomes the `error` verdict.
pub async fn evaluate_kpi(
    watch: &Watch,
    kpi: &Kpi,
    current: Window,
    context: &SourceContext,
    connections: &mut Connections,
) -> KpiReport {
    let mut report = KpiReport {
        id: kpi.id.value.clone(),
        name: kpi.display_name().to_owned(),
        unit: kpi.unit,
        per: kpi.per.clone(),
        bad: kpi.bad,
        source: kpi.source.value.clone(),
        compare: kpi.compare.clone(),
        thresholds: kpi.thresholds,
        on_fail: kpi.on_fail,
        judgement: Judgement::without_test(Verdict::Error, String::new()),
        current: None,
        control: None,
        error: None,
    };
    match measure(watch, kpi, current, context, connections).await {
        Ok(compared) => {
            report.judgement = judge(
                kpi,
                &compared.current,
                &compared.control,
                compared.exposures,
            );
            report.current = Some(compared.current_side);
            report.control = Some(compared.control_side);
        }
        Err(e) => {
            report.judgement.reason = format!("could not be measured: {}", e.message);
            report.error = Some(e);
        }
    }
    report
}

/// The two sides of a comparison.
struct Compared {
    current: Measure,
    control: Measure,
    exposures: (f64, f64),
    current_side: Side,
    control_side: Side,
}

async fn measure(
    watch: &Watch,
    kpi: &Kpi,
    current: Window,
    context: &SourceContext,
    connections: &mut Connections,
) -> Result<Compared, SourceError> {
    let Some(source) = watch.source_of(kpi) else {
        return Err(SourceError {
            kpi: kpi.id.value.clone(),
            source_name: kpi.source.value.clone(),
            message: "the watch has no such source".to_owned(),
            help: "declare it under `sources:`".to_owned(),
        });
    };
    match &kpi.compare {
        Comparison::Weeks(weeks) => {
            let mut windows = vec![current];
            windows.extend(baseline_windows(current, *weeks));
            let request = Request {
                kpi,
                windows: &windows,
                cohort: None,
            };
            let mut measures = fetch(connections, context, source, request).await?;
            let control_measures = measures.split_off(1);
            let current_measure = measures.pop().unwrap_or(Measure::Count(0));
            let control_measure = pool(&control_measures);
            let hours = current.hours();
            let exposures = (hours, hours * f64::from(*weeks));
            Ok(Compared {
                current_side: side(
                    &[current],
                    std::slice::from_ref(&current_measure),
                    &current_measure,
                    exposures.0,
                    None,
                ),
                control_side: side(
                    &windows[1..],
                    &control_measures,
                    &control_measure,
                    exposures.1,
                    None,
                ),
                current: current_measure,
                control: control_measure,
                exposures,
            })
        }
        Comparison::Holdout(holdout) => {
            let windows = [current];
            let t_request = Request {
                kpi,
                windows: &windows,
                cohort: Some(&holdout.treatment),
            };
            let treated = fetch(connections, context, source, t_request).await?;
            let c_request = Request {
                kpi,
                windows: &windows,
                cohort: Some(&holdout.control),
            };
            let held = fetch(connections, context, source, c_request).await?;
            let (treatment, control) = (holdout.treatment.clone(), holdout.control.clone());
            let share = holdout.control_share.unwrap_or(0.5);
            let exposures = (current.hours() * (1.0 - share), current.hours() * share);
            let current_measure = pool(&treated);
            let control_measure = pool(&held);
            Ok(Compared {
                current_side: side(
                    &windows,
                    &treated,
                    &current_measure,
                    exposures.0,
                    Some(treatment),
                ),
                control_side: side(
                    &windows,
                    &held,
                    &control_measure,
                    exposures.1,
                    Some(control),
                ),
                current: current_measure,
                control: control_measure,
                exposures,
            })
        }
    }
}

/// Measures of several windows pooled into one.
fn pool(measures: &[Measure]) -> Measure {
    let mut count = 0;
    let (mut events, mut trials) = (0, 0);
    let mut durations = Vec::new();
    let mut kind = 0;
    for m in measures {
        match m {
            Measure::Count(c) => count += c,
            Measure::Rate {
                events: e,
                trials: t,
            } => {
                kind = 1;
                events += e;
                trials += t;
            }
            Measure::Durations(d) => {
                kind = 2;
                durations.extend_from_slice(d);
            }
        }
    }
    match kind {
        1 => Measure::Rate { events, trials },
        2 => Measure::Durations(durations),
        _ => Measure::Count(count),
    }
}

fn side(
    windows: &[Window],
    measures: &[Measure],
    pooled: &Measure,
    exposure: f64,
    cohort: Option<String>,
) -> Side {
    let mut side = Side {
        windows: windows
            .iter()
            .zip(measures)
            .map(|(w, m)| WindowFigures::of(w, m))
            .collect(),
        events: None,
        trials: None,
        observations: None,
        median: None,
        exposure: None,
        cohort,
    };
    match pooled {
        Measure::Count(c) => {
            side.events = Some(*c);
            side.exposure = Some(exposure);
        }
        Measure::Rate { events, trials } => {
            side.events = Some(*events);
            side.trials = Some(*trials);
        }
        Measure::Durations(d) => {
            side.observations = Some(d.len() as u64);
            side.median = (!d.is_empty()).then(|| median(d));
        }
    }
    side
}
