//! Liveness and readiness, for load balancers and orchestrators.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use flowgate_store::Store;
use serde_json::{json, Value};

/// `GET /healthz`: the process answers.
pub async fn live() -> Json<Value> {
    Json(json!({ "flowgate_health": 1, "status": "ok" }))
}

/// `GET /readyz`: the store answers a read; 503 when it does not.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store().get_ref("env/readiness/probe").await {
        Ok(_) => (
            StatusCode::OK,
            Json(json!({ "flowgate_health": 1, "status": "ready" })),
        ),
        Err(error) => {
            tracing::warn!(%error, "not ready: the store does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "flowgate_health": 1, "status": "unavailable", "reason": "the store does not answer" }),
                ),
            )
        }
    }
}
