//! The runtime's Admin HTTP API: `GET /flows` and `POST /flows` in the v2 form
//! (`{ rev, flows }`), with the Admin API bearer token when the runtime has `adminAuth`.

use crate::wire::Client;
use flowgate_release::TargetError;
use serde_json::{json, Value};

/// What a runtime runs: its revision and its whole flows array.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Runtime {
    /// The revision the runtime checks a deployment against.
    pub rev: String,
    /// Every node of every flow, as the runtime holds it (never with credentials).
    pub flows: Vec<Value>,
}

/// A client of one runtime's Admin API.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    client: Client,
    base: String,
    token: Option<String>,
}

impl Api {
    /// The API of the runtime at `base` (no trailing `/`), with the bearer `token`.
    pub fn new(base: &str, token: Option<String>) -> Self {
        Self {
            client: Client::new(base),
            base: base.trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// The base URL, for messages.
    pub fn place(&self) -> &str {
        &self.client.place
    }

    fn headers<'h>(&'h self, bearer: &'h str) -> Vec<(&'h str, &'h str)> {
        let mut headers = vec![
            ("Node-RED-API-Version", "v2"),
            ("content-type", "application/json"),
        ];
        if self.token.is_some() {
            headers.push(("Authorization", bearer));
        }
        headers
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token.as_deref().unwrap_or_default())
    }

    /// `GET /flows`: the revision and the flows.
    pub fn flows(&self) -> Result<Runtime, TargetError> {
        let bearer = self.bearer();
        let url = format!("{}/flows", self.base);
        let reply = self
            .client
            .send("GET", &url, &self.headers(&bearer), None)?;
        let reply = self.client.expect(reply, "reading the flows")?;
        let body = reply.json(self.place(), "the flows")?;
        let rev = body.get("rev").and_then(Value::as_str);
        let flows = body.get("flows").and_then(Value::as_array);
        match (rev, flows) {
            (Some(rev), Some(flows)) => Ok(Runtime {
                rev: rev.to_owned(),
                flows: flows.clone(),
            }),
            _ => Err(TargetError::failed(
                self.place(),
                "answered GET /flows without `rev` and `flows`; is it Node-RED 1.0 or later?",
            )),
        }
    }

    /// `POST /flows` of `flows` against `rev` (a 409 when the runtime moved on is
    /// [`flowgate_release::TargetFailure::Conflict`]); the new revision.
    pub fn deploy(&self, rev: &str, flows: &[Value], full: bool) -> Result<String, TargetError> {
        let bearer = self.bearer();
        let mut headers = self.headers(&bearer);
        headers.push((
            "Node-RED-Deployment-Type",
            if full { "full" } else { "flows" },
        ));
        let body = serde_json::to_vec(&json!({ "rev": rev, "flows": flows })).unwrap_or_default();
        let url = format!("{}/flows", self.base);
        let reply = self.client.send("POST", &url, &headers, Some(&body))?;
        let reply = self.client.expect(reply, "deploying the flows")?;
        let answer = reply.json(self.place(), "the deployment")?;
        Ok(answer
            .get("rev")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }
}
