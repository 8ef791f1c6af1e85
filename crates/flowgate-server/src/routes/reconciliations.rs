//! Reconciliation history: every recorded run of each reconciliation (`flowgate reconcile run`
//! records them in the log), with its mismatch rate, the EWMA level and the drift flags the
//! detector raises, judged with the asset's `drift` policy, as a table and a chart.

use super::viewer;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{badge, page};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowgate_model::{AssetSpec, DriftPolicy};
use flowgate_reconcile::drift::{evaluate, DriftPoint};
use flowgate_store::{OperationFilter, OperationKind, Store};
use maud::{html, Markup};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One recorded run and the detector's view of it.
#[derive(Debug, Serialize)]
pub struct Run {
    seq: u64,
    at: String,
    by: String,
    rows: u64,
    differences: u64,
    rate: f64,
    drift: DriftPoint,
}

/// Recorded runs by reconciliation name, oldest first: (seq, at, actor, payload).
async fn recorded(
    state: &AppState,
) -> Result<BTreeMap<String, Vec<(u64, String, String, Value)>>, ApiError> {
    let ops = state
        .store()
        .operations(&OperationFilter {
            kind: Some(OperationKind::ReconcileRun),
            ..OperationFilter::default()
        })
        .await?;
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for op in ops {
        let Some(name) = op.payload.get("reconciliation").and_then(Value::as_str) else {
            continue;
        };
        out.entry(name.to_owned()).or_default().push((
            op.seq,
            op.at.to_human(),
            op.actor.clone(),
            op.payload,
        ));
    }
    Ok(out)
}

/// The `drift` policy of every reconciliation asset in the workspace.
async fn policies(state: &AppState) -> BTreeMap<String, Option<DriftPolicy>> {
    let root = state.root().to_owned();
    let read = move || {
        let Ok(workspace) = flowgate_load::Workspace::discover(&root) else {
            return BTreeMap::new();
        };
        let loaded = flowgate_load::load_workspace(&workspace);
        loaded
            .model
            .assets()
            .iter()
            .filter_map(|asset| match &asset.spec {
                AssetSpec::Reconciliation(spec) => Some((asset.id.to_string(), spec.drift.clone())),
                _ => None,
            })
            .collect()
    };
    tokio::task::spawn_blocking(read).await.unwrap_or_default()
}

/// The runs of one reconciliation, judged with `policy`.
fn judged(runs: &[(u64, String, String, Value)], policy: Option<&DriftPolicy>) -> Vec<Run> {
    let rates: Vec<f64> = runs
        .iter()
        .map(|(_, _, _, p)| p["mismatch_rate"].as_f64().unwrap_or(0.0))
        .collect();
    let count = |p: &Value, key: &str| p["counts"][key].as_u64().unwrap_or(0);
    runs.iter()
        .zip(evaluate(&rates, policy))
        .map(|((seq, at, by, p), drift)| Run {
            seq: *seq,
            at: at.clone(),
            by: by.clone(),
            rows: p["rows_left"]
                .as_u64()
                .unwrap_or(0)
                .max(p["rows_right"].as_u64().unwrap_or(0)),
            differences: ["missing_left", "missing_right", "mismatch", "duplicate"]
                .iter()
                .map(|k| count(p, k))
                .sum(),
            rate: drift.rate,
            drift,
        })
        .collect()
}

/// Runs of every reconciliation, judged.
async fn history(state: &AppState) -> Result<BTreeMap<String, Vec<Run>>, ApiError> {
    let recorded = recorded(state).await?;
    let policies = policies(state).await;
    Ok(recorded
        .iter()
        .map(|(name, runs)| {
            let policy = policies.get(name).and_then(Option::as_ref);
            (name.clone(), judged(runs, policy))
        })
        .collect())
}

