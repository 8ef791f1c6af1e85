//! Outgoing webhooks (`[[server.notify]]`): when a plan waits for someone's role, is approved,
//! rejected or applied, or an environment is rolled back, pinned or unpinned, every target
//! that takes the event gets a Slack-compatible JSON message (`text`, plus the event as data),
//! signed with HMAC-SHA256 and retried with backoff. Deliveries run in the background and are
//! drained (for a while) when the server shuts down.

use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_load::{Workspace, CONFIG_FILE};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// The configuration code of a bad notification target (shared with the policy's).
const CODE: &str = "FG015";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Event {
    /// A plan waits for approvals (`plan.waiting`).
    PlanWaiting,
    /// A plan was approved (`plan.approved`).
    PlanApproved,
    /// A plan was rejected (`plan.rejected`).
    PlanRejected,
    /// A plan was applied (`plan.applied`).
    PlanApplied,
    /// An environment was rolled back (`rollback`).
    RolledBack,
    /// An environment was pinned (`pin`).
    Pinned,
    /// An environment was unpinned (`unpin`).
    Unpinned,
    /// A deploy target changed outside flowgate (`drift`).
    Drift,
    /// A target drifted from is back to what was deployed (`drift.ended`).
    DriftEnded,
}

impl Event {
    /// Every event.
    pub const ALL: [Self; 9] = [
        Self::PlanWaiting,
        Self::PlanApproved,
        Self::PlanRejected,
        Self::PlanApplied,
        Self::RolledBack,
        Self::Pinned,
        Self::Unpinned,
        Self::Drift,
        Self::DriftEnded,
    ];

    /// Its name in `events = [...]` and in the message.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PlanWaiting => "plan.waiting",
            Self::PlanApproved => "plan.approved",
            Self::PlanRejected => "plan.rejected",
            Self::PlanApplied => "plan.applied",
            Self::RolledBack => "rollback",
            Self::Pinned => "pin",
            Self::Unpinned => "unpin",
            Self::Drift => "drift",
            Self::DriftEnded => "drift.ended",
        }
    }
}

/// One webhook, its secrets resolved.
#[derive(Clone)]
pub struct Target {
    url: String,
    secret: Option<String>,
    events: BTreeSet<Event>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("url", &redacted(&self.url))
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// `scheme://host/…` without the path, which often holds the secret (Slack).
fn redacted(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => format!("{}/…", &url[..after_scheme + slash]),
        None => url.to_owned(),
    }
}

impl Target {
    /// A target for `url` (signing with `secret`) taking `events` (all when empty).
    pub fn new(url: impl Into<String>, secret: Option<String>, events: &[Event]) -> Self {
        let events = if events.is_empty() {
            Event::ALL.to_vec()
        } else {
            events.to_vec()
        };
        Self {
            url: url.into(),
            secret,
            events: events.into_iter().collect(),
        }
    }
}

/// `env:NAME` read from the environment, or the text itself; `None` (and a located problem)
/// when the variable is not set.
fn resolve(
    value: &toml::Spanned<String>,
    source: &SourceText,
    what: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<String> {
    let text = value.get_ref();
    let Some(name) = text.strip_prefix("env:") else {
        return Some(text.clone());
    };
    let found = std::env::var(name).ok().filter(|v| !v.is_empty());
    if found.is_none() {
        let span = value.span();
        problems.push(
            Diagnostic::error(
                CODE,
                format!("{what} names the variable {name}, which is not set"),
            )
            .at(source, Span::new(span.start, span.end))
            .with_help(format!("set {name} in the server's environment")),
        );
    }
    found
}

fn events(
    names: &[toml::Spanned<String>],
    source: &SourceText,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Event> {
    let mut out = Vec::new();
    for name in names {
        match Event::ALL
            .into_iter()
            .find(|e| e.as_str() == name.get_ref())
        {
            Some(event) => out.push(event),
            None => {
                let span = name.span();
                let known: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
                problems.push(
                    Diagnostic::error(CODE, format!("no event `{}`", name.get_ref()))
                        .at(source, Span::new(span.start, span.end))
                        .with_help(format!("events are: {}", known.join(", "))),
                );
            }
        }
    }
    out
}

fn target(
    section: &flowgate_load::NotifySection,
    source: &SourceText,
    problems: &mut Vec<Diagnostic>,
) -> Option<Target> {
    let url = resolve(&section.url, source, "`url`", problems);
    let secret = section
        .secret
        .as_ref()
        .and_then(|s| resolve(s, source, "`secret`", problems));
    let events = events(&section.events, source, problems);
    let url = url?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        let span = section.url.span();
        problems.push(
            Diagnostic::error(CODE, format!("`{}` is not an http(s) URL", redacted(&url)))
                .at(source, Span::new(span.start, span.end))
                .with_help("give the receiver's https:// address"),
        );
        return None;
    }
    Some(Target::new(url, secret, &events))
}

/// The targets `[[server.notify]]` of `flowgate.toml` names, or every problem, located.
pub fn targets(workspace: &Workspace) -> Result<Vec<Target>, Vec<Diagnostic>> {
    let source = SourceText::new(CONFIG_FILE, workspace.config_text.as_str());
    let sections = workspace
        .config
        .server
        .as_ref()
        .map(|s| s.notify.as_slice())
        .unwrap_or_default();
    let mut problems = Vec::new();
    let out: Vec<Target> = sections
        .iter()
        .filter_map(|section| target(section, &source, &mut problems))
        .collect();
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// `sha256=<hex>` of HMAC-SHA256 over `timestamp.body` with `secret`.
pub fn signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256=");
    for byte in bytes.iter() {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// How deliveries are retried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in all.
    pub attempts: u32,
    /// The wait before the second attempt; doubled before each further one.
    pub first_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 5,
            first_wait: Duration::from_secs(2),
        }
    }
}

