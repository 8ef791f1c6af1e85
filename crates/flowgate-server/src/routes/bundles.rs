//! A bundle's release history: every version with what changed, where each environment
//! stands, and every move of its environments; and the diff between any two versions.

use super::lookup::snapshot_named;
use super::{promotions, viewer};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::page;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowgate_diff::Diff;
use flowgate_release::{bundle_history, env_ref, snapshot_documents, BundleStatus, VersionChange};
use flowgate_store::{Operation, OperationFilter, Store};
use maud::html;
use serde::Deserialize;
use serde_json::json;

/// How many versions the page shows unless asked for all.
const PAGE_VERSIONS: usize = 50;

/// What the bundle page shows, worked out once per log head (see `views.rs`).
#[derive(Debug)]
pub struct BundleView {
    /// Newest first.
    history: Vec<VersionChange>,
    statuses: Vec<BundleStatus>,
    moves: Vec<Operation>,
}

async fn bundle_view(state: &AppState, bundle: &str) -> Result<BundleView, ApiError> {
    let store = state.store();
    let mut history = bundle_history(store, bundle, None).await?;
    if history.is_empty() {
        return Err(ApiError::not_found(format!(
            "no bundle `{bundle}` in the store"
        )));
    }
    history.reverse();
    let statuses: Vec<_> = promotions(store, state.policy())
        .status()
        .await?
        .into_iter()
        .filter(|s| s.bundle == bundle)
        .collect();
    let mut moves: Vec<Operation> = Vec::new();
    for env in &state.policy().environments {
        let filter = OperationFilter {
            ref_name: Some(env_ref(&env.name, bundle)),
            ..OperationFilter::default()
        };
        moves.extend(store.operations(&filter).await?);
    }
    moves.sort_by_key(|op| std::cmp::Reverse(op.seq));
    Ok(BundleView {
        history,
        statuses,
        moves,
    })
}

/// `?all=1` shows every version.
#[derive(Deserialize)]
pub struct Paging {
    all: Option<String>,
}

/// `GET /bundles/{bundle}`.
pub async fn bundle(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(bundle): Path<String>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    let head = state.store().log_head().await.map_err(|e| fail(e.into()))?;
    let view = state
        .views()
        .bundles
        .get(&bundle, &head, || bundle_view(&state, &bundle))
        .await
        .map_err(fail)?;
    let BundleView {
        history,
        statuses,
        moves,
    } = &*view;
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
    let shown = if paging.all.is_some() {
        history.len()
    } else {
        PAGE_VERSIONS
    };
    let body = html! {
        h2 { "Where it runs" }
        ul { @for s in statuses { li { strong { (s.env) } ": " (s.version) " (" (s.release_id.as_deref().unwrap_or("")) ")" } } }
        h2 { "Versions" }
        @if history.len() > 1 {
            form.inline method="get" action={ "/bundles/" (bundle) "/diff" } {
                label for="from" { "Compare " } input id="from" name="from" value=(history[1].version) size="10";
                label for="to" { " with " } input id="to" name="to" value=(history[0].version) size="10";
                button type="submit" { "Show the diff" }
            }
        }
        @for v in history.iter().take(shown) {
            h3 { (v.version) " · " (v.release_id) }
            p.muted { "frozen by " (v.author) " at " (v.created_at.to_human()) "; " (v.diff.bump.as_str()) " change" }
            @if !v.diff.is_empty() { pre.diff { (flowgate_diff::render_human(&v.diff)) } }
        }
        @if history.len() > shown {
            p { (history.len() - shown) " older versions. " a href={ "/bundles/" (bundle) "?all=1" } { "Show every version" } }
        }
        h2 { "Deployments" }
        table {
            thead { tr { th scope="col" { "#" } th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Environment" } th scope="col" { "Version" } } }
            tbody {
                @for op in moves.iter().take(shown.max(PAGE_VERSIONS) * 3) {
                    tr { td { (op.seq) } td { (op.at.to_human()) } td { (op.actor) } td { (op.kind) }
                         td { (op.payload.get("env").and_then(|v| v.as_str()).unwrap_or_default()) }
                         td { (op.payload.get("version").and_then(|v| v.as_str()).unwrap_or_default()) } }
                }
            }
        }
    };
    Ok(page(&format!("Bundle {bundle}"), &viewer(&state, &caller), body).into_response())
}

/// `?from=VERSION&to=VERSION`.
#[derive(Deserialize)]
pub struct Versions {
    from: String,
    to: String,
}

/// The diff between two frozen versions: snapshots never change, so it is kept for good.
async fn versions_diff(
    state: &AppState,
    bundle: &str,
    from: &str,
    to: &str,
) -> Result<Diff, ApiError> {
    let store = state.store();
    let old = snapshot_named(store, &format!("{bundle}@{from}")).await?;
    let new = snapshot_named(store, &format!("{bundle}@{to}")).await?;
    let (old, new) = (
        snapshot_documents(store, &old).await?,
        snapshot_documents(store, &new).await?,
    );
    Ok(flowgate_diff::diff_documents(&old, &new))
}

/// `GET /bundles/{bundle}/diff?from=A&to=B`.
pub async fn diff(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(bundle): Path<String>,
    Query(versions): Query<Versions>,
) -> Result<Response, ApiError> {
    let (from, to) = (versions.from.trim(), versions.to.trim());
    let key = (bundle.clone(), from.to_owned(), to.to_owned());
    let diff = state
        .views()
        .diffs
        .get_immutable(&key, || versions_diff(&state, &bundle, from, to))
        .await
        .map_err(|e| e.to(want))?;
    if want == Want::Json {
        let document =
            json!({ "flowgate_diff": 1, "bundle": bundle, "from": from, "to": to, "diff": *diff });
        return Ok(Json(document).into_response());
    }
    let body = html! {
        p { "Bump: " strong { (diff.bump.as_str()) } ". " a href={ "/bundles/" (bundle) } { "Back to the bundle" } }
        @if diff.is_empty() { p { "No changes." } } @else { pre.diff { (flowgate_diff::render_human(&diff)) } }
    };
    let title = format!("{bundle}: {from} → {to}");
    Ok(page(&title, &viewer(&state, &caller), body).into_response())
}
