//! Outgoing webhooks (`[[server.notify]]`): when a plan waits for someone's role, is approved,
//! rejected or applied, or an environment is rolled back, pinned or unpinned, every target
//! that takes the event gets a Slack-compatible JSON message (`text`, plus the event as data),
//! signed with HMAC-SHA256 and retried with backoff. Deliveries run in the background and are
//! drained (for a while) when the server shuts down.

use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_load::{Workspace, CONFIG_FILE};
use serde_json::{json, Value};
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
    /// An incident stayed open past its time box without mitigation: roll back first
    /// (`incident.timebox`).
    IncidentTimebox,
}

impl Event {
    /// Every event.
    pub const ALL: [Self; 10] = [
        Self::PlanWaiting,
        Self::PlanApproved,
        Self::PlanRejected,
        Self::PlanApplied,
        Self::RolledBack,
        Self::Pinned,
        Self::Unpinned,
        Self::Drift,
        Self::DriftEnded,
        Self::IncidentTimebox,
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
            Self::IncidentTimebox => "incident.timebox",
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

/// `sha256=<hex>` of HMAC-SHA256 over `timestamp.body` with `secret` (the same signature as
/// deployments to HTTP targets).
pub fn signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    flowgate_targets::sign(secret, timestamp, body)
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

/// How long a server holds the deliveries it claimed before another may try them.
const LEASE_SECONDS: i64 = 60;

/// Deliveries claimed per round.
const BATCH: u32 = 16;

/// Sends events to the targets in the background, through the store's outbox: a delivery is
/// recorded before it is tried, so it survives a restart and any server on the store retries
/// it.
#[derive(Debug, Clone)]
pub struct Notifier {
    targets: Arc<Vec<Target>>,
    retry: Retry,
    store: flowgate_store::AnyStore,
    /// One HTTP client for every delivery, so connections to a receiver are reused.
    agent: ureq::Agent,
    wake: Arc<tokio::sync::Notify>,
    started: Arc<std::sync::OnceLock<()>>,
}

impl Target {
    /// The receiver's name in the outbox: a fingerprint of its address, which may hold a
    /// secret.
    fn key(&self) -> String {
        blake3::hash(self.url.as_bytes()).to_hex()[..32].to_owned()
    }
}

impl Notifier {
    /// A notifier for `targets`, queueing in `store`'s outbox.
    pub fn new(targets: Vec<Target>, retry: Retry, store: flowgate_store::AnyStore) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        Self {
            targets: Arc::new(targets),
            retry,
            store,
            agent,
            wake: Arc::default(),
            started: Arc::default(),
        }
    }

    /// Starts delivering in the background (once), when there is anywhere to deliver to.
    pub fn start(&self) {
        if self.targets.is_empty() || tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        self.started.get_or_init(|| {
            tokio::spawn(self.clone().work());
        });
    }

    /// Queues `event` (with a sentence for people and its data) for every target that takes it.
    pub async fn send(&self, event: Event, text: String, data: Value) {
        let body =
            json!({ "text": text, "flowgate_event": 1, "event": event.as_str(), "data": data });
        let body = body.to_string().into_bytes();
        for target in self.targets.iter().filter(|t| t.events.contains(&event)) {
            let id = crate::secret::generate("dlv_").unwrap_or_default();
            let (outbox, key) = (self.store.outbox(), target.key());
            let queued = outbox.enqueue(&id, &key, event.as_str(), &body);
            if let Err(error) = queued.await {
                tracing::error!(event = event.as_str(), %error, "a notification could not be queued");
            }
        }
        self.start();
        self.wake.notify_one();
    }

    async fn work(self) {
        let poll = self
            .retry
            .first_wait
            .clamp(Duration::from_millis(20), Duration::from_secs(1));
        loop {
            if self.round().await == 0 {
                tokio::select! {
                    () = self.wake.notified() => {},
                    () = tokio::time::sleep(poll) => {},
                }
            }
        }
    }

    /// Claims the due deliveries and tries each once; how many were tried.
    async fn round(&self) -> usize {
        let due = match self.store.outbox().claim_due(BATCH, LEASE_SECONDS).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "the outbox could not be read");
                return 0;
            }
        };
        let count = due.len();
        let mut attempts = JoinSet::new();
        for delivery in due {
            attempts.spawn(self.clone().attempt(delivery));
        }
        while attempts.join_next().await.is_some() {}
        count
    }

    /// Waits up to `limit` for queued deliveries (at shutdown); what is left stays queued in
    /// the store for the next server to deliver.
    pub async fn drain(&self, limit: Duration) {
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if self.targets.is_empty() || self.store.outbox().pending().await.unwrap_or(0) == 0 {
                return;
            }
            if self.round().await == 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        tracing::warn!("notifications still queued stay in the store for the next start");
    }

    /// A delivery to a receiver this server does not have.
    async fn not_here(&self, delivery: &flowgate_store::Delivery) {
        let outbox = self.store.outbox();
        let recorded = if delivery.attempts + 1 >= self.retry.attempts.max(1) {
            tracing::error!(
                event = delivery.event,
                "a notification for a receiver this server does not have was given up"
            );
            outbox.delivered(&delivery.id).await
        } else {
            let wait = self.retry.first_wait.as_secs_f64();
            outbox.retry_later(&delivery.id, wait).await
        };
        if let Err(error) = recorded {
            tracing::warn!(%error, "a notification's outcome could not be recorded");
        }
    }

    async fn attempt(self, delivery: flowgate_store::Delivery) {
        let outbox = self.store.outbox();
        let Some(target) = self
            .targets
            .iter()
            .find(|t| t.key() == delivery.target)
            .cloned()
        else {
            // Another server may have this receiver configured: count an attempt and leave
            // the delivery for it, until the attempts run out.
            self.not_here(&delivery).await;
            return;
        };
        let attempt = delivery.attempts + 1;
        let (agent, sent_to) = (self.agent.clone(), target.clone());
        let (event, body, id) = (
            delivery.event.clone(),
            delivery.body.clone(),
            delivery.id.clone(),
        );
        let sent = tokio::task::spawn_blocking(move || post(&agent, &sent_to, &event, &body, &id))
            .await
            .unwrap_or_else(|join| Err(join.to_string()));
        let (event, to) = (delivery.event.as_str(), redacted(&target.url));
        let recorded = match sent {
            Ok(()) => {
                tracing::info!(event, target = to, attempt, "notification delivered");
                outbox.delivered(&delivery.id).await
            }
            Err(why) if attempt >= self.retry.attempts.max(1) => {
                tracing::error!(event, target = to, attempt, why, "notification given up");
                outbox.delivered(&delivery.id).await
            }
            Err(why) => {
                tracing::warn!(event, target = to, attempt, why, "notification failed");
                let wait = self
                    .retry
                    .first_wait
                    .saturating_mul(1 << (attempt - 1).min(16));
                outbox.retry_later(&delivery.id, wait.as_secs_f64()).await
            }
        };
        if let Err(error) = recorded {
            tracing::warn!(%error, "a notification's outcome could not be recorded");
        }
    }
}

/// One attempt: `Ok` on a 2xx answer.
fn post(
    agent: &ureq::Agent,
    target: &Target,
    event: &str,
    body: &[u8],
    delivery: &str,
) -> Result<(), String> {
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let mut request = agent
        .post(&target.url)
        .header("content-type", "application/json")
        .header("x-flowgate-event", event)
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
    fn urls_lose_their_path_in_logs() {
        assert_eq!(
            redacted("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(redacted("http://127.0.0.1:9"), "http://127.0.0.1:9");
    }
}