/// Sends events to the targets in the background.
#[derive(Debug, Clone)]
pub struct Notifier {
    targets: Arc<Vec<Target>>,
    retry: Retry,
    running: Arc<tokio::sync::Mutex<JoinSet<()>>>,
    /// One HTTP client for every delivery, so connections to a receiver are reused.
    agent: ureq::Agent,
}

impl Notifier {
    /// A notifier for `targets`.
    pub fn new(targets: Vec<Target>, retry: Retry) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        Self {
            targets: Arc::new(targets),
            retry,
            running: Arc::default(),
            agent,
        }
    }

    /// Sends `event` (with a sentence for people and its data) to every target that takes it.
    pub async fn send(&self, event: Event, text: String, data: Value) {
        let body =
            json!({ "text": text, "flowgate_event": 1, "event": event.as_str(), "data": data });
        let body = Arc::new(body.to_string().into_bytes());
        let mut running = self.running.lock().await;
        while running.try_join_next().is_some() {}
        for target in self
            .targets
            .iter()
            .filter(|t| t.events.contains(&event))
            .cloned()
        {
            let (agent, body, retry) = (self.agent.clone(), Arc::clone(&body), self.retry);
            running.spawn(async move { deliver(agent, target, event, body, retry).await });
        }
    }

    /// Waits up to `limit` for deliveries in flight (at shutdown).
    pub async fn drain(&self, limit: Duration) {
        let mut running = self.running.lock().await;
        let all = async { while running.join_next().await.is_some() {} };
        if tokio::time::timeout(limit, all).await.is_err() {
            tracing::warn!("notifications still being retried were dropped at shutdown");
        }
    }
}

async fn deliver(
    agent: ureq::Agent,
    target: Target,
    event: Event,
    body: Arc<Vec<u8>>,
    retry: Retry,
) {
    let delivery = crate::secret::generate("dlv_").unwrap_or_default();
    let mut wait = retry.first_wait;
    for attempt in 1..=retry.attempts.max(1) {
        let (agent, this_try, body_for_try, delivery_id) = (
            agent.clone(),
            target.clone(),
            Arc::clone(&body),
            delivery.clone(),
        );
        let sent = tokio::task::spawn_blocking(move || {
            post(&agent, &this_try, event, &body_for_try, &delivery_id)
        })
        .await;
        match sent {
            Ok(Ok(())) => {
                tracing::info!(
                    event = event.as_str(),
                    target = redacted(&target.url),
                    attempt,
                    "notification delivered"
                );
                return;
            }
            Ok(Err(why)) => tracing::warn!(
                event = event.as_str(),
                target = redacted(&target.url),
                attempt,
                why,
                "notification failed"
            ),
            Err(join) => {
                tracing::warn!(event = event.as_str(), attempt, error = %join, "notification task failed")
            }
        }
        if attempt < retry.attempts {
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
    }
    tracing::error!(
        event = event.as_str(),
        target = redacted(&target.url),
        "notification given up"
    );
}

/// One attempt: `Ok` on a 2xx answer.
fn post(
    agent: &ureq::Agent,
    target: &Target,
    event: Event,
    body: &[u8],
    delivery: &str,
) -> Result<(), String> {
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let mut request = agent
        .post(&target.url)
        .header("content-type", "application/json")
        .header("x-flowgate-event", event.as_str())
        .header("x-flowgate-delivery", delivery)
        .header("x-flowgate-timestamp", &timestamp);
    if let Some(secret) = &target.secret {
        request = request.header("x-flowgate-signature", signature(secret, &timestamp, body));
    }
    let response = request.send(body).map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_and_body() {
        // Python: hmac.new(b"Jefe", b"1.body", hashlib.sha256).hexdigest()
        let a = signature("Jefe", "1", b"body");
        assert_eq!(
            a,
            "sha256=25d254c27761adb1423727084ca395476858b2401387226230b6358cf07fad8b"
        );
        assert_ne!(a, signature("Jefe", "2", b"body"));
        assert_ne!(a, signature("jefe", "1", b"body"));
        assert_eq!(a, signature("Jefe", "1", b"body"));
    }

    #[test]
    fn urls_lose_their_path_in_logs() {
        assert_eq!(
            redacted("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(redacted("http://127.0.0.1:9"), "http://127.0.0.1:9");
    }
}
