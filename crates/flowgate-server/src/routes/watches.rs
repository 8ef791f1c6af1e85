//! The watch results of every environment (`flowgate watch` records them): each release's
//! checkpoints with their verdicts, newest first, and what holds a version now.

use super::{promotions, viewer};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::{badge, page};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use flowgate_release::RecordedCheckpoint;
use maud::{html, Markup};
use serde_json::json;
use std::collections::BTreeSet;

/// How many results the page shows.
const SHOWN: usize = 200;

fn verdict(result: &RecordedCheckpoint) -> Markup {
    badge(result.passed(), &result.verdict)
}

/// `GET /watch`.
pub async fn list(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
) -> Result<Response, ApiError> {
    let mut results = promotions(state.store(), state.policy())
        .checkpoint_results(None)
        .await
        .map_err(|e| ApiError::from(e).to(want))?;
    results.reverse();
    let mut seen = BTreeSet::new();
    let holding: Vec<&RecordedCheckpoint> = results
        .iter()
        .filter(|r| seen.insert((r.env.clone(), r.watch.clone(), r.snapshot.clone())))
        .filter(|r| !r.passed())
        .collect();
    if want == Want::Json {
        return Ok(Json(json!({
            "flowgate_watch": 1,
            "holding": holding,
            "results": results.iter().take(SHOWN).collect::<Vec<_>>(),
        }))
        .into_response());
    }
    let body = html! {
        @if results.is_empty() {
            p { "No watch result is recorded yet. " code { "flowgate watch ENV" } " evaluates the checkpoints due." }
        } @else {
            @for r in &holding {
                p.notice role="status" { (verdict(r)) " " strong { (r.bundle) " " (r.version) } " in " (r.env) ": " (r.watch) " at " (r.checkpoint) " — " (r.summary) ". Its next promotion is held until a later checkpoint passes." }
            }
            table {
                caption.muted { "Recorded checkpoints, newest first (at most " (SHOWN) ")." }
                thead { tr { th scope="col" { "#" } th scope="col" { "Recorded" } th scope="col" { "Environment" } th scope="col" { "Release" } th scope="col" { "Watch" } th scope="col" { "Checkpoint" } th scope="col" { "Verdict" } th scope="col" { "Summary" } } }
                tbody {
                    @for r in results.iter().take(SHOWN) {
                        tr {
                            td { (r.seq) } td { (r.recorded_at) } td { (r.env) }
                            td { a href={ "/bundles/" (r.bundle) } { (r.bundle) } " " (r.version) }
                            td { (r.watch) } td { (r.checkpoint) } td { (verdict(r)) } td { (r.summary) }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Watch", &viewer(&state, &caller), body).into_response())
}
