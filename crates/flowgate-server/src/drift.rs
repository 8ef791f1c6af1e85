//! Drift: the server checks every deploy target at `[server] drift_check` intervals, keeps the
//! result as the board's view, and notifies when drift appears in an environment and when it
//! ends. The notice's state lives in the store, so several servers send each notice once.

use crate::error::ApiError;
use crate::notify::Event;
use crate::AppState;
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_load::{Workspace, CONFIG_FILE};
use flowgate_model::Duration as ConfigDuration;
use flowgate_release::BundleStatus;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// How often drift is checked when `[server] drift_check` is not set.
pub const DEFAULT_DRIFT_CHECK: Duration = Duration::from_secs(30);

/// The shortest interval `drift_check` accepts: each check reads every deployed file.
const SHORTEST: Duration = Duration::from_secs(5);

/// The interval `[server] drift_check` of `flowgate.toml` sets, or the default.
pub fn interval(workspace: &Workspace) -> Result<Duration, Vec<Diagnostic>> {
    let Some(text) = workspace
        .config
        .server
        .as_ref()
        .and_then(|s| s.drift_check.as_ref())
    else {
        return Ok(DEFAULT_DRIFT_CHECK);
    };
    let parsed = ConfigDuration::parse(text.get_ref())
        .ok()
        .map(|d| Duration::from_secs(d.as_seconds()));
    match parsed {
        Some(every) if every >= SHORTEST => Ok(every),
        _ => {
            let source = SourceText::new(CONFIG_FILE, workspace.config_text.as_str());
            let span = text.span();
            Err(vec![Diagnostic::error(
                "FG015",
                format!(
                    "`drift_check = \"{}\"` is not a duration of 5 seconds or more",
                    text.get_ref()
                ),
            )
            .at(&source, Span::new(span.start, span.end))
            .with_help(
                "write a duration such as \"30s\", \"5m\" or \"1h\"",
            )])
        }
    }
}

/// Checks drift every interval until the server stops.
pub async fn watch(state: AppState) {
    let mut tick = tokio::time::interval(state.drift_check());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = check(&state).await {
            tracing::warn!(error, "drift check failed");
        }
        if let Err(error) = crate::timebox::notify_overdue(&state).await {
            tracing::warn!(error = error.message, "incident time-box check failed");
        }
    }
}

/// Checks every deploy target now: the board's view is replaced by the result, and drift
/// that appeared or ended since the last check is notified. The error says why the check
/// could not be made.
pub async fn check(state: &AppState) -> Result<(), String> {
    refresh(state).await.map(drop).map_err(|e| e.message)
}

/// [`check`], returning the statuses it found.
pub(crate) async fn refresh(state: &AppState) -> Result<Arc<Vec<BundleStatus>>, ApiError> {
    let store = state.store();
    let head = store.log_head().await?;
    let statuses = crate::routes::promotions(store, state.policy())
        .status()
        .await?;
    for status in statuses
        .iter()
        .filter(|s| s.target.is_some() && s.elsewhere.is_none())
    {
        notice(state, status).await?;
    }
    Ok(state.views().board.put(&(), head, statuses).await)
}

/// Sends the notice `status` calls for, once across servers.
async fn notice(state: &AppState, status: &BundleStatus) -> Result<(), ApiError> {
    let subject = format!("drift/{}/{}", status.env, status.bundle);
    let notices = state.store().notices();
    let data = json!({ "env": status.env, "bundle": status.bundle, "version": status.version, "drift": status.drift });
    if status.drift.is_empty() {
        if notices.clear(&subject).await? {
            let text = format!(
                "Drift ended in {}: the target holds {} {} as deployed",
                status.env, status.bundle, status.version
            );
            state.notifier().send(Event::DriftEnded, text, data).await;
        }
        return Ok(());
    }
    let fingerprint = blake3::hash(status.drift.join("\n").as_bytes()).to_hex();
    if notices.claim(&subject, fingerprint.as_str()).await? {
        let text = format!(
            "Drift in {}: the target of {} {} changed outside flowgate: {}",
            status.env,
            status.bundle,
            status.version,
            status.drift.join("; ")
        );
        state.notifier().send(Event::Drift, text, data).await;
    }
    Ok(())
}
