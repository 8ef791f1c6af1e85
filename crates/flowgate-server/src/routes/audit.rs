//! The audit log: the newest operations first, a page at a time, with the verdict of
//! recomputing the whole hash chain.

use super::viewer;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{badge, page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowgate_store::{OperationFilter, Store};
use maud::html;
use serde::Deserialize;
use serde_json::json;

/// Operations per page.
const PAGE: u64 = 200;

/// `?before=SEQ`: the page ending before that operation.
#[derive(Deserialize)]
pub struct Before {
    before: Option<u64>,
}

/// `GET /audit`.
pub async fn audit(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Query(page_of): Query<Before>,
) -> Result<Response, ApiError> {
    let fail = |e: flowgate_store::Error| ApiError::from(e).to(want);
    let store = state.store();
    let report = store.verify_log().await.map_err(fail)?;
    let end = page_of
        .before
        .unwrap_or(report.records + 1)
        .min(report.records + 1);
    let start = end.saturating_sub(PAGE + 1);
    let mut ops = store
        .operations(&OperationFilter {
            after_seq: Some(start),
            limit: Some(PAGE),
            ..OperationFilter::default()
        })
        .await
        .map_err(fail)?;
    ops.retain(|op| op.seq < end);
    ops.reverse();
    if want == Want::Json {
        return Ok(Json(json!({
            "flowgate_audit": 1,
            "intact": report.is_intact(),
            "records": report.records,
            "head": report.head,
            "broken": report.broken,
            "time_reversals": report.time_reversals,
            "operations": ops,
        }))
        .into_response());
    }
    let older = ops.last().map(|op| op.seq).filter(|seq| *seq > 1);
    let body = html! {
        p {
            (badge(report.is_intact(), if report.is_intact() { "chain intact" } else { "chain broken" }))
            " " (report.records) " operations; head " code { (report.head.to_string()) }
            @if let Some(broken) = &report.broken { " — " strong { (format!("{broken:?}")) } }
            @if !report.time_reversals.is_empty() { " — " (badge(false, "time goes backwards")) " at " (report.time_reversals.iter().map(|t| t.seq.to_string()).collect::<Vec<_>>().join(", ")) }
        }
        table {
            thead { tr { th scope="col" { "#" } th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Details" } } }
            tbody {
                @for op in &ops {
                    tr {
                        td { (op.seq) } td { (op.at.to_human()) } td { (op.actor) } td { (op.kind) }
                        td {
                            @for key in ["env", "bundle", "version", "plan", "role", "reason", "comment", "credential"] {
                                @if let Some(value) = op.payload.get(key).and_then(|v| v.as_str()) {
                                    span.muted { (key) ": " } (value) " "
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(seq) = older { p { a href={ "/audit?before=" (seq) } { "Older operations" } } }
    };
    Ok(page("Audit log", &viewer(&state, &caller), body).into_response())
}
