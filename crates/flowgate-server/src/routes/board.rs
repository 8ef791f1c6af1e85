//! The environment board: every bundle in every environment, with its version, release id,
//! who moved it and when, pin, drift, the soak time left before the next environment may take
//! it, and whether a freeze window is on now. The statuses are the view the drift check keeps
//! (see `views.rs`); what depends on the time is worked out per request.

use super::{promotions, viewer};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{badge, page};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use flowgate_release::{human_duration, BundleStatus, Policy};
use maud::html;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One environment's column header.
fn environment_json(state: &AppState) -> Vec<Value> {
    let now = Utc::now();
    state
        .policy()
        .environments
        .iter()
        .map(|env| {
            let freeze: Vec<String> = env
                .gates
                .freeze
                .iter()
                .filter(|w| w.contains(now))
                .map(|w| w.describe())
                .collect();
            json!({
                "name": env.name,
                "from": env.gates.from,
                "approvers": env.raci.approvers(),
                "freeze_now": freeze,
            })
        })
        .collect()
}

/// The soak an environment that takes from another needs, before it may take a version.
#[derive(Debug, Serialize)]
struct Soak<'a> {
    /// The environment that waits.
    before: &'a str,
    /// Seconds left; 0 when soaked.
    seconds_left: i64,
}

/// One cell: what an environment holds of a bundle, and the soak left for the next ones.
#[derive(Debug, Serialize)]
struct Cell<'a> {
    #[serde(flatten)]
    status: &'a BundleStatus,
    soak: Vec<Soak<'a>>,
}

/// The soak time `status` has left before each environment that takes from its own.
fn soak_left<'a>(policy: &'a Policy, status: &BundleStatus, now: DateTime<Utc>) -> Vec<Soak<'a>> {
    let since = status
        .at
        .as_deref()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok());
    policy
        .environments
        .iter()
        .filter(|next| next.gates.from.as_deref() == Some(status.env.as_str()))
        .filter_map(|next| {
            let needed = i64::try_from(next.gates.soak?.as_seconds()).ok()?;
            let ran = since.map_or(0, |since| now.signed_duration_since(since).num_seconds());
            Some(Soak {
                before: &next.name,
                seconds_left: (needed - ran).max(0),
            })
        })
        .collect()
}

/// `GET /`.
pub async fn board(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    let store = state.store();
    let head = store.log_head().await.map_err(|e| fail(e.into()))?;
    let statuses = state
        .views()
        .board
        .get(&(), &head, || async {
            promotions(store, state.policy())
                .status()
                .await
                .map_err(ApiError::from)
        })
        .await
        .map_err(fail)?;
    let now = Utc::now();
    let mut by_bundle: BTreeMap<&str, BTreeMap<&str, Cell<'_>>> = BTreeMap::new();
    for status in statuses.iter() {
        let soak = soak_left(state.policy(), status, now);
        by_bundle
            .entry(status.bundle.as_str())
            .or_default()
            .insert(status.env.as_str(), Cell { status, soak });
    }
    let environments = environment_json(&state);
    let roll_back_first: Vec<_> = super::incidents::with_advice(&state)
        .await
        .map_err(fail)?
        .into_iter()
        .filter_map(|(_, advice)| advice)
        .collect();
    if want == Want::Json {
        return Ok(Json(json!({
            "flowgate_board": 1,
            "environments": environments,
            "bundles": by_bundle,
            "roll_back_first": roll_back_first,
        }))
        .into_response());
    }
    let names: Vec<&str> = state
        .policy()
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    let body = html! {
        @for advice in &roll_back_first {
            p.notice role="alert" { (badge(false, "roll back first")) " " a href={ "/incidents/" (advice.incident) } { (advice.incident) } ": " (advice.text) }
        }
        @for env in &environments {
            @if let Some(windows) = env["freeze_now"].as_array().filter(|w| !w.is_empty()) {
                p.notice role="status" { "Freeze on now in " strong { (env["name"].as_str().unwrap_or_default()) } ": "
                    @for w in windows { (w.as_str().unwrap_or_default()) " " } }
            }
        }
        @if by_bundle.is_empty() {
            p { "No environment holds a bundle yet. Freeze one with " code { "flowgate snapshot create" } " and plan it." }
        } @else {
            table {
                caption.muted { "Each cell: version, release, who moved it and when. Targets are checked for drift every " (state.drift_check().as_secs()) " seconds." }
                thead { tr { th scope="col" { "Bundle" } @for name in &names { th scope="col" { (name) } } } }
                tbody {
                    @for (bundle, cells) in &by_bundle {
                        tr {
                            th scope="row" { a href={ "/bundles/" (bundle) } { (bundle) } }
                            @for name in &names {
                                td {
                                    @match cells.get(name) {
                                        Some(Cell { status: s, soak }) => {
                                            strong { (s.version) }
                                            @if let Some(r) = &s.release_id { " · " (r) }
                                            br;
                                            span.muted { (s.by_operation.as_deref().unwrap_or("?")) " by " (s.by.as_deref().unwrap_or("?")) " at " (s.at.as_deref().unwrap_or("?")) }
                                            @if let Some(pin) = &s.pinned { br; (badge(false, "pinned")) " " (pin.reason) }
                                            @if !s.drift.is_empty() { br; (badge(false, "drift")) " " (s.drift.join(", ")) }
                                            @for wait in soak {
                                                br;
                                                @if wait.seconds_left > 0 {
                                                    span.muted { "soak: " (human_duration(chrono::Duration::seconds(wait.seconds_left))) " left before " (wait.before) }
                                                } @else {
                                                    span.muted { "soaked for " (wait.before) }
                                                }
                                            }
                                        }
                                        None => { span.muted { "—" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Environments", &viewer(&state, &caller), body).into_response())
}
