//! A bundle's release history: every version with what changed, where each environment
//! stands, and every move of its environments.

use super::{promotions, viewer};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::page;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowgate_release::{bundle_history, env_ref};
use flowgate_store::{Operation, OperationFilter, Store};
use maud::html;
use serde_json::json;

/// `GET /bundles/{bundle}`.
pub async fn bundle(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(bundle): Path<String>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    let store = state.store();
    let mut history = bundle_history(store, &bundle, None)
        .await
        .map_err(|e| fail(e.into()))?;
    if history.is_empty() {
        return Err(fail(ApiError::not_found(format!(
            "no bundle `{bundle}` in the store"
        ))));
    }
    history.reverse();
    let statuses: Vec<_> = promotions(store, state.policy())
        .status()
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .filter(|s| s.bundle == bundle)
        .collect();
    let mut moves: Vec<Operation> = Vec::new();
    for env in &state.policy().environments {
        let filter = OperationFilter {
            ref_name: Some(env_ref(&env.name, &bundle)),
            ..OperationFilter::default()
        };
        moves.extend(
            store
                .operations(&filter)
                .await
                .map_err(|e| fail(e.into()))?,
        );
    }
    moves.sort_by_key(|op| std::cmp::Reverse(op.seq));
    if want == Want::Json {
        let versions: Vec<_> = history
            .iter()
            .map(|v| json!({ "version": v.version, "release_id": v.release_id, "author": v.author,
                             "created_at": v.created_at, "bump": v.diff.bump.as_str(), "diff": v.diff }))
            .collect();
        return Ok(Json(
            json!({ "flowgate_bundle": 1, "bundle": bundle, "environments": statuses,
                               "versions": versions, "moves": moves }),
        )
        .into_response());
    }
    let body = html! {
        h2 { "Where it runs" }
        ul { @for s in &statuses { li { strong { (s.env) } ": " (s.version) " (" (s.release_id.as_deref().unwrap_or("")) ")" } } }
        h2 { "Versions" }
        @for v in &history {
            h3 { (v.version) " · " (v.release_id) }
            p.muted { "frozen by " (v.author) " at " (v.created_at.to_human()) "; " (v.diff.bump.as_str()) " change" }
            @if !v.diff.is_empty() { pre.diff { (flowgate_diff::render_human(&v.diff)) } }
        }
        h2 { "Deployments" }
        table {
            thead { tr { th scope="col" { "#" } th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Environment" } th scope="col" { "Version" } } }
            tbody {
                @for op in &moves {
                    tr { td { (op.seq) } td { (op.at.to_human()) } td { (op.actor) } td { (op.kind) }
                         td { (op.payload.get("env").and_then(|v| v.as_str()).unwrap_or_default()) }
                         td { (op.payload.get("version").and_then(|v| v.as_str()).unwrap_or_default()) } }
                }
            }
        }
    };
    Ok(page(&format!("Bundle {bundle}"), &viewer(&state, &caller), body).into_response())
}
