//! Delivery metrics per environment (deployment frequency, lead time, change failure rate,
//! time to restore and detect, escaped defects, monthly trend), as a page, JSON, or the
//! Prometheus text format for a scraper holding an API token.

use super::viewer;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::negotiate::Want;
use crate::pages::page;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Duration, Utc};
use flowgate_incidents::collect::collect;
use flowgate_incidents::metrics::{prometheus, Hours, Metrics, Ratio};
use maud::html;
use serde::Deserialize;
use serde_json::json;

/// The period measured, in days back from now.
const DAYS: i64 = 90;

/// `?env=prod&days=90`.
#[derive(Debug, Deserialize)]
pub struct Period {
    /// The environment (default: the last, production).
    env: Option<String>,
    /// Days back from now (default 90, at most 3 650).
    days: Option<i64>,
}

async fn measured(state: &AppState, period: &Period) -> Result<Metrics, ApiError> {
    let env = match &period.env {
        Some(env) => state
            .policy()
            .require_environment(env)
            .map_err(|r| ApiError::not_found(r.to_string()))?
            .name
            .clone(),
        None => state
            .policy()
            .environments
            .last()
            .map(|e| e.name.clone())
            .ok_or_else(|| ApiError::not_found("flowgate.toml declares no environment"))?,
    };
    let days = period.days.unwrap_or(DAYS).clamp(1, 3650);
    let now = Utc::now();
    Ok(collect(state.store(), &env, now - Duration::days(days), now).await?)
}

/// `GET /delivery`.
pub async fn show(
    State(state): State<AppState>,
    want: Want,
    caller: Caller,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let m = measured(&state, &period).await.map_err(|e| e.to(want))?;
    if want == Want::Json {
        return Ok(Json(json!({ "flowgate_delivery": 1, "metrics": m })).into_response());
    }
    let hours = |h: &Option<Hours>| Hours::describe(h.as_ref());
    let ratio = Ratio::describe;
    let body = html! {
        p.muted { (m.env) " from " (m.since.format("%Y-%m-%d")) " to " (m.until.format("%Y-%m-%d")) ". Definitions beside DORA's and DevLake's: docs/incidents.md. Prometheus format: " a href={ "/delivery/metrics" } { "/delivery/metrics" } "." }
        table {
            tbody {
                tr { th scope="row" { "Deployment frequency" } td { (m.deployments) " (" (format!("{:.2}", m.deployments_per_week)) " per week)" } }
                tr { th scope="row" { "Lead time for changes" } td { (hours(&m.lead_time)) } }
                tr { th scope="row" { "Change failure rate" } td { (ratio(&m.change_failure_rate)) } }
                tr { th scope="row" { "Time to restore" } td { (hours(&m.time_to_restore)) } }
                tr { th scope="row" { "Time to detect" } td { (hours(&m.time_to_detect)) } }
                tr { th scope="row" { "Escaped defect rate" } td { (ratio(&m.escaped_defect_rate)) } }
            }
        }
    };
    Ok(page("Delivery metrics", &viewer(&state, &caller), body).into_response())
}

/// `GET /delivery/metrics?env=prod`: one environment (default the last) in the Prometheus
/// text format; scrape one target per environment.
pub async fn exposition(
    State(state): State<AppState>,
    _caller: Caller,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let text = prometheus(&measured(&state, &period).await?);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}
