//! The CLI as a client of `flowgate serve`. With `--server` (or `FLOWGATE_SERVER`, or else the
//! workspace's `[server] url`), the promotion commands send their request to the server with
//! the person's API token: the
//! server takes the person from the token and the time from its own clock, so `--as`,
//! `FLOWGATE_USER` and `FLOWGATE_NOW` are refused here rather than silently ignored.

use crate::cli::GlobalArgs;
use crate::error::{CommandError, ErrorKind};
use serde_json::Value;
use std::time::Duration;

/// A server to send requests to, with the token to send.
pub struct Remote {
    url: String,
    token: Option<String>,
    agent: ureq::Agent,
}

/// How long one request may take (an apply deploys, so this is generous).
const TIMEOUT: Duration = Duration::from_secs(300);

impl Remote {
    /// A client for `url`, with `token` if any.
    pub fn new(url: &str, token: Option<String>) -> Result<Self, CommandError> {
        let url = crate::credentials::key(url);
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(CommandError::usage(
                format!("`{url}` is not a server address"),
                "give the server as http://HOST:PORT or https://HOST",
            ));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .build()
            .into();
        Ok(Self { url, token, agent })
    }

    /// The server's address.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `GET path`, as JSON.
    pub fn get(&self, path: &str) -> Result<Value, CommandError> {
        let mut request = self
            .agent
            .get(format!("{}{path}", self.url))
            .header("accept", "application/json");
        if let Some(token) = &self.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        self.finish(request.call())
    }

    /// `GET path` as text (a Markdown export).
    pub fn get_text(&self, path: &str) -> Result<String, CommandError> {
        let mut request = self.agent.get(format!("{}{path}", self.url));
        if let Some(token) = &self.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let value = self.finish_text(request.call())?;
        Ok(value)
    }

    /// `POST path` with a JSON body, as JSON.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, CommandError> {
        let mut request = self
            .agent
            .post(format!("{}{path}", self.url))
            .header("accept", "application/json");
        if let Some(token) = &self.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        self.finish(request.send_json(body))
    }

    fn finish(
        &self,
        sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value, CommandError> {
        let text = self.finish_text(sent)?;
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The body of a 2xx answer; an error for anything else.
    fn finish_text(
        &self,
        sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String, CommandError> {
        let mut response = sent.map_err(|e| {
            CommandError::new(
                ErrorKind::Unavailable,
                format!("the server at {} does not answer: {e}", self.url),
                "check the address and that `flowgate serve` runs there; nothing was changed by this command",
            )
        })?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let message = value
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| format!("the server answered {status}"), str::to_owned);
        Err(refusal(status, message))
    }
}

/// The command error for an HTTP status the server answered with.
fn refusal(status: u16, message: String) -> CommandError {
    let (kind, hint) = match status {
        401 => (
            ErrorKind::Usage,
            "log in with `flowgate login`, or set FLOWGATE_TOKEN to a valid token",
        ),
        403 => (
            ErrorKind::Refused,
            "the server refuses this for your roles; ask someone who holds the role",
        ),
        404 => (
            ErrorKind::Usage,
            "check the id or name; `flowgate status --server …` shows what exists",
        ),
        409 => (
            ErrorKind::Conflict,
            "someone else moved the environment first; make a new plan",
        ),
        422 => (
            ErrorKind::Refused,
            "the gates block it now; the plan page says what each needs",
        ),
        429 => (ErrorKind::Unavailable, "wait and try again"),
        400 => (ErrorKind::Usage, "correct the request"),
        _ => (
            ErrorKind::Unavailable,
            "the server failed; its log says why",
        ),
    };
    CommandError::new(kind, message, hint)
}

/// The server the command line names, with its token; `None` when no server is named.
/// `actor` is the `--as` (or `FLOWGATE_USER`) given, which a server refuses to take.
pub fn connect(global: &GlobalArgs, actor: Option<&str>) -> Result<Option<Remote>, CommandError> {
    let Some(url) = server_url(global) else {
        return Ok(None);
    };
    let url = url.as_str();
    if let Some(person) = actor.filter(|p| !p.trim().is_empty()) {
        return Err(CommandError::usage(
            format!("--as {person} (or FLOWGATE_USER) cannot be used with a server: it acts as the person its token belongs to"),
            "drop --as and unset FLOWGATE_USER; `flowgate login` decides who you are",
        ));
    }
    if std::env::var_os("FLOWGATE_NOW").is_some_and(|v| !v.is_empty()) {
        return Err(CommandError::usage(
            "FLOWGATE_NOW cannot be used with a server: the server takes the time from its own clock",
            "unset FLOWGATE_NOW",
        ));
    }
    let token = crate::credentials::token_for(url)?;
    if token.is_none() {
        return Err(CommandError::usage(
            format!("you are not logged in to {url}"),
            format!("run `flowgate login --server {url}`, or set FLOWGATE_TOKEN"),
        ));
    }
    Remote::new(url, token).map(Some)
}

/// The server the command goes through: `--server` (or `FLOWGATE_SERVER`), else the
/// workspace's `[server] url`. An empty `--server ""` means none: the local store.
pub fn server_url(global: &GlobalArgs) -> Option<String> {
    if let Some(given) = &global.server {
        let given = given.trim();
        return (!given.is_empty()).then(|| given.to_owned());
    }
    let workspace = flowgate_load::Workspace::discover(&global.workspace).ok()?;
    let configured = workspace.config.server?.url?;
    let url = configured.get_ref().trim();
    (!url.is_empty()).then(|| url.to_owned())
}

/// `text` percent-encoded for one path segment.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
