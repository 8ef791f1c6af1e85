//! The incident time box in notifications: once an incident has been open past the
//! workspace's time box without mitigation, receivers of `incident.timebox` are told, once
//! across servers, to roll its linked releases back first and investigate second.

use crate::error::ApiError;
use crate::notify::Event;
use crate::AppState;
use serde_json::json;

/// Notifies every incident past its time box that has not been notified yet.
pub async fn notify_overdue(state: &AppState) -> Result<(), ApiError> {
    let notices = state.store().notices();
    for (incident, advice) in crate::routes::incidents_with_advice(state).await? {
        let Some(advice) = advice else {
            continue;
        };
        let subject = format!("timebox/{}", incident.id);
        if notices.claim(&subject, "past").await? {
            let data = json!({
                "incident": incident.id,
                "env": incident.env,
                "severity": incident.severity,
                "minutes_open": advice.minutes_open,
                "rollbacks": advice.rollbacks,
                "url": format!("{}/incidents/{}", state.public_url().trim_end_matches('/'), incident.id),
            });
            state
                .notifier()
                .send(Event::IncidentTimebox, advice.text.clone(), data)
                .await;
        }
    }
    Ok(())
}
