//! The environment board: every bundle in every environment, with its version, release id,
//! who moved it and when, pin, drift, and whether a freeze window is on now.

use super::{promotions, viewer};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{badge, page};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use flowgate_release::BundleStatus;
use maud::html;
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

/// `GET /`.
pub async fn board(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
) -> Result<Response, ApiError> {
    let store = state.store().clone();
    let statuses = promotions(&store, state.policy())
        .status()
        .await
        .map_err(|e| ApiError::from(e).to(want))?;
    let mut by_bundle: BTreeMap<&str, BTreeMap<&str, &BundleStatus>> = BTreeMap::new();
    for status in &statuses {
        by_bundle
            .entry(status.bundle.as_str())
            .or_default()
            .insert(status.env.as_str(), status);
    }
    let environments = environment_json(&state);
    if want == Want::Json {
        return Ok(Json(json!({
            "flowgate_board": 1,
            "environments": environments,
            "bundles": by_bundle,
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
                caption.muted { "Each cell: version, release, who moved it and when." }
                thead { tr { th scope="col" { "Bundle" } @for name in &names { th scope="col" { (name) } } } }
                tbody {
                    @for (bundle, cells) in &by_bundle {
                        tr {
                            th scope="row" { a href={ "/bundles/" (bundle) } { (bundle) } }
                            @for name in &names {
                                td {
                                    @match cells.get(name) {
                                        Some(s) => {
                                            strong { (s.version) }
                                            @if let Some(r) = &s.release_id { " · " (r) }
                                            br;
                                            span.muted { (s.by_operation.as_deref().unwrap_or("?")) " by " (s.by.as_deref().unwrap_or("?")) " at " (s.at.as_deref().unwrap_or("?")) }
                                            @if let Some(pin) = &s.pinned { br; (badge(false, "pinned")) " " (pin.reason) }
                                            @if !s.drift.is_empty() { br; (badge(false, "drift")) " " (s.drift.join(", ")) }
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
