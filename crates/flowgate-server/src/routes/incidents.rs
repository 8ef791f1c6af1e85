//! Incidents for the people who follow them outside a terminal: the list with each one's
//! rollback-first advice when its time box has passed, and one incident as its post-mortem
//! (facts, a timeline merged with the operation log, causes and action items).

use super::viewer;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{badge, markdown, page};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Duration, Utc};
use flowgate_incidents::{postmortem, recommend, Incident, Incidents, Recommendation};
use flowgate_store::{OperationFilter, Store};
use maud::html;
use serde_json::{json, Value};

/// The workspace's time box.
pub fn timebox(state: &AppState) -> Duration {
    flowgate_incidents::timebox::limit(state.policy().incident_timebox)
}

/// Every incident, newest first, with the advice of those past their time box.
pub async fn with_advice(
    state: &AppState,
) -> Result<Vec<(Incident, Option<Recommendation>)>, ApiError> {
    let now = Utc::now();
    let folded = Incidents::new(state.store(), now).all().await?;
    let mut all: Vec<(Incident, Option<Recommendation>)> = folded
        .incidents
        .into_values()
        .map(|i| {
            let advice = recommend(&i, timebox(state), now);
            (i, advice)
        })
        .collect();
    all.sort_by_key(|(i, _)| std::cmp::Reverse(i.opened_at));
    Ok(all)
}

/// `GET /incidents`.
pub async fn list(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
) -> Result<Response, ApiError> {
    let all = with_advice(&state).await.map_err(|e| e.to(want))?;
    let today = Utc::now().date_naive();
    if want == Want::Json {
        let items: Vec<Value> = all
            .iter()
            .map(|(i, advice)| json!({ "incident": i, "advice": advice, "overdue_actions": i.overdue_actions(today).len() }))
            .collect();
        return Ok(Json(json!({ "flowgate_incidents": 1, "incidents": items })).into_response());
    }
    let body = html! {
        @if all.is_empty() {
            p { "No incident is recorded. " code { "flowgate incident open" } " opens one." }
        } @else {
            table {
                caption.muted { "Newest first. Past its time box without mitigation, an incident's linked releases are rolled back first, investigated second." }
                thead { tr { th scope="col" { "Incident" } th scope="col" { "Environment" } th scope="col" { "Severity" } th scope="col" { "Summary" } th scope="col" { "State" } th scope="col" { "Actions" } } }
                tbody {
                    @for (i, advice) in &all {
                        tr {
                            th scope="row" { a href={ "/incidents/" (i.id) } { (i.id) } }
                            td { (i.env) }
                            td { (i.severity.as_str()) }
                            td { (i.summary) }
                            td {
                                @if !i.is_open() { (badge(true, "resolved")) }
                                @else if let Some(a) = advice { (badge(false, "roll back first")) " " span.muted { (a.text) } }
                                @else { (badge(false, "open")) }
                            }
                            td {
                                (i.actions.iter().filter(|a| a.done.is_none()).count()) " open"
                                @let overdue = i.overdue_actions(today).len();
                                @if overdue > 0 { " · " (badge(false, &format!("{overdue} overdue"))) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Incidents", &viewer(&state, &caller), body).into_response())
}

/// `GET /incidents/{id}`: the incident as its post-mortem.
pub async fn show(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let now = Utc::now();
    let incident = Incidents::new(state.store(), now)
        .get(&id)
        .await
        .map_err(|e| ApiError::not_found(e.to_string()).to(want))?;
    let advice = recommend(&incident, timebox(&state), now);
    if want == Want::Json {
        return Ok(
            Json(json!({ "flowgate_incident": 1, "incident": incident, "advice": advice }))
                .into_response(),
        );
    }
    let log = state
        .store()
        .operations(&OperationFilter::default())
        .await
        .map_err(|e| ApiError::from(e).to(want))?;
    let text = postmortem(&incident, &log, now.date_naive());
    let body = html! {
        @if let Some(a) = &advice {
            p.notice role="alert" { (badge(false, "roll back first")) " " (a.text) }
        }
        (markdown::to_html(&text, "/incidents"))
    };
    Ok(page(&incident.id, &viewer(&state, &caller), body).into_response())
}
