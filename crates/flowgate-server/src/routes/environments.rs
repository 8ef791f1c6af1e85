//! Moving an environment outside a plan: rollback, pin and unpin. The release library checks
//! that the caller may change the environment (its promoters) and records who and how.

use super::input::Input;
use super::promotions;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::notify::Event;
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use flowgate_release::Outcome;
use serde::Deserialize;
use serde_json::json;

/// A rollback request.
#[derive(Deserialize)]
pub struct RollbackRequest {
    bundle: String,
    to: Option<String>,
    reason: String,
    #[serde(default)]
    force: bool,
    #[serde(default)]
    csrf: String,
}

/// A pin or unpin request.
#[derive(Deserialize)]
pub struct PinRequest {
    reason: String,
    #[serde(default)]
    csrf: String,
}

fn answer(want: Want, action: &str, env: &str, outcome: &Outcome) -> Response {
    if want == Want::Html {
        return Redirect::to("/").into_response();
    }
    let body = match outcome {
        Outcome::Done(seq) => {
            json!({ "flowgate_outcome": 1, "action": action, "env": env, "changed": true, "operation": seq })
        }
        Outcome::Unchanged(why) => {
            json!({ "flowgate_outcome": 1, "action": action, "env": env, "changed": false, "reason": why })
        }
    };
    Json(body).into_response()
}

fn reason(text: &str) -> Result<&str, ApiError> {
    let text = text.trim();
    if text.is_empty() || text.len() > 500 {
        return Err(ApiError::bad_request(
            "give a reason of 1 to 500 characters; it is recorded in the log",
        ));
    }
    Ok(text)
}

/// `POST /environments/{env}/rollback`.
pub async fn rollback(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(env): Path<String>,
    Input(request): Input<RollbackRequest>,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    caller.check_csrf(Some(&request.csrf)).map_err(fail)?;
    let why = reason(&request.reason).map_err(fail)?;
    let store = caller.store(&state);
    let outcome = promotions(&store, state.policy())
        .rollback(
            &env,
            request.bundle.trim(),
            request.to.as_deref(),
            &caller.person,
            why,
            request.force,
        )
        .await
        .map_err(|e| fail(e.into()))?;
    tracing::info!(
        person = caller.person,
        env,
        bundle = request.bundle,
        "rolled back"
    );
    Ok(answer(want, "rollback", &env, &outcome))
}

async fn set_pin(
    state: AppState,
    want: Want,
    caller: Caller,
    env: String,
    request: PinRequest,
    pinned: bool,
) -> Result<Response, ApiError> {
    let fail = |e: ApiError| e.to(want);
    caller.check_csrf(Some(&request.csrf)).map_err(fail)?;
    let why = reason(&request.reason).map_err(fail)?;
    let store = caller.store(&state);
    let outcome = promotions(&store, state.policy())
        .set_pin(&env, pinned, &caller.person, why)
        .await
        .map_err(|e| fail(e.into()))?;
    let action = if pinned { "pin" } else { "unpin" };
    tracing::info!(person = caller.person, env, action, "pin changed");
    if matches!(outcome, Outcome::Done(_)) {
        let (event, verb) = if pinned {
            (Event::Pinned, "pinned")
        } else {
            (Event::Unpinned, "unpinned")
        };
        let text = format!("{} {verb} {env}: {why}", caller.person);
        let data = json!({ "env": env, "by": caller.person, "reason": why });
        state.notifier().send(event, text, data).await;
    }
    Ok(answer(want, action, &env, &outcome))
}

/// `POST /environments/{env}/pin`.
pub async fn pin(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(env): Path<String>,
    Input(request): Input<PinRequest>,
) -> Result<Response, ApiError> {
    set_pin(state, want, caller, env, request, true).await
}

/// `POST /environments/{env}/unpin`.
pub async fn unpin(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Path(env): Path<String>,
    Input(request): Input<PinRequest>,
) -> Result<Response, ApiError> {
    set_pin(state, want, caller, env, request, false).await
}
