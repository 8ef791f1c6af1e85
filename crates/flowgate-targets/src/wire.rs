//! HTTP for platform targets: one blocking client with timeouts, answers read up to a limit,
//! and each failure sorted into what it means for a deployment.

use flowgate_release::{TargetError, TargetFailure};
use std::time::Duration;

/// The most bytes read from one answer (a Node-RED instance's flows, an n8n workflow list).
pub(crate) const MAX_ANSWER_BYTES: u64 = 256 << 20;

/// How long one request may take in all.
const TIMEOUT: Duration = Duration::from_secs(60);

/// An answer: its status and body.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body (at most [`MAX_ANSWER_BYTES`]).
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON, or a failure naming `what` was read.
    pub fn json(&self, place: &str, what: &str) -> Result<serde_json::Value, TargetError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            TargetError::failed(
                place,
                format!("answered {what} that is not JSON ({e}); is the URL the platform's?"),
            )
        })
    }
}

/// A client for one platform.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    agent: ureq::Agent,
    /// The base URL, for messages (never with a credential).
    pub place: String,
}

impl Client {
    /// A client of the platform at `place`.
    pub fn new(place: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .build()
            .into();
        Self {
            agent,
            place: place.to_owned(),
        }
    }

    /// Sends one request; a transport failure is [`TargetFailure::Unreachable`]. Statuses
    /// are returned as they are: see [`Client::expect`].
    pub fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Reply, TargetError> {
        let mut builder = ureq::http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let unreachable = |e: String| {
            TargetError::of(
                TargetFailure::Unreachable,
                &self.place,
                format!("did not answer {method} {}: {e}", path_of(url)),
            )
        };
        let request = builder
            .body(body.map(<[u8]>::to_vec).unwrap_or_default())
            .map_err(|e| unreachable(e.to_string()))?;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(Reply { status, body })
    }

    /// `reply` when its status is 2xx; else the failure its status means, with what the
    /// platform said (shortened).
    pub fn expect(&self, reply: Reply, doing: &str) -> Result<Reply, TargetError> {
        if (200..300).contains(&reply.status) {
            return Ok(reply);
        }
        let said = excerpt(&reply.body);
        let (failure, hint) = match reply.status {
            401 | 403 => (
                TargetFailure::Denied,
                "the credential was refused; check the secret the target names",
            ),
            409 | 412 => (
                TargetFailure::Conflict,
                "the platform changed since it was read; nothing was overwritten",
            ),
            _ => (TargetFailure::Failed, "the platform refused the request"),
        };
        Err(TargetError::of(
            failure,
            &self.place,
            format!("{doing}: answered {} ({hint}){said}", reply.status),
        ))
    }
}

/// The path of a URL, for messages (a query may hold a token).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.split('?').next().unwrap_or(path)
}

/// At most 300 characters of what a platform said, on one line, or nothing.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    let line = line.trim();
    if line.is_empty() {
        String::new()
    } else {
        format!(": {line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_path_without_the_query() {
        assert_eq!(path_of("http://h:1/flows?access_token=x"), "/flows");
        assert_eq!(path_of("http://h:1"), "/");
    }

    #[test]
    fn statuses_mean_what_they_say_for_a_deployment() {
        let client = Client::new("http://h");
        let failure = |status| {
            client
                .expect(
                    Reply {
                        status,
                        body: b"no\n".to_vec(),
                    },
                    "deploying",
                )
                .map(|_| ())
                .map_err(|e| e.failure)
        };
        assert_eq!(failure(204), Ok(()));
        assert_eq!(failure(401), Err(TargetFailure::Denied));
        assert_eq!(failure(403), Err(TargetFailure::Denied));
        assert_eq!(failure(409), Err(TargetFailure::Conflict));
        assert_eq!(failure(500), Err(TargetFailure::Failed));
    }
}
