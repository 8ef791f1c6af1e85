//! A plan's release checklist: items ticked from evidence, the rest confirmed by a person
//! holding one of the environment's RACI roles; as a page section, JSON or Markdown.

use super::input::Input;
use super::lookup::{load, recorded_for};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use flowgate_release::{
    checklist_markdown, confirming_roles, plan_checklist, ChecklistItem, PlanReport,
};
use flowgate_store::{AnyStore, NewOperation, OperationKind, Snapshot, Store};
use serde::Deserialize;
use serde_json::json;

/// The checklist of a plan, as it stands.
pub async fn items_of(
    state: &AppState,
    store: &AnyStore,
    report: &PlanReport,
    snapshot: &Snapshot,
) -> Result<Vec<ChecklistItem>, ApiError> {
    Ok(plan_checklist(store, state.policy(), report, &snapshot.manifest).await?)
}

/// `?format=markdown`.
#[derive(Deserialize)]
pub struct Format {
    format: Option<String>,
}

impl Format {
    /// Whether the request asks for Markdown.
    pub fn markdown(&self) -> bool {
        self.format.as_deref() == Some("markdown")
    }
}

/// `GET /plans/{id}/checklist`: JSON, Markdown (`?format=markdown`), or the plan page.
pub async fn show(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(id): Path<String>,
    Query(format): Query<Format>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    let store = state.store().clone();
    let (plan, report, snapshot) = load(&state, &store, &id, Some(&caller.person))
        .await
        .map_err(fail)?;
    let items = items_of(&state, &store, &report, &snapshot)
        .await
        .map_err(fail)?;
    if format.markdown() {
        let title = format!(
            "{} {} → {} (plan {})",
            plan.bundle,
            plan.version,
            plan.environment,
            &plan.id()[..12]
        );
        let markdown = checklist_markdown(&title, &items);
        return Ok(([(CONTENT_TYPE, "text/markdown; charset=utf-8")], markdown).into_response());
    }
    if want == Want::Json {
        return Ok(
            Json(json!({ "flowgate_checklist": 1, "plan": plan.id(), "items": items }))
                .into_response(),
        );
    }
    Ok(Redirect::to(&format!("/plans/{}#checklist", plan.id())).into_response())
}

/// A confirmation.
#[derive(Deserialize)]
pub struct Confirm {
    note: Option<String>,
    #[serde(default)]
    csrf: String,
}

/// `POST /plans/{id}/checklist/{item}/confirm`: by someone holding one of the environment's
/// RACI roles; items verified from evidence or failing cannot be confirmed by hand.
pub async fn confirm(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path((id, item)): Path<(String, String)>,
    Input(form): Input<Confirm>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    caller.check_csrf(Some(&form.csrf)).map_err(fail)?;
    let store = caller.store(&state);
    let (plan, report, snapshot) = load(&state, &store, &id, None).await.map_err(fail)?;
    let env = recorded_for(&state, &plan).map_err(fail)?;
    let roles = confirming_roles(env);
    let holds = state
        .policy()
        .people
        .get(&caller.person)
        .map(|p| p.roles.clone())
        .unwrap_or_default();
    if !holds.iter().any(|r| roles.contains(r)) {
        return Err(fail(ApiError::forbidden(format!(
            "checklist items of {} are confirmed by {}; {} holds {}",
            env.name,
            roles.join(", "),
            caller.person,
            holds.join(", ")
        ))));
    }
    let items = items_of(&state, &store, &report, &snapshot)
        .await
        .map_err(fail)?;
    let Some(entry) = items.iter().find(|i| i.id == item) else {
        return Err(fail(ApiError::not_found(format!(
            "the checklist has no item `{item}`"
        ))));
    };
    if !matches!(entry.state, flowgate_release::ItemState::ToConfirm { .. })
        || item.starts_with("signoff.")
    {
        return Err(fail(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            format!("`{item}` is not waiting for a confirmation by hand (sign-offs come from approvals)"),
        )));
    }
    let note = form
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let op = store
        .append_operation(&NewOperation::new(
            &caller.person,
            OperationKind::ChecklistConfirm,
            json!({ "plan": plan.id(), "env": plan.environment, "bundle": plan.bundle, "version": plan.version, "item": item, "note": note }),
        ))
        .await
        .map_err(|e| fail(e.into()))?;
    if want == Want::Json {
        return Ok(Json(json!({ "flowgate_outcome": 1, "action": "checklist.confirm", "plan": plan.id(), "item": item, "changed": true, "operation": op.seq })).into_response());
    }
    Ok(Redirect::to(&format!("/plans/{}#checklist", plan.id())).into_response())
}
