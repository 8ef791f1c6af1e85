//! n8n's public REST API (`/api/v1`), authenticated with the `X-N8N-API-KEY` header: the
//! workflow and tag calls the target needs, each failure sorted by [`Client::expect`].

use crate::wire::Client;
use flowgate_release::{TargetError, TargetFailure};
use serde_json::Value;

/// The most workflows (or tags) one page of a list may hold (n8n's maximum).
const PAGE: usize = 250;

/// A client of one n8n instance's public API.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    client: Client,
    base: String,
    key: String,
}

impl Api {
    /// The API of the instance at `url` (its base URL), with `key`.
    pub fn new(url: &str, key: &str) -> Self {
        Self {
            client: Client::new(url),
            base: format!("{}/api/v1", url.trim_end_matches('/')),
            key: key.to_owned(),
        }
    }

    /// The instance's base URL, for messages.
    pub fn place(&self) -> &str {
        &self.client.place
    }

    /// One call; `None` when n8n answers 404.
    fn call_or_missing(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        doing: &str,
    ) -> Result<Option<Value>, TargetError> {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap_or_default());
        let headers = [
            ("x-n8n-api-key", self.key.as_str()),
            ("accept", "application/json"),
            ("content-type", "application/json"),
        ];
        let url = format!("{}{path}", self.base);
        let reply = self.client.send(method, &url, &headers, bytes.as_deref())?;
        if reply.status == 404 {
            return Ok(None);
        }
        let reply = self.client.expect(reply, doing)?;
        if reply.body.is_empty() {
            return Ok(Some(Value::Null));
        }
        reply.json(self.place(), doing).map(Some)
    }

    /// One call; a 404 is a failure naming what was missing.
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        doing: &str,
    ) -> Result<Value, TargetError> {
        self.call_or_missing(method, path, body, doing)?
            .ok_or_else(|| {
                TargetError::of(
                    TargetFailure::Conflict,
                    self.place(),
                    format!("{doing}: answered 404 (it was deleted in n8n meanwhile); re-run"),
                )
            })
    }

    /// Every item of a paginated list (`data` and `nextCursor`).
    fn list(&self, path: &str, doing: &str) -> Result<Vec<Value>, TargetError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let mut page = format!("{path}{sep}limit={PAGE}");
            if let Some(cursor) = &cursor {
                page.push_str("&cursor=");
                page.push_str(cursor);
            }
            let answer = self.call("GET", &page, None, doing)?;
            match answer.get("data") {
                Some(Value::Array(data)) => items.extend(data.iter().cloned()),
                _ => {
                    return Err(TargetError::failed(
                        self.place(),
                        format!("{doing}: the answer has no `data` list; is this n8n?"),
                    ))
                }
            }
            cursor = answer
                .get("nextCursor")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .map(str::to_owned);
            if cursor.is_none() {
                return Ok(items);
            }
        }
    }

    /// Every workflow of the instance (without pinned data).
    pub fn workflows(&self) -> Result<Vec<Value>, TargetError> {
        self.list("/workflows?excludePinnedData=true", "listing the workflows")
    }

    /// One workflow, or `None` when it does not exist.
    pub fn workflow(&self, id: &str) -> Result<Option<Value>, TargetError> {
        self.call_or_missing(
            "GET",
            &format!("/workflows/{id}?excludePinnedData=true"),
            None,
            &format!("reading workflow {id}"),
        )
    }

    /// Creates a workflow; what n8n stored.
    pub fn create(&self, body: &Value, name: &str) -> Result<Value, TargetError> {
        self.call(
            "POST",
            "/workflows",
            Some(body),
            &format!("creating workflow \"{name}\""),
        )
    }

    /// Replaces a workflow; what n8n stored.
    pub fn update(&self, id: &str, body: &Value, name: &str) -> Result<Value, TargetError> {
        self.call(
            "PUT",
            &format!("/workflows/{id}"),
            Some(body),
            &format!("updating workflow \"{name}\" ({id})"),
        )
    }

    /// Activates (`true`) or deactivates a workflow.
    pub fn set_active(&self, id: &str, active: bool, name: &str) -> Result<(), TargetError> {
        let (verb, doing) = if active {
            ("activate", "activating")
        } else {
            ("deactivate", "deactivating")
        };
        let body = Value::Object(serde_json::Map::new());
        self.call(
            "POST",
            &format!("/workflows/{id}/{verb}"),
            Some(&body),
            &format!("{doing} workflow \"{name}\" ({id})"),
        )
        .map(|_| ())
    }

    /// Deletes a workflow (gone already is fine).
    pub fn delete(&self, id: &str, name: &str) -> Result<(), TargetError> {
        self.call_or_missing(
            "DELETE",
            &format!("/workflows/{id}"),
            None,
            &format!("deleting workflow \"{name}\" ({id})"),
        )
        .map(|_| ())
    }

    /// Every tag: `(id, name)`.
    pub fn tags(&self) -> Result<Vec<(String, String)>, TargetError> {
        Ok(self
            .list("/tags", "listing the tags")?
            .iter()
            .filter_map(|t| Some((text(t, "id")?, text(t, "name")?)))
            .collect())
    }

    /// Creates a tag; its id.
    pub fn create_tag(&self, name: &str) -> Result<String, TargetError> {
        let body = serde_json::json!({ "name": name });
        let made = self.call(
            "POST",
            "/tags",
            Some(&body),
            &format!("creating tag {name}"),
        )?;
        text(&made, "id").ok_or_else(|| {
            TargetError::failed(self.place(), format!("created tag {name} without an id"))
        })
    }

    /// Sets the tags of a workflow (by tag id).
    pub fn set_tags(&self, id: &str, tags: &[String], name: &str) -> Result<(), TargetError> {
        let body = Value::Array(
            tags.iter()
                .map(|t| serde_json::json!({ "id": t }))
                .collect(),
        );
        self.call(
            "PUT",
            &format!("/workflows/{id}/tags"),
            Some(&body),
            &format!("tagging workflow \"{name}\" ({id})"),
        )
        .map(|_| ())
    }
}

/// A string field of a JSON object.
pub(crate) fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}
