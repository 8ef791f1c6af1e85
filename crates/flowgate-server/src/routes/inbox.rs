//! The approvals inbox: recorded plans that still wait for a role the caller holds, are
//! current (the environment has not moved since), were neither applied nor rejected, and that
//! the caller has not approved yet.

use super::viewer;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::page;
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowgate_release::{env_ref, Plan};
use flowgate_store::{AnyStore, Operation, OperationFilter, OperationKind, Store};
use maud::html;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A plan waiting for the caller.
#[derive(Debug, Serialize)]
pub struct Waiting {
    id: String,
    bundle: String,
    version: String,
    environment: String,
    from_version: Option<String>,
    planned_by: String,
    planned_at: String,
    roles: Vec<String>,
    approved_by: Vec<String>,
}

async fn ops(store: &AnyStore, kind: OperationKind) -> Result<Vec<Operation>, ApiError> {
    Ok(store
        .operations(&OperationFilter {
            kind: Some(kind),
            ..OperationFilter::default()
        })
        .await?)
}

fn plan_id(op: &Operation) -> Option<&str> {
    op.payload.get("plan").and_then(Value::as_str)
}

/// Plans waiting for `person`, newest first.
async fn waiting_for(state: &AppState, person: &str) -> Result<Vec<Waiting>, ApiError> {
    let store = state.store();
    let Some(me) = state.policy().people.get(person) else {
        return Ok(Vec::new());
    };
    let done: BTreeSet<String> = closed_plans(store).await?.into_iter().collect();
    let mut approvals: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for op in ops(store, OperationKind::Approve).await? {
        let role = op
            .payload
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(id) = plan_id(&op) {
            approvals
                .entry(id.to_owned())
                .or_default()
                .push((op.actor.clone(), role.to_owned()));
        }
    }
    let mut out = Vec::new();
    for op in ops(store, OperationKind::Plan).await?.into_iter().rev() {
        let Some(id) = plan_id(&op).map(str::to_owned) else {
            continue;
        };
        let Some(plan) = op
            .payload
            .get("content")
            .and_then(|c| serde_json::from_value::<Plan>(c.clone()).ok())
        else {
            continue;
        };
        if done.contains(&id) || out.iter().any(|w: &Waiting| w.id == id) {
            continue;
        }
        let Some(env) = state.policy().environment(&plan.environment) else {
            continue;
        };
        let signed = approvals.get(&id).cloned().unwrap_or_default();
        let roles: Vec<String> = me
            .roles
            .iter()
            .filter(|r| env.raci.approvers().contains(r))
            .filter(|r| !signed.iter().any(|(p, role)| p == person && role == *r))
            .cloned()
            .collect();
        if roles.is_empty() {
            continue;
        }
        let current = store
            .get_ref(&env_ref(&plan.environment, &plan.bundle))
            .await?;
        if current.map(|r| r.target) != plan.base.as_ref().map(|b| b.snapshot) {
            continue;
        }
        out.push(Waiting {
            id,
            bundle: plan.bundle,
            version: plan.version,
            environment: plan.environment,
            from_version: plan.base.map(|b| b.version),
            planned_by: op.actor,
            planned_at: op.at.to_human(),
            roles,
            approved_by: signed
                .into_iter()
                .map(|(p, r)| format!("{p} ({r})"))
                .collect(),
        });
    }
    Ok(out)
}

/// The ids of plans applied or rejected.
async fn closed_plans(store: &AnyStore) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for kind in [OperationKind::Apply, OperationKind::Reject] {
        out.extend(
            ops(store, kind)
                .await?
                .iter()
                .filter_map(plan_id)
                .map(str::to_owned),
        );
    }
    Ok(out)
}

/// `GET /inbox`.
pub async fn inbox(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    let head = state.store().log_head().await.map_err(|e| fail(e.into()))?;
    let waiting = state
        .views()
        .inboxes
        .get(&caller.person, &head, || {
            waiting_for(&state, &caller.person)
        })
        .await
        .map_err(fail)?;
    if want == Want::Json {
        return Ok(Json(
            json!({ "flowgate_inbox": 1, "person": caller.person, "waiting": waiting.as_slice() }),
        )
        .into_response());
    }
    let body = html! {
        @if waiting.is_empty() {
            p { "Nothing waits for your approval." }
        } @else {
            table {
                thead { tr { th scope="col" { "Plan" } th scope="col" { "Change" } th scope="col" { "Planned" } th scope="col" { "Your roles" } th scope="col" { "Approved by" } } }
                tbody {
                    @for w in waiting.iter() {
                        tr {
                            td { a href={ "/plans/" (w.id) } { code { (&w.id[..12.min(w.id.len())]) } } }
                            td { (w.bundle) " " (w.from_version.as_deref().unwrap_or("(new)")) " → " strong { (w.version) } " into " (w.environment) }
                            td { (w.planned_by) " at " (w.planned_at) }
                            td { (w.roles.join(", ")) }
                            td { @if w.approved_by.is_empty() { span.muted { "nobody yet" } } @else { (w.approved_by.join(", ")) } }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Approvals waiting for you", &viewer(&state, &caller), body).into_response())
}