/// `GET /reconciliations`.
pub async fn list(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
) -> Result<Response, ApiError> {
    let all = history(&state).await.map_err(|e| e.to(want))?;
    if want == Want::Json {
        let latest: BTreeMap<&String, Option<&Run>> =
            all.iter().map(|(n, r)| (n, r.last())).collect();
        return Ok(
            Json(json!({ "flowgate_reconciliations": 1, "latest": latest })).into_response(),
        );
    }
    let body = html! {
        @if all.is_empty() {
            p { "No reconciliation run is recorded yet. " code { "flowgate reconcile run NAME" } " records one." }
        } @else {
            table {
                thead { tr { th scope="col" { "Reconciliation" } th scope="col" { "Runs" } th scope="col" { "Last run" } th scope="col" { "Mismatch rate" } th scope="col" { "Level (EWMA)" } th scope="col" { "Drift" } } }
                tbody {
                    @for (name, runs) in &all {
                        @if let Some(last) = runs.last() {
                            tr {
                                th scope="row" { a href={ "/reconciliations/" (name) } { (name) } }
                                td { (runs.len()) }
                                td { (last.at) " by " (last.by) }
                                td { (format!("{:.6}", last.rate)) }
                                td { (format!("{:.6}", last.drift.level)) }
                                td { (verdict(&last.drift)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Reconciliations", &viewer(&state, &caller), body).into_response())
}

fn verdict(point: &DriftPoint) -> Markup {
    match (point.drift, point.over_limit) {
        (true, _) => badge(false, "drift: sustained rise"),
        (false, true) => badge(false, "over max_rate"),
        _ => badge(true, "steady"),
    }
}

/// `GET /reconciliations/{name}`.
pub async fn show(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let mut all = history(&state).await.map_err(|e| e.to(want))?;
    let Some(runs) = all.remove(&name) else {
        return Err(ApiError::not_found(format!(
            "no recorded run of `{name}`; /reconciliations lists those with runs"
        ))
        .to(want));
    };
    if want == Want::Json {
        return Ok(
            Json(json!({ "flowgate_reconciliation": 1, "name": name, "runs": runs }))
                .into_response(),
        );
    }
    let body = html! {
        (chart(&runs))
        table {
            caption.muted { "Every recorded run, newest first. The level is the EWMA of the mismatch rate; drift is a sustained rise the CUSUM detector flags." }
            thead { tr { th scope="col" { "Run" } th scope="col" { "At" } th scope="col" { "Rows" } th scope="col" { "Differences" } th scope="col" { "Mismatch rate" } th scope="col" { "Level" } th scope="col" { "Drift" } } }
            tbody {
                @for run in runs.iter().rev() {
                    tr {
                        td { (run.seq) } td { (run.at) " by " (run.by) } td { (run.rows) } td { (run.differences) }
                        td { (format!("{:.6}", run.rate)) } td { (format!("{:.6}", run.drift.level)) } td { (verdict(&run.drift)) }
                    }
                }
            }
        }
    };
    Ok(page(
        &format!("Reconciliation {name}"),
        &viewer(&state, &caller),
        body,
    )
    .into_response())
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const PAD: f64 = 30.0;

/// The mismatch rate (line) and its EWMA level (dashed) over the runs; drift marked in red.
fn chart(runs: &[Run]) -> Markup {
    let top = runs
        .iter()
        .map(|r| r.rate.max(r.drift.level))
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let step = (WIDTH - 2.0 * PAD) / (runs.len().max(2) - 1) as f64;
    let at = |i: usize, v: f64| {
        (
            PAD + step * i as f64,
            HEIGHT - PAD - (v / top) * (HEIGHT - 2.0 * PAD),
        )
    };
    let line = |value: &dyn Fn(&Run) -> f64| -> String {
        runs.iter()
            .enumerate()
            .map(|(i, r)| {
                let (x, y) = at(i, value(r));
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let label = format!(
        "Mismatch rate of {} runs, from {:.6} to {:.6}; highest {top:.6}",
        runs.len(),
        runs.first().map_or(0.0, |r| r.rate),
        runs.last().map_or(0.0, |r| r.rate)
    );
    html! {
        figure {
            svg.chart role="img" aria-label=(label) viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } width=(WIDTH) height=(HEIGHT) {
                line x1=(PAD) y1=(HEIGHT - PAD) x2=(WIDTH - PAD) y2=(HEIGHT - PAD) stroke="#555" {}
                text x="2" y=(PAD - 8.0) font-size="11" { (format!("{top:.6}")) }
                text x="2" y=(HEIGHT - PAD + 14.0) font-size="11" { "0" }
                polyline points=(line(&|r: &Run| r.rate)) fill="none" stroke="#1f5fa8" stroke-width="2" {}
                polyline points=(line(&|r: &Run| r.drift.level)) fill="none" stroke="#444" stroke-dasharray="5 4" {}
                @for (i, run) in runs.iter().enumerate().filter(|(_, r)| r.drift.drift || r.drift.over_limit) {
                    @let (x, y) = at(i, run.rate);
                    circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="5" fill="#b00020" {}
                }
            }
            figcaption { "Solid: mismatch rate per run. Dashed: its EWMA level. Red dots: drift or over max_rate." }
        }
    }
}
